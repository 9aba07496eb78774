//! The evaluation as clients send it and as the server returns it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::evaluation as ev;
use crate::domain::finance::SourceAmount;
use crate::domain::rules::Grade;
use crate::domain::scoring::Outcome;
use crate::domain::target::Direction as DomainDirection;
use crate::model::amount::{
    Amount, Figure, PrintedAmount, PrintedFigure, fig, printed_amount, printed_figure,
};
use crate::model::findings::FindingDto;
use crate::model::funds::Source;
use crate::model::vocab::{BudgetSource, EvaluationStatus, Vocabulary, WorkflowAction};

/// 部门整体 (附件4) or 项目支出 (附件5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationKind {
    Department,
    Project,
}

impl EvaluationKind {
    pub fn domain(self) -> ev::EvaluationKind {
        match self {
            Self::Department => ev::EvaluationKind::Department,
            Self::Project => ev::EvaluationKind::Project,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Project => "project",
        }
    }
}

/// Which way is better, when a target is a bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// 正向指标: higher is better.
    Higher,
    /// 反向指标: lower is better.
    Lower,
}

/// An amount from one fund source.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceAmountDto {
    pub source: Source,
    /// In the budget block's `amount_unit`.
    #[schema(value_type = PrintedAmount)]
    pub amount: Amount,
}

/// The unit the amounts of a budget block are printed in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AmountUnit {
    /// 元: a table headed `单位：元`. At most 2 decimal places (the 分); converted exactly to
    /// 万元 (÷ 10000, up to 6 decimal places) for scoring, checks, lists, stats and exports.
    Yuan,
    /// 万元, the unit of the official tables and of everything the service computes.
    #[default]
    WanYuan,
}

impl AmountUnit {
    /// 元 / 万元.
    pub fn label_zh(self) -> &'static str {
        match self {
            AmountUnit::Yuan => "元",
            AmountUnit::WanYuan => "万元",
        }
    }

    /// The unit a cell or label names (`元`, `万元`, `yuan`, `wan_yuan`, `单位：元`).
    pub fn parse(text: &str) -> Option<AmountUnit> {
        let t = text.trim();
        let t = t
            .strip_prefix("单位：")
            .or_else(|| t.strip_prefix("单位:"))
            .unwrap_or(t)
            .trim();
        match t {
            "元" | "yuan" => Some(AmountUnit::Yuan),
            "万元" | "wan_yuan" => Some(AmountUnit::WanYuan),
            _ => None,
        }
    }

    /// The most decimal places an amount in this unit may have: 2 in 元 (so that 万元 keep at
    /// most 6), 4 in 万元.
    pub fn max_scale(self) -> u32 {
        match self {
            AmountUnit::Yuan => 2,
            AmountUnit::WanYuan => crate::model::amount::MAX_SCALE,
        }
    }

    fn is_default(&self) -> bool {
        *self == AmountUnit::WanYuan
    }
}

/// The budget block (项目资金 / 年度预算申请) with the unit's claimed execution score.
///
/// Amounts are kept as printed: in `amount_unit` (万元 by default, 元 for a `单位：元` table),
/// and `GET` answers them in that unit. Scores, checks, lists, stats, exports and the report
/// use them converted exactly to 万元.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetInput {
    /// The unit of every amount of this block: `wan_yuan` (万元, the default) or `yuan` (元).
    #[serde(default, skip_serializing_if = "AmountUnit::is_default")]
    pub amount_unit: AmountUnit,
    /// 年初预算数; tables leave it blank when the money arrived during the year.
    #[serde(default, deserialize_with = "printed_amount")]
    #[schema(value_type = Option<PrintedAmount>)]
    pub initial: Option<Amount>,
    /// 全年预算数 (调整后).
    #[schema(value_type = PrintedAmount)]
    pub full_year: Amount,
    /// 全年执行数.
    #[serde(default, deserialize_with = "printed_amount")]
    #[schema(value_type = Option<PrintedAmount>)]
    pub executed: Option<Amount>,
    /// 分值 as printed (the rule set's execution weight applies).
    #[serde(default, deserialize_with = "printed_figure")]
    #[schema(value_type = Option<PrintedFigure>)]
    pub weight: Option<Figure>,
    /// 执行率 as written (`100%`).
    #[serde(default)]
    pub claimed_rate: Option<String>,
    /// 得分 as claimed.
    #[serde(default, deserialize_with = "printed_figure")]
    #[schema(value_type = Option<PrintedFigure>)]
    pub claimed_score: Option<Figure>,
    /// By fund source (按收入性质分).
    #[serde(default)]
    pub by_source: Vec<SourceAmountDto>,
    /// 基本支出 (按支出性质分).
    #[serde(default, deserialize_with = "printed_amount")]
    #[schema(value_type = Option<PrintedAmount>)]
    pub basic: Option<Amount>,
    /// 项目支出 (按支出性质分).
    #[serde(default, deserialize_with = "printed_amount")]
    #[schema(value_type = Option<PrintedAmount>)]
    pub project: Option<Amount>,
}

/// One indicator row as the unit wrote it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "level1": "产出指标", "level2": "时效指标", "level3": "执行时限",
    "target": "2024年全年", "actual": "2024.1.1-204.12.31", "weight": "10", "claimed_score": "10"
}))]
pub struct IndicatorInputDto {
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: String,
    /// 三级指标.
    #[serde(default)]
    pub level3: String,
    /// 年度指标值, as written; in the three-cell layout of target-setting tables, the 指标值
    /// cell alone (with `target_nature` and `target_unit`).
    #[serde(default)]
    pub target: String,
    /// 指标性质 of the three-cell layout: `≥`, `≤`, `＝`, `定性`, `正向`, `反向` (comparator
    /// spellings as printed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20)]
    pub target_nature: Option<String>,
    /// 度量单位 of the three-cell layout (`%`, `元`, `万元`, `个`, `%(百分比)`); a bare actual
    /// takes this unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20)]
    pub target_unit: Option<String>,
    /// 实际完成值, as written.
    #[serde(default)]
    pub actual: String,
    /// 分值.
    #[serde(default, deserialize_with = "printed_figure")]
    #[schema(value_type = Option<PrintedFigure>)]
    pub weight: Option<Figure>,
    /// 得分 as claimed by the unit.
    #[serde(default, deserialize_with = "printed_figure")]
    #[schema(value_type = Option<PrintedFigure>)]
    pub claimed_score: Option<Figure>,
    /// 偏差原因分析及改进措施.
    #[serde(default)]
    pub deviation_explanation: Option<String>,
    /// For a bare-number target: which way is better.
    #[serde(default)]
    pub direction: Option<Direction>,
}

impl crate::model::body::RequestBody for IndicatorInputDto {
    const READ_ONLY: &'static [&'static str] = &[
        "computed",
        "achieved",
        "explanation_en",
        "explanation_zh",
        "index",
    ];
}

impl IndicatorInputDto {
    pub fn domain(&self) -> ev::IndicatorInput {
        ev::IndicatorInput {
            level1: self.level1.clone(),
            level2: self.level2.clone(),
            level3: self.level3.clone(),
            target: self.target.clone(),
            target_nature: self.target_nature.clone(),
            target_unit: self.target_unit.clone(),
            actual: self.actual.clone(),
            weight: fig(self.weight),
            claimed_score: fig(self.claimed_score),
            deviation_explanation: self.deviation_explanation.clone(),
            direction: self.direction.map(|d| match d {
                Direction::Higher => DomainDirection::Higher,
                Direction::Lower => DomainDirection::Lower,
            }),
        }
    }
}

/// 主要成效, 存在的问题及原因, 改进措施, 经验做法, 有关建议.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Narrative {
    /// 主要成效.
    #[serde(default)]
    pub achievements: Option<String>,
    /// 存在的问题及原因.
    #[serde(default)]
    pub problems: Option<String>,
    /// 改进措施.
    #[serde(default)]
    pub improvements: Option<String>,
    /// 经验做法.
    #[serde(default)]
    pub experience: Option<String>,
    /// 有关建议.
    #[serde(default)]
    pub suggestions: Option<String>,
}

/// A whole evaluation, as a unit submits it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "project", "department": "901424", "project": "0193a1b2-0000-7000-8000-000000000020",
    "year": 2024, "rule_set": "hengyang-2024-project",
    "budget": {"initial": "0", "full_year": "19.87", "executed": "19.87", "weight": "10", "claimed_rate": "100%", "claimed_score": "10"},
    "annual_goal": "清理黑臭水体，改善当地生态环境", "achievement": "已完成年度总体目标",
    "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "level3": "治理水体数量", "target": "1个", "actual": "已完成", "weight": "10", "claimed_score": "10"}
    ],
    "claimed_total": "100"
}))]
pub struct EvaluationInput {
    pub kind: EvaluationKind,
    /// The department: id or budget code.
    pub department: String,
    /// The project, for kind `project`: its id, or its name among the department's projects
    /// of the year.
    #[serde(default)]
    pub project: Option<String>,
    pub year: i32,
    /// Rule set id, optionally `@version` (default: the latest), or `{"id", "version"}` as
    /// `GET` answers it. Defaults by kind: `hengyang-2024-department` and
    /// `hengyang-2024-project`.
    #[serde(default, deserialize_with = "rule_set_spec")]
    #[schema(value_type = Option<RuleSetSpec>)]
    pub rule_set: Option<String>,
    /// The budget block. For a project with funds it may be left out: the funds give it.
    #[serde(default)]
    pub budget: Option<BudgetInput>,
    /// 年度总体目标: 预期目标.
    #[serde(default)]
    pub annual_goal: Option<String>,
    /// 实际完成情况.
    #[serde(default)]
    pub achievement: Option<String>,
    /// The indicator rows: at most 500 (`MAX_INDICATORS`; more are refused with 422 at
    /// `/indicators`).
    #[serde(default)]
    #[schema(max_items = 500)]
    pub indicators: Vec<IndicatorInputDto>,
    /// 总分 as claimed.
    #[serde(default, deserialize_with = "printed_figure")]
    #[schema(value_type = Option<PrintedFigure>)]
    pub claimed_total: Option<Figure>,
    #[serde(default)]
    pub narrative: Narrative,
}

/// A rule set as a request names it: `"id"` or `"id@version"`, or the `{id, version}` object
/// that `GET` answers with (so an evaluation read can be sent back as it is).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RuleSetSpec {
    /// `hengyang-2024-project` or `hengyang-2024-project@2`.
    Name(String),
    /// As `GET` answers it.
    Ref(RuleSetRefInput),
}

/// `{"id": "hengyang-2024-project", "version": 1}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSetRefInput {
    pub id: String,
    pub version: u32,
}

impl RuleSetSpec {
    /// The `id[@version]` form the rest of the service works with.
    pub fn into_name(self) -> String {
        match self {
            RuleSetSpec::Name(name) => name,
            RuleSetSpec::Ref(r) => format!("{}@{}", r.id, r.version),
        }
    }
}

fn rule_set_spec<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<RuleSetSpec>::deserialize(d)?.map(RuleSetSpec::into_name))
}

impl crate::model::body::RequestBody for EvaluationInput {
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "status",
        "version",
        "computed",
        "total",
        "grade",
        "grade_label_zh",
        "basis",
        "allowed_actions",
        "blocked_actions",
        "created_by",
        "submitted_by",
        "owner",
        "created_at",
        "updated_at",
        "deleted_at",
        "department_id",
        "project_id",
        "region",
        "budget_source",
        "kind_label_zh",
        "status_label_zh",
    ];
}

impl BudgetInput {
    /// The block in 万元, as the domain scores and checks it: amounts printed in 元 are divided
    /// by 10000 exactly (387664.62 元 → 38.766462 万元).
    pub fn domain(&self) -> ev::BudgetBlock {
        let unit = self.amount_unit;
        let wan = |a: Amount| to_wan_yuan(a.0, unit);
        ev::BudgetBlock {
            initial: self.initial.map(wan),
            full_year: wan(self.full_year),
            executed: self.executed.map(wan),
            weight: fig(self.weight),
            claimed_rate: self.claimed_rate.clone(),
            claimed_score: fig(self.claimed_score),
            by_source: self
                .by_source
                .iter()
                .map(|s| SourceAmount {
                    source: s.source.into(),
                    amount: wan(s.amount),
                })
                .collect(),
            basic: self.basic.map(wan),
            project: self.project.map(wan),
        }
    }

    /// Every amount with its JSON Pointer (relative to the block), for checks by unit.
    pub fn amounts(&self) -> Vec<(String, Amount)> {
        let mut out: Vec<(String, Amount)> = Vec::new();
        let named = [
            ("initial", self.initial),
            ("full_year", Some(self.full_year)),
            ("executed", self.executed),
            ("basic", self.basic),
            ("project", self.project),
        ];
        out.extend(
            named
                .into_iter()
                .filter_map(|(name, a)| a.map(|a| (format!("/{name}"), a))),
        );
        out.extend(
            self.by_source
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("/by_source/{i}/amount"), s.amount)),
        );
        out
    }
}

impl BudgetInput {
    /// The amounts printed with more decimal places than their unit allows (`amount_unit:
    /// yuan` keeps 2, the 分): pointer (relative to the block) and message.
    pub fn scale_problems(&self) -> Vec<(String, String, String)> {
        let unit = self.amount_unit;
        let max = unit.max_scale();
        self.amounts()
            .into_iter()
            .filter(|(_, a)| a.0.scale() > max)
            .map(|(pointer, a)| {
                (
                    pointer,
                    format!(
                        "`{a}` has {} decimal places; amounts in {} have at most {max}",
                        a.0.scale(),
                        unit.label_zh()
                    ),
                    format!(
                        "`{a}` 有 {} 位小数；以{}为单位的金额最多 {max} 位",
                        a.0.scale(),
                        unit.label_zh()
                    ),
                )
            })
            .collect()
    }
}

impl EvaluationInput {
    /// The evaluation as the domain scores it, with `budget` (given, or made from the funds)
    /// in 万元.
    pub fn domain(&self, budget: &BudgetInput) -> ev::EvaluationInput {
        ev::EvaluationInput {
            kind: self.kind.domain(),
            year: self.year,
            budget: budget.domain(),
            indicators: self
                .indicators
                .iter()
                .map(IndicatorInputDto::domain)
                .collect(),
            claimed_total: fig(self.claimed_total),
        }
    }
}

/// An amount in `unit` converted exactly to 万元 (÷ 10000 for 元; the scale grows by 4, so a
/// 元 amount with 2 decimals has 6 in 万元). Amounts are at most 10^12, so nothing overflows.
pub fn to_wan_yuan(value: Decimal, unit: AmountUnit) -> Decimal {
    match unit {
        AmountUnit::WanYuan => value,
        AmountUnit::Yuan => {
            let mut v = value;
            // Exact: only the scale changes (10^12 × 10^4 fits easily in 96 bits).
            if v.set_scale(v.scale() + 4).is_err() {
                v = value / Decimal::from(10_000);
            }
            v
        }
    }
}

/// The grade of a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GradeDto {
    /// 优 (≥ 90 by default); `you` is read as it too
    #[serde(alias = "you")]
    Excellent,
    /// 良 (≥ 80); also `liang`
    #[serde(alias = "liang")]
    Good,
    /// 中 (≥ 60); also `zhong`
    #[serde(alias = "zhong")]
    Fair,
    /// 差; also `cha`
    #[serde(alias = "cha")]
    Poor,
}

impl From<Grade> for GradeDto {
    fn from(g: Grade) -> Self {
        match g {
            Grade::You => GradeDto::Excellent,
            Grade::Liang => GradeDto::Good,
            Grade::Zhong => GradeDto::Fair,
            Grade::Cha => GradeDto::Poor,
        }
    }
}

impl GradeDto {
    pub fn as_str(self) -> &'static str {
        match self {
            GradeDto::Excellent => "excellent",
            GradeDto::Good => "good",
            GradeDto::Fair => "fair",
            GradeDto::Poor => "poor",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            GradeDto::Excellent => "优",
            GradeDto::Good => "良",
            GradeDto::Fair => "中",
            GradeDto::Poor => "差",
        }
    }
}

/// What a row's computed score rests on (one vocabulary with the domain's `Basis`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BasisDto {
    /// 实测计算: arithmetic on measured numbers.
    Measured,
    /// 定性分档: a qualitative grade and the band it allows.
    Graded,
    /// 自评得分（待复核）: the service could not verify the row; the unit's claimed score
    /// stands until a reviewer decides.
    Claimed,
    /// 不计分: nothing to score (placeholder, no weight, or a contradiction the findings name).
    /// Also what rows stored before the basis existed read as.
    #[default]
    None,
}

impl From<crate::domain::scoring::Basis> for BasisDto {
    fn from(b: crate::domain::scoring::Basis) -> Self {
        use crate::domain::scoring::Basis;
        match b {
            Basis::Measured => BasisDto::Measured,
            Basis::Graded => BasisDto::Graded,
            Basis::Claimed => BasisDto::Claimed,
            Basis::None => BasisDto::None,
        }
    }
}

impl BasisDto {
    fn domain(self) -> crate::domain::scoring::Basis {
        use crate::domain::scoring::Basis;
        match self {
            BasisDto::Measured => Basis::Measured,
            BasisDto::Graded => Basis::Graded,
            BasisDto::Claimed => Basis::Claimed,
            BasisDto::None => Basis::None,
        }
    }

    /// 实测计算 / 定性分档 / 自评得分（待复核） / 不计分.
    pub fn label_zh(self) -> &'static str {
        self.domain().label_zh()
    }
}

fn basis_label_default() -> String {
    BasisDto::None.label_zh().to_owned()
}

/// How many points of the total rest on each basis. Evaluations stored before it existed
/// answer zeros until they are written again.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PointsByBasisDto {
    // Fields in the order of their names: a stored document keeps its keys sorted, as the
    // packing dictionary learned them (`stored_documents_keep_sorted_keys`).
    /// Rows where the unit's claimed score stands, not verified.
    pub claimed: Figure,
    /// Rows scored by a qualitative grade.
    pub graded: Figure,
    /// The execution score and the measured rows.
    pub measured: Figure,
    /// The weight of the rows that have no score.
    pub unscored_weight: Figure,
}

/// The execution score (预算执行率).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExecutionDto {
    // Fields in the order of their names: a stored document keeps its keys sorted, as the
    // packing dictionary learned them (`stored_documents_keep_sorted_keys`).
    pub claimed_score: Option<Figure>,
    pub explanation_en: String,
    pub explanation_zh: String,
    /// executed / full-year, exact.
    pub rate_percent: Option<Figure>,
    pub score: Figure,
    pub weight: Figure,
}

/// One indicator row as the server scores it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RowDto {
    // Fields in the order of their names: a stored document keeps its keys sorted, as the
    // packing dictionary learned them (`stored_documents_keep_sorted_keys`).
    pub achieved: Option<bool>,
    /// How the actual was read.
    pub actual_parsed: String,
    /// What `computed` rests on: `measured`, `graded`, `claimed` (not verified) or `none`.
    #[serde(default)]
    pub basis: BasisDto,
    /// 实测计算 / 定性分档 / 自评得分（待复核） / 不计分.
    #[serde(default = "basis_label_default")]
    pub basis_label_zh: String,
    /// The unit's score.
    pub claimed: Option<Figure>,
    /// The score by the rules; absent when the row cannot be scored (see the findings).
    pub computed: Option<Figure>,
    /// claimed − computed.
    pub difference: Option<Figure>,
    /// The arithmetic (`10 × 487 / 500 = 9.74`).
    pub explanation_en: String,
    pub explanation_zh: String,
    pub index: usize,
    /// The recognised 一级指标 (its standard name), when recognised.
    pub level1: Option<String>,
    /// The recognised 二级指标, when recognised.
    pub level2: Option<String>,
    /// A level-2 line with nothing else: kept, not scored.
    pub placeholder: bool,
    /// How the target was read (`≥ 95 %`).
    pub target_parsed: String,
    pub weight: Option<Figure>,
}

/// Everything the server computes: never sent by clients.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ComputedDto {
    // Fields in the order of their names: a stored document keeps its keys sorted, as the
    // packing dictionary learned them (`stored_documents_keep_sorted_keys`).
    pub claimed_total: Option<Figure>,
    pub error_count: usize,
    pub execution: ExecutionDto,
    /// Every finding; errors block submission.
    pub findings: Vec<FindingDto>,
    pub grade: GradeDto,
    /// 优 / 良 / 中 / 差.
    pub grade_label_zh: String,
    /// How many points of `total` rest on each basis, and the weight left unscored.
    #[serde(default)]
    pub points: PointsByBasisDto,
    pub rows: Vec<RowDto>,
    pub rule_set_id: String,
    pub rule_set_version: u32,
    /// Execution score + Σ rows, at most 100.
    pub total: Figure,
    /// claimed − computed total.
    pub total_difference: Option<Figure>,
    pub warning_count: usize,
}

impl ComputedDto {
    pub fn from_outcome(outcome: Outcome, extra: Vec<FindingDto>) -> ComputedDto {
        // Computed scores are shown as the rules round them: two decimals.
        let f = |mut d: rust_decimal::Decimal| {
            d.rescale(2);
            Figure(d)
        };
        let grade: GradeDto = outcome.grade.into();
        let mut findings: Vec<FindingDto> = crate::model::findings::convert(outcome.findings, &[]);
        findings.extend(extra);
        let error_count = findings
            .iter()
            .filter(|x| x.severity == crate::model::findings::FindingSeverity::Error)
            .count();
        ComputedDto {
            rule_set_id: outcome.rule_set_id,
            rule_set_version: outcome.rule_set_version,
            execution: ExecutionDto {
                weight: f(outcome.execution.weight),
                rate_percent: outcome.execution.rate_percent.map(f),
                score: f(outcome.execution.score),
                claimed_score: outcome.execution.claimed_score.map(Figure),
                explanation_en: outcome.execution.explanation_en,
                explanation_zh: outcome.execution.explanation_zh,
            },
            rows: outcome
                .rows
                .into_iter()
                .map(|r| RowDto {
                    index: r.index,
                    level1: r.level1.map(|l| l.label_zh().to_owned()),
                    level2: r.level2.map(|l| l.label_zh().to_owned()),
                    placeholder: r.placeholder,
                    weight: r.weight.map(f),
                    difference: match (r.claimed, r.computed) {
                        (Some(c), Some(x)) => Some(f(c - x)),
                        _ => None,
                    },
                    computed: r.computed.map(f),
                    basis: r.basis.into(),
                    basis_label_zh: r.basis.label_zh().to_owned(),
                    claimed: r.claimed.map(Figure),
                    achieved: r.achieved,
                    target_parsed: r.target.display,
                    actual_parsed: r.actual.display,
                    explanation_en: r.explanation_en,
                    explanation_zh: r.explanation_zh,
                })
                .collect(),
            total_difference: outcome
                .claimed_total
                .and_then(|c| c.checked_sub(outcome.total))
                .map(f),
            points: PointsByBasisDto {
                measured: f(outcome.points.measured),
                graded: f(outcome.points.graded),
                claimed: f(outcome.points.claimed),
                unscored_weight: Figure(outcome.points.unscored_weight),
            },
            total: f(outcome.total),
            claimed_total: outcome.claimed_total.map(Figure),
            grade_label_zh: grade.label_zh().to_owned(),
            grade,
            warning_count: findings.len() - error_count,
            error_count,
            findings,
        }
    }
}

/// The rule set an evaluation is scored by.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSetRef {
    pub id: String,
    pub version: u32,
}

/// JSON text copied as it is from the stored document into an answer. The stored document was
/// written by the same types the schema names (`value_type`), so nothing is parsed back into
/// them and serialised again on a read: a page of 100 evaluations is mostly copied bytes.
pub type Raw = Box<serde_json::value::RawValue>;

/// An evaluation with its computed block.
#[derive(Debug, Serialize, ToSchema)]
pub struct Evaluation {
    pub id: String,
    pub kind: EvaluationKind,
    /// 部门整体支出 / 项目支出.
    pub kind_label_zh: String,
    pub department_id: String,
    pub project_id: Option<String>,
    pub region: String,
    pub year: i32,
    pub rule_set: RuleSetRef,
    pub status: EvaluationStatus,
    pub status_label_zh: String,
    pub version: i64,
    #[schema(value_type = Option<BudgetInput>)]
    pub budget: Option<Raw>,
    pub budget_source: BudgetSource,
    #[schema(value_type = Option<String>)]
    pub annual_goal: Option<Raw>,
    #[schema(value_type = Option<String>)]
    pub achievement: Option<Raw>,
    #[schema(value_type = Vec<IndicatorInputDto>)]
    pub indicators: Raw,
    #[schema(value_type = Option<Figure>)]
    pub claimed_total: Option<Raw>,
    #[schema(value_type = Narrative)]
    pub narrative: Raw,
    #[schema(value_type = ComputedDto)]
    pub computed: Raw,
    /// The final total (0–100): the finance bureau's reviewed total where a review scored it,
    /// else the engine's (`computed.total`).
    pub total: Figure,
    pub grade: GradeDto,
    /// 优 / 良 / 中 / 差.
    pub grade_label_zh: String,
    /// What `total` and `grade` rest on.
    pub basis: crate::model::vocab::ScoreBasis,
    /// What the caller may do now, and would succeed: update, delete, submit, withdraw,
    /// return, approve.
    pub allowed_actions: Vec<WorkflowAction>,
    /// Actions the caller's role and the state would offer but that are refused now, and why
    /// (`submit` while error findings remain, `withdraw` of someone else's submission, …).
    pub blocked_actions: Vec<BlockedAction>,
    pub created_by: String,
    pub submitted_by: Option<String>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

/// An action refused now, with the problem code the action would be answered with.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "action": "submit", "code": "evaluation.not_submittable",
    "reason": "3 error finding(s) remain; correct them and submit again",
    "reason_zh": "仍有 3 项错误，请更正后再提交"
}))]
pub struct BlockedAction {
    pub action: WorkflowAction,
    /// The error code the action would be answered with now.
    pub code: String,
    /// Why, in English.
    pub reason: String,
    /// Why, in Chinese.
    pub reason_zh: String,
}

/// A page of evaluations.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationPage {
    pub items: Vec<Evaluation>,
    pub next_page_token: Option<String>,
}

/// The result of a dry run: what a create would compute, nothing written.
#[derive(Debug, Serialize, ToSchema)]
pub struct Validation {
    /// Whether the evaluation could be submitted as it is (no error findings).
    pub submittable: bool,
    pub budget_source: BudgetSource,
    pub budget: Option<BudgetInput>,
    pub computed: ComputedDto,
}

impl Vocabulary for GradeDto {
    const WHAT: &'static str = "grade";
    const ALL: &'static [Self] = &[Self::Excellent, Self::Good, Self::Fair, Self::Poor];

    fn as_str(self) -> &'static str {
        GradeDto::as_str(self)
    }
}

impl Vocabulary for EvaluationKind {
    const WHAT: &'static str = "evaluation kind";
    const ALL: &'static [Self] = &[Self::Department, Self::Project];

    fn as_str(self) -> &'static str {
        EvaluationKind::as_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::ComputedDto;
    use crate::domain::rules::{self, rule_set_by_id};
    use crate::domain::{scoring, seed};

    /// A stored document's computed block is written straight from [`ComputedDto`]; its keys
    /// must come out sorted, as they did when it went through a `serde_json::Value` (a sorted
    /// map) and as the packing dictionary learned them. Fails when a field of it, or of a type
    /// inside it, is out of order.
    #[test]
    fn stored_documents_keep_sorted_keys() {
        let cases = [
            (
                seed::department_evaluation(),
                rules::HENGYANG_2024_DEPARTMENT,
            ),
            (
                seed::monitoring_project_evaluation(),
                rules::HENGYANG_2024_PROJECT,
            ),
            (
                seed::black_water_project_evaluation(),
                rules::HENGYANG_2024_PROJECT,
            ),
        ];
        for (input, rule_set) in cases {
            let rules = rule_set_by_id(rule_set).expect("builtin rule set");
            let computed = ComputedDto::from_outcome(scoring::evaluate(&input, &rules), Vec::new());
            assert!(!computed.findings.is_empty() && !computed.rows.is_empty());
            let direct = serde_json::to_string(&computed).expect("serialise");
            let sorted = serde_json::to_value(&computed)
                .expect("to value")
                .to_string();
            assert_eq!(direct, sorted, "{rule_set}");
        }
    }
}
