//! The change feed as a replication source: for every role, a replica built only from
//! `/changes` (upserts and tombstones) holds exactly what the evaluation list shows that role.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::evaluations::{act, corrected_black_water};
use crate::helpers::{TestApp, json, on_each_db};
use crate::seed::load_seed;

/// id → status, from the feed alone.
async fn replica(app: &TestApp) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            None => "/api/v1/changes?limit=1000".to_owned(),
            Some(c) => format!("/api/v1/changes?limit=1000&after={c}"),
        };
        let (s, page) = json(app.get(&path).send().await.unwrap()).await;
        assert_eq!(s, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        if items.is_empty() {
            return out;
        }
        for c in items.iter().filter(|c| c["entity"] == "evaluation") {
            let id = c["id"].as_str().unwrap().to_owned();
            if c["op"] == "deleted" {
                assert!(c["data"].is_null(), "a tombstone carries no data: {c}");
                out.remove(&id);
            } else {
                out.insert(id, c["data"]["status"].as_str().unwrap().to_owned());
            }
        }
        after = Some(page["next_cursor"].as_str().unwrap().to_owned());
    }
}

/// id → status, as the list shows it.
async fn listed(app: &TestApp) -> BTreeMap<String, String> {
    let (s, page) = json(
        app.get("/api/v1/evaluations?page_size=500")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    assert!(page["next_page_token"].is_null());
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_owned(),
                e["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn ok(app: &TestApp, id: &str, action: &str, body: Option<Value>) -> Value {
    let (s, e) = act(app, id, action, body).await;
    assert_eq!(s, 200, "{action} {id}: {e}");
    e
}

/// A submittable project evaluation of 2025 for a new project of 901424.
async fn new_submittable(submitter: &TestApp, name: &str) -> String {
    let (s, p) = json(
        submitter
            .post("/api/v1/projects")
            .json(&json!({"department": "901424", "year": 2025, "name": name}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 201, "{p}");
    let mut body = corrected_black_water(p["id"].as_str().unwrap());
    body["year"] = json!(2025);
    let (s, e) = json(
        submitter
            .post("/api/v1/evaluations")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(
        e["computed"]["error_count"], 0,
        "{}",
        e["computed"]["findings"]
    );
    e["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_replica_from_the_feed_equals_the_list_for_every_role() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let submitter = app.as_(Some(app.token("submitter", "430424")));
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        let viewer = app.as_(Some(app.token("viewer", "430400")));
        let return_ = || Some(json!({"reason": "请补充佐证材料"}));

        // A: corrected, submitted, withdrawn, resubmitted, returned, edited, resubmitted,
        // approved.
        let a = loaded.evaluation_ids[2].clone();
        let path = format!("/api/v1/evaluations/{a}");
        let fixed = corrected_black_water(&loaded.project_ids[1].1);
        let res = submitter
            .put(&path)
            .header("If-Match", "\"1\"")
            .json(&fixed)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        ok(&submitter, &a, "submit", None).await;
        ok(&submitter, &a, "withdraw", None).await;
        ok(&submitter, &a, "submit", None).await;
        let e = ok(&reviewer, &a, "return", return_()).await;
        let mut edited = fixed.clone();
        edited["achievement"] = json!("已完成年度总体目标，长效机制已建立");
        let res = submitter
            .put(&path)
            .header("If-Match", format!("\"{}\"", e["version"]))
            .json(&edited)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        ok(&submitter, &a, "submit", None).await;
        ok(&reviewer, &a, "approve", None).await;

        // B: created, submitted, withdrawn, deleted.
        let b = new_submittable(&submitter, "农村黑臭水体治理二期").await;
        ok(&submitter, &b, "submit", None).await;
        ok(&submitter, &b, "withdraw", None).await;
        let res = submitter
            .delete(&format!("/api/v1/evaluations/{b}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
        // C: created, submitted, returned (and stays so).
        let c = new_submittable(&submitter, "饮用水源地保护").await;
        ok(&submitter, &c, "submit", None).await;
        ok(&reviewer, &c, "return", return_()).await;
        // D: created and submitted (and stays so).
        let d = new_submittable(&submitter, "大气污染防治").await;
        ok(&submitter, &d, "submit", None).await;

        for (role, who) in [
            ("admin", &app),
            ("reviewer", &reviewer),
            ("submitter", &submitter),
            ("viewer", &viewer),
        ] {
            let from_feed = replica(who).await;
            let from_list = listed(who).await;
            assert_eq!(from_feed, from_list, "{role}");
            assert!(
                !from_feed.contains_key(&b),
                "{role}: the deleted one is gone"
            );
        }
        // What the viewer holds: the published ones only.
        let seen = listed(&viewer).await;
        let want: BTreeMap<String, String> =
            [(a, "approved".to_owned()), (d, "submitted".to_owned())]
                .into_iter()
                .collect();
        assert_eq!(seen, want);
        // A draft that was never published does not reach a viewer's feed at all.
        let (_, page) = json(
            viewer
                .get("/api/v1/changes?limit=1000")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            !page["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|ch| ch["id"] == loaded.evaluation_ids[1].as_str()),
            "never published, never shown"
        );
        let _ = c;
    })
    .await;
}
