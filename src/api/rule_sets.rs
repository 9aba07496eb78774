//! `/api/v1/rule-sets`: the versioned scoring parameters. Built-in sets live in code; an admin
//! may add new versions, and a version, once there, never changes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};

use crate::api::extract::JsonBody;
use crate::api::state::AppState;
use crate::app::rule_sets;
use crate::domain::policy::Principal;
use crate::error::{ApiError, Problem};
use crate::model::rule_sets::{RuleSetDto, RuleSetEntry, to_dto};

/// List rule sets.
#[utoipa::path(
    tag = "rule-sets",
    operation_id = "list_rule_sets",
    responses((status = 200, description = "Every version of the rule sets the caller sees: those of its region and of the regions above it (national, province, city), and those inside its scope", body = [RuleSetEntry]))
)]
#[get("/rule-sets")]
pub async fn list_rule_sets(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let entries = rule_sets::list_visible(&state.db, &principal).await?;
    Ok(HttpResponse::Ok().json(entries))
}

/// Get a rule set: `{id}` for the latest version, `{id}@{version}` for one.
#[utoipa::path(
    tag = "rule-sets",
    operation_id = "get_rule_set",
    params(("id" = String, Path, description = "Rule set id, optionally @version", example = "hengyang-2024-project@1")),
    responses(
        (status = 200, description = "The rule set", body = RuleSetDto),
        (status = 404, description = "No such rule set, or one of a region that is neither above nor inside the caller's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rule-sets/{id}")]
pub async fn get_rule_set(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = rule_sets::find_visible(&state.db, &principal, &id).await?;
    Ok(HttpResponse::Ok().json(to_dto(&r)?))
}

/// Add a rule set version (admin). Existing versions never change.
#[utoipa::path(
    tag = "rule-sets",
    operation_id = "create_rule_set",
    request_body = RuleSetDto,
    responses(
        (status = 201, description = "Added", body = RuleSetDto),
        (status = 403, description = "Not an admin, or the region is outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameters (each with its pointer): weights, region, an unknown finding code, a wording twice, a version of an id in another region", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This id and version exist already: versions never change", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rule-sets")]
pub async fn create_rule_set(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<RuleSetDto>,
) -> Result<HttpResponse, ApiError> {
    let created = rule_sets::create(&state.db, &principal, body.0).await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/rule-sets/{}@{}", created.id, created.version),
        ))
        .json(created))
}
