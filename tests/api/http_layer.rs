//! The HTTP layer (issue #12, points 7, 12 and 15): `HEAD` wherever `GET` is, security
//! headers on every answer with a Content-Security-Policy per kind of page, a deadline on
//! request bodies, and problem documents for the answers of the HTTP layer itself (400, 431
//! and 408 for a request head it cannot parse, too large or too slow: vendor/actix-http).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::helpers::{Backend, json, on_each_db, problem, spawn_app, spawn_with};

#[tokio::test]
async fn head_works_wherever_get_does() {
    on_each_db(|app| async move {
        for path in [
            "/api/v1/regions",
            "/api/v1/regions?under=4304",
            "/api/v1/regions/430424",
            "/api/v1/departments",
            "/healthz",
            "/openapi.json",
            "/docs/",
        ] {
            let get = app.get(path).send().await.unwrap();
            let head = app.request(reqwest::Method::HEAD, path).send().await.unwrap();
            assert_eq!(head.status(), get.status(), "{path}");
            for name in ["content-type", "content-length", "etag", "vary"] {
                assert_eq!(
                    head.headers().get(name),
                    get.headers().get(name),
                    "{name} of HEAD {path}"
                );
            }
            assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path} has a body");
        }
        // A single resource: its ETag, and 304 for a current one.
        let res = app
            .request(reqwest::Method::HEAD, "/api/v1/regions/430424")
            .send()
            .await
            .unwrap();
        let etag = res.headers()["etag"].clone();
        let res = app
            .request(reqwest::Method::HEAD, "/api/v1/regions/430424")
            .header("if-none-match", etag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 304);
        assert_eq!(res.headers()["etag"], etag);
        // Errors stay what GET answers, and Allow lists HEAD.
        let res = app
            .request(reqwest::Method::HEAD, "/api/v1/regions/430499")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        let res = app
            .request(reqwest::Method::HEAD, "/api/v1/evaluations/0193a1b2-0000-7000-8000-000000000001/submit")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405);
        assert_eq!(res.headers()["allow"], "POST");
        let res = app.post("/api/v1/regions/430424").send().await.unwrap();
        assert_eq!(res.headers()["allow"], "GET, HEAD, PUT, DELETE");
        problem(res, 405, "request.method_not_allowed").await;
        // Without a token, HEAD is refused like GET.
        let res = app
            .as_(None)
            .request(reqwest::Method::HEAD, "/api/v1/regions")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        // The metrics count it as HEAD.
        let text = app.get("/metrics").send().await.unwrap().text().await.unwrap();
        assert!(
            text.contains("http_requests_total{method=\"HEAD\",route=\"/api/v1/regions/{code}\",status=\"200\"}"),
            "{text}"
        );
    })
    .await;
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} on {}", res.url()))
}

#[tokio::test]
async fn security_headers_on_every_answer() {
    let app = spawn_app(Backend::Sqlite).await;
    let loaded = crate::seed::load_seed(&app).await;
    let report = format!("/api/v1/evaluations/{}/report", loaded.evaluation_ids[0]);
    for path in [
        "/api/v1/regions",
        "/nope",
        "/healthz",
        "/metrics",
        &report,
        "/docs/",
    ] {
        let res = app.get(path).send().await.unwrap();
        assert_eq!(header(&res, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&res, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&res, "referrer-policy"), "no-referrer", "{path}");
    }
    let res = app.get(&report).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("text/html"));
    let csp = header(&res, "content-security-policy");
    assert!(
        csp.starts_with("default-src 'none'; style-src 'unsafe-inline'; img-src data:"),
        "{csp}"
    );
    assert!(!csp.contains("script-src"), "{csp}");
    // The Swagger UI loads its own scripts, styles and the document from the service.
    let res = app.get("/docs/").send().await.unwrap();
    let csp = header(&res, "content-security-policy").to_owned();
    for needed in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(needed), "{needed} missing in {csp}");
    }
    let html = res.text().await.unwrap();
    assert!(
        !html.contains("<script>"),
        "an inline script would need 'unsafe-inline'"
    );
    assert!(!html.contains("<style"), "{html}");
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-initializer.js",
        "swagger-ui.css",
    ] {
        let res = app.get(&format!("/docs/{asset}")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{asset}");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    }
    app.finish().await;
}

/// Sends the head of a request, then its body one byte every 300 ms, and reads what comes
/// back (until the server closes the connection or 8 s pass).
fn slow_post(port: u16, path: &str, extra: &str) -> (String, Duration) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let body = "{\"code\": \"430499\", \"name\": \"慢\", \"parent\": \"430400\"}";
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: localhost\r\n{extra}Content-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut sent = 0;
    let mut buf = [0u8; 4096];
    while started.elapsed() < Duration::from_secs(8) {
        if sent < body.len() {
            // The server may have closed already: later writes may fail.
            if stream.write_all(&body.as_bytes()[sent..sent + 1]).is_ok() {
                sent += 1;
            }
        }
        match stream.read(&mut buf) {
            Ok(0) => {
                return (
                    String::from_utf8_lossy(&answer).into_owned(),
                    started.elapsed(),
                );
            }
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                return (
                    String::from_utf8_lossy(&answer).into_owned(),
                    started.elapsed(),
                );
            }
        }
    }
    panic!(
        "the connection was still open after 8 s; got: {}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn slow_bodies_get_408_and_the_connection_is_closed() {
    for backend in crate::helpers::backends() {
        let app = spawn_with(backend, |s| s.body_timeout_secs = 1).await;
        let port = app.base.rsplit(':').next().unwrap().parse::<u16>().unwrap();
        let auth = format!("Authorization: Bearer {}\r\n", app.token.clone().unwrap());
        // Through the JSON extractor, and through the idempotency layer, which reads the body
        // first.
        for extra in [auth.clone(), format!("{auth}Idempotency-Key: slow-1\r\n")] {
            let (answer, took) =
                tokio::task::spawn_blocking(move || slow_post(port, "/api/v1/regions", &extra))
                    .await
                    .unwrap();
            assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
            let lower = answer.to_ascii_lowercase();
            assert!(
                lower.contains("content-type: application/problem+json"),
                "{answer}"
            );
            assert!(lower.contains("connection: close"), "{answer}");
            assert!(answer.contains("\"code\":\"request.timeout\""), "{answer}");
            assert!(took < Duration::from_secs(4), "closed after {took:?}");
        }
        // A body in time is served as before.
        let (s, body) = json(
            app.post("/api/v1/regions")
                .json(&serde_json::json!({"code": "430499", "name": "快", "parent": "430400"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_ne!(s, 408, "{body}");
        app.finish().await;
    }
}

/// Sends `request` as it is (from a thread of its own: the server may answer and close before
/// it has read everything) and returns what comes back until the server closes the connection.
fn raw_exchange(port: u16, request: Vec<u8>) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        // The server stops reading once it has given up on the request.
        let _ = writer.write_all(&request);
    });
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while started.elapsed() < Duration::from_secs(10) {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    drop(stream);
    let _ = sender.join();
    String::from_utf8_lossy(&answer).into_owned()
}

/// Checks that a raw answer is a problem document with the status and code, whose code is in
/// the code table with that status, and returns the body.
fn raw_problem(answer: &str, status: u16, code: &str) -> serde_json::Value {
    assert!(
        answer.starts_with(&format!("HTTP/1.1 {status} ")),
        "{answer}"
    );
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of head: {answer}"));
    let head = head.to_ascii_lowercase();
    assert!(
        head.contains("\r\ncontent-type: application/problem+json\r\n"),
        "{answer}"
    );
    assert!(
        head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())),
        "{answer}"
    );
    // The connection is closed after the answer, as before these answers had a body.
    assert!(head.contains("\r\nconnection: close\r\n"), "{answer}");
    let body: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["type"], format!("/problems/{code}"), "{body}");
    let entry = jixiao::error::codes::ALL
        .iter()
        .find(|c| c.code == code)
        .unwrap_or_else(|| panic!("{code} is not in the code table"));
    assert_eq!(entry.status.as_u16(), status, "{code}");
    assert_eq!(body["title"], entry.title_en, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    assert_eq!(body["instance"], "", "{body}");
    let id = body["request_id"].as_str().unwrap_or_default();
    assert!(
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{body}"
    );
    assert!(
        head.contains(&format!("\r\nx-request-id: {id}\r\n")),
        "{answer}"
    );
    body
}

#[tokio::test]
async fn unparsable_requests_get_a_400_problem() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let port = app.base.rsplit(':').next().unwrap().parse::<u16>().unwrap();
        let mut ids = Vec::new();
        for request in [
            "GET /healthz HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n",
            "G(T /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET /healthz HTTP/9.9\r\nHost: localhost\r\n\r\n",
        ] {
            let answer = tokio::task::spawn_blocking(move || raw_exchange(port, request.into()))
                .await
                .unwrap();
            let body = raw_problem(&answer, 400, "request.bad_request");
            ids.push(body["request_id"].as_str().unwrap().to_owned());
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 3, "request ids are unique: {ids:?}");
        // The server still serves well-formed requests.
        assert_eq!(app.get("/healthz").send().await.unwrap().status(), 200);
        app.finish().await;
    }
}

#[tokio::test]
async fn oversized_request_heads_get_a_431_problem() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let port = app.base.rsplit(':').next().unwrap().parse::<u16>().unwrap();
        let mut request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ".to_vec();
        request.extend(std::iter::repeat_n(b'a', 200 * 1024));
        request.extend_from_slice(b"\r\n\r\n");
        let answer = tokio::task::spawn_blocking(move || raw_exchange(port, request))
            .await
            .unwrap();
        raw_problem(&answer, 431, "request.headers_too_large");
        assert_eq!(app.get("/healthz").send().await.unwrap().status(), 200);
        app.finish().await;
    }
}

#[tokio::test]
async fn request_heads_not_received_in_time_get_a_408_problem() {
    // The request head must arrive within 5 s (actix-web's `client_request_timeout`).
    let app = spawn_app(Backend::Sqlite).await;
    let port = app.base.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    let answer = tokio::task::spawn_blocking(move || {
        raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: loc".to_vec())
    })
    .await
    .unwrap();
    raw_problem(&answer, 408, "request.timeout");
    app.finish().await;
}
