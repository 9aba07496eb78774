//! Departments, year profiles, finances, funds and projects, with the seed report as data.

use serde_json::{Value, json};

use crate::helpers::{json, on_each_db, problem};
use crate::seed::load_seed;

fn codes(findings: &Value) -> Vec<(String, String)> {
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

#[tokio::test]
async fn seed_report_through_the_api() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;

        // The finances, with the computed block and the findings the report deserves.
        let res = app.get("/api/v1/departments/901424/finances/2024").send().await.unwrap();
        assert_eq!(res.headers()["etag"], "\"1\"");
        let (s, fin) = json(res).await;
        assert_eq!(s, 200, "{fin}");
        assert_eq!(fin["revenue"]["total"], "2135.42");
        assert_eq!(fin["expenditure"]["operating"], "207.60", "the scale is kept");
        let c = &fin["computed"];
        assert_eq!(c["revenue_by_source_sum"], "2135.42");
        assert_eq!(c["expenditure_sum"], "2135.42");
        assert_eq!(c["basic_sum"], "1376.69");
        assert_eq!(c["basic_share_percent"], "64.47");
        assert_eq!(c["project_share_percent"], "35.53");
        assert_eq!(c["staffing_control_rate_percent"], "73.64");
        assert_eq!(c["funds"]["count"], 25);
        assert_eq!(c["funds"]["executed"], "758.73");
        assert_eq!(c["funds"]["declared_project_expenditure"], "758.73");
        assert_eq!(c["funds"]["adds_up"], true);
        let got = codes(&c["findings"]);
        let want: Vec<(String, String)> = [
            ("money.rounding_difference", "/basic_data/three_public/total/prior_final"),
            ("basic.overspend", "/basic_data/three_public/total/final_amount"),
            ("basic.overspend", "/basic_data/three_public/vehicles/final_amount"),
            ("basic.vehicle_purchase_without_budget", "/basic_data/three_public/vehicle_purchase/final_amount"),
            ("basic.overspend", "/basic_data/three_public/vehicle_operation/final_amount"),
            ("basic.overspend", "/basic_data/operating_items/0/final_amount"),
            ("basic.overspend", "/basic_data/operating_items/1/final_amount"),
            ("basic.overspend", "/basic_data/operating_items/2/final_amount"),
            ("finance.cross_table_mismatch", "/basic_data/project_total/final_amount"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(got, want);
        // Every finding is the engine's, for the same figures as the domain transcription.
        let engine = jixiao::domain::finance::reconcile_report(&jixiao::domain::seed::report());
        assert_eq!(engine.len(), want.len());

        // The profile: 在职人员控制率 and the asset sums (which add up).
        let (s, profile) = json(app.get("/api/v1/departments/901424/profiles/2024").send().await.unwrap()).await;
        assert_eq!(s, 200);
        assert_eq!(profile["computed"]["in_service_control_rate_percent"], "73.64");
        assert_eq!(profile["computed"]["assets_sum"], "1088.19");
        assert_eq!(profile["computed"]["findings"], json!([]));
        assert_eq!(profile["assets"]["non_current"], "621.6");

        // Projects carry the budget block of their funds, as in 附件5.
        let (_, projects) = json(app.get("/api/v1/projects?department_id=901424&year=2024").send().await.unwrap()).await;
        let budgets: Vec<(String, Value)> = projects["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap().to_owned(), p["budget"].clone()))
            .collect();
        assert_eq!(budgets[0].1, json!({"initial": "38.2", "full_year": "38.2", "executed": "38.2", "execution_rate_percent": "100.00", "fund_count": 1}));
        assert_eq!(budgets[1].1, json!({"initial": "0", "full_year": "19.87", "executed": "19.87", "execution_rate_percent": "100.00", "fund_count": 1}));

        // Every fund reads back with the same figures, page by page.
        let mut read = Vec::new();
        let mut token = String::new();
        loop {
            let (_, page) = json(app.get(&format!("/api/v1/funds?department_id=901424&page_size=10{token}")).send().await.unwrap()).await;
            read.extend(page["items"].as_array().unwrap().clone());
            match page["next_page_token"].as_str() {
                Some(t) => token = format!("&page_token={t}"),
                None => break,
            }
        }
        assert_eq!(read.len(), 25);
        for (fund, entry) in read.iter().zip(&loaded.file.funds) {
            for field in ["initial", "full_year", "executed"] {
                let sent = serde_json::to_value(&entry.fund).unwrap()[field].clone();
                assert_eq!(fund[field], sent, "{} {field}", entry.fund.name);
            }
            assert_eq!(fund["name"], entry.fund.name.as_str());
        }
        let ids: Vec<&str> = read.iter().map(|f| f["id"].as_str().unwrap()).collect();
        assert_eq!(ids, loaded.fund_ids.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(c["funds"]["fund_ids"].as_array().unwrap().len(), 25);
    })
    .await;
}

#[tokio::test]
async fn amounts_round_trip_exactly() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let body = json!({"department": "901424", "year": 2024, "name": "极值", "level": "county",
                          "initial": "999999999999.9999", "full_year": "0.0001", "executed": "12.3400"});
        let (s, created) = json(app.post("/api/v1/funds").json(&body).send().await.unwrap()).await;
        assert_eq!(s, 201, "{created}");
        let id = created["id"].as_str().unwrap();
        let (_, read) = json(app.get(&format!("/api/v1/funds/{id}")).send().await.unwrap()).await;
        assert_eq!(read["initial"], "999999999999.9999");
        assert_eq!(read["full_year"], "0.0001");
        assert_eq!(read["executed"], "12.3400");
        // Executed far above the full-year budget: the engine says so on the fund itself.
        assert_eq!(read["findings"][0]["code"], "fund.executed_above_budget");
        // JSON numbers are taken digit for digit too.
        let raw = r#"{"department": "901424", "year": 2024, "name": "数字", "level": "county",
                      "initial": 999999999999.9999, "full_year": 12.3400, "executed": 0.0001}"#;
        let res = app.post("/api/v1/funds").header("content-type", "application/json").body(raw).send().await.unwrap();
        let (s, created) = json(res).await;
        assert_eq!(s, 201, "{created}");
        assert_eq!((created["initial"].as_str(), created["full_year"].as_str(), created["executed"].as_str()),
                   (Some("999999999999.9999"), Some("12.3400"), Some("0.0001")));
        // And in the database itself, the text is the exact decimal.
        use sea_orm::{ConnectionTrait, Statement};
        let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(),
            format!("SELECT initial, full_year, executed FROM funds WHERE id = '{id}'"))).await.unwrap().unwrap();
        assert_eq!(row.try_get::<String>("", "initial").unwrap(), "999999999999.9999");
        assert_eq!(row.try_get::<String>("", "executed").unwrap(), "12.3400");
    })
    .await;
}

#[tokio::test]
async fn filters() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let count = |v: &Value| v["items"].as_array().unwrap().len();
        let get = |path: String| {
            let app = app.clone();
            async move {
                let (s, v) = json(app.get(&path).send().await.unwrap()).await;
                assert_eq!(s, 200, "{path}: {v}");
                v
            }
        };
        assert_eq!(
            count(&get("/api/v1/departments?region=4304".into()).await),
            2
        );
        assert_eq!(
            count(&get("/api/v1/departments?region=430424".into()).await),
            1
        );
        assert_eq!(
            count(&get("/api/v1/departments?region=430426".into()).await),
            0
        );
        assert_eq!(count(&get("/api/v1/departments?q=衡东".into()).await), 1);
        let (_, city) = json(app.get("/api/v1/departments/901000").send().await.unwrap()).await;
        let children = get(format!(
            "/api/v1/departments?parent_id={}",
            city["id"].as_str().unwrap()
        ))
        .await;
        assert_eq!(children["items"][0]["budget_code"], "901424");
        assert_eq!(count(&get("/api/v1/funds?level=city".into()).await), 6);
        assert_eq!(count(&get("/api/v1/funds?level=county".into()).await), 19);
        assert_eq!(
            count(&get("/api/v1/funds?year=2024&department_id=901424&page_size=100".into()).await),
            25
        );
        assert_eq!(count(&get("/api/v1/funds?year=2023".into()).await), 0);
        let monitoring = &loaded.project_ids[0].1;
        assert_eq!(
            count(&get(format!("/api/v1/funds?project_id={monitoring}")).await),
            1
        );
        assert_eq!(count(&get("/api/v1/funds?source=other".into()).await), 0);
        assert_eq!(
            count(&get("/api/v1/funds?department_id=nope".into()).await),
            0
        );
        assert_eq!(count(&get("/api/v1/projects?q=黑臭".into()).await), 1);
        assert_eq!(
            count(&get("/api/v1/projects?region=4304&year=2024".into()).await),
            2
        );
        assert_eq!(
            count(&get("/api/v1/projects?region=430426".into()).await),
            0
        );
        let res = app.get("/api/v1/funds?level=town").send().await.unwrap();
        problem(res, 400, "request.invalid_query").await;
        let res = app
            .get("/api/v1/departments?region=43x")
            .send()
            .await
            .unwrap();
        problem(res, 400, "request.invalid_query").await;
    })
    .await;
}

#[tokio::test]
async fn if_match_rules() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let fund = format!("/api/v1/funds/{}", loaded.fund_ids[2]);
        let project = format!("/api/v1/projects/{}", loaded.project_ids[0].1);
        let dept_body = serde_json::to_value(&loaded.file.departments[1]).unwrap();
        let fund_body = json!({"department": "901424", "year": 2024, "name": "排污权有偿使用收入", "level": "city", "executed": "67.78"});
        let project_body = serde_json::to_value(&loaded.file.projects[0].project).unwrap();
        let profile_body = serde_json::to_value(&loaded.file.profiles[0].profile).unwrap();
        let cases = [
            ("/api/v1/departments/901424".to_owned(), dept_body),
            (fund, fund_body),
            (project, project_body),
            ("/api/v1/departments/901424/profiles/2024".to_owned(), profile_body),
        ];
        for (path, body) in cases {
            let res = app.put(&path).json(&body).send().await.unwrap();
            problem(res, 428, "request.precondition_required").await;
            let res = app.put(&path).header("If-Match", "\"7\"").json(&body).send().await.unwrap();
            problem(res, 412, "request.precondition_failed").await;
            let res = app.put(&path).header("If-Match", "\"1\"").json(&body).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(res.headers()["etag"], "\"2\"");
            let res = app.get(&path).header("If-None-Match", "\"2\"").send().await.unwrap();
            assert_eq!(res.status(), 304, "{path}");
        }
        // Deleting: a project with funds is refused; a fund goes; the department with children too.
        let res = app.delete(&format!("/api/v1/projects/{}", loaded.project_ids[1].1)).send().await.unwrap();
        problem(res, 409, "project.has_funds").await;
        let res = app.delete("/api/v1/departments/901000").send().await.unwrap();
        problem(res, 409, "department.has_children").await;
        let res = app.delete(&format!("/api/v1/funds/{}", loaded.fund_ids[3])).send().await.unwrap();
        assert_eq!(res.status(), 204);
        let res = app.get(&format!("/api/v1/funds/{}", loaded.fund_ids[3])).send().await.unwrap();
        problem(res, 404, "fund.not_found").await;
        let (_, fin) = json(app.get("/api/v1/departments/901424/finances/2024").send().await.unwrap()).await;
        assert_eq!(fin["computed"]["funds"]["count"], 24);
        assert_eq!(fin["computed"]["funds"]["adds_up"], false);
        assert!(codes(&fin["computed"]["findings"]).iter().any(|(c, _)| c == "fund.total_mismatch"));
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_with_a_pointer_and_nothing_is_written() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let fund = |patch: Value| {
            let mut body = json!({"department": "901424", "year": 2024, "name": "x", "level": "county", "executed": "1"});
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            body
        };
        let other_dept = json!({"budget_code": "901426", "name": "祁东分局", "region": "430426", "kind": "administrative"});
        let (_, other) = json(app.post("/api/v1/departments").json(&other_dept).send().await.unwrap()).await;
        let (_, other_project) = json(app.post("/api/v1/projects").json(&json!({"department": other["id"], "year": 2024, "name": "别人的项目"})).send().await.unwrap()).await;
        let cases = [
            (fund(json!({"initial": "-1"})), "/initial", "field.invalid"),
            (fund(json!({"executed": -5})), "/executed", "field.invalid"),
            (fund(json!({"full_year": "1.23456"})), "/full_year", "field.invalid"),
            (fund(json!({"source": "lottery"})), "/source", "field.invalid"),
            (fund(json!({"year": 1999})), "/year", "field.out_of_range"),
            (fund(json!({"year": 2101})), "/year", "field.out_of_range"),
            (fund(json!({"project": other_project["id"]})), "/project", "fund.project_mismatch"),
            (fund(json!({"project": loaded.project_ids[0].1, "year": 2023})), "/project", "fund.project_mismatch"),
            (fund(json!({"department": "nope"})), "/department", "fund.unknown_department"),
            (fund(json!({"execution_rate_percent": "100"})), "/execution_rate_percent", "field.read_only"),
            (fund(json!({"id": "x"})), "/id", "field.read_only"),
        ];
        for (body, pointer, code) in cases {
            let res = app.post("/api/v1/funds").json(&body).send().await.unwrap();
            let p = problem(res, 422, "request.validation_failed").await;
            assert_eq!((p["errors"][0]["pointer"].as_str(), p["errors"][0]["code"].as_str()), (Some(pointer), Some(code)), "{body}: {p}");
        }
        let dept = json!({"budget_code": "901499", "name": "x", "region": "430499", "kind": "administrative"});
        let p = problem(app.post("/api/v1/departments").json(&dept).send().await.unwrap(), 422, "request.validation_failed").await;
        assert_eq!((p["errors"][0]["pointer"].as_str(), p["errors"][0]["code"].as_str()), (Some("/region"), Some("department.unknown_region")));
        let dept = json!({"budget_code": "901499", "name": "x", "region": "430424", "kind": "administrative", "parent": "nobody"});
        let p = problem(app.post("/api/v1/departments").json(&dept).send().await.unwrap(), 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["code"], "department.unknown_parent");
        let p = problem(app.post("/api/v1/departments").json(&json!({"budget_code": "901424", "name": "dup", "region": "430424", "kind": "other"})).send().await.unwrap(), 409, "department.exists").await;
        assert!(p["existing"].as_str().unwrap().starts_with("/api/v1/departments/"));
        let mut finance = serde_json::to_value(&loaded.file.finances[0].finance).unwrap();
        finance["revenue"]["by_source"][0]["amount"] = json!("-3");
        let p = problem(app.put("/api/v1/departments/901424/finances/2025").json(&finance).send().await.unwrap(), 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["pointer"], "/revenue/by_source/0/amount");
        let p = problem(app.get("/api/v1/departments/901424/finances/1999").send().await.unwrap(), 400, "request.invalid_path").await;
        assert!(p["detail"].as_str().unwrap().contains("2000"));
        // Nothing was written by the refused requests.
        let (_, funds) = json(app.get("/api/v1/funds?page_size=100").send().await.unwrap()).await;
        assert_eq!(funds["items"].as_array().unwrap().len(), 25);
        let (_, depts) = json(app.get("/api/v1/departments").send().await.unwrap()).await;
        assert_eq!(depts["items"].as_array().unwrap().len(), 3);
        problem(app.get("/api/v1/departments/901424/finances/2025").send().await.unwrap(), 404, "department_year.not_found").await;
    })
    .await;
}

/// A submitter of 衡东 limited to the departments `ids`.
fn submitter_of(app: &crate::helpers::TestApp, ids: &[&str]) -> crate::helpers::TestApp {
    let mut settings = app.settings.clone();
    settings.auth.jwt_secret = Some(crate::helpers::TEST_SECRET.into());
    app.as_(Some(crate::helpers::mint(
        &settings,
        "submitter",
        "430424",
        ids,
    )))
}

#[tokio::test]
async fn another_countys_caller_sees_none_of_a_departments_data() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let sibling = app.as_(Some(app.token("viewer", "430426")));
        problem(
            sibling
                .get("/api/v1/departments/901424")
                .send()
                .await
                .unwrap(),
            404,
            "department.not_found",
        )
        .await;
        problem(
            sibling
                .get("/api/v1/departments/901424/finances/2024")
                .send()
                .await
                .unwrap(),
            404,
            "department.not_found",
        )
        .await;
        problem(
            sibling
                .get(&format!("/api/v1/funds/{}", loaded.fund_ids[0]))
                .send()
                .await
                .unwrap(),
            404,
            "fund.not_found",
        )
        .await;
        problem(
            sibling
                .get(&format!("/api/v1/projects/{}", loaded.project_ids[0].1))
                .send()
                .await
                .unwrap(),
            404,
            "project.not_found",
        )
        .await;
        let (_, funds) = json(sibling.get("/api/v1/funds").send().await.unwrap()).await;
        assert_eq!(funds["items"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn a_submitter_limited_to_departments_sees_only_theirs() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        // A county submitter limited to another department sees none of 衡东分局's data.
        let narrow = submitter_of(&app, &["901999"]);
        let (_, funds) = json(narrow.get("/api/v1/funds").send().await.unwrap()).await;
        assert_eq!(funds["items"], json!([]));
        problem(
            narrow
                .get("/api/v1/departments/901424")
                .send()
                .await
                .unwrap(),
            404,
            "department.not_found",
        )
        .await;
        let own = submitter_of(&app, &["901424"]);
        let (_, funds) = json(own.get("/api/v1/funds?page_size=100").send().await.unwrap()).await;
        assert_eq!(funds["items"].as_array().unwrap().len(), 25);
    })
    .await;
}

#[tokio::test]
async fn reviewers_and_viewers_never_edit_and_submitters_stay_in_their_departments() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let own = submitter_of(&app, &["901424"]);
        // Reviewers read but never edit a submitter's data; viewers only read.
        let reviewer = app.as_(Some(app.token("reviewer", "430400")));
        let body = json!({"department": "901424", "year": 2024, "name": "x", "level": "county"});
        problem(
            reviewer
                .post("/api/v1/funds")
                .json(&body)
                .send()
                .await
                .unwrap(),
            403,
            "auth.forbidden",
        )
        .await;
        let viewer = app.as_(Some(app.token("viewer", "430424")));
        problem(
            viewer
                .post("/api/v1/funds")
                .json(&body)
                .send()
                .await
                .unwrap(),
            403,
            "auth.forbidden",
        )
        .await;
        let (s, _) = json(own.post("/api/v1/funds").json(&body).send().await.unwrap()).await;
        assert_eq!(s, 201);
        // A county submitter cannot place data in the city's department.
        let body = json!({"department": "901000", "year": 2024, "name": "x", "level": "city"});
        let p = problem(
            own.post("/api/v1/funds").json(&body).send().await.unwrap(),
            422,
            "request.validation_failed",
        )
        .await;
        assert_eq!(p["errors"][0]["pointer"], "/department");
    })
    .await;
}

/// A `department_id` filter that names no department the caller can see (another county's,
/// or none at all) answers an empty page, never the department's rows nor an error; in scope
/// it narrows the list.
#[tokio::test]
async fn lists_filtered_by_a_department_outside_the_scope_are_empty() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let sibling = app.as_(Some(app.token("admin", "430426")));
        for list in ["evaluations", "projects", "funds"] {
            let own = format!("/api/v1/{list}?department_id=901424");
            let (s, page) = json(app.get(&own).send().await.unwrap()).await;
            assert_eq!(s, 200, "{page}");
            assert!(
                !page["items"].as_array().unwrap().is_empty(),
                "{list}: {page}"
            );
            for (who, path) in [
                (&sibling, own.clone()),
                (&app, format!("/api/v1/{list}?department_id=nope")),
            ] {
                let (s, page) = json(who.get(&path).send().await.unwrap()).await;
                assert_eq!(s, 200, "{path}: {page}");
                assert_eq!(page["items"], serde_json::json!([]), "{path}");
                assert_eq!(page["next_page_token"], serde_json::Value::Null, "{path}");
            }
        }
    })
    .await;
}
