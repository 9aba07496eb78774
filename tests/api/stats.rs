//! Aggregates: the seed's three evaluations and their indicator rows, counted by hand.

use std::collections::BTreeMap;

use jixiao::app::cells;
use serde_json::Value;

use crate::helpers::{TestApp, json, on_each_db, on_each_db_with, problem};
use crate::seed::load_seed;

async fn get(app: &TestApp, path: &str) -> Value {
    let (s, v) = json(app.get(path).send().await.unwrap()).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

fn band_counts(summary: &Value) -> Vec<(String, u64)> {
    summary["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["band"].as_str().unwrap().to_owned(),
                b["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn stats_of_the_seed_evaluations() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let v = get(&app, "/api/v1/stats/evaluations?year=2024&region=430424").await;
        assert_eq!(v["group_by"], serde_json::json!([]));
        assert_eq!(v["groups"], serde_json::json!([]));
        let o = &v["overall"];
        assert_eq!(o["count"], 3);
        // 90, 95 and 100: the seed's unverifiable rows keep their claims for the reviewer.
        assert_eq!(o["average_total"], "95.00");
        assert_eq!(o["min_total"], "90.00");
        assert_eq!(o["max_total"], "100.00");
        assert_eq!(
            o["grades"],
            serde_json::json!({"excellent": 3, "good": 0, "fair": 0, "poor": 0})
        );
        assert_eq!(
            band_counts(o),
            vec![
                ("0-60".to_owned(), 0),
                ("60-80".to_owned(), 0),
                ("80-90".to_owned(), 0),
                ("90-100".to_owned(), 3)
            ]
        );
        assert_eq!(o["distribution"][3]["upper_included"], true);
        // 2135.42 + 38.2 + 19.87, executed in full.
        assert_eq!(o["budget"]["evaluations_with_budget"], 3);
        assert_eq!(o["budget"]["full_year"], "2193.49");
        assert_eq!(o["budget"]["executed"], "2193.49");
        assert_eq!(o["budget"]["execution_rate_percent"], "100.00");

        let v = get(&app, "/api/v1/stats/evaluations?group_by=kind").await;
        assert_eq!(v["group_by"], serde_json::json!(["kind"]));
        let groups = v["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 2, "{v}");
        assert_eq!(groups[0]["key"]["kind"], "department");
        assert_eq!(groups[0]["key"]["kind_label_zh"], "部门整体支出");
        assert_eq!(groups[0]["count"], 1);
        assert_eq!(groups[0]["average_total"], "90.00");
        assert_eq!(groups[0]["budget"]["full_year"], "2135.42");
        assert_eq!(groups[1]["key"]["kind"], "project");
        assert_eq!(groups[1]["count"], 2);
        assert_eq!(groups[1]["average_total"], "97.50");
        assert_eq!(groups[1]["budget"]["full_year"], "58.07");
        assert_eq!(groups[1]["budget"]["execution_rate_percent"], "100.00");

        // Regions at city level: 430424 counts under 430400.
        let v = get(
            &app,
            "/api/v1/stats/evaluations?group_by=region&region_level=city",
        )
        .await;
        let groups = v["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 1, "{v}");
        assert_eq!(groups[0]["key"]["region"], "430400");
        assert_eq!(groups[0]["count"], 3);
        assert_eq!(v["region_level"], "city");
        let v = get(&app, "/api/v1/stats/evaluations?group_by=region").await;
        assert_eq!(v["groups"][0]["key"]["region"], "430424");

        // Several dimensions at once, with the department's name.
        let v = get(
            &app,
            "/api/v1/stats/evaluations?group_by=department,year,grade,status",
        )
        .await;
        let groups = v["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 1, "{v}");
        let key = &groups[0]["key"];
        assert_eq!(key["budget_code"], "901424", "{key}");
        assert!(key["department_name"].as_str().unwrap().contains("衡东"));
        assert_eq!(key["year"], 2024);
        assert_eq!(key["grade"], "excellent");
        assert_eq!(key["grade_label_zh"], "优");
        assert_eq!(key["status"], "draft");
        assert_eq!(key["status_label_zh"], "草稿");

        // Filters as on the list.
        let v = get(
            &app,
            "/api/v1/stats/evaluations?kind=project&grade=excellent",
        )
        .await;
        assert_eq!(v["overall"]["count"], 2);
        let v = get(&app, "/api/v1/stats/evaluations?department_id=901424").await;
        assert_eq!(v["overall"]["count"], 3);
        let v = get(&app, "/api/v1/stats/evaluations?status=submitted").await;
        assert_eq!(v["overall"]["count"], 0);
        assert_eq!(v["overall"]["average_total"], Value::Null);
        assert_eq!(
            v["overall"]["budget"]["execution_rate_percent"],
            Value::Null
        );
        assert_eq!(v["overall"]["budget"]["full_year"], "0.00");
        let v = get(&app, "/api/v1/stats/evaluations?year=2023").await;
        assert_eq!(v["overall"]["count"], 0);
    })
    .await;
}

#[tokio::test]
async fn stats_are_scoped() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        // Viewers see submitted and approved evaluations only: the seed has drafts.
        let viewer = app.as_(Some(app.token("viewer", "430000")));
        let v = get(&viewer, "/api/v1/stats/evaluations?group_by=kind").await;
        assert_eq!(v["overall"]["count"], 0);
        assert_eq!(v["groups"], serde_json::json!([]));
        let v = get(&viewer, "/api/v1/stats/indicators").await;
        assert_eq!(v["overall"]["count"], 0);
        assert_eq!(v["level1"], serde_json::json!([]));
        // A sibling county sees nothing of 衡东县.
        let sibling = app.as_(Some(app.token("admin", "430426")));
        let v = get(&sibling, "/api/v1/stats/evaluations?group_by=region").await;
        assert_eq!(v["overall"]["count"], 0);
        let v = get(&sibling, "/api/v1/stats/indicators").await;
        assert_eq!(v["overall"]["count"], 0);
        let v = get(&sibling, "/api/v1/stats/evaluations?department_id=901424").await;
        assert_eq!(v["overall"]["count"], 0);
        // The county itself sees all three.
        let county = app.as_(Some(app.token("submitter", "430424")));
        let v = get(&county, "/api/v1/stats/evaluations").await;
        assert_eq!(v["overall"]["count"], 3);
    })
    .await;
}

#[tokio::test]
async fn stats_refuse_unknown_dimensions() {
    on_each_db(|app| async move {
        let res = app
            .get("/api/v1/stats/evaluations?group_by=kind,colour")
            .send()
            .await
            .unwrap();
        let body = problem(res, 400, "request.invalid_query").await;
        assert_eq!(body["errors"][0]["parameter"], "group_by", "{body}");
        assert!(body["detail"].as_str().unwrap().contains("colour"));
        let res = app
            .get("/api/v1/stats/evaluations?group_by=region&region_level=village")
            .send()
            .await
            .unwrap();
        let body = problem(res, 400, "request.invalid_query").await;
        assert_eq!(body["errors"][0]["parameter"], "region_level", "{body}");
        let res = app
            .get("/api/v1/stats/evaluations?sort=total")
            .send()
            .await
            .unwrap();
        problem(res, 400, "request.invalid_query").await;
        let res = app
            .get("/api/v1/stats/evaluations?status=done")
            .send()
            .await
            .unwrap();
        let body = problem(res, 400, "request.invalid_query").await;
        assert_eq!(body["errors"][0]["parameter"], "status", "{body}");
    })
    .await;
}

#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
struct Counts {
    count: u64,
    achieved: u64,
    not_achieved: u64,
    unscored: u64,
}

fn counts_of(v: &Value) -> Counts {
    Counts {
        count: v["count"].as_u64().unwrap(),
        achieved: v["achieved"].as_u64().unwrap(),
        not_achieved: v["not_achieved"].as_u64().unwrap(),
        unscored: v["unscored"].as_u64().unwrap(),
    }
}

fn add(c: &mut Counts, achieved: &Value) {
    c.count += 1;
    match achieved.as_bool() {
        Some(true) => c.achieved += 1,
        Some(false) => c.not_achieved += 1,
        None => c.unscored += 1,
    }
}

#[tokio::test]
async fn indicator_stats_match_the_indicator_results() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let rows = get(&app, "/api/v1/indicator-results?page_size=500").await;
        assert_eq!(rows["next_page_token"], Value::Null);
        let rows = rows["items"].as_array().unwrap().clone();
        assert!(rows.len() > 10, "{}", rows.len());
        let mut overall = Counts::default();
        let mut by_level1: BTreeMap<String, Counts> = BTreeMap::new();
        let mut by_level2: BTreeMap<(String, String), Counts> = BTreeMap::new();
        for r in &rows {
            let l1 = r["level1"].as_str().unwrap().to_owned();
            let l2 = r["level2"].as_str().unwrap().to_owned();
            add(&mut overall, &r["achieved"]);
            add(by_level1.entry(l1.clone()).or_default(), &r["achieved"]);
            add(by_level2.entry((l1, l2)).or_default(), &r["achieved"]);
        }

        let v = get(&app, "/api/v1/stats/indicators").await;
        assert_eq!(counts_of(&v["overall"]), overall, "{v}");
        let got: BTreeMap<String, Counts> = v["level1"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| (g["level1"].as_str().unwrap().to_owned(), counts_of(g)))
            .collect();
        assert_eq!(got, by_level1);
        assert!(got.contains_key("产出指标"), "{got:?}");
        // Each group names its level-1 code too, the vocabulary rule sets use.
        let codes: BTreeMap<&str, &Value> = v["level1"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| (g["level1"].as_str().unwrap(), &g["level1_code"]))
            .collect();
        assert_eq!(codes["产出指标"], "output", "{codes:?}");
        assert_eq!(codes["效益指标"], "benefit", "{codes:?}");
        let mut got2 = BTreeMap::new();
        for g in v["level1"].as_array().unwrap() {
            let l1 = g["level1"].as_str().unwrap().to_owned();
            let mut sum = Counts::default();
            for s in g["level2"].as_array().unwrap() {
                let c = counts_of(s);
                sum.count += c.count;
                sum.achieved += c.achieved;
                sum.not_achieved += c.not_achieved;
                sum.unscored += c.unscored;
                got2.insert((l1.clone(), s["level2"].as_str().unwrap().to_owned()), c);
            }
            assert_eq!(sum, counts_of(g), "level2 add up to {l1}");
        }
        assert_eq!(got2, by_level2);
        // The rate: achieved over the scored rows, two decimals.
        let scored = overall.achieved + overall.not_achieved;
        if scored > 0 {
            let rate = rust_decimal::Decimal::from(overall.achieved * 100)
                / rust_decimal::Decimal::from(scored);
            let rate = rate
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            assert_eq!(
                v["overall"]["achievement_rate_percent"].as_str().unwrap(),
                format!("{rate:.2}")
            );
        }

        // Filters: one level1, one kind.
        let v = get(
            &app,
            "/api/v1/stats/indicators?level1=%E4%BA%A7%E5%87%BA%E6%8C%87%E6%A0%87",
        )
        .await;
        assert_eq!(v["level1"].as_array().unwrap().len(), 1);
        assert_eq!(counts_of(&v["overall"]), by_level1["产出指标"]);
        let department_rows = rows.iter().filter(|r| r["kind"] == "department").count();
        let v = get(&app, "/api/v1/stats/indicators?kind=department&year=2024").await;
        assert_eq!(
            v["overall"]["count"].as_u64().unwrap(),
            department_rows as u64
        );
        let v = get(&app, "/api/v1/stats/indicators?year=2023").await;
        assert_eq!(v["overall"]["count"], 0);
        assert_eq!(v["overall"]["achievement_rate_percent"], Value::Null);
    })
    .await;
}

/// The maintained cells after creates, a replace that changes the grade, the workflow and a
/// delete: equal to what the evaluations and indicator rows give, and the aggregates read from
/// them equal to the ones summed from the evaluations (a caller scoped to departments is
/// answered from the evaluations themselves).
/// Asserts that both kinds of aggregate cells equal a recount from their rows; returns how
/// many non-zero indicator cells there are.
async fn cells_equal_a_recount(db: &sea_orm::DatabaseConnection) -> usize {
    let (stored, expected) = cells::evaluation_cells_and_recount(db).await.unwrap();
    assert_eq!(stored, expected);
    let (stored, expected) = cells::indicator_cells_and_recount(db).await.unwrap();
    assert_eq!(stored, expected);
    stored.len()
}

#[tokio::test]
async fn aggregate_cells_follow_every_write() {
    use crate::evaluations::{act, corrected_black_water};
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let check = |app: TestApp| async move {
            assert!(cells_equal_a_recount(&app.db).await > 0);
            // Cells (an admin of the province) against the evaluations (a reviewer scoped to
            // the two seed departments, which hold every evaluation).
            let departments: Vec<&str> = vec!["901000", "901424"];
            let scoped = app.as_(Some(crate::helpers::mint(
                &app.settings,
                "reviewer",
                "430000",
                &departments,
            )));
            for q in [
                "/api/v1/stats/evaluations?group_by=region,year,kind,grade,status",
                "/api/v1/stats/evaluations?group_by=region&region_level=city&year=2024",
                "/api/v1/stats/indicators",
                "/api/v1/stats/indicators?kind=project&year=2024",
            ] {
                assert_eq!(get(&app, q).await, get(&scoped, q).await, "{q}");
            }
        };
        check(app.clone()).await;

        // Replace 附件5 #2 with its corrected rows: the grade goes from poor to excellent.
        let id = loaded.evaluation_ids[2].clone();
        let path = format!("/api/v1/evaluations/{id}");
        let submitter = app.as_(Some(app.token("submitter", "430424")));
        let res = submitter
            .put(&path)
            .header("If-Match", "\"1\"")
            .json(&corrected_black_water(&loaded.project_ids[1].1))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        check(app.clone()).await;
        let (s, _) = act(&submitter, &id, "submit", None).await;
        assert_eq!(s, 200);
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        let (s, e) = act(
            &reviewer,
            &id,
            "return",
            Some(serde_json::json!({"reason": "x"})),
        )
        .await;
        assert_eq!(s, 200, "{e}");
        check(app.clone()).await;
        let (s, _) = act(&submitter, &id, "submit", None).await;
        assert_eq!(s, 200);
        let (s, e) = act(&reviewer, &id, "approve", None).await;
        assert_eq!(s, 200, "{e}");
        check(app.clone()).await;
        // A viewer counts the approved one only.
        let viewer = app.as_(Some(app.token("viewer", "430000")));
        let v = get(&viewer, "/api/v1/stats/evaluations?group_by=status").await;
        assert_eq!(v["overall"]["count"], 1, "{v}");
        assert_eq!(v["overall"]["grades"]["excellent"], 1, "{v}");

        // Delete a draft: it leaves its cells.
        let first = loaded.evaluation_ids[1].clone();
        let res = app
            .delete(&format!("/api/v1/evaluations/{first}"))
            .header("If-Match", "\"1\"")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
        check(app.clone()).await;
        let v = get(&app, "/api/v1/stats/evaluations").await;
        assert_eq!(v["overall"]["count"], 2, "{v}");
    })
    .await;
}

/// A database from before the cells (evaluations, no cells) gets them filled when migrations
/// run, and the aggregates answer as before. (The cells are emptied behind the service's back,
/// which no write of the service does: the read cache, which sees writes only, is off.)
#[tokio::test]
async fn aggregate_cells_are_filled_for_a_database_from_before_them() {
    use sea_orm::ConnectionTrait;
    on_each_db_with(
        |s| s.read_cache_bytes = 0,
        |app| async move {
            load_seed(&app).await;
            let q = "/api/v1/stats/evaluations?group_by=region,kind,grade";
            let before = get(&app, q).await;
            let indicators = get(&app, "/api/v1/stats/indicators").await;
            app.db
                .execute_unprepared("DELETE FROM evaluation_cells; DELETE FROM indicator_cells;")
                .await
                .unwrap();
            let (stored, _) = cells::evaluation_cells_and_recount(&app.db).await.unwrap();
            assert!(stored.is_empty());
            assert_eq!(get(&app, q).await["overall"]["count"], 0);

            jixiao::app::migrate_up(&app.db).await.unwrap();
            assert!(cells_equal_a_recount(&app.db).await > 0);
            assert_eq!(get(&app, q).await, before);
            assert_eq!(get(&app, "/api/v1/stats/indicators").await, indicators);
            // Filled once: a second run changes nothing.
            jixiao::app::migrate_up(&app.db).await.unwrap();
            assert_eq!(get(&app, q).await, before);
        },
    )
    .await;
}
