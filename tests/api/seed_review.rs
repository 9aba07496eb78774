//! The done-when of the finance bureau's review: the seed report's three evaluations (附件4
//! and the two 附件5 tables), corrected by the unit where they cannot be submitted, are each
//! reviewed in full through the API — a review score for every indicator row and for budget
//! execution, a reason for every deduction, an opinion — approved, and printed in the official
//! layout with 自评 / 复核 / 扣分原因.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::evaluations::{act, writable};
use crate::helpers::{TestApp, json, on_each_db};
use crate::reviews::{printed, put_review, review};
use crate::seed::load_seed;

async fn get(app: &TestApp, path: &str) -> Value {
    let (s, v) = json(app.get(path).send().await.unwrap()).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

/// The unit's corrections of the printed 附件4: the level-2 name the system knows, the date in
/// the year 204, the three rows printed without target or weight dropped (效益 then rests on
/// its one scored row, at the rule set's 20), and the satisfaction row at the rule set's 10
/// with the survey's figure instead of `≥`.
fn corrected_department(e: &Value) -> Value {
    let mut body = writable(e);
    let rows = body["indicators"].as_array_mut().unwrap();
    rows[2]["level2"] = json!("生态环境成本指标");
    rows[9]["actual"] = json!("2024.1.1-2024.12.31");
    rows[10]["weight"] = json!("20");
    rows[10]["claimed_score"] = json!("20");
    rows[14]["weight"] = json!("10");
    rows[14]["claimed_score"] = json!("10");
    rows[14]["actual"] = json!("96");
    rows.drain(11..14);
    body
}

/// The unit's correction of the first 附件5: the date in the year 204.
fn corrected_monitoring(e: &Value) -> Value {
    let mut body = writable(e);
    body["indicators"][2]["actual"] = json!("2024.1.1-2024.12.31");
    body
}

fn dec(v: &Value) -> Option<Decimal> {
    v.as_str().map(|s| s.parse().unwrap())
}

/// The unit's corrections of the second 附件5 (黑臭水体): 产出 weighs 10 + 10 + 10 where the
/// rule set gives 20, so its quality and time rows take 5 each; 效益 weighs 30 of 40, so the
/// printed empty 可持续影响指标 row is filled in with its 10 points.
fn corrected_black_water_table(e: &Value) -> Value {
    let mut body = writable(e);
    let rows = body["indicators"].as_array_mut().unwrap();
    for i in [1, 2] {
        rows[i]["weight"] = json!("5");
        rows[i]["claimed_score"] = json!("5");
    }
    rows[6]["level3"] = json!("长效机制");
    rows[6]["target"] = json!("建立防止黑臭反弹的长效机制");
    rows[6]["actual"] = json!("已建立");
    rows[6]["weight"] = json!("10");
    rows[6]["claimed_score"] = json!("10");
    body
}

/// A full review of one evaluation as its review page shows it: every row scored — the
/// engine's score where it measured or graded the row, one point less than the claim where
/// the score rests on the claim alone — and execution at the engine's score; a reason for
/// every score below the claim.
fn full_review(page: &Value) -> (Value, usize) {
    let mut deductions = 0;
    let rows: Vec<Value> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| dec(&r["weight"]).is_some())
        .map(|r| {
            let weight = dec(&r["weight"]).unwrap();
            let claim = dec(&r["claimed"]).or(dec(&r["computed"])).unwrap_or(weight);
            let score = if r["basis"] == "claimed" {
                (claim - Decimal::ONE).max(Decimal::ZERO)
            } else {
                dec(&r["computed"]).unwrap_or(claim).min(weight)
            };
            let mut line = json!({"index": r["index"], "score": score.normalize().to_string()});
            if score < claim {
                deductions += 1;
                line["reason"] = if r["basis"] == "claimed" {
                    json!("实际完成值为定性表述，未附佐证材料")
                } else {
                    json!("按指标值与实际完成值计算")
                };
            }
            line
        })
        .collect();
    let execution = &page["execution"];
    let score = dec(&execution["computed"]).unwrap();
    let mut exec = json!({"score": score.normalize().to_string()});
    if dec(&execution["claimed"]).is_some_and(|c| score < c) {
        exec["reason"] = json!("按预算执行率计算");
        deductions += 1;
    }
    let body = json!({
        "opinion": "经复核，部分指标实际完成值为定性表述，按佐证情况扣分",
        "execution": exec,
        "rows": rows,
    });
    (body, deductions)
}

/// The unit corrects what blocks submission in each of the seed's evaluations, and submits.
async fn corrected_and_submitted(submitter: &TestApp, ids: &[String]) {
    for (i, id) in ids.iter().enumerate() {
        let e = get(submitter, &format!("/api/v1/evaluations/{id}")).await;
        assert!(e["computed"]["error_count"].as_u64().unwrap() > 0, "{id}");
        let body = match i {
            0 => corrected_department(&e),
            1 => corrected_monitoring(&e),
            _ => corrected_black_water_table(&e),
        };
        let res = submitter
            .put(&format!("/api/v1/evaluations/{id}"))
            .header("If-Match", "\"1\"")
            .json(&body)
            .send()
            .await
            .unwrap();
        let (s, e) = json(res).await;
        assert_eq!(s, 200, "{e}");
        assert_eq!(
            e["computed"]["error_count"], 0,
            "{}",
            e["computed"]["findings"]
        );
        let (s, e) = act(submitter, id, "submit", None).await;
        assert_eq!(s, 200, "{e}");
    }
}

/// The reviewer reviews the evaluation `id` in full, settling every claimed row with a reason,
/// and approves it.
async fn reviewed_in_full_and_approved(reviewer: &TestApp, id: &str) {
    let (s, page) = review(reviewer, id).await;
    assert_eq!(s, 200, "{page}");
    let claimed = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["basis"] == "claimed")
        .count();
    assert!(
        claimed > 0,
        "the seed's 已达标 rows rest on the claim: {page}"
    );
    let (body, deductions) = full_review(&page);
    assert!(deductions >= claimed, "{body}");
    let version = page["evaluation_version"].as_i64().unwrap();
    let (s, v) = json(put_review(reviewer, id, version, body.clone()).await).await;
    assert_eq!(s, 200, "{v}");
    let lines = v["rows"].as_array().unwrap();
    let scored = lines
        .iter()
        .filter(|l| !l["review_score"].is_null())
        .count();
    assert_eq!(scored, body["rows"].as_array().unwrap().len());
    assert!(
        lines
            .iter()
            .filter(|l| dec(&l["deduction"]).is_some_and(|d| d > Decimal::ZERO))
            .all(|l| l["reason"].is_string())
    );
    assert_eq!(v["final_basis"], "reviewed");
    assert!(dec(&v["final_total"]) < dec(&v["claimed_total"]).or(Some(Decimal::ONE_HUNDRED)));
    let (s, e) = act(reviewer, id, "approve", None).await;
    assert_eq!((s, &e["status"]), (200, &json!("approved")), "{e}");
}

/// The report and the official table of `id` print the review: 自评 / 复核 and the reasons.
async fn the_review_is_printed(submitter: &TestApp, id: &str) {
    let reason = "实际完成值为定性表述，未附佐证材料";
    let in_report = [
        "<th>自评</th>",
        "<th>复核</th>",
        "扣分原因",
        "财政复核意见",
        reason,
    ];
    printed(submitter, id, &in_report, &["复核得分", "扣分原因", reason]).await;
}

#[tokio::test]
async fn a_reviewer_reviews_the_seed_reports_three_evaluations_in_full() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let submitter = app.as_(Some(app.token("submitter", "430424")));
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        corrected_and_submitted(&submitter, &loaded.evaluation_ids).await;
        for id in &loaded.evaluation_ids {
            reviewed_in_full_and_approved(&reviewer, id).await;
            the_review_is_printed(&submitter, id).await;
        }
        // Every list item and the stats now rest on the review.
        let list = get(&reviewer, "/api/v1/evaluations").await;
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["basis"] == "reviewed" && i["status"] == "approved"),
            "{list}"
        );
        let stats = get(&reviewer, "/api/v1/stats/evaluations?group_by=basis").await;
        assert_eq!(stats["groups"][0]["key"]["basis"], "reviewed");
        assert_eq!(stats["groups"][0]["count"], 3);
    })
    .await;
}
