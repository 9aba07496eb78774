//! `/api/v1/projects`: projects (项目) with the budget block derived from their funds.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::AppState;
use crate::api::amount::{Amount, Figure, sum_known};
use crate::api::departments::{self, allowed_ids};
use crate::api::extract::{JsonBody, RequestBody};
use crate::api::funds::rate;
use crate::api::http::{self, etag};
use crate::app::projects;
use crate::domain::policy::{Action, Principal};
use crate::domain::region;
use crate::error::{ApiError, FieldError, Problem, codes};
use crate::locale::Text;
use crate::store::funds as fund_store;
use crate::store::projects::{self as store, Model};

/// The budget block of a project, summed from its funds.
#[derive(Debug, Serialize, ToSchema, Default)]
pub struct ProjectBudget {
    /// 年初预算数 (万元).
    pub initial: Option<Amount>,
    /// 全年预算数 (万元).
    pub full_year: Option<Amount>,
    /// 全年执行数 (万元).
    pub executed: Option<Amount>,
    /// executed / full-year.
    pub execution_rate_percent: Option<Figure>,
    /// How many fund allocations finance the project.
    pub fund_count: usize,
}

/// A project.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-0000-7000-8000-000000000020", "department_id": "0193a1b2-0000-7000-8000-000000000001",
    "region": "430424", "year": 2024, "name": "农村黑臭水体奖补资金",
    "competent_department": "衡阳市生态环境局机关",
    "implementing_organisation": "中泓建筑有限公司洣水分公司",
    "description": "农村黑臭水体治理项目于2024年1月份施工，2024年2月完成项目验收",
    "annual_goal": "清理黑臭水体，改善当地生态环境",
    "budget": {"initial": "0", "full_year": "19.87", "executed": "19.87", "execution_rate_percent": "100.00", "fund_count": 1},
    "version": 1, "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z"
}))]
pub struct Project {
    pub id: String,
    pub department_id: String,
    pub region: String,
    pub year: i32,
    pub name: String,
    /// 主管部门.
    pub competent_department: Option<String>,
    /// 项目实施单位 as written.
    pub implementing_organisation: Option<String>,
    pub description: Option<String>,
    /// 预期目标.
    pub annual_goal: Option<String>,
    /// Derived from the project's funds; never sent by clients.
    pub budget: ProjectBudget,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

/// A new project, or the full replacement of one.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "department": "901001", "year": 2024, "name": "农村黑臭水体奖补资金",
    "competent_department": "衡阳市生态环境局机关",
    "implementing_organisation": "中泓建筑有限公司洣水分公司",
    "annual_goal": "清理黑臭水体，改善当地生态环境"
}))]
pub struct ProjectInput {
    /// The implementing department: id or budget code.
    pub department: String,
    pub year: i32,
    pub name: String,
    #[serde(default)]
    pub competent_department: Option<String>,
    #[serde(default)]
    pub implementing_organisation: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub annual_goal: Option<String>,
}

impl RequestBody for ProjectInput {
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "region",
        "budget",
        "department_id",
    ];
}

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

pub use crate::app::projects::{not_found, resolve};

pub async fn budgets(
    db: &impl ConnectionTrait,
    projects: &[Model],
) -> Result<Vec<ProjectBudget>, ApiError> {
    let ids: Vec<String> = projects.iter().map(|p| p.id.clone()).collect();
    let funds = fund_store::of_projects(db, &ids).await?;
    Ok(projects
        .iter()
        .map(|p| {
            let own: Vec<_> = funds
                .iter()
                .filter(|f| f.project_id.as_deref() == Some(&p.id))
                .collect();
            let initial = sum_known(own.iter().map(|f| f.initial.map(|d| d.0)));
            let full_year = sum_known(own.iter().map(|f| f.full_year.map(|d| d.0)));
            let executed = sum_known(own.iter().map(|f| f.executed.map(|d| d.0)));
            ProjectBudget {
                execution_rate_percent: rate(executed.map(|a| a.0), full_year.map(|a| a.0)),
                initial,
                full_year,
                executed,
                fund_count: own.len(),
            }
        })
        .collect())
}

fn to_dto(m: Model, budget: ProjectBudget) -> Project {
    Project {
        id: m.id,
        department_id: m.department_id,
        region: m.region_code,
        year: m.year,
        name: m.name,
        competent_department: m.competent_department,
        implementing_organisation: m.implementing_organisation,
        description: m.description,
        annual_goal: m.annual_goal,
        budget,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

async fn respond(
    db: &impl ConnectionTrait,
    status: StatusCode,
    m: Model,
) -> Result<HttpResponse, ApiError> {
    let budget = budgets(db, std::slice::from_ref(&m))
        .await?
        .pop()
        .unwrap_or_default();
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, etag(m.version)));
    if status == StatusCode::CREATED {
        res.insert_header((header::LOCATION, format!("/api/v1/projects/{}", m.id)));
    }
    Ok(res.json(to_dto(m, budget)))
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
    let limit = http::page_size(query.page_size, state.max_page_size)?;
    let after = http::decode_page_token(PAGE_KIND, query.page_token.as_deref())?;
    let empty = || {
        HttpResponse::Ok().json(ProjectPage {
            items: Vec::new(),
            next_page_token: None,
        })
    };
    let Some(department_id) =
        departments::filter(&state.db, &principal, query.department_id.as_deref()).await?
    else {
        return Ok(empty());
    };
    let region_prefix = match query.region.as_deref().map(region::subtree_filter_prefix) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            let mut err = ApiError::new(
                codes::INVALID_QUERY,
                Text::new(e.message_en(), e.message_zh()),
            );
            err.errors.push(FieldError::query(
                "region",
                "region.invalid_code",
                Text::new(e.message_en(), e.message_zh()),
            ));
            return Err(err);
        }
    };
    let filter = store::Filter {
        scope_prefix: principal.region_prefix().to_owned(),
        scope_department_ids: allowed_ids(&state.db, &principal).await?,
        department_id,
        year: query.year,
        region_prefix,
        name_contains: query.q.filter(|q| !q.trim().is_empty()),
    };
    let (rows, more) = store::list(&state.db, &filter, after.as_deref(), limit).await?;
    let next_page_token = http::next_page_token(PAGE_KIND, more, &rows, |r| r.id.as_str());
    let budgets = budgets(&state.db, &rows).await?;
    Ok(HttpResponse::Ok().json(ProjectPage {
        items: rows
            .into_iter()
            .zip(budgets)
            .map(|(m, b)| to_dto(m, b))
            .collect(),
        next_page_token,
    }))
}

/// Get a project.
#[utoipa::path(
    tag = "projects",
    operation_id = "get_project",
    params(("id" = String, Path, description = "Project id")),
    responses(
        (status = 200, description = "The project", body = Project, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such project in your scope", body = Problem, content_type = "application/problem+json"),
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
    if http::not_modified(&req, m.version) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag(m.version)))
            .finish());
    }
    respond(&state.db, StatusCode::OK, m).await
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
    respond(&state.db, StatusCode::CREATED, m).await
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
        (status = 404, description = "No such project in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
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
    respond(&state.db, StatusCode::OK, m).await
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
        (status = 404, description = "No such project in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Funds still finance the project", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
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
