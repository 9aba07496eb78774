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

/// The enum a schema declares, directly, through a `$ref`, or in one branch of a
/// `oneOf`/`anyOf`/`allOf` (a nullable field is `oneOf: [$ref, null]`).
fn declared_enum(doc: &serde_json::Value, schema: &serde_json::Value) -> Option<Vec<String>> {
    if let Some(values) = schema.get("enum").and_then(|e| e.as_array()) {
        return Some(
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        );
    }
    if let Some(target) = schema.get("$ref").and_then(|r| r.as_str()) {
        let pointer = target.strip_prefix('#')?;
        return declared_enum(doc, doc.pointer(pointer)?);
    }
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(|v| v.as_array()))
        .flatten()
        .find_map(|branch| declared_enum(doc, branch))
}

const STATUSES: [&str; 4] = ["draft", "submitted", "returned", "approved"];
const GRADES: [&str; 4] = ["excellent", "good", "fair", "poor"];
const ACTIONS: [&str; 6] = [
    "update", "delete", "submit", "withdraw", "return", "approve",
];
const KINDS: [&str; 2] = ["department", "project"];

#[test]
fn closed_vocabularies_are_enums_with_one_vocabulary_per_concept() {
    let doc = serde_json::to_value(jixiao::api::openapi()).unwrap();
    // (schema, pointer inside it, the vocabulary it must carry)
    let fields: &[(&str, &str, &[&str])] = &[
        ("Evaluation", "/properties/status", &STATUSES),
        ("Evaluation", "/properties/allowed_actions/items", &ACTIONS),
        (
            "Evaluation",
            "/properties/budget_source",
            &["given", "funds"],
        ),
        (
            "Validation",
            "/properties/budget_source",
            &["given", "funds"],
        ),
        ("BlockedAction", "/properties/action", &ACTIONS),
        (
            "ItemResult",
            "/properties/outcome",
            &["created", "replaced", "failed", "not_applied"],
        ),
        ("ItemResult", "/properties/status", &STATUSES),
        ("ItemResult", "/properties/grade", &GRADES),
        (
            "ChangeItem",
            "/properties/op",
            &["created", "updated", "state_changed", "deleted"],
        ),
        (
            "ChangeItem",
            "/properties/entity",
            &[
                "department",
                "profile",
                "finance",
                "fund",
                "project",
                "evaluation",
                "comment",
            ],
        ),
        ("GroupKey", "/properties/grade", &GRADES),
        (
            "GroupKey",
            "/properties/basis",
            &["claimed", "computed", "reviewed"],
        ),
        (
            "Evaluation",
            "/properties/basis",
            &["claimed", "computed", "reviewed"],
        ),
        (
            "Comment",
            "/properties/role",
            &["submitter", "reviewer", "admin"],
        ),
        ("GroupKey", "/properties/status", &STATUSES),
        ("GroupKey", "/properties/kind", &KINDS),
        ("HistoryItem", "/properties/status_before", &STATUSES),
        ("HistoryItem", "/properties/status_after", &STATUSES),
        ("IndicatorResult", "/properties/status", &STATUSES),
        ("IndicatorResult", "/properties/kind", &KINDS),
        ("Problem", "/properties/current_state", &STATUSES),
        ("ComputedDto", "/properties/grade", &GRADES),
        ("FindingDto", "/properties/severity", &["error", "warning"]),
    ];
    let mut problems = Vec::new();
    for (schema, pointer, words) in fields {
        let at = format!("/components/schemas/{schema}{pointer}");
        let Some(field) = doc.pointer(&at) else {
            problems.push(format!("{schema}{pointer}: missing"));
            continue;
        };
        match declared_enum(&doc, field) {
            Some(found) if found == *words => {}
            Some(found) => {
                problems.push(format!("{schema}{pointer}: enum {found:?}, not {words:?}"))
            }
            None => problems.push(format!("{schema}{pointer}: no enum")),
        }
    }
    let history_action = doc
        .pointer("/components/schemas/HistoryItem/properties/action")
        .expect("HistoryItem.action");
    if declared_enum(&doc, history_action).is_none() {
        problems.push("HistoryItem/properties/action: no enum".into());
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn query_filters_of_a_vocabulary_declare_it_too() {
    let doc = serde_json::to_value(jixiao::api::openapi()).unwrap();
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        for p in get["parameters"].as_array().into_iter().flatten() {
            let words: &[&str] = match p["name"].as_str() {
                Some("status") => &STATUSES,
                Some("grade") => &GRADES,
                Some("kind") => &KINDS,
                _ => continue,
            };
            if p["in"] != "query" {
                continue;
            }
            match declared_enum(&doc, &p["schema"]) {
                Some(found) if found == words => {}
                other => problems.push(format!("GET {path} ?{}: {other:?}", p["name"])),
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
