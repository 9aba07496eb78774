//! Views of the evaluation list (#17): a summary by default, `view=full`, `fields=`, the same
//! summary in the change feed, and the summary columns filled by the migration.

use migration::{Migrator, MigratorTrait};
use serde_json::Value;

use crate::helpers::{json, on_each_db, problem, rename_department};
use crate::seed::load_seed;

/// The summary's properties, as the contract declares them.
async fn summary_properties(app: &crate::helpers::TestApp) -> Vec<String> {
    let (_, doc) = json(app.get("/openapi.json").send().await.unwrap()).await;
    let schema = &doc["components"]["schemas"]["EvaluationSummaryItem"];
    let mut props: Vec<String> = schema["properties"]
        .as_object()
        .expect("EvaluationSummaryItem has properties")
        .keys()
        .cloned()
        .collect();
    props.sort();
    props
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

async fn list(app: &crate::helpers::TestApp, query: &str) -> Vec<Value> {
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

/// Each summary names what it lists and agrees with the whole evaluation it summarises.
async fn check_summaries(app: &crate::helpers::TestApp, items: &[Value]) {
    let props = summary_properties(app).await;
    for item in items {
        assert_eq!(keys(item), props, "{item}");
        let id = item["id"].as_str().unwrap();
        let (_, full) = json(
            app.get(&format!("/api/v1/evaluations/{id}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let (_, dept) = json(
            app.get(&format!(
                "/api/v1/departments/{}",
                full["department_id"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap(),
        )
        .await;
        assert_eq!(item["department_name"], dept["name"]);
        assert_eq!(item["department_budget_code"], dept["budget_code"]);
        assert_eq!(item["region"], full["region"]);
        assert_eq!(item["total"], full["computed"]["total"]);
        assert_eq!(item["grade"], full["computed"]["grade"]);
        assert_eq!(item["error_count"], full["computed"]["error_count"]);
        assert_eq!(item["warning_count"], full["computed"]["warning_count"]);
        assert_eq!(item["status"], full["status"]);
        assert_eq!(item["version"], full["version"]);
        assert_eq!(item["updated_at"], full["updated_at"]);
        assert_eq!(item["basis"], "computed");
        assert_eq!(item["href"], format!("/api/v1/evaluations/{id}"));
        assert_eq!(
            item["budget_full_year"]
                .as_str()
                .map(|s| s.parse::<f64>().unwrap()),
            full["budget"]["full_year"]
                .as_str()
                .map(|s| s.parse::<f64>().unwrap()),
            "{item}"
        );
        if full["kind"] == "project" {
            let (_, project) = json(
                app.get(&format!(
                    "/api/v1/projects/{}",
                    full["project_id"].as_str().unwrap()
                ))
                .send()
                .await
                .unwrap(),
            )
            .await;
            assert_eq!(item["project_name"], project["name"]);
        } else {
            assert_eq!(item["project_name"], Value::Null);
        }
    }
}

#[tokio::test]
async fn lists_answer_summaries_that_name_what_they_list() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let items = list(&app, "page_size=100").await;
        assert_eq!(items.len(), 3);
        check_summaries(&app, &items).await;
        assert!(
            items.iter().all(|i| i["region_name"] == "衡东县"),
            "{items:?}"
        );
        assert!(
            items
                .iter()
                .all(|i| i.get("computed").is_none() && i.get("indicators").is_none())
        );
        assert!(
            items
                .iter()
                .any(|i| i["warning_count"].as_i64().unwrap() > 0),
            "{items:?}"
        );
        // The names are read now, not copied at write time.
        let dept = items[0]["department_id"].as_str().unwrap().to_owned();
        rename_department(&app, &dept, "衡东县生态环境分局（更名）").await;
        let items = list(&app, &format!("department_id={dept}")).await;
        assert!(!items.is_empty());
        assert!(
            items
                .iter()
                .all(|i| i["department_name"] == "衡东县生态环境分局（更名）")
        );
    })
    .await;
}

#[tokio::test]
async fn view_full_answers_whole_evaluations() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let items = list(&app, "view=full&page_size=100").await;
        assert_eq!(items.len(), 3);
        for item in &items {
            let id = item["id"].as_str().unwrap();
            let (_, full) = json(
                app.get(&format!("/api/v1/evaluations/{id}"))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(item, &full);
        }
        // `view=summary` is the default, said out loud.
        let explicit = list(&app, "view=summary&page_size=100").await;
        assert_eq!(explicit, list(&app, "page_size=100").await);
        let e = problem(
            app.get("/api/v1/evaluations?view=everything")
                .send()
                .await
                .unwrap(),
            400,
            "request.invalid_query",
        )
        .await;
        assert!(
            e["detail"].as_str().unwrap().contains("`everything`"),
            "{e}"
        );
    })
    .await;
}

#[tokio::test]
async fn fields_choose_a_subset_and_unknown_ones_are_named() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let items = list(&app, "fields=id,department_name,total,grade").await;
        assert_eq!(items.len(), 3);
        for item in &items {
            assert_eq!(keys(item), ["department_name", "grade", "id", "total"]);
        }
        // Every property of the contract's summary can be chosen.
        let props = summary_properties(&app).await;
        let all = list(&app, &format!("fields={}", props.join(","))).await;
        assert_eq!(all, list(&app, "").await);
        // Fields of the whole document with view=full.
        let items = list(&app, "view=full&fields=id,computed").await;
        assert!(items.iter().all(|i| keys(i) == ["computed", "id"]));
        assert!(items[0]["computed"]["rows"].is_array());
        // `computed` is not a summary field; `nope` is no field at all.
        for (query, name) in [
            ("fields=id,computed", "computed"),
            ("fields=id,nope", "nope"),
            ("view=full&fields=department_name", "department_name"),
        ] {
            let e = problem(
                app.get(&format!("/api/v1/evaluations?{query}"))
                    .send()
                    .await
                    .unwrap(),
                400,
                "request.invalid_query",
            )
            .await;
            assert!(
                e["detail"].as_str().unwrap().contains(&format!("`{name}`")),
                "{e}"
            );
            assert_eq!(e["errors"][0]["parameter"], "fields", "{e}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_feed_carries_evaluation_summaries() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let (s, page) = json(app.get("/api/v1/changes?limit=1000").send().await.unwrap()).await;
        assert_eq!(s, 200, "{page}");
        let props = summary_properties(&app).await;
        let entries: Vec<&Value> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["entity"] == "evaluation")
            .collect();
        assert_eq!(entries.len(), 3);
        for e in &entries {
            assert_eq!(keys(&e["data"]), props, "{e}");
            assert_eq!(e["data"]["region_name"], "衡东县");
        }
        // The last entry of each evaluation is its summary now.
        let items = list(&app, "").await;
        for item in &items {
            let last = entries
                .iter()
                .rev()
                .find(|e| e["id"] == item["id"])
                .unwrap();
            assert_eq!(&last["data"], item);
        }
    })
    .await;
}

#[tokio::test]
async fn the_summary_columns_are_filled_from_stored_documents() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let before = list(&app, "").await;
        // Down to before the summary columns and up again: the columns go, come back, and are
        // filled from the documents.
        let all = Migrator::migrations();
        let at = all
            .iter()
            .position(|m| m.name() == "m20261201_000010_evaluation_summary_columns")
            .unwrap();
        Migrator::down(&app.db, Some((all.len() - at) as u32))
            .await
            .unwrap();
        Migrator::up(&app.db, None).await.unwrap();
        let after = list(&app, "").await;
        assert_eq!(before, after);
        assert!(
            after
                .iter()
                .any(|i| i["warning_count"].as_i64().unwrap() > 0)
        );
    })
    .await;
}
