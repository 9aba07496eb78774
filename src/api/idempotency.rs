//! `Idempotency-Key` on every POST under `/api`: a retry with the same key and body replays the
//! first answer (status, headers, body); the same key with another body is 422; a retry while
//! the first is still running is 409. Keys live in the database for 24 hours, per caller (subject
//! and scope: see [`storage_key`]), so they hold across instances.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::api::middleware::{RequestId, render_problem};
use crate::api::state::AppState;
use crate::domain::policy::Principal;
use crate::error::{ApiError, codes};
use crate::locale::{Lang, Text};
use crate::store::idempotency::{self as store, Claim};

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

/// The stored key: the caller's subject, a fingerprint of its whole scope (role, region and
/// department list) and the client's key. The same subject acting with another role or
/// region is another caller: it never gets the first caller's answer.
pub fn storage_key(principal: &Principal, key: &str) -> String {
    let mut departments = principal.departments.clone().unwrap_or_default();
    departments.sort();
    departments.dedup();
    let mut scope = Sha256::new();
    scope.update(principal.role.as_str());
    scope.update(b"\n");
    scope.update(principal.region.as_str());
    scope.update(b"\n");
    match &principal.departments {
        None => scope.update(b"*"),
        Some(_) => {
            for d in &departments {
                scope.update(d.len().to_string());
                scope.update(b":");
                scope.update(d);
            }
        }
    }
    let fingerprint = format!("{:x}", scope.finalize());
    format!("{}\n{}\n{key}", principal.subject, &fingerprint[..32])
}

fn reply(req: ServiceRequest, e: ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(e.error_response())
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(value) = req.headers().get(&IDEMPOTENCY_KEY).cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    if req.method() != Method::POST || !req.path().starts_with("/api/") {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let key = match value.to_str() {
        Ok(k)
            if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x21..0x7f).contains(&b)) =>
        {
            k.to_owned()
        }
        _ => return Ok(reply(req, bad_key())),
    };
    let (Some(state), Some(principal)) = (
        req.app_data::<web::Data<AppState>>().cloned(),
        req.extensions().get::<Principal>().cloned(),
    ) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    // The body, within the limit of the endpoint (batches have their own).
    let limit = if req.path().ends_with("/batch") {
        state.max_batch_bytes
    } else {
        state.max_body_bytes
    };
    let mut body = web::BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Ok(reply(
                req,
                ApiError::new(
                    codes::BAD_REQUEST,
                    Text::new("The body could not be read", "无法读取请求体"),
                ),
            ));
        };
        if body.len() + chunk.len() > limit {
            return Ok(reply(
                req,
                ApiError::new(
                    codes::BODY_TOO_LARGE,
                    Text::new(
                        format!(
                            "The request body is larger than the limit of {} bytes",
                            state.max_body_bytes
                        ),
                        format!("请求体超过 {} 字节的上限", state.max_body_bytes),
                    ),
                ),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(b" ");
    hasher.update(req.uri().to_string());
    hasher.update(b"\n");
    hasher.update(&body);
    let hash = format!("{:x}", hasher.finalize());
    let storage_key = storage_key(&principal, &key);
    let claim = match store::claim(&state.db, &storage_key, &hash).await {
        Ok(c) => c,
        Err(e) => return Ok(reply(req, ApiError::from_db(e))),
    };
    match claim {
        Claim::Mismatch => {
            return Ok(reply(
                req,
                ApiError::new(
                    codes::IDEMPOTENCY_KEY_REUSED,
                    Text::new(
                        "This Idempotency-Key was used for another request; use a new key",
                        "该 Idempotency-Key 已用于另一个请求，请使用新的键",
                    ),
                ),
            ));
        }
        Claim::Running => {
            return Ok(reply(
                req,
                ApiError::new(
                    codes::IDEMPOTENCY_IN_PROGRESS,
                    Text::new(
                        "The first request with this Idempotency-Key is still running; retry shortly",
                        "使用该 Idempotency-Key 的首个请求仍在处理中，请稍后重试",
                    ),
                )
                .with_header(header::RETRY_AFTER, HeaderValue::from_static("1")),
            ));
        }
        Claim::Done(row) => {
            let mut res = HttpResponse::build(
                StatusCode::from_u16(row.status.unwrap_or(200) as u16).unwrap_or(StatusCode::OK),
            );
            let headers: Vec<(String, String)> = row
                .headers
                .as_deref()
                .and_then(|h| serde_json::from_str(h).ok())
                .unwrap_or_default();
            for (name, value) in headers {
                if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::from_str(&value))
                {
                    res.append_header((n, v));
                }
            }
            res.insert_header((REPLAYED, HeaderValue::from_static("true")));
            let bytes = row
                .body
                .as_deref()
                .and_then(|b| STANDARD.decode(b).ok())
                .unwrap_or_default();
            return Ok(req.into_response(res.body(bytes)));
        }
        Claim::New => {}
    }
    req.set_payload(actix_web::dev::Payload::from(body));
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
            let _ = store::release(&state.db, &storage_key).await;
            return Err(e);
        }
    };
    if res.status().is_server_error() {
        // Our failure: let a retry run it again.
        let _ = store::release(&state.db, &storage_key).await;
        return Ok(res);
    }
    // Render problems now, so that the replay is exactly this answer.
    let (res, _) = render_problem(res, lang, &path, &request_id);
    let (http_req, response) = res.into_parts();
    let status = response.status();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(n, _)| {
            *n != header::DATE && *n != header::CONTENT_LENGTH && n.as_str() != "x-request-id"
        })
        .filter_map(|(n, v)| {
            v.to_str()
                .ok()
                .map(|v| (n.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let (head, body) = response.into_parts();
    let bytes = match actix_web::body::to_bytes(body).await {
        Ok(b) => b,
        Err(_) => {
            let _ = store::release(&state.db, &storage_key).await;
            return Ok(ServiceResponse::new(
                http_req,
                ApiError::internal(anyhow::anyhow!("unreadable response body")).error_response(),
            ));
        }
    };
    let headers_json = serde_json::to_string(&headers).unwrap_or_else(|_| "[]".into());
    if let Err(e) = store::complete(
        &state.db,
        &storage_key,
        status.as_u16(),
        headers_json,
        STANDARD.encode(&bytes),
    )
    .await
    {
        tracing::warn!(error = %e, "could not record the idempotent response");
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(bytes).map_into_boxed_body(),
    ))
}
