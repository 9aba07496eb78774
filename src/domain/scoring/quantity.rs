//! The scorer of quantity targets (`≥` / `>`, `≤` / `<`, `=`): arithmetic on a measured actual
//! in the target's unit.

use rust_decimal::Decimal;

use super::context::{RowBasis, RowContext};
use super::formula::score_quantitative;
use crate::domain::target::{Actual, Comparator, Unit};

/// Scores a quantity target against the actual.
pub(super) fn score(
    ctx: &mut RowContext<'_>,
    w: Decimal,
    comparator: Comparator,
    t: Decimal,
    target_unit: Option<&Unit>,
    actual: &Actual,
) -> RowBasis {
    let (why_en, why_zh) = ("a quantitative target", "定量指标需填写实测数值");
    match actual {
        Actual::Measured {
            value: a,
            unit: actual_unit,
            ..
        } => {
            if let (Some(tu), Some(au)) = (target_unit, actual_unit)
                && tu != au
            {
                return ctx.unit_mismatch(tu, au, "target", "指标值");
            }
            let result = score_quantitative(w, comparator, t, *a, ctx.rules.reverse_formula);
            ctx.computed(result)
        }
        Actual::Missing => RowBasis::no_actual(),
        Actual::NotMeasured {
            text,
            implied_grade,
        } => ctx.not_measured(text, *implied_grade, why_en, why_zh),
        other => ctx.not_measured(&other.display(), None, why_en, why_zh),
    }
}
