//! `/api/v1/departments`: budget units (部门 / 单位), addressable by id or budget code.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::AppState;
use crate::api::access;
use crate::api::extract::{JsonBody, RequestBody};
use crate::api::feed;
use crate::api::http::{self, etag};
use crate::domain::policy::{Action, Kind, Principal, Scope};
use crate::domain::region::{self, RegionCode};
use crate::error::{ApiError, FieldError, Problem, codes};
use crate::locale::Text;
use crate::store::departments::{self as store, Model};
use crate::store::regions as region_store;

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
    fn as_str(self) -> &'static str {
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

pub fn not_found(key: &str) -> ApiError {
    ApiError::new(
        codes::DEPARTMENT_NOT_FOUND,
        Text::new(
            format!("No department has the id or budget code {key}"),
            format!("不存在 id 或预算单位编码为 {key} 的部门"),
        ),
    )
}

/// The policy scope of a department.
pub fn scope_of(m: &Model) -> (String, [String; 2]) {
    (m.region_code.clone(), [m.id.clone(), m.budget_code.clone()])
}

/// Checks `action` on a department for the caller.
pub fn authorize(
    principal: &Principal,
    m: &Model,
    action: Action,
    key: &str,
) -> Result<(), ApiError> {
    let ids = [m.id.as_str(), m.budget_code.as_str()];
    let scope = Scope {
        region: &m.region_code,
        department: &ids,
        ..Scope::default()
    };
    access::authorize(principal, Kind::Department, action, &scope, || {
        not_found(key)
    })
}

/// Finds a live department by id or budget code within the caller's scope.
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

pub async fn resolve(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: &str,
    action: Action,
) -> Result<Model, ApiError> {
    let model = if uuid::Uuid::parse_str(key).is_ok() {
        store::get(db, key).await?.ok_or_else(|| not_found(key))?
    } else {
        let mut found = store::by_budget_code_under(db, key, principal.region_prefix()).await?;
        found.retain(|m| principal.covers_department(&[m.id.as_str(), m.budget_code.as_str()]));
        match found.len() {
            0 => return Err(not_found(key)),
            1 => found.remove(0),
            _ => {
                let ids: Vec<String> = found
                    .iter()
                    .map(|m| format!("{} ({})", m.id, m.region_code))
                    .collect();
                return Err(ApiError::new(
                    codes::DEPARTMENT_AMBIGUOUS,
                    Text::new(
                        format!(
                            "Several departments have the budget code {key}: use an id: {}",
                            ids.join(", ")
                        ),
                        format!(
                            "多个部门使用预算单位编码 {key}，请改用 id：{}",
                            ids.join("，")
                        ),
                    ),
                ));
            }
        }
    };
    authorize(principal, &model, action, key)?;
    Ok(model)
}

/// The 409 for a budget code another live department holds. The other department may be
/// outside the caller's scope, so it is not named.
fn budget_code_taken(code: &str) -> ApiError {
    let mut e = ApiError::new(
        codes::DEPARTMENT_BUDGET_CODE_TAKEN,
        Text::new(
            format!(
                "Another department already has the budget code {code}; budget codes are unique across the service"
            ),
            format!("预算单位编码 {code} 已被其他部门使用；预算单位编码在全系统内唯一"),
        ),
    );
    e.errors.push(FieldError::body(
        "/budget_code",
        "department.budget_code_taken",
        Text::new(format!("{code} is taken"), format!("{code} 已被使用")),
    ));
    e
}

/// Refuses a budget code that a live department other than `own_id` holds in another region
/// (the same region answers `department.exists`, naming the department).
async fn check_budget_code_free(
    db: &impl ConnectionTrait,
    code: &str,
    region: &str,
    own_id: Option<&str>,
) -> Result<(), ApiError> {
    match store::live_with_budget_code(db, code, own_id).await? {
        Some(other) if other.region_code != region => Err(budget_code_taken(code)),
        _ => Ok(()),
    }
}

fn text_error(pointer: &str, max: usize, value: &str, errors: &mut Vec<FieldError>) {
    let n = value.trim().chars().count();
    if n == 0 || n > max {
        errors.push(FieldError::body(
            pointer,
            "field.invalid_length",
            Text::new(
                format!("Must have 1 to {max} characters"),
                format!("长度必须为 1 到 {max} 个字符"),
            ),
        ));
    }
}

/// Checks an input and resolves its region and parent; every problem is reported at once.
async fn validate(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &DepartmentInput,
    own_id: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let mut errors = Vec::new();
    text_error("/name", 200, &input.name, &mut errors);
    text_error("/budget_code", 64, &input.budget_code, &mut errors);
    if !input
        .budget_code
        .trim()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        errors.push(FieldError::body(
            "/budget_code",
            "department.invalid_budget_code",
            Text::new(
                "A budget code holds letters, digits, `-`, `_` and `.` only",
                "预算单位编码只能包含字母、数字、`-`、`_` 和 `.`",
            ),
        ));
    }
    for (field, list) in [
        ("responsibilities", &input.responsibilities),
        ("internal_bodies", &input.internal_bodies),
        ("subordinate_units", &input.subordinate_units),
    ] {
        for (i, item) in list.iter().enumerate() {
            text_error(&format!("/{field}/{i}"), 2000, item, &mut errors);
        }
    }
    let region = match RegionCode::parse(input.region.trim()) {
        Err(e) => {
            errors.push(FieldError::body(
                "/region",
                "region.invalid_code",
                Text::new(e.message_en(), e.message_zh()),
            ));
            None
        }
        Ok(code) => {
            access::require_region_in_scope(principal, code.as_str(), "/region")?;
            if region_store::get(db, code.as_str()).await?.is_none() {
                errors.push(FieldError::body(
                    "/region",
                    "department.unknown_region",
                    Text::new(
                        format!("No region has the code {code}"),
                        format!("不存在代码为 {code} 的行政区划"),
                    ),
                ));
            }
            Some(code)
        }
    };
    let mut parent_id = None;
    if let (Some(parent), Some(region)) = (input.parent.as_deref(), &region) {
        match find_parent(db, parent, region).await? {
            Some(p) if Some(p.id.as_str()) == own_id => errors.push(FieldError::body(
                "/parent",
                "department.parent_cycle",
                Text::new(
                    "A department cannot be its own parent",
                    "部门不能是自己的主管部门",
                ),
            )),
            Some(p) => {
                if let Some(own) = own_id
                    && is_ancestor(db, own, &p).await?
                {
                    errors.push(FieldError::body(
                        "/parent",
                        "department.parent_cycle",
                        Text::new(
                            "The parent is below this department: that would make a cycle",
                            "所选主管部门是本部门的下级，会形成循环",
                        ),
                    ));
                } else {
                    parent_id = Some(p.id);
                }
            }
            None => errors.push(FieldError::body(
                "/parent",
                "department.unknown_parent",
                Text::new(
                    format!("No department {parent} exists in region {region} or above it"),
                    format!("在 {region} 及其上级区划中不存在部门 {parent}"),
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(parent_id)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The parent, by id or budget code, in the region or one above it.
async fn find_parent(
    db: &impl ConnectionTrait,
    key: &str,
    region: &RegionCode,
) -> Result<Option<Model>, ApiError> {
    let mut chain = vec![region.as_str().to_owned()];
    let mut up = region.parent();
    while let Some(code) = up {
        chain.push(code.as_str().to_owned());
        up = code.parent();
    }
    if uuid::Uuid::parse_str(key).is_ok() {
        return Ok(store::get(db, key)
            .await?
            .filter(|m| chain.contains(&m.region_code)));
    }
    let found = store::by_budget_code(db, key, &chain).await?;
    // The nearest region wins.
    Ok(chain
        .iter()
        .find_map(|r| found.iter().find(|m| &m.region_code == r).cloned()))
}

async fn is_ancestor(db: &impl ConnectionTrait, id: &str, of: &Model) -> Result<bool, ApiError> {
    let mut current = of.parent_id.clone();
    let mut hops = 0;
    while let Some(pid) = current {
        if pid == id {
            return Ok(true);
        }
        hops += 1;
        if hops > 32 {
            return Ok(true);
        }
        current = store::get(db, &pid).await?.and_then(|m| m.parent_id);
    }
    Ok(false)
}

fn to_json(list: &[String]) -> String {
    serde_json::to_string(&list.iter().map(|s| s.trim()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

/// Creates a department (or brings back a deleted one with the same region and budget code).
pub async fn create(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &DepartmentInput,
) -> Result<Model, ApiError> {
    access::require_role(principal, Kind::Department, Action::Create)?;
    let parent_id = validate(db, principal, input, None).await?;
    let budget_code = input.budget_code.trim().to_owned();
    let region = input.region.trim().to_owned();
    let ids = [budget_code.as_str()];
    if !principal.covers_department(&ids) {
        return Err(access::forbidden(Action::Create));
    }
    let now = crate::clock::now();
    let mut model = Model {
        id: uuid::Uuid::now_v7().to_string(),
        budget_code,
        name: input.name.trim().to_owned(),
        region_code: region,
        parent_id,
        kind: input.kind.as_str().to_owned(),
        responsibilities: to_json(&input.responsibilities),
        internal_bodies: to_json(&input.internal_bodies),
        subordinate_units: to_json(&input.subordinate_units),
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    check_budget_code_free(db, &model.budget_code, &model.region_code, None).await?;
    let code = model.budget_code.clone();
    match store::by_natural_key(db, &model.region_code, &model.budget_code).await? {
        Some(existing) if existing.deleted_at.is_none() => Err(ApiError::new(
            codes::DEPARTMENT_EXISTS,
            Text::new(
                format!(
                    "Region {} already has a department with budget code {}",
                    model.region_code, model.budget_code
                ),
                format!(
                    "行政区划 {} 已有预算单位编码为 {} 的部门",
                    model.region_code, model.budget_code
                ),
            ),
        )
        .with_extra(
            "existing",
            format!("/api/v1/departments/{}", existing.id).into(),
        )),
        Some(deleted) => {
            model.id = deleted.id.clone();
            model.created_at = deleted.created_at;
            model.version = deleted.version + 1;
            if !overwrite(db, deleted.version, &model).await? {
                return Err(http::stale(deleted.version + 1));
            }
            feed::department(db, &model, feed::CREATED, &principal.subject).await?;
            Ok(model)
        }
        None => match store::insert(db, model).await {
            Ok(m) => {
                feed::department(db, &m, feed::CREATED, &principal.subject).await?;
                Ok(m)
            }
            // A concurrent writer took the code first (in this region or another one).
            Err(e) if crate::store::is_unique_violation(&e) => Err(budget_code_taken(&code)),
            Err(e) => Err(e.into()),
        },
    }
}

/// Replaces a department's data; its region is fixed.
pub async fn replace(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: &str,
    if_match: &http::IfMatch,
    input: &DepartmentInput,
) -> Result<Model, ApiError> {
    let current = resolve(db, principal, key, Action::Update).await?;
    if !if_match.matches(current.version) {
        return Err(http::stale(current.version));
    }
    if input.region.trim() != current.region_code {
        return Err(ApiError::validation(vec![FieldError::body(
            "/region",
            "field.immutable",
            Text::new(
                format!(
                    "A department's region cannot change (it is {})",
                    current.region_code
                ),
                format!("部门所属行政区划不能修改（当前为 {}）", current.region_code),
            ),
        )]));
    }
    let parent_id = validate(db, principal, input, Some(&current.id)).await?;
    let next = Model {
        budget_code: input.budget_code.trim().to_owned(),
        name: input.name.trim().to_owned(),
        parent_id,
        kind: input.kind.as_str().to_owned(),
        responsibilities: to_json(&input.responsibilities),
        internal_bodies: to_json(&input.internal_bodies),
        subordinate_units: to_json(&input.subordinate_units),
        version: current.version + 1,
        updated_at: crate::clock::now(),
        ..current.clone()
    };
    if next.budget_code != current.budget_code {
        check_budget_code_free(db, &next.budget_code, &next.region_code, Some(&current.id)).await?;
    }
    if next.budget_code != current.budget_code
        && store::by_natural_key(db, &next.region_code, &next.budget_code)
            .await?
            .is_some()
    {
        return Err(ApiError::new(
            codes::DEPARTMENT_EXISTS,
            Text::new(
                format!(
                    "Region {} already has a department with budget code {}",
                    next.region_code, next.budget_code
                ),
                format!(
                    "行政区划 {} 已有预算单位编码为 {} 的部门",
                    next.region_code, next.budget_code
                ),
            ),
        ));
    }
    if !overwrite(db, current.version, &next).await? {
        return Err(http::stale(current.version));
    }
    feed::department(db, &next, feed::UPDATED, &principal.subject).await?;
    Ok(next)
}

/// [`store::overwrite`], with a unique violation (a concurrent writer took the budget code)
/// answered as `department.budget_code_taken`.
async fn overwrite(
    db: &impl ConnectionTrait,
    current_version: i64,
    next: &Model,
) -> Result<bool, ApiError> {
    match store::overwrite(db, current_version, next).await {
        Err(e) if crate::store::is_unique_violation(&e) => {
            Err(budget_code_taken(&next.budget_code))
        }
        other => Ok(other?),
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
    let txn = crate::store::begin_write(&state.db).await?;
    let m = create(&txn, &principal, &body.0).await?;
    txn.commit().await?;
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
    let txn = crate::store::begin_write(&state.db).await?;
    let m = replace(&txn, &principal, &key, &if_match, &body.0).await?;
    txn.commit().await?;
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
    let txn = crate::store::begin_write(&state.db).await?;
    let current = resolve(&txn, &principal, &key, Action::Delete).await?;
    if if_match
        .as_ref()
        .is_some_and(|m| !m.matches(current.version))
    {
        return Err(http::stale(current.version));
    }
    let children = store::count_children(&txn, &current.id).await?;
    if children > 0 {
        return Err(ApiError::new(
            codes::DEPARTMENT_HAS_CHILDREN,
            Text::new(
                format!("{children} department(s) name this one as their parent"),
                format!("仍有 {children} 个部门以其为主管部门"),
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
    feed::department(&txn, &next, feed::DELETED, &principal.subject).await?;
    txn.commit().await?;
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

/// Checks `action` on an object a department owns (a fund, a project): the object answers
/// `not_found` when it, or its department, is outside the caller's scope.
pub async fn authorize_owned(
    db: &impl ConnectionTrait,
    principal: &Principal,
    kind: Kind,
    action: Action,
    department_id: &str,
    region: &str,
    not_found: impl Fn() -> ApiError,
) -> Result<(), ApiError> {
    let department = store::get(db, department_id)
        .await?
        .ok_or_else(&not_found)?;
    let ids = [department.id.as_str(), department.budget_code.as_str()];
    let scope = Scope {
        region,
        department: &ids,
        ..Scope::default()
    };
    access::authorize(principal, kind, action, &scope, not_found)
}
