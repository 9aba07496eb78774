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
//!
//! Layout: `formula` the formulas and grade bands, `execution` the execution score, `row`
//! one indicator row (checked in `checks`), scored by the scorer of its target kind
//! (`quantity`, `time`, `qualitative`), its basis settled in `basis`; this file the types and
//! [`evaluate`], which adds the rows up.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::evaluation::EvaluationInput;
use super::finding::{Finding, Severity, codes};
use super::money::{self, round2, show, show2};
use super::review;
use super::rules::{Grade, RuleSet};
use super::target::{Actual, Parsed};
use super::tree::{Level1, Level2};

mod basis;
mod checks;
mod context;
mod execution;
mod formula;
mod qualitative;
mod quantity;
mod row;
mod time;

#[cfg(test)]
mod props;

pub use execution::score_execution;
pub use formula::{grade_band, in_band, score_quantitative};

use context::TableShape;
use row::score_row;

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
    let (rows, row_findings) = score_rows(input, rules, execution.weight);
    findings.extend(row_findings);
    let (row_sum, total) = add_up(execution.score, &rows, &mut findings);
    let claimed_total = input.claimed_total.or_else(|| claimed_sum(input));
    if let Some(claimed_total) = claimed_total {
        let computed = Totals {
            total,
            execution: execution.score,
            rows: row_sum,
        };
        findings.extend(total_mismatch(claimed_total, &computed));
        findings.extend(total_not_sum(input, claimed_total));
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

/// Recognises the names, scores every row and reviews the weights (or, in a table that prints
/// none, the points printed in the headers).
fn score_rows(
    input: &EvaluationInput,
    rules: &RuleSet,
    execution_weight: Decimal,
) -> (Vec<RowScore>, Vec<Finding>) {
    let (places, mut findings) = review::review_names(input, rules);
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
            execution_weight,
        ));
    }
    (rows, findings)
}

/// The sum of the row scores and the total (at most 100).
fn add_up(
    execution: Decimal,
    rows: &[RowScore],
    findings: &mut Vec<Finding>,
) -> (Decimal, Decimal) {
    // Row scores lie within their weights (at most 10^6 each), so this sum fits; were it ever
    // beyond the decimal range, the total is not computable: 0 with an error finding.
    let row_sum = money::sum_checked(rows.iter().filter_map(|r| r.computed))
        .and_then(|s| execution.checked_add(s).map(|total| (s, total)));
    match row_sum {
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
    }
}

/// The computed total and its two parts.
struct Totals {
    total: Decimal,
    execution: Decimal,
    rows: Decimal,
}

/// A claimed total that differs from the computed one.
fn total_mismatch(claimed_total: Decimal, computed: &Totals) -> Option<Finding> {
    let Totals {
        total,
        execution,
        rows,
    } = *computed;
    (round2(claimed_total) != total).then(|| {
        Finding::new(
            codes::TOTAL_MISMATCH,
            "/claimed_total",
            format!(
                "claimed total {} but computed total {} = {} (execution) + {} (indicators)",
                show(claimed_total),
                show2(total),
                show2(execution),
                show2(rows)
            ),
            format!(
                "自评总分 {}，计算总分 {} = {}（预算执行）＋ {}（绩效指标）",
                show(claimed_total),
                show2(total),
                show2(execution),
                show2(rows)
            ),
        )
        .num("claimed", claimed_total)
        .num("computed", total)
    })
}

/// A printed claimed total that is not the sum of the claimed scores.
fn total_not_sum(input: &EvaluationInput, claimed_total: Decimal) -> Option<Finding> {
    let claimed_sum = claimed_sum(input);
    if input.claimed_total.is_none() || claimed_sum.is_none_or(|sum| sum == claimed_total) {
        return None;
    }
    Some(
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
    )
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
