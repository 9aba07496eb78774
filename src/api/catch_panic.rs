//! A panic while a request is served answers a problem+json 500 (code `internal`), with its
//! cause logged under the request id, instead of dropping the connection.
//!
//! The rules use checked arithmetic and bounded inputs, so nothing should panic; this layer is
//! the guarantee that, should something still do so, the client gets an answer like any other
//! 500. It sits innermost, around the routed service: the outer layers (idempotency, the
//! request log, problem rendering) see an ordinary 500 response.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use futures_util::FutureExt;

use crate::api::middleware::{REQUEST_ID, RequestId};
use crate::error::ApiError;
use crate::locale::Lang;

/// The text of a panic payload (`panic!("…")` gives a `&str` or a `String`).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Runs the rest of the chain, turning a panic into a 500 `internal` problem.
///
/// The request itself is gone once the chain has panicked, so the answer is returned as an
/// error whose body is already the whole problem document (language, instance, request id)
/// and which carries `X-Request-Id`.
pub async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let lang = Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let method = req.method().to_string();
    let path = req.path().to_owned();
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(res) => res.map(ServiceResponse::map_into_boxed_body),
        Err(payload) => {
            let cause = panic_message(payload.as_ref());
            tracing::error!(request_id, method, path, panic = cause, "handler panicked");
            Err(panic_problem(&cause, lang, &path, &request_id).into())
        }
    }
}

/// The 500 of a panic: its body is the problem document as the problem middleware would
/// render it, since that middleware cannot (the request is gone).
fn panic_problem(cause: &str, lang: Lang, path: &str, request_id: &str) -> ApiError {
    let mut error = ApiError::internal(anyhow::anyhow!("panic: {cause}"));
    if let serde_json::Value::Object(fields) = error.to_problem(lang, path, request_id) {
        for (key, value) in fields {
            error = error.with_extra(&key, value);
        }
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        error = error.with_header(REQUEST_ID, v);
    }
    if lang == Lang::Zh {
        error = error.with_header(header::CONTENT_LANGUAGE, HeaderValue::from_static("zh-CN"));
    }
    error
}

#[cfg(test)]
mod tests {
    use actix_web::{App, HttpResponse, HttpServer, middleware, web};

    use super::*;

    #[actix_web::test]
    async fn a_panicking_handler_answers_a_problem_500_over_the_wire() {
        let server = HttpServer::new(|| {
            App::new()
                .wrap(middleware::from_fn(catch_panic))
                .wrap(middleware::from_fn(crate::api::middleware::observe))
                .route(
                    "/boom",
                    web::get().to(|| async {
                        let values: Vec<u32> = Vec::new();
                        // A bug: an index out of bounds.
                        if values.get(3).is_none() {
                            panic!("index 3 out of bounds");
                        }
                        HttpResponse::Ok().finish()
                    }),
                )
                .route("/fine", web::get().to(|| async { "fine" }))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind");
        let address = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);

        let client = reqwest::Client::new();
        let res = client
            .get(format!("http://{address}/boom"))
            .header("x-request-id", "req-panic-1")
            .header("accept-language", "zh-CN")
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(res.status().as_u16(), 500);
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(
            header("content-type").as_deref(),
            Some("application/problem+json")
        );
        assert_eq!(header("x-request-id").as_deref(), Some("req-panic-1"));
        assert_eq!(header("content-language").as_deref(), Some("zh-CN"));
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["code"], "internal");
        assert_eq!(body["status"], 500);
        assert_eq!(body["request_id"], "req-panic-1");
        assert_eq!(body["instance"], "/boom");
        assert_eq!(body["title"], "服务器内部错误");
        // Nothing of the cause is revealed.
        assert!(!body.to_string().contains("out of bounds"), "{body}");

        // The one worker still serves requests afterwards.
        let res = client
            .get(format!("http://{address}/fine"))
            .send()
            .await
            .expect("fine");
        assert_eq!(res.status().as_u16(), 200);
        handle.stop(false).await;
    }

    #[test]
    fn panic_messages() {
        let s: Box<dyn Any + Send> = Box::new("static");
        assert_eq!(panic_message(s.as_ref()), "static");
        let s: Box<dyn Any + Send> = Box::new(String::from("owned"));
        assert_eq!(panic_message(s.as_ref()), "owned");
        let s: Box<dyn Any + Send> = Box::new(3_u8);
        assert_eq!(panic_message(s.as_ref()), "a panic without a message");
    }
}
