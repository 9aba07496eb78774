//! `/api/v1/regions`: GB/T 2260 administrative divisions. HTTP only: the use cases are
//! [`crate::app::regions`].

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::answers::RegionNotFound;
use crate::api::extract::JsonBody;
use crate::api::http::{self, Paging};
use crate::api::state::AppState;
use crate::app::regions::{self, RegionFilters};
use crate::domain::policy::{Action, Principal};
use crate::error::{ApiError, Problem};
use crate::model::regions::{Level, Region, RegionCreate, RegionReplace};

/// A page of regions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionPage {
    pub items: Vec<Region>,
    /// Pass as `page_token` to get the next page; absent on the last page.
    pub next_page_token: Option<String>,
}

/// Filters of the region list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// Only the direct children of this code.
    #[param(example = "430400")]
    pub parent: Option<String>,
    /// Only regions of this level.
    pub level: Option<Level>,
    /// The whole subtree under this code or prefix (`4304` or `430400`: all of 衡阳市).
    #[param(example = "4304")]
    pub under: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub page_size: Option<u64>,
    /// `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

const PAGE_KIND: &str = "regions";

fn respond(status: StatusCode, region: Region) -> HttpResponse {
    let location = format!("/api/v1/regions/{}", region.code);
    http::versioned(status, region.version, &location, &region)
}

/// List regions.
#[utoipa::path(
    tag = "regions",
    operation_id = "list_regions",
    params(RegionQuery),
    responses(
        (status = 200, description = "A page of regions in code order", body = RegionPage),
    )
)]
#[get("/regions")]
pub async fn list_regions(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<RegionQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let paging = Paging::read(PAGE_KIND, query.page_size, query.page_token, &state)?;
    let filters = RegionFilters {
        parent: query.parent,
        level: query.level,
        under: query.under,
    };
    let (after, limit) = (paging.after(), paging.limit);
    let rows = regions::list(&state.db, &principal, &filters, after, limit).await?;
    Ok(paging.answer(rows, |r| r.code.as_str(), http::page!(RegionPage)))
}

/// Get one region.
#[utoipa::path(
    tag = "regions",
    operation_id = "get_region",
    params(("code" = String, Path, description = "Six-digit GB/T 2260 code", example = "430424")),
    responses(
        (status = 200, description = "The region", body = Region,
         headers(("ETag" = String, description = "Current version"))),
        (status = 304, description = "Not modified (If-None-Match named the current version)"),
        RegionNotFound,
    )
)]
#[get("/regions/{code}")]
pub async fn get_region(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let region = regions::get(&state.db, &principal, &code).await?;
    if let Some(res) = http::unchanged(&req, region.version) {
        return Ok(res);
    }
    Ok(respond(StatusCode::OK, region))
}

/// Create a region.
#[utoipa::path(
    tag = "regions",
    operation_id = "create_region",
    request_body = RegionCreate,
    responses(
        (status = 201, description = "Created", body = Region,
         headers(("Location" = String, description = "URL of the new region"), ("ETag" = String))),
        (status = 409, description = "A live region with this code exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/regions")]
pub async fn create_region(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<RegionCreate>,
) -> Result<HttpResponse, ApiError> {
    let region = regions::create(&state.db, &principal, &body.0).await?;
    Ok(respond(StatusCode::CREATED, region))
}

/// Replace a region (its name; the code, level and parent are fixed by the code).
#[utoipa::path(
    tag = "regions",
    operation_id = "replace_region",
    params(
        ("code" = String, Path, description = "Six-digit GB/T 2260 code", example = "430424"),
        ("If-Match" = String, Header, description = "ETag of the version being replaced"),
    ),
    request_body = RegionReplace,
    responses(
        (status = 200, description = "Replaced", body = Region, headers(("ETag" = String))),
        RegionNotFound,
        (status = 412, description = "If-Match does not name the current version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/regions/{code}")]
pub async fn replace_region(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    code: web::Path<String>,
    body: JsonBody<RegionReplace>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    regions::authorize(&principal, Action::Update, &code)?;
    let if_match = http::require_if_match(&req)?;
    let region = regions::replace(&state.db, &principal, &code, &if_match, &body.0).await?;
    Ok(respond(StatusCode::OK, region))
}

/// Delete a region (soft: it disappears from reads and can be created again).
#[utoipa::path(
    tag = "regions",
    operation_id = "delete_region",
    params(
        ("code" = String, Path, description = "Six-digit GB/T 2260 code", example = "430424"),
        ("If-Match" = Option<String>, Header, description = "When given, the ETag of the version being deleted"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        RegionNotFound,
        (status = 409, description = "Live regions still sit below this one", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not name the current version", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/regions/{code}")]
pub async fn delete_region(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    regions::authorize(&principal, Action::Delete, &code)?;
    let if_match = http::optional_if_match(&req)?;
    regions::delete(&state.db, &principal, &code, if_match.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
