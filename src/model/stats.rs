//! The answers of `/api/v1/stats`: aggregates of evaluations (count, totals, grades, budget
//! and execution rate, overall and per group) and achievement counts of indicator rows.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::stats::Achievement;
use crate::model::amount::{Amount, Figure};
use crate::model::evaluation_dto::{EvaluationKind, GradeDto};
use crate::model::vocab::{EvaluationStatus, ScoreBasis};

/// Evaluations in one score band.
#[derive(Debug, Serialize, ToSchema)]
pub struct BandCount {
    /// `0-60`, `60-80`, `80-90` or `90-100`.
    pub band: String,
    /// Lower bound, included.
    pub from: u32,
    /// Upper bound: excluded, except for `90-100` where 100 is included.
    pub to: u32,
    pub upper_included: bool,
    pub count: u64,
}

/// Evaluations by grade.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradeCounts {
    /// 优
    pub excellent: u64,
    /// 良
    pub good: u64,
    /// 中
    pub fair: u64,
    /// 差
    pub poor: u64,
}

/// Budget totals (万元).
#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetTotals {
    /// Evaluations that give a full-year budget.
    pub evaluations_with_budget: u64,
    /// Σ 全年预算数; null only if the sum left the decimal range (amounts are at most 10^12
    /// 万元 each, so only data stored before that bound can do this).
    pub full_year: Option<Amount>,
    /// Σ 全年执行数; null as `full_year`.
    pub executed: Option<Amount>,
    /// Σ executed / Σ full-year over the evaluations that give both, in percent as a decimal
    /// string with two decimals (`"100.00"`, as `computed.execution.rate_percent`); null when
    /// that budget sum is zero.
    pub execution_rate_percent: Option<Figure>,
}

/// The aggregates of a set of evaluations.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationSummary {
    pub count: u64,
    /// Average computed total, half-up to two decimals; null for no evaluations.
    pub average_total: Option<Figure>,
    pub min_total: Option<Figure>,
    pub max_total: Option<Figure>,
    /// Computed totals by band: [0,60), [60,80), [80,90), [90,100].
    #[allow(rustdoc::broken_intra_doc_links)]
    // interval notation, not links; the contract's text
    pub distribution: Vec<BandCount>,
    pub grades: GradeCounts,
    pub budget: BudgetTotals,
}

/// What a group has in common: the values of the `group_by` dimensions, with labels. Only the
/// grouped dimensions are present.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct GroupKey {
    /// The region code at `region_level`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<EvaluationKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind_label_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<GradeDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade_label_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<EvaluationStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_label_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<ScoreBasis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis_label_zh: Option<String>,
}

/// One group of evaluations.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationGroup {
    pub key: GroupKey,
    #[serde(flatten)]
    pub summary: EvaluationSummary,
}

/// Aggregates of evaluations.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "group_by": ["kind"], "region_level": "county",
    "overall": {"count": 3, "average_total": "25.00", "min_total": "20.00", "max_total": "30.00",
        "distribution": [
            {"band": "0-60", "from": 0, "to": 60, "upper_included": false, "count": 3},
            {"band": "60-80", "from": 60, "to": 80, "upper_included": false, "count": 0},
            {"band": "80-90", "from": 80, "to": 90, "upper_included": false, "count": 0},
            {"band": "90-100", "from": 90, "to": 100, "upper_included": true, "count": 0}],
        "grades": {"excellent": 0, "good": 0, "fair": 0, "poor": 3},
        "budget": {"evaluations_with_budget": 3, "full_year": "2193.49", "executed": "2193.49", "execution_rate_percent": "100.00"}},
    "groups": [{"key": {"kind": "department", "kind_label_zh": "部门整体支出"}, "count": 1,
        "average_total": "25.00", "min_total": "25.00", "max_total": "25.00",
        "distribution": [
            {"band": "0-60", "from": 0, "to": 60, "upper_included": false, "count": 1},
            {"band": "60-80", "from": 60, "to": 80, "upper_included": false, "count": 0},
            {"band": "80-90", "from": 80, "to": 90, "upper_included": false, "count": 0},
            {"band": "90-100", "from": 90, "to": 100, "upper_included": true, "count": 0}],
        "grades": {"excellent": 0, "good": 0, "fair": 0, "poor": 1},
        "budget": {"evaluations_with_budget": 1, "full_year": "1062.32", "executed": "1062.32", "execution_rate_percent": "100.00"}}]
}))]
pub struct EvaluationStats {
    /// The dimensions, in the order given.
    pub group_by: Vec<String>,
    /// The level region groups are made at.
    pub region_level: String,
    pub overall: EvaluationSummary,
    /// One entry per combination of values present, ordered by those values.
    pub groups: Vec<EvaluationGroup>,
}

/// Indicator row counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AchievementCounts {
    /// Indicator rows.
    pub count: u64,
    /// Rows the server scored as achieved.
    pub achieved: u64,
    /// Rows the server scored as not achieved.
    pub not_achieved: u64,
    /// Rows not scored (`achieved` null: placeholder rows, unreadable values).
    pub unscored: u64,
    /// achieved / (achieved + not_achieved), in percent as a decimal string with two decimals
    /// (`"66.67"`); null when no row is scored.
    pub achievement_rate_percent: Option<Figure>,
}

impl From<&Achievement> for AchievementCounts {
    fn from(a: &Achievement) -> Self {
        AchievementCounts {
            count: a.count,
            achieved: a.achieved,
            not_achieved: a.not_achieved,
            unscored: a.unscored,
            achievement_rate_percent: a.rate().map(Figure),
        }
    }
}

/// One 二级指标 within its 一级指标.
#[derive(Debug, Serialize, ToSchema)]
pub struct Level2Stats {
    /// 二级指标 (standard name when recognised).
    pub level2: String,
    #[serde(flatten)]
    pub counts: AchievementCounts,
}

/// One 一级指标 with its 二级指标.
#[derive(Debug, Serialize, ToSchema)]
pub struct Level1Stats {
    /// 一级指标 (standard name when recognised).
    pub level1: String,
    /// The same as a code of the vocabulary rule sets use; null when the rules do not know
    /// the name.
    pub level1_code: Option<crate::model::vocab::Level1Code>,
    #[serde(flatten)]
    pub counts: AchievementCounts,
    /// Its 二级指标, by name.
    pub level2: Vec<Level2Stats>,
}

/// Achievement of indicator rows, by 一级指标 and, nested, 二级指标.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "overall": {"count": 30, "achieved": 12, "not_achieved": 10, "unscored": 8, "achievement_rate_percent": "54.55"},
    "level1": [{"level1": "产出指标", "count": 20, "achieved": 8, "not_achieved": 6, "unscored": 6, "achievement_rate_percent": "57.14",
        "level2": [{"level2": "数量指标", "count": 8, "achieved": 4, "not_achieved": 2, "unscored": 2, "achievement_rate_percent": "66.67"}]}]
}))]
pub struct IndicatorStats {
    pub overall: AchievementCounts,
    /// 一级指标 by name, each with its 二级指标 by name.
    pub level1: Vec<Level1Stats>,
}
