//! Idempotent retries (also across two instances on one database) and the change feed.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::{
    Backend, TestApp, backends, json, on_each_db, problem, second_instance, spawn_app,
};
use crate::seed::load_seed;

fn fund(name: &str) -> Value {
    json!({"department": "901424", "year": 2024, "name": name, "level": "county", "executed": "1.5"})
}

#[tokio::test]
async fn retries_with_the_same_key_replay_the_first_answer() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let post = |key: &str, body: &Value| {
            app.post("/api/v1/funds")
                .header("Idempotency-Key", key)
                .json(body)
                .send()
        };
        let first = post("k-1", &fund("重试资金")).await.unwrap();
        assert_eq!(first.status(), 201);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let location = first.headers()["location"].clone();
        let first_body = first.text().await.unwrap();
        for _ in 0..2 {
            let again = post("k-1", &fund("重试资金")).await.unwrap();
            assert_eq!(again.status(), 201);
            assert_eq!(again.headers()["idempotent-replayed"], "true");
            assert_eq!(again.headers()["location"], location);
            assert_eq!(again.text().await.unwrap(), first_body);
        }
        let (_, funds) = json(app.get("/api/v1/funds?page_size=100").send().await.unwrap()).await;
        let named: Vec<&Value> = funds["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["name"] == "重试资金")
            .collect();
        assert_eq!(named.len(), 1, "one write for three requests");
        // The same key with another body.
        let p = problem(
            post("k-1", &fund("别的资金")).await.unwrap(),
            422,
            "idempotency.key_reused",
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("another request"));
        // Refusals replay too, word for word.
        let bad = json!({"department": "901424", "year": 1999, "name": "x", "level": "county"});
        let first = post("k-2", &bad).await.unwrap();
        let first = problem(first, 422, "request.validation_failed").await;
        let again = post("k-2", &bad).await.unwrap();
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        let (_, again) = json(again).await;
        assert_eq!(again, first);
        // Keys belong to their caller.
        let other = app.as_(Some(app.token("admin", "430424")));
        let res = other
            .post("/api/v1/funds")
            .header("Idempotency-Key", "k-1")
            .json(&fund("重试资金"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        assert!(res.headers().get("idempotent-replayed").is_none());
        // A bad key.
        let res = app
            .post("/api/v1/funds")
            .header("Idempotency-Key", "has space")
            .json(&fund("x"))
            .send()
            .await
            .unwrap();
        problem(res, 400, "request.invalid_header").await;
    })
    .await;
}

/// The stored form of a key of the test app's admin (subject and scope, then the key).
fn stored_key(key: &str) -> String {
    use jixiao::domain::policy::{Principal, Role};
    let admin = Principal {
        subject: "admin@430000".into(),
        role: Role::Admin,
        region: jixiao::domain::region::RegionCode::parse("430000").unwrap(),
        departments: None,
    };
    jixiao::app::idempotency::storage_key(&admin, key)
}

#[tokio::test]
async fn a_retry_while_the_first_runs_is_409() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        // The first request holds the key (as it does while running, on any instance).
        use sea_orm::{ConnectionTrait, Statement};
        let sql = "INSERT INTO idempotency_keys (key, request_hash, state, created_at) VALUES ($1, $2, 'running', $3)";
        let sql = if app.db.get_database_backend() == sea_orm::DbBackend::Sqlite { sql.replace('$', "?") } else { sql.to_owned() };
        let sql = sql.replace("?1", "?").replace("?2", "?").replace("?3", "?");
        use sha2::Digest;
        let body = serde_json::to_vec(&fund("并发资金")).unwrap();
        let mut h = sha2::Sha256::new();
        h.update("POST");
        h.update(b" ");
        h.update("/api/v1/funds");
        h.update(b"\n");
        h.update(&body);
        let hash = format!("{:x}", h.finalize());
        app.db
            .execute_raw(Statement::from_sql_and_values(
                app.db.get_database_backend(),
                sql,
                [stored_key("k-run").into(), hash.into(), chrono::Utc::now().into()],
            ))
            .await
            .unwrap();
        let res = app.post("/api/v1/funds").header("Idempotency-Key", "k-run").header("content-type", "application/json").body(body).send().await.unwrap();
        assert_eq!(res.headers()["retry-after"], "1");
        problem(res, 409, "idempotency.in_progress").await;
    })
    .await;
}

#[tokio::test]
async fn keys_hold_across_two_instances_on_one_postgresql() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let a = spawn_app(Backend::Postgres).await;
    load_seed(&a).await;
    let b = second_instance(&a).await;
    // Concurrent identical requests, spread over both instances.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let app = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let res = app
                .post("/api/v1/funds")
                .header("Idempotency-Key", "shared")
                .json(&fund("两实例资金"))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap();
            (status, body)
        }));
    }
    let mut created = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert!(status == 201 || status == 409, "{status} {body}");
        if status == 201 {
            created.push(body["id"].as_str().unwrap().to_owned());
        }
    }
    assert!(!created.is_empty());
    created.dedup();
    assert_eq!(created.len(), 1, "every 201 is the same fund");
    // Once done, a retry on the other instance replays it.
    let res = b
        .post("/api/v1/funds")
        .header("Idempotency-Key", "shared")
        .json(&fund("两实例资金"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    let (_, body) = json(res).await;
    assert_eq!(body["id"], created[0].as_str());
    let (_, funds) = json(a.get("/api/v1/funds?page_size=100").send().await.unwrap()).await;
    assert_eq!(
        funds["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["name"] == "两实例资金")
            .count(),
        1
    );
    b.finish().await;
    a.finish().await;
}

/// Reads the whole feed after `cursor`, applying it to `state`; returns the new cursor.
async fn drain(
    app: &TestApp,
    mut cursor: Option<String>,
    state: &mut BTreeMap<(String, String), i64>,
) -> Option<String> {
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/changes?limit=7&after={c}"),
            None => "/api/v1/changes?limit=7".to_owned(),
        };
        let (s, page) = json(app.get(&path).send().await.unwrap()).await;
        assert_eq!(s, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        for item in items {
            let key = (
                item["entity"].as_str().unwrap().to_owned(),
                item["id"].as_str().unwrap().to_owned(),
            );
            if item["op"] == "deleted" {
                assert!(item["data"].is_null(), "tombstones carry no data");
                state.remove(&key);
            } else {
                let version = item["version"].as_i64().unwrap();
                if let Some(old) = state.get(&key) {
                    assert!(version > *old, "versions only grow in the feed: {key:?}");
                }
                state.insert(key, version);
            }
        }
        let next = page["next_cursor"].as_str().map(str::to_owned);
        if items.is_empty() {
            return next.or(cursor);
        }
        cursor = next;
    }
}

async fn database_state(app: &TestApp) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for (entity, path) in [
        ("department", "/api/v1/departments?page_size=500"),
        ("fund", "/api/v1/funds?page_size=500"),
        ("project", "/api/v1/projects?page_size=500"),
        ("evaluation", "/api/v1/evaluations?page_size=500"),
    ] {
        let (_, page) = json(app.get(path).send().await.unwrap()).await;
        assert!(page["next_page_token"].is_null());
        for item in page["items"].as_array().unwrap() {
            out.insert(
                (entity.to_owned(), item["id"].as_str().unwrap().to_owned()),
                item["version"].as_i64().unwrap(),
            );
        }
    }
    for (entity, segment) in [("profile", "profiles"), ("finance", "finances")] {
        let (s, doc) = json(
            app.get(&format!("/api/v1/departments/901424/{segment}/2024"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        if s == 200 {
            let id = format!("{}:2024", doc["department_id"].as_str().unwrap());
            out.insert((entity.to_owned(), id), doc["version"].as_i64().unwrap());
        }
    }
    out
}

#[tokio::test]
async fn the_feed_replays_to_exactly_the_database_state_while_writers_run() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let mut state = BTreeMap::new();
        let mut cursor = drain(&app, None, &mut state).await;
        // Writers: each creates funds, changes one, deletes another, concurrently.
        let mut writers = Vec::new();
        for w in 0..4 {
            let app = app.clone();
            writers.push(tokio::spawn(async move {
                for i in 0..5 {
                    let (s, f) = json(
                        app.post("/api/v1/funds")
                            .json(&fund(&format!("w{w}-{i}")))
                            .send()
                            .await
                            .unwrap(),
                    )
                    .await;
                    assert_eq!(s, 201, "{f}");
                    let id = f["id"].as_str().unwrap().to_owned();
                    if i % 2 == 0 {
                        let res = app
                            .put(&format!("/api/v1/funds/{id}"))
                            .header("If-Match", "\"1\"")
                            .json(&fund(&format!("w{w}-{i}-changed")))
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(res.status(), 200);
                    }
                    if i == 3 {
                        let res = app
                            .delete(&format!("/api/v1/funds/{id}"))
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(res.status(), 204);
                    }
                }
            }));
        }
        // The consumer polls while they write.
        let mut rounds = 0;
        while writers.iter().any(|w| !w.is_finished()) && rounds < 200 {
            cursor = drain(&app, cursor, &mut state).await;
            rounds += 1;
            tokio::task::yield_now().await;
        }
        for w in writers {
            w.await.unwrap();
        }
        cursor = drain(&app, cursor, &mut state).await;
        assert_eq!(state, database_state(&app).await);
        // Nothing new: the cursor stays.
        let (_, page) = json(
            app.get(&format!(
                "/api/v1/changes?after={}",
                cursor.clone().unwrap()
            ))
            .send()
            .await
            .unwrap(),
        )
        .await;
        assert_eq!(page["items"], json!([]));
        assert_eq!(page["next_cursor"].as_str(), cursor.as_deref());
        // Feed entries carry the object and who changed it.
        let (_, page) = json(app.get("/api/v1/changes?limit=1").send().await.unwrap()).await;
        assert_eq!(page["items"][0]["entity"], "department");
        assert_eq!(page["items"][0]["op"], "created");
        assert_eq!(page["items"][0]["actor"], "admin@430000");
        assert_eq!(page["items"][0]["data"]["budget_code"], "901000");
        problem(
            app.get("/api/v1/changes?limit=0").send().await.unwrap(),
            400,
            "request.invalid_query",
        )
        .await;
        problem(
            app.get("/api/v1/changes?after=nope").send().await.unwrap(),
            400,
            "request.invalid_page_token",
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn the_feed_is_scoped() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let sibling = app.as_(Some(app.token("admin", "430426")));
        let (_, page) = json(sibling.get("/api/v1/changes").send().await.unwrap()).await;
        assert_eq!(page["items"], json!([]));
        let viewer = app.as_(Some(app.token("viewer", "430424")));
        let mut state = BTreeMap::new();
        drain(&viewer, None, &mut state).await;
        assert!(
            state.keys().all(|(entity, _)| entity != "evaluation"),
            "viewers see no drafts"
        );
        assert!(state.contains_key(&("fund".to_owned(), loaded.fund_ids[0].clone())));
    })
    .await;
}
