//! Cells as printed (issue 13): blank, `——`, `/`, `无`, `99.55分`, full-width digits, `1,088.19`,
//! a missing 年初预算数, three-cell targets and `单位：元` tables, in JSON and in the CSV batch.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json, on_each_db, problem};
use crate::seed::load_seed;

/// A department table of 901424 as a county prints it: every score and weight as text, the
/// initial budget blank, a three-cell target, a graded row, a placeholder with `——` and `无`.
fn printed(year: i32) -> Value {
    json!({
        "kind": "department", "department": "901424", "year": year,
        "budget": {"initial": "", "full_year": "1,088.19", "executed": "1,088.19", "weight": "10.00",
                   "claimed_rate": "100%", "claimed_score": "10分"},
        "indicators": [
            {"level1": "成本指标", "level2": "经济成本指标", "level3": "成本控制", "target": "≤100%",
             "actual": "98%", "weight": "20.00", "claimed_score": "20分", "deviation_explanation": "无"},
            {"level1": "产出指标", "level2": "质量指标", "level3": "监测数据合格率", "target_nature": "≧",
             "target": "95", "target_unit": "%", "actual": "96", "weight": "２０", "claimed_score": "20.00"},
            {"level1": "产出指标", "level2": "数量指标", "level3": "监测站点运行", "target": "≥12个",
             "actual": "12个", "weight": "20", "claimed_score": "２０"},
            {"level1": "效益指标", "level2": "生态效益指标", "level3": "环境质量改善", "target": "有效改善",
             "actual": "达成年度指标", "weight": "20", "claimed_score": "19.50分",
             "deviation_explanation": "个别点位改善幅度较小"},
            {"level1": "效益指标", "level2": "经济效益指标", "weight": "——", "claimed_score": "无"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "群众满意度", "target": "≥90%",
             "actual": "95%", "weight": "10", "claimed_score": "10"}
        ],
        "claimed_total": "99.50分"
    })
}

/// Checks the scores, bases and findings of [`printed`] as the server computed them.
fn assert_printed_scores(e: &Value) {
    let c = &e["computed"];
    assert_eq!(c["execution"]["score"], "10.00", "{c}");
    let rows = c["rows"].as_array().unwrap();
    let expect = [
        (Some("20.00"), "measured"),
        (Some("20.00"), "measured"),
        (Some("20.00"), "measured"),
        (Some("19.50"), "graded"),
        (None, "none"),
        (Some("10.00"), "measured"),
    ];
    for (row, (score, basis)) in rows.iter().zip(expect) {
        assert_eq!(row["computed"].as_str(), score, "{row}");
        assert_eq!(row["basis"], basis, "{row}");
        assert!(
            row["basis_label_zh"]
                .as_str()
                .is_some_and(|l| !l.is_empty())
        );
    }
    assert_eq!(rows[0]["basis_label_zh"], "实测计算");
    assert_eq!(rows[3]["basis_label_zh"], "定性分档");
    assert_eq!(c["total"], "99.50");
    assert_eq!(c["claimed_total"], "99.50");
    assert_eq!(c["points"]["measured"], "80.00", "{c}");
    assert_eq!(c["points"]["graded"], "19.50");
    assert_eq!(c["points"]["claimed"], "0.00");
    for f in c["findings"].as_array().unwrap() {
        assert!(
            f["policy"].is_string() && f["policy_label_zh"].is_string(),
            "{f}"
        );
        assert_ne!(f["severity"], "error", "no error on cells as printed: {f}");
    }
    assert_eq!(c["error_count"], 0, "{c}");
}

async fn get(app: &TestApp, id: &str) -> Value {
    let (s, e) = json(
        app.get(&format!("/api/v1/evaluations/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    e
}

#[tokio::test]
async fn json_cells_as_printed_go_in_and_score() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let res = app
            .post("/api/v1/evaluations")
            .json(&printed(2025))
            .send()
            .await
            .unwrap();
        let (s, e) = json(res).await;
        assert_eq!(s, 201, "{e}");
        assert_printed_scores(&e);
        // Stored normalised: GET answers decimals (and null for what was not given), and what
        // GET answers can be sent back.
        let e = get(&app, e["id"].as_str().unwrap()).await;
        assert_printed_scores(&e);
        assert_eq!(e["budget"]["initial"], Value::Null);
        assert_eq!(e["budget"]["full_year"], "1088.19");
        assert_eq!(e["budget"]["claimed_score"], "10");
        assert!(
            e["budget"].get("amount_unit").is_none(),
            "万元 is the default"
        );
        assert_eq!(e["indicators"][1]["weight"], "20");
        assert_eq!(e["indicators"][1]["target_nature"], "≧");
        assert_eq!(e["indicators"][1]["target_unit"], "%");
        assert_eq!(e["indicators"][4]["weight"], Value::Null);
        assert_eq!(e["claimed_total"], "99.50");
        let etag = app
            .get(&format!(
                "/api/v1/evaluations/{}",
                e["id"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap();
        let etag = etag.headers()["etag"].to_str().unwrap().to_owned();
        let mut back = serde_json::Map::new();
        for k in [
            "kind",
            "department_id",
            "year",
            "budget",
            "indicators",
            "claimed_total",
            "narrative",
        ] {
            back.insert(k.replace("department_id", "department"), e[k].clone());
        }
        let res = app
            .put(&format!(
                "/api/v1/evaluations/{}",
                e["id"].as_str().unwrap()
            ))
            .header("if-match", etag)
            .json(&back)
            .send()
            .await
            .unwrap();
        let (s, again) = json(res).await;
        assert_eq!(s, 200, "{again}");
        assert_printed_scores(&again);
    })
    .await;
}

#[tokio::test]
async fn yuan_tables_convert_exactly() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let mut e = printed(2026);
        e["budget"] = json!({"amount_unit": "yuan", "initial": "387664.62", "full_year": "387,664.62",
                             "executed": "348898.16", "weight": "10", "claimed_score": "9.00分"});
        e["claimed_total"] = json!("98.50");
        let res = app.post("/api/v1/evaluations").json(&e).send().await.unwrap();
        let (s, e) = json(res).await;
        assert_eq!(s, 201, "{e}");
        // 348898.16 / 387664.62 = 89.99999…%: 10 × rate = 9.00.
        assert_eq!(e["computed"]["execution"]["score"], "9.00", "{}", e["computed"]);
        assert_eq!(e["computed"]["total"], "98.50");
        assert_eq!(e["computed"]["error_count"], 0, "{}", e["computed"]);
        let got = get(&app, e["id"].as_str().unwrap()).await;
        assert_eq!(got["budget"]["amount_unit"], "yuan");
        assert_eq!(got["budget"]["initial"], "387664.62");
        assert_eq!(got["budget"]["full_year"], "387664.62");
        // More than the 分 in a 元 table is refused.
        let mut bad = printed(2027);
        bad["budget"] = json!({"amount_unit": "yuan", "full_year": "387664.625"});
        let res = app.post("/api/v1/evaluations").json(&bad).send().await.unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["pointer"], "/budget/full_year", "{p}");
    })
    .await;
}

#[tokio::test]
async fn bad_printed_cells_are_refused_with_pointers() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        for (pointer, at, value) in [
            ("/indicators/0/weight", "/indicators/0/weight", "abc"),
            (
                "/indicators/2/claimed_score",
                "/indicators/2/claimed_score",
                "12.3.4",
            ),
            ("/budget/executed", "/budget/executed", "12.3.4"),
            ("/claimed_total", "/claimed_total", "95%"),
        ] {
            let mut e = printed(2025);
            *e.pointer_mut(at).unwrap() = json!(value);
            let res = app
                .post("/api/v1/evaluations")
                .json(&e)
                .send()
                .await
                .unwrap();
            let p = problem(res, 422, "request.validation_failed").await;
            assert_eq!(p["errors"][0]["pointer"], pointer, "{p}");
        }
        // A required amount left blank.
        let mut e = printed(2025);
        e["budget"]["full_year"] = json!("——");
        let res = app
            .post("/api/v1/evaluations")
            .json(&e)
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["pointer"], "/budget/full_year", "{p}");
    })
    .await;
}

const CSV: &str = "ref,类型,预算单位编码,年度,规则集,金额单位,年初预算数,全年预算数,全年执行数,执行分值,执行率,执行得分,自评总分,一级指标,二级指标,三级指标,指标性质,指标值,度量单位,完成值,权重,自评得分,偏差原因分析\n\
    t1,部门整体,901424,2025,hengyang-2024-department,万元,——,\"1,088.19\",\"1,088.19\",10.00,100%,10分,99.50分,成本指标,经济成本指标,成本控制,,≤100%,,98%,20.00,20分,无\n\
    t1,部门整体,901424,2025,,,,,,,,,,产出指标,质量指标,监测数据合格率,≧,95,%,96,２０,20.00,\n\
    t1,部门整体,901424,2025,,,,,,,,,,产出指标,数量指标,监测站点运行,,≥12个,,12个,20,２０,\n\
    t1,部门整体,901424,2025,,,,,,,,,,效益指标,生态效益指标,环境质量改善,,有效改善,,达成年度指标,20,19.50分,个别点位改善幅度较小\n\
    t1,部门整体,901424,2025,,,,,,,,,,效益指标,经济效益指标,,,,,,——,无,/\n\
    t1,部门整体,901424,2025,,,,,,,,,,满意度指标,服务对象满意度指标,群众满意度,,≥90%,,95%,10,10,\n\
    t2,部门整体,901424,2026,,元,387664.62,387664.62,348898.16,10,,9.00分,98.50,成本指标,经济成本指标,成本控制,,≤100%,,98%,20.00,20分,无\n\
    t2,部门整体,901424,2026,,,,,,,,,,产出指标,质量指标,监测数据合格率,≧,95,%,96,２０,20.00,\n\
    t2,部门整体,901424,2026,,,,,,,,,,产出指标,数量指标,监测站点运行,,≥12个,,12个,20,２０,\n\
    t2,部门整体,901424,2026,,,,,,,,,,效益指标,生态效益指标,环境质量改善,,有效改善,,达成年度指标,20,19.50分,个别点位改善幅度较小\n\
    t2,部门整体,901424,2026,,,,,,,,,,效益指标,经济效益指标,,,,,,——,无,/\n\
    t2,部门整体,901424,2026,,,,,,,,,,满意度指标,服务对象满意度指标,群众满意度,,≥90%,,95%,10,10,\n";

#[tokio::test]
async fn csv_cells_as_printed_go_in_and_score() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let res = app
            .post("/api/v1/evaluations/batch")
            .header("content-type", "text/csv; charset=utf-8")
            .body(CSV)
            .send()
            .await
            .unwrap();
        let (s, r) = json(res).await;
        assert_eq!(s, 200, "{r}");
        let e = get(&app, r["items"][0]["id"].as_str().unwrap()).await;
        assert_printed_scores(&e);
        assert_eq!(e["rule_set"]["id"], "hengyang-2024-department");
        assert_eq!(e["budget"]["initial"], Value::Null);
        assert_eq!(e["budget"]["weight"], "10.00");
        assert_eq!(e["indicators"][1]["target_nature"], "≧");
        assert_eq!(e["indicators"][1]["target"], "95");
        assert_eq!(e["indicators"][1]["target_unit"], "%");
        let y = get(&app, r["items"][1]["id"].as_str().unwrap()).await;
        assert_eq!(y["budget"]["amount_unit"], "yuan");
        assert_eq!(y["budget"]["initial"], "387664.62");
        assert_eq!(y["computed"]["execution"]["score"], "9.00");
        assert_eq!(y["computed"]["total"], "98.50");
        assert_eq!(y["computed"]["error_count"], 0, "{}", y["computed"]);
    })
    .await;
}

#[tokio::test]
async fn csv_bad_cells_name_the_row_and_header_as_printed() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let csv = "类型,预算单位编码,年度,一级指标,二级指标,全年预算数,权重,自评得分\n\
                   部门整体,901424,2025,产出指标,数量指标,100,abc,10\n\
                   部门整体,901424,2025,产出指标,质量指标,,10,12.3.4\n";
        let res = app
            .post("/api/v1/evaluations/batch")
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        let pointers: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["pointer"].as_str().unwrap())
            .collect();
        assert_eq!(pointers, ["/rows/2/权重", "/rows/3/自评得分"], "{p}");
    })
    .await;
}
