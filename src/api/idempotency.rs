//! `Idempotency-Key` on every POST under `/api`: a retry with the same key and body replays the
//! first answer (status, headers, body); the same key with another body is 422; a retry while
//! the first is still running is 409. Keys live in the database for 24 hours, per caller (subject
//! and scope: see [`crate::app::idempotency::storage_key`]), so they hold across instances.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};
use futures_util::StreamExt;

use crate::api::middleware::{RequestId, render_problem};
use crate::api::state::AppState;
use crate::app::idempotency::{self, NextAction, SavedResponse};
use crate::domain::policy::Principal;
use crate::error::{ApiError, codes};
use crate::locale::{Lang, Text};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

fn bad_key() -> ApiError {
    ApiError::new(
        codes::INVALID_HEADER,
        Text::new(
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
            "Idempotency-Key 必须是 1 到 255 个可见 ASCII 字符",
        ),
    )
}

fn reply(req: ServiceRequest, e: ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(e.error_response())
}

/// The key of a request the middleware handles: `None` for anything but a POST under `/api/`
/// with the header; 400 when the key is not 1 to 255 visible ASCII characters.
fn key_of(req: &ServiceRequest) -> Option<Result<String, ApiError>> {
    let value = req.headers().get(&IDEMPOTENCY_KEY)?;
    if req.method() != Method::POST || !req.path().starts_with("/api/") {
        return None;
    }
    Some(match value.to_str() {
        Ok(k)
            if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x21..0x7f).contains(&b)) =>
        {
            Ok(k.to_owned())
        }
        _ => Err(bad_key()),
    })
}

/// The whole body, within the limit of the endpoint (batches have their own).
async fn read_body(req: &mut ServiceRequest, state: &AppState) -> Result<web::Bytes, ApiError> {
    let limit = if req.path().ends_with("/batch") {
        state.max_batch_bytes
    } else {
        state.max_body_bytes
    };
    let mut body = web::BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Err(ApiError::new(
                codes::BAD_REQUEST,
                Text::new("The body could not be read", "无法读取请求体"),
            ));
        };
        if body.len() + chunk.len() > limit {
            return Err(ApiError::new(
                codes::BODY_TOO_LARGE,
                Text::new(
                    format!(
                        "The request body is larger than the limit of {} bytes",
                        state.max_body_bytes
                    ),
                    format!("请求体超过 {} 字节的上限", state.max_body_bytes),
                ),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A recorded answer, sent again and marked as a replay.
fn replay(saved: SavedResponse) -> HttpResponse {
    let mut res = HttpResponse::build(StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK));
    for (name, value) in saved.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            res.append_header((n, v));
        }
    }
    res.insert_header((REPLAYED, HeaderValue::from_static("true")));
    res.body(saved.body)
}

/// Runs POSTs with an `Idempotency-Key` once per caller and key: claims the key, runs the
/// request, records its answer (or gives the key up when the failure is ours).
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match key_of(&req) {
        None => return pass(req, next).await,
        Some(Err(e)) => return Ok(reply(req, e)),
        Some(Ok(key)) => key,
    };
    let (Some(state), Some(principal)) = (
        req.app_data::<web::Data<AppState>>().cloned(),
        req.extensions().get::<Principal>().cloned(),
    ) else {
        return pass(req, next).await;
    };
    let body = match read_body(&mut req, &state).await {
        Ok(body) => body,
        Err(e) => return Ok(reply(req, e)),
    };
    let hash = idempotency::request_hash(req.method().as_str(), &req.uri().to_string(), &body);
    let storage_key = idempotency::storage_key(&principal, &key);
    match idempotency::try_processing(&state.db, &storage_key, &hash).await {
        Err(e) => return Ok(reply(req, e)),
        Ok(NextAction::Replay(saved)) => return Ok(req.into_response(replay(saved))),
        Ok(NextAction::Run) => {}
    }
    req.set_payload(actix_web::dev::Payload::from(body));
    run_and_record(req, next, &state, &storage_key).await
}

async fn pass(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// Runs the claimed request and records its answer, problems rendered first so that the
/// replay is exactly this answer; a failure of ours releases the key so a retry runs again.
async fn run_and_record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    state: &AppState,
    storage_key: &str,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let lang = Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let path = req.path().to_owned();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            idempotency::release(&state.db, storage_key).await;
            return Err(e);
        }
    };
    if res.status().is_server_error() {
        // Our failure: let a retry run it again.
        idempotency::release(&state.db, storage_key).await;
        return Ok(res);
    }
    let (res, _) = render_problem(res, lang, &path, &request_id);
    let (http_req, response) = res.into_parts();
    let status = response.status();
    let headers = recorded_headers(response.headers());
    let (head, body) = response.into_parts();
    let Ok(bytes) = actix_web::body::to_bytes(body).await else {
        idempotency::release(&state.db, storage_key).await;
        return Ok(ServiceResponse::new(
            http_req,
            ApiError::internal(anyhow::anyhow!("unreadable response body")).error_response(),
        ));
    };
    let saved = SavedResponse {
        status: status.as_u16(),
        headers,
        body: bytes.to_vec(),
    };
    if let Err(e) = idempotency::complete(&state.db, storage_key, &saved).await {
        tracing::warn!(error = %e, "could not record the idempotent response");
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(bytes).map_into_boxed_body(),
    ))
}

/// The headers a replay repeats: all but the date, the length and the request id.
fn recorded_headers(headers: &header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(n, _)| {
            *n != header::DATE && *n != header::CONTENT_LENGTH && n.as_str() != "x-request-id"
        })
        .filter_map(|(n, v)| {
            v.to_str()
                .ok()
                .map(|v| (n.as_str().to_owned(), v.to_owned()))
        })
        .collect()
}
