//! The read cache in front of the dashboard reads (`GET /api/v1/evaluations`,
//! `/api/v1/indicator-results`, `/api/v1/stats/evaluations`, `/api/v1/stats/indicators`): an
//! answer computed at a data version is served again, as the same bytes with the same tag,
//! while the data is still at that version (`app::read_cache`). Keyed by the caller (its
//! subject, role, region and departments), the path with its query and `Accept-Language`, so
//! one caller never gets another's answer.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, AcceptEncoding, Encoding, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpResponse, web};
use std::sync::Arc;

use crate::api::caching::{buffered, if_none_match, is_json, matches, not_modified, tagged};
use crate::api::state::AppState;
use crate::app::read_cache::{Coding, DataVersion, Kept};
use crate::app::single_flight::Flight;
use crate::domain::policy::Principal;

/// The reads it serves.
const CACHED: [&str; 4] = [
    "/api/v1/evaluations",
    "/api/v1/indicator-results",
    "/api/v1/stats/evaluations",
    "/api/v1/stats/indicators",
];

/// The bytes of an answer whose body must stay what the handler made (a page that holds its
/// permit until sent, `bounded_body`): the handler puts them in the response's extensions,
/// sharing them with the body, and the cache keeps them without reading the body.
pub struct Keep(pub Bytes);

/// The state and the key of a request the cache may answer.
fn cacheable(req: &ServiceRequest) -> Option<(web::Data<AppState>, String)> {
    if req.method() != Method::GET || !CACHED.contains(&req.path()) {
        return None;
    }
    let state = req.app_data::<web::Data<AppState>>()?.clone();
    if !state.read_cache.enabled() {
        return None;
    }
    let principal = req.extensions().get::<Principal>()?.clone();
    let language = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let key = format!("{principal:?}\n{}\n{language}", req.uri());
    Some((state, key))
}

/// The data's version, `None` when it cannot be told (logged: the request is then answered
/// as if there were no cache).
async fn version(state: &AppState) -> Option<DataVersion> {
    (state.read_cache.version(&state.db).await)
        .inspect_err(|e| tracing::warn!(error = %e, "read cache: cannot read the data version"))
        .ok()
        .flatten()
}

/// The compressed form the request asks for (by `Accept-Encoding`, as `Compress` negotiates
/// it), `None` for the answer as it is.
fn coding_asked(req: &ServiceRequest) -> Option<Coding> {
    let accepted = req.get_header::<AcceptEncoding>()?;
    let supported = [Encoding::brotli(), Encoding::gzip(), Encoding::identity()];
    match accepted.negotiate(supported.iter())? {
        e if e == Encoding::brotli() => Some(Coding::Brotli),
        e if e == Encoding::gzip() => Some(Coding::Gzip),
        _ => None,
    }
}

/// `body` in `coding`, with the encoders and settings of actix-web's `Compress`.
fn encode(coding: Coding, body: &[u8]) -> Option<Bytes> {
    use std::io::Write;
    let mut out = Vec::with_capacity(body.len() / 4);
    match coding {
        Coding::Gzip => {
            let mut e = flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
            e.write_all(body).ok()?;
            e.finish().ok()?;
        }
        Coding::Brotli => {
            let mut e = brotli::CompressorWriter::new(&mut out, 32 * 1024, 3, 22);
            e.write_all(body).ok()?;
            e.flush().ok()?;
        }
    }
    Some(Bytes::from(out))
}

/// A kept answer as the request asks for it: compressed when it asks for a compressed form
/// (made once and kept with the answer).
fn served(state: &AppState, key: &str, kept: &Arc<Kept>, coding: Option<Coding>) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.insert_header(header::ContentType::json())
        .insert_header((header::ETAG, kept.tag.as_str()))
        .insert_header((header::VARY, HeaderValue::from_static("accept-encoding")));
    let Some(coding) = coding else {
        return res.body(kept.body.clone());
    };
    let name = match coding {
        Coding::Gzip => "gzip",
        Coding::Brotli => "br",
    };
    let encoded = match kept.encoded(coding) {
        Some(bytes) => Some(bytes.clone()),
        None => encode(coding, &kept.body).inspect(|bytes| {
            state.metrics.read_cache_encoded(name);
            state
                .read_cache
                .put_encoded(key, kept, coding, bytes.clone());
        }),
    };
    match encoded {
        Some(bytes) => res
            .insert_header((header::CONTENT_ENCODING, name))
            .body(bytes),
        None => res.body(kept.body.clone()),
    }
}

/// The response of a kept answer: 304 when the request holds its tag.
fn answer(
    req: ServiceRequest,
    state: &AppState,
    key: &str,
    kept: &Arc<Kept>,
    asked: Option<&str>,
) -> ServiceResponse<BoxBody> {
    let res = if matches(asked, &kept.tag) {
        not_modified(&kept.tag)
    } else {
        served(state, key, kept, coding_asked(&req))
    };
    req.into_response(res)
}

/// Keeps an answer computed at `before` when the data is still there, and counts how it went.
async fn keep(state: &AppState, key: String, before: DataVersion, tag: String, body: Bytes) {
    let after = version(state).await;
    let kept = state.read_cache.put(key, before, after, tag, body);
    state
        .metrics
        .read_cache(if kept { "kept" } else { "computed" });
}

/// The middleware.
pub async fn read_cache(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some((state, key)) = cacheable(&req) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let before = version(&state).await;
    let asked = if_none_match(req.headers());
    let Some(before) = before else {
        state.metrics.read_cache("computed");
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if let Some(kept) = state.read_cache.get(&key, before) {
        state.metrics.read_cache("served");
        return Ok(answer(req, &state, &key, &kept, asked.as_deref()));
    }
    // A miss: the identical request computing this answer is waited for, not repeated. The
    // lead is held until the answer is kept (or given up with this request).
    let _lead = match state.read_cache.join(&key) {
        Flight::Follow(follow) => {
            follow.landed().await;
            if let Some(kept) = state.read_cache.get(&key, before) {
                state.metrics.read_cache("shared");
                return Ok(answer(req, &state, &key, &kept, asked.as_deref()));
            }
            None
        }
        Flight::Lead(lead) => {
            // The previous lead may have kept it between the miss and the join.
            if let Some(kept) = state.read_cache.get(&key, before) {
                state.metrics.read_cache("served");
                return Ok(answer(req, &state, &key, &kept, asked.as_deref()));
            }
            Some(lead)
        }
    };
    let res = next.call(req).await?.map_into_boxed_body();
    let shared = res
        .response()
        .extensions()
        .get::<Keep>()
        .map(|k| k.0.clone());
    if let Some(bytes) = shared {
        if res.status() == StatusCode::OK
            && let Some(tag) = res
                .headers()
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok())
        {
            let tag = tag.to_owned();
            keep(&state, key, before, tag, bytes).await;
        }
        return Ok(res);
    }
    let small = matches!(res.response().body().size(),
        BodySize::Sized(n) if n <= state.read_cache.largest() as u64);
    if res.status() != StatusCode::OK || !is_json(res.headers()) || !small {
        return Ok(res);
    }
    let (req, mut res, bytes) = buffered(res).await?;
    let tag = tagged(&mut res, &bytes);
    keep(&state, key, before, tag.clone(), bytes.clone()).await;
    if matches(asked.as_deref(), &tag) {
        return Ok(ServiceResponse::new(req, not_modified(&tag)));
    }
    Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(bytes))))
}
