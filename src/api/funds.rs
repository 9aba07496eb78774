//! `/api/v1/funds`: fund allocations (资金), one row each, with exact amounts.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::answers::{FundNotFound, IfMatchRequired, NotModified, StaleIfMatch};
use crate::api::extract::JsonBody;
use crate::api::http::{self, Paging};
use crate::api::state::AppState;
use crate::app::funds::{self, FundFilters};
use crate::domain::policy::{Action, Principal};
use crate::error::ApiError;
use crate::model::funds::{Fund, FundInput, Level, Source};

#[derive(Debug, Serialize, ToSchema)]
pub struct FundPage {
    pub items: Vec<Fund>,
    pub next_page_token: Option<String>,
}

/// Fund filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FundQuery {
    /// Department id or budget code.
    pub department_id: Option<String>,
    pub year: Option<i32>,
    pub project_id: Option<String>,
    pub level: Option<Level>,
    pub source: Option<Source>,
    pub page_size: Option<u64>,
    pub page_token: Option<String>,
}

const PAGE_KIND: &str = "funds";

fn respond(status: StatusCode, fund: Fund) -> HttpResponse {
    let location = format!("/api/v1/funds/{}", fund.id);
    http::versioned(status, fund.version, &location, &fund)
}

/// List fund allocations.
#[utoipa::path(
    tag = "funds",
    operation_id = "list_funds",
    params(FundQuery),
    responses((status = 200, description = "A page of funds, oldest first", body = FundPage))
)]
#[get("/funds")]
pub async fn list_funds(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<FundQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let paging = Paging::read(PAGE_KIND, query.page_size, query.page_token, &state)?;
    let filters = FundFilters {
        department_id: query.department_id,
        year: query.year,
        project_id: query.project_id,
        level: query.level,
        source: query.source,
    };
    let (after, limit) = (paging.after(), paging.limit);
    let rows = funds::list(&state.db, &principal, &filters, after, limit).await?;
    Ok(paging.answer(rows, |r| r.id.as_str(), http::page!(FundPage)))
}

/// Get a fund allocation.
#[utoipa::path(
    tag = "funds",
    operation_id = "get_fund",
    params(("id" = String, Path, description = "Fund id")),
    responses(
        (status = 200, description = "The fund", body = Fund, headers(("ETag" = String))),
        NotModified,
        FundNotFound,
    )
)]
#[get("/funds/{id}")]
pub async fn get_fund(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let m = funds::resolve(&state.db, &principal, &id, Action::Read).await?;
    if let Some(res) = http::unchanged(&req, m.version) {
        return Ok(res);
    }
    Ok(respond(StatusCode::OK, Fund::try_from(m)?))
}

/// Create a fund allocation.
#[utoipa::path(
    tag = "funds",
    operation_id = "create_fund",
    request_body = FundInput,
    responses((status = 201, description = "Created", body = Fund, headers(("Location" = String), ("ETag" = String))))
)]
#[post("/funds")]
pub async fn create_fund(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<FundInput>,
) -> Result<HttpResponse, ApiError> {
    let m = funds::create(&state.db, &principal, &body.0).await?;
    Ok(respond(StatusCode::CREATED, Fund::try_from(m)?))
}

/// Replace a fund allocation.
#[utoipa::path(
    tag = "funds",
    operation_id = "replace_fund",
    params(
        ("id" = String, Path, description = "Fund id"),
        ("If-Match" = String, Header, description = "ETag of the version being replaced"),
    ),
    request_body = FundInput,
    responses(
        (status = 200, description = "Replaced", body = Fund, headers(("ETag" = String))),
        FundNotFound,
        IfMatchRequired,
    )
)]
#[put("/funds/{id}")]
pub async fn replace_fund(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<FundInput>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::require_if_match(&req)?;
    let m = funds::replace(&state.db, &principal, &id, &if_match, &body.0).await?;
    Ok(respond(StatusCode::OK, Fund::try_from(m)?))
}

/// Delete a fund allocation (soft).
#[utoipa::path(
    tag = "funds",
    operation_id = "delete_fund",
    params(
        ("id" = String, Path, description = "Fund id"),
        ("If-Match" = Option<String>, Header, description = "When given, the ETag of the version being deleted"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        FundNotFound,
        StaleIfMatch,
    )
)]
#[delete("/funds/{id}")]
pub async fn delete_fund(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::optional_if_match(&req)?;
    funds::delete(&state.db, &principal, &id, if_match.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
