//! The guard in front of `/api`: every request there needs a valid bearer token, and every
//! client is held to its request rate. Handlers take the [`Principal`] as an extractor.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use futures_util::future::{Ready, ready};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::{AuthFailure, KeySet, Principal};
use crate::error::{ApiError, codes};
use crate::locale::Text;

/// Per-client request limiter (token subject, else address). In process memory: it protects
/// each instance; nothing's correctness depends on it.
pub struct Limiter {
    inner: Option<DefaultKeyedRateLimiter<String>>,
    calls: AtomicU64,
}

impl Limiter {
    pub fn new(per_minute: u32, burst: u32) -> Limiter {
        let inner = NonZeroU32::new(per_minute).map(|rate| {
            let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
            RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
        });
        Limiter {
            inner,
            calls: AtomicU64::new(0),
        }
    }

    /// `Err(wait)` when the client must slow down.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let Some(limiter) = &self.inner else {
            return Ok(());
        };
        if self
            .calls
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(4096)
        {
            limiter.retain_recent();
        }
        limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// What the guard needs.
pub struct Guard {
    pub keys: KeySet,
    pub limiter: Limiter,
}

fn bearer(req: &ServiceRequest) -> Result<&str, AuthFailure> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(AuthFailure::MissingToken)?
        .to_str()
        .map_err(|_| AuthFailure::Malformed("the Authorization header is not text".into()))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| AuthFailure::Malformed("expected `Bearer <token>`".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AuthFailure::Malformed("expected `Bearer <token>`".into()));
    }
    Ok(token.trim())
}

fn too_many(wait: Duration) -> ApiError {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    ApiError::new(
        codes::RATE_LIMITED,
        Text::new(
            format!("Too many requests; retry in {secs} s"),
            format!("请求过于频繁，请在 {secs} 秒后重试"),
        ),
    )
    .with_header(
        header::RETRY_AFTER,
        HeaderValue::from_str(&secs.to_string()).unwrap_or(HeaderValue::from_static("1")),
    )
}

/// The middleware: authenticates `/api` requests and applies the rate limit.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !req.path().starts_with("/api/") {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(guard) = req.app_data::<web::Data<Guard>>().cloned() else {
        let e = ApiError::internal(anyhow::anyhow!("the auth guard is not configured"));
        return Ok(req.into_response(e.error_response()));
    };
    let outcome = bearer(&req).and_then(|token| guard.keys.verify(token));
    let client = match &outcome {
        Ok(p) => format!("sub:{}", p.subject),
        Err(_) => format!(
            "addr:{}",
            req.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        ),
    };
    if let Err(wait) = guard.limiter.check(&client) {
        return Ok(req.into_response(too_many(wait).error_response()));
    }
    match outcome {
        Ok(principal) => {
            req.extensions_mut().insert(principal);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body)
        }
        Err(failure) => Ok(req.into_response(ApiError::from(failure).error_response())),
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Principal, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Principal>()
                .cloned()
                .ok_or_else(|| AuthFailure::MissingToken.into()),
        )
    }
}
