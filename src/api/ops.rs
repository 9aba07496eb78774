//! Operational endpoints: liveness, readiness, metrics and the error code table.

use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::state::AppState;
use crate::error::{ApiError, ErrorCode, Problem, codes};
use crate::locale::Text;

/// Health or readiness status.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Status {
    /// `ok`.
    pub status: String,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "operations", operation_id = "healthz", responses((status = 200, description = "The process is alive", body = Status)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Status {
        status: "ok".into(),
    })
}

/// Readiness: the database answers within two seconds.
#[utoipa::path(
    tag = "operations",
    operation_id = "readyz",
    responses(
        (status = 200, description = "The database answers", body = Status),
        (status = 503, description = "The database is not reachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let unavailable = |cause: anyhow::Error| {
        let mut e = ApiError::new(
            codes::SERVICE_UNAVAILABLE,
            Text::new("The database is not reachable", "数据库无法连接"),
        )
        .with_header(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from_static("5"),
        );
        e.cause = Some(std::sync::Arc::new(cause));
        e
    };
    match tokio::time::timeout(Duration::from_secs(2), crate::app::health::ping(&state.db)).await {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(Status {
            status: "ok".into(),
        })),
        Ok(Err(e)) => Err(unavailable(e.into())),
        Err(_) => Err(unavailable(anyhow::anyhow!(
            "database ping timed out after 2 s"
        ))),
    }
}

/// Prometheus metrics: `http_requests_total` and `http_request_duration_seconds` by method,
/// route and status.
#[utoipa::path(
    tag = "operations",
    operation_id = "metrics",
    responses((status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain; version=0.0.4"))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state.metrics.render().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

/// One error code: what a problem's `type` URI (`/problems/{code}`) points at.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_problem_code",
    params(("code" = String, Path, description = "A code from the table", example = "region.not_found")),
    responses(
        (status = 200, description = "The code with its HTTP status and titles", body = ErrorCode),
        (status = 404, description = "No such code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/problems/{code}")]
pub async fn problem_code(code: web::Path<String>) -> Result<HttpResponse, ApiError> {
    codes::ALL
        .iter()
        .find(|c| c.code == code.as_str())
        .map(|c| HttpResponse::Ok().json(c))
        .ok_or_else(|| {
            ApiError::new(
                codes::NOT_FOUND,
                Text::new(
                    format!("No error code `{code}`"),
                    format!("不存在错误代码 `{code}`"),
                ),
            )
        })
}

/// The error code table: every `code` a problem can carry, with its status and titles.
#[utoipa::path(tag = "operations", operation_id = "list_problem_codes", responses((status = 200, description = "Every error code with its HTTP status and titles", body = [ErrorCode])))]
#[get("/problems")]
pub async fn problems() -> HttpResponse {
    HttpResponse::Ok().json(codes::ALL)
}
