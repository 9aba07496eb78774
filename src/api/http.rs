//! HTTP details shared by the resources: ETags and preconditions, cursor pagination.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::api::state::AppState;
use crate::app::precondition::parse_tag_list;
pub use crate::app::precondition::{IfMatch, etag, require_if_match_missing, stale};
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;

/// The `If-Match` header, required on updates: 428 when it is missing.
pub fn require_if_match(req: &HttpRequest) -> Result<IfMatch, ApiError> {
    optional_if_match(req)?.ok_or_else(require_if_match_missing)
}

/// The `If-Match` header, when given.
pub fn optional_if_match(req: &HttpRequest) -> Result<Option<IfMatch>, ApiError> {
    match req.headers().get(header::IF_MATCH) {
        None => Ok(None),
        Some(v) => v.to_str().map(|s| Some(parse_tag_list(s))).map_err(|_| {
            ApiError::new(
                codes::INVALID_HEADER,
                Text::new("If-Match is not valid text", "If-Match 不是合法文本"),
            )
        }),
    }
}

/// True when `If-None-Match` names the current version (answer 304).
pub fn not_modified(req: &HttpRequest, version: i64) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| parse_tag_list(v).matches(version))
}

/// The 304 (with the ETag) when `If-None-Match` names the current version.
pub fn unchanged(req: &HttpRequest, version: i64) -> Option<HttpResponse> {
    not_modified(req, version).then(|| {
        HttpResponse::NotModified()
            .insert_header((header::ETAG, etag(version)))
            .finish()
    })
}

/// A versioned resource as the answer: its body with its ETag, and on 201 its `Location`.
pub fn versioned<T: Serialize>(
    status: StatusCode,
    version: i64,
    location: &str,
    body: &T,
) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, etag(version)));
    if status == StatusCode::CREATED {
        res.insert_header((header::LOCATION, location));
    }
    res.json(body)
}

pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// Checks `page_size` (1..=max, default 50 or max when smaller).
pub fn page_size(requested: Option<u64>, max: u64) -> Result<u64, ApiError> {
    match requested {
        None => Ok(DEFAULT_PAGE_SIZE.min(max)),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => {
            let mut e = ApiError::new(
                codes::INVALID_QUERY,
                Text::new(
                    format!("page_size must be between 1 and {max} (got {n})"),
                    format!("page_size 必须在 1 到 {max} 之间（收到 {n}）"),
                ),
            );
            e.errors.push(FieldError::query(
                "page_size",
                "parameter.out_of_range",
                Text::new(format!("1..={max}"), format!("1..={max}")),
            ));
            Err(e)
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    /// The resource kind the token belongs to.
    k: String,
    /// The sort key of the last row of the previous page.
    a: String,
}

/// Makes the opaque token that continues a listing after `after`.
pub fn encode_page_token(kind: &str, after: &str) -> String {
    let cursor = Cursor {
        k: kind.to_owned(),
        a: after.to_owned(),
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor).unwrap_or_default())
}

/// The token of the page after `rows`, when more follow.
pub fn next_page_token<T>(
    kind: &str,
    more: bool,
    rows: &[T],
    key: impl Fn(&T) -> &str,
) -> Option<String> {
    match (more, rows.last()) {
        (true, Some(last)) => Some(encode_page_token(kind, key(last))),
        _ => None,
    }
}

/// A list's page as asked for: its kind, its length and the key it starts after.
pub struct Paging {
    kind: &'static str,
    pub limit: u64,
    after: Option<String>,
}

impl Paging {
    /// Reads `page_size` (at most the server's maximum) and `page_token` (one made for `kind`).
    pub fn read(
        kind: &'static str,
        size: Option<u64>,
        token: Option<String>,
        state: &AppState,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            kind,
            limit: page_size(size, state.max_page_size)?,
            after: decode_page_token(kind, token.as_deref())?,
        })
    }

    /// The key the page starts after.
    pub fn after(&self) -> Option<&str> {
        self.after.as_deref()
    }

    /// 200 with the page that `wrap` makes of the rows and the token of the next page.
    pub fn answer<T, P: Serialize>(
        &self,
        (rows, more): (Vec<T>, bool),
        key: impl Fn(&T) -> &str,
        wrap: impl FnOnce(Vec<T>, Option<String>) -> P,
    ) -> HttpResponse {
        let next = next_page_token(self.kind, more, &rows, key);
        HttpResponse::Ok().json(wrap(rows, next))
    }
}

/// The closure that makes a list's page type (`items`, `next_page_token`) for
/// [`Paging::answer`].
macro_rules! page {
    ($page:ident) => {
        |items, next_page_token| $page {
            items,
            next_page_token,
        }
    };
}
pub(crate) use page;

/// Reads a page token made by [`encode_page_token`] for the same kind.
pub fn decode_page_token(kind: &str, token: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(token) = token else { return Ok(None) };
    let invalid = || {
        let mut e = ApiError::new(
            codes::INVALID_PAGE_TOKEN,
            Text::new(
                "page_token is not a token this listing returned",
                "page_token 不是本列表返回的分页令牌",
            ),
        );
        e.errors.push(FieldError::query(
            "page_token",
            "parameter.invalid",
            Text::new("unknown token", "无法识别的令牌"),
        ));
        e
    };
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if cursor.k != kind {
        return Err(invalid());
    }
    Ok(Some(cursor.a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_are_kind_bound() {
        let t = encode_page_token("regions", "430424");
        assert_eq!(
            decode_page_token("regions", Some(&t)).unwrap(),
            Some("430424".into())
        );
        assert!(decode_page_token("funds", Some(&t)).is_err());
        assert!(decode_page_token("regions", Some("???")).is_err());
        assert_eq!(decode_page_token("regions", None).unwrap(), None);
    }

    #[test]
    fn if_match_lists() {
        assert!(parse_tag_list("*").matches(7));
        assert!(parse_tag_list("\"3\", \"7\"").matches(7));
        assert!(parse_tag_list("W/\"7\"").matches(7));
        assert!(!parse_tag_list("\"6\"").matches(7));
    }

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None, 500).unwrap(), 50);
        assert_eq!(page_size(None, 20).unwrap(), 20);
        assert_eq!(page_size(Some(500), 500).unwrap(), 500);
        assert!(page_size(Some(0), 500).is_err());
        assert!(page_size(Some(501), 500).is_err());
    }
}
