//! Caching and cross-origin headers of the answers under `/api`.
//!
//! * `Vary: Authorization, Accept-Language`: what an answer holds depends on the caller (scope,
//!   role) and its messages on the language; `middleware::Compress` adds `Accept-Encoding`.
//! * `Cache-Control: private, no-cache`: an answer belongs to one caller, so no shared cache
//!   may keep it; the caller's own cache may, but asks again each time (`If-None-Match`), which
//!   costs one request and, when nothing changed, a body-less 304.
//! * Every `200` JSON answer of a `GET` without an `ETag` of its own (lists, stats, the change
//!   feed) gets a strong `ETag`: a hash of the bytes of the answer, so it changes exactly when
//!   the answer does, for this caller; `If-None-Match` with it answers 304. Single resources
//!   keep their version tags. The tag names the content before compression: the service takes
//!   no `Range` requests, so the gzip and br forms of one answer may share it.
//! * CORS ([`cors`]): off unless `cors_allowed_origins` names origins.

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

/// The request headers (besides `Accept-Encoding`) that change an answer under `/api`.
pub const VARY: &str = "Authorization, Accept-Language";
/// Every answer under `/api` is the caller's own, and revalidated before reuse.
pub const CACHE_CONTROL: &str = "private, no-cache";

/// The strong ETag of an answer's bytes: 128 bits of their SHA-256.
pub fn content_etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let mut tag = String::with_capacity(34);
    tag.push('"');
    for b in &digest[..16] {
        tag.push_str(&format!("{b:02x}"));
    }
    tag.push('"');
    tag
}

/// True when `If-None-Match` (a list of tags, or `*`) names `tag` (weak comparison, as RFC
/// 9110 asks for this header).
pub fn matches(if_none_match: Option<&str>, tag: &str) -> bool {
    if_none_match.is_some_and(|v| {
        v.trim() == "*"
            || v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == tag)
    })
}

/// The `If-None-Match` header of a request, as text.
pub fn if_none_match(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A 304 for `tag`.
pub fn not_modified(tag: &str) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header((header::ETAG, tag))
        .finish()
}

pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

fn set_if_absent(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !headers.contains_key(&name) {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// An answer's request, head and whole body, read into one buffer.
pub async fn buffered(
    res: ServiceResponse<BoxBody>,
) -> Result<(HttpRequest, HttpResponse<()>, Bytes), actix_web::Error> {
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?;
    Ok((req, head, bytes))
}

/// The answer's entity tag: the one it carries, else the content tag of `body`, set on it.
pub fn tagged(head: &mut HttpResponse<()>, body: &[u8]) -> String {
    if let Some(tag) = head
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
    {
        return tag.to_owned();
    }
    let tag = content_etag(body);
    if let Ok(v) = HeaderValue::from_str(&tag) {
        head.headers_mut().insert(header::ETAG, v);
    }
    tag
}

/// The middleware: `Vary` and `Cache-Control` on every answer under `/api`, and content ETags
/// with 304s on `GET`s answered with JSON and no ETag.
pub async fn caching(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let api = req.path().starts_with("/api/");
    let readable = matches!(*req.method(), Method::GET | Method::HEAD);
    let if_none_match = if_none_match(req.headers());
    let mut res = next.call(req).await?.map_into_boxed_body();
    if !api {
        return Ok(res);
    }
    let headers = res.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static(VARY));
    set_if_absent(headers, header::CACHE_CONTROL, CACHE_CONTROL);
    if !readable
        || res.status() != StatusCode::OK
        || res.headers().contains_key(header::ETAG)
        || !is_json(res.headers())
    {
        return Ok(res);
    }
    let (req, mut res, bytes) = buffered(res).await?;
    let tag = tagged(&mut res, &bytes);
    if matches(if_none_match.as_deref(), &tag) {
        let mut not = not_modified(&tag);
        for name in [header::VARY, header::CACHE_CONTROL] {
            for value in res.headers().get_all(&name) {
                not.headers_mut().append(name.clone(), value.clone());
            }
        }
        return Ok(ServiceResponse::new(req, not));
    }
    Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(bytes))))
}

/// CORS for the origins of the allow-list (none: no CORS headers, and a preflight is answered
/// as any unknown `OPTIONS`). Bearer tokens, not cookies: no credentials mode.
pub fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
            header::CONTENT_LANGUAGE,
            HeaderName::from_static("x-request-id"),
        ])
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_tags_follow_the_bytes() {
        let a = content_etag(b"{\"items\":[]}");
        assert_eq!(a.len(), 34);
        assert_eq!(a, content_etag(b"{\"items\":[]}"));
        assert_ne!(a, content_etag(b"{\"items\":[1]}"));
        assert!(matches(Some(&format!("\"x\", W/{a}")), &a));
        assert!(matches(Some("*"), &a));
        assert!(!matches(Some("\"x\""), &a));
        assert!(!matches(None, &a));
    }
}
