//! Timestamps carry at most microseconds (issue #12, point 17): many clients parse no more
//! than six fraction digits.

use serde_json::{Value, json};

use crate::helpers::{json, on_each_db};

fn fraction_digits(at: &Value) -> usize {
    let text = at
        .as_str()
        .unwrap_or_else(|| panic!("not a timestamp: {at}"));
    assert!(text.ends_with('Z'), "{text}");
    chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    text.split_once('.')
        .map_or(0, |(_, frac)| frac.trim_end_matches('Z').len())
}

#[tokio::test]
async fn timestamps_have_at_most_six_fraction_digits() {
    on_each_db(|app| async move {
        // Several writes, so that a nanosecond clock would show in at least one of them.
        for i in 0..5 {
            let (s, d) = json(
                app.post("/api/v1/departments")
                    .json(&json!({"budget_code": format!("T{i}"), "name": "计时局", "region": "430424", "kind": "other"}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(s, 201, "{d}");
            for field in ["created_at", "updated_at"] {
                assert!(fraction_digits(&d[field]) <= 6, "{field}: {d}");
            }
            let (_, read) = json(
                app.get(&format!("/api/v1/departments/T{i}"))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(read["created_at"], d["created_at"], "read back unchanged");
            assert!(fraction_digits(&read["updated_at"]) <= 6, "{read}");
        }
        let (s, feed) = json(app.get("/api/v1/changes?limit=50").send().await.unwrap()).await;
        assert_eq!(s, 200, "{feed}");
        let items = feed["items"].as_array().unwrap();
        assert_eq!(items.len(), 5, "{feed}");
        for item in items {
            assert!(fraction_digits(&item["at"]) <= 6, "{item}");
            assert!(fraction_digits(&item["data"]["created_at"]) <= 6, "{item}");
        }
    })
    .await;
}
