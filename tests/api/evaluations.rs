//! Evaluations: the seed's three tables through the API, submission, the whole workflow with
//! its history, the dry run, indicator rows, rule sets and the report page.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json, on_each_db, problem};
use crate::seed::load_seed;

fn pairs(findings: &Value) -> Vec<(String, String)> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["pointer"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn engine_pairs(
    input: jixiao::domain::evaluation::EvaluationInput,
    rules: &str,
) -> Vec<(String, String)> {
    let rules = jixiao::domain::rules::rule_set_by_id(rules).unwrap();
    jixiao::domain::scoring::evaluate(&input, &rules)
        .findings
        .into_iter()
        .map(|f| (f.code, f.pointer))
        .collect()
}

async fn get(app: &TestApp, path: &str) -> Value {
    let (s, v) = json(app.get(path).send().await.unwrap()).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

#[tokio::test]
async fn seed_evaluations_are_scored_and_flagged() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        use jixiao::domain::seed;
        let cases = [
            (
                seed::department_evaluation(),
                "hengyang-2024-department",
                "90.00",
                Some("100"),
            ),
            (
                seed::monitoring_project_evaluation(),
                "hengyang-2024-project",
                "95.00",
                Some("100"),
            ),
            (
                seed::black_water_project_evaluation(),
                "hengyang-2024-project",
                "100.00",
                Some("100"),
            ),
        ];
        for (id, (input, rules, total, claimed)) in loaded.evaluation_ids.iter().zip(cases) {
            let e = get(&app, &format!("/api/v1/evaluations/{id}")).await;
            assert_eq!(e["status"], "draft");
            assert_eq!(e["version"], 1);
            let c = &e["computed"];
            assert_eq!(c["total"].as_str(), Some(total), "{id}");
            assert_eq!(c["claimed_total"].as_str(), claimed);
            // The seed claims full marks; what cannot be verified keeps its claim for the
            // reviewer, on basis `claimed` (see the domain tests for the split by basis).
            assert_eq!(c["grade"], "excellent");
            assert_eq!(c["grade_label_zh"], "优");
            assert_eq!(c["rule_set_id"], rules);
            assert_eq!(
                c["execution"]["score"]
                    .as_str()
                    .map(|s| s.starts_with("10")),
                Some(true)
            );
            // The API reports exactly what the engine finds in the transcribed table.
            assert_eq!(pairs(&c["findings"]), engine_pairs(input, rules), "{id}");
            assert!(c["error_count"].as_u64().unwrap() > 0);
            // Errors remain: submitting would fail, so it is not offered, and it says why.
            assert_eq!(e["allowed_actions"], json!(["update", "delete"]));
            assert_eq!(e["blocked_actions"][0]["action"], "submit");
            assert_eq!(
                e["blocked_actions"][0]["code"],
                "evaluation.not_submittable"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn the_seed_reports_own_mistakes_are_found() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        // The report's own mistakes, spot-checked: the date in the year 204 and the 20-point
        // satisfaction row of 附件4.
        let dept = get(
            &app,
            &format!("/api/v1/evaluations/{}", loaded.evaluation_ids[0]),
        )
        .await;
        let p = pairs(&dept["computed"]["findings"]);
        assert!(p.contains(&("actual.invalid_date".into(), "/indicators/9/actual".into())));
        assert!(p.contains(&(
            "indicator.weight_sum_mismatch".into(),
            "/indicators/14/level1".into()
        )));
        assert!(p.contains(&("actual.not_measured".into(), "/indicators/14/actual".into())));
        let row9 = &dept["computed"]["rows"][9];
        assert!(row9["computed"].is_null() && row9["claimed"] == "10");
        // 附件5 #1 claims 100; the rules give 95 (the date in the year 204 scores nothing).
        let monitoring = get(
            &app,
            &format!("/api/v1/evaluations/{}", loaded.evaluation_ids[1]),
        )
        .await;
        assert_eq!(monitoring["computed"]["total_difference"], "5.00");
    })
    .await;
}

#[tokio::test]
async fn indicator_results_are_queried_across_evaluations() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        // Indicator results across evaluations.
        let rows = get(&app, "/api/v1/indicator-results?q=PM2.5").await;
        assert_eq!(rows["items"].as_array().unwrap().len(), 1);
        assert_eq!(rows["items"][0]["target"], "31");
        assert_eq!(rows["items"][0]["actual"], "已达标");
        let output = get(
            &app,
            "/api/v1/indicator-results?level1=产出指标&year=2024&region=4304&page_size=100",
        )
        .await;
        assert_eq!(output["items"].as_array().unwrap().len(), 7 + 3 + 3);
        // The level-1 name as printed, and its code in the rule sets' vocabulary; each row's
        // department is its evaluation's (the rows do not keep their own).
        let summaries = get(&app, "/api/v1/evaluations?page_size=100").await;
        let department_of: std::collections::HashMap<&str, &serde_json::Value> = summaries["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["id"].as_str().unwrap(), &e["department_id"]))
            .collect();
        for row in output["items"].as_array().unwrap() {
            assert_eq!(row["level1_code"], "output", "{row}");
            let evaluation = row["evaluation_id"].as_str().unwrap();
            assert!(row["department_id"].is_string(), "{row}");
            assert_eq!(&row["department_id"], department_of[evaluation], "{row}");
        }
        let achieved = get(
            &app,
            "/api/v1/indicator-results?achieved=true&page_size=100",
        )
        .await;
        assert!(
            achieved["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["achieved"] == true)
        );
        let none = get(&app, "/api/v1/indicator-results?region=430426").await;
        assert_eq!(none["items"], json!([]));
    })
    .await;
}

/// 附件5 #2 (农村黑臭水体) as it should have been filled in.
pub fn corrected_black_water(project_id: &str) -> Value {
    let row = |l1: &str, l2: &str, l3: &str, t: &str, a: &str, w: &str, c: &str| json!({"level1": l1, "level2": l2, "level3": l3, "target": t, "actual": a, "weight": w, "claimed_score": c});
    json!({
        "kind": "project", "department": "901424", "project": project_id, "year": 2024,
        "rule_set": "hengyang-2024-project",
        "budget": {"initial": "0", "full_year": "19.87", "executed": "19.87", "weight": "10", "claimed_rate": "100%", "claimed_score": "10"},
        "annual_goal": "清理黑臭水体，改善当地生态环境", "achievement": "已完成年度总体目标",
        "indicators": [
            row("产出指标", "数量指标", "治理水体数量", "1个", "1个", "10", "10"),
            row("产出指标", "质量指标", "水质达标率", "100%", "100%", "5", "5"),
            row("产出指标", "时效指标", "治理时效性", "1年", "1年", "5", "5"),
            row("效益指标", "社会效益指标", "污染投诉案件减少率", "≥90%", "92%", "10", "10"),
            row("效益指标", "经济效益指标", "周边环境质量提升", "有效提升", "达成年度指标", "10", "10"),
            row("效益指标", "生态效益指标", "生态恢复周期缩短", "1年", "1年", "10", "10"),
            json!({"level1": "效益指标", "level2": "可持续影响指标", "level3": "长效机制", "target": "建立防止黑臭反弹的长效机制",
                   "actual": "达成年度指标", "weight": "10", "claimed_score": "9",
                   "deviation_explanation": "长效管护制度已建立，考核细则尚待印发"}),
            row("成本指标", "经济成本指标", "成本控制率", "≤100%", "100%", "20", "20"),
            row("满意度指标", "服务对象满意度指标", "周边居民满意度", "≥90%", "95%", "10", "10"),
        ],
        "claimed_total": "99"
    })
}

pub async fn act(app: &TestApp, id: &str, action: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = app.post(&format!("/api/v1/evaluations/{id}/{action}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    json(req.send().await.unwrap()).await
}

#[tokio::test]
async fn submission_is_refused_while_errors_remain_and_allowed_once_corrected() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let id = &loaded.evaluation_ids[2];
        let submitter = app.as_(Some(app.token("submitter", "430424")));
        let res = submitter
            .post(&format!("/api/v1/evaluations/{id}/submit"))
            .send()
            .await
            .unwrap();
        let p = problem(res, 409, "evaluation.not_submittable").await;
        assert_eq!(p["current_state"], "draft");
        let blocking = p["blocking_findings"].as_array().unwrap();
        // The two weight groups that do not add up block; the unverifiable rows go to review.
        assert!(blocking.len() >= 2, "{p}");
        assert!(blocking.iter().all(|f| f["severity"] == "error"));
        // The dry run of the corrected table: submittable, and nothing written.
        let fixed = corrected_black_water(&loaded.project_ids[1].1);
        let (s, dry) = json(
            submitter
                .post("/api/v1/evaluations/validate")
                .json(&fixed)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{dry}");
        assert_eq!(dry["submittable"], true, "{}", dry["computed"]["findings"]);
        assert_eq!(dry["computed"]["total"], "99.00");
        assert_eq!(dry["computed"]["grade"], "excellent");
        let unchanged = get(&app, &format!("/api/v1/evaluations/{id}")).await;
        assert_eq!(unchanged["version"], 1);
        // Correct it, then submit.
        let res = submitter
            .put(&format!("/api/v1/evaluations/{id}"))
            .header("If-Match", "\"1\"")
            .json(&fixed)
            .send()
            .await
            .unwrap();
        let (s, e) = json(res).await;
        assert_eq!(s, 200, "{e}");
        assert_eq!(
            (e["version"].as_i64(), e["computed"]["error_count"].as_u64()),
            (Some(2), Some(0))
        );
        let (s, e) = act(&submitter, id, "submit", None).await;
        assert_eq!(s, 200, "{e}");
        assert_eq!(e["status"], "submitted");
        assert_eq!(e["submitted_by"], "submitter@430424");
        assert_eq!(e["allowed_actions"], json!(["withdraw"]));
    })
    .await;
}

/// The seed's third evaluation (a draft of 衡东), the county's submitter, 衡阳's reviewer and
/// viewer, and the corrected table a submitter puts over it.
struct Flow {
    id: String,
    path: String,
    submitter: TestApp,
    reviewer: TestApp,
    viewer: TestApp,
    fixed: Value,
}

async fn flow(app: &TestApp) -> Flow {
    let loaded = load_seed(app).await;
    let id = loaded.evaluation_ids[2].clone();
    Flow {
        path: format!("/api/v1/evaluations/{id}"),
        id,
        submitter: app.as_(Some(app.token("submitter", "430424"))),
        reviewer: app.as_(Some(app.token("reviewer", "430400"))),
        viewer: app.as_(Some(app.token("viewer", "430400"))),
        fixed: corrected_black_water(&loaded.project_ids[1].1),
    }
}

impl Flow {
    /// The evaluation's id and path, the submitter, reviewer and viewer, the corrected table.
    fn parts(&self) -> (&str, &str, &TestApp, &TestApp, &TestApp, &Value) {
        let f = self;
        (
            &f.id,
            &f.path,
            &f.submitter,
            &f.reviewer,
            &f.viewer,
            &f.fixed,
        )
    }

    /// `action` by `who` is refused as illegal in `state`.
    async fn illegal(&self, who: &TestApp, action: &str, state: &str) {
        let body = (action == "return").then(|| json!({"reason": "x"}));
        let (s, p) = act(who, &self.id, action, body).await;
        assert_eq!(
            (s, p["code"].as_str(), p["current_state"].as_str()),
            (409, Some("evaluation.illegal_transition"), Some(state)),
            "{action} from {state}: {p}"
        );
    }

    /// The submitter puts `body` at `version`.
    async fn put(&self, version: i64, body: &Value) {
        let res = self
            .submitter
            .put(&self.path)
            .header("If-Match", format!("\"{version}\""))
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    /// `action` by `who` succeeds; the evaluation after it.
    async fn legal(&self, who: &TestApp, action: &str, body: Option<Value>) -> Value {
        let (s, e) = act(who, &self.id, action, body).await;
        assert_eq!(s, 200, "{action}: {e}");
        e
    }

    /// The corrected table put over the draft, and submitted.
    async fn fixed_and_submitted(&self) {
        self.put(1, &self.fixed).await;
        self.legal(&self.submitter, "submit", None).await;
    }
}

#[tokio::test]
async fn a_draft_only_submits_is_hidden_from_viewers_and_closed_to_reviewers() {
    on_each_db(|app| async move {
        let f = flow(&app).await;
        let (_, path, submitter, reviewer, viewer, fixed) = f.parts();
        // draft: only submit is legal.
        f.illegal(submitter, "withdraw", "draft").await;
        f.illegal(reviewer, "return", "draft").await;
        f.illegal(reviewer, "approve", "draft").await;
        // Viewers never see drafts; reviewers read but do not edit.
        problem(
            viewer.get(path).send().await.unwrap(),
            404,
            "evaluation.not_found",
        )
        .await;
        let (_, list) = json(viewer.get("/api/v1/evaluations").send().await.unwrap()).await;
        assert_eq!(list["items"], json!([]));
        problem(
            reviewer
                .put(path)
                .header("If-Match", "\"1\"")
                .json(fixed)
                .send()
                .await
                .unwrap(),
            403,
            "auth.forbidden",
        )
        .await;
        let e = get(reviewer, path).await;
        assert_eq!(e["allowed_actions"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn a_submitted_evaluation_is_read_only_until_withdrawn() {
    on_each_db(|app| async move {
        let f = flow(&app).await;
        let (id, path, submitter, reviewer, viewer, fixed) = f.parts();
        f.fixed_and_submitted().await;
        // submitted: read-only; submit again is illegal; submitters cannot approve.
        let p = problem(
            submitter
                .put(path)
                .header("If-Match", "\"3\"")
                .json(fixed)
                .send()
                .await
                .unwrap(),
            409,
            "evaluation.read_only",
        )
        .await;
        assert_eq!(p["current_state"], "submitted");
        problem(
            submitter.delete(path).send().await.unwrap(),
            409,
            "evaluation.read_only",
        )
        .await;
        f.illegal(submitter, "submit", "submitted").await;
        problem(
            submitter
                .post(&format!("{path}/approve"))
                .send()
                .await
                .unwrap(),
            403,
            "auth.forbidden",
        )
        .await;
        let e = get(viewer, path).await;
        assert_eq!(
            e["status"], "submitted",
            "viewers see submitted evaluations"
        );
        assert_eq!(
            get(reviewer, path).await["allowed_actions"],
            json!(["return", "approve"])
        );

        let (s, e) = act(submitter, id, "withdraw", None).await;
        assert_eq!((s, e["status"].as_str()), (200, Some("draft")));
    })
    .await;
}

#[tokio::test]
async fn a_return_needs_a_reason_and_reopens_the_evaluation_until_approved() {
    on_each_db(|app| async move {
        let f = flow(&app).await;
        let (id, path, submitter, reviewer, _, fixed) = f.parts();
        f.fixed_and_submitted().await;
        let res = reviewer
            .post(&format!("{path}/return"))
            .json(&json!({"reason": "  "}))
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["pointer"], "/reason");
        let (s, e) = act(
            reviewer,
            id,
            "return",
            Some(json!({"reason": "请补充长效机制的佐证材料"})),
        )
        .await;
        assert_eq!((s, e["status"].as_str()), (200, Some("returned")));
        f.illegal(reviewer, "approve", "returned").await;
        f.illegal(submitter, "withdraw", "returned").await;
        // returned: editable again.
        let mut edited = fixed.clone();
        edited["indicators"][6]["deviation_explanation"] = json!("已补充长效机制文件");
        let version = e["version"].as_i64().unwrap();
        let res = submitter
            .put(path)
            .header("If-Match", format!("\"{version}\""))
            .json(&edited)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let (s, _) = act(submitter, id, "submit", None).await;
        assert_eq!(s, 200);
        let (s, e) = act(reviewer, id, "approve", None).await;
        assert_eq!((s, e["status"].as_str()), (200, Some("approved")), "{e}");
        assert_eq!(e["allowed_actions"], json!([]));
        // approved: nothing more.
        for (who, action) in [
            (submitter, "submit"),
            (submitter, "withdraw"),
            (reviewer, "return"),
            (reviewer, "approve"),
        ] {
            f.illegal(who, action, "approved").await;
        }
        let version = e["version"].as_i64().unwrap();
        problem(
            submitter
                .put(path)
                .header("If-Match", format!("\"{version}\""))
                .json(&edited)
                .send()
                .await
                .unwrap(),
            409,
            "evaluation.read_only",
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn the_history_records_every_version_and_state_change() {
    on_each_db(|app| async move {
        let f = flow(&app).await;
        let path = &f.path;
        f.fixed_and_submitted().await;
        f.legal(&f.submitter, "withdraw", None).await;
        f.legal(&f.submitter, "submit", None).await;
        let reason = json!({"reason": "请补充长效机制的佐证材料"});
        let e = f.legal(&f.reviewer, "return", Some(reason)).await;
        let mut edited = f.fixed.clone();
        edited["indicators"][6]["deviation_explanation"] = json!("已补充长效机制文件");
        f.put(e["version"].as_i64().unwrap(), &edited).await;
        f.legal(&f.submitter, "submit", None).await;
        f.legal(&f.reviewer, "approve", None).await;

        // The history: every version and state change, who, when, what.
        let (s, h) = json(app.get(&format!("{path}/history")).send().await.unwrap()).await;
        assert_eq!(s, 200);
        let actions: Vec<&str> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "created",
                "updated",
                "submitted",
                "withdrawn",
                "submitted",
                "returned",
                "updated",
                "submitted",
                "approved"
            ]
        );
        let seqs: Vec<i64> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs, (1..=9).collect::<Vec<_>>());
        let entry = |i: usize| &h[i];
        assert_eq!(entry(0)["actor"], "admin@430000");
        assert_eq!(entry(2)["actor"], "submitter@430424");
        assert_eq!(entry(5)["actor"], "reviewer@430400");
        assert_eq!(entry(5)["reason"], "请补充长效机制的佐证材料");
        assert_eq!(
            (
                entry(5)["status_before"].as_str(),
                entry(5)["status_after"].as_str()
            ),
            (Some("submitted"), Some("returned"))
        );
        let changed = entry(6)["changes"].as_array().unwrap();
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert_eq!(changed[0]["pointer"], "/indicators/6/deviation_explanation");
        assert_eq!(changed[0]["after"], "已补充长效机制文件");
        let first_update = entry(1)["changes"].as_array().unwrap();
        assert!(
            first_update
                .iter()
                .any(|c| c["pointer"] == "/indicators/0/actual"
                    && c["before"] == "已完成"
                    && c["after"] == "1个")
        );
        assert!(
            entry(8)["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["pointer"] == "/status" && c["after"] == "approved")
        );
    })
    .await;
}

/// The seed's three evaluations are there, each at its first version: nothing was written.
async fn nothing_written(app: &TestApp) {
    let (_, list) = json(app.get("/api/v1/evaluations").send().await.unwrap()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["version"] == 1)
    );
}

#[tokio::test]
async fn a_second_evaluation_with_the_same_key_is_refused_naming_the_first() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let fixed = corrected_black_water(&loaded.project_ids[1].1);
        let p = problem(
            app.post("/api/v1/evaluations")
                .json(&fixed)
                .send()
                .await
                .unwrap(),
            409,
            "evaluation.exists",
        )
        .await;
        assert_eq!(
            p["existing"],
            format!("/api/v1/evaluations/{}", loaded.evaluation_ids[2])
        );
    })
    .await;
}

#[tokio::test]
async fn fields_the_service_owns_are_read_only() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let fixed = corrected_black_water(&loaded.project_ids[1].1);
        for (field, value) in [
            ("status", json!("approved")),
            ("computed", json!({"total": "100"})),
            ("id", json!("x")),
            ("version", json!(9)),
            ("submitted_by", json!("me")),
        ] {
            let mut body = fixed.clone();
            body[field] = value;
            let p = problem(
                app.post("/api/v1/evaluations/validate")
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
                (Some(format!("/{field}").as_str()), Some("field.read_only"))
            );
        }
        let mut body = fixed.clone();
        body["indicators"][2]["computed"] = json!("5");
        let p = problem(
            app.post("/api/v1/evaluations/validate")
                .json(&body)
                .send()
                .await
                .unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(p["errors"][0]["pointer"], "/indicators/2/computed");
        nothing_written(&app).await;
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_at_its_pointer() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let fixed = corrected_black_water(&loaded.project_ids[1].1);
        let cases = [
            (json!({"kind": "project", "project": null}), "/project"),
            (json!({"kind": "department"}), "/project"),
            (json!({"rule_set": "nonsense"}), "/rule_set"),
            (json!({"year": 1999}), "/year"),
            (json!({"department": "nobody"}), "/department"),
            (
                json!({"budget": {"initial": "-1", "full_year": "1"}}),
                "/budget/initial",
            ),
            (
                json!({"indicators": [{"level1": "产出指标"}]}),
                "/indicators/0/level2",
            ),
        ];
        for (patch, pointer) in cases {
            let mut body = fixed.clone();
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            let p = problem(
                app.post("/api/v1/evaluations/validate")
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
                422,
                "request.validation_failed",
            )
            .await;
            assert_eq!(p["errors"][0]["pointer"], pointer, "{patch}: {p}");
        }
        nothing_written(&app).await;
    })
    .await;
}

#[tokio::test]
async fn a_projects_budget_comes_from_its_funds_and_a_block_that_disagrees_is_flagged() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let fixed = corrected_black_water(&loaded.project_ids[1].1);
        // Without a budget block, a project's budget comes from its funds.
        let mut body = fixed.clone();
        body.as_object_mut().unwrap().remove("budget");
        let (s, dry) = json(
            app.post("/api/v1/evaluations/validate")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{dry}");
        assert_eq!(dry["budget_source"], "funds");
        assert_eq!(dry["budget"]["full_year"], "19.87");
        // A budget block that disagrees with the funds is flagged.
        let mut body = fixed.clone();
        body["budget"]["executed"] = json!("18.00");
        let (_, dry) = json(
            app.post("/api/v1/evaluations/validate")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            pairs(&dry["computed"]["findings"])
                .contains(&("fund.total_mismatch".into(), "/budget/executed".into())),
            "{}",
            dry["computed"]["findings"]
        );
        nothing_written(&app).await;
    })
    .await;
}

#[tokio::test]
async fn indicator_rows_as_a_resource() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let id = &loaded.evaluation_ids[1];
        let base = format!("/api/v1/evaluations/{id}/indicators");
        let (s, rows) = json(app.get(&base).send().await.unwrap()).await;
        assert_eq!(s, 200);
        assert_eq!(rows.as_array().unwrap().len(), 11);
        assert_eq!(rows[2]["actual"], "2024.1.1-204.12.31");
        assert!(rows[2]["computed"]["computed"].is_null());
        let row = json!({"level1": "产出指标", "level2": "时效指标", "level3": "执行时间", "target": "1年", "actual": "1年", "weight": "5", "claimed_score": "5"});
        problem(app.put(&format!("{base}/2")).json(&row).send().await.unwrap(), 428, "request.precondition_required").await;
        let res = app.put(&format!("{base}/2")).header("If-Match", "\"1\"").json(&row).send().await.unwrap();
        let (s, e) = json(res).await;
        assert_eq!(s, 200, "{e}");
        assert!(!pairs(&e["computed"]["findings"]).iter().any(|(_, p)| p.starts_with("/indicators/2/")));
        assert_eq!(e["computed"]["rows"][2]["computed"], "5.00");
        assert_eq!(e["computed"]["rows"][2]["claimed"], "5");
        let extra = json!({"level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "监管部门满意度", "target": "≥90%", "actual": "96%", "weight": "0", "claimed_score": "0"});
        let res = app.post(&base).header("If-Match", "\"2\"").json(&extra).send().await.unwrap();
        assert_eq!(res.headers()["location"], format!("{base}/11").as_str());
        let (s, e) = json(res).await;
        assert_eq!((s, e["version"].as_i64()), (201, Some(3)));
        assert!(pairs(&e["computed"]["findings"]).contains(&("indicator.weight_not_positive".into(), "/indicators/11/weight".into())));
        let (s, e) = json(app.delete(&format!("{base}/11")).header("If-Match", "\"3\"").send().await.unwrap()).await;
        assert_eq!((s, e["indicators"].as_array().unwrap().len()), (200, 11));
        problem(app.delete(&format!("{base}/40")).header("If-Match", "\"4\"").send().await.unwrap(), 404, "indicator.not_found").await;
        problem(app.delete(&format!("{base}/1")).header("If-Match", "\"1\"").send().await.unwrap(), 412, "request.precondition_failed").await;
        let (_, h) = json(app.get(&format!("/api/v1/evaluations/{id}/history")).send().await.unwrap()).await;
        let actions: Vec<&str> = h.as_array().unwrap().iter().map(|x| x["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["created", "indicator_changed", "indicator_added", "indicator_removed"]);
        // The flat results follow the evaluation.
        let (_, flat) = json(app.get("/api/v1/indicator-results?q=执行时间").send().await.unwrap()).await;
        assert_eq!(flat["items"][0]["actual"], "1年");
        assert_eq!(flat["items"][0]["achieved"], true);
    })
    .await;
}

/// Version 1 of `hengyang-2024-project`, and a copy of it as a new rule set
/// (`hengyang-2025-project`) an admin may add.
async fn custom_rule_set(app: &TestApp) -> (Value, Value) {
    let (s, one) = json(
        app.get("/api/v1/rule-sets/hengyang-2024-project@1")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    let mut custom = one.clone();
    custom["id"] = json!("hengyang-2025-project");
    custom["over_achievement_threshold"] = json!("1.50");
    (one, custom)
}

#[tokio::test]
async fn the_seed_brings_four_rule_sets_with_their_weights() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let (_, list) = json(app.get("/api/v1/rule-sets").send().await.unwrap()).await;
        let ids: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "hengyang-2024-department",
                "hengyang-2024-project",
                "mof-project-default",
                "national-2021"
            ]
        );
        let (one, _) = custom_rule_set(&app).await;
        assert_eq!(
            one["level1_weights"][1],
            json!({"level1": "benefit", "weight": "40"})
        );
    })
    .await;
}

#[tokio::test]
async fn an_admin_adds_a_rule_set_once_and_versions_never_change() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let (one, custom) = custom_rule_set(&app).await;
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        problem(
            reviewer
                .post("/api/v1/rule-sets")
                .json(&custom)
                .send()
                .await
                .unwrap(),
            403,
            "auth.forbidden",
        )
        .await;
        let (s, created) = json(
            app.post("/api/v1/rule-sets")
                .json(&custom)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, created["id"].as_str()),
            (201, Some("hengyang-2025-project")),
            "{created}"
        );
        problem(
            app.post("/api/v1/rule-sets")
                .json(&custom)
                .send()
                .await
                .unwrap(),
            409,
            "rule_set.version_exists",
        )
        .await;
        problem(
            app.post("/api/v1/rule-sets")
                .json(&one)
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
async fn a_rule_set_with_bad_weights_or_version_is_refused_and_an_unknown_one_is_404() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let (_, custom) = custom_rule_set(&app).await;
        let mut bad = custom.clone();
        bad["version"] = json!(2);
        bad["level1_weights"][0]["weight"] = json!("70");
        problem(
            app.post("/api/v1/rule-sets")
                .json(&bad)
                .send()
                .await
                .unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        problem(
            app.get("/api/v1/rule-sets/nothing").send().await.unwrap(),
            404,
            "rule_set.not_found",
        )
        .await;
        let mut huge = custom.clone();
        huge["version"] = json!(3_000_000_000u64);
        let res = app
            .post("/api/v1/rule-sets")
            .json(&huge)
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["pointer"], "/version");
    })
    .await;
}

#[tokio::test]
async fn the_report_page_renders() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        for (i, heading) in [
            (0, "部门整体支出绩效自评表"),
            (1, "项目支出绩效自评表"),
            (2, "项目支出绩效自评表"),
        ] {
            let res = app
                .get(&format!(
                    "/api/v1/evaluations/{}/report",
                    loaded.evaluation_ids[i]
                ))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            assert!(
                res.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html")
            );
            let html = res.text().await.unwrap();
            assert!(html.contains(heading));
            for column in [
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "分值",
                "得分",
                "偏差原因分析及改进措施",
            ] {
                assert!(html.contains(column), "{column}");
            }
            if i < 2 {
                assert!(
                    html.contains("2024.1.1-204.12.31") && html.contains("actual.invalid_date")
                );
            }
            assert!(html.contains("actual.not_measured") && html.contains("总分"));
            assert!(
                !html.contains("<script")
                    && !html.contains("http://")
                    && !html.contains("https://")
            );
        }
        let viewer = app.as_(Some(app.token("viewer", "430424")));
        problem(
            viewer
                .get(&format!(
                    "/api/v1/evaluations/{}/report",
                    loaded.evaluation_ids[0]
                ))
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

/// A department evaluation of 901424 for 2025 with `n` indicator rows.
fn with_rows(n: usize) -> Value {
    let rows: Vec<Value> = (0..n)
        .map(|i| json!({"level1": "产出指标", "level2": "数量指标", "level3": format!("监测站点{i}"), "target": "≥12个", "actual": "12个", "weight": "0.1", "claimed_score": "0.1"}))
        .collect();
    json!({
        "kind": "department", "department": "901424", "year": 2025,
        "budget": {"initial": "1500", "full_year": "1600", "executed": "1580"},
        "indicators": rows
    })
}

#[tokio::test]
async fn indicator_rows_are_capped_and_the_cap_fits_both_databases() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let max = jixiao::domain::evaluation::MAX_INDICATORS;
        // One row too many: 422 at /indicators, on create and in the dry run alike.
        for path in ["/api/v1/evaluations", "/api/v1/evaluations/validate"] {
            let res = app
                .post(path)
                .json(&with_rows(max + 1))
                .send()
                .await
                .unwrap();
            let p = problem(res, 422, "request.validation_failed").await;
            assert_eq!(p["errors"][0]["pointer"], "/indicators", "{path}: {p}");
            assert_eq!(p["errors"][0]["code"], "evaluation.too_many_indicators");
        }
        // The maximum goes in: every flat row is written (no bind-variable limit is hit).
        let (s, e) = json(
            app.post("/api/v1/evaluations")
                .json(&with_rows(max))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 201, "{e}");
        assert_eq!(e["indicators"].as_array().unwrap().len(), max);
        let rows = get(&app, "/api/v1/indicator-results?year=2025&page_size=500").await;
        assert_eq!(rows["items"].as_array().unwrap().len(), max);
        // The contract says so.
        let (_, doc) = json(app.get("/openapi.json").send().await.unwrap()).await;
        assert_eq!(
            doc["components"]["schemas"]["EvaluationInput"]["properties"]["indicators"]["maxItems"],
            max
        );
    })
    .await;
}

/// What `GET` answers, less the fields the server owns, with the department and project
/// named as a write names them: a read-modify-write body.
pub(crate) fn writable(e: &Value) -> Value {
    let mut body = e.clone();
    let o = body.as_object_mut().unwrap();
    o.insert("department".into(), e["department_id"].clone());
    if !e["project_id"].is_null() {
        o.insert("project".into(), e["project_id"].clone());
    }
    for f in [
        "id",
        "status",
        "version",
        "computed",
        "allowed_actions",
        "blocked_actions",
        "created_by",
        "submitted_by",
        "created_at",
        "updated_at",
        "department_id",
        "project_id",
        "region",
        "budget_source",
        "kind_label_zh",
        "status_label_zh",
        "total",
        "grade",
        "grade_label_zh",
        "basis",
    ] {
        o.remove(f);
    }
    body
}

#[tokio::test]
async fn what_get_answers_goes_back_through_put_and_post() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let id = &loaded.evaluation_ids[1];
        let e = get(&app, &format!("/api/v1/evaluations/{id}")).await;
        assert!(e["rule_set"].is_object(), "{}", e["rule_set"]);
        let body = writable(&e);
        assert!(body["rule_set"].is_object());
        let (s, put) = json(
            app.put(&format!("/api/v1/evaluations/{id}"))
                .header("If-Match", "\"1\"")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{put}");
        assert_eq!(put["rule_set"], e["rule_set"]);
        assert_eq!(put["computed"], e["computed"]);
        // The string forms still work, and a bad object points at the field.
        let mut named = body.clone();
        named["rule_set"] = json!("hengyang-2024-project@1");
        let (s, v) = json(
            app.post("/api/v1/evaluations/validate")
                .json(&named)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let mut bad = body.clone();
        bad["rule_set"] = json!({"id": "hengyang-2024-project", "version": "one"});
        let p = problem(
            app.post("/api/v1/evaluations/validate")
                .json(&bad)
                .send()
                .await
                .unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(p["errors"][0]["pointer"], "/rule_set", "{p}");
        // A new evaluation from a read one: the object form on create.
        let mut fresh = body;
        fresh["year"] = json!(2025);
        fresh.as_object_mut().unwrap().remove("project");
        fresh["kind"] = json!("department");
        fresh["rule_set"] = json!({"id": "hengyang-2024-department", "version": 1});
        let (s, c) = json(
            app.post("/api/v1/evaluations")
                .json(&fresh)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 201, "{c}");
        assert_eq!(
            c["rule_set"],
            json!({"id": "hengyang-2024-department", "version": 1})
        );
    })
    .await;
}

/// A token of `app` with its own subject.
fn token_for(app: &TestApp, subject: &str, role: &str, region: &str) -> String {
    use jixiao::auth::token::{TokenRequest, mint};
    use jixiao::domain::policy::Role;
    use jixiao::domain::region::RegionCode;
    let request = TokenRequest {
        subject: subject.into(),
        role: Role::parse(role).unwrap(),
        region: RegionCode::parse(region).unwrap(),
        departments: Vec::new(),
        ttl: std::time::Duration::from_secs(3600),
    };
    mint(
        &app.settings.auth,
        app.settings.auth.jwt_secret.as_deref().unwrap(),
        &request,
    )
    .unwrap()
}

#[tokio::test]
async fn actions_offered_are_those_that_would_succeed_and_blocked_ones_say_why() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let id = &loaded.evaluation_ids[2];
        let path = format!("/api/v1/evaluations/{id}");
        let submitter = app.as_(Some(app.token("submitter", "430424")));
        let e = get(&submitter, &path).await;
        assert_eq!(e["allowed_actions"], json!(["update", "delete"]));
        let blocked = &e["blocked_actions"];
        assert_eq!(blocked.as_array().unwrap().len(), 1, "{blocked}");
        assert_eq!(blocked[0]["action"], "submit");
        assert_eq!(blocked[0]["code"], "evaluation.not_submittable");
        let count = e["computed"]["error_count"].as_u64().unwrap();
        assert_eq!(
            blocked[0]["reason"],
            format!("{count} error finding(s) remain; correct them and submit again")
        );
        assert_eq!(
            blocked[0]["reason_zh"],
            format!("仍有 {count} 项错误，请更正后再提交")
        );
        // What it says is what the action answers.
        let (s, p) = act(&submitter, id, "submit", None).await;
        assert_eq!(
            (s, p["code"].as_str()),
            (409, Some("evaluation.not_submittable"))
        );
        // Corrected: submit is offered, nothing is blocked.
        let fixed = corrected_black_water(&loaded.project_ids[1].1);
        let (s, e) = json(
            submitter
                .put(&path)
                .header("If-Match", "\"1\"")
                .json(&fixed)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{e}");
        assert_eq!(e["allowed_actions"], json!(["update", "delete", "submit"]));
        assert_eq!(e["blocked_actions"], json!([]));
        // Submitted by the admin: the admin may not approve its own submission, and says so.
        let (s, e) = act(&app, id, "submit", None).await;
        assert_eq!(s, 200, "{e}");
        assert_eq!(e["allowed_actions"], json!(["withdraw"]));
        let blocked: Vec<(&str, &str)> = e["blocked_actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b["action"].as_str().unwrap(), b["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            blocked,
            [("return", "auth.forbidden"), ("approve", "auth.forbidden")]
        );
    })
    .await;
}

#[tokio::test]
async fn only_the_submitter_who_submitted_or_an_admin_withdraws() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let id = &loaded.evaluation_ids[2];
        let path = format!("/api/v1/evaluations/{id}");
        let first = app.as_(Some(token_for(&app, "clerk-1", "submitter", "430424")));
        let second = app.as_(Some(token_for(&app, "clerk-2", "submitter", "430424")));
        let fixed = corrected_black_water(&loaded.project_ids[1].1);
        let res = first
            .put(&path)
            .header("If-Match", "\"1\"")
            .json(&fixed)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let (s, e) = act(&first, id, "submit", None).await;
        assert_eq!(
            (s, e["submitted_by"].as_str()),
            (200, Some("clerk-1")),
            "{e}"
        );
        // Another submitter of the same county: not offered, blocked with the reason, refused.
        let e = get(&second, &path).await;
        assert_eq!(e["allowed_actions"], json!([]));
        assert_eq!(e["blocked_actions"][0]["action"], "withdraw");
        assert_eq!(e["blocked_actions"][0]["code"], "evaluation.not_submitter");
        let res = second
            .post(&format!("{path}/withdraw"))
            .send()
            .await
            .unwrap();
        let p = problem(res, 403, "evaluation.not_submitter").await;
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("submitter who submitted"),
            "{p}"
        );
        assert_eq!(
            get(&app, &path).await["status"],
            "submitted",
            "nothing changed"
        );
        // The one who submitted may.
        assert_eq!(
            get(&first, &path).await["allowed_actions"],
            json!(["withdraw"])
        );
        let (s, e) = act(&first, id, "withdraw", None).await;
        assert_eq!((s, e["status"].as_str()), (200, Some("draft")), "{e}");
        // And an admin may withdraw anyone's submission.
        let (s, _) = act(&first, id, "submit", None).await;
        assert_eq!(s, 200);
        let (s, e) = act(&app, id, "withdraw", None).await;
        assert_eq!((s, e["status"].as_str()), (200, Some("draft")), "{e}");
    })
    .await;
}
