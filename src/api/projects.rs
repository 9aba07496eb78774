//! `/api/v1/projects`: projects (项目) with the budget block derived from their funds.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::answers::{IfMatchRequired, NotModified, ProjectNotFound, StaleIfMatch};
use crate::api::extract::JsonBody;
use crate::api::http::{self, Paging};
use crate::api::state::AppState;
use crate::app::budgets::project_answer;
use crate::app::projects::{self, ProjectFilters};
use crate::domain::policy::{Action, Principal};
use crate::error::{ApiError, Problem};
use crate::model::projects::{Project, ProjectInput};

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectPage {
    pub items: Vec<Project>,
    pub next_page_token: Option<String>,
}

/// Project filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Department id or budget code.
    pub department_id: Option<String>,
    pub year: Option<i32>,
    /// Region subtree.
    pub region: Option<String>,
    /// Name contains.
    pub q: Option<String>,
    pub page_size: Option<u64>,
    pub page_token: Option<String>,
}

const PAGE_KIND: &str = "projects";

use crate::app::projects::resolve;

fn respond(status: StatusCode, project: Project) -> HttpResponse {
    let location = format!("/api/v1/projects/{}", project.id);
    http::versioned(status, project.version, &location, &project)
}

/// List projects.
#[utoipa::path(
    tag = "projects",
    operation_id = "list_projects",
    params(ProjectQuery),
    responses((status = 200, description = "A page of projects, oldest first", body = ProjectPage))
)]
#[get("/projects")]
pub async fn list_projects(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<ProjectQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let paging = Paging::read(PAGE_KIND, query.page_size, query.page_token, &state)?;
    let filters = ProjectFilters {
        department_id: query.department_id,
        year: query.year,
        region: query.region,
        q: query.q,
    };
    let (after, limit) = (paging.after(), paging.limit);
    let rows = projects::list(&state.db, &principal, &filters, after, limit).await?;
    Ok(paging.answer(rows, |r| r.id.as_str(), http::page!(ProjectPage)))
}

/// Get a project.
#[utoipa::path(
    tag = "projects",
    operation_id = "get_project",
    params(("id" = String, Path, description = "Project id")),
    responses(
        (status = 200, description = "The project", body = Project, headers(("ETag" = String))),
        NotModified,
        ProjectNotFound,
    )
)]
#[get("/projects/{id}")]
pub async fn get_project(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let m = resolve(&state.db, &principal, &id, Action::Read).await?;
    if let Some(res) = http::unchanged(&req, m.version) {
        return Ok(res);
    }
    Ok(respond(StatusCode::OK, project_answer(&state.db, m).await?))
}

/// Create a project.
#[utoipa::path(
    tag = "projects",
    operation_id = "create_project",
    request_body = ProjectInput,
    responses((status = 201, description = "Created", body = Project, headers(("Location" = String), ("ETag" = String))))
)]
#[post("/projects")]
pub async fn create_project(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<ProjectInput>,
) -> Result<HttpResponse, ApiError> {
    let m = projects::create(&state.db, &principal, &body.0).await?;
    Ok(respond(
        StatusCode::CREATED,
        project_answer(&state.db, m).await?,
    ))
}

/// Replace a project.
#[utoipa::path(
    tag = "projects",
    operation_id = "replace_project",
    params(
        ("id" = String, Path, description = "Project id"),
        ("If-Match" = String, Header, description = "ETag of the version being replaced"),
    ),
    request_body = ProjectInput,
    responses(
        (status = 200, description = "Replaced", body = Project, headers(("ETag" = String))),
        ProjectNotFound,
        IfMatchRequired,
    )
)]
#[put("/projects/{id}")]
pub async fn replace_project(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<ProjectInput>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::require_if_match(&req)?;
    let m = projects::replace(&state.db, &principal, &id, &if_match, &body.0).await?;
    Ok(respond(StatusCode::OK, project_answer(&state.db, m).await?))
}

/// Delete a project (soft). Refused while live funds finance it.
#[utoipa::path(
    tag = "projects",
    operation_id = "delete_project",
    params(
        ("id" = String, Path, description = "Project id"),
        ("If-Match" = Option<String>, Header, description = "When given, the ETag of the version being deleted"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        ProjectNotFound,
        (status = 409, description = "Funds still finance the project", body = Problem, content_type = "application/problem+json"),
        StaleIfMatch,
    )
)]
#[delete("/projects/{id}")]
pub async fn delete_project(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::optional_if_match(&req)?;
    projects::delete(&state.db, &principal, &id, if_match.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
