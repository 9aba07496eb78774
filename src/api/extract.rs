//! Request extractors that answer every bad input with a problem: JSON bodies with JSON
//! Pointers to the offending field, query strings, and path segments.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::api::AppState;
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;

/// A request body type: JSON, with the server-owned fields it must refuse.
pub trait RequestBody: DeserializeOwned {
    /// Top-level fields only the server writes (ids, versions, timestamps, status, scores).
    const READ_ONLY: &'static [&'static str] = &[];
}

/// A JSON request body of type `T`, read within the configured size limit.
pub struct JsonBody<T>(pub T);

impl<T: RequestBody + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(1 << 20, |s| s.max_body_bytes);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            check_content_type(content_type.as_deref())?;
            if declared_length.is_some_and(|n| n > limit) {
                return Err(too_large(limit));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::new(
                        codes::BAD_REQUEST,
                        Text::new(
                            format!("The request body could not be read: {e}"),
                            format!("无法读取请求体：{e}"),
                        ),
                    )
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            parse_body::<T>(&body).map(JsonBody)
        })
    }
}

fn check_content_type(content_type: Option<&str>) -> Result<(), ApiError> {
    let essence = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => Ok(()),
        Some(e) if e.starts_with("application/") && e.ends_with("+json") => Ok(()),
        other => Err(ApiError::new(
            codes::UNSUPPORTED_MEDIA_TYPE,
            Text::new(
                format!(
                    "The body must be sent as Content-Type: application/json (got {})",
                    other.unwrap_or("no Content-Type")
                ),
                format!(
                    "请求体必须以 Content-Type: application/json 发送（收到的是 {}）",
                    other.unwrap_or("无 Content-Type")
                ),
            ),
        )
        .with_header(
            header::ACCEPT,
            header::HeaderValue::from_static("application/json"),
        )),
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        codes::BODY_TOO_LARGE,
        Text::new(
            format!("The request body is larger than the limit of {limit} bytes"),
            format!("请求体超过 {limit} 字节的上限"),
        ),
    )
}

/// Parses a JSON body: syntax errors are 400, type and field errors 422 with pointers.
pub fn parse_body<T: RequestBody>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            codes::MALFORMED_JSON,
            Text::new(
                format!("The body is not valid JSON: {e}"),
                format!("请求体不是合法的 JSON：{e}"),
            ),
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(ApiError::validation(vec![FieldError::body(
            "",
            "field.invalid_type",
            Text::new("The body must be a JSON object", "请求体必须是 JSON 对象"),
        )]));
    };
    let read_only: Vec<FieldError> = T::READ_ONLY
        .iter()
        .filter(|f| object.contains_key(**f))
        .map(|f| {
            FieldError::body(
                format!("/{}", escape_pointer(f)),
                "field.read_only",
                Text::new(
                    format!("`{f}` is set by the server and cannot be sent"),
                    format!("`{f}` 由服务器写入，请求中不能设置"),
                ),
            )
        })
        .collect();
    if !read_only.is_empty() {
        return Err(ApiError::validation(read_only));
    }
    parse_value(value)
}

/// Deserialises a JSON value, turning the first problem into a 422 with its pointer.
pub fn parse_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let mut pointer = path_to_pointer(e.path());
        let message = e.inner().to_string();
        let (code, field) = if let Some(f) = backticked_after(&message, "unknown field `") {
            ("field.unknown", Some(f))
        } else if let Some(f) = backticked_after(&message, "missing field `") {
            ("field.missing", Some(f))
        } else if message.contains(crate::api::amount::ABOVE_MAXIMUM) {
            ("field.out_of_range", None)
        } else {
            ("field.invalid", None)
        };
        if let Some(field) = field {
            let suffix = format!("/{}", escape_pointer(&field));
            if !pointer.ends_with(&suffix) {
                pointer.push_str(&suffix);
            }
        }
        let (en, zh) = match code {
            "field.unknown" => (
                format!("Unknown field: {message}"),
                format!("未知字段：{message}"),
            ),
            "field.missing" => (
                "This field is required".to_owned(),
                "此字段为必填项".to_owned(),
            ),
            "field.out_of_range" => (
                format!("Out of range: {message}"),
                format!("数值超出上限（金额至多 10^12 万元，分值至多 10^6）：{message}"),
            ),
            _ => (
                format!("Invalid value: {message}"),
                format!("取值无效：{message}"),
            ),
        };
        ApiError::validation(vec![FieldError::body(pointer, code, Text::new(en, zh))])
    })
}

fn backticked_after(message: &str, prefix: &str) -> Option<String> {
    let rest = message.split_once(prefix)?.1;
    Some(rest.split_once('`')?.0.to_owned())
}

/// Escapes a JSON Pointer reference token (RFC 6901).
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{}", escape_pointer(key))),
            Segment::Enum { variant } => out.push_str(&format!("/{}", escape_pointer(variant))),
            Segment::Unknown => {}
        }
    }
    out
}

/// The query-string error handler: 400 with the parameter named when serde says which.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    let message = err.to_string();
    let message = message
        .strip_prefix("Query deserialize error: ")
        .unwrap_or(&message)
        .to_owned();
    let parameter = backticked_after(&message, "unknown field `")
        .or_else(|| backticked_after(&message, "missing field `"));
    let mut e = ApiError::new(
        codes::INVALID_QUERY,
        Text::new(
            format!("The query string is invalid: {message}"),
            format!("查询参数无效：{message}"),
        ),
    );
    if let Some(p) = parameter {
        e.errors.push(FieldError::query(
            p,
            "parameter.invalid",
            Text::new(message.clone(), message),
        ));
    }
    e.into()
}

/// The path-segment error handler.
pub fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(
        codes::INVALID_PATH,
        Text::new(
            format!("A path segment is invalid: {err}"),
            format!("路径参数无效：{err}"),
        ),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        weight: u32,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        rows: Vec<Inner>,
    }

    impl RequestBody for Outer {
        const READ_ONLY: &'static [&'static str] = &["version"];
    }

    fn pointer_of(body: &str) -> (u16, String, String) {
        let e = parse_body::<Outer>(body.as_bytes()).unwrap_err();
        let f = e
            .errors
            .first()
            .map(|f| (f.pointer.clone(), f.code.to_owned()));
        let (p, c) = f.unwrap_or_default();
        (e.code.status.as_u16(), p, c)
    }

    #[test]
    fn pointers() {
        assert_eq!(pointer_of("{"), (400, String::new(), String::new()));
        assert_eq!(
            pointer_of(r#"{"name":"a","rows":[{"weight":1},{"weight":"x"}]}"#),
            (422, "/rows/1/weight".into(), "field.invalid".into())
        );
        assert_eq!(
            pointer_of(r#"{"name":"a","rows":[{"weight":1,"w":2}]}"#),
            (422, "/rows/0/w".into(), "field.unknown".into())
        );
        assert_eq!(
            pointer_of(r#"{"rows":[]}"#),
            (422, "/name".into(), "field.missing".into())
        );
        assert_eq!(
            pointer_of(r#"{"name":"a","rows":[],"version":3}"#),
            (422, "/version".into(), "field.read_only".into())
        );
        assert_eq!(
            pointer_of("[1]"),
            (422, String::new(), "field.invalid_type".into())
        );
        assert!(parse_body::<Outer>(br#"{"name":"a","rows":[{"weight":1}]}"#).is_ok());
    }

    #[test]
    fn content_types() {
        assert!(check_content_type(Some("application/json; charset=utf-8")).is_ok());
        assert!(check_content_type(Some("application/merge-patch+json")).is_ok());
        assert!(check_content_type(Some("text/plain")).is_err());
        assert!(check_content_type(None).is_err());
    }
}
