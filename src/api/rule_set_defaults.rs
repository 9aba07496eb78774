//! `/api/v1/rule-set-defaults`: which rule set is the default for a region, an evaluation kind
//! and a year (or every year). One resource per (region, kind, year): `PUT` creates it (201)
//! or replaces it (`If-Match` required), `DELETE` removes it softly. An evaluation that names
//! no rule set gets the default of the nearest region above its department
//! ([`crate::domain::rule_defaults::resolve`]); where none is configured, `national-2021`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::extract::JsonBody;
use crate::api::http::{self, etag};
use crate::api::state::AppState;
use crate::app::write::year_error;
use crate::app::{access, rule_sets};
use crate::domain::policy::{Action, Kind, Principal, Scope};
use crate::domain::region::RegionCode;
use crate::domain::rule_defaults::RuleSetRef;
use crate::error::{ApiError, FieldError, Problem, codes};
use crate::locale::Text;
use crate::model::body::RequestBody;
use crate::model::evaluation_dto::EvaluationKind;
use crate::store::rule_set_defaults as store;

/// A rule set as a default names it: `{id}` for its latest version at the time it is used,
/// `{id, version}` for one version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultRuleSetRef {
    pub id: String,
    /// Absent or null: the latest version when an evaluation is scored.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: Option<u32>,
}

/// The rule set of a default as a request names it: `"id"`, `"id@version"` or
/// `{id, version}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum DefaultRuleSetSpec {
    /// `hubei-2024-project` or `hubei-2024-project@2`.
    Name(String),
    Ref(DefaultRuleSetRef),
}

/// The body of `PUT`: the rule set. `region`, `kind` and `year` may be sent back as `GET`
/// answers them; they must then agree with the path and query.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rule_set": {"id": "hengyang-2024-project", "version": 1}}))]
pub struct RuleSetDefaultInput {
    pub rule_set: DefaultRuleSetSpec,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub kind: Option<EvaluationKind>,
    #[serde(default)]
    pub year: Option<i32>,
}

impl RequestBody for RuleSetDefaultInput {
    const READ_ONLY: &'static [&'static str] = &["version", "updated_by", "updated_at"];
}

/// A default: the rule set an evaluation of `kind` and `year` (null: every year) in `region`'s
/// subtree gets when it names none, unless a region nearer to it has one.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "region": "430400", "kind": "project", "year": null,
    "rule_set": {"id": "hengyang-2024-project", "version": 1},
    "version": 1, "updated_by": "admin@430000", "updated_at": "2026-12-01T00:00:00Z"
}))]
pub struct RuleSetDefault {
    /// GB/T 2260 code, `000000` for national.
    pub region: String,
    pub kind: EvaluationKind,
    /// The fiscal year; null for every year (a year's default wins over it in one region).
    pub year: Option<i32>,
    pub rule_set: DefaultRuleSetRef,
    /// Increases with every change; the ETag is this number in quotes.
    pub version: i64,
    pub updated_by: String,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

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

fn kind_of(text: &str) -> EvaluationKind {
    if text == EvaluationKind::Project.as_str() {
        EvaluationKind::Project
    } else {
        EvaluationKind::Department
    }
}

fn to_dto(m: store::Model) -> RuleSetDefault {
    RuleSetDefault {
        kind: kind_of(&m.kind),
        year: (m.year != 0).then_some(m.year),
        rule_set: DefaultRuleSetRef {
            id: m.rule_set_id,
            version: m.rule_set_version.and_then(|v| u32::try_from(v).ok()),
        },
        region: m.region_code,
        version: m.version,
        updated_by: m.updated_by,
        updated_at: m.updated_at,
    }
}

fn not_found(region: &str, kind: EvaluationKind, year: Option<i32>) -> ApiError {
    let year = year.map_or_else(|| "every year".to_owned(), |y| y.to_string());
    ApiError::new(
        codes::RULE_SET_DEFAULT_NOT_FOUND,
        Text::new(
            format!(
                "No default rule set for {region}, {}, {year}",
                kind.as_str()
            ),
            format!("未设置 {region}、{}、{year} 的默认规则集", kind.as_str()),
        ),
    )
}

fn location(region: &str, kind: EvaluationKind, year: Option<i32>) -> String {
    let base = format!("/api/v1/rule-set-defaults/{region}/{}", kind.as_str());
    match year {
        Some(y) => format!("{base}?year={y}"),
        None => base,
    }
}

/// Checks the path and query: the region (a scope code), the year; 404 when the caller does
/// not see the region.
fn place(
    principal: &Principal,
    action: Action,
    region: &str,
    kind: EvaluationKind,
    year: Option<i32>,
) -> Result<(RegionCode, i32), ApiError> {
    let code = RegionCode::parse_scope(region).map_err(|_| not_found(region, kind, year))?;
    access::authorize(
        principal,
        Kind::RuleSet,
        action,
        &Scope {
            region,
            ..Scope::default()
        },
        || not_found(region, kind, year),
    )?;
    if let Some(y) = year
        && !crate::domain::validate::year_in_range(y)
    {
        let mut e = ApiError::new(
            codes::INVALID_QUERY,
            Text::new(
                format!("year must be between 2000 and 2100 (got {y})"),
                format!("year 必须在 2000 到 2100 之间（收到 {y}）"),
            ),
        );
        e.errors.push(FieldError::query(
            "year",
            "parameter.out_of_range",
            Text::new("2000..=2100", "2000..=2100"),
        ));
        return Err(e);
    }
    Ok((code, year.unwrap_or(0)))
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
    let items = store::live(&state.db)
        .await?
        .into_iter()
        .filter(|m| principal.sees_regional(&m.region_code))
        .map(to_dto)
        .collect();
    Ok(HttpResponse::Ok().json(RuleSetDefaultList { items }))
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
    let (region, kind) = path.into_inner();
    let (_, year) = place(&principal, Action::Read, &region, kind, query.year)?;
    let m = store::get(&state.db, &region, kind.as_str(), year)
        .await?
        .filter(|m| m.deleted_at.is_none())
        .ok_or_else(|| not_found(&region, kind, query.year))?;
    if http::not_modified(&req, m.version) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag(m.version)))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(m.version)))
        .json(to_dto(m)))
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
    let (region, kind) = path.into_inner();
    let (code, year) = place(&principal, Action::Update, &region, kind, query.year)?;
    access::require_region_in_scope(&principal, &region, "/region")?;
    let body = body.0;
    let mut errors = Vec::new();
    if body.region.as_deref().is_some_and(|r| r != region) {
        errors.push(FieldError::body(
            "/region",
            "rule_set_default.path_mismatch",
            Text::new("differs from the path", "与路径不一致"),
        ));
    }
    if body.kind.is_some_and(|k| k != kind) {
        errors.push(FieldError::body(
            "/kind",
            "rule_set_default.path_mismatch",
            Text::new("differs from the path", "与路径不一致"),
        ));
    }
    if body.year.is_some() && body.year != query.year {
        errors.push(FieldError::body(
            "/year",
            "rule_set_default.path_mismatch",
            Text::new(
                "differs from the `year` query parameter",
                "与查询参数 `year` 不一致",
            ),
        ));
    }
    if let Some(y) = body.year {
        errors.extend(year_error(y, "/year"));
    }
    let wanted = match &body.rule_set {
        DefaultRuleSetSpec::Name(name) => name.trim().to_owned(),
        DefaultRuleSetSpec::Ref(r) => RuleSetRef {
            id: r.id.clone(),
            version: r.version,
        }
        .key(),
    };
    let rule_set = rule_sets::find(&state.db, &wanted)
        .await?
        .filter(|r| principal.sees_regional(&r.region));
    match &rule_set {
        None => errors.push(FieldError::body(
            "/rule_set",
            "rule_set_default.unknown_rule_set",
            Text::new(
                format!("No rule set `{wanted}`"),
                format!("不存在规则集 `{wanted}`"),
            ),
        )),
        Some(r) if !r.applies_to(&code) => errors.push(FieldError::body(
            "/rule_set",
            "rule_set_default.rule_set_out_of_region",
            Text::new(
                format!(
                    "Rule set `{}` belongs to region {} and does not apply to {region}",
                    r.id, r.region
                ),
                format!(
                    "规则集 `{}` 属于行政区划 {}，不适用于 {region}",
                    r.id, r.region
                ),
            ),
        )),
        Some(_) => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let Some(rule_set) = rule_set else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "validated without rule set"
        )));
    };
    // `id` names the latest version when it is used; `id@n` (or {id, version}) that version.
    let pinned = wanted.contains('@')
        || matches!(&body.rule_set, DefaultRuleSetSpec::Ref(r) if r.version.is_some());
    let if_match = http::optional_if_match(&req)?;
    let existing = store::get(&state.db, &region, kind.as_str(), year).await?;
    let live = existing.as_ref().filter(|m| m.deleted_at.is_none());
    match (live, &if_match) {
        (Some(_), None) => return Err(http::require_if_match_missing()),
        (Some(m), Some(tags)) if !tags.matches(m.version) => return Err(http::stale(m.version)),
        (None, Some(_)) => return Err(http::stale(existing.as_ref().map_or(0, |m| m.version))),
        _ => {}
    }
    let row = store::Model {
        region_code: region.clone(),
        kind: kind.as_str().to_owned(),
        year,
        rule_set_id: rule_set.id.clone(),
        rule_set_version: if pinned {
            Some(i32::try_from(rule_set.version).map_err(ApiError::internal)?)
        } else {
            None
        },
        version: existing.as_ref().map_or(1, |m| m.version + 1),
        updated_by: principal.subject.clone(),
        updated_at: crate::clock::now(),
        deleted_at: None,
    };
    let created = live.is_none();
    match &existing {
        Some(m) => {
            if !store::replace(&state.db, row.clone(), m.version).await? {
                let current = store::get(&state.db, &region, kind.as_str(), year)
                    .await?
                    .map_or(m.version, |c| c.version);
                return Err(http::stale(current));
            }
        }
        None => {
            if let Err(e) = store::insert(&state.db, row.clone()).await {
                if crate::store::is_unique_violation(&e) {
                    return Err(http::stale(1));
                }
                return Err(e.into());
            }
        }
    }
    let mut res = HttpResponse::build(if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    });
    res.insert_header((header::ETAG, etag(row.version)));
    if created {
        res.insert_header((header::LOCATION, location(&region, kind, query.year)));
    }
    Ok(res.json(to_dto(row)))
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
    let (region, kind) = path.into_inner();
    let (_, year) = place(&principal, Action::Delete, &region, kind, query.year)?;
    access::require_region_in_scope(&principal, &region, "/region")?;
    let if_match = http::optional_if_match(&req)?;
    let m = store::get(&state.db, &region, kind.as_str(), year)
        .await?
        .filter(|m| m.deleted_at.is_none())
        .ok_or_else(|| not_found(&region, kind, query.year))?;
    if if_match.as_ref().is_some_and(|t| !t.matches(m.version)) {
        return Err(http::stale(m.version));
    }
    let previous = m.version;
    let gone = store::Model {
        version: previous + 1,
        updated_by: principal.subject.clone(),
        updated_at: crate::clock::now(),
        deleted_at: Some(crate::clock::now()),
        ..m
    };
    if !store::replace(&state.db, gone, previous).await? {
        return Err(http::stale(previous + 1));
    }
    Ok(HttpResponse::NoContent().finish())
}
