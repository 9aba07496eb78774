//! `/api/v1/departments`: budget units (部门 / 单位), addressable by id or budget code.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::AppState;
use crate::api::extract::{JsonBody, RequestBody};
use crate::api::http::{self, etag};
use crate::app::departments;
use crate::domain::policy::{Action, Principal};
use crate::domain::region;
use crate::error::{ApiError, FieldError, Problem, codes};
use crate::locale::Text;
use crate::store::departments::{self as store, Model};

/// What kind of budget unit a department is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 行政单位
    Administrative,
    /// 事业单位
    PublicInstitution,
    /// 其他
    Other,
}

impl DepartmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrative => "administrative",
            Self::PublicInstitution => "public_institution",
            Self::Other => "other",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "administrative" => Self::Administrative,
            "public_institution" => Self::PublicInstitution,
            _ => Self::Other,
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Self::Administrative => "行政单位",
            Self::PublicInstitution => "事业单位",
            Self::Other => "其他",
        }
    }
}

/// A department.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-0000-7000-8000-000000000001", "budget_code": "901001",
    "name": "衡阳市生态环境局衡东分局", "region": "430424",
    "parent_id": "0193a1b2-0000-7000-8000-000000000000", "kind": "administrative",
    "kind_label_zh": "行政单位",
    "responsibilities": ["全面贯彻落实各级政府关于生态环境保护决策部署和批示精神……"],
    "internal_bodies": ["办公室", "综合股"], "subordinate_units": ["衡东生态环境监测站"],
    "version": 1, "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z"
}))]
pub struct Department {
    pub id: String,
    /// 预算单位编码. Unique among live departments across the whole service, so that it
    /// names one department for every caller, at every level.
    pub budget_code: String,
    pub name: String,
    /// GB/T 2260 code of the region the department belongs to.
    pub region: String,
    /// The competent department (主管部门).
    pub parent_id: Option<String>,
    pub kind: DepartmentKind,
    pub kind_label_zh: String,
    /// 单位主要职责.
    pub responsibilities: Vec<String>,
    /// 内设机构.
    pub internal_bodies: Vec<String>,
    /// 下设机构.
    pub subordinate_units: Vec<String>,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

fn list_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

impl From<Model> for Department {
    fn from(m: Model) -> Self {
        let kind = DepartmentKind::parse(&m.kind);
        Department {
            responsibilities: list_of(&m.responsibilities),
            internal_bodies: list_of(&m.internal_bodies),
            subordinate_units: list_of(&m.subordinate_units),
            id: m.id,
            budget_code: m.budget_code,
            name: m.name,
            region: m.region_code,
            parent_id: m.parent_id,
            kind,
            kind_label_zh: kind.label_zh().to_owned(),
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new department, or the full replacement of one. The region cannot change.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "budget_code": "901001", "name": "衡阳市生态环境局衡东分局", "region": "430424",
    "parent": "901000", "kind": "administrative",
    "responsibilities": ["负责生态环境监测工作。"], "internal_bodies": ["办公室"],
    "subordinate_units": ["衡东生态环境监测站"]
}))]
pub struct DepartmentInput {
    /// 预算单位编码: letters, digits, `-`, `_` and `.`, at most 64. Unique among live
    /// departments across the whole service (409 `department.budget_code_taken` otherwise);
    /// a deleted department's code may be used again.
    pub budget_code: String,
    pub name: String,
    pub region: String,
    /// The competent department: its id or budget code (in the same region or above it).
    #[serde(default)]
    pub parent: Option<String>,
    pub kind: DepartmentKind,
    #[serde(default)]
    pub responsibilities: Vec<String>,
    #[serde(default)]
    pub internal_bodies: Vec<String>,
    #[serde(default)]
    pub subordinate_units: Vec<String>,
}

impl RequestBody for DepartmentInput {
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "kind_label_zh",
        "parent_id",
    ];
}

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

pub use crate::app::departments::{authorize, authorize_owned, not_found, resolve};

/// The policy scope of a department.
pub fn scope_of(m: &Model) -> (String, [String; 2]) {
    (m.region_code.clone(), [m.id.clone(), m.budget_code.clone()])
}

/// A `department_id` filter resolved in the caller's scope: `Ok(Some(None))` without one,
/// `Ok(None)` when it names no department the caller can see (lists and aggregates then answer
/// empty, as if the department had nothing).
pub async fn filter(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: Option<&str>,
) -> Result<Option<Option<String>>, ApiError> {
    match key {
        None => Ok(Some(None)),
        Some(key) => match resolve(db, principal, key, Action::Read).await {
            Ok(d) => Ok(Some(Some(d.id))),
            Err(e) if e.code == codes::DEPARTMENT_NOT_FOUND => Ok(None),
            Err(e) => Err(e),
        },
    }
}

fn respond(status: actix_web::http::StatusCode, m: Model) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, etag(m.version)));
    if status == actix_web::http::StatusCode::CREATED {
        res.insert_header((header::LOCATION, format!("/api/v1/departments/{}", m.id)));
    }
    res.json(Department::from(m))
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
    let limit = http::page_size(query.page_size, state.max_page_size)?;
    let after = http::decode_page_token(PAGE_KIND, query.page_token.as_deref())?;
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
        scope_departments: principal.departments.clone(),
        region_prefix,
        parent_id: query.parent_id,
        name_contains: query.q.filter(|q| !q.trim().is_empty()),
    };
    let (rows, more) = store::list(&state.db, &filter, after.as_deref(), limit).await?;
    let next_page_token = http::next_page_token(PAGE_KIND, more, &rows, |r| r.id.as_str());
    Ok(HttpResponse::Ok().json(DepartmentPage {
        items: rows.into_iter().map(Department::from).collect(),
        next_page_token,
    }))
}

/// Get a department by id or budget code.
#[utoipa::path(
    tag = "departments",
    operation_id = "get_department",
    params(("key" = String, Path, description = "Department id or budget code", example = "901001")),
    responses(
        (status = 200, description = "The department", body = Department, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such department in your scope", body = Problem, content_type = "application/problem+json"),
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
    if http::not_modified(&req, m.version) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag(m.version)))
            .finish());
    }
    Ok(respond(actix_web::http::StatusCode::OK, m))
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
    Ok(respond(actix_web::http::StatusCode::CREATED, m))
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
        (status = 404, description = "No such department in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new budget code is taken, in this region (`department.exists`) or in another one (`department.budget_code_taken`: budget codes are unique across the service)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
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
    Ok(respond(actix_web::http::StatusCode::OK, m))
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
        (status = 404, description = "No such department in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Departments still name it as their parent", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
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

/// The ids of the departments a caller with a department list may see (`None`: no list).
pub async fn allowed_ids(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(list) = &principal.departments else {
        return Ok(None);
    };
    let filter = store::Filter {
        scope_prefix: principal.region_prefix().to_owned(),
        scope_departments: Some(list.clone()),
        ..store::Filter::default()
    };
    let (rows, _) = store::list(db, &filter, None, 10_000).await?;
    Ok(Some(rows.into_iter().map(|m| m.id).collect()))
}

/// Checks a fiscal year (2000–2100), reporting at `pointer`.
pub fn year_error(year: i32, pointer: &str) -> Option<FieldError> {
    (!(2000..=2100).contains(&year)).then(|| {
        FieldError::body(
            pointer,
            "field.out_of_range",
            Text::new(
                format!("The year must be between 2000 and 2100 (got {year})"),
                format!("年度必须在 2000 到 2100 之间（收到 {year}）"),
            ),
        )
    })
}
