//! `/api/v1/regions`: GB/T 2260 administrative divisions.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::extract::JsonBody;
use crate::api::http::{self, etag};
use crate::api::state::AppState;
use crate::app::access;
use crate::domain::policy::{Action, Kind, Principal, Scope};
use crate::domain::region::{self, RegionCode, RegionLevel, ShapeError};
use crate::error::{ApiError, FieldError, Problem, codes};
use crate::locale::Text;
use crate::model::body::RequestBody;
use crate::store::regions::{self as store, WriteOutcome};

/// Level of a region in the GB/T 2260 hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RegionLevel)]
pub enum Level {
    Province,
    City,
    County,
}

impl From<Level> for RegionLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Province => RegionLevel::Province,
            Level::City => RegionLevel::City,
            Level::County => RegionLevel::County,
        }
    }
}

impl From<RegionLevel> for Level {
    fn from(l: RegionLevel) -> Self {
        match l {
            // No stored region is national (RegionCode::parse refuses 000000).
            RegionLevel::National | RegionLevel::Province => Level::Province,
            RegionLevel::City => Level::City,
            RegionLevel::County => Level::County,
        }
    }
}

/// A region.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "430424", "name": "衡东县", "level": "county", "level_label_zh": "县级",
    "parent": "430400", "version": 1,
    "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z"
}))]
pub struct Region {
    /// Six-digit GB/T 2260 code.
    pub code: String,
    pub name: String,
    pub level: Level,
    /// 省级 / 地级 / 县级.
    pub level_label_zh: String,
    /// Code of the region directly above; absent for a province.
    pub parent: Option<String>,
    /// Increases with every change; the ETag is this number in quotes.
    pub version: i64,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

impl From<store::Model> for Region {
    fn from(m: store::Model) -> Self {
        let level = RegionLevel::parse(&m.level).unwrap_or(RegionLevel::County);
        Region {
            code: m.code,
            name: m.name,
            level: level.into(),
            level_label_zh: level.label_zh().to_owned(),
            parent: m.parent_code,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A page of regions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionPage {
    pub items: Vec<Region>,
    /// Pass as `page_token` to get the next page; absent on the last page.
    pub next_page_token: Option<String>,
}

/// A new region. `level` and `parent` are implied by the code; when given they must agree.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "430424", "name": "衡东县", "level": "county", "parent": "430400"}))]
pub struct RegionCreate {
    pub code: String,
    pub name: String,
    pub level: Option<Level>,
    pub parent: Option<String>,
}

impl RequestBody for RegionCreate {
    const READ_ONLY: &'static [&'static str] = &[
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "level_label_zh",
    ];
}

/// The replacement of a region. The code is the path's; `level` and `parent` follow from it
/// and may be repeated but not changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "衡东县"}))]
pub struct RegionReplace {
    pub name: String,
    pub level: Option<Level>,
    pub parent: Option<String>,
}

impl RequestBody for RegionReplace {
    const READ_ONLY: &'static [&'static str] = &[
        "code",
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "level_label_zh",
    ];
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

fn not_found(code: &str) -> ApiError {
    ApiError::new(
        codes::REGION_NOT_FOUND,
        Text::new(
            format!("No region has the code {code}"),
            format!("不存在代码为 {code} 的行政区划"),
        ),
    )
}

fn region_scope(code: &str) -> Scope<'_> {
    Scope {
        region: code,
        ..Scope::default()
    }
}

fn code_field_error(pointer: &str, err: region::CodeError) -> FieldError {
    FieldError::body(
        pointer,
        "region.invalid_code",
        Text::new(err.message_en(), err.message_zh()),
    )
}

fn name_errors(name: &str, errors: &mut Vec<FieldError>) {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 100 {
        errors.push(FieldError::body(
            "/name",
            "field.invalid_length",
            Text::new(
                "The name must have 1 to 100 characters",
                "名称长度必须为 1 到 100 个字符",
            ),
        ));
    }
}

fn shape_errors(
    code: &RegionCode,
    level: Option<Level>,
    parent: Option<&str>,
    errors: &mut Vec<FieldError>,
) {
    for problem in region::check_shape(code, level.map(Into::into), parent) {
        errors.push(match problem {
            ShapeError::LevelMismatch { declared, implied } => FieldError::body(
                "/level",
                "region.level_mismatch",
                Text::new(
                    format!(
                        "The code {code} is a {} code, not a {}",
                        implied.as_str(),
                        declared.as_str()
                    ),
                    format!(
                        "代码 {code} 属于{}，不是{}",
                        implied.label_zh(),
                        declared.label_zh()
                    ),
                ),
            ),
            ShapeError::ParentMismatch { declared, implied } => {
                let implied = implied.unwrap_or_else(|| "none".into());
                let declared = declared.unwrap_or_default();
                FieldError::body(
                    "/parent",
                    "region.parent_mismatch",
                    Text::new(
                        format!("The parent of {code} is {implied}, not {declared}"),
                        format!("{code} 的上级是 {implied}，而不是 {declared}"),
                    ),
                )
            }
        });
    }
}

fn with_etag(
    mut res: actix_web::HttpResponseBuilder,
    version: i64,
) -> actix_web::HttpResponseBuilder {
    res.insert_header((header::ETAG, etag(version)));
    res
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
    let limit = http::page_size(query.page_size, state.max_page_size)?;
    let after = http::decode_page_token(PAGE_KIND, query.page_token.as_deref())?;
    let mut errors = Vec::new();
    if let Some(parent) = &query.parent
        && let Err(e) = RegionCode::parse(parent)
    {
        errors.push(FieldError::query(
            "parent",
            "region.invalid_code",
            Text::new(e.message_en(), e.message_zh()),
        ));
    }
    let under = match query.under.as_deref().map(region::subtree_filter_prefix) {
        Some(Ok(prefix)) => Some(prefix),
        Some(Err(e)) => {
            errors.push(FieldError::query(
                "under",
                "region.invalid_code",
                Text::new(e.message_en(), e.message_zh()),
            ));
            None
        }
        None => None,
    };
    if !errors.is_empty() {
        let mut e = ApiError::new(
            codes::INVALID_QUERY,
            Text::new(
                "Some filters are invalid; see `errors`",
                "部分筛选条件无效，详见 `errors`",
            ),
        );
        e.errors = errors;
        return Err(e);
    }
    let filter = store::Filter {
        parent: query.parent,
        level: query
            .level
            .map(|l| RegionLevel::from(l).as_str().to_owned()),
        under_prefix: under,
        scope_prefix: principal.region_prefix().to_owned(),
    };
    let (rows, more) = store::list(&state.db, &filter, after.as_deref(), limit).await?;
    let next_page_token = http::next_page_token(PAGE_KIND, more, &rows, |r| r.code.as_str());
    Ok(HttpResponse::Ok().json(RegionPage {
        items: rows.into_iter().map(Region::from).collect(),
        next_page_token,
    }))
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
        (status = 404, description = "No live region has this code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/regions/{code}")]
pub async fn get_region(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    access::authorize(
        &principal,
        Kind::Region,
        Action::Read,
        &region_scope(&code),
        || not_found(&code),
    )?;
    let row = store::get(&state.db, &code)
        .await?
        .ok_or_else(|| not_found(&code))?;
    if http::not_modified(&req, row.version) {
        return Ok(with_etag(HttpResponse::NotModified(), row.version).finish());
    }
    Ok(with_etag(HttpResponse::Ok(), row.version).json(Region::from(row)))
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
    access::require_role(&principal, Kind::Region, Action::Create)?;
    let body = body.0;
    // Scope first, so that nothing about codes outside it (not even "exists") is revealed.
    if let Ok(code) = RegionCode::parse(&body.code) {
        access::require_region_in_scope(&principal, code.as_str(), "/code")?;
    }
    let mut errors = Vec::new();
    name_errors(&body.name, &mut errors);
    let code = match RegionCode::parse(&body.code) {
        Ok(code) => {
            shape_errors(&code, body.level, body.parent.as_deref(), &mut errors);
            Some(code)
        }
        Err(e) => {
            errors.push(code_field_error("/code", e));
            None
        }
    };
    let Some(code) = code.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let parent = code.parent().map(|p| p.as_str().to_owned());
    let new = store::NewRegion {
        code: code.as_str().to_owned(),
        name: body.name.trim().to_owned(),
        level: code.level().as_str().to_owned(),
        parent_code: parent.clone(),
    };
    match store::create(&state.db, new).await? {
        WriteOutcome::Done(row) => Ok(with_etag(HttpResponse::Created(), row.version)
            .insert_header((header::LOCATION, format!("/api/v1/regions/{}", row.code)))
            .json(Region::from(row))),
        WriteOutcome::Exists => Err(ApiError::new(
            codes::REGION_EXISTS,
            Text::new(
                format!("A region with the code {code} exists already"),
                format!("代码为 {code} 的行政区划已存在"),
            ),
        )
        .with_extra("existing", format!("/api/v1/regions/{code}").into())),
        WriteOutcome::ParentMissing => {
            let parent = parent.unwrap_or_default();
            Err(ApiError::validation(vec![FieldError::body(
                if body.parent.is_some() {
                    "/parent"
                } else {
                    "/code"
                },
                "region.parent_missing",
                Text::new(
                    format!("The parent region {parent} does not exist; create it first"),
                    format!("上级行政区划 {parent} 不存在，请先创建"),
                ),
            )]))
        }
        other => Err(ApiError::internal(anyhow::anyhow!(
            "unexpected create outcome {other:?}"
        ))),
    }
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
        (status = 404, description = "No live region has this code", body = Problem, content_type = "application/problem+json"),
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
    access::authorize(
        &principal,
        Kind::Region,
        Action::Update,
        &region_scope(&code),
        || not_found(&code),
    )?;
    let body = body.0;
    let if_match = http::require_if_match(&req)?;
    let parsed = RegionCode::parse(&code).map_err(|_| not_found(&code))?;
    let mut errors = Vec::new();
    name_errors(&body.name, &mut errors);
    shape_errors(&parsed, body.level, body.parent.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    match store::update(
        &state.db,
        &code,
        |v| if_match.matches(v),
        body.name.trim().to_owned(),
    )
    .await?
    {
        WriteOutcome::Done(row) => {
            Ok(with_etag(HttpResponse::Ok(), row.version).json(Region::from(row)))
        }
        WriteOutcome::NotFound => Err(not_found(&code)),
        WriteOutcome::Stale(current) => Err(http::stale(current.version)),
        other => Err(ApiError::internal(anyhow::anyhow!(
            "unexpected update outcome {other:?}"
        ))),
    }
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
        (status = 404, description = "No live region has this code", body = Problem, content_type = "application/problem+json"),
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
    access::authorize(
        &principal,
        Kind::Region,
        Action::Delete,
        &region_scope(&code),
        || not_found(&code),
    )?;
    let if_match = http::optional_if_match(&req)?;
    let outcome = store::soft_delete(&state.db, &code, |v| {
        if_match.as_ref().is_none_or(|m| m.matches(v))
    })
    .await?;
    match outcome {
        WriteOutcome::Done(_) => Ok(HttpResponse::NoContent().finish()),
        WriteOutcome::NotFound => Err(not_found(&code)),
        WriteOutcome::Stale(current) => Err(http::stale(current.version)),
        WriteOutcome::HasChildren(n) => Err(ApiError::new(
            codes::REGION_HAS_CHILDREN,
            Text::new(
                format!("{n} live region(s) sit below {code}; delete them first"),
                format!("{code} 下仍有 {n} 个下级区划，请先删除它们"),
            ),
        )),
        other => Err(ApiError::internal(anyhow::anyhow!(
            "unexpected delete outcome {other:?}"
        ))),
    }
}
