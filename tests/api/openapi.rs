//! The contract: generated from the router, served, committed, and kept in step.

use crate::helpers::{Backend, json, spawn_app};

fn committed() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let text = std::fs::read_to_string(path).expect("openapi/openapi.json is committed");
    serde_json::from_str(&text).expect("committed document is JSON")
}

#[tokio::test]
async fn committed_document_matches_the_code() {
    let generated = serde_json::to_value(jixiao::api::openapi()).unwrap();
    assert!(
        generated == committed(),
        "openapi/openapi.json is out of date: regenerate it with\n    cargo run -- openapi > openapi/openapi.json"
    );
    let app = spawn_app(Backend::Sqlite).await;
    let (s, served) = json(app.get("/openapi.json").send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(
        served, generated,
        "/openapi.json serves the generated document"
    );
    app.finish().await;
}

#[tokio::test]
async fn every_operation_is_complete() {
    let doc = serde_json::to_value(jixiao::api::openapi()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            ids.push(id.to_owned());
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{id} has no tag"
            );
            assert!(op["summary"].is_string(), "{id} has no summary");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{id} lacks 500");
            if path.starts_with("/api/") {
                for status in ["400", "401", "403", "429", "503"] {
                    assert!(responses.contains_key(status), "{id} lacks {status}");
                }
                assert_eq!(
                    op["security"],
                    serde_json::json!([{"bearer": []}]),
                    "{id} is not bearer-protected"
                );
                for status in ["429", "503"] {
                    assert!(
                        responses[status]["headers"]["Retry-After"].is_object(),
                        "{id} {status} does not declare Retry-After"
                    );
                }
                if method == "post" {
                    let params = op["parameters"].as_array().expect("parameters");
                    assert!(
                        params.iter().any(|p| p["name"] == "Idempotency-Key"),
                        "{id} lacks Idempotency-Key"
                    );
                }
            }
            if !path.starts_with("/api/") {
                assert_eq!(
                    op["security"],
                    serde_json::json!([]),
                    "{id} is open and must say so with `security: []`"
                );
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            if responses.contains_key("304") {
                assert!(
                    params.iter().any(|p| p["name"] == "If-None-Match"),
                    "{id} answers 304 but does not declare If-None-Match"
                );
            }
            for p in params.iter().filter(|p| p["name"] == "page_size") {
                assert_eq!(p["schema"]["minimum"], 1, "{id} page_size minimum");
                assert_eq!(p["schema"]["maximum"], 500, "{id} page_size maximum");
            }
            if op.get("requestBody").is_some() {
                for s in ["413", "415", "422"] {
                    assert!(responses.contains_key(s), "{id} lacks {s}");
                }
            }
            for (status, r) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{id} {status} is not a problem"
                    );
                }
            }
        }
    }
    assert!(
        doc["servers"].as_array().is_some_and(|s| !s.is_empty()),
        "the document names no server"
    );
    for member in [
        "blocking_findings",
        "current_state",
        "items",
        "summary",
        "natural_key",
        "existing",
    ] {
        assert!(
            doc["components"]["schemas"]["Problem"]["properties"][member].is_object(),
            "the Problem schema lacks `{member}`"
        );
    }
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "operationIds are unique");
}
