//! Scores, totals and grades, with the arithmetic of every score as text (English and Chinese).
//!
//! Rules (domain.md; every number is a rule-set parameter). w = weight, t = target, a = actual;
//! every row score is rounded to 2 decimals half up, and totals add the rounded row scores.
//!
//! * execution: `w × min(executed / full_year, 1)`; 0 when the full-year budget is 0;
//! * `≥` / `>`: `a ≥ t` gives w, otherwise `w × a / t` (never above w, never below 0);
//! * `≤` / `<`: `a ≤ t` gives w, otherwise `w × t / a` (ratio) or `w × (1 − (a − t) / t)`
//!   floored at 0 (linear);
//! * `=`: like `≥` when t > 0; when t = 0, a = 0 gives w and anything else 0;
//! * periods: a finish on or before the target's end gives w; a late finish is scored like `≤`
//!   on day counts from the target's start; durations (time limits) likewise on the span;
//! * qualitative: the claimed score must lie in the grade's band — achieved [0.8w, w], partly
//!   [0.6w, 0.8w), not achieved [0, 0.6w) — and is then the computed score;
//! * total = execution + Σ row scores, at most 100; rows that cannot be computed add 0.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::evaluation::{BudgetBlock, EvaluationInput, IndicatorInput, not_applicable};
use super::finding::{Finding, Severity, codes};
use super::money::{self, round2, show, show2};
use super::review::{self, RowPlace};
use super::rules::{Grade, ReverseFormula, RuleSet};
use super::target::{
    self, AchievementGrade, Actual, ActualContext, Comparator, Direction, GradeWording, Parsed,
    Unit, days_inclusive, period_in_year, span_end_exclusive,
};
use super::tree::{Level1, Level2};

/// The budget execution score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionScore {
    pub weight: Decimal,
    /// executed / full-year budget as a fraction (1 = 100%), exact; `None` when it cannot be computed.
    pub rate: Option<Decimal>,
    /// The rate in percent, rounded to 2 decimals.
    pub rate_percent: Option<Decimal>,
    pub score: Decimal,
    pub claimed_score: Option<Decimal>,
    pub explanation_en: String,
    pub explanation_zh: String,
}

/// What a row's score rests on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Arithmetic on measured numbers.
    Measured,
    /// A qualitative grade and the band it allows (the claimed score inside it).
    Graded,
    /// The service could not verify the row: the unit's claimed score stands until a reviewer
    /// decides.
    Claimed,
    /// Nothing to score (placeholder, no weight, or a contradiction the findings name).
    #[default]
    None,
}

impl Basis {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Basis::Measured => "实测计算",
            Basis::Graded => "定性分档",
            Basis::Claimed => "自评得分（待复核）",
            Basis::None => "不计分",
        }
    }
}

/// How many points of a total rest on each basis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsByBasis {
    /// Execution score and measured rows.
    pub measured: Decimal,
    pub graded: Decimal,
    pub claimed: Decimal,
    /// Weight of the rows that have no score.
    pub unscored_weight: Decimal,
}

/// The score of one indicator row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowScore {
    /// Index into `indicators`.
    pub index: usize,
    pub level1: Option<Level1>,
    pub level2: Option<Level2>,
    /// An empty placeholder row: not scored.
    pub placeholder: bool,
    pub weight: Option<Decimal>,
    /// The server's score; `None` when the rules cannot compute one (see the findings).
    pub computed: Option<Decimal>,
    /// What `computed` rests on.
    #[serde(default)]
    pub basis: Basis,
    /// The unit's claimed score.
    pub claimed: Option<Decimal>,
    /// Whether the target was achieved, when known.
    pub achieved: Option<bool>,
    pub target_text: String,
    pub target: ParsedView,
    pub actual_text: String,
    pub actual: ActualView,
    pub explanation_en: String,
    pub explanation_zh: String,
}

/// A parsed target with its display form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedView {
    pub parsed: Parsed,
    pub display: String,
}

/// A parsed actual with its display form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActualView {
    pub parsed: Actual,
    pub display: String,
}

/// Everything the server computes for an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub rule_set_id: String,
    pub rule_set_version: u32,
    pub execution: ExecutionScore,
    pub rows: Vec<RowScore>,
    /// execution + Σ computed row scores, at most 100.
    pub total: Decimal,
    /// The claimed total as printed, or, where the table prints none, the sum of the claimed
    /// scores.
    pub claimed_total: Option<Decimal>,
    /// How many points of the total rest on each basis.
    #[serde(default)]
    pub points: PointsByBasis,
    pub grade: Grade,
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// Whether any finding is an error (the evaluation cannot be submitted).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// The result of a scoring formula.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormulaResult {
    /// Rounded to 2 decimals, within [0, w].
    pub score: Decimal,
    pub achieved: bool,
    pub explanation_en: String,
    pub explanation_zh: String,
}

fn clamp_round(raw: Decimal, weight: Decimal) -> Decimal {
    round2(raw.max(Decimal::ZERO).min(weight))
}

fn higher_is_better(w: Decimal, t: Decimal, a: Decimal) -> Option<FormulaResult> {
    if a >= t {
        return Some(FormulaResult {
            score: round2(w),
            achieved: true,
            explanation_en: format!("{} ≥ {}: full weight {}", show(a), show(t), show2(w)),
            explanation_zh: format!("{} ≥ {}，得满分 {}", show(a), show(t), show2(w)),
        });
    }
    if t <= Decimal::ZERO {
        return Some(FormulaResult {
            score: Decimal::ZERO,
            achieved: false,
            explanation_en: format!("{} < {} (target not positive): 0.00", show(a), show(t)),
            explanation_zh: format!("{} < {}（目标值不为正）：0.00", show(a), show(t)),
        });
    }
    let score = clamp_round(w.checked_mul(a)?.checked_div(t)?, w);
    Some(FormulaResult {
        score,
        achieved: false,
        explanation_en: format!(
            "{} < {}: {} × {} / {} = {}",
            show(a),
            show(t),
            show(w),
            show(a),
            show(t),
            show2(score)
        ),
        explanation_zh: format!(
            "{} 未达到 {}：{} × {} ÷ {} = {}",
            show(a),
            show(t),
            show(w),
            show(a),
            show(t),
            show2(score)
        ),
    })
}

fn lower_is_better(
    w: Decimal,
    t: Decimal,
    a: Decimal,
    formula: ReverseFormula,
) -> Option<FormulaResult> {
    if a <= t {
        return Some(FormulaResult {
            score: round2(w),
            achieved: true,
            explanation_en: format!("{} ≤ {}: full weight {}", show(a), show(t), show2(w)),
            explanation_zh: format!("{} ≤ {}，得满分 {}", show(a), show(t), show2(w)),
        });
    }
    if t <= Decimal::ZERO {
        return Some(FormulaResult {
            score: Decimal::ZERO,
            achieved: false,
            explanation_en: format!("{} > {} (target not positive): 0.00", show(a), show(t)),
            explanation_zh: format!("{} > {}（目标值不为正）：0.00", show(a), show(t)),
        });
    }
    match formula {
        ReverseFormula::Ratio => {
            let score = clamp_round(w.checked_mul(t)?.checked_div(a)?, w);
            Some(FormulaResult {
                score,
                achieved: false,
                explanation_en: format!(
                    "{} > {}: {} × {} / {} = {}",
                    show(a),
                    show(t),
                    show(w),
                    show(t),
                    show(a),
                    show2(score)
                ),
                explanation_zh: format!(
                    "{} 超过 {}：{} × {} ÷ {} = {}",
                    show(a),
                    show(t),
                    show(w),
                    show(t),
                    show(a),
                    show2(score)
                ),
            })
        }
        ReverseFormula::Linear => {
            let factor = Decimal::ONE.checked_sub(a.checked_sub(t)?.checked_div(t)?)?;
            let score = clamp_round(w.checked_mul(factor)?, w);
            Some(FormulaResult {
                score,
                achieved: false,
                explanation_en: format!(
                    "{} > {}: max(0, {} × (1 − ({} − {}) / {})) = {}",
                    show(a),
                    show(t),
                    show(w),
                    show(a),
                    show(t),
                    show(t),
                    show2(score)
                ),
                explanation_zh: format!(
                    "{} 超过 {}：max(0, {} × (1 − ({} − {}) ÷ {})) = {}",
                    show(a),
                    show(t),
                    show(w),
                    show(a),
                    show(t),
                    show(t),
                    show2(score)
                ),
            })
        }
    }
}

/// Scores a quantitative row. `None` only on arithmetic overflow.
pub fn score_quantitative(
    weight: Decimal,
    comparator: Comparator,
    target: Decimal,
    actual: Decimal,
    formula: ReverseFormula,
) -> Option<FormulaResult> {
    match comparator {
        Comparator::Ge | Comparator::Gt => higher_is_better(weight, target, actual),
        Comparator::Le | Comparator::Lt => lower_is_better(weight, target, actual, formula),
        Comparator::Eq if target > Decimal::ZERO => higher_is_better(weight, target, actual),
        Comparator::Eq => {
            let hit = actual == target;
            let score = if hit { round2(weight) } else { Decimal::ZERO };
            Some(FormulaResult {
                score,
                achieved: hit,
                explanation_en: format!(
                    "{} {} {}: {}",
                    show(actual),
                    if hit { "=" } else { "≠" },
                    show(target),
                    show2(score)
                ),
                explanation_zh: format!(
                    "{} {} {}：{}",
                    show(actual),
                    if hit { "=" } else { "≠" },
                    show(target),
                    show2(score)
                ),
            })
        }
    }
}

/// The band of a grade: (low, high, high inclusive).
pub fn grade_band(weight: Decimal, grade: AchievementGrade) -> (Decimal, Decimal, bool) {
    // Products with factors below 1 are smaller than the weight: they cannot overflow.
    let eight = weight * Decimal::new(8, 1);
    let six = weight * Decimal::new(6, 1);
    match grade {
        AchievementGrade::Achieved => (eight, weight, true),
        AchievementGrade::Partly => (six, eight, false),
        AchievementGrade::NotAchieved => (Decimal::ZERO, six, false),
    }
}

/// Whether a claimed score lies in the band of a grade.
pub fn in_band(weight: Decimal, grade: AchievementGrade, claimed: Decimal) -> bool {
    let (low, high, inclusive) = grade_band(weight, grade);
    claimed >= low && (claimed < high || (inclusive && claimed == high))
}

/// Scores budget execution and checks the stated rate and score.
pub fn score_execution(budget: &BudgetBlock, rules: &RuleSet) -> (ExecutionScore, Vec<Finding>) {
    let w = rules.execution_weight;
    let mut findings = Vec::new();
    let mut result = ExecutionScore {
        weight: w,
        rate: None,
        rate_percent: None,
        score: Decimal::ZERO,
        claimed_score: budget.claimed_score,
        explanation_en: String::new(),
        explanation_zh: String::new(),
    };
    match budget.executed {
        None => {
            findings.push(Finding::new(
                codes::BUDGET_EXECUTED_MISSING,
                "/budget/executed",
                "executed amount missing: execution score 0",
                "全年执行数缺失：预算执行得分为0",
            ));
            result.explanation_en = "executed amount missing: 0.00".into();
            result.explanation_zh = "全年执行数缺失：0.00".into();
        }
        Some(executed) if budget.full_year <= Decimal::ZERO => {
            result.explanation_en = format!(
                "full-year budget {}: execution score 0.00",
                show(budget.full_year)
            );
            result.explanation_zh =
                format!("全年预算数为 {}：预算执行得分 0.00", show(budget.full_year));
            if executed > budget.full_year {
                findings.push(over_executed(executed, budget.full_year));
            }
        }
        Some(executed) => {
            let rate = executed.checked_div(budget.full_year);
            result.rate = rate;
            result.rate_percent = rate
                .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
                .map(round2);
            let (e, f) = (show(executed), show(budget.full_year));
            if executed >= budget.full_year {
                result.score = round2(w);
                result.explanation_en = format!("{} × min({e} / {f}, 1) = {}", show(w), show2(w));
                result.explanation_zh = format!(
                    "执行率 {e} ÷ {f} ≥ 100%，得分 {} × 1 = {}",
                    show(w),
                    show2(w)
                );
                if executed > budget.full_year {
                    findings.push(over_executed(executed, budget.full_year));
                }
            } else {
                let score = w
                    .checked_mul(executed)
                    .and_then(|x| x.checked_div(budget.full_year))
                    .map_or(Decimal::ZERO, |raw| clamp_round(raw, w));
                result.score = score;
                result.explanation_en = format!("{} × {e} / {f} = {}", show(w), show2(score));
                result.explanation_zh = format!(
                    "执行率 {e} ÷ {f} = {}%，得分 {} × {e} ÷ {f} = {}",
                    result.rate_percent.map_or("-".to_string(), show2),
                    show(w),
                    show2(score)
                );
            }
            if let Some(stated) = &budget.claimed_rate
                && !stated.trim().is_empty()
            {
                findings.extend(super::finding::percent_finding(
                    codes::BUDGET_RATE,
                    "/budget/claimed_rate",
                    "execution rate",
                    "执行率",
                    stated,
                    executed,
                    budget.full_year,
                ));
            }
        }
    }
    if let Some(claimed) = budget.claimed_score {
        if claimed < Decimal::ZERO || claimed > w {
            findings.push(
                Finding::new(
                    codes::CLAIM_OUT_OF_RANGE,
                    "/budget/claimed_score",
                    format!(
                        "claimed execution score {} outside [0, {}]",
                        show(claimed),
                        show(w)
                    ),
                    format!(
                        "预算执行自评得分 {} 不在 [0, {}] 内",
                        show(claimed),
                        show(w)
                    ),
                )
                .num("claimed", claimed)
                .num("weight", w),
            );
        }
        if round2(claimed) != result.score {
            findings.push(
                Finding::new(
                    codes::CLAIM_MISMATCH,
                    "/budget/claimed_score",
                    format!(
                        "claimed execution score {} differs from computed {}",
                        show(claimed),
                        show2(result.score)
                    ),
                    format!(
                        "预算执行自评得分 {} 与计算得分 {} 不一致",
                        show(claimed),
                        show2(result.score)
                    ),
                )
                .num("claimed", claimed)
                .num("computed", result.score),
            );
        }
    }
    (result, findings)
}

fn over_executed(executed: Decimal, full_year: Decimal) -> Finding {
    Finding::new(
        codes::BUDGET_OVER_EXECUTED,
        "/budget/executed",
        format!(
            "executed {} is above the full-year budget {}",
            show(executed),
            show(full_year)
        ),
        format!(
            "全年执行数 {} 超过全年预算数 {}",
            show(executed),
            show(full_year)
        ),
    )
    .num("executed", executed)
    .num("full_year", full_year)
}

/// How a row's score is determined.
enum RowBasis {
    Computed(FormulaResult),
    Band(AchievementGrade),
    /// The row cannot be verified (a wording, an unknown unit): the claimed score stands.
    NotVerified(String, String),
    NotComputed(String, String),
}

struct RowContext<'a> {
    index: usize,
    row: &'a IndicatorInput,
    year: i32,
    rules: &'a RuleSet,
    findings: Vec<Finding>,
}

impl RowContext<'_> {
    fn pointer(&self, field: &str) -> String {
        format!("/indicators/{}/{field}", self.index)
    }

    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn not_measured(
        &mut self,
        text: &str,
        implied: Option<AchievementGrade>,
        why_en: &str,
        why_zh: &str,
    ) -> RowBasis {
        let mut finding = Finding::new(
            codes::ACTUAL_NOT_MEASURED,
            self.pointer("actual"),
            format!("actual “{text}” is not a measured value for {why_en}"),
            format!("实际完成值“{text}”不是实测值（{why_zh}）"),
        )
        .num("target", self.row.target_text().trim());
        if let Some(grade) = implied {
            finding = finding.num("implied_grade", grade.label_zh());
        }
        self.push(finding);
        RowBasis::NotVerified(
            "the actual is not a measured value".into(),
            "实际完成值不是实测值".into(),
        )
    }

    fn invalid_actual_date(&mut self, shown: String) -> RowBasis {
        let year = self.year;
        self.push(
            Finding::new(
                codes::ACTUAL_INVALID_DATE,
                self.pointer("actual"),
                format!("actual period {shown} is not a real date range inside fiscal year {year}"),
                format!("实际完成值 {shown} 不是 {year} 年度内的有效日期或期间"),
            )
            .num("year", year),
        );
        RowBasis::NotComputed(
            "not computed: the actual date is invalid".into(),
            "未计算：实际完成日期无效".into(),
        )
    }

    fn not_computable(&mut self, en: &str, zh: &str) -> RowBasis {
        self.push(Finding::new(
            codes::NOT_COMPUTABLE,
            self.pointer("actual"),
            format!("score not computable: {en}"),
            format!("无法计算得分：{zh}"),
        ));
        RowBasis::NotComputed(format!("not computed: {en}"), format!("未计算：{zh}"))
    }
}

fn with_context(mut result: FormulaResult, en: &str, zh: &str) -> FormulaResult {
    result.explanation_en = format!("{en}: {}", result.explanation_en);
    result.explanation_zh = format!("{zh}：{}", result.explanation_zh);
    result
}

fn deadline_score(
    ctx: &mut RowContext<'_>,
    w: Decimal,
    origin: chrono::NaiveDate,
    deadline: chrono::NaiveDate,
    finish: chrono::NaiveDate,
) -> RowBasis {
    let t_days = Decimal::from(days_inclusive(origin, deadline));
    let a_days = Decimal::from(days_inclusive(origin, finish));
    match lower_is_better(w, t_days, a_days, ctx.rules.reverse_formula) {
        Some(r) => RowBasis::Computed(with_context(
            r,
            &format!("finished {finish}, deadline {deadline}; days from {origin}"),
            &format!("完成于 {finish}，期限 {deadline}；自 {origin} 起天数"),
        )),
        None => ctx.not_computable("arithmetic overflow", "数值溢出"),
    }
}

fn months_of(value: Decimal, unit: &Unit) -> Option<Decimal> {
    match unit {
        Unit::Year => value.checked_mul(Decimal::from(12)),
        Unit::Month => Some(value),
        _ => None,
    }
}

fn score_basis(ctx: &mut RowContext<'_>, w: Decimal, target: &Parsed, actual: &Actual) -> RowBasis {
    let rules = ctx.rules;
    let year = ctx.year;
    match target {
        Parsed::Quantitative {
            comparator,
            value: t,
            unit: target_unit,
            ..
        } => match actual {
            Actual::Measured {
                value: a,
                unit: actual_unit,
                ..
            } => {
                if let (Some(tu), Some(au)) = (target_unit, actual_unit)
                    && tu != au
                {
                    ctx.push(
                        Finding::new(
                            codes::ACTUAL_UNIT_MISMATCH,
                            ctx.pointer("actual"),
                            format!(
                                "actual in {} but the target is in {}",
                                au.symbol(),
                                tu.symbol()
                            ),
                            format!(
                                "实际完成值单位为 {}，指标值单位为 {}",
                                au.symbol(),
                                tu.symbol()
                            ),
                        )
                        .num("target_unit", tu.symbol())
                        .num("actual_unit", au.symbol()),
                    );
                    return RowBasis::NotVerified(
                        "units that do not convert".into(),
                        "计量单位不一致且无法换算".into(),
                    );
                }
                match score_quantitative(w, *comparator, *t, *a, rules.reverse_formula) {
                    Some(r) => RowBasis::Computed(r),
                    None => ctx.not_computable("arithmetic overflow", "数值溢出"),
                }
            }
            Actual::Missing => RowBasis::NotVerified("no actual".into(), "无实际完成值".into()),
            Actual::NotMeasured {
                text,
                implied_grade,
            } => ctx.not_measured(
                text,
                *implied_grade,
                "a quantitative target",
                "定量指标需填写实测数值",
            ),
            other => {
                let shown = other.display();
                ctx.not_measured(
                    &shown,
                    None,
                    "a quantitative target",
                    "定量指标需填写实测数值",
                )
            }
        },
        Parsed::Period { start, end } => {
            if !period_in_year(*start, *end, year) {
                return RowBasis::NotComputed(
                    "not computed: the target period is invalid".into(),
                    "未计算：指标值期间无效".into(),
                );
            }
            match actual {
                Actual::Period {
                    start: a_start,
                    end: a_end,
                } => {
                    if !period_in_year(*a_start, *a_end, year) {
                        return ctx.invalid_actual_date(format!("{a_start} – {a_end}"));
                    }
                    deadline_score(ctx, w, *start, *end, *a_end)
                }
                Actual::Duration { value, unit } => {
                    match span_end_exclusive(*start, *value, unit).and_then(|d| d.pred_opt()) {
                        Some(finish) => deadline_score(ctx, w, *start, *end, finish),
                        None => ctx.not_computable(
                            "the duration is not a whole number of years, months or days",
                            "时长不是整年、整月或整天",
                        ),
                    }
                }
                Actual::InvalidDate { text } => ctx.invalid_actual_date(format!("“{text}”")),
                Actual::Missing => RowBasis::NotVerified("no actual".into(), "无实际完成值".into()),
                Actual::NotMeasured {
                    text,
                    implied_grade,
                } => ctx.not_measured(
                    text,
                    *implied_grade,
                    "a time target (a date range or duration is needed)",
                    "时效指标需填写完成日期或期间",
                ),
                other => {
                    let shown = other.display();
                    ctx.not_measured(
                        &shown,
                        None,
                        "a time target",
                        "时效指标需填写完成日期或期间",
                    )
                }
            }
        }
        Parsed::Duration {
            value: t,
            unit: t_unit,
        } => match actual {
            Actual::Duration {
                value: a,
                unit: a_unit,
            } => {
                let pair = if t_unit == a_unit {
                    Some((*t, *a))
                } else {
                    months_of(*t, t_unit).zip(months_of(*a, a_unit))
                };
                match pair {
                    Some((tv, av)) => match lower_is_better(w, tv, av, rules.reverse_formula) {
                        Some(r) => RowBasis::Computed(with_context(
                            r,
                            &format!(
                                "took {} {}, limit {} {}",
                                show(*a),
                                a_unit.symbol(),
                                show(*t),
                                t_unit.symbol()
                            ),
                            &format!(
                                "用时 {} {}，时限 {} {}",
                                show(*a),
                                a_unit.symbol(),
                                show(*t),
                                t_unit.symbol()
                            ),
                        )),
                        None => ctx.not_computable("arithmetic overflow", "数值溢出"),
                    },
                    None => {
                        ctx.push(
                            Finding::new(
                                codes::ACTUAL_UNIT_MISMATCH,
                                ctx.pointer("actual"),
                                format!(
                                    "actual in {} but the time limit is in {}",
                                    a_unit.symbol(),
                                    t_unit.symbol()
                                ),
                                format!(
                                    "实际完成值单位为 {}，时限单位为 {}",
                                    a_unit.symbol(),
                                    t_unit.symbol()
                                ),
                            )
                            .num("target_unit", t_unit.symbol())
                            .num("actual_unit", a_unit.symbol()),
                        );
                        RowBasis::NotVerified(
                            "units that do not convert".into(),
                            "计量单位不一致且无法换算".into(),
                        )
                    }
                }
            }
            Actual::Period { start, end } => {
                if !period_in_year(*start, *end, year) {
                    return ctx.invalid_actual_date(format!("{start} – {end}"));
                }
                match span_end_exclusive(*start, *t, t_unit) {
                    Some(limit_end) => {
                        let t_days = Decimal::from((limit_end - *start).num_days());
                        let a_days = Decimal::from(days_inclusive(*start, *end));
                        match lower_is_better(w, t_days, a_days, rules.reverse_formula) {
                            Some(r) => RowBasis::Computed(with_context(
                                r,
                                &format!(
                                    "{start} – {end} is {a_days} days, limit {} {} = {t_days} days",
                                    show(*t),
                                    t_unit.symbol()
                                ),
                                &format!(
                                    "{start} 至 {end} 共 {a_days} 天，时限 {} {} 即 {t_days} 天",
                                    show(*t),
                                    t_unit.symbol()
                                ),
                            )),
                            None => ctx.not_computable("arithmetic overflow", "数值溢出"),
                        }
                    }
                    None => ctx.not_computable(
                        "the time limit is not a whole number of years, months or days",
                        "时限不是整年、整月或整天",
                    ),
                }
            }
            Actual::InvalidDate { text } => ctx.invalid_actual_date(format!("“{text}”")),
            Actual::Missing => RowBasis::NotVerified("no actual".into(), "无实际完成值".into()),
            Actual::NotMeasured {
                text,
                implied_grade,
            } => ctx.not_measured(
                text,
                *implied_grade,
                "a time limit (a duration or date range is needed)",
                "时效指标需填写用时或完成期间",
            ),
            other => {
                let shown = other.display();
                ctx.not_measured(&shown, None, "a time limit", "时效指标需填写用时或完成期间")
            }
        },
        Parsed::InvalidDate { .. } => RowBasis::NotComputed(
            "not computed: the target date is invalid".into(),
            "未计算：指标值日期无效".into(),
        ),
        Parsed::Qualitative { text } => {
            if text.trim().is_empty() {
                return RowBasis::NotComputed(
                    "not computed: no target".into(),
                    "未计算：无指标值".into(),
                );
            }
            match actual {
                Actual::Grade { grade, wording } => {
                    if matches!(
                        wording,
                        GradeWording::Informal | GradeWording::RepeatsTarget
                    ) {
                        ctx.push(
                            Finding::new(
                                codes::GRADE_INFORMAL,
                                ctx.pointer("actual"),
                                format!(
                                    "“{}” read as {} ({}); write one of the three grades",
                                    ctx.row.actual.trim(),
                                    grade.label_en(),
                                    grade.label_zh()
                                ),
                                format!(
                                    "“{}”按“{}”处理；请使用规范的三档表述",
                                    ctx.row.actual.trim(),
                                    grade.label_zh()
                                ),
                            )
                            .num("grade", grade.label_zh()),
                        );
                    }
                    RowBasis::Band(*grade)
                }
                Actual::Missing => RowBasis::NotVerified("no actual".into(), "无实际完成值".into()),
                other => {
                    let text = match other {
                        Actual::Unrecognized { text } => text.clone(),
                        _ => ctx.row.actual.trim().to_string(),
                    };
                    ctx.push(Finding::new(
                        codes::GRADE_UNKNOWN,
                        ctx.pointer("actual"),
                        format!(
                            "“{text}” is not one of the three grades: {}, {}, {}",
                            AchievementGrade::Achieved.label_zh(),
                            AchievementGrade::Partly.label_zh(),
                            AchievementGrade::NotAchieved.label_zh()
                        ),
                        format!(
                            "“{text}”不是三档评价之一：{}／{}／{}",
                            AchievementGrade::Achieved.label_zh(),
                            AchievementGrade::Partly.label_zh(),
                            AchievementGrade::NotAchieved.label_zh()
                        ),
                    ));
                    RowBasis::NotVerified(
                        "a wording the achievement vocabulary does not know".into(),
                        "实际完成值不在达成度词表中".into(),
                    )
                }
            }
        }
    }
}

/// Which way a row improves: as the row says, else as its 指标性质 says, else lower-is-better
/// for cost indicators (成本指标 and its children), else not known (a bare number means `≥`).
fn row_direction(row: &IndicatorInput, place: &RowPlace) -> Option<Direction> {
    row.direction
        .or_else(|| {
            row.target_nature
                .as_deref()
                .and_then(target::nature_direction)
        })
        .or_else(|| {
            let cost =
                place.level1 == Some(Level1::Cost) || place.level2 == Some(Level2::OutputCost);
            cost.then_some(Direction::Lower)
        })
}

/// What a table says about its weights: whether it prints a weight on any row (a table with no
/// 分值 column prints only scores, and each row's claimed score is its score).
#[derive(Debug, Clone, Copy)]
struct TableShape {
    weights_printed: bool,
}

fn score_row(
    index: usize,
    row: &IndicatorInput,
    place: &RowPlace,
    year: i32,
    rules: &RuleSet,
    table: TableShape,
) -> (RowScore, Vec<Finding>) {
    let target_text = match row.target_text() {
        t if not_applicable(&t) => String::new(),
        t => target::with_year(&t, year),
    };
    let actual_text = if not_applicable(&row.actual) {
        String::new()
    } else {
        target::with_year(&row.actual, year)
    };
    let target = target::parse_target(&target_text, row_direction(row, place));
    let unit = row
        .target_unit
        .clone()
        .or_else(|| target::unit_text(&target_text));
    let actual = target::parse_actual(
        &actual_text,
        &ActualContext {
            target_text: &target_text,
            target: &target,
            unit: unit.as_deref(),
            vocabulary: &rules.vocabulary,
        },
    );
    let mut score = RowScore {
        index,
        level1: place.level1,
        level2: place.level2,
        placeholder: row.is_placeholder(),
        weight: row.weight,
        computed: None,
        basis: Basis::None,
        claimed: row.claimed_score,
        achieved: None,
        target_text: row.target_text(),
        target: ParsedView {
            display: target.display(),
            parsed: target.clone(),
        },
        actual_text: row.actual.clone(),
        actual: ActualView {
            display: actual.display(),
            parsed: actual.clone(),
        },
        explanation_en: String::new(),
        explanation_zh: String::new(),
    };
    if score.placeholder {
        score.explanation_en = "placeholder row without a level-3 indicator: not scored".into();
        score.explanation_zh = "无三级指标的空行：不计分".into();
        return (score, Vec::new());
    }
    let mut ctx = RowContext {
        index,
        row,
        year,
        rules,
        findings: Vec::new(),
    };
    let level3 = row.level3.trim();
    if super::evaluation::is_template_name(level3) {
        ctx.push(Finding::new(
            codes::MISSING_LEVEL3,
            ctx.pointer("level3"),
            "level-3 indicator name missing",
            "三级指标名称缺失",
        ));
    }
    let has_target = !target_text.trim().is_empty();
    if !has_target {
        ctx.push(Finding::new(
            codes::MISSING_TARGET,
            ctx.pointer("target"),
            format!("“{level3}” has no target value"),
            format!("三级指标“{level3}”缺少年度指标值"),
        ));
    }
    match row.weight {
        None if !table.weights_printed => ctx.push(Finding::new(
            codes::WEIGHT_NOT_PRINTED,
            ctx.pointer("weight"),
            format!("the table prints no weight for “{level3}”: its claimed score is kept"),
            format!("表格未列三级指标“{level3}”的分值：按自评得分计"),
        )),
        None => ctx.push(Finding::new(
            codes::MISSING_WEIGHT,
            ctx.pointer("weight"),
            format!("“{level3}” has no weight"),
            format!("三级指标“{level3}”缺少分值"),
        )),
        Some(w) if w <= Decimal::ZERO => ctx.push(
            Finding::new(
                codes::WEIGHT_NOT_POSITIVE,
                ctx.pointer("weight"),
                format!("weight {} is not positive", show(w)),
                format!("分值 {} 不大于0", show(w)),
            )
            .num("weight", w),
        ),
        Some(_) => {}
    }
    if has_target && actual == Actual::Missing {
        ctx.push(Finding::new(
            codes::ACTUAL_MISSING,
            ctx.pointer("actual"),
            format!("“{level3}” has no actual value"),
            format!("三级指标“{level3}”缺少实际完成值"),
        ));
    }
    if let Some(claimed) = row.claimed_score {
        let above = row.weight.is_some_and(|w| claimed > w);
        if claimed < Decimal::ZERO || above {
            let w = row.weight.map_or("-".to_string(), show);
            ctx.push(
                Finding::new(
                    codes::CLAIM_OUT_OF_RANGE,
                    ctx.pointer("claimed_score"),
                    format!("claimed score {} outside [0, {w}]", show(claimed)),
                    format!("自评得分 {} 不在 [0, {w}] 内", show(claimed)),
                )
                .num("claimed", claimed)
                .num("weight", w),
            );
        }
    }
    match &target {
        Parsed::Quantitative {
            unit: None, value, ..
        } => ctx.push(
            Finding::new(
                codes::TARGET_NO_UNIT,
                ctx.pointer("target"),
                format!("quantitative target “{}” has no unit", target_text.trim()),
                format!("定量指标值“{}”未注明计量单位", target_text.trim()),
            )
            .num("value", value),
        ),
        Parsed::Period { start, end } if !period_in_year(*start, *end, year) => ctx.push(
            Finding::new(
                codes::TARGET_INVALID_DATE,
                ctx.pointer("target"),
                format!("target period {start} – {end} is not inside fiscal year {year}"),
                format!("指标值期间 {start} 至 {end} 不在 {year} 年度内"),
            )
            .num("year", year),
        ),
        Parsed::InvalidDate { text } => ctx.push(Finding::new(
            codes::TARGET_INVALID_DATE,
            ctx.pointer("target"),
            format!("target “{text}” is not a real date"),
            format!("指标值“{text}”不是有效日期"),
        )),
        _ => {}
    }
    let Some(w) = row.weight.filter(|w| *w > Decimal::ZERO) else {
        match row
            .claimed_score
            .filter(|c| !table.weights_printed && *c >= Decimal::ZERO)
        {
            Some(claimed) => {
                score.computed = Some(round2(claimed));
                score.basis = Basis::Claimed;
                score.explanation_en =
                    format!("no weight printed: the claimed {} is kept", show(claimed));
                score.explanation_zh = format!("未列分值：按自评得分 {} 计", show(claimed));
            }
            None => {
                score.explanation_en = "not computed: no positive weight".into();
                score.explanation_zh = "未计算：无有效分值".into();
            }
        }
        return (score, ctx.findings);
    };
    let basis = if has_target {
        score_basis(&mut ctx, w, &target, &actual)
    } else {
        RowBasis::NotVerified("no target".into(), "无指标值".into())
    };
    match basis {
        RowBasis::Computed(result) => {
            score.computed = Some(result.score);
            score.basis = Basis::Measured;
            score.achieved = Some(result.achieved);
            score.explanation_en = result.explanation_en;
            score.explanation_zh = result.explanation_zh;
        }
        RowBasis::Band(grade) => {
            let (low, high, inclusive) = grade_band(w, grade);
            let band = format!(
                "[{}, {}{}",
                show2(low),
                show2(high),
                if inclusive { "]" } else { ")" }
            );
            match row.claimed_score {
                None => {
                    ctx.push(Finding::new(
                        codes::QUALITATIVE_UNCLAIMED,
                        ctx.pointer("claimed_score"),
                        format!("grade {} needs a claimed score in {band}", grade.label_en()),
                        format!("“{}”需填写 {band} 内的自评得分", grade.label_zh()),
                    ));
                    score.explanation_en =
                        format!("not computed: grade {}, no claimed score", grade.label_en());
                    score.explanation_zh = format!("未计算：{}，未填写自评得分", grade.label_zh());
                }
                Some(claimed) if in_band(w, grade, claimed) => {
                    let computed = round2(claimed);
                    score.computed = Some(computed);
                    score.basis = Basis::Graded;
                    score.achieved = Some(grade == AchievementGrade::Achieved);
                    score.explanation_en = format!(
                        "grade {}: claimed {} within {band} → {}",
                        grade.label_en(),
                        show(claimed),
                        show2(computed)
                    );
                    score.explanation_zh = format!(
                        "{}：自评得分 {} 在区间 {band} 内，得分 {}",
                        grade.label_zh(),
                        show(claimed),
                        show2(computed)
                    );
                }
                Some(claimed) => {
                    ctx.push(
                        Finding::new(
                            codes::OUTSIDE_BAND,
                            ctx.pointer("claimed_score"),
                            format!(
                                "claimed {} is outside the band {band} of grade {}",
                                show(claimed),
                                grade.label_en()
                            ),
                            format!(
                                "自评得分 {} 不在“{}”对应区间 {band} 内",
                                show(claimed),
                                grade.label_zh()
                            ),
                        )
                        .num("claimed", claimed)
                        .num("band_low", low)
                        .num("band_high", high),
                    );
                    score.explanation_en =
                        format!("not computed: claimed {} outside {band}", show(claimed));
                    score.explanation_zh =
                        format!("未计算：自评得分 {} 不在区间 {band} 内", show(claimed));
                }
            }
        }
        RowBasis::NotVerified(en, zh) => match row.claimed_score {
            Some(claimed) if claimed >= Decimal::ZERO && claimed <= w => {
                score.computed = Some(round2(claimed));
                score.basis = Basis::Claimed;
                score.explanation_en = format!(
                    "not verified ({en}): the claimed {} stands until a reviewer decides",
                    show(claimed)
                );
                score.explanation_zh = format!(
                    "无法核实（{zh}）：暂按自评得分 {} 计，待复核认定",
                    show(claimed)
                );
            }
            _ => {
                score.explanation_en =
                    format!("not computed: {en}, and no claimed score in [0, w]");
                score.explanation_zh = format!("未计算：{zh}，且无有效自评得分");
            }
        },
        RowBasis::NotComputed(en, zh) => {
            score.explanation_en = en;
            score.explanation_zh = zh;
        }
    }
    if let (Some(computed), Some(claimed)) = (score.computed, row.claimed_score)
        && score.basis != Basis::Claimed
        && round2(claimed) != computed
    {
        ctx.push(
            Finding::new(
                codes::CLAIM_MISMATCH,
                ctx.pointer("claimed_score"),
                format!("claimed {} but computed {}", show(claimed), show2(computed)),
                format!("自评得分 {}，计算得分 {}", show(claimed), show2(computed)),
            )
            .num("claimed", claimed)
            .num("computed", computed),
        );
    }
    // The lower of the computed and the claimed score: a unit that claims less than the weight
    // owes an explanation even where the rules would give full marks.
    let lowest = match (score.computed, row.claimed_score) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(effective) = lowest
        && effective < w
        && !row.has_explanation()
    {
        ctx.push(
            Finding::new(
                codes::MISSING_DEVIATION,
                ctx.pointer("deviation_explanation"),
                format!(
                    "scored {} of {} without a deviation explanation",
                    show2(effective),
                    show(w)
                ),
                format!(
                    "得分 {} 低于分值 {}，但未填写偏差原因分析及改进措施",
                    show2(effective),
                    show(w)
                ),
            )
            .num("score", effective)
            .num("weight", w),
        );
    }
    if let (
        Parsed::Quantitative {
            comparator,
            value: t,
            ..
        },
        Actual::Measured { value: a, .. },
        Some(_),
    ) = (&target, &actual, score.computed)
        && !comparator.is_lower_better()
        && *t > Decimal::ZERO
        && t.checked_mul(rules.over_achievement_threshold)
            .is_some_and(|limit| *a > limit)
        && !row.has_explanation()
        && let Some(ratio) = a
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|x| x.checked_div(*t))
            .map(|x| money::round_dp(x, 2))
    {
        ctx.push(
            Finding::new(
                codes::OVER_ACHIEVEMENT,
                ctx.pointer("deviation_explanation"),
                format!(
                    "actual {} is {}% of the target {} (threshold {}%) with no explanation: was the target set too low?",
                    show(*a),
                    show(ratio),
                    show(*t),
                    money::show_checked(rules.over_achievement_threshold.checked_mul(Decimal::ONE_HUNDRED))
                ),
                format!(
                    "实际完成值 {} 为指标值 {} 的 {}%（超额阈值 {}%），未说明原因，指标值可能设置偏低",
                    show(*a),
                    show(*t),
                    show(ratio),
                    money::show_checked(rules.over_achievement_threshold.checked_mul(Decimal::ONE_HUNDRED))
                ),
            )
            .num("actual", a)
            .num("target", t)
            .num("percent_of_target", ratio)
            .num("threshold", rules.over_achievement_threshold),
        );
    }
    (score, ctx.findings)
}

fn pointer_key(pointer: &str) -> (u8, usize) {
    if pointer.starts_with("/budget") {
        (0, 0)
    } else if let Some(rest) = pointer.strip_prefix("/indicators/") {
        let index = rest
            .split('/')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(usize::MAX);
        (1, index)
    } else if pointer.starts_with("/indicators") {
        (2, 0)
    } else {
        (3, 0)
    }
}

/// Scores and reviews a whole evaluation.
pub fn evaluate(input: &EvaluationInput, rules: &RuleSet) -> Outcome {
    let rules = &rules.adapted_to(input.budget.weight);
    let (execution, mut findings) = score_execution(&input.budget, rules);
    findings.extend(review::review_budget(&input.budget, rules));
    let (places, name_findings) = review::review_names(input, rules);
    findings.extend(name_findings);
    let table = TableShape {
        weights_printed: input
            .indicators
            .iter()
            .any(|r| !r.is_placeholder() && r.weight.is_some()),
    };
    let mut rows = Vec::with_capacity(input.indicators.len());
    for (i, (row, place)) in input.indicators.iter().zip(&places).enumerate() {
        let (score, row_findings) = score_row(i, row, place, input.year, rules, table);
        rows.push(score);
        findings.extend(row_findings);
    }
    if table.weights_printed {
        findings.extend(review::review_weights(input, &places, rules));
    } else {
        findings.extend(review::review_printed_points(
            input,
            &places,
            execution.weight,
        ));
    }

    // Row scores lie within their weights (at most 10^6 each), so this sum fits; were it ever
    // beyond the decimal range, the total is not computable: 0 with an error finding.
    let row_sum = money::sum_checked(rows.iter().filter_map(|r| r.computed))
        .and_then(|s| execution.score.checked_add(s).map(|total| (s, total)));
    let (row_sum, total) = match row_sum {
        Some((row_sum, total)) => (row_sum, total.min(Decimal::ONE_HUNDRED)),
        None => {
            findings.push(Finding::new(
                codes::NOT_COMPUTABLE,
                "/indicators",
                "the row scores add up beyond the decimal range: no total can be computed",
                "各项得分之和超出数值范围，无法计算总分",
            ));
            (Decimal::ZERO, Decimal::ZERO)
        }
    };
    let claimed_total = input.claimed_total.or_else(|| claimed_sum(input));
    if let Some(claimed_total) = claimed_total {
        if round2(claimed_total) != total {
            findings.push(
                Finding::new(
                    codes::TOTAL_MISMATCH,
                    "/claimed_total",
                    format!(
                        "claimed total {} but computed total {} = {} (execution) + {} (indicators)",
                        show(claimed_total),
                        show2(total),
                        show2(execution.score),
                        show2(row_sum)
                    ),
                    format!(
                        "自评总分 {}，计算总分 {} = {}（预算执行）＋ {}（绩效指标）",
                        show(claimed_total),
                        show2(total),
                        show2(execution.score),
                        show2(row_sum)
                    ),
                )
                .num("claimed", claimed_total)
                .num("computed", total),
            );
        }
        let claimed_sum = claimed_sum(input);
        if input.claimed_total.is_some()
            && let Some(sum) = claimed_sum
            && sum != claimed_total
        {
            findings.push(
                Finding::new(
                    codes::CLAIMED_TOTAL_NOT_SUM,
                    "/claimed_total",
                    format!(
                        "claimed total {} is not the sum of the claimed scores {}",
                        show(claimed_total),
                        money::show_checked(claimed_sum)
                    ),
                    format!(
                        "自评总分 {} 不等于各项自评得分之和 {}",
                        show(claimed_total),
                        money::show_checked(claimed_sum)
                    ),
                )
                .num("claimed_total", claimed_total)
                .num("claimed_sum", money::text_checked(claimed_sum)),
            );
        }
    }
    for finding in &mut findings {
        if let Some(policy) = rules.policy_for(&finding.code) {
            *finding = finding.clone().with_policy(policy);
        }
    }
    findings.sort_by_key(|f| pointer_key(&f.pointer));
    let points = points_by_basis(&execution, &rows);
    Outcome {
        rule_set_id: rules.id.clone(),
        rule_set_version: rules.version,
        execution,
        rows,
        total,
        claimed_total,
        points,
        grade: rules.grade_for(total),
        findings,
    }
}

/// The sum of the claimed scores (execution and rows), when the table claims any: the claimed
/// total of a table that prints none.
fn claimed_sum(input: &EvaluationInput) -> Option<Decimal> {
    let claims = input.claimed_scores();
    if claims.is_empty() {
        None
    } else {
        money::sum_checked(claims)
    }
}

/// Splits the points of a total by what they rest on.
fn points_by_basis(execution: &ExecutionScore, rows: &[RowScore]) -> PointsByBasis {
    let mut points = PointsByBasis {
        measured: execution.score,
        ..PointsByBasis::default()
    };
    for row in rows.iter().filter(|r| !r.placeholder) {
        let slot = match (row.basis, row.computed) {
            (Basis::Measured, Some(c)) => (&mut points.measured, c),
            (Basis::Graded, Some(c)) => (&mut points.graded, c),
            (Basis::Claimed, Some(c)) => (&mut points.claimed, c),
            _ => (
                &mut points.unscored_weight,
                row.weight.unwrap_or(Decimal::ZERO),
            ),
        };
        // Each score lies within its weight (at most 10^6): the sums fit.
        if let Some(sum) = slot.0.checked_add(slot.1) {
            *slot.0 = sum;
        }
    }
    points
}
