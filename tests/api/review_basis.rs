//! The final score and its basis: once a reviewer scores an evaluation, its list item, the
//! stats (grouped and filtered by basis) and the export give the reviewed total and grade and
//! say `reviewed`; new data from the unit goes back to `computed`.

use serde_json::{Value, json};

use crate::evaluations::{act, corrected_black_water};
use crate::helpers::{TestApp, json, on_each_db};
use crate::reviews::{deductions, put_review, submitted};

async fn get(app: &TestApp, path: &str) -> Value {
    let (s, v) = json(app.get(path).send().await.unwrap()).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

fn item<'a>(page: &'a Value, id: &str) -> &'a Value {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {page}"))
}

/// `(basis, count)` of each group of `group_by=basis`.
fn by_basis(stats: &Value) -> Vec<(String, u64)> {
    stats["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"]["basis"].as_str().unwrap().to_owned(),
                g["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The 最终总分 and 得分依据 of one evaluation in the CSV export.
async fn exported(app: &TestApp, id: &str) -> (String, String) {
    let text = app
        .get("/api/v1/exports/evaluations.csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (total, basis, eid) = (at("最终总分"), at("得分依据"), at("评价ID"));
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[eid] == id)
        .unwrap();
    (row[total].to_owned(), row[basis].to_owned())
}

#[tokio::test]
async fn a_review_makes_lists_stats_and_exports_give_the_reviewed_score() {
    on_each_db(|app| async move {
        let id = submitted(&app, None).await;
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        let before = get(&reviewer, "/api/v1/evaluations").await;
        assert_eq!(item(&before, &id)["basis"], "computed");
        let computed_total = item(&before, &id)["total"].clone();
        let stats = get(&reviewer, "/api/v1/stats/evaluations?group_by=basis").await;
        assert_eq!(by_basis(&stats), [("computed".to_owned(), 3)], "{stats}");

        let (s, v) = json(put_review(&reviewer, &id, 3, deductions()).await).await;
        assert_eq!(s, 200, "{v}");
        let reviewed_total = v["final_total"].clone();
        assert_ne!(reviewed_total, computed_total);

        // The list item: the reviewed total and grade, said to be reviewed.
        let after = get(&reviewer, "/api/v1/evaluations").await;
        let it = item(&after, &id);
        assert_eq!(it["basis"], "reviewed", "{it}");
        assert_eq!(it["total"], reviewed_total, "{it}");
        assert_eq!(it["grade"], v["final_grade"], "{it}");
        // The same in the full view's row and in the change feed's summary.
        let full = get(&reviewer, "/api/v1/evaluations?view=full").await;
        let whole = item(&full, &id);
        assert_eq!(
            (&whole["basis"], &whole["total"], &whole["grade"]),
            (&json!("reviewed"), &reviewed_total, &v["final_grade"]),
            "{whole}"
        );
        assert_eq!(whole["computed"]["total"], computed_total);
        // Stats group and filter by basis (the cells answer both).
        let stats = get(&reviewer, "/api/v1/stats/evaluations?group_by=basis").await;
        assert_eq!(
            by_basis(&stats),
            [("computed".to_owned(), 2), ("reviewed".to_owned(), 1)],
            "{stats}"
        );
        let reviewed_group = &stats["groups"][1];
        assert_eq!(reviewed_group["key"]["basis_label_zh"], "复核");
        assert_eq!(reviewed_group["average_total"], reviewed_total, "{stats}");
        let only = get(&reviewer, "/api/v1/stats/evaluations?basis=reviewed").await;
        assert_eq!(only["overall"]["count"], 1, "{only}");
        // With a department in the filter the rows answer, and agree.
        let by_rows = get(
            &reviewer,
            "/api/v1/stats/evaluations?basis=reviewed&group_by=department,basis",
        )
        .await;
        assert_eq!(by_rows["groups"][0]["count"], 1, "{by_rows}");
        let listed = get(&reviewer, "/api/v1/evaluations?basis=reviewed").await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
        // The export says it too.
        let (total, basis) = exported(&reviewer, &id).await;
        assert_eq!(basis, "复核");
        assert_eq!(
            total.parse::<rust_decimal::Decimal>().unwrap(),
            reviewed_total.as_str().unwrap().parse().unwrap()
        );
    })
    .await;
}

#[tokio::test]
async fn new_data_from_the_unit_is_scored_by_the_engine_again() {
    on_each_db(|app| async move {
        let id = submitted(&app, None).await;
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        let (s, v) = json(put_review(&reviewer, &id, 3, deductions()).await).await;
        assert_eq!(s, 200, "{v}");
        // Returned, the unit changes its data: the engine's score again, until a new review.
        let (s, e) = act(
            &reviewer,
            &id,
            "return",
            Some(json!({"reason": "补充佐证"})),
        )
        .await;
        assert_eq!(s, 200, "{e}");
        assert_eq!(
            item(&get(&reviewer, "/api/v1/evaluations").await, &id)["basis"],
            "reviewed"
        );
        let submitter = app.as_(Some(app.token("submitter", "430424")));
        let (s, doc) = json(
            submitter
                .get(&format!("/api/v1/evaluations/{id}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200);
        let version = doc["version"].as_i64().unwrap();
        let mut input = corrected_black_water(doc["project_id"].as_str().unwrap());
        input["indicators"][3]["actual"] = json!("95%");
        let res = submitter
            .put(&format!("/api/v1/evaluations/{id}"))
            .header("If-Match", format!("\"{version}\""))
            .json(&input)
            .send()
            .await
            .unwrap();
        let (s, v) = json(res).await;
        assert_eq!(s, 200, "{v}");
        let it = item(&get(&reviewer, "/api/v1/evaluations").await, &id).clone();
        assert_eq!(it["basis"], "computed", "{it}");
        let stats = get(&reviewer, "/api/v1/stats/evaluations?group_by=basis").await;
        assert_eq!(by_basis(&stats), [("computed".to_owned(), 3)], "{stats}");
    })
    .await;
}
