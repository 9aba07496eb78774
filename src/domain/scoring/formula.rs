//! The scoring formulas of measured rows (`≥`, `≤`, `=`) and the bands of qualitative grades.

use rust_decimal::Decimal;

use super::FormulaResult;
use crate::domain::money::{round2, show, show2};
use crate::domain::rules::ReverseFormula;
use crate::domain::target::{AchievementGrade, Comparator};

pub(super) fn clamp_round(raw: Decimal, weight: Decimal) -> Decimal {
    round2(raw.max(Decimal::ZERO).min(weight))
}

/// The early outcomes shared by both directions: the target met gives the full weight (`met`
/// is `≥` or `≤`), a missed target that is not positive gives 0 (`missed` is `<` or `>`).
fn met_or_not_positive(
    w: Decimal,
    t: Decimal,
    a: Decimal,
    met: Option<&str>,
    missed: &str,
) -> Option<FormulaResult> {
    if let Some(met) = met {
        return Some(FormulaResult {
            score: round2(w),
            achieved: true,
            explanation_en: format!("{} {met} {}: full weight {}", show(a), show(t), show2(w)),
            explanation_zh: format!("{} {met} {}，得满分 {}", show(a), show(t), show2(w)),
        });
    }
    (t <= Decimal::ZERO).then(|| FormulaResult {
        score: Decimal::ZERO,
        achieved: false,
        explanation_en: format!(
            "{} {missed} {} (target not positive): 0.00",
            show(a),
            show(t)
        ),
        explanation_zh: format!("{} {missed} {}（目标值不为正）：0.00", show(a), show(t)),
    })
}

/// `w × num / den` for a missed target, explained as “a `missed` t” (`missed_zh` in Chinese).
fn proportional(
    w: Decimal,
    (t, a): (Decimal, Decimal),
    (num, den): (Decimal, Decimal),
    (missed, missed_zh): (&str, &str),
) -> Option<FormulaResult> {
    let score = clamp_round(w.checked_mul(num)?.checked_div(den)?, w);
    let (a, t, w, num, den) = (show(a), show(t), show(w), show(num), show(den));
    Some(FormulaResult {
        score,
        achieved: false,
        explanation_en: format!("{a} {missed} {t}: {w} × {num} / {den} = {}", show2(score)),
        explanation_zh: format!(
            "{a} {missed_zh} {t}：{w} × {num} ÷ {den} = {}",
            show2(score)
        ),
    })
}

fn higher_is_better(w: Decimal, t: Decimal, a: Decimal) -> Option<FormulaResult> {
    if let Some(early) = met_or_not_positive(w, t, a, (a >= t).then_some("≥"), "<") {
        return Some(early);
    }
    proportional(w, (t, a), (a, t), ("<", "未达到"))
}

pub(super) fn lower_is_better(
    w: Decimal,
    t: Decimal,
    a: Decimal,
    formula: ReverseFormula,
) -> Option<FormulaResult> {
    if let Some(early) = met_or_not_positive(w, t, a, (a <= t).then_some("≤"), ">") {
        return Some(early);
    }
    match formula {
        ReverseFormula::Ratio => proportional(w, (t, a), (t, a), (">", "超过")),
        ReverseFormula::Linear => linear_score(w, t, a),
    }
}

/// `max(0, w × (1 − (a − t) / t))` for an actual above a positive target.
fn linear_score(w: Decimal, t: Decimal, a: Decimal) -> Option<FormulaResult> {
    let factor = Decimal::ONE.checked_sub(a.checked_sub(t)?.checked_div(t)?)?;
    let score = clamp_round(w.checked_mul(factor)?, w);
    let (a, t, w) = (show(a), show(t), show(w));
    Some(FormulaResult {
        score,
        achieved: false,
        explanation_en: format!(
            "{a} > {t}: max(0, {w} × (1 − ({a} − {t}) / {t})) = {}",
            show2(score)
        ),
        explanation_zh: format!(
            "{a} 超过 {t}：max(0, {w} × (1 − ({a} − {t}) ÷ {t})) = {}",
            show2(score)
        ),
    })
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
