//! Idempotency keys as a use case, in small steps (claim → run → record or release): a POST
//! with a key is run once per caller; a retry with the same request gets the first answer, the
//! same key with another request is 422, a retry while the first runs is 409. Keys live in the
//! database (for 24 hours), so they hold across instances.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

use crate::domain::policy::Principal;
use crate::error::{ApiError, codes};
use crate::locale::Text;
use crate::store::idempotency::{self as store, Claim};

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

/// The fingerprint of a request: method, target and body.
pub fn request_hash(method: &str, uri: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method);
    hasher.update(b" ");
    hasher.update(uri);
    hasher.update(b"\n");
    hasher.update(body);
    format!("{:x}", hasher.finalize())
}

/// A recorded answer: status, headers (name, value) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum NextAction {
    /// The key is ours: run the request, then [`complete`] (or [`release`]).
    Run,
    /// The same request was answered: send that answer again.
    Replay(SavedResponse),
}

/// Claims `key` for the request with fingerprint `hash`: 422 when the key was used for another
/// request, 409 (retry after a second) while the first request with it is running.
pub async fn try_processing(
    db: &impl ConnectionTrait,
    key: &str,
    hash: &str,
) -> Result<NextAction, ApiError> {
    match store::claim(db, key, hash)
        .await
        .map_err(ApiError::from_db)?
    {
        Claim::New => Ok(NextAction::Run),
        Claim::Done(row) => Ok(NextAction::Replay(saved(&row))),
        Claim::Mismatch => Err(ApiError::new(
            codes::IDEMPOTENCY_KEY_REUSED,
            Text::new(
                "This Idempotency-Key was used for another request; use a new key",
                "该 Idempotency-Key 已用于另一个请求，请使用新的键",
            ),
        )),
        Claim::Running => Err(ApiError::new(
            codes::IDEMPOTENCY_IN_PROGRESS,
            Text::new(
                "The first request with this Idempotency-Key is still running; retry shortly",
                "使用该 Idempotency-Key 的首个请求仍在处理中，请稍后重试",
            ),
        )
        .with_header(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from_static("1"),
        )),
    }
}

/// A stored answer as it is replayed (a row written by [`complete`]; anything unreadable in it
/// replays as empty rather than failing the retry).
fn saved(row: &store::Model) -> SavedResponse {
    SavedResponse {
        status: row
            .status
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(200),
        headers: row
            .headers
            .as_deref()
            .and_then(|h| serde_json::from_str(h).ok())
            .unwrap_or_default(),
        body: row
            .body
            .as_deref()
            .and_then(|b| STANDARD.decode(b).ok())
            .unwrap_or_default(),
    }
}

/// Records the answer to replay.
pub async fn complete(
    db: &impl ConnectionTrait,
    key: &str,
    response: &SavedResponse,
) -> Result<(), ApiError> {
    let headers = serde_json::to_string(&response.headers).map_err(ApiError::internal)?;
    store::complete(
        db,
        key,
        response.status,
        headers,
        STANDARD.encode(&response.body),
    )
    .await
    .map_err(ApiError::from_db)
}

/// Gives the key up (the request failed on our side: a retry may run it again). A failure is
/// logged: the key then expires with the others.
pub async fn release(db: &impl ConnectionTrait, key: &str) {
    if let Err(e) = store::release(db, key).await {
        tracing::warn!(error = %e, "could not release an idempotency key");
    }
}
