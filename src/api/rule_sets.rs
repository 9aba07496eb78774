//! `/api/v1/rule-sets`: the versioned scoring parameters. Built-in sets live in code; an admin
//! may add new versions, and a version, once there, never changes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::amount::Figure;
use crate::api::extract::{JsonBody, RequestBody};
use crate::api::{AppState, access};
use crate::domain::policy::{Action, Kind, Principal};
use crate::domain::rules::{self, RuleSet};
use crate::error::{ApiError, FieldError, Problem, codes};
use crate::locale::Text;
use crate::store::rule_sets as store;

/// A level-1 group and its weight.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Level1WeightDto {
    /// cost (成本), output (产出), benefit (效益) or satisfaction (满意度).
    pub level1: String,
    pub weight: Figure,
}

/// A grade and the lowest total that earns it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeBandDto {
    /// you (优), liang (良), zhong (中) or cha (差).
    pub grade: String,
    /// Inclusive lower bound.
    pub min: Figure,
}

/// A rule set: every scoring parameter, versioned.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "hengyang-2024-project", "version": 1, "name": "Hengyang 2024 project expenditure self-evaluation",
    "name_zh": "衡阳市2024年项目支出绩效自评表",
    "level1_weights": [{"level1": "output", "weight": "20"}, {"level1": "benefit", "weight": "40"},
                       {"level1": "cost", "weight": "20"}, {"level1": "satisfaction", "weight": "10"}],
    "execution_weight": "10", "reverse_formula": "ratio", "over_achievement_threshold": "1.30",
    "non_numeric_actual": "error",
    "grade_bands": [{"grade": "you", "min": "90"}, {"grade": "liang", "min": "80"}, {"grade": "zhong", "min": "60"}, {"grade": "cha", "min": "0"}],
    "tree_shape": "cost_as_level1"
}))]
pub struct RuleSetDto {
    /// Stable id (lowercase letters, digits and `-`).
    pub id: String,
    pub version: u32,
    pub name: String,
    pub name_zh: String,
    pub level1_weights: Vec<Level1WeightDto>,
    /// Weight of 预算执行率.
    pub execution_weight: Figure,
    /// `ratio` (w × t / a) or `linear` (w × (1 − (a − t) / t)) for lower-is-better rows.
    pub reverse_formula: String,
    /// Above target × this, a higher-is-better row needs an explanation (1.30 = 130%).
    pub over_achievement_threshold: Figure,
    /// `error` or `warning`: a non-numeric actual of a quantitative target.
    pub non_numeric_actual: String,
    pub grade_bands: Vec<GradeBandDto>,
    /// `cost_as_level1`, `cost_under_output` or `either`.
    pub tree_shape: String,
}

impl RequestBody for RuleSetDto {
    const READ_ONLY: &'static [&'static str] = &["builtin", "created_at", "created_by"];
}

/// A rule set as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleSetEntry {
    #[serde(flatten)]
    pub rule_set: RuleSetDto,
    /// Shipped with the service (cannot be replaced; add a new version under another id or number).
    pub builtin: bool,
}

fn to_dto(r: &RuleSet) -> Result<RuleSetDto, ApiError> {
    let v = serde_json::to_value(r).map_err(ApiError::internal)?;
    serde_json::from_value(v).map_err(ApiError::internal)
}

fn from_dto(d: &RuleSetDto) -> Result<RuleSet, ApiError> {
    let v = serde_json::to_value(d).map_err(ApiError::internal)?;
    crate::api::extract::parse_value::<RuleSet>(v)
}

/// Every rule set: built-in ones, then those added, in id and version order.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<(RuleSet, bool)>, ApiError> {
    let mut out: Vec<(RuleSet, bool)> = rules::builtin_rule_sets()
        .into_iter()
        .map(|r| (r, true))
        .collect();
    for row in store::all(db).await? {
        let r: RuleSet = serde_json::from_str(&row.document).map_err(ApiError::internal)?;
        out.push((r, false));
    }
    out.sort_by(|a, b| (a.0.id.as_str(), a.0.version).cmp(&(b.0.id.as_str(), b.0.version)));
    Ok(out)
}

/// A rule set by `id` (latest version) or `id@version`.
pub async fn find(db: &impl ConnectionTrait, wanted: &str) -> Result<Option<RuleSet>, ApiError> {
    let (id, version) = match wanted.split_once('@') {
        Some((id, v)) => match v.parse::<u32>() {
            Ok(v) => (id, Some(v)),
            Err(_) => return Ok(None),
        },
        None => (wanted, None),
    };
    Ok(all(db)
        .await?
        .into_iter()
        .map(|(r, _)| r)
        .filter(|r| r.id == id && version.is_none_or(|v| r.version == v))
        .max_by_key(|r| r.version))
}

/// The ids of every rule set.
pub async fn known_ids(db: &impl ConnectionTrait) -> Result<Vec<String>, ApiError> {
    let mut ids: Vec<String> = all(db).await?.into_iter().map(|(r, _)| r.id).collect();
    ids.dedup();
    Ok(ids)
}

/// List rule sets.
#[utoipa::path(
    tag = "rule-sets",
    operation_id = "list_rule_sets",
    responses((status = 200, description = "Every rule set version", body = [RuleSetEntry]))
)]
#[get("/rule-sets")]
pub async fn list_rule_sets(
    state: web::Data<AppState>,
    _principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let entries = all(&state.db)
        .await?
        .iter()
        .map(|(r, builtin)| {
            Ok(RuleSetEntry {
                rule_set: to_dto(r)?,
                builtin: *builtin,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(HttpResponse::Ok().json(entries))
}

/// Get a rule set: `{id}` for the latest version, `{id}@{version}` for one.
#[utoipa::path(
    tag = "rule-sets",
    operation_id = "get_rule_set",
    params(("id" = String, Path, description = "Rule set id, optionally @version", example = "hengyang-2024-project@1")),
    responses(
        (status = 200, description = "The rule set", body = RuleSetDto),
        (status = 404, description = "No such rule set", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rule-sets/{id}")]
pub async fn get_rule_set(
    state: web::Data<AppState>,
    _principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = find(&state.db, &id).await?.ok_or_else(|| {
        ApiError::new(
            codes::RULE_SET_NOT_FOUND,
            Text::new(
                format!("No rule set `{id}`"),
                format!("不存在规则集 `{id}`"),
            ),
        )
    })?;
    Ok(HttpResponse::Ok().json(to_dto(&r)?))
}

/// Add a rule set version (admin). Existing versions never change.
#[utoipa::path(
    tag = "rule-sets",
    operation_id = "create_rule_set",
    request_body = RuleSetDto,
    responses(
        (status = 201, description = "Added", body = RuleSetDto),
        (status = 409, description = "This id and version exist already: versions never change", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rule-sets")]
pub async fn create_rule_set(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<RuleSetDto>,
) -> Result<HttpResponse, ApiError> {
    access::require_role(&principal, Kind::RuleSet, Action::Create)?;
    let r = from_dto(&body.0)?;
    let mut problems: Vec<FieldError> = r
        .validate()
        .into_iter()
        .map(|p| FieldError::body("", "rule_set.invalid", Text::new(p.clone(), p)))
        .collect();
    if !r
        .id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || r.id.is_empty()
        || r.id.len() > 64
    {
        problems.push(FieldError::body(
            "/id",
            "rule_set.invalid_id",
            Text::new(
                "Use 1 to 64 lowercase letters, digits and `-`",
                "只能使用 1 到 64 个小写字母、数字和 `-`",
            ),
        ));
    }
    if r.version == 0 || i32::try_from(r.version).is_err() {
        problems.push(FieldError::body(
            "/version",
            "field.out_of_range",
            Text::new(
                format!("Versions run from 1 to {}", i32::MAX),
                format!("版本号须在 1 到 {} 之间", i32::MAX),
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    if find(&state.db, &format!("{}@{}", r.id, r.version))
        .await?
        .is_some()
    {
        return Err(ApiError::new(
            codes::RULE_SET_EXISTS,
            Text::new(
                format!(
                    "Rule set {}@{} exists and never changes; add a new version",
                    r.id, r.version
                ),
                format!("规则集 {}@{} 已存在且不可修改，请新增版本", r.id, r.version),
            ),
        ));
    }
    let row = store::Model {
        id: r.id.clone(),
        version: i32::try_from(r.version).map_err(ApiError::internal)?,
        document: serde_json::to_string(&r).map_err(ApiError::internal)?,
        created_by: principal.subject.clone(),
        created_at: crate::clock::now(),
    };
    match store::insert(&state.db, row).await {
        Ok(()) => Ok(HttpResponse::build(StatusCode::CREATED)
            .insert_header((
                actix_web::http::header::LOCATION,
                format!("/api/v1/rule-sets/{}@{}", r.id, r.version),
            ))
            .json(to_dto(&r)?)),
        Err(e) if crate::store::is_unique_violation(&e) => Err(ApiError::new(
            codes::RULE_SET_EXISTS,
            Text::new("This rule set version exists already", "该规则集版本已存在"),
        )),
        Err(e) => Err(e.into()),
    }
}
