//! Rule sets (the versioned scoring parameters) as sent and as answered.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::rules::RuleSet;
use crate::error::ApiError;
use crate::model::amount::Figure;
use crate::model::body::RequestBody;

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

/// A rule set as the contract shows it.
pub fn to_dto(r: &RuleSet) -> Result<RuleSetDto, ApiError> {
    let v = serde_json::to_value(r).map_err(ApiError::internal)?;
    serde_json::from_value(v).map_err(ApiError::internal)
}

/// A rule set as sent, the default vocabulary filled in when none is given.
pub fn from_dto(d: &RuleSetDto) -> Result<RuleSet, ApiError> {
    let v = serde_json::to_value(d).map_err(ApiError::internal)?;
    let mut r = crate::model::body::parse_value::<RuleSet>(v)?;
    if d.vocabulary.is_none() {
        r.vocabulary = crate::domain::target::default_vocabulary();
    }
    Ok(r)
}
