//! `/api/v1/departments/{key}/profiles/{year}` and `/finances/{year}`: the department's year
//! profile (staffing, vehicles, assets) and finances (revenue, expenditure, the basic data
//! table), each returned with what the server computes from it and the engine's findings.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use serde::Serialize;

use crate::api::answers::{DepartmentNotFound, NotModified, StaleIfMatch};
use crate::api::extract::JsonBody;
use crate::api::http::{self};
use crate::api::state::AppState;
use crate::app::department_years::{self, FINANCE, PROFILE, finance_of, read_document};
use crate::domain::policy::Principal;
use crate::error::{ApiError, Problem};
use crate::model::department_years::{Finance, FinanceInput, Profile, ProfileInput, profile_of};

// ---------------------------------------------------------------- shared plumbing

fn respond<T: Serialize>(status: StatusCode, version: i64, body: &T) -> HttpResponse {
    http::versioned(status, version, "", body)
}

// ---------------------------------------------------------------- handlers

/// Get a department's year profile.
#[utoipa::path(
    tag = "departments",
    operation_id = "get_department_profile",
    params(
        ("key" = String, Path, description = "Department id or budget code"),
        ("year" = i32, Path, description = "Fiscal year, 2000–2100"),
    ),
    responses(
        (status = 200, description = "The profile with 在职人员控制率 and the asset checks", body = Profile, headers(("ETag" = String))),
        NotModified,
        (status = 404, description = "No such department in your scope, or no profile for the year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/departments/{key}/profiles/{year}")]
pub async fn get_profile(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (key, year) = path.into_inner();
    let (id, row, data) =
        read_document::<ProfileInput>(&state.db, &principal, &key, PROFILE, year).await?;
    if let Some(res) = http::unchanged(&req, row.version) {
        return Ok(res);
    }
    Ok(respond(
        StatusCode::OK,
        row.version,
        &profile_of(id, &row, data),
    ))
}

/// Create or replace a department's year profile (If-Match needed to replace).
#[utoipa::path(
    tag = "departments",
    operation_id = "put_department_profile",
    params(
        ("key" = String, Path, description = "Department id or budget code"),
        ("year" = i32, Path, description = "Fiscal year, 2000–2100"),
        ("If-Match" = Option<String>, Header, description = "Required when the profile exists: the ETag of the version being replaced"),
    ),
    request_body = ProfileInput,
    responses(
        (status = 200, description = "Replaced", body = Profile, headers(("ETag" = String))),
        (status = 201, description = "Created", body = Profile, headers(("ETag" = String))),
        DepartmentNotFound,
        StaleIfMatch,
        (status = 428, description = "If-Match missing for an existing profile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/departments/{key}/profiles/{year}")]
pub async fn put_profile(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    body: JsonBody<ProfileInput>,
) -> Result<HttpResponse, ApiError> {
    let (key, year) = path.into_inner();
    let if_match = http::optional_if_match(&req)?;
    let (id, row, created) = department_years::put_profile(
        &state.db,
        &principal,
        &key,
        year,
        if_match.as_ref(),
        &body.0,
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(respond(status, row.version, &profile_of(id, &row, body.0)))
}

/// Get a department's finances of a year, with totals, rates, shares, the fund
/// reconciliation and the findings.
#[utoipa::path(
    tag = "departments",
    operation_id = "get_department_finance",
    params(
        ("key" = String, Path, description = "Department id or budget code"),
        ("year" = i32, Path, description = "Fiscal year, 2000–2100"),
    ),
    responses(
        (status = 200, description = "The finances with the computed block", body = Finance, headers(("ETag" = String))),
        NotModified,
        (status = 404, description = "No such department in your scope, or no finances for the year", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/departments/{key}/finances/{year}")]
pub async fn get_finance(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (key, year) = path.into_inner();
    let (id, row, data) =
        read_document::<FinanceInput>(&state.db, &principal, &key, FINANCE, year).await?;
    if let Some(res) = http::unchanged(&req, row.version) {
        return Ok(res);
    }
    let body = finance_of(&state.db, id, &row, data).await?;
    Ok(respond(StatusCode::OK, row.version, &body))
}

/// Create or replace a department's finances of a year (If-Match needed to replace).
#[utoipa::path(
    tag = "departments",
    operation_id = "put_department_finance",
    params(
        ("key" = String, Path, description = "Department id or budget code"),
        ("year" = i32, Path, description = "Fiscal year, 2000–2100"),
        ("If-Match" = Option<String>, Header, description = "Required when the finances exist: the ETag of the version being replaced"),
    ),
    request_body = FinanceInput,
    responses(
        (status = 200, description = "Replaced", body = Finance, headers(("ETag" = String))),
        (status = 201, description = "Created", body = Finance, headers(("ETag" = String))),
        DepartmentNotFound,
        StaleIfMatch,
        (status = 428, description = "If-Match missing for existing finances", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/departments/{key}/finances/{year}")]
pub async fn put_finance(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    body: JsonBody<FinanceInput>,
) -> Result<HttpResponse, ApiError> {
    let (key, year) = path.into_inner();
    let if_match = http::optional_if_match(&req)?;
    let (response, created) =
        department_years::put_finance(&state.db, &principal, &key, year, if_match.as_ref(), body.0)
            .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(respond(status, response.version, &response))
}
