//! Batch submissions: JSON and CSV, atomic and per item, dry runs, scope and limits.

use serde_json::{Value, json};

use crate::helpers::{Backend, json, on_each_db, problem, spawn_with};
use crate::seed::load_seed;

/// The seed's 附件5 #2, corrected, addressed by budget code and project name.
fn corrected() -> Value {
    let row = |l1: &str, l2: &str, l3: &str, t: &str, a: &str, w: &str| json!({"level1": l1, "level2": l2, "level3": l3, "target": t, "actual": a, "weight": w, "claimed_score": w});
    json!({
        "kind": "project", "department": "901424", "project": "农村黑臭水体奖补资金", "year": 2024,
        "budget": {"initial": "0", "full_year": "19.87", "executed": "19.87", "claimed_score": "10"},
        "indicators": [
            row("产出指标", "数量指标", "治理水体数量", "1个", "1个", "10"),
            row("产出指标", "质量指标", "水质达标率", "100%", "100%", "10"),
            row("效益指标", "社会效益指标", "污染投诉案件减少率", "≥90%", "92%", "20"),
            row("效益指标", "生态效益指标", "生态恢复周期缩短", "1年", "1年", "20"),
            row("成本指标", "经济成本指标", "成本控制率", "≤100%", "100%", "20"),
            row("满意度指标", "服务对象满意度指标", "周边居民满意度", "≥90%", "95%", "10"),
        ],
        "claimed_total": "100"
    })
}

fn new_department_2025() -> Value {
    json!({
        "kind": "department", "department": "901424", "year": 2025,
        "budget": {"initial": "1500", "full_year": "1600", "executed": "1580"},
        "indicators": [{"level1": "产出指标", "level2": "数量指标", "level3": "监测站点运行", "target": "≥12个", "actual": "12个", "weight": "40", "claimed_score": "40"}]
    })
}

fn bad() -> Value {
    let mut e = new_department_2025();
    e["year"] = json!(1999);
    e
}

fn items(list: Vec<Value>) -> Vec<Value> {
    list.into_iter()
        .enumerate()
        .map(|(i, e)| json!({"ref": format!("r{i}"), "evaluation": e}))
        .collect()
}

#[tokio::test]
async fn atomic_batches_are_all_or_nothing() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let body = json!({"items": items(vec![corrected(), new_department_2025(), bad()])});
        let res = app
            .post("/api/v1/evaluations/batch")
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "batch.failed").await;
        assert_eq!(p["summary"]["failed"], 1);
        assert_eq!(p["summary"]["applied"], false);
        let outcomes: Vec<&str> = p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(outcomes, ["not_applied", "not_applied", "failed"]);
        assert_eq!(p["items"][2]["ref"], "r2");
        assert_eq!(
            p["items"][2]["problem"]["errors"][0]["pointer"],
            "/items/2/evaluation/year"
        );
        // Nothing was written.
        let (_, e) = json(
            app.get(&format!("/api/v1/evaluations/{}", loaded.evaluation_ids[2]))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(e["version"], 1);
        let (_, list) = json(
            app.get("/api/v1/evaluations?year=2025")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(list["items"], json!([]));
        // Without the bad item it all goes in.
        let body = json!({"items": items(vec![corrected(), new_department_2025()])});
        let (s, r) = json(
            app.post("/api/v1/evaluations/batch")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(
            (
                r["summary"]["created"].as_u64(),
                r["summary"]["replaced"].as_u64()
            ),
            (Some(1), Some(1))
        );
        assert_eq!(
            r["items"][0]["id"],
            loaded.evaluation_ids[2].as_str(),
            "matched by department, year, kind and project name"
        );
        assert_eq!(r["items"][0]["total"].as_str(), Some("100.00"));
        let (_, dry) = json(
            app.post("/api/v1/evaluations/validate")
                .json(&corrected())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            r["items"][0]["error_findings"], 0,
            "{}",
            dry["computed"]["findings"]
        );
        let (_, e) = json(
            app.get(&format!("/api/v1/evaluations/{}", loaded.evaluation_ids[2]))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(e["version"], 2);
    })
    .await;
}

#[tokio::test]
async fn per_item_batches_report_mixed_outcomes() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        // A dry run writes nothing but answers as if.
        let body = json!({"atomic": false, "dry_run": true, "items": items(vec![corrected(), new_department_2025()])});
        let (s, r) = json(app.post("/api/v1/evaluations/batch").json(&body).send().await.unwrap()).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!((r["summary"]["applied"].as_bool(), r["items"][1]["outcome"].as_str()), (Some(false), Some("created")));
        let (_, list) = json(app.get("/api/v1/evaluations?year=2025").send().await.unwrap()).await;
        assert_eq!(list["items"], json!([]));
        // Mixed: 207.
        let body = json!({"atomic": false, "items": items(vec![corrected(), bad(), new_department_2025()])});
        let (s, r) = json(app.post("/api/v1/evaluations/batch").json(&body).send().await.unwrap()).await;
        assert_eq!(s, 207, "{r}");
        let outcomes: Vec<&str> = r["items"].as_array().unwrap().iter().map(|i| i["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["replaced", "failed", "created"]);
        assert_eq!(r["items"][1]["problem"]["code"], "request.validation_failed");
        assert_eq!(r["summary"]["applied"], true);
        let (_, list) = json(app.get("/api/v1/evaluations?year=2025").send().await.unwrap()).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        // A submitted evaluation is not replaced by a batch.
        let id = &loaded.evaluation_ids[2];
        let (s, _) = json(app.post(&format!("/api/v1/evaluations/{id}/submit")).send().await.unwrap()).await;
        assert_eq!(s, 200);
        let body = json!({"atomic": false, "items": items(vec![corrected()])});
        let res = app.post("/api/v1/evaluations/batch").json(&body).send().await.unwrap();
        let p = problem(res, 422, "batch.failed").await;
        assert_eq!(p["items"][0]["problem"]["code"], "evaluation.read_only");
        // Scope holds inside items.
        let sibling = app.as_(Some(app.token("submitter", "430426")));
        let body = json!({"atomic": false, "items": items(vec![new_department_2025()])});
        let p = problem(sibling.post("/api/v1/evaluations/batch").json(&body).send().await.unwrap(), 422, "batch.failed").await;
        assert_eq!(p["items"][0]["problem"]["errors"][0]["pointer"], "/items/0/evaluation/department");
        let viewer = app.as_(Some(app.token("viewer", "430424")));
        problem(viewer.post("/api/v1/evaluations/batch").json(&body).send().await.unwrap(), 403, "auth.forbidden").await;
    })
    .await;
}

#[tokio::test]
async fn csv_batches_in_the_official_layout() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let csv = "类型,预算单位编码,年度,项目名称,年初预算数,全年预算数,全年执行数,自评总分,一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分\n\
            项目支出,901424,2024,农村黑臭水体奖补资金,0,19.87,19.87,100,产出指标,数量指标,治理水体数量,1个,1个,10,10\n\
            项目支出,901424,2024,农村黑臭水体奖补资金,,,,,产出指标,质量指标,水质达标率,100%,100%,10,10\n\
            项目支出,901424,2024,农村黑臭水体奖补资金,,,,,效益指标,社会效益指标,污染投诉案件减少率,≥90%,92%,20,20\n\
            项目支出,901424,2024,农村黑臭水体奖补资金,,,,,效益指标,生态效益指标,生态恢复周期缩短,1年,1年,20,20\n\
            项目支出,901424,2024,农村黑臭水体奖补资金,,,,,成本指标,经济成本指标,成本控制率,≤100%,100%,20,20\n\
            项目支出,901424,2024,农村黑臭水体奖补资金,,,,,满意度指标,服务对象满意度指标,周边居民满意度,≥90%,95%,10,10\n";
        let res = app.post("/api/v1/evaluations/batch").header("content-type", "text/csv; charset=utf-8").body(csv).send().await.unwrap();
        let (s, r) = json(res).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["items"][0]["outcome"], "replaced");
        assert_eq!(r["items"][0]["id"], loaded.evaluation_ids[2].as_str());
        let (_, e) = json(app.get(&format!("/api/v1/evaluations/{}", loaded.evaluation_ids[2])).send().await.unwrap()).await;
        assert_eq!(e["indicators"].as_array().unwrap().len(), 6);
        assert_eq!(e["computed"]["total"], "100.00");
        let bad = "类型,预算单位编码,年度,一级指标,二级指标,分值\n项目支出,901424,2024,产出指标,数量指标,十\n";
        let res = app.post("/api/v1/evaluations/batch?atomic=false").header("content-type", "text/csv").body(bad).send().await.unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["pointer"], "/rows/2/分值");
        let res = app.post("/api/v1/evaluations/batch").header("content-type", "text/plain").body("x").send().await.unwrap();
        problem(res, 415, "request.unsupported_media_type").await;
    })
    .await;
}

#[tokio::test]
async fn batch_limits() {
    let app = spawn_with(Backend::Sqlite, |s| s.max_batch_items = 2).await;
    load_seed(&app).await;
    let body = json!({"items": items(vec![new_department_2025(), new_department_2025(), new_department_2025()])});
    let p = problem(
        app.post("/api/v1/evaluations/batch")
            .json(&body)
            .send()
            .await
            .unwrap(),
        422,
        "request.validation_failed",
    )
    .await;
    assert_eq!(
        (
            p["errors"][0]["pointer"].as_str(),
            p["errors"][0]["code"].as_str()
        ),
        (Some("/items"), Some("batch.size"))
    );
    let p = problem(
        app.post("/api/v1/evaluations/batch")
            .json(&json!({"items": []}))
            .send()
            .await
            .unwrap(),
        422,
        "request.validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "batch.size");
    app.finish().await;
    let app = spawn_with(Backend::Sqlite, |s| s.max_batch_bytes = 2048).await;
    let body = json!({"items": items(vec![corrected(), corrected(), corrected()])});
    problem(
        app.post("/api/v1/evaluations/batch")
            .json(&body)
            .send()
            .await
            .unwrap(),
        413,
        "request.body_too_large",
    )
    .await;
    app.finish().await;
}

/// The feed's cursor now (as admin).
async fn feed_cursor(app: &crate::helpers::TestApp) -> String {
    let mut cursor = String::new();
    loop {
        let path = if cursor.is_empty() {
            "/api/v1/changes?limit=1000".to_owned()
        } else {
            format!("/api/v1/changes?limit=1000&after={cursor}")
        };
        let (s, page) = json(app.get(&path).send().await.unwrap()).await;
        assert_eq!(s, 200, "{page}");
        let next = page["next_cursor"].as_str().unwrap().to_owned();
        if page["items"].as_array().unwrap().is_empty() {
            return next;
        }
        cursor = next;
    }
}

#[tokio::test]
async fn a_dry_run_in_the_query_writes_nothing_for_a_json_body() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let before = feed_cursor(&app).await;
        // ?dry_run=true with a JSON body writes nothing, and names no row it did not write.
        let body = json!({"items": items(vec![corrected(), new_department_2025()])});
        let (s, r) = json(
            app.post("/api/v1/evaluations/batch?dry_run=true")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["summary"]["dry_run"], true);
        assert_eq!(r["summary"]["applied"], false);
        let created = &r["items"][1];
        assert_eq!(created["outcome"], "created");
        assert!(
            created["id"].is_null() && created["status"].is_null() && created["version"].is_null(),
            "{created}"
        );
        assert!(created["total"].is_string(), "the dry run still scores");
        let replaced = &r["items"][0];
        assert_eq!(replaced["outcome"], "replaced");
        assert_eq!(replaced["id"], loaded.evaluation_ids[2].as_str());
        assert_eq!(replaced["status"], "draft");
        assert!(replaced["version"].is_null(), "{replaced}");
        let (_, list) = json(
            app.get("/api/v1/evaluations?year=2025")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(list["items"], json!([]));
        let (_, e) = json(
            app.get(&format!("/api/v1/evaluations/{}", loaded.evaluation_ids[2]))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(e["version"], 1);
        let (_, feed) = json(
            app.get(&format!("/api/v1/changes?after={before}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(feed["items"], json!([]), "a dry run leaves no feed entries");
        // The same in per-item mode given in the query.
        let (s, r) = json(
            app.post("/api/v1/evaluations/batch?dry_run=true&atomic=false")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, r["summary"]["atomic"].as_bool()),
            (200, Some(false)),
            "{r}"
        );
        assert!(r["items"][1]["id"].is_null());
        let (_, list) = json(
            app.get("/api/v1/evaluations?year=2025")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(list["items"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn atomic_false_in_the_query_applies_each_item_of_a_json_body_on_its_own() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        // ?atomic=false with a JSON body: each item on its own.
        let body = json!({"items": items(vec![bad(), new_department_2025()])});
        let (s, r) = json(
            app.post("/api/v1/evaluations/batch?atomic=false")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 207, "{r}");
        assert_eq!(r["summary"]["atomic"], false);
        assert_eq!(r["summary"]["applied"], true);
        assert!(r["items"][1]["id"].is_string());
        let (_, list) = json(
            app.get("/api/v1/evaluations?year=2025")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn flags_in_the_body_and_the_query_must_agree() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        // Body and query disagree: 400 naming both places; agreeing is fine.
        let body = json!({"dry_run": false, "atomic": true, "items": items(vec![corrected()])});
        let p = problem(
            app.post("/api/v1/evaluations/batch?dry_run=true&atomic=true")
                .json(&body)
                .send()
                .await
                .unwrap(),
            400,
            "batch.conflicting_flags",
        )
        .await;
        let places: Vec<(Option<&str>, Option<&str>)> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["pointer"].as_str(), f["parameter"].as_str()))
            .collect();
        assert_eq!(
            places,
            [(Some("/dry_run"), None), (None, Some("dry_run"))],
            "{p}"
        );
        let (_, e) = json(
            app.get(&format!("/api/v1/evaluations/{}", loaded.evaluation_ids[2]))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(e["version"], 1, "nothing written");
        let (s, r) = json(
            app.post("/api/v1/evaluations/batch?atomic=true")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{r}");
    })
    .await;
}

#[tokio::test]
async fn csv_dry_runs_answer_each_items_findings_at_rows_and_headers() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        // Two evaluations: the project (rows 2-4, a claimed score above its weight on row 3,
        // a claimed total that does not add up) and a new 2025 department table (row 5).
        let csv = "类型,预算单位编码,年度,项目名称,全年预算数,全年执行数,执行分值,执行率,自评总分,一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分（自评）\n\
            项目支出,901424,2024,农村黑臭水体奖补资金,19.87,19.87,10,100%,95,产出指标,数量指标,治理水体数量,1个,1个,30,30\n\
            项目支出,901424,2024,农村黑臭水体奖补资金,,,,,,产出指标,质量指标,水质达标率,100%,100%,30,35\n\
            项目支出,901424,2024,农村黑臭水体奖补资金,,,,,,满意度指标,服务对象满意度指标,周边居民满意度,≥90%,95%,30,30\n\
            部门整体,901424,2025,,1600,1580,,,,产出指标,数量指标,监测站点运行,≥12个,12个,40,40\n";
        let res = app
            .post("/api/v1/evaluations/batch?dry_run=true&atomic=false")
            .header("content-type", "text/csv")
            .header("Accept-Language", "zh-CN")
            .body(csv)
            .send()
            .await
            .unwrap();
        let (s, r) = json(res).await;
        assert_eq!(s, 200, "{r}");
        let items = r["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        // A dry run names no id that does not exist: the new department table has none.
        assert_eq!(items[1]["outcome"], "created");
        assert_eq!(items[1]["id"], Value::Null);
        for item in items {
            let findings = item["findings"].as_array().unwrap();
            assert_eq!(
                findings.iter().filter(|f| f["severity"] == "error").count() as i64,
                item["error_findings"].as_i64().unwrap(),
                "{item}"
            );
            for f in findings {
                let pointer = f["pointer"].as_str().unwrap();
                assert!(pointer.starts_with("/rows/"), "{f}");
                assert!(f["code"].is_string() && f["policy"].is_string(), "{f}");
                let message = f["message"].as_str().unwrap();
                assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{f}");
            }
        }
        let project: Vec<(&str, &str)> = items[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["pointer"].as_str().unwrap(), f["code"].as_str().unwrap()))
            .collect();
        assert!(
            project.iter().any(|(p, _)| *p == "/rows/3/得分（自评）"),
            "the claimed score above its weight, at its row and header: {project:?}"
        );
        assert!(
            project.iter().any(|(p, _)| *p == "/rows/2/自评总分"),
            "the claimed total, at the evaluation's first row: {project:?}"
        );
    })
    .await;
}
