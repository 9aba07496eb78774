//! `q=` name searches match the text literally (issue #12, point 10): `%` and `_` are not
//! LIKE wildcards.

use serde_json::json;

use crate::helpers::{json, on_each_db};

async fn names(app: &crate::helpers::TestApp, q: &str) -> Vec<String> {
    let (s, page) = json(
        app.get("/api/v1/departments")
            .query(&[("q", q)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    let mut names: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn q_matches_percent_and_underscore_literally() {
    on_each_db(|app| async move {
        for (code, name) in [("S1", "达标率100%局"), ("S2", "a_b 局"), ("S3", "ab 局"), ("S4", "a\\b 局")] {
            let res = app
                .post("/api/v1/departments")
                .json(&json!({"budget_code": code, "name": name, "region": "430424", "kind": "other"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
        }
        assert_eq!(names(&app, "%").await, ["达标率100%局"]);
        assert_eq!(names(&app, "100%").await, ["达标率100%局"]);
        assert_eq!(names(&app, "_").await, ["a_b 局"]);
        assert_eq!(names(&app, "a_b").await, ["a_b 局"]);
        assert_eq!(names(&app, "\\").await, ["a\\b 局"]);
        assert_eq!(names(&app, "%%").await, Vec::<String>::new());
        assert_eq!(names(&app, "b 局").await, ["a\\b 局", "a_b 局", "ab 局"]);
    })
    .await;
}

#[tokio::test]
async fn q_is_literal_for_projects_and_indicator_results_too() {
    on_each_db(|app| async move {
        crate::seed::load_seed(&app).await;
        for path in ["/api/v1/projects", "/api/v1/indicator-results"] {
            let (s, all) = json(app.get(path).send().await.unwrap()).await;
            assert_eq!(s, 200, "{all}");
            assert!(!all["items"].as_array().unwrap().is_empty(), "{path}");
            for q in ["%", "_"] {
                let (s, page) = json(app.get(path).query(&[("q", q)]).send().await.unwrap()).await;
                assert_eq!(s, 200, "{page}");
                assert_eq!(page["items"], json!([]), "{path}?q={q}");
            }
        }
    })
    .await;
}
