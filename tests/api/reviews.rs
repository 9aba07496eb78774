//! The finance bureau's review (复核): review scores with deduction reasons, approval in
//! levels, scope, concurrency, history and the change feed, on both databases.

use serde_json::{Value, json};

use crate::evaluations::{act, corrected_black_water};
use crate::helpers::{TestApp, json, on_each_db, problem};
use crate::seed::load_seed;

/// A submitted evaluation (the corrected 黑臭水体 table), optionally under a rule set of its own.
pub(crate) async fn submitted(app: &TestApp, rule_set: Option<&str>) -> String {
    let loaded = load_seed(app).await;
    let id = loaded.evaluation_ids[2].clone();
    let submitter = app.as_(Some(app.token("submitter", "430424")));
    let mut fixed = corrected_black_water(&loaded.project_ids[1].1);
    if let Some(r) = rule_set {
        fixed["rule_set"] = json!(r);
    }
    let res = submitter
        .put(&format!("/api/v1/evaluations/{id}"))
        .header("If-Match", "\"1\"")
        .json(&fixed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (s, e) = act(&submitter, &id, "submit", None).await;
    assert_eq!(s, 200, "{e}");
    id
}

/// A copy of the project rule set that approves in two levels (county, then city).
/// An evaluation submitted under a rule set of two approval levels (its id), the county's
/// submitter, the county's reviewer (level 1), the city's (level 2) and another county's.
async fn two_levels(app: &TestApp) -> (String, TestApp, TestApp, TestApp, TestApp) {
    let rules = two_level_rule_set(app).await;
    let id = submitted(app, Some(rules)).await;
    let reviewer = |region: &str| app.as_(Some(app.token("reviewer", region)));
    let submitter = app.as_(Some(app.token("submitter", "430424")));
    (
        id,
        submitter,
        reviewer("430424"),
        reviewer("430400"),
        reviewer("430421"),
    )
}

async fn two_level_rule_set(app: &TestApp) -> &'static str {
    let (s, mut r) = json(
        app.get("/api/v1/rule-sets/hengyang-2024-project")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let o = r.as_object_mut().unwrap();
    for k in ["builtin", "created_at", "created_by"] {
        o.remove(k);
    }
    o.insert("id".into(), json!("hengyang-2024-project-2l"));
    o.insert("version".into(), json!(1));
    o.insert("region".into(), json!("430400"));
    o.insert("approval_levels".into(), json!(2));
    let (s, body) = json(app.post("/api/v1/rule-sets").json(&r).send().await.unwrap()).await;
    assert_eq!(s, 201, "{body}");
    "hengyang-2024-project-2l"
}

pub(crate) async fn review(app: &TestApp, id: &str) -> (u16, Value) {
    json(
        app.get(&format!("/api/v1/evaluations/{id}/review"))
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub(crate) async fn put_review(
    app: &TestApp,
    id: &str,
    version: i64,
    body: Value,
) -> reqwest::Response {
    app.put(&format!("/api/v1/evaluations/{id}/review"))
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn history_actions(app: &TestApp, id: &str) -> Vec<String> {
    let (s, h) = json(
        app.get(&format!("/api/v1/evaluations/{id}/history"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{h}");
    h.as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// A submitted evaluation of 衡东 (its id), 衡阳's reviewer and the county's submitter.
async fn under_review(app: &TestApp) -> (String, TestApp, TestApp) {
    let id = submitted(app, None).await;
    let reviewer = app.as_(Some(app.token("reviewer", "430400")));
    let submitter = app.as_(Some(app.token("submitter", "430424")));
    (id, reviewer, submitter)
}

/// [`under_review`], with [`deductions`] saved and approved (one level).
async fn reviewed_and_approved(app: &TestApp) -> (String, TestApp, TestApp) {
    let (id, reviewer, submitter) = under_review(app).await;
    let res = put_review(&reviewer, &id, 3, deductions()).await;
    assert_eq!(res.status(), 200);
    let (s, e) = act(&reviewer, &id, "approve", None).await;
    assert_eq!((s, e["status"].as_str()), (200, Some("approved")), "{e}");
    (id, reviewer, submitter)
}

/// Every cell's text of every sheet of a workbook.
pub(crate) fn xlsx_cells(bytes: &[u8]) -> Vec<String> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut cells = Vec::new();
    for name in book.sheet_names() {
        let sheet = book.worksheet_range(&name).unwrap();
        cells.extend(sheet.cells().map(|(_, _, v)| v.to_string()));
    }
    cells
}

/// The report of `id` holds each of `in_report`, and its official table (附件4 / 附件5) a
/// cell of each of `in_table`: the review printed as the finance bureau prints it.
pub(crate) async fn printed(submitter: &TestApp, id: &str, in_report: &[&str], in_table: &[&str]) {
    let html = submitter
        .get(&format!("/api/v1/evaluations/{id}/report"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for text in in_report {
        assert!(html.contains(text), "{id}: {text}");
    }
    let bytes = submitter
        .get(&format!("/api/v1/evaluations/{id}/table.xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let cells = xlsx_cells(&bytes);
    for text in in_table {
        assert!(cells.iter().any(|c| c == text), "{id}: {text}");
    }
}

pub(crate) fn deductions() -> Value {
    json!({
        "opinion": "产出基本达标，社会效益指标佐证不足",
        "execution": {"score": "10"},
        "rows": [
            {"index": 3, "score": "6", "reason": "污染投诉减少率无统计佐证"},
            {"index": 6, "score": "8.5", "reason": "长效机制考核细则未印发"}
        ]
    })
}

#[tokio::test]
async fn before_a_save_reviewers_see_the_engines_work_and_the_unit_sees_nothing() {
    on_each_db(|app| async move {
        let (id, reviewer, submitter) = under_review(&app).await;
        // Before any save: the engine's work, nothing reviewed, the final total computed.
        let (s, v) = review(&reviewer, &id).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["evaluation_version"], 3);
        assert_eq!(v["final_basis"], "computed");
        assert_eq!(v["final_total"], v["computed_total"]);
        assert_eq!(v["rows"].as_array().unwrap().len(), 9);
        assert_eq!(v["rows"][3]["claimed"], "10");
        assert!(v["rows"][3]["review_score"].is_null());
        assert_eq!(
            v["approval"],
            json!({"levels_required": 1, "approved_level": 0, "next_level": 1})
        );
        // The unit does not see the review while the reviewers work.
        let path = format!("/api/v1/evaluations/{id}/review");
        problem(
            submitter.get(&path).send().await.unwrap(),
            404,
            "review.not_found",
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn a_review_needs_if_match_a_reviewer_and_bounded_reasoned_scores() {
    on_each_db(|app| async move {
        let (id, reviewer, submitter) = under_review(&app).await;
        // If-Match is required.
        let res = reviewer
            .put(&format!("/api/v1/evaluations/{id}/review"))
            .json(&deductions())
            .send()
            .await
            .unwrap();
        problem(res, 428, "request.precondition_required").await;
        // Bounds and reasons, every problem at its pointer.
        let bad = json!({
            "execution": {"score": "11"},
            "rows": [
                {"index": 0, "score": "-1", "reason": "x"},
                {"index": 3, "score": "6"},
                {"index": 3, "score": "6", "reason": "again"},
                {"index": 42, "score": "1"}
            ]
        });
        let p = problem(
            put_review(&reviewer, &id, 3, bad).await,
            422,
            "request.validation_failed",
        )
        .await;
        let got: Vec<(&str, &str)> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["pointer"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("/execution/score", "review.score_out_of_range"),
                ("/rows/0/score", "review.score_out_of_range"),
                ("/rows/1/reason", "review.reason_required"),
                ("/rows/2/index", "review.duplicate_row"),
                ("/rows/3/index", "review.unknown_row"),
            ],
            "{p}"
        );
        // The submitter never writes a review.
        problem(
            put_review(&submitter, &id, 3, deductions()).await,
            403,
            "auth.forbidden",
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn a_saved_review_is_a_new_version_with_deductions_and_a_history_entry() {
    on_each_db(|app| async move {
        let (id, reviewer, submitter) = under_review(&app).await;
        // Saved: a new version of the evaluation; deductions beside the claims.
        let res = put_review(&reviewer, &id, 3, deductions()).await;
        assert_eq!(res.headers()["etag"], "\"4\"");
        let (s, v) = json(res).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["rows"][3]["review_score"], "6");
        assert_eq!(v["rows"][3]["deduction"], "4");
        assert_eq!(v["rows"][3]["reason"], "污染投诉减少率无统计佐证");
        assert_eq!(v["rows"][6]["deduction"], "0.5");
        assert_eq!(v["final_basis"], "reviewed");
        assert_eq!(v["reviewed_total"], v["final_total"]);
        let computed: f64 = v["computed_total"].as_str().unwrap().parse().unwrap();
        let reviewed: f64 = v["reviewed_total"].as_str().unwrap().parse().unwrap();
        assert!(reviewed < computed, "{v}");
        assert_eq!(v["reviewed_by"], "reviewer@430400");
        // Two reviewers on one version: the second is stale.
        let other = app.as_(Some(app.token("admin", "430400")));
        problem(
            put_review(&other, &id, 3, deductions()).await,
            412,
            "request.precondition_failed",
        )
        .await;
        // The unit still cannot change the evaluation, and it is still its submission.
        let e = {
            let (s, e) = json(
                submitter
                    .get(&format!("/api/v1/evaluations/{id}"))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(s, 200);
            e
        };
        assert_eq!(
            (e["status"].as_str(), e["version"].as_i64()),
            (Some("submitted"), Some(4))
        );
        assert_eq!(e["submitted_by"], "submitter@430424");
        assert_eq!(e["allowed_actions"], json!(["withdraw"]));
        // In the history, with what changed under /review.
        let (_, h) = json(
            reviewer
                .get(&format!("/api/v1/evaluations/{id}/history"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let last = h.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "review_saved");
        assert_eq!(last["actor"], "reviewer@430400");
        assert!(
            last["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["pointer"] == "/review/rows/0"
                    && c["after"]["reason"] == "污染投诉减少率无统计佐证"),
            "{last}"
        );
    })
    .await;
}

#[tokio::test]
async fn once_approved_the_unit_sees_the_review_and_it_is_closed() {
    on_each_db(|app| async move {
        // Approved (one level by default): the unit now sees the review.
        let (id, reviewer, submitter) = reviewed_and_approved(&app).await;
        let (s, v) = review(&submitter, &id).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["review"]["opinion"], "产出基本达标，社会效益指标佐证不足");
        assert_eq!(v["approval"]["approved_level"], 1);
        // Closed to further review.
        problem(
            put_review(&reviewer, &id, 5, deductions()).await,
            409,
            "review.not_open",
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn the_report_and_the_official_table_print_the_review() {
    on_each_db(|app| async move {
        let (id, _, submitter) = reviewed_and_approved(&app).await;
        // The report prints 自评 / 计算 / 复核 with the deduction reasons and the opinion; the
        // official table carries 复核得分 and 扣分原因.
        let in_report = [
            "<th>复核</th>",
            "扣分原因",
            "污染投诉减少率无统计佐证",
            "扣 4.00",
            "财政复核意见",
            "产出基本达标，社会效益指标佐证不足",
        ];
        let in_table = [
            "复核得分",
            "扣分原因",
            "6",
            "污染投诉减少率无统计佐证",
            "长效机制考核细则未印发",
        ];
        printed(&submitter, &id, &in_report, &in_table).await;
    })
    .await;
}

/// Every version of an evaluation the change feed carries, in feed order.
async fn feed_versions(app: &TestApp, id: &str) -> Vec<i64> {
    let (s, page) = json(app.get("/api/v1/changes?limit=1000").send().await.unwrap()).await;
    assert_eq!(s, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "evaluation" && c["id"] == id)
        .map(|c| c["data"]["version"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn with_two_levels_the_city_waits_for_the_county_and_other_counties_see_nothing() {
    on_each_db(|app| async move {
        let (id, _, county, city, elsewhere) = two_levels(&app).await;
        // Another county's reviewer sees nothing of it.
        let path = format!("/api/v1/evaluations/{id}/review");
        problem(
            elsewhere.get(&path).send().await.unwrap(),
            404,
            "evaluation.not_found",
        )
        .await;
        let (s, p) = act(&elsewhere, &id, "approve", None).await;
        assert_eq!((s, p["code"].as_str()), (404, Some("evaluation.not_found")));
        // The city cannot act before the county: neither review nor approve.
        let (_, v) = review(&city, &id).await;
        assert_eq!(
            v["approval"],
            json!({"levels_required": 2, "approved_level": 0, "next_level": 1})
        );
        problem(
            put_review(&city, &id, 3, deductions()).await,
            409,
            "review.lower_level_pending",
        )
        .await;
        let (s, p) = act(&city, &id, "approve", None).await;
        assert_eq!(
            (s, p["code"].as_str(), p["next_level"].as_i64()),
            (409, Some("review.lower_level_pending"), Some(1))
        );
        // County review with deductions, then county approval: still submitted.
        let res = put_review(&county, &id, 3, deductions()).await;
        assert_eq!(res.status(), 200);
        let res = county
            .post(&format!("/api/v1/evaluations/{id}/approve"))
            .header("If-Match", "\"3\"")
            .send()
            .await
            .unwrap();
        problem(res, 412, "request.precondition_failed").await;
        let res = county
            .post(&format!("/api/v1/evaluations/{id}/approve"))
            .header("If-Match", "\"4\"")
            .send()
            .await
            .unwrap();
        let (s, e) = json(res).await;
        assert_eq!(
            (s, e["status"].as_str(), e["version"].as_i64()),
            (200, Some("submitted"), Some(5)),
            "{e}"
        );
        let (s, p) = act(&county, &id, "approve", None).await;
        assert_eq!((s, p["code"].as_str()), (409, Some("review.level_done")));
    })
    .await;
}

#[tokio::test]
async fn a_return_at_the_second_level_reopens_it_and_both_levels_approve_again_in_order() {
    on_each_db(|app| async move {
        let (id, submitter, county, city, _) = two_levels(&app).await;
        // The county reviewed and approved its level.
        let res = put_review(&county, &id, 3, deductions()).await;
        assert_eq!(res.status(), 200);
        let (s, e) = act(&county, &id, "approve", None).await;
        assert_eq!((s, e["status"].as_str()), (200, Some("submitted")), "{e}");
        // The city returns it, with the reason; the unit sees the review now.
        let (s, e) = act(
            &city,
            &id,
            "return",
            Some(json!({"reason": "污染投诉减少率请补充统计佐证"})),
        )
        .await;
        assert_eq!((s, e["status"].as_str()), (200, Some("returned")), "{e}");
        let (s, v) = review(&submitter, &id).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["rows"][3]["reason"], "污染投诉减少率无统计佐证");
        assert_eq!(v["approval"]["approved_level"], 0);
        // Resubmitted: both levels approve again, in order.
        let (s, _) = act(&submitter, &id, "submit", None).await;
        assert_eq!(s, 200);
        let (s, p) = act(&city, &id, "approve", None).await;
        assert_eq!(
            (s, p["code"].as_str()),
            (409, Some("review.lower_level_pending"))
        );
        let (s, e) = act(&county, &id, "approve", None).await;
        assert_eq!((s, e["status"].as_str()), (200, Some("submitted")));
        let (s, e) = act(&city, &id, "approve", None).await;
        assert_eq!((s, e["status"].as_str()), (200, Some("approved")), "{e}");
        let (_, v) = review(&submitter, &id).await;
        assert_eq!(
            v["approval"],
            json!({"levels_required": 2, "approved_level": 2, "next_level": null})
        );
        assert_eq!(v["final_basis"], "reviewed");
        // The history shows every level; the return names its level.
        assert_eq!(
            history_actions(&city, &id).await[2..],
            [
                "submitted",
                "review_saved",
                "level_approved",
                "returned",
                "submitted",
                "level_approved",
                "approved"
            ]
        );
        let (_, h) = json(
            city.get(&format!("/api/v1/evaluations/{id}/history"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let returned = &h[5];
        assert_eq!(returned["reason"], "污染投诉减少率请补充统计佐证");
        assert!(
            returned["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["pointer"] == "/review/returned_at_level" && c["after"] == 2),
            "{returned}"
        );
        // The feed carries every step.
        assert_eq!(
            feed_versions(&app, &id).await,
            (1..=9).collect::<Vec<i64>>()
        );
    })
    .await;
}

#[tokio::test]
async fn approval_levels_are_bounded_in_the_rule_set() {
    on_each_db(|app| async move {
        let (_, mut r) = json(
            app.get("/api/v1/rule-sets/hengyang-2024-project")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(r["approval_levels"], 1, "the default: one level");
        let o = r.as_object_mut().unwrap();
        for k in ["builtin", "created_at", "created_by"] {
            o.remove(k);
        }
        o.insert("id".into(), json!("five-levels"));
        o.insert("approval_levels".into(), json!(5));
        let p = problem(
            app.post("/api/v1/rule-sets").json(&r).send().await.unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(p["errors"][0]["pointer"], "/approval_levels", "{p}");
    })
    .await;
}

async fn queue(app: &TestApp, query: &str) -> Value {
    let (s, page) = json(
        app.get(&format!("/api/v1/reviews?awaiting=me{query}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    page
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_queue_lists_what_waits_for_the_callers_level_and_no_one_elses() {
    on_each_db(|app| async move {
        let (id, submitter, county, city, elsewhere) = two_levels(&app).await;
        // Waits for the county, not the city, and nobody outside the county sees it.
        let page = queue(&county, "").await;
        assert_eq!(ids(&page), std::slice::from_ref(&id));
        assert_eq!(page["items"][0]["next_level"], 1);
        assert_eq!(
            page["items"][0]["department_name"],
            "衡阳市生态环境局衡东分局"
        );
        assert!(ids(&queue(&city, "").await).is_empty());
        assert!(ids(&queue(&elsewhere, "").await).is_empty());
        let res = submitter
            .get("/api/v1/reviews?awaiting=me")
            .send()
            .await
            .unwrap();
        problem(res, 403, "auth.forbidden").await;
        let res = county
            .get("/api/v1/reviews?awaiting=you")
            .send()
            .await
            .unwrap();
        problem(res, 400, "request.invalid_query").await;
    })
    .await;
}

#[tokio::test]
async fn a_bulk_approval_acts_per_item_and_moves_the_evaluation_to_the_next_level() {
    on_each_db(|app| async move {
        let (id, _, county, city, _) = two_levels(&app).await;
        // Bulk: a stale ETag and an unknown id fail alone; the good item is approved.
        let body = json!({"items": [
            {"id": id, "if_match": "\"2\""},
            {"id": "no-such-evaluation", "if_match": "\"1\""},
            {"id": id, "if_match": "\"3\""}
        ]});
        let (s, answer) = json(
            county
                .post("/api/v1/reviews/approve")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 207, "{answer}");
        let outcomes: Vec<(&str, Option<&str>)> = answer["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["outcome"].as_str().unwrap(),
                    i["problem"]["code"].as_str(),
                )
            })
            .collect();
        assert_eq!(
            outcomes,
            [
                ("failed", Some("request.precondition_failed")),
                ("failed", Some("evaluation.not_found")),
                ("level_approved", None),
            ]
        );
        // Now it waits for the city.
        assert!(ids(&queue(&county, "").await).is_empty());
        assert_eq!(
            ids(&queue(&city, "&page_size=1").await),
            std::slice::from_ref(&id)
        );
    })
    .await;
}

#[tokio::test]
async fn a_bulk_return_needs_a_reason_and_a_bulk_holds_at_most_100_items() {
    on_each_db(|app| async move {
        let (id, _, county, city, _) = two_levels(&app).await;
        // The county approved its level: it waits for the city.
        let (s, e) = act(&county, &id, "approve", None).await;
        assert_eq!((s, e["version"].as_i64()), (200, Some(4)), "{e}");
        // Bulk return needs a reason; with one, all succeed: 200.
        let body = json!({"items": [{"id": id, "if_match": "\"4\""}]});
        let (s, answer) = json(
            city.post("/api/v1/reviews/return")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 207, "{answer}");
        assert_eq!(
            answer["items"][0]["problem"]["errors"][0]["pointer"],
            "/reason"
        );
        let body = json!({"items": [{"id": id, "if_match": "\"4\""}], "reason": "请补充佐证"});
        let (s, answer) = json(
            city.post("/api/v1/reviews/return")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{answer}");
        assert_eq!(answer["items"][0]["outcome"], "returned");
        assert!(ids(&queue(&city, "").await).is_empty());
        // At most 100 items.
        let many: Vec<Value> = (0..101)
            .map(|_| json!({"id": id, "if_match": "\"1\""}))
            .collect();
        let res = city
            .post("/api/v1/reviews/approve")
            .json(&json!({"items": many}))
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["pointer"], "/items");
    })
    .await;
}
