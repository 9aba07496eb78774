//! Health, readiness, metrics, docs.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Database};

use crate::helpers::{Backend, json, on_each_db, problem, spawn_app};

#[tokio::test]
async fn health_ready_and_metrics() {
    on_each_db(|app| async move {
        let (s, body) = json(app.get("/healthz").send().await.unwrap()).await;
        assert_eq!((s, body["status"].as_str()), (200, Some("ok")));
        let (s, _) = json(app.get("/readyz").send().await.unwrap()).await;
        assert_eq!(s, 200);
        app.get("/api/v1/regions/430424").send().await.unwrap();
        app.get("/api/v1/regions/430499").send().await.unwrap();
        app.get("/nope").send().await.unwrap();
        let res = app.get("/metrics").send().await.unwrap();
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let text = res.text().await.unwrap();
        for needle in [
            "http_requests_total{method=\"GET\",route=\"/api/v1/regions/{code}\",status=\"200\"} 1",
            "http_requests_total{method=\"GET\",route=\"/api/v1/regions/{code}\",status=\"404\"} 1",
            "route=\"unmatched\",status=\"404\"",
            "http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/regions/{code}\",status=\"200\",le=",
        ] {
            assert!(text.contains(needle), "missing {needle} in\n{text}");
        }
    })
    .await;
}

#[tokio::test]
async fn readyz_follows_the_database() {
    if !crate::helpers::backends().contains(&Backend::Postgres) {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    let admin = Database::connect(std::env::var("TEST_DATABASE_URL").unwrap())
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
        ))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await
        .unwrap();
    let res = app.get("/readyz").send().await.unwrap();
    assert_eq!(res.headers()["retry-after"], "5");
    problem(res, 503, "service.unavailable").await;
    let res = app.get("/api/v1/regions/430424").send().await.unwrap();
    problem(res, 503, "service.unavailable").await;
    admin
        .execute_unprepared(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    // It recovers on its own: no restart.
    let mut ready = false;
    for _ in 0..50 {
        if app.get("/readyz").send().await.unwrap().status() == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "readyz did not recover");
    let (s, _) = json(app.get("/api/v1/regions/430424").send().await.unwrap()).await;
    assert_eq!(s, 200);
    admin.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn docs_are_served_without_external_assets() {
    let app = spawn_app(Backend::Sqlite).await;
    let res = app.get("/docs").send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/docs/");
    let html = app
        .get("/docs/")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("swagger-ui"));
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            let url = part.split('"').next().unwrap();
            assert!(
                !url.contains("://") && !url.starts_with("//"),
                "external asset {url}"
            );
            assets.push(url.trim_start_matches("./").to_owned());
        }
    }
    assert!(assets.len() >= 4, "{assets:?}");
    for asset in assets {
        let res = app.get(&format!("/docs/{asset}")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{asset}");
    }
    let init = app
        .get("/docs/swagger-initializer.js")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("/openapi.json"), "{init}");
    assert!(
        !init.contains("https://") && !init.contains("http://"),
        "{init}"
    );
    app.finish().await;
}

#[tokio::test]
async fn made_up_methods_do_not_grow_the_metrics() {
    let app = spawn_app(Backend::Sqlite).await;
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("MADEUP{i}").as_bytes()).unwrap();
        app.request(method.clone(), "/api/v1/regions")
            .send()
            .await
            .unwrap();
        app.request(method, &format!("/random/path/{i}"))
            .send()
            .await
            .unwrap();
    }
    app.get(&format!("/made/up/{}", uuid::Uuid::new_v4()))
        .send()
        .await
        .unwrap();
    let text = app
        .get("/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("MADEUP"), "{text}");
    assert!(
        !text.contains("/random/path") && !text.contains("/made/up"),
        "{text}"
    );
    assert!(
        text.contains(
            "http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 20"
        ),
        "{text}"
    );
    let methods: std::collections::BTreeSet<&str> = text
        .lines()
        .filter(|l| l.starts_with("http_requests_total{"))
        .filter_map(|l| l.split("method=\"").nth(1)?.split('"').next())
        .collect();
    assert!(
        methods.iter().all(|m| [
            "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"
        ]
        .contains(m)),
        "{methods:?}"
    );
    app.finish().await;
}
