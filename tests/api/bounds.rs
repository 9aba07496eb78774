//! Amounts are bounded (10^12 万元) and figures too (±10^6): above the bound a write is refused
//! with a pointer; at the bound, many times over, every read still answers.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json, on_each_db, problem};
use crate::seed::load_seed;

const MAX: &str = "1000000000000";

/// Every decimal string of a document replaced by the largest amount.
fn at_maximum(value: &mut Value) {
    match value {
        Value::String(s) if s.parse::<f64>().is_ok() && !s.contains('%') => *s = MAX.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(at_maximum),
        Value::Object(fields) => fields.values_mut().for_each(at_maximum),
        _ => {}
    }
}

async fn ok(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

async fn refused(req: reqwest::RequestBuilder, body: &Value, pointer: &str, code: &str) {
    let p = problem(
        req.json(body).send().await.unwrap(),
        422,
        "request.validation_failed",
    )
    .await;
    assert_eq!(
        (
            p["errors"][0]["pointer"].as_str(),
            p["errors"][0]["code"].as_str()
        ),
        (Some(pointer), Some(code)),
        "{body}: {p}"
    );
}

/// Writes every amount at the largest the service takes: three department evaluations (their
/// sums exceed one maximum), three funds of the seed's first project (as JSON numbers and
/// strings), and 2025's finances and profile (counts at `u32::MAX`). Returns the evaluations'
/// ids and the project's.
async fn write_at_the_bound(app: &TestApp) -> (Vec<String>, String) {
    let loaded = load_seed(app).await;
    let seed_evaluation = serde_json::to_value(&loaded.file.evaluations[0].evaluation).unwrap();

    // Three department evaluations at the largest amount: their sums exceed one maximum.
    let mut evaluation_ids = Vec::new();
    for year in [2021, 2022, 2023] {
        let mut body = seed_evaluation.clone();
        body["year"] = json!(year);
        at_maximum(&mut body["budget"]);
        body["budget"]["weight"] = json!("10");
        body["budget"]["claimed_score"] = json!("10");
        let (s, v) = json(
            app.post("/api/v1/evaluations")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["budget"]["full_year"], MAX, "{v}");
        evaluation_ids.push(v["id"].as_str().unwrap().to_owned());
    }
    // Three funds of the first project at the largest amount, as JSON numbers and strings.
    let project = &loaded.project_ids[0].1;
    for i in 0..3 {
        let amount = if i == 0 {
            json!(1_000_000_000_000_u64)
        } else {
            json!(MAX)
        };
        let body = json!({"department": "901424", "year": 2024, "name": format!("max {i}"),
            "level": "county", "project": project,
            "initial": amount, "full_year": amount, "executed": amount});
        let (s, v) = json(app.post("/api/v1/funds").json(&body).send().await.unwrap()).await;
        assert_eq!(s, 201, "{v}");
    }
    // Finances and a profile of 2025 with every amount at the largest, and counts at u32::MAX.
    let mut finance = serde_json::to_value(&loaded.file.finances[0].finance).unwrap();
    at_maximum(&mut finance);
    let (s, v) = json(
        app.put("/api/v1/departments/901424/finances/2025")
            .json(&finance)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let mut profile = serde_json::to_value(&loaded.file.profiles[0].profile).unwrap();
    at_maximum(&mut profile);
    profile["in_service"] = json!(u32::MAX);
    profile["establishment"]["total"] = json!(1);
    let (s, v) = json(
        app.put("/api/v1/departments/901424/profiles/2025")
            .json(&profile)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 201, "{v}");

    (evaluation_ids, project.clone())
}

#[tokio::test]
async fn sums_of_amounts_at_the_bound_are_exact() {
    on_each_db(|app| async move {
        write_at_the_bound(&app).await;
        let v = ok(&app, "/api/v1/stats/evaluations").await;
        let budget = &v["overall"]["budget"];
        // 3 × 10^12 + the seed's 2135.42 + 38.2 + 19.87.
        assert_eq!(budget["full_year"], "3000000002193.49", "{v}");
        assert_eq!(budget["executed"], "3000000002193.49", "{v}");
        assert_eq!(budget["execution_rate_percent"], "100.00", "{v}");
        let v = ok(
            &app,
            "/api/v1/stats/evaluations?department_id=901424&group_by=year",
        )
        .await;
        assert_eq!(
            v["overall"]["budget"]["full_year"], "3000000002193.49",
            "{v}"
        );
        let v = ok(&app, "/api/v1/projects").await;
        assert!(v.to_string().contains("3000000000"), "{v}");
        let csv = ok(&app, "/api/v1/exports/evaluations.csv").await;
        assert!(
            csv.as_str()
                .unwrap_or_default()
                .contains("1000000000000.00"),
            "{csv}"
        );
    })
    .await;
}

#[tokio::test]
async fn with_amounts_at_the_bound_every_read_answers_for_every_caller() {
    on_each_db(|app| async move {
        let (evaluation_ids, project) = write_at_the_bound(&app).await;
        let city = app.as_(Some(app.token("reviewer", "430400")));
        let viewer = app.as_(Some(app.token("viewer", "430000")));
        // (Reviewers and viewers see no drafts: their reads answer, with nothing in them.)
        for caller in [&app, &city, &viewer] {
            ok(caller, "/api/v1/stats/evaluations").await;
            ok(
                caller,
                "/api/v1/stats/evaluations?group_by=region,year,kind&region_level=city",
            )
            .await;
            ok(
                caller,
                "/api/v1/stats/evaluations?group_by=department,grade,status",
            )
            .await;
            ok(caller, "/api/v1/stats/indicators").await;
            ok(caller, "/api/v1/exports/evaluations.csv").await;
            let res = caller
                .get("/api/v1/exports/evaluations.xlsx")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 200);
            assert!(!res.bytes().await.unwrap().is_empty());
            ok(caller, "/api/v1/projects").await;
            ok(caller, &format!("/api/v1/projects/{project}")).await;
            ok(caller, "/api/v1/funds").await;
            ok(caller, "/api/v1/evaluations").await;
            ok(caller, "/api/v1/indicator-results").await;
            ok(caller, "/api/v1/departments/901424/finances/2025").await;
            ok(caller, "/api/v1/departments/901424/finances/2024").await;
            let v = ok(caller, "/api/v1/departments/901424/profiles/2025").await;
            assert_eq!(v["computed"]["assets_sum"], "2000000000000", "{v}");
        }
        for id in &evaluation_ids {
            ok(&app, &format!("/api/v1/evaluations/{id}")).await;
            let res = app
                .get(&format!("/api/v1/evaluations/{id}/report"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 200);
        }
    })
    .await;
}

#[tokio::test]
async fn amounts_and_figures_above_the_bound_are_refused_with_a_pointer() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let mut evaluation = serde_json::to_value(&loaded.file.evaluations[0].evaluation).unwrap();
        evaluation["year"] = json!(2023);
        let out = "field.out_of_range";
        for (path, value) in [
            ("full_year", json!("800000000000000000000000000")),
            ("full_year", json!("1000000000000.0001")),
            ("executed", json!(800_000_000_000_000_000_000_000_000_u128)),
            ("initial", json!(1_000_000_000_001_u64)),
        ] {
            let mut body = evaluation.clone();
            body["budget"][path] = value;
            refused(
                app.post("/api/v1/evaluations"),
                &body,
                &format!("/budget/{path}"),
                out,
            )
            .await;
        }
        let mut body = evaluation.clone();
        body["indicators"][0]["weight"] = json!("1000000.0001");
        refused(
            app.post("/api/v1/evaluations"),
            &body,
            "/indicators/0/weight",
            out,
        )
        .await;
        let mut body = evaluation.clone();
        body["claimed_total"] = json!("-1000001");
        refused(
            app.post("/api/v1/evaluations"),
            &body,
            "/claimed_total",
            out,
        )
        .await;
        // 8e26 as a JSON number in exponent notation.
        let mut body = evaluation.clone();
        body["budget"]["full_year"] = serde_json::from_str("8e26").unwrap();
        refused(
            app.post("/api/v1/evaluations"),
            &body,
            "/budget/full_year",
            out,
        )
        .await;

        let fund = json!({"department": "901424", "year": 2024, "name": "x", "level": "county",
            "full_year": "800000000000000000000000000"});
        refused(app.post("/api/v1/funds"), &fund, "/full_year", out).await;

        let mut finance = serde_json::to_value(&loaded.file.finances[0].finance).unwrap();
        finance["revenue"]["total"] = json!("1000000000000.0001");
        refused(
            app.put("/api/v1/departments/901424/finances/2026"),
            &finance,
            "/revenue/total",
            out,
        )
        .await;
        let mut profile = serde_json::to_value(&loaded.file.profiles[0].profile).unwrap();
        profile["assets"]["total"] = json!("800000000000000000000000000");
        refused(
            app.put("/api/v1/departments/901424/profiles/2026"),
            &profile,
            "/assets/total",
            out,
        )
        .await;

        // The Chinese message says what the bound is.
        let mut body = evaluation.clone();
        body["budget"]["full_year"] = json!("1000000000000.0001");
        let res = app
            .post("/api/v1/evaluations")
            .header("accept-language", "zh-CN")
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert!(
            p["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("10^12 万元"),
            "{p}"
        );

        // Nothing was written.
        let v = ok(&app, "/api/v1/stats/evaluations").await;
        assert_eq!(v["overall"]["count"], 3, "{v}");
    })
    .await;
}
