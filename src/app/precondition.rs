//! Preconditions on versions: the strong ETag of a version, what `If-Match` allows, and the
//! 428 / 412 answers of the write path.

use actix_web::http::header;

use crate::error::{ApiError, codes};
use crate::locale::Text;

/// The strong ETag of a resource version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// What an `If-Match` header allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    Any,
    Tags(Vec<String>),
}

impl IfMatch {
    pub fn matches(&self, version: i64) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Tags(tags) => tags.iter().any(|t| *t == etag(version)),
        }
    }
}

pub fn parse_tag_list(value: &str) -> IfMatch {
    if value.trim() == "*" {
        return IfMatch::Any;
    }
    IfMatch::Tags(
        value
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/").to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
    )
}

/// The 428 for an update without `If-Match`.
pub fn require_if_match_missing() -> ApiError {
    ApiError::new(
        codes::PRECONDITION_REQUIRED,
        Text::new(
            "Send If-Match with the ETag of the version you read, so no update is lost",
            "请在 If-Match 中携带所读取版本的 ETag，以免覆盖他人的修改",
        ),
    )
}

/// The 412 for a stale `If-Match`.
pub fn stale(current_version: i64) -> ApiError {
    ApiError::new(
        codes::PRECONDITION_FAILED,
        Text::new(
            format!(
                "The resource has changed since you read it; its current ETag is {}",
                etag(current_version)
            ),
            format!(
                "资源在读取后已被修改；当前 ETag 为 {}",
                etag(current_version)
            ),
        ),
    )
    .with_header(
        header::ETAG,
        header::HeaderValue::from_str(&etag(current_version))
            .unwrap_or(header::HeaderValue::from_static("\"0\"")),
    )
}
