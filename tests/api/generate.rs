//! The benchmark data generator (`jixiao demo --departments N`) writes through the service
//! code: what it reports is what the API then lists and counts. And the `--bench` route.

use crate::helpers::{Backend, json, on_each_db, spawn_with};

#[tokio::test]
async fn generated_data_is_what_the_api_serves() {
    on_each_db(|app| async move {
        let options = jixiao::generate::Options {
            departments: 3,
            years: 2,
            last_year: 2024,
            seed: 42,
        };
        let mut calls = 0;
        let summary = jixiao::generate::run(&app.db, &options, |_, _| calls += 1)
            .await
            .expect("generated");
        assert_eq!(calls, 3);
        assert_eq!(
            summary,
            jixiao::generate::Summary {
                departments: 3,
                projects: 12,
                funds: 24,
                evaluations: 18,
                indicator_results: 360,
            }
        );
        let (s, v) = json(
            app.get("/api/v1/evaluations?page_size=100&view=full")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 18);
        assert!(
            items
                .iter()
                .all(|e| e["region"].as_str().is_some_and(|r| r.starts_with("4304"))),
            "in the counties of 衡阳市"
        );
        // Some targets are missed or over-claimed: the engine finds them.
        assert!(
            items.iter().any(|e| e["computed"]["findings"]
                .as_array()
                .is_some_and(|f| !f.is_empty())),
            "some findings"
        );
        let (_, v) = json(
            app.get("/api/v1/stats/evaluations?group_by=year")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(v["overall"]["count"], 18, "{v}");
        let (_, v) = json(app.get("/api/v1/stats/indicators").send().await.unwrap()).await;
        assert_eq!(v["overall"]["count"], 360, "{v}");
        let (_, v) = json(
            app.get("/api/v1/indicator-results?year=2023&page_size=500")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(v["items"].as_array().map(Vec::len), Some(180), "{v}");
        let (_, v) = json(
            app.get("/api/v1/projects?page_size=100")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(v["items"].as_array().map(Vec::len), Some(12));
        // The same seed on another database gives the same data; a second run here clashes.
        assert!(
            jixiao::generate::run(&app.db, &options, |_, _| {})
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn the_static_bench_route_is_off_by_default_and_undocumented() {
    let app = spawn_with(Backend::Sqlite, |_| {}).await;
    let res = app.get("/bench/static/100").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let (_, doc) = json(app.get("/openapi.json").send().await.unwrap()).await;
    assert!(!doc["paths"].to_string().contains("/bench"));
    app.finish().await;
    let app = spawn_with(Backend::Sqlite, |s| s.bench = true).await;
    let res = app.get("/bench/static/100").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.bytes().await.unwrap().len(), 100);
    // Several sizes in one process (a harness compares pages of different sizes), but not
    // without bound.
    for size in 101..108 {
        let res = app
            .get(&format!("/bench/static/{size}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.bytes().await.unwrap().len(), size);
    }
    let res = app.get("/bench/static/100").send().await.unwrap();
    assert_eq!(res.bytes().await.unwrap().len(), 100);
    let res = app.get("/bench/static/108").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 400);
    app.finish().await;
}
