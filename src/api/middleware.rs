//! The one middleware every request passes: request id, the body deadline, `HEAD` as `GET`,
//! problem rendering, the security headers, the request log line and the metrics.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{ConnectionType, Method};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};
use futures_util::Stream;

use crate::api::state::AppState;
use crate::error::{ApiError, ErrorCode, PROBLEM_JSON, codes};
use crate::locale::{Lang, Text};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served (accepted from `X-Request-Id` or generated).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

fn accepted_request_id(value: Option<&HeaderValue>) -> Option<String> {
    let v = value?.to_str().ok()?.trim();
    let ok = !v.is_empty()
        && v.len() <= 128
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| v.to_owned())
}

/// The Content-Security-Policy of the Swagger UI under `/docs/`: its scripts, styles and
/// images come from the service itself (Swagger UI also sets inline styles and uses `data:`
/// images), and it fetches `/openapi.json` and the API from the same origin.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The Content-Security-Policy of everything else: the HTML report has no scripts, its styles
/// are inline and its only images `data:` URIs; JSON needs nothing at all.
pub const PAGE_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

/// Sets the security headers every answer carries (a handler's own values are kept).
fn security_headers(res: &mut ServiceResponse<BoxBody>, path: &str) {
    let csp = if path == "/docs" || path.starts_with("/docs/") {
        DOCS_CSP
    } else {
        PAGE_CSP
    };
    let headers = res.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, csp),
    ] {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}

/// A request body that must have arrived by a deadline. Past it the stream ends with an
/// error, whichever reader is waiting (the JSON extractor, the batch reader, the idempotency
/// layer), and `expired` tells [`observe`] to answer 408 and close the connection.
struct DeadlineBody {
    inner: Payload,
    deadline: actix_web::rt::time::Instant,
    timer: Pin<Box<actix_web::rt::time::Sleep>>,
    expired: Rc<Cell<bool>>,
}

impl DeadlineBody {
    fn timed_out(&mut self) -> Poll<Option<Result<Bytes, PayloadError>>> {
        self.expired.set(true);
        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the request body did not arrive in time",
        )))))
    }
}

impl Stream for DeadlineBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.expired.get() {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(_))) if actix_web::rt::time::Instant::now() >= this.deadline => {
                this.timed_out()
            }
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Ready(()) => this.timed_out(),
                Poll::Pending => Poll::Pending,
            },
            other => other,
        }
    }
}

/// Puts the request body under its deadline; the flag turns true when it is missed.
fn limit_body_time(req: &mut ServiceRequest, limit: Duration) -> Rc<Cell<bool>> {
    let expired = Rc::new(Cell::new(false));
    let payload = req.take_payload();
    if matches!(payload, Payload::None) {
        return expired;
    }
    let deadline = actix_web::rt::time::Instant::now() + limit;
    let body = DeadlineBody {
        inner: payload,
        deadline,
        timer: Box::pin(actix_web::rt::time::sleep_until(deadline)),
        expired: expired.clone(),
    };
    req.set_payload(Payload::Stream {
        payload: Box::pin(body),
    });
    expired
}

fn request_timeout(limit: Duration) -> ApiError {
    let secs = limit.as_secs();
    ApiError::new(
        codes::REQUEST_TIMEOUT,
        Text::new(
            format!("The request body did not arrive within {secs} s; the connection is closed"),
            format!("请求体未在 {secs} 秒内送达，连接已关闭"),
        ),
    )
}

/// Marks a `HEAD` request served as `GET` (RFC 9110 §9.3.2): the route, the status and the
/// headers are those of `GET`; the connection sends no body.
#[derive(Clone, Copy, Debug)]
pub struct HeadRequest;

/// `HEAD` is answered wherever `GET` is: the request is routed as `GET`, and the body is
/// dropped (a sized body still gives its `Content-Length`; the HTTP/1 codec writes no bytes
/// of a response to `HEAD`). A streamed body is not produced at all.
fn head_as_get(req: &mut ServiceRequest) -> bool {
    if req.method() != Method::HEAD {
        return false;
    }
    req.head_mut().method = Method::GET;
    req.extensions_mut().insert(HeadRequest);
    true
}

fn without_streamed_body(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    if matches!(res.response().body().size(), BodySize::Stream) {
        res.map_body(|_, _| BoxBody::new(actix_web::body::None::new()))
    } else {
        res
    }
}

pub async fn observe(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = accepted_request_id(req.headers().get(&REQUEST_ID))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let lang = Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().to_string();
    let method_label = crate::telemetry::method_label(req.method());
    let path = req.path().to_owned();
    let body_limit = state
        .as_ref()
        .map_or(Duration::from_secs(30), |s| s.body_timeout);
    let expired = limit_body_time(&mut req, body_limit);
    let head = head_as_get(&mut req);
    // Routed requests come back as responses, errors included; an `Err` here can only come
    // from the framework itself and is answered by its own `ResponseError` rendering.
    let res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(err) => {
            tracing::error!(request_id, method, path, error = %err, "request failed before routing");
            return Err(err);
        }
    };
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let res = if expired.get() {
        let mut res = res.into_response(request_timeout(body_limit).error_response());
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
        res
    } else {
        res
    };
    let (res, error) = render_problem(res, lang, &path, &request_id);
    let mut res = if head {
        without_streamed_body(res)
    } else {
        res
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    security_headers(&mut res, &path);
    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(state) = &state {
        state
            .metrics
            .observe(method_label, &route, status, elapsed.as_secs_f64());
    }
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    match error {
        Some(err) if status >= 500 => tracing::error!(
            request_id, method, path, route, status, duration_ms, error = %err, "request failed"
        ),
        _ => tracing::info!(
            request_id,
            method,
            path,
            route,
            status,
            duration_ms,
            "request"
        ),
    }
    Ok(res)
}

/// Makes every error response a problem document in the caller's language. A response that
/// is a problem document already (a replayed one) is kept as it is.
pub fn render_problem(
    res: ServiceResponse<BoxBody>,
    lang: Lang,
    path: &str,
    request_id: &str,
) -> (ServiceResponse<BoxBody>, Option<ApiError>) {
    let status = res.status();
    if status.as_u16() < 400 {
        return (res, None);
    }
    let known = res.response().extensions().get::<ApiError>().cloned();
    let already = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if known.is_none() && already {
        return (res, None);
    }
    let error = known.unwrap_or_else(|| {
        // The framework answered on its own (e.g. a payload error): keep its status.
        let code = ErrorCode::for_status(status);
        let detail = res
            .response()
            .error()
            .map(|e| e.to_string())
            .filter(|d| !d.is_empty() && status.as_u16() < 500)
            .unwrap_or_else(|| code.title_en.to_owned());
        // The framework's text is English: the Chinese answer gives the code's title.
        ApiError::new(code, Text::new(detail, code.title_zh))
    });
    let body = error.to_problem(lang, path, request_id).to_string();
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.append_header((name.clone(), value.clone()));
        }
    }
    if lang == Lang::Zh {
        new.insert_header((header::CONTENT_LANGUAGE, "zh-CN"));
    }
    let new = new.content_type(PROBLEM_JSON).body(body);
    (ServiceResponse::new(req, new), Some(error))
}
