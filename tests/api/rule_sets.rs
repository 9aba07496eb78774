//! Rule sets of regions: vocabulary and finding policies through the API, defaults per
//! region, year and kind, the national template for tables that name no rule set, and the
//! national scope.

use serde_json::{Value, json};

use crate::evaluations::{act, corrected_black_water};
use crate::helpers::{TestApp, json, on_each_db, problem};
use crate::seed::load_seed;

async fn ok(req: reqwest::RequestBuilder, want: u16) -> Value {
    let (s, v) = json(req.send().await.unwrap()).await;
    assert_eq!(s, want, "{v}");
    v
}

fn codes(e: &Value) -> Vec<(String, String, String)> {
    e["computed"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["pointer"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pointers(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_owned())
        .collect()
}

/// Version 2 of `hengyang-2024-project` as an admin writes it (not yet added): version 1 with
/// the wording 圆满收官 (achieved) and unmeasured actuals blocking submission.
async fn hengyang_v2(app: &TestApp) -> Value {
    let v1 = ok(app.get("/api/v1/rule-sets/hengyang-2024-project@1"), 200).await;
    assert_eq!(v1["region"], "430400");
    assert_eq!(v1["weight_source"], "fixed");
    assert!(v1["vocabulary"].as_array().unwrap().len() > 10);
    assert_eq!(v1["policies"], json!([]));
    // An admin extends the vocabulary and blocks unmeasured actuals: a new version.
    let mut v2 = v1.clone();
    v2["version"] = json!(2);
    v2["vocabulary"]
        .as_array_mut()
        .unwrap()
        .push(json!({"text": "圆满收官", "grade": "achieved"}));
    v2["policies"] = json!([{"code": "actual.not_measured", "policy": "block"}]);
    v2
}

#[tokio::test]
async fn a_new_version_with_bad_parameters_is_refused_at_each_pointer() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let v2 = hengyang_v2(&app).await;
        // Invalid parameters, each with its pointer.
        let mut bad = v2.clone();
        bad["policies"] = json!([
            {"code": "actual.not_measured", "policy": "block"},
            {"code": "actual.no_such_thing", "policy": "review"},
            {"code": "actual.not_measured", "policy": "inform"}
        ]);
        bad["vocabulary"]
            .as_array_mut()
            .unwrap()
            .push(json!({"text": "圆满收官", "grade": "partly"}));
        let p = problem(
            app.post("/api/v1/rule-sets")
                .json(&bad)
                .send()
                .await
                .unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        let n = bad["vocabulary"].as_array().unwrap().len() - 1;
        assert_eq!(
            pointers(&p),
            [
                format!("/vocabulary/{n}/text"),
                "/policies/1/code".into(),
                "/policies/2/code".into()
            ],
            "{p}"
        );
        let mut bad = v2.clone();
        bad["policies"] = json!([{"code": "actual.not_measured", "policy": "forbid"}]);
        let p = problem(
            app.post("/api/v1/rule-sets")
                .json(&bad)
                .send()
                .await
                .unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(pointers(&p), ["/policies/0/policy"], "{p}");
        let mut bad = v2.clone();
        bad["vocabulary"][0]["grade"] = json!("excellent");
        let p = problem(
            app.post("/api/v1/rule-sets")
                .json(&bad)
                .send()
                .await
                .unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(pointers(&p), ["/vocabulary/0/grade"], "{p}");
        // Another region for a version of the same id.
        let mut bad = v2.clone();
        bad["region"] = json!("430000");
        let p = problem(
            app.post("/api/v1/rule-sets")
                .json(&bad)
                .send()
                .await
                .unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(pointers(&p), ["/region"], "{p}");
        // A county admin places rule sets inside its county only.
        let county_admin = app.as_(Some(app.token("admin", "430424")));
        let p = problem(
            county_admin
                .post("/api/v1/rule-sets")
                .json(&v2)
                .send()
                .await
                .unwrap(),
            403,
            "auth.out_of_scope",
        )
        .await;
        assert_eq!(pointers(&p), ["/region"]);
    })
    .await;
}

#[tokio::test]
async fn a_new_version_is_added_once_and_never_changes() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let v2 = hengyang_v2(&app).await;
        let created = ok(app.post("/api/v1/rule-sets").json(&v2), 201).await;
        assert_eq!(created["policies"], v2["policies"]);
        let read = ok(app.get("/api/v1/rule-sets/hengyang-2024-project"), 200).await;
        assert_eq!(read["version"], 2);
        assert_eq!(read["vocabulary"], v2["vocabulary"]);
        // Versions never change.
        problem(
            app.post("/api/v1/rule-sets")
                .json(&v2)
                .send()
                .await
                .unwrap(),
            409,
            "rule_set.version_exists",
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn evaluations_use_the_vocabulary_and_policies_of_the_version_they_name() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let v2 = hengyang_v2(&app).await;
        ok(app.post("/api/v1/rule-sets").json(&v2), 201).await;
        // The corrected 附件5 #2 with a new wording and an unmeasured actual.
        let submitter = app.as_(Some(app.token("submitter", "430424")));
        let mut table = corrected_black_water(&loaded.project_ids[1].1);
        table["indicators"][4]["actual"] = json!("圆满收官");
        table["indicators"][1]["actual"] = json!("已达标");
        let dry = |rule_set: &str| {
            let mut body = table.clone();
            body["rule_set"] = json!(rule_set);
            let submitter = submitter.clone();
            async move {
                ok(
                    submitter.post("/api/v1/evaluations/validate").json(&body),
                    200,
                )
                .await
            }
        };
        let old = dry("hengyang-2024-project@1").await;
        let found = codes(&old);
        assert!(
            found.contains(&(
                "actual.grade_unknown".into(),
                "/indicators/4/actual".into(),
                "warning".into()
            )),
            "{found:?}"
        );
        assert!(
            found.contains(&(
                "actual.not_measured".into(),
                "/indicators/1/actual".into(),
                "warning".into()
            )),
            "{found:?}"
        );
        assert_eq!(old["submittable"], true, "{found:?}");
        let new = dry("hengyang-2024-project@2").await;
        let found = codes(&new);
        assert_eq!(new["computed"]["rule_set_version"], 2);
        // Named without a version, the id means its latest: the added version, not the
        // built-in one.
        let latest = dry("hengyang-2024-project").await;
        assert_eq!(latest["computed"]["rule_set_version"], 2, "{latest}");
        // With two added versions, the id means the higher one; each stays reachable by its
        // number.
        let mut v3 = v2.clone();
        v3["version"] = json!(3);
        ok(app.post("/api/v1/rule-sets").json(&v3), 201).await;
        let latest = dry("hengyang-2024-project").await;
        assert_eq!(latest["computed"]["rule_set_version"], 3, "{latest}");
        let second = dry("hengyang-2024-project@2").await;
        assert_eq!(second["computed"]["rule_set_version"], 2, "{second}");
        assert!(
            !found.iter().any(|f| f.0 == "actual.grade_unknown"),
            "the added wording is known: {found:?}"
        );
        assert_eq!(new["computed"]["rows"][4]["achieved"], true);
        assert_eq!(new["computed"]["rows"][4]["computed"], "10.00");
        assert!(
            found.contains(&(
                "actual.not_measured".into(),
                "/indicators/1/actual".into(),
                "error".into()
            )),
            "{found:?}"
        );
        assert_eq!(new["submittable"], false);
        // Written and submitted: refused under version 2, accepted under version 1.
        let id = &loaded.evaluation_ids[2];
        let mut body = table.clone();
        body["rule_set"] = json!("hengyang-2024-project@2");
        ok(
            submitter
                .put(&format!("/api/v1/evaluations/{id}"))
                .header("If-Match", "\"1\"")
                .json(&body),
            200,
        )
        .await;
        let res = submitter
            .post(&format!("/api/v1/evaluations/{id}/submit"))
            .send()
            .await
            .unwrap();
        let p = problem(res, 409, "evaluation.not_submittable").await;
        assert_eq!(p["blocking_findings"][0]["code"], "actual.not_measured");
        body["rule_set"] = json!("hengyang-2024-project@1");
        ok(
            submitter
                .put(&format!("/api/v1/evaluations/{id}"))
                .header("If-Match", "\"2\"")
                .json(&body),
            200,
        )
        .await;
        let (s, e) = act(&submitter, id, "submit", None).await;
        assert_eq!((s, &e["status"]), (200, &json!("submitted")), "{e}");
    })
    .await;
}

/// A Hubei county department table: execution is worth 20 (分值 20) and the level-1 cells
/// print their points.
fn hubei_table(year: i32, rule_set: Option<&str>) -> Value {
    let row = |l1: &str, l2: &str, l3: &str, t: &str, a: &str, w: &str| json!({"level1": l1, "level2": l2, "level3": l3, "target": t, "actual": a, "weight": w, "claimed_score": w});
    let mut body = json!({
        "kind": "department", "department": "942624001", "year": year,
        "budget": {"initial": "300", "full_year": "320", "executed": "320", "weight": "20",
                   "claimed_rate": "100%", "claimed_score": "20"},
        "annual_goal": "保障部门正常运转", "achievement": "已完成",
        "indicators": [
            row("产出指标（60分）", "数量指标", "保障在职人数", "≥45人", "46人", "30"),
            row("产出指标（60分）", "质量指标", "资金支付合规率", "100%", "100%", "30"),
            row("效益指标（10分）", "社会效益指标", "公共服务水平", "有效提升", "达成年度指标", "10"),
            row("满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥90%", "95%", "10"),
        ],
        "claimed_total": "100"
    });
    if let Some(r) = rule_set {
        body["rule_set"] = json!(r);
    }
    body
}

async fn hubei(app: &TestApp) -> TestApp {
    let national = app.as_(Some(app.token("admin", "000000")));
    for (code, name) in [
        ("420000", "湖北省"),
        ("420600", "襄阳市"),
        ("420624", "南漳县"),
    ] {
        ok(
            national
                .post("/api/v1/regions")
                .json(&json!({"code": code, "name": name})),
            201,
        )
        .await;
    }
    ok(
        national.post("/api/v1/departments").json(&json!({
            "budget_code": "942624001", "name": "南漳县财政局", "region": "420624",
            "kind": "administrative"
        })),
        201,
    )
    .await;
    national
}

/// The Hubei county's submitter of these tests.
fn hubei_submitter(app: &TestApp) -> TestApp {
    app.as_(Some(app.token("submitter", "420624")))
}

/// The all-years default of Hubei's department tables.
const HUBEI_DEFAULT: &str = "/api/v1/rule-set-defaults/420000/department";

/// A Hubei admin adds the province's rule set (`hubei-2023-department`, national-2021's
/// parameters with execution worth 20); returns the admin.
async fn hubei_rule_set(app: &TestApp) -> TestApp {
    let hubei_admin = app.as_(Some(app.token("admin", "420000")));
    let mut rules = ok(app.get("/api/v1/rule-sets/national-2021"), 200).await;
    rules["id"] = json!("hubei-2023-department");
    rules["name_zh"] = json!("湖北省部门整体支出绩效自评（2023）");
    rules["execution_weight"] = json!("20");
    rules.as_object_mut().unwrap().remove("region");
    let created = ok(hubei_admin.post("/api/v1/rule-sets").json(&rules), 201).await;
    assert_eq!(
        created["region"], "420000",
        "the caller's region by default"
    );
    hubei_admin
}

/// [`hubei_rule_set`], made the province's default (version 1); returns the admin.
async fn hubei_default(app: &TestApp) -> TestApp {
    let hubei_admin = hubei_rule_set(app).await;
    ok(
        hubei_admin
            .put(HUBEI_DEFAULT)
            .json(&json!({"rule_set": "hubei-2023-department"})),
        201,
    )
    .await;
    hubei_admin
}

#[tokio::test]
async fn without_a_default_a_table_gets_the_national_template_and_no_other_provinces() {
    on_each_db(|app| async move {
        hubei(&app).await;
        let submitter = hubei_submitter(&app);
        // No default anywhere: national-2021 with the table's weights.
        let e = ok(
            submitter
                .post("/api/v1/evaluations")
                .json(&hubei_table(2024, None)),
            201,
        )
        .await;
        let c = &e["computed"];
        assert_eq!(c["rule_set_id"], "national-2021");
        assert_eq!(c["rule_set_version"], 1);
        assert_eq!(c["execution"]["weight"], "20.00");
        assert_eq!(c["execution"]["score"], "20.00");
        assert_eq!(c["total"], "100.00");
        let found = codes(&e);
        assert!(
            !found.iter().any(|f| f.0.contains("weight")),
            "no weight mismatch: {found:?}"
        );
        assert_eq!(c["error_count"], 0, "{found:?}");
        // A Hunan rule set does not apply in Hubei.
        let p = problem(
            submitter
                .post("/api/v1/evaluations/validate")
                .json(&hubei_table(2023, Some("hengyang-2024-department")))
                .send()
                .await
                .unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(pointers(&p), ["/rule_set"], "{p}");
    })
    .await;
}

#[tokio::test]
async fn only_the_provinces_admin_sets_its_default_to_a_rule_set_of_its_region() {
    on_each_db(|app| async move {
        hubei(&app).await;
        let hubei_admin = hubei_rule_set(&app).await;
        let path = HUBEI_DEFAULT;
        // A Hunan admin neither sees nor sets Hubei's defaults.
        let hunan_admin = app.clone();
        problem(
            hunan_admin
                .put(path)
                .json(&json!({"rule_set": "hubei-2023-department"}))
                .send()
                .await
                .unwrap(),
            404,
            "rule_set_default.not_found",
        )
        .await;
        // The rule set must apply to the region.
        let p = problem(
            hubei_admin
                .put(path)
                .json(&json!({"rule_set": "hengyang-2024-department"}))
                .send()
                .await
                .unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(pointers(&p), ["/rule_set"]);
        let res = hubei_admin
            .put(path)
            .json(&json!({"rule_set": "hubei-2023-department"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers().get("location").and_then(|v| v.to_str().ok()),
            Some(path)
        );
        let (s, d) = json(res).await;
        assert_eq!(s, 201, "{d}");
        assert_eq!(
            (
                d["region"].as_str(),
                d["year"].is_null(),
                d["version"].as_i64()
            ),
            (Some("420000"), true, Some(1))
        );
        assert_eq!(
            d["rule_set"],
            json!({"id": "hubei-2023-department", "version": null})
        );
    })
    .await;
}

#[tokio::test]
async fn a_default_is_replaced_with_if_match_and_the_countys_next_table_gets_it() {
    on_each_db(|app| async move {
        hubei(&app).await;
        let submitter = hubei_submitter(&app);
        let hubei_admin = hubei_default(&app).await;
        let path = HUBEI_DEFAULT;
        // Replacing needs If-Match.
        problem(
            hubei_admin
                .put(path)
                .json(&json!({"rule_set": "national-2021"}))
                .send()
                .await
                .unwrap(),
            428,
            "request.precondition_required",
        )
        .await;
        problem(
            hubei_admin
                .put(path)
                .header("If-Match", "\"7\"")
                .json(&json!({"rule_set": "national-2021"}))
                .send()
                .await
                .unwrap(),
            412,
            "request.precondition_failed",
        )
        .await;
        let got = ok(hubei_admin.get(path), 200).await;
        let replaced = ok(
            hubei_admin.put(path).header("If-Match", "\"1\"").json(
                &json!({"rule_set": {"id": "hubei-2023-department", "version": 1},
                              "region": got["region"], "kind": got["kind"]}),
            ),
            200,
        )
        .await;
        assert_eq!(replaced["version"], 2);
        // The county's next table gets the province's default.
        let e = ok(
            submitter
                .post("/api/v1/evaluations")
                .json(&hubei_table(2023, None)),
            201,
        )
        .await;
        assert_eq!(e["computed"]["rule_set_id"], "hubei-2023-department");
        assert_eq!(
            e["rule_set"],
            json!({"id": "hubei-2023-department", "version": 1})
        );
    })
    .await;
}

#[tokio::test]
async fn a_county_year_default_wins_over_the_province_until_deleted() {
    on_each_db(|app| async move {
        let national = hubei(&app).await;
        let submitter = hubei_submitter(&app);
        hubei_default(&app).await;
        let path = HUBEI_DEFAULT;
        // A year's default at the county wins over the province's all-years default.
        let county_admin = app.as_(Some(app.token("admin", "420624")));
        ok(
            county_admin
                .put("/api/v1/rule-set-defaults/420624/department?year=2022")
                .json(&json!({"rule_set": "national-2021"})),
            201,
        )
        .await;
        let e = ok(
            submitter
                .post("/api/v1/evaluations/validate")
                .json(&hubei_table(2022, None)),
            200,
        )
        .await;
        assert_eq!(e["computed"]["rule_set_id"], "national-2021");
        // …and a county admin cannot change the province's.
        problem(
            county_admin
                .put(path)
                .header("If-Match", "\"1\"")
                .json(&json!({"rule_set": "national-2021"}))
                .send()
                .await
                .unwrap(),
            403,
            "auth.out_of_scope",
        )
        .await;
        // Deleted: back to the national template.
        ok(
            county_admin.delete("/api/v1/rule-set-defaults/420624/department?year=2022"),
            204,
        )
        .await;
        problem(
            county_admin
                .get("/api/v1/rule-set-defaults/420624/department?year=2022")
                .send()
                .await
                .unwrap(),
            404,
            "rule_set_default.not_found",
        )
        .await;
        let list = ok(national.get("/api/v1/rule-set-defaults"), 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    })
    .await;
}

#[tokio::test]
async fn other_provinces_see_neither_the_rule_set_nor_the_default() {
    on_each_db(|app| async move {
        hubei(&app).await;
        let submitter = hubei_submitter(&app);
        hubei_default(&app).await;
        let path = HUBEI_DEFAULT;
        // A county admin of 衡东 does not see Hubei's rule set or default.
        let hengdong = app.as_(Some(app.token("admin", "430424")));
        problem(
            hengdong
                .get("/api/v1/rule-sets/hubei-2023-department")
                .send()
                .await
                .unwrap(),
            404,
            "rule_set.not_found",
        )
        .await;
        let ids: Vec<String> = ok(hengdong.get("/api/v1/rule-sets"), 200)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(ids.contains(&"hengyang-2024-project".to_owned()), "{ids:?}");
        assert!(ids.contains(&"national-2021".to_owned()));
        assert!(
            !ids.contains(&"hubei-2023-department".to_owned()),
            "{ids:?}"
        );
        assert_eq!(
            ok(hengdong.get("/api/v1/rule-set-defaults"), 200).await["items"],
            json!([])
        );
        problem(
            hengdong.get(path).send().await.unwrap(),
            404,
            "rule_set_default.not_found",
        )
        .await;
        // The Hubei county sees its province's rule set and the national ones, not Hengyang's.
        let ids: Vec<String> = ok(submitter.get("/api/v1/rule-sets"), 200)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(ids.contains(&"hubei-2023-department".to_owned()), "{ids:?}");
        assert!(!ids.iter().any(|i| i.starts_with("hengyang")), "{ids:?}");
    })
    .await;
}

#[tokio::test]
async fn a_national_viewer_sees_the_evaluations_of_every_province() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        hubei(&app).await;
        // One submitted evaluation in Hunan, one in Hubei (viewers never see drafts).
        let hunan = app.as_(Some(app.token("submitter", "430424")));
        let id = &loaded.evaluation_ids[2];
        ok(
            hunan
                .put(&format!("/api/v1/evaluations/{id}"))
                .header("If-Match", "\"1\"")
                .json(&corrected_black_water(&loaded.project_ids[1].1)),
            200,
        )
        .await;
        assert_eq!(act(&hunan, id, "submit", None).await.0, 200);
        let hubei_submitter = app.as_(Some(app.token("submitter", "420624")));
        let e = ok(
            hubei_submitter
                .post("/api/v1/evaluations")
                .json(&hubei_table(2024, None)),
            201,
        )
        .await;
        let hubei_id = e["id"].as_str().unwrap().to_owned();
        assert_eq!(
            act(&hubei_submitter, &hubei_id, "submit", None).await.0,
            200
        );

        let viewer = app.as_(Some(app.token("viewer", "000000")));
        for path in [
            "/api/v1/evaluations?page_size=100",
            "/api/v1/evaluations?page_size=100&region=000000",
        ] {
            let list = ok(viewer.get(path), 200).await;
            let mut regions: Vec<&str> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["region"].as_str().unwrap())
                .collect();
            regions.sort();
            assert_eq!(regions, ["420624", "430424"], "{path}");
        }
        ok(viewer.get(&format!("/api/v1/evaluations/{hubei_id}")), 200).await;
        ok(viewer.get(&format!("/api/v1/evaluations/{id}")), 200).await;
        // A province viewer sees its own province only.
        let hunan_viewer = app.as_(Some(app.token("viewer", "430000")));
        let list = ok(hunan_viewer.get("/api/v1/evaluations"), 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        problem(
            hunan_viewer
                .get(&format!("/api/v1/evaluations/{hubei_id}"))
                .send()
                .await
                .unwrap(),
            404,
            "evaluation.not_found",
        )
        .await;
    })
    .await;
}
