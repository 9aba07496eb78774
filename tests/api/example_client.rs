//! The county client of `examples/county_client.py` (issue #16), run against a real server:
//! a folder with a JSON table and a CSV batch, submitted twice (the second run replays).

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{TestApp, json, on_each_db};
use crate::seed::load_seed;

/// A 2025 部门整体 table with no error findings.
fn good_table() -> Value {
    json!({
        "kind": "department", "department": "901424", "year": 2025,
        "budget": {"initial": "1500", "full_year": "1600", "executed": "1600", "weight": "10", "claimed_rate": "100%", "claimed_score": "10"},
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "level3": "监测站点运行", "target": "≥12个", "actual": "12个", "weight": "90", "claimed_score": "90"}
        ],
        "claimed_total": "100"
    })
}

/// The 2024 black-water project as a CSV batch, with a claimed score above its weight (row 3).
const BAD_CSV: &str = "类型,预算单位编码,年度,项目名称,全年预算数,全年执行数,执行分值,执行率,自评总分,一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分（自评）\n\
    项目支出,901424,2024,农村黑臭水体奖补资金,19.87,19.87,10,100%,100,产出指标,数量指标,治理水体数量,1个,1个,30,30\n\
    项目支出,901424,2024,农村黑臭水体奖补资金,,,,,,产出指标,质量指标,水质达标率,100%,100%,30,35\n\
    项目支出,901424,2024,农村黑臭水体奖补资金,,,,,,满意度指标,服务对象满意度指标,周边居民满意度,≥90%,95%,30,30\n";

/// Runs the client (on a blocking thread: the server runs on this test's runtime).
async fn run_client(app: &TestApp, folder: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/county_client.py");
    let mut command = Command::new("python3");
    command
        .arg(script)
        .args(["--url", &app.base])
        .args(["--token", app.token.as_deref().unwrap()])
        .arg("--folder")
        .arg(folder)
        .args(extra);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    (output.status.code().unwrap_or(-1), stdout)
}

async fn evaluations(app: &TestApp, query: &str) -> Vec<Value> {
    let (s, page) = json(
        app.get(&format!("/api/v1/evaluations?{query}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_county_client_submits_a_folder_and_replays_safely() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!(
            "SKIPPED the_county_client_submits_a_folder_and_replays_safely: python3 is not installed"
        );
        return;
    }
    on_each_db(|app| async move { submit_twice(app).await }).await;
}

async fn submit_twice(app: TestApp) {
    let loaded = load_seed(&app).await;
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("2025年部门整体自评表.json"),
        serde_json::to_vec_pretty(&good_table()).unwrap(),
    )
    .unwrap();
    std::fs::write(folder.path().join("2024年项目自评表.csv"), BAD_CSV).unwrap();

    let (code, first) = run_client(&app, folder.path(), &[]).await;
    assert_eq!(code, 0, "both tables were accepted:\n{first}");
    assert!(first.contains("2025年部门整体自评表.json："), "{first}");
    assert!(first.contains("已保存"), "{first}");
    assert!(
        first.contains("已更新"),
        "the CSV replaced the seed's table:\n{first}"
    );
    assert!(
        first.contains("[错误] /rows/3/得分（自评） 自评得分 35 不在 [0, 30] 内"),
        "the error finding in Chinese, at its row and header:\n{first}"
    );
    assert!(first.contains("共 2 张表，成功 2 张，失败 0 张"), "{first}");
    let project = &loaded.evaluation_ids[2];
    let version = |e: &Value| e["version"].clone();
    let (_, after_first) = json(
        app.get(&format!("/api/v1/evaluations/{project}"))
            .send()
            .await
            .unwrap(),
    )
    .await;

    // The second run replays: the same answers, nothing written twice.
    let (code, second) = run_client(&app, folder.path(), &[]).await;
    assert_eq!(code, 0, "{second}");
    assert_eq!(first, second, "a rerun answers the same");
    let (_, after_second) = json(
        app.get(&format!("/api/v1/evaluations/{project}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(version(&after_first), version(&after_second));
    let departments_2025 = evaluations(&app, "year=2025").await;
    assert_eq!(departments_2025.len(), 1, "{departments_2025:?}");
    let projects_2024 = evaluations(&app, "year=2024&kind=project").await;
    let black_water: Vec<&Value> = projects_2024
        .iter()
        .filter(|e| e["id"] == project.as_str())
        .collect();
    assert_eq!(black_water.len(), 1);
    assert_eq!(
        projects_2024.len(),
        2,
        "the seed's two project tables, once each"
    );

    // With --strict, a table that still has error findings fails the run.
    let (code, strict) = run_client(&app, folder.path(), &["--strict"]).await;
    assert_eq!(code, 1, "{strict}");
    assert!(strict.contains("失败：2024年项目自评表.csv"), "{strict}");
}
