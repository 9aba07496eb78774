//! Findings: what a rule found (code, severity, policy, pointer, messages, numbers), the stable
//! codes and the catalogue of every review rule, and the sum and percentage checks that raise
//! them. Every other domain file reports through this one; it depends on none of them but money.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{self, SumCheck};

/// `error` blocks submission; `warning` informs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }
}

/// What a finding does, per rule set: `block` stops submission (severity error), `review` lets
/// the evaluation be submitted but puts the finding before the reviewer (severity warning), and
/// `inform` only tells (severity warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    Block,
    Review,
    Inform,
}

impl Policy {
    /// The severity a finding with this policy has.
    pub fn severity(self) -> Severity {
        match self {
            Policy::Block => Severity::Error,
            Policy::Review | Policy::Inform => Severity::Warning,
        }
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Policy::Block => "阻止提交",
            Policy::Review => "提交复核",
            Policy::Inform => "仅提示",
        }
    }
}

fn default_policy_of(code: &str) -> Policy {
    catalogue_entry(code).map_or(Policy::Block, |e| e.policy)
}

/// One problem found by the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable dotted code from [`CATALOGUE`].
    pub code: String,
    pub severity: Severity,
    /// What the finding does (the rule set's policy for its code; severity follows from it).
    #[serde(default = "Finding::legacy_policy")]
    pub policy: Policy,
    /// JSON Pointer into the reviewed input (snake_case field names).
    pub pointer: String,
    pub message_en: String,
    pub message_zh: String,
    /// The numbers involved, as exact decimal strings.
    pub numbers: BTreeMap<String, String>,
}

impl Finding {
    /// A finding with the catalogue severity of `code` (error when the code is not catalogued).
    pub fn new(
        code: &str,
        pointer: impl Into<String>,
        message_en: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        let policy = default_policy_of(code);
        Finding {
            code: code.to_string(),
            severity: policy.severity(),
            policy,
            pointer: pointer.into(),
            message_en: message_en.into(),
            message_zh: message_zh.into(),
            numbers: BTreeMap::new(),
        }
    }

    /// Overrides the policy (and with it the severity).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self.severity = policy.severity();
        self
    }

    /// Findings stored before policies existed: errors blocked, warnings informed.
    fn legacy_policy() -> Policy {
        Policy::Block
    }

    /// Adds a number.
    pub fn num(mut self, key: &str, value: impl ToString) -> Self {
        self.numbers.insert(key.to_string(), value.to_string());
        self
    }
}

/// One catalogued review rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueEntry {
    pub code: &'static str,
    /// The severity of the default policy.
    pub severity: Severity,
    /// The default policy; a rule set may set another one for the code.
    pub policy: Policy,
    /// true when the finding is about something the service cannot verify (a wording, a
    /// claimed score): its default policy is `review`.
    pub rule_set_dependent: bool,
    pub description_en: &'static str,
    pub description_zh: &'static str,
}

/// Stable finding codes.
pub mod codes {
    pub const UNKNOWN_LEVEL1: &str = "indicator.unknown_level1";
    pub const UNKNOWN_LEVEL2: &str = "indicator.unknown_level2";
    pub const TREE_SHAPE: &str = "indicator.tree_shape_mismatch";
    pub const HEADER_WEIGHT: &str = "indicator.header_weight_mismatch";
    pub const MISSING_LEVEL3: &str = "indicator.missing_level3";
    pub const MISSING_TARGET: &str = "indicator.missing_target";
    pub const MISSING_WEIGHT: &str = "indicator.missing_weight";
    pub const WEIGHT_NOT_POSITIVE: &str = "indicator.weight_not_positive";
    pub const GROUP_WEIGHT: &str = "indicator.weight_sum_mismatch";
    pub const TOTAL_WEIGHT: &str = "indicator.total_weight_mismatch";
    pub const DUPLICATE_LEVEL3: &str = "indicator.duplicate_level3";
    pub const TARGET_NO_UNIT: &str = "target.missing_unit";
    pub const TARGET_INVALID_DATE: &str = "target.invalid_date";
    pub const ACTUAL_MISSING: &str = "actual.missing";
    pub const ACTUAL_NOT_MEASURED: &str = "actual.not_measured";
    pub const ACTUAL_UNIT_MISMATCH: &str = "actual.unit_mismatch";
    pub const ACTUAL_INVALID_DATE: &str = "actual.invalid_date";
    pub const GRADE_UNKNOWN: &str = "actual.grade_unknown";
    pub const GRADE_INFORMAL: &str = "actual.grade_informal";
    pub const LABEL_VARIANT: &str = "indicator.label_variant";
    pub const WEIGHT_NOT_PRINTED: &str = "indicator.weight_not_printed";
    pub const BUDGET_EMPTY: &str = "budget.empty";
    pub const BUDGET_ADJUSTED_TO_SPEND: &str = "budget.adjusted_to_spend";
    pub const NOT_COMPUTABLE: &str = "score.not_computable";
    pub const CLAIM_OUT_OF_RANGE: &str = "score.claimed_out_of_range";
    pub const OUTSIDE_BAND: &str = "score.outside_band";
    pub const QUALITATIVE_UNCLAIMED: &str = "score.qualitative_unclaimed";
    pub const CLAIM_MISMATCH: &str = "score.claimed_mismatch";
    pub const TOTAL_MISMATCH: &str = "score.total_mismatch";
    pub const CLAIMED_TOTAL_NOT_SUM: &str = "score.claimed_total_not_sum";
    pub const MISSING_DEVIATION: &str = "explanation.missing_deviation";
    pub const OVER_ACHIEVEMENT: &str = "explanation.over_achievement_unexplained";
    pub const BUDGET_EXECUTED_MISSING: &str = "budget.executed_missing";
    pub const BUDGET_OVER_EXECUTED: &str = "budget.executed_above_budget";
    pub const BUDGET_RATE: &str = "budget.rate_mismatch";
    pub const BUDGET_WEIGHT: &str = "budget.weight_mismatch";
    pub const BUDGET_SOURCES: &str = "budget.sources_mismatch";
    pub const BUDGET_SPLIT: &str = "budget.expenditure_split_mismatch";
    pub const ROUNDING: &str = "money.rounding_difference";
    pub const REVENUE_SOURCES: &str = "finance.revenue_sources_mismatch";
    pub const EXPENDITURE_SPLIT: &str = "finance.expenditure_split_mismatch";
    pub const BASIC_SPLIT: &str = "finance.basic_split_mismatch";
    pub const PERCENTAGE: &str = "finance.percentage_mismatch";
    pub const CROSS_TABLE: &str = "finance.cross_table_mismatch";
    pub const FUND_TOTAL: &str = "fund.total_mismatch";
    pub const FUND_OVER_EXECUTED: &str = "fund.executed_above_budget";
    pub const BASIC_SUM: &str = "basic.sum_mismatch";
    pub const BASIC_OVERSPEND: &str = "basic.overspend";
    pub const VEHICLE_NO_BUDGET: &str = "basic.vehicle_purchase_without_budget";
    pub const STAFF_OVER: &str = "basic.staff_over_establishment";
    pub const PROFILE_STAFFING: &str = "profile.staffing_mismatch";
    pub const PROFILE_ASSETS: &str = "profile.assets_mismatch";
}

const fn entry(
    code: &'static str,
    severity: Severity,
    description_en: &'static str,
    description_zh: &'static str,
) -> CatalogueEntry {
    CatalogueEntry {
        code,
        severity,
        policy: match severity {
            Severity::Error => Policy::Block,
            Severity::Warning => Policy::Inform,
        },
        rule_set_dependent: false,
        description_en,
        description_zh,
    }
}

/// An unverifiable finding: a warning that goes to the reviewer.
const fn review_entry(
    code: &'static str,
    description_en: &'static str,
    description_zh: &'static str,
) -> CatalogueEntry {
    CatalogueEntry {
        code,
        severity: Severity::Warning,
        policy: Policy::Review,
        rule_set_dependent: true,
        description_en,
        description_zh,
    }
}

use Severity::{Error as E, Warning as W};

/// Every review rule: code, severity, description in English and Chinese.
pub const CATALOGUE: &[CatalogueEntry] = &[
    entry(
        codes::UNKNOWN_LEVEL1,
        E,
        "Unknown level-1 indicator name; the allowed names are listed.",
        "一级指标名称不在指标体系内（列出允许的名称）。",
    ),
    entry(
        codes::UNKNOWN_LEVEL2,
        E,
        "Unknown level-2 indicator name for its level-1 group; the allowed names are listed, with the closest one.",
        "二级指标名称不属于该一级指标（列出允许的名称及最接近的名称）。",
    ),
    entry(
        codes::TREE_SHAPE,
        E,
        "成本指标 placed where the rule set's tree shape does not allow it (level 1 vs. under 产出指标).",
        "成本指标的位置不符合规则集的指标结构（一级指标或产出指标下的二级指标）。",
    ),
    entry(
        codes::HEADER_WEIGHT,
        E,
        "Group weight written after a level-1 name differs from the rule set's weight for that group.",
        "一级指标名称后标注的分值与规则集该组分值不一致。",
    ),
    entry(
        codes::MISSING_LEVEL3,
        E,
        "Scored row without a level-3 indicator name.",
        "三级指标名称缺失。",
    ),
    entry(
        codes::MISSING_TARGET,
        E,
        "Level-3 row without a target value.",
        "三级指标缺少年度指标值。",
    ),
    entry(
        codes::MISSING_WEIGHT,
        E,
        "Level-3 row without a weight.",
        "三级指标缺少分值。",
    ),
    entry(
        codes::WEIGHT_NOT_POSITIVE,
        E,
        "Weight is zero or negative.",
        "分值小于或等于0。",
    ),
    entry(
        codes::GROUP_WEIGHT,
        E,
        "Weights of a level-1 group do not add up to the rule set's weight for that group.",
        "一级指标下各三级指标分值之和与规则集规定的分值不一致。",
    ),
    entry(
        codes::TOTAL_WEIGHT,
        E,
        "Execution weight plus all indicator weights is not 100.",
        "预算执行率分值与全部指标分值之和不等于100。",
    ),
    entry(
        codes::DUPLICATE_LEVEL3,
        E,
        "Duplicate level-3 name inside one level-2 group.",
        "同一二级指标下三级指标名称重复。",
    ),
    entry(
        codes::TARGET_NO_UNIT,
        W,
        "Quantitative target without a unit.",
        "定量指标值未注明计量单位。",
    ),
    entry(
        codes::TARGET_INVALID_DATE,
        E,
        "Target period or date is not a real date inside the fiscal year.",
        "指标值中的日期或期间不是该年度内的有效日期。",
    ),
    entry(
        codes::ACTUAL_MISSING,
        E,
        "Actual value missing.",
        "实际完成值缺失。",
    ),
    review_entry(
        codes::ACTUAL_NOT_MEASURED,
        "Actual value of a quantitative or time target is not a measured value (已达标, 已完成, ≥, ≥90%, free text): the row keeps the claimed score until a reviewer decides. The rule set may make it block submission.",
        "定量或时效指标的实际完成值不是实测值（如“已达标”“已完成”“≥”“≥90%”等）：该行暂按自评得分计，待复核认定；规则集可设为阻止提交。",
    ),
    review_entry(
        codes::ACTUAL_UNIT_MISMATCH,
        "Actual value in a unit that does not convert to the target's: the row keeps the claimed score until a reviewer decides.",
        "实际完成值的计量单位与指标值不一致且无法换算：该行暂按自评得分计，待复核认定。",
    ),
    entry(
        codes::ACTUAL_INVALID_DATE,
        E,
        "Actual period or date is not a real date inside the fiscal year.",
        "实际完成值中的日期或期间不是该年度内的有效日期。",
    ),
    review_entry(
        codes::GRADE_UNKNOWN,
        "Actual value of a qualitative target is a wording the rule set's achievement vocabulary does not know: the row keeps the claimed score until a reviewer decides (an administrator can add the wording to the vocabulary).",
        "定性指标的实际完成值不在规则集的达成度词表中：该行暂按自评得分计，待复核认定（管理员可将该表述加入词表）。",
    ),
    entry(
        codes::GRADE_INFORMAL,
        W,
        "Qualitative actual written in everyday words (完成, 已达标, 满意) or repeating the target; read as the grade the vocabulary gives it.",
        "定性指标实际完成值使用了日常表述（如“完成”“已达标”“满意”）或重复指标值，按词表对应档次处理。",
    ),
    entry(
        codes::LABEL_VARIANT,
        W,
        "An indicator name written in a variant form (满意度指标 as level 2, 群众满意度指标, 日效性指标); read as the standard name given.",
        "指标名称为变体写法（如二级指标“满意度指标”“群众满意度指标”“日效性指标”），按所示规范名称处理。",
    ),
    entry(
        codes::WEIGHT_NOT_PRINTED,
        W,
        "The table prints no weight for the row (only a score): the claimed score is kept as the row's score.",
        "该行未列分值（仅列得分）：按自评得分计。",
    ),
    review_entry(
        codes::BUDGET_EMPTY,
        "The budget row is empty or all zero: there is nothing to measure execution against.",
        "预算执行行为空或全为0：无法衡量预算执行情况。",
    ),
    review_entry(
        codes::BUDGET_ADJUSTED_TO_SPEND,
        "The full-year budget was adjusted down from the initial budget to exactly the executed amount: the 100% execution rate may hide unspent money.",
        "全年预算数由年初预算数调减至恰好等于执行数：100%的执行率可能掩盖了未执行的资金。",
    ),
    entry(
        codes::NOT_COMPUTABLE,
        W,
        "The score of the row cannot be computed from its values (e.g. a fractional year against a date range, a non-positive target).",
        "无法根据指标值和实际完成值计算得分。",
    ),
    entry(
        codes::CLAIM_OUT_OF_RANGE,
        E,
        "Claimed score above the weight or below 0.",
        "自评得分高于分值或低于0。",
    ),
    entry(
        codes::OUTSIDE_BAND,
        E,
        "Claimed score of a qualitative row outside the band of its grade (achieved [80%,100%], partly [60%,80%), not achieved [0,60%) of the weight).",
        "定性指标自评得分不在其档次对应的区间内（达成[80%,100%]，部分达成[60%,80%)，未达成[0,60%)）。",
    ),
    entry(
        codes::QUALITATIVE_UNCLAIMED,
        E,
        "Qualitative row without a claimed score: its score cannot be computed.",
        "定性指标未填写自评得分，无法确定得分。",
    ),
    entry(
        codes::CLAIM_MISMATCH,
        W,
        "Claimed score differs from the computed score (both are kept).",
        "自评得分与系统计算得分不一致（两者均保留）。",
    ),
    entry(
        codes::TOTAL_MISMATCH,
        W,
        "Claimed total differs from the computed total.",
        "自评总分与系统计算总分不一致。",
    ),
    entry(
        codes::CLAIMED_TOTAL_NOT_SUM,
        E,
        "Claimed total is not the sum of the claimed scores.",
        "自评总分不等于各项自评得分之和。",
    ),
    entry(
        codes::MISSING_DEVIATION,
        E,
        "Row scored below its weight without a deviation explanation (偏差原因分析及改进措施).",
        "指标得分低于分值但未填写偏差原因分析及改进措施。",
    ),
    entry(
        codes::OVER_ACHIEVEMENT,
        W,
        "Actual above the over-achievement threshold (default 130% of the target) without an explanation: the target may have been set too low.",
        "实际完成值超过指标值的超额阈值（默认130%）且未说明原因，指标值可能设置偏低。",
    ),
    entry(
        codes::BUDGET_EXECUTED_MISSING,
        E,
        "Budget block without an executed amount.",
        "预算执行数缺失。",
    ),
    entry(
        codes::BUDGET_OVER_EXECUTED,
        E,
        "Executed amount above the full-year budget.",
        "全年执行数超过全年预算数。",
    ),
    entry(
        codes::BUDGET_RATE,
        E,
        "Stated execution rate differs from executed / full-year budget beyond rounding.",
        "填报的执行率与执行数÷全年预算数不一致（超出四舍五入误差）。",
    ),
    entry(
        codes::BUDGET_WEIGHT,
        E,
        "Weight written for budget execution differs from the rule set's execution weight.",
        "预算执行率的分值与规则集规定不一致。",
    ),
    entry(
        codes::BUDGET_SOURCES,
        E,
        "Amounts by fund source do not add up to the full-year budget.",
        "按收入性质分的资金之和与年度资金总额不一致。",
    ),
    entry(
        codes::BUDGET_SPLIT,
        E,
        "基本支出 + 项目支出 in the budget block do not add up to the full-year budget.",
        "按支出性质分的基本支出与项目支出之和与年度资金总额不一致。",
    ),
    entry(
        codes::ROUNDING,
        W,
        "Figures add up only within their precision (off by at most one unit of the last digit): explainable by rounding, shown for review.",
        "数据仅在精度范围内相符（相差不超过末位一个单位），可能为四舍五入所致，提示复核。",
    ),
    entry(
        codes::REVENUE_SOURCES,
        E,
        "Revenue by fund source does not add up to total revenue.",
        "各资金来源收入之和与收入总计不一致。",
    ),
    entry(
        codes::EXPENDITURE_SPLIT,
        E,
        "基本支出 + 项目支出 ≠ total expenditure.",
        "基本支出与项目支出之和与支出总计不一致。",
    ),
    entry(
        codes::BASIC_SPLIT,
        E,
        "人员经费 + 公用经费 ≠ 基本支出.",
        "人员经费与公用经费之和与基本支出不一致。",
    ),
    entry(
        codes::PERCENTAGE,
        E,
        "Stated percentage (share, 控制率) differs from the computed one beyond rounding to the stated precision.",
        "填报的百分比（占比、控制率）与计算值按填报精度四舍五入后不一致。",
    ),
    entry(
        codes::CROSS_TABLE,
        W,
        "The same figure differs between two tables of the report.",
        "同一数据在报告不同表格中不一致。",
    ),
    entry(
        codes::FUND_TOTAL,
        E,
        "Funds of a project, level or department do not add up to the declared figure.",
        "项目、资金级次或部门的各项资金之和与申报数不一致。",
    ),
    entry(
        codes::FUND_OVER_EXECUTED,
        E,
        "A fund's executed amount is above its full-year budget.",
        "资金执行数超过全年预算数。",
    ),
    entry(
        codes::BASIC_SUM,
        E,
        "Items of the basic data table do not add up (三公经费, 公务用车, 项目支出 sections).",
        "基础数据表各分项之和与合计不一致（三公经费、公务用车、项目支出等）。",
    ),
    entry(
        codes::BASIC_OVERSPEND,
        W,
        "Final amount above budget for a controlled item (三公经费, 公用经费).",
        "三公经费、公用经费等控制项目决算数超过预算数。",
    ),
    entry(
        codes::VEHICLE_NO_BUDGET,
        W,
        "Vehicles purchased (公车购置 final > 0) with no budget for it.",
        "无预算购置公务用车。",
    ),
    entry(
        codes::STAFF_OVER,
        W,
        "在职人数 above 编制数.",
        "在职人数超过编制数。",
    ),
    entry(
        codes::PROFILE_STAFFING,
        E,
        "Staffing by category does not add up to the total.",
        "分类人员（编制）数之和与总数不一致。",
    ),
    entry(
        codes::PROFILE_ASSETS,
        E,
        "Assets do not add up (总资产 = 流动资产 + 非流动资产; 固定资产净值 + 无形资产 ≤ 非流动资产).",
        "资产数据不相符（总资产＝流动资产＋非流动资产；固定资产净值＋无形资产不超过非流动资产）。",
    ),
];

/// The catalogue entry of a code.
pub fn catalogue_entry(code: &str) -> Option<&'static CatalogueEntry> {
    CATALOGUE.iter().find(|e| e.code == code)
}

/// Checks `total = Σ parts` within `tolerance` (by default the money tolerance of the figures;
/// 0 for counts of people, which are exact); returns a finding on mismatch (with `code`) or a
/// rounding warning when they agree only within the figures' precision.
pub(crate) fn sum_finding(
    code: &str,
    pointer: &str,
    what_en: &str,
    what_zh: &str,
    total: Decimal,
    parts: &[Decimal],
    tolerance: Option<Decimal>,
) -> Option<Finding> {
    let tolerance = tolerance.unwrap_or_else(|| {
        let mut operands = parts.to_vec();
        operands.push(total);
        money::money_tolerance(&operands)
    });
    let shown: Vec<String> = parts.iter().map(|p| money::show(*p)).collect();
    let expr = shown.join(" + ");
    let sum = money::sum_checked(parts.iter().copied());
    let difference = sum.and_then(|s| s.checked_sub(total));
    let check = match sum {
        Some(sum) => money::check_sum(total, sum, tolerance),
        None => SumCheck::Mismatch,
    };
    let (sum_shown, difference_shown) = (money::show_checked(sum), money::show_checked(difference));
    let (code, en, zh) = match check {
        SumCheck::Exact => return None,
        SumCheck::WithinRounding => (
            codes::ROUNDING,
            format!(
                "{what_en}: {expr} = {sum_shown} vs stated {}; difference {difference_shown} is within the figures' precision {} (rounding)",
                money::show(total),
                money::show(tolerance)
            ),
            format!(
                "{what_zh}：{expr} = {sum_shown}，填报数 {}，相差 {difference_shown}，在数据精度 {} 以内（四舍五入所致）",
                money::show(total),
                money::show(tolerance)
            ),
        ),
        SumCheck::Mismatch => (
            code,
            format!(
                "{what_en}: {expr} = {sum_shown} but the stated figure is {} (difference {difference_shown})",
                money::show(total)
            ),
            format!(
                "{what_zh}：{expr} = {sum_shown}，与填报数 {} 不一致（相差 {difference_shown}）",
                money::show(total)
            ),
        ),
    };
    Some(
        Finding::new(code, pointer, en, zh)
            .num("stated", total)
            .num("sum", money::text_checked(sum))
            .num("difference", money::text_checked(difference))
            .num("tolerance", tolerance),
    )
}

/// A stated percentage against `numerator / denominator`, rounded to the stated precision.
pub(crate) fn percent_finding(
    code: &str,
    pointer: &str,
    what_en: &str,
    what_zh: &str,
    stated_text: &str,
    numerator: Decimal,
    denominator: Decimal,
) -> Option<Finding> {
    let Some(stated) = money::parse_percent(stated_text) else {
        return Some(
            Finding::new(
                code,
                pointer,
                format!("{what_en}: “{stated_text}” is not a percentage"),
                format!("{what_zh}：“{stated_text}”不是百分比"),
            )
            .num("numerator", numerator)
            .num("denominator", denominator),
        );
    };
    let (ok, rounded) = money::percent_matches(stated, numerator, denominator)?;
    if ok {
        return None;
    }
    let s = money::show(stated);
    let (n, d) = (money::show(numerator), money::show(denominator));
    Some(
        Finding::new(
            code,
            pointer,
            format!("{what_en}: stated {s}% but {n} / {d} = {rounded}% at the stated precision"),
            format!("{what_zh}：填报 {s}%，但 {n} ÷ {d} = {rounded}%（按填报精度）"),
        )
        .num("stated_percent", stated)
        .num("computed_percent", rounded)
        .num("numerator", numerator)
        .num("denominator", denominator),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn catalogue_codes_are_unique_and_dotted() {
        let mut seen = HashSet::new();
        for entry in CATALOGUE {
            assert!(seen.insert(entry.code), "duplicate {}", entry.code);
            assert!(entry.code.contains('.'), "{}", entry.code);
            assert!(!entry.description_en.is_empty() && !entry.description_zh.is_empty());
        }
    }

    #[test]
    fn finding_takes_catalogue_severity() {
        let f = Finding::new(codes::TARGET_NO_UNIT, "/indicators/0/target", "en", "zh");
        assert_eq!(f.severity, Severity::Warning);
        let f = Finding::new(codes::GROUP_WEIGHT, "/indicators", "en", "zh");
        assert_eq!(f.severity, Severity::Error);
    }
}
