//! `/api/v1/departments`: budget units (部门 / 单位), addressable by id or budget code.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::answers::{DepartmentNotFound, IfMatchRequired, NotModified, StaleIfMatch};
use crate::api::extract::JsonBody;
use crate::api::http::{self, Paging};
use crate::api::state::AppState;
use crate::app::departments::{self, DepartmentFilters};
use crate::app::scope;
use crate::domain::policy::{Action, Principal};
use crate::error::{ApiError, Problem};
use crate::model::departments::{Department, DepartmentInput};

/// A page of departments.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentPage {
    pub items: Vec<Department>,
    pub next_page_token: Option<String>,
}

/// Department filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DepartmentQuery {
    /// Region subtree (`4304` or `430400`: all of 衡阳市).
    pub region: Option<String>,
    /// Only the departments under this competent department (id).
    pub parent_id: Option<String>,
    /// Name contains.
    pub q: Option<String>,
    pub page_size: Option<u64>,
    pub page_token: Option<String>,
}

const PAGE_KIND: &str = "departments";

use crate::app::departments::resolve;

fn respond(status: actix_web::http::StatusCode, department: Department) -> HttpResponse {
    let location = format!("/api/v1/departments/{}", department.id);
    http::versioned(status, department.version, &location, &department)
}

/// List departments.
#[utoipa::path(
    tag = "departments",
    operation_id = "list_departments",
    params(DepartmentQuery),
    responses((status = 200, description = "A page of departments, oldest first", body = DepartmentPage))
)]
#[get("/departments")]
pub async fn list_departments(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<DepartmentQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let paging = Paging::read(PAGE_KIND, query.page_size, query.page_token, &state)?;
    let region_prefix = scope::region_filter(query.region.as_deref())?;
    let filters = DepartmentFilters {
        region_prefix,
        parent_id: query.parent_id,
        q: query.q,
    };
    let (after, limit) = (paging.after(), paging.limit);
    let rows = departments::list(&state.db, &principal, &filters, after, limit).await?;
    Ok(paging.answer(rows, |r| r.id.as_str(), http::page!(DepartmentPage)))
}

/// Get a department by id or budget code.
#[utoipa::path(
    tag = "departments",
    operation_id = "get_department",
    params(("key" = String, Path, description = "Department id or budget code", example = "901001")),
    responses(
        (status = 200, description = "The department", body = Department, headers(("ETag" = String))),
        NotModified,
        DepartmentNotFound,
        (status = 409, description = "The budget code is used in several regions of your scope; use the id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/departments/{key}")]
pub async fn get_department(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let m = resolve(&state.db, &principal, &key, Action::Read).await?;
    if let Some(res) = http::unchanged(&req, m.version) {
        return Ok(res);
    }
    Ok(respond(
        actix_web::http::StatusCode::OK,
        Department::try_from(m)?,
    ))
}

/// Create a department.
#[utoipa::path(
    tag = "departments",
    operation_id = "create_department",
    request_body = DepartmentInput,
    responses(
        (status = 201, description = "Created", body = Department, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The region already has a department with this budget code (`department.exists`), or another region has a live department with it (`department.budget_code_taken`: budget codes are unique across the service)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/departments")]
pub async fn create_department(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<DepartmentInput>,
) -> Result<HttpResponse, ApiError> {
    let m = departments::create(&state.db, &principal, &body.0).await?;
    Ok(respond(
        actix_web::http::StatusCode::CREATED,
        Department::try_from(m)?,
    ))
}

/// Replace a department.
#[utoipa::path(
    tag = "departments",
    operation_id = "replace_department",
    params(
        ("key" = String, Path, description = "Department id or budget code"),
        ("If-Match" = String, Header, description = "ETag of the version being replaced"),
    ),
    request_body = DepartmentInput,
    responses(
        (status = 200, description = "Replaced", body = Department, headers(("ETag" = String))),
        DepartmentNotFound,
        (status = 409, description = "The new budget code is taken, in this region (`department.exists`) or in another one (`department.budget_code_taken`: budget codes are unique across the service)", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[put("/departments/{key}")]
pub async fn replace_department(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    key: web::Path<String>,
    body: JsonBody<DepartmentInput>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::require_if_match(&req)?;
    let m = departments::replace(&state.db, &principal, &key, &if_match, &body.0).await?;
    Ok(respond(
        actix_web::http::StatusCode::OK,
        Department::try_from(m)?,
    ))
}

/// Delete a department (soft). Refused while live departments name it as their parent.
#[utoipa::path(
    tag = "departments",
    operation_id = "delete_department",
    params(
        ("key" = String, Path, description = "Department id or budget code"),
        ("If-Match" = Option<String>, Header, description = "When given, the ETag of the version being deleted"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        DepartmentNotFound,
        (status = 409, description = "Departments still name it as their parent", body = Problem, content_type = "application/problem+json"),
        StaleIfMatch,
    )
)]
#[delete("/departments/{key}")]
pub async fn delete_department(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::optional_if_match(&req)?;
    departments::delete(&state.db, &principal, &key, if_match.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
