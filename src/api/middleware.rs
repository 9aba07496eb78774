//! The one middleware every request passes: request id, problem rendering, the request log
//! line and the metrics.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};

use crate::api::AppState;
use crate::error::{ApiError, ErrorCode, PROBLEM_JSON};
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

pub async fn observe(
    req: ServiceRequest,
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
    let (res, error) = render_problem(res, lang, &path, &request_id);
    let mut res = res;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
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
        ApiError::new(code, Text::new(detail.clone(), detail))
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
