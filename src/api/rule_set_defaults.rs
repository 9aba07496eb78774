//! `/api/v1/rule-set-defaults`: which rule set is the default for a region, an evaluation kind
//! and a year (or every year). One resource per (region, kind, year): `PUT` creates it (201)
//! or replaces it (`If-Match` required), `DELETE` removes it softly. An evaluation that names
//! no rule set gets the default of the nearest region above its department
//! ([`crate::domain::rule_defaults::resolve`]); where none is configured, `national-2021`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::extract::JsonBody;
use crate::api::http::{self};
use crate::api::state::AppState;
use crate::app::rule_set_defaults::{self as defaults, Place};
use crate::domain::policy::Principal;
use crate::error::{ApiError, Problem};
use crate::model::evaluation_dto::EvaluationKind;
use crate::model::rule_set_defaults::{RuleSetDefault, RuleSetDefaultInput};

/// The defaults the caller sees.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleSetDefaultList {
    pub items: Vec<RuleSetDefault>,
}

/// The year of a default: absent for every year.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The fiscal year (2000–2100); absent: every year.
    pub year: Option<i32>,
}

fn location(place: &Place) -> String {
    let base = format!(
        "/api/v1/rule-set-defaults/{}/{}",
        place.region,
        place.kind.as_str()
    );
    match place.year {
        Some(y) => format!("{base}?year={y}"),
        None => base,
    }
}

/// List the default rule sets the caller sees: those of its region, of the regions above it
/// and of the regions inside its scope.
#[utoipa::path(
    tag = "rule-sets",
    operation_id = "list_rule_set_defaults",
    responses((status = 200, description = "The defaults, in region, kind and year order", body = RuleSetDefaultList))
)]
#[get("/rule-set-defaults")]
pub async fn list_rule_set_defaults(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let items = defaults::list_visible(&state.db, &principal).await?;
    Ok(HttpResponse::Ok().json(RuleSetDefaultList { items }))
}

/// The region, kind and year a request names (path and `?year=`).
fn place(path: web::Path<(String, EvaluationKind)>, query: &YearQuery) -> Place {
    let (region, kind) = path.into_inner();
    Place {
        region,
        kind,
        year: query.year,
    }
}

/// Get the default rule set of a region, kind and year (`?year=`; absent: every year).
#[utoipa::path(
    tag = "rule-sets",
    operation_id = "get_rule_set_default",
    params(
        ("region" = String, Path, description = "GB/T 2260 code; 000000 for national", example = "430400"),
        ("kind" = EvaluationKind, Path, description = "department or project"),
        YearQuery,
    ),
    responses(
        (status = 200, description = "The default", body = RuleSetDefault, headers(("ETag" = String))),
        (status = 304, description = "If-None-Match names the current version"),
        (status = 404, description = "None set here, or a region the caller does not see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rule-set-defaults/{region}/{kind}")]
pub async fn get_rule_set_default(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, EvaluationKind)>,
    query: web::Query<YearQuery>,
) -> Result<HttpResponse, ApiError> {
    let place = place(path, &query);
    let d = defaults::get(&state.db, &principal, &place).await?;
    if let Some(res) = http::unchanged(&req, d.version) {
        return Ok(res);
    }
    Ok(http::versioned(StatusCode::OK, d.version, "", &d))
}

/// Set the default rule set of a region, kind and year (admin, inside its scope). Creates it
/// (201) or replaces it (200; `If-Match` required). The rule set must apply to the region:
/// it belongs to the region or to one above it.
#[utoipa::path(
    tag = "rule-sets",
    operation_id = "put_rule_set_default",
    params(
        ("region" = String, Path, description = "GB/T 2260 code; 000000 for national", example = "430400"),
        ("kind" = EvaluationKind, Path, description = "department or project"),
        YearQuery,
        ("If-Match" = Option<String>, Header, description = "ETag of the version being replaced; required when the default exists"),
    ),
    request_body = RuleSetDefaultInput,
    responses(
        (status = 200, description = "Replaced", body = RuleSetDefault, headers(("ETag" = String))),
        (status = 201, description = "Created", body = RuleSetDefault, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Not an admin, or the region is above the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A region the caller does not see", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not name the current version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such rule set, or one that does not apply to the region; region, kind or year in the body differ from the path", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing and the default exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/rule-set-defaults/{region}/{kind}")]
pub async fn put_rule_set_default(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, EvaluationKind)>,
    query: web::Query<YearQuery>,
    body: JsonBody<RuleSetDefaultInput>,
) -> Result<HttpResponse, ApiError> {
    let place = place(path, &query);
    let if_match = http::optional_if_match(&req);
    let (d, created) = defaults::put(&state.db, &principal, &place, &body.0, if_match).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(http::versioned(status, d.version, &location(&place), &d))
}

/// Remove the default rule set of a region, kind and year (admin, inside its scope).
/// Evaluations then get the default of the region above.
#[utoipa::path(
    tag = "rule-sets",
    operation_id = "delete_rule_set_default",
    params(
        ("region" = String, Path, description = "GB/T 2260 code; 000000 for national", example = "430400"),
        ("kind" = EvaluationKind, Path, description = "department or project"),
        YearQuery,
        ("If-Match" = Option<String>, Header, description = "When given, the ETag of the version being deleted"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an admin, or the region is above the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "None set here, or a region the caller does not see", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not name the current version", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/rule-set-defaults/{region}/{kind}")]
pub async fn delete_rule_set_default(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, EvaluationKind)>,
    query: web::Query<YearQuery>,
) -> Result<HttpResponse, ApiError> {
    let place = place(path, &query);
    let if_match = http::optional_if_match(&req);
    defaults::delete(&state.db, &principal, &place, if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}
