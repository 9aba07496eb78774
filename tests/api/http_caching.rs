//! HTTP for dashboards (#17): gzip and br by Accept-Encoding, Vary, content ETags and 304 on
//! lists and stats, Cache-Control, and CORS from an allow-list (off by default).

use std::io::Read;

use crate::helpers::{backends, json, on_each_db, spawn_with};
use crate::seed::load_seed;

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    let values: Vec<&str> = res
        .headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn answers_are_compressed_as_asked() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        for path in [
            "/api/v1/evaluations?view=full",
            "/api/v1/evaluations",
            "/api/v1/stats/evaluations?group_by=kind",
        ] {
            let plain = app.get(path).send().await.unwrap();
            assert_eq!(header(&plain, "content-encoding"), None, "{path}");
            let plain = plain.bytes().await.unwrap();
            for (asked, decode) in [
                ("gzip", gunzip as fn(&[u8]) -> Vec<u8>),
                ("br", unbrotli as fn(&[u8]) -> Vec<u8>),
            ] {
                let res = app
                    .get(path)
                    .header("Accept-Encoding", asked)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                assert_eq!(
                    header(&res, "content-encoding").as_deref(),
                    Some(asked),
                    "{path}"
                );
                let vary = header(&res, "vary").unwrap().to_ascii_lowercase();
                for v in ["accept-encoding", "authorization", "accept-language"] {
                    assert!(vary.contains(v), "{path}: Vary {vary}");
                }
                let body = res.bytes().await.unwrap();
                if path.contains("view=full") {
                    assert!(
                        body.len() * 3 < plain.len(),
                        "{asked}: {} of {}",
                        body.len(),
                        plain.len()
                    );
                }
                assert_eq!(decode(&body), plain.to_vec(), "{path} {asked}");
            }
        }
        // Errors too, still problem documents.
        let res = app
            .get("/api/v1/evaluations?view=nope")
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        assert_eq!(
            header(&res, "content-type").as_deref(),
            Some("application/problem+json")
        );
        let body: serde_json::Value =
            serde_json::from_slice(&gunzip(&res.bytes().await.unwrap())).unwrap();
        assert_eq!(body["code"], "request.invalid_query");
    })
    .await;
}

async fn etag_of(app: &crate::helpers::TestApp, path: &str) -> String {
    let res = app.get(path).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    let tag = header(&res, "etag").unwrap_or_else(|| panic!("{path}: no ETag"));
    assert!(
        tag.starts_with('"') && !tag.starts_with("W/"),
        "{path}: {tag}"
    );
    tag
}

#[tokio::test]
async fn lists_and_stats_answer_304_until_they_change() {
    on_each_db(|app| async move {
        let loaded = load_seed(&app).await;
        let paths = [
            "/api/v1/evaluations",
            "/api/v1/evaluations?view=full&page_size=2",
            "/api/v1/stats/evaluations?group_by=region",
            "/api/v1/stats/indicators",
            "/api/v1/indicator-results?page_size=10",
            "/api/v1/departments",
            "/api/v1/changes",
        ];
        let mut tags = Vec::new();
        for path in paths {
            let tag = etag_of(&app, path).await;
            assert_eq!(etag_of(&app, path).await, tag, "{path}: stable");
            let res = app
                .get(path)
                .header("If-None-Match", &tag)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 304, "{path}");
            assert_eq!(header(&res, "etag").as_deref(), Some(tag.as_str()));
            assert_eq!(
                header(&res, "cache-control").as_deref(),
                Some("private, no-cache")
            );
            assert!(res.bytes().await.unwrap().is_empty());
            let res = app
                .get(path)
                .header("If-None-Match", "\"something-else\"")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{path}");
            tags.push(tag);
        }
        // Another caller sees other rows: another tag for the same URL.
        let viewer = app.as_(Some(app.token("viewer", "430424")));
        assert_ne!(etag_of(&viewer, paths[0]).await, tags[0]);
        // A change (a submission) changes the answers that show it.
        let id = &loaded.evaluation_ids[0];
        let res = app
            .get(&format!("/api/v1/evaluations/{id}"))
            .send()
            .await
            .unwrap();
        let version = header(&res, "etag").unwrap();
        let (status, v) = json(
            app.post(&format!("/api/v1/evaluations/{id}/submit"))
                .header("If-Match", version)
                .send()
                .await
                .unwrap(),
        )
        .await;
        if status == 200 {
            for (path, tag) in paths.iter().zip(&tags).take(3) {
                let res = app
                    .get(path)
                    .header("If-None-Match", tag)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200, "{path} after a submission");
                assert_ne!(header(&res, "etag").as_deref(), Some(tag.as_str()));
            }
        } else {
            // The seed's evaluation cannot be submitted: a delete changes them as well.
            assert_eq!(status, 409, "{v}");
            let res = app
                .delete(&format!("/api/v1/evaluations/{id}"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 204);
            for (path, tag) in paths.iter().zip(&tags).take(3) {
                assert_ne!(&etag_of(&app, path).await, tag, "{path} after a delete");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn api_answers_are_private_and_vary_by_caller() {
    on_each_db(|app| async move {
        for path in ["/api/v1/regions", "/api/v1/regions/430424", "/api/v1/nope"] {
            let res = app.get(path).send().await.unwrap();
            assert_eq!(
                header(&res, "cache-control").as_deref(),
                Some("private, no-cache"),
                "{path}"
            );
            let vary = header(&res, "vary").unwrap_or_default();
            assert!(
                vary.contains("Authorization") && vary.contains("Accept-Language"),
                "{path}: {vary}"
            );
        }
        // Single resources keep their version tags.
        let res = app.get("/api/v1/regions/430424").send().await.unwrap();
        assert!(header(&res, "etag").unwrap().len() < 20);
    })
    .await;
}

const ORIGIN: &str = "https://dash.example.gov.cn";

async fn preflight(app: &crate::helpers::TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/evaluations"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "GET")
        .header(
            "Access-Control-Request-Headers",
            "authorization, if-none-match",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_is_off_by_default() {
    on_each_db(|app| async move {
        let res = preflight(&app, ORIGIN).await;
        assert_eq!(header(&res, "access-control-allow-origin"), None);
        let res = app
            .get("/api/v1/regions")
            .header("Origin", ORIGIN)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "access-control-allow-origin"), None);
    })
    .await;
}

#[tokio::test]
async fn cors_lets_the_allowed_origins_in() {
    for backend in backends() {
        let app = spawn_with(backend, |s| {
            s.cors_allowed_origins = vec![ORIGIN.to_owned()];
        })
        .await;
        // The preflight needs no token.
        let res = preflight(&app, ORIGIN).await;
        assert_eq!(res.status(), 200, "{backend:?}");
        assert_eq!(
            header(&res, "access-control-allow-origin").as_deref(),
            Some(ORIGIN)
        );
        let methods = header(&res, "access-control-allow-methods").unwrap();
        assert!(
            methods.contains("GET") && methods.contains("PUT"),
            "{methods}"
        );
        let headers = header(&res, "access-control-allow-headers")
            .unwrap()
            .to_ascii_lowercase();
        assert!(
            headers.contains("authorization") && headers.contains("if-none-match"),
            "{headers}"
        );
        // The answer itself: the origin, and the headers a dashboard reads.
        let res = app
            .get("/api/v1/regions")
            .header("Origin", ORIGIN)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            header(&res, "access-control-allow-origin").as_deref(),
            Some(ORIGIN)
        );
        let exposed = header(&res, "access-control-expose-headers")
            .unwrap()
            .to_ascii_lowercase();
        assert!(
            exposed.contains("etag") && exposed.contains("x-request-id"),
            "{exposed}"
        );
        // Errors carry it too, so a page can read them.
        let res = app
            .as_(None)
            .get("/api/v1/regions")
            .header("Origin", ORIGIN)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(
            header(&res, "access-control-allow-origin").as_deref(),
            Some(ORIGIN)
        );
        // Another origin is not let in.
        let res = preflight(&app, "https://evil.example.com").await;
        assert_eq!(header(&res, "access-control-allow-origin"), None);
        assert!(res.status().is_client_error(), "{}", res.status());
        app.finish().await;
    }
}
