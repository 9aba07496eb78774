//! Every error is application/problem+json, in English or Chinese.

use crate::helpers::{json, on_each_db, problem, spawn_with};

#[tokio::test]
async fn framework_errors_are_problems() {
    on_each_db(|app| async move {
        let res = app.get("/nope").send().await.unwrap();
        let p = problem(res, 404, "request.not_found").await;
        assert_eq!(p["instance"], "/nope");

        let res = app.post("/api/v1/regions/430424").send().await.unwrap();
        assert_eq!(res.headers()["allow"], "GET, HEAD, PUT, DELETE");
        problem(res, 405, "request.method_not_allowed").await;
        let res = app.delete("/api/v1/regions").send().await.unwrap();
        problem(res, 405, "request.method_not_allowed").await;

        let res = app
            .post("/api/v1/regions")
            .header("content-type", "text/plain")
            .body("code=430499")
            .send()
            .await
            .unwrap();
        problem(res, 415, "request.unsupported_media_type").await;
        let res = app.post("/api/v1/regions").body("{}").send().await.unwrap();
        problem(res, 415, "request.unsupported_media_type").await;

        let res = app
            .post("/api/v1/regions")
            .header("content-type", "application/json")
            .body("{\"code\": \"430499\",")
            .send()
            .await
            .unwrap();
        let p = problem(res, 400, "request.malformed_json").await;
        assert!(p["detail"].as_str().unwrap().contains("line 1"), "{p}");

        let res = app
            .get("/api/v1/regions?page_size=lots")
            .send()
            .await
            .unwrap();
        problem(res, 400, "request.invalid_query").await;
        let res = app.get("/api/v1/regions?levl=county").send().await.unwrap();
        let p = problem(res, 400, "request.invalid_query").await;
        assert_eq!(p["errors"][0]["parameter"], "levl");
    })
    .await;
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    for backend in crate::helpers::backends() {
        let app = spawn_with(backend, |s| s.max_body_bytes = 2048).await;
        let big = format!("{{\"code\":\"430499\",\"name\":\"{}\"}}", "x".repeat(4096));
        let res = app
            .post("/api/v1/regions")
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap();
        problem(res, 413, "request.body_too_large").await;
        // Without Content-Length (chunked), the limit holds while reading.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            (0..10).map(|_| Ok(vec![b' '; 512])).collect();
        let res = app
            .post("/api/v1/regions")
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                chunks,
            )))
            .send()
            .await
            .unwrap();
        problem(res, 413, "request.body_too_large").await;
        app.finish().await;
    }
}

#[tokio::test]
async fn chinese_on_request() {
    on_each_db(|app| async move {
        let res = app
            .get("/api/v1/regions/430499")
            .header("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["content-language"], "zh-CN");
        let p = problem(res, 404, "region.not_found").await;
        assert_eq!(p["title"], "行政区划不存在");
        assert!(p["detail"].as_str().unwrap().contains("430499"));
        let res = app
            .post("/api/v1/regions")
            .header("Accept-Language", "zh-CN")
            .json(&serde_json::json!({"code": "430498", "name": "x", "level": "city"}))
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["detail"], "代码 430498 属于县级，不是地级");
        let res = app.get("/api/v1/regions/430499").send().await.unwrap();
        let p = problem(res, 404, "region.not_found").await;
        assert_eq!(p["title"], "Region not found");
    })
    .await;
}

#[tokio::test]
async fn request_ids_are_accepted_or_generated() {
    on_each_db(|app| async move {
        let res = app
            .get("/api/v1/regions/430499")
            .header("X-Request-Id", "client-abc.123")
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["x-request-id"], "client-abc.123");
        let p = problem(res, 404, "region.not_found").await;
        assert_eq!(p["request_id"], "client-abc.123");
        // An unusable id is replaced by a generated one.
        let res = app
            .get("/healthz")
            .header("X-Request-Id", "bad id with spaces")
            .send()
            .await
            .unwrap();
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        let (s, _) = json(app.get("/healthz").send().await.unwrap()).await;
        assert_eq!(s, 200);
    })
    .await;
}

#[tokio::test]
async fn problem_code_table_is_served() {
    on_each_db(|app| async move {
        let (s, body) = json(app.get("/problems").send().await.unwrap()).await;
        assert_eq!(s, 200);
        let codes: Vec<&str> = body
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap())
            .collect();
        for code in [
            "request.not_found",
            "region.not_found",
            "request.validation_failed",
            "internal",
        ] {
            assert!(codes.contains(&code), "{code}");
        }
        // A problem's type URI resolves to its code.
        let (s, one) = json(app.get("/problems/region.not_found").send().await.unwrap()).await;
        assert_eq!(
            (s, one["status"].as_u64(), one["title_zh"].as_str()),
            (200, Some(404), Some("行政区划不存在"))
        );
        problem(
            app.get("/problems/nothing.here").send().await.unwrap(),
            404,
            "request.not_found",
        )
        .await;
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len(), "codes are unique");
    })
    .await;
}

#[tokio::test]
async fn server_errors_leak_nothing() {
    on_each_db(|app| async move {
        use sea_orm::ConnectionTrait;
        // A table vanishes under the running service.
        app.db
            .execute_unprepared("DROP TABLE rule_sets")
            .await
            .unwrap();
        let res = app.get("/api/v1/rule-sets").send().await.unwrap();
        let p = problem(res, 500, "internal").await;
        let text = p.to_string().to_lowercase();
        for secret in ["rule_sets", "sql", "table", "sqlite", "postgres", "select"] {
            assert!(!text.contains(secret), "the 500 mentions {secret}: {p}");
        }
        assert!(p["detail"].as_str().unwrap().contains("request id"));
    })
    .await;
}
