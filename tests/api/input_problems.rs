//! Every problem of a body at once (issue #16): one 422 lists all bad fields, each with its
//! pointer, code and message, in Chinese with no English left when asked.

use serde_json::{Value, json};

use crate::evaluations::corrected_black_water;
use crate::helpers::{TestApp, on_each_db, problem};
use crate::seed::load_seed;

/// The black-water table with ten bad fields, and the pointers and codes they must get.
fn ten_bad_fields(project_id: &str) -> (Value, Vec<(&'static str, &'static str)>) {
    let mut body = corrected_black_water(project_id);
    body["budget"]["full_year"] = json!("十九点八七");
    body["budget"]["executed"] = json!("-5");
    body["indicators"][0]["weight"] = json!("十分");
    body["indicators"][1]
        .as_object_mut()
        .unwrap()
        .remove("level1");
    body["indicators"][2]["colour"] = json!("red");
    body["colour"] = json!("blue");
    body["status"] = json!("approved");
    body["year"] = json!("二〇二四");
    body["kind"] = json!("county");
    body["claimed_total"] = json!("99.123456");
    body["narrative"] = json!({"problems": 42});
    let expected = vec![
        ("/budget/full_year", "field.invalid"),
        ("/budget/executed", "field.invalid"),
        ("/indicators/0/weight", "field.invalid"),
        ("/indicators/1/level1", "field.missing"),
        ("/indicators/2/colour", "field.unknown"),
        ("/colour", "field.unknown"),
        ("/status", "field.read_only"),
        ("/year", "field.invalid"),
        ("/kind", "field.invalid"),
        ("/claimed_total", "field.invalid"),
        ("/narrative/problems", "field.invalid"),
    ];
    (body, expected)
}

fn pointers(p: &Value, prefix: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            let pointer = e["pointer"].as_str().unwrap_or_default();
            (
                pointer.strip_prefix(prefix).unwrap_or(pointer).to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn sorted(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = expected
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    out.sort();
    out
}

/// The text outside `` `…` `` and `"…"` quotes (field names and values quoted from the input).
fn unquoted(text: &str) -> String {
    text.split('`')
        .step_by(2)
        .flat_map(|s| s.split('"').step_by(2))
        .collect()
}

async fn post_zh(app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    app.post(path)
        .header("Accept-Language", "zh-CN")
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn ten_bad_fields_get_one_answer_listing_all_of_them() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let (body, expected) = ten_bad_fields(&loaded.project_ids[1].1);
        for path in ["/api/v1/evaluations/validate", "/api/v1/evaluations"] {
            let p = problem(
                app.post(path).json(&body).send().await.unwrap(),
                422,
                "request.validation_failed",
            )
            .await;
            assert_eq!(pointers(&p, ""), sorted(&expected), "{path}: {p}");
            for e in p["errors"].as_array().unwrap() {
                assert!(!e["detail"].as_str().unwrap_or_default().is_empty(), "{e}");
            }
        }
        // Chinese: no English left inside the messages.
        let p = problem(
            post_zh(&app, "/api/v1/evaluations/validate", &body).await,
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(pointers(&p, ""), sorted(&expected));
        for e in p["errors"].as_array().unwrap() {
            let detail = e["detail"].as_str().unwrap();
            assert!(
                !unquoted(detail).chars().any(|c| c.is_ascii_alphabetic()),
                "English left in {}: {detail}",
                e["pointer"]
            );
        }
        assert!(
            !unquoted(p["detail"].as_str().unwrap())
                .chars()
                .any(|c| c.is_ascii_alphabetic())
        );
        // PUT on an existing evaluation: the same list.
        let id = &loaded.evaluation_ids[2];
        let current = app
            .get(&format!("/api/v1/evaluations/{id}"))
            .send()
            .await
            .unwrap();
        let etag = current.headers()["etag"].to_str().unwrap().to_owned();
        let p = problem(
            app.put(&format!("/api/v1/evaluations/{id}"))
                .header("If-Match", etag)
                .json(&body)
                .send()
                .await
                .unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(pointers(&p, ""), sorted(&expected));
        // A batch item: the same, under the item's place.
        let batch = json!({"dry_run": true, "items": [{"ref": "a", "evaluation": body}]});
        let p = problem(
            post_zh(&app, "/api/v1/evaluations/batch", &batch).await,
            422,
            "request.validation_failed",
        )
        .await;
        // Read-only fields are top-level fields of a request body; inside a batch item the
        // server-owned `status` is simply not a field of the item.
        let in_batch: Vec<(&str, &str)> = expected
            .iter()
            .map(|(p, c)| {
                if *p == "/status" {
                    (*p, "field.unknown")
                } else {
                    (*p, *c)
                }
            })
            .collect();
        assert_eq!(
            pointers(&p, "/items/0/evaluation"),
            sorted(&in_batch),
            "{p}"
        );
    })
    .await;
}
