//! The scorers of time targets: a period (finish by its end; a late finish is scored like `≤` on
//! day counts from its start) and a duration (a time limit, scored like `≤` on the span).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::FormulaResult;
use super::context::{RowBasis, RowContext};
use super::formula::lower_is_better;
use crate::domain::money::show;
use crate::domain::target::{Actual, Unit, days_inclusive, period_in_year, span_end_exclusive};

fn with_context(mut result: FormulaResult, en: &str, zh: &str) -> FormulaResult {
    result.explanation_en = format!("{en}: {}", result.explanation_en);
    result.explanation_zh = format!("{zh}：{}", result.explanation_zh);
    result
}

fn deadline_score(
    ctx: &mut RowContext<'_>,
    w: Decimal,
    origin: NaiveDate,
    deadline: NaiveDate,
    finish: NaiveDate,
) -> RowBasis {
    let t_days = Decimal::from(days_inclusive(origin, deadline));
    let a_days = Decimal::from(days_inclusive(origin, finish));
    let result = lower_is_better(w, t_days, a_days, ctx.rules.reverse_formula).map(|r| {
        with_context(
            r,
            &format!("finished {finish}, deadline {deadline}; days from {origin}"),
            &format!("完成于 {finish}，期限 {deadline}；自 {origin} 起天数"),
        )
    });
    ctx.computed(result)
}

fn months_of(value: Decimal, unit: &Unit) -> Option<Decimal> {
    match unit {
        Unit::Year => value.checked_mul(Decimal::from(12)),
        Unit::Month => Some(value),
        _ => None,
    }
}

/// Scores a target period (`2024年1月-6月`) against the actual.
pub(super) fn score_period(
    ctx: &mut RowContext<'_>,
    w: Decimal,
    start: NaiveDate,
    end: NaiveDate,
    actual: &Actual,
) -> RowBasis {
    if !period_in_year(start, end, ctx.year) {
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
            if !period_in_year(*a_start, *a_end, ctx.year) {
                return ctx.invalid_actual_date(format!("{a_start} – {a_end}"));
            }
            deadline_score(ctx, w, start, end, *a_end)
        }
        Actual::Duration { value, unit } => {
            match span_end_exclusive(start, *value, unit).and_then(|d| d.pred_opt()) {
                Some(finish) => deadline_score(ctx, w, start, end, finish),
                None => ctx.not_computable(
                    "the duration is not a whole number of years, months or days",
                    "时长不是整年、整月或整天",
                ),
            }
        }
        other => not_a_time(
            ctx,
            other,
            (
                "a time target",
                "a date range or duration",
                "时效指标需填写完成日期或期间",
            ),
        ),
    }
}

/// Scores a time limit (`6个月`) against the actual.
pub(super) fn score_duration(
    ctx: &mut RowContext<'_>,
    w: Decimal,
    t: Decimal,
    t_unit: &Unit,
    actual: &Actual,
) -> RowBasis {
    match actual {
        Actual::Duration {
            value: a,
            unit: a_unit,
        } => duration_against_duration(ctx, w, (t, t_unit), (*a, a_unit)),
        Actual::Period { start, end } => {
            if !period_in_year(*start, *end, ctx.year) {
                return ctx.invalid_actual_date(format!("{start} – {end}"));
            }
            period_against_duration(ctx, w, (t, t_unit), *start, *end)
        }
        other => not_a_time(
            ctx,
            other,
            (
                "a time limit",
                "a duration or date range",
                "时效指标需填写用时或完成期间",
            ),
        ),
    }
}

/// A time taken against a time limit, in the same unit or both in months.
fn duration_against_duration(
    ctx: &mut RowContext<'_>,
    w: Decimal,
    (t, t_unit): (Decimal, &Unit),
    (a, a_unit): (Decimal, &Unit),
) -> RowBasis {
    let pair = if t_unit == a_unit {
        Some((t, a))
    } else {
        months_of(t, t_unit).zip(months_of(a, a_unit))
    };
    let Some((tv, av)) = pair else {
        return ctx.unit_mismatch(t_unit, a_unit, "time limit", "时限");
    };
    let result = lower_is_better(w, tv, av, ctx.rules.reverse_formula).map(|r| {
        with_context(
            r,
            &format!(
                "took {} {}, limit {} {}",
                show(a),
                a_unit.symbol(),
                show(t),
                t_unit.symbol()
            ),
            &format!(
                "用时 {} {}，时限 {} {}",
                show(a),
                a_unit.symbol(),
                show(t),
                t_unit.symbol()
            ),
        )
    });
    ctx.computed(result)
}

/// The days of a period against a time limit counted from the period's start.
fn period_against_duration(
    ctx: &mut RowContext<'_>,
    w: Decimal,
    (t, t_unit): (Decimal, &Unit),
    start: NaiveDate,
    end: NaiveDate,
) -> RowBasis {
    let Some(limit_end) = span_end_exclusive(start, t, t_unit) else {
        return ctx.not_computable(
            "the time limit is not a whole number of years, months or days",
            "时限不是整年、整月或整天",
        );
    };
    let t_days = Decimal::from((limit_end - start).num_days());
    let a_days = Decimal::from(days_inclusive(start, end));
    let result = lower_is_better(w, t_days, a_days, ctx.rules.reverse_formula).map(|r| {
        with_context(
            r,
            &format!(
                "{start} – {end} is {a_days} days, limit {} {} = {t_days} days",
                show(t),
                t_unit.symbol()
            ),
            &format!(
                "{start} 至 {end} 共 {a_days} 天，时限 {} {} 即 {t_days} 天",
                show(t),
                t_unit.symbol()
            ),
        )
    });
    ctx.computed(result)
}

/// An actual that is no date range or duration for a time target (`what`, with the `needed`
/// actual; `why_zh` says both in Chinese): an invalid date, nothing, or a wording.
fn not_a_time(
    ctx: &mut RowContext<'_>,
    actual: &Actual,
    (what, needed, why_zh): (&str, &str, &str),
) -> RowBasis {
    match actual {
        Actual::InvalidDate { text } => ctx.invalid_actual_date(format!("“{text}”")),
        Actual::Missing => RowBasis::no_actual(),
        Actual::NotMeasured {
            text,
            implied_grade,
        } => ctx.not_measured(
            text,
            *implied_grade,
            &format!("{what} ({needed} is needed)"),
            why_zh,
        ),
        other => ctx.not_measured(&other.display(), None, what, why_zh),
    }
}
