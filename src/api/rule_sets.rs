//! `/api/v1/rule-sets`: the versioned scoring parameters. Built-in sets live in code; an admin
//! may add new versions, and a version, once there, never changes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::extract::JsonBody;
use crate::api::state::AppState;
use crate::app::access;
use crate::app::rule_sets::{all, find};
use crate::domain::policy::{Action, Kind, Principal};
use crate::domain::region::RegionCode;
use crate::domain::review;
use crate::domain::rules::{RuleSet, WeightSource};
use crate::error::{ApiError, FieldError, Problem, codes};
use crate::locale::Text;
use crate::model::amount::Figure;
use crate::model::body::RequestBody;
use crate::store::rule_sets as store;

/// A level-1 group and its weight.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Level1WeightDto {
    /// cost (成本), output (产出), benefit (效益) or satisfaction (满意度).
    pub level1: crate::model::vocab::Level1Code,
    pub weight: Figure,
}

/// A grade and the lowest total that earns it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeBandDto {
    /// excellent (优), good (良), fair (中) or poor (差), as evaluations say it; the pinyin
    /// words `you`, `liang`, `zhong`, `cha` of earlier versions are read too.
    pub grade: crate::model::evaluation_dto::GradeDto,
    /// Inclusive lower bound.
    pub min: Figure,
}

/// Where the points of the level-1 groups and of budget execution come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WeightSourceDto {
    /// The rule set's `level1_weights` and `execution_weight` (they add up to 100).
    #[default]
    Fixed,
    /// The weights the table prints: level-1 points such as `产出指标（40分）`, the budget
    /// block's 分值 (10 or 20) as execution weight; `level1_weights` may be empty.
    Table,
}

/// The three achievement grades of a qualitative indicator (the same vocabulary everywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AchievementGradeDto {
    /// 达成年度指标
    Achieved,
    /// 部分达成年度指标并具有一定效果
    Partly,
    /// 未达成年度指标且效果较差
    NotAchieved,
}

/// A wording of qualitative actuals and the grade it is read as.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "圆满完成", "grade": "achieved"}))]
pub struct WordingDto {
    /// The wording as tables print it (1 to 100 characters).
    pub text: String,
    pub grade: AchievementGradeDto,
}

/// What a finding does under this rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingPolicyDto {
    /// Severity error: the evaluation cannot be submitted.
    Block,
    /// Severity warning, put before the reviewer.
    Review,
    /// Severity warning, for information.
    Inform,
}

/// The policy of one finding code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "actual.not_measured", "policy": "block"}))]
pub struct CodePolicyDto {
    /// A code of the finding catalogue (`actual.not_measured`, `score.claimed_mismatch`, …).
    pub code: String,
    pub policy: FindingPolicyDto,
}

/// At most this many wordings in a vocabulary.
pub const MAX_WORDINGS: usize = 1000;
/// At most this many characters in a wording.
pub const MAX_WORDING_CHARS: usize = 100;
/// At most this many finding policies.
pub const MAX_POLICIES: usize = 200;

/// A rule set: every scoring parameter, versioned.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "hengyang-2024-project", "version": 1, "region": "430400",
    "name": "Hengyang 2024 project expenditure self-evaluation",
    "name_zh": "衡阳市2024年项目支出绩效自评表",
    "level1_weights": [{"level1": "output", "weight": "20"}, {"level1": "benefit", "weight": "40"},
                       {"level1": "cost", "weight": "20"}, {"level1": "satisfaction", "weight": "10"}],
    "execution_weight": "10", "reverse_formula": "ratio", "over_achievement_threshold": "1.30",
    "non_numeric_actual": "warning",
    "grade_bands": [{"grade": "excellent", "min": "90"}, {"grade": "good", "min": "80"}, {"grade": "fair", "min": "60"}],
    "tree_shape": "cost_as_level1",
    "weight_source": "fixed",
    "vocabulary": [{"text": "已完成", "grade": "achieved"}, {"text": "基本完成", "grade": "partly"}, {"text": "未完成", "grade": "not_achieved"}],
    "policies": [{"code": "actual.not_measured", "policy": "block"}]
}))]
pub struct RuleSetDto {
    /// Stable id (lowercase letters, digits and `-`).
    pub id: String,
    /// 1, 2, …: a version never changes; a change is a new version.
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: u32,
    /// The region the rule set belongs to and applies to (its subtree): a GB/T 2260 code,
    /// `000000` for national. On `POST`, defaults to the caller's region, must lie in the
    /// caller's scope, and every version of an id keeps the id's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "430400", pattern = "^[0-9]{6}$")]
    pub region: Option<String>,
    pub name: String,
    pub name_zh: String,
    /// The weight of each level-1 group. Required (adding up to 100 with the execution
    /// weight) when `weight_source` is `fixed`; optional when it is `table`.
    #[serde(default)]
    pub level1_weights: Vec<Level1WeightDto>,
    /// Weight of 预算执行率 (with `weight_source` `table`: used when the table prints no 分值).
    pub execution_weight: Figure,
    /// `ratio` (w × t / a) or `linear` (w × (1 − (a − t) / t)) for lower-is-better rows.
    pub reverse_formula: String,
    /// Above target × this, a higher-is-better row needs an explanation (1.30 = 130%).
    pub over_achievement_threshold: Figure,
    /// `error` or `warning`: a non-numeric actual of a quantitative target (a policy for
    /// `actual.not_measured` in `policies` overrides it).
    pub non_numeric_actual: String,
    pub grade_bands: Vec<GradeBandDto>,
    /// `cost_as_level1`, `cost_under_output` or `either`.
    pub tree_shape: String,
    /// `fixed` (default) or `table`.
    #[serde(default)]
    pub weight_source: WeightSourceDto,
    /// Everyday wordings of qualitative actuals and the grade each is read as. Absent: the
    /// default vocabulary (formats.md). To extend it, read the rule set and post the list
    /// with more wordings as a new version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 1000)]
    pub vocabulary: Option<Vec<WordingDto>>,
    /// Per finding code: `block`, `review` or `inform`; codes not listed keep the catalogue's
    /// default policy.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub policies: Vec<CodePolicyDto>,
    /// How many levels of finance review approve an evaluation, in order (1: any reviewer
    /// in scope; 2: county finance, then city finance; …). 1 to 4, default 1.
    #[serde(default = "one_level")]
    #[schema(minimum = 1, maximum = 4, default = 1)]
    pub approval_levels: u8,
}

fn one_level() -> u8 {
    1
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
    let mut r = crate::model::body::parse_value::<RuleSet>(v)?;
    if d.vocabulary.is_none() {
        r.vocabulary = crate::domain::target::default_vocabulary();
    }
    Ok(r)
}

/// A rule set by `id` or `id@version` that the caller sees (404 otherwise).
async fn find_visible(
    db: &impl ConnectionTrait,
    principal: &Principal,
    wanted: &str,
) -> Result<RuleSet, ApiError> {
    find(db, wanted)
        .await?
        .filter(|r| principal.sees_regional(&r.region))
        .ok_or_else(|| not_found(wanted))
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        codes::RULE_SET_NOT_FOUND,
        Text::new(
            format!("No rule set `{id}`"),
            format!("不存在规则集 `{id}`"),
        ),
    )
}

/// Problems of a rule set's region, vocabulary and policies, with pointers.
fn check_parameters(d: &RuleSetDto, r: &RuleSet) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if RegionCode::parse_scope(&r.region).is_err() {
        problems.push(FieldError::body(
            "/region",
            "rule_set.invalid_region",
            Text::new(
                "A GB/T 2260 region code of six digits, or 000000 for national",
                "须为 6 位 GB/T 2260 行政区划代码，全国为 000000",
            ),
        ));
    }
    if r.weight_source == WeightSource::Fixed && r.level1_weights.is_empty() {
        problems.push(FieldError::body(
            "/level1_weights",
            "field.missing",
            Text::new(
                "With weight_source `fixed`, give the weight of every level-1 group",
                "分值来源为 `fixed` 时须给出各一级指标的分值",
            ),
        ));
    }
    if let Some(vocabulary) = &d.vocabulary {
        if vocabulary.len() > MAX_WORDINGS {
            problems.push(FieldError::body(
                "/vocabulary",
                "field.too_many_items",
                Text::new(
                    format!("At most {MAX_WORDINGS} wordings"),
                    format!("最多 {MAX_WORDINGS} 条表述"),
                ),
            ));
        }
        for (i, w) in vocabulary.iter().enumerate() {
            let text = w.text.trim();
            let chars = text.chars().count();
            if chars == 0 || chars > MAX_WORDING_CHARS {
                problems.push(FieldError::body(
                    format!("/vocabulary/{i}/text"),
                    "field.out_of_range",
                    Text::new(
                        format!("A wording has 1 to {MAX_WORDING_CHARS} characters"),
                        format!("表述须为 1 到 {MAX_WORDING_CHARS} 个字符"),
                    ),
                ));
            } else if vocabulary[..i].iter().any(|o| o.text.trim() == text) {
                problems.push(FieldError::body(
                    format!("/vocabulary/{i}/text"),
                    "rule_set.duplicate_wording",
                    Text::new(
                        format!("`{text}` is listed twice"),
                        format!("表述 `{text}` 重复"),
                    ),
                ));
            }
        }
    }
    if d.policies.len() > MAX_POLICIES {
        problems.push(FieldError::body(
            "/policies",
            "field.too_many_items",
            Text::new(
                format!("At most {MAX_POLICIES} policies"),
                format!("最多 {MAX_POLICIES} 条处理规则"),
            ),
        ));
    }
    for (i, p) in d.policies.iter().enumerate() {
        if review::catalogue_entry(&p.code).is_none() {
            problems.push(FieldError::body(
                format!("/policies/{i}/code"),
                "rule_set.unknown_finding_code",
                Text::new(
                    format!("`{}` is not a code of the finding catalogue", p.code),
                    format!("`{}` 不是审核发现目录中的代码", p.code),
                ),
            ));
        } else if d.policies[..i].iter().any(|o| o.code == p.code) {
            problems.push(FieldError::body(
                format!("/policies/{i}/code"),
                "rule_set.duplicate_policy",
                Text::new(
                    format!("`{}` has a policy already", p.code),
                    format!("`{}` 已设置处理规则", p.code),
                ),
            ));
        }
    }
    problems
}

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
    let entries = all(&state.db)
        .await?
        .iter()
        .filter(|(r, _)| principal.sees_regional(&r.region))
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
        (status = 404, description = "No such rule set, or one of a region that is neither above nor inside the caller's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rule-sets/{id}")]
pub async fn get_rule_set(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let r = find_visible(&state.db, &principal, &id).await?;
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
    access::require_role(&principal, Kind::RuleSet, Action::Create)?;
    let mut dto = body.0;
    let region = dto
        .region
        .get_or_insert_with(|| principal.region.as_str().to_owned())
        .trim()
        .to_owned();
    dto.region = Some(region.clone());
    let r = from_dto(&dto)?;
    let mut problems = check_parameters(&dto, &r);
    if !(1..=crate::domain::review_score::MAX_APPROVAL_LEVELS).contains(&r.approval_levels) {
        problems.push(FieldError::body(
            "/approval_levels",
            "field.out_of_range",
            Text::new("From 1 to 4 levels", "审批层级须为 1 到 4"),
        ));
    }
    if problems.is_empty() {
        access::require_region_in_scope(&principal, &r.region, "/region")?;
    }
    problems.extend(
        r.validate()
            .into_iter()
            .filter(|p| !p.starts_with("region "))
            .map(|p| FieldError::body("", "rule_set.invalid", Text::new(p.clone(), p))),
    );
    if let Some(other) = all(&state.db)
        .await?
        .into_iter()
        .find(|(o, _)| o.id == r.id && o.region != r.region)
    {
        problems.push(FieldError::body(
            "/region",
            "rule_set.region_changed",
            Text::new(
                format!(
                    "Every version of `{}` belongs to region {}",
                    r.id, other.0.region
                ),
                format!(
                    "规则集 `{}` 的各版本均属于行政区划 {}",
                    r.id, other.0.region
                ),
            ),
        ));
    }
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
