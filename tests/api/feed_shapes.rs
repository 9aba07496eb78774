//! Feed snapshots take the GET shapes: the `data` of a department, fund or project change is
//! the object exactly as `GET /{resource}/{id}` answers it at that version.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json, on_each_db};

/// The data of the last change to `entity` `id`, from the whole feed.
async fn last_snapshot(app: &TestApp, entity: &str, id: &str) -> Value {
    let (s, page) = json(app.get("/api/v1/changes?limit=1000").send().await.unwrap()).await;
    assert_eq!(s, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|c| c["entity"] == entity && c["id"] == id)
        .map(|c| c["data"].clone())
        .unwrap_or_else(|| panic!("no change of {entity} {id} in {page}"))
}

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let (s, v) = json(app.post(path).json(&body).send().await.unwrap()).await;
    assert_eq!(s, 201, "{path}: {v}");
    v
}

async fn got(app: &TestApp, path: &str) -> Value {
    let (s, v) = json(app.get(path).send().await.unwrap()).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

#[tokio::test]
async fn feed_snapshots_equal_the_get_answers() {
    on_each_db(|app| async move {
        let department = created(
            &app,
            "/api/v1/departments",
            json!({"budget_code": "907001", "name": "快照测试局", "region": "430424",
                   "kind": "administrative"}),
        )
        .await;
        let department_id = department["id"].as_str().unwrap().to_owned();
        let project_body = json!({"department": "907001", "year": 2025, "name": "快照测试项目"});
        let project = created(&app, "/api/v1/projects", project_body.clone()).await;
        let project_id = project["id"].as_str().unwrap().to_owned();
        let fund = created(
            &app,
            "/api/v1/funds",
            json!({"department": "907001", "year": 2025, "project": project_id,
                   "name": "快照测试资金", "level": "city", "initial": "10",
                   "full_year": "12.5", "executed": "10"}),
        )
        .await;
        let fund_id = fund["id"].as_str().unwrap().to_owned();
        // The project changes after its fund exists: its snapshot carries the budget block.
        let mut replaced = project_body;
        replaced["description"] = json!("年中补充说明");
        let res = app
            .put(&format!("/api/v1/projects/{project_id}"))
            .header("If-Match", "\"1\"")
            .json(&replaced)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);

        let project_now = got(&app, &format!("/api/v1/projects/{project_id}")).await;
        assert_eq!(project_now["budget"]["fund_count"], 1, "{project_now}");
        assert_eq!(
            last_snapshot(&app, "project", &project_id).await,
            project_now
        );
        assert_eq!(
            last_snapshot(&app, "fund", &fund_id).await,
            got(&app, &format!("/api/v1/funds/{fund_id}")).await
        );
        assert_eq!(
            last_snapshot(&app, "department", &department_id).await,
            got(&app, &format!("/api/v1/departments/{department_id}")).await
        );
    })
    .await;
}
