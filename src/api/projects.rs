//! `/api/v1/projects`: projects (项目) with the budget block derived from their funds.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::amount::{Amount, sum_known};
use crate::api::departments::{self, allowed_ids, year_error};
use crate::api::extract::{JsonBody, RequestBody};
use crate::api::funds::rate;
use crate::api::http::{self, etag};
use crate::api::{AppState, access, feed};
use crate::domain::policy::{Action, Kind, Principal};
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
    pub execution_rate: Option<String>,
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
    "budget": {"initial": "0", "full_year": "19.87", "executed": "19.87", "execution_rate": "100.00%", "fund_count": 1},
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

pub fn not_found(id: &str) -> ApiError {
    ApiError::new(
        codes::PROJECT_NOT_FOUND,
        Text::new(
            format!("No project has the id {id}"),
            format!("不存在 id 为 {id} 的项目"),
        ),
    )
}

/// A live project the caller may act on.
pub async fn resolve(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
    action: Action,
) -> Result<Model, ApiError> {
    let m = store::get(db, id).await?.ok_or_else(|| not_found(id))?;
    departments::authorize_owned(
        db,
        principal,
        Kind::Project,
        action,
        &m.department_id,
        &m.region_code,
        || not_found(id),
    )
    .await?;
    Ok(m)
}

/// The budget blocks of projects, from their funds, in one query.
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
                execution_rate: rate(executed.map(|a| a.0), full_year.map(|a| a.0)),
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

async fn build(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &ProjectInput,
    action: Action,
) -> Result<Model, ApiError> {
    access::require_role(principal, Kind::Project, action)?;
    let department = departments::resolve(db, principal, input.department.trim(), action)
        .await
        .map_err(|e| {
            if e.code == codes::DEPARTMENT_NOT_FOUND {
                ApiError::validation(vec![FieldError::body(
                    "/department",
                    "project.unknown_department",
                    Text::new(
                        format!("No department {} in your scope", input.department),
                        format!("您的数据范围内不存在部门 {}", input.department),
                    ),
                )])
            } else {
                e
            }
        })?;
    let mut errors = Vec::new();
    errors.extend(year_error(input.year, "/year"));
    let n = input.name.trim().chars().count();
    if n == 0 || n > 300 {
        errors.push(FieldError::body(
            "/name",
            "field.invalid_length",
            Text::new(
                "Must have 1 to 300 characters",
                "长度必须为 1 到 300 个字符",
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let trim = |s: &Option<String>| {
        s.as_ref()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let now = crate::clock::now();
    Ok(Model {
        id: String::new(),
        department_id: department.id,
        region_code: department.region_code,
        year: input.year,
        name: input.name.trim().to_owned(),
        competent_department: trim(&input.competent_department),
        implementing_organisation: trim(&input.implementing_organisation),
        description: trim(&input.description),
        annual_goal: trim(&input.annual_goal),
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    })
}

/// Creates a project.
pub async fn create(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &ProjectInput,
) -> Result<Model, ApiError> {
    let mut m = build(db, principal, input, Action::Create).await?;
    m.id = uuid::Uuid::now_v7().to_string();
    let m = store::insert(db, m).await?;
    feed::project(db, &m, feed::CREATED, &principal.subject).await?;
    Ok(m)
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
    let txn = crate::store::begin_write(&state.db).await?;
    let m = create(&txn, &principal, &body.0).await?;
    txn.commit().await?;
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
    let txn = crate::store::begin_write(&state.db).await?;
    let current = resolve(&txn, &principal, &id, Action::Update).await?;
    if !if_match.matches(current.version) {
        return Err(http::stale(current.version));
    }
    let built = build(&txn, &principal, &body.0, Action::Update).await?;
    let next = Model {
        id: current.id.clone(),
        version: current.version + 1,
        created_at: current.created_at,
        ..built
    };
    if !store::overwrite(&txn, current.version, &next).await? {
        return Err(http::stale(current.version));
    }
    feed::project(&txn, &next, feed::UPDATED, &principal.subject).await?;
    txn.commit().await?;
    respond(&state.db, StatusCode::OK, next).await
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
    let txn = crate::store::begin_write(&state.db).await?;
    let current = resolve(&txn, &principal, &id, Action::Delete).await?;
    if if_match
        .as_ref()
        .is_some_and(|m| !m.matches(current.version))
    {
        return Err(http::stale(current.version));
    }
    let funds = fund_store::of_projects(&txn, std::slice::from_ref(&current.id)).await?;
    if !funds.is_empty() {
        return Err(ApiError::new(
            codes::PROJECT_HAS_FUNDS,
            Text::new(
                format!(
                    "{} fund allocation(s) still finance this project",
                    funds.len()
                ),
                format!("仍有 {} 笔资金属于该项目", funds.len()),
            ),
        ));
    }
    let now = crate::clock::now();
    let next = Model {
        version: current.version + 1,
        updated_at: now,
        deleted_at: Some(now),
        ..current.clone()
    };
    if !store::overwrite(&txn, current.version, &next).await? {
        return Err(http::stale(current.version));
    }
    feed::project(&txn, &next, feed::DELETED, &principal.subject).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
