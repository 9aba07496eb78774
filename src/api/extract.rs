//! Request extractors that answer every bad input with a problem: JSON bodies (parsed by
//! [`crate::model::body`], with JSON Pointers to the offending field), query strings, and path
//! segments.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;

use crate::api::state::AppState;
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::body::{RequestBody, backticked_after, describe, parse_body};

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
                            "无法读取请求体（连接中断或传输编码有误）",
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
    let zh = describe(&message).1.zh;
    let mut e = ApiError::new(
        codes::INVALID_QUERY,
        Text::new(
            format!("The query string is invalid: {message}"),
            format!("查询参数无效：{zh}"),
        ),
    );
    if let Some(p) = parameter {
        e.errors.push(FieldError::query(
            p,
            "parameter.invalid",
            Text::new(message.clone(), zh),
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
            "路径参数无效：请检查地址中的编号或代码",
        ),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert!(check_content_type(Some("application/json; charset=utf-8")).is_ok());
        assert!(check_content_type(Some("application/merge-patch+json")).is_ok());
        assert!(check_content_type(Some("text/plain")).is_err());
        assert!(check_content_type(None).is_err());
    }
}
