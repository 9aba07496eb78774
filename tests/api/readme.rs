//! The README documents every setting.

#[test]
fn readme_lists_every_setting() {
    let readme = include_str!("../../README.md");
    for spec in jixiao::config::SETTINGS {
        assert!(
            readme.contains(&format!("| `{}` |", spec.key)),
            "README lacks {}",
            spec.key
        );
        assert!(
            readme.contains(&format!("`{}`", spec.env)),
            "README lacks {}",
            spec.env
        );
        assert!(
            readme.contains(&format!("`{}`", spec.default)),
            "README lacks the default of {}",
            spec.key
        );
    }
}

/// The README's table from another province goes in as printed and answers what the README
/// says it does.
#[tokio::test]
async fn readme_table_from_another_province_answers_as_described() {
    use crate::helpers::{json, mint, on_each_db};
    use serde_json::json;
    let readme = include_str!("../../README.md");
    let section = &readme[readme
        .find("### A table from another province, as printed")
        .expect("section")..];
    let start = section.find("-d '").expect("curl body") + 4;
    let end = start + section[start..].find("}'").expect("body end") + 1;
    let body: serde_json::Value = serde_json::from_str(&section[start..end]).expect("JSON body");
    on_each_db(|app| {
        let body = body.clone();
        async move {
        let national = app.as_(Some(mint(&app.settings, "admin", "000000", &[])));
        for (code, name) in [("530000", "云南省"), ("530900", "临沧市"), ("530923", "永德县")] {
            let res = national
                .post("/api/v1/regions")
                .json(&json!({"code": code, "name": name}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
        }
        let res = national
            .post("/api/v1/departments")
            .json(&json!({"budget_code": "530923-001", "name": "永德县明朗中学", "region": "530923", "kind": "administrative"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let res = national
            .post("/api/v1/projects")
            .json(&json!({"department": "530923-001", "year": 2022, "name": "义务教育营养改善计划专项资金"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let res = national
            .post("/api/v1/evaluations")
            .json(&body)
            .send()
            .await
            .unwrap();
        let (s, e) = json(res).await;
        assert_eq!(s, 201, "{e}");
        let c = &e["computed"];
        assert_eq!(c["rule_set_id"], "national-2021");
        let has = |pointer: &str, code: &str| {
            c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["pointer"] == pointer && f["code"] == code)
        };
        assert!(has("/indicators/1/claimed_score", "score.claimed_mismatch"), "{c}");
        assert!(has("/indicators/1/deviation_explanation", "explanation.missing_deviation"));
        assert!(has("/indicators/3/deviation_explanation", "explanation.missing_deviation"));
        assert!(has("/indicators/2/actual", "actual.grade_informal"));
        assert!(has("/indicators/4/level2", "indicator.label_variant"));
        assert_eq!(c["rows"][1]["computed"], "10.00");
        assert_eq!(c["rows"][3]["computed"], "9.80");
        assert_eq!(c["rows"][2]["basis"], "graded");
        assert_eq!(c["rows"][0]["basis"], "measured");
        assert_eq!(c["execution"]["score"], "10.00");
        app.finish().await;
        }
    })
    .await;
}
