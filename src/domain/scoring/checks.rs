//! What a row states, checked around its score: names, target, weight and claim ranges before;
//! the claim against the computed score, the deviation explanation and over-achievement after.

use rust_decimal::Decimal;

use super::RowScore;
use super::context::{ReadRow, RowContext, TableShape};
use crate::domain::evaluation::is_template_name;
use crate::domain::finding::{Finding, codes};
use crate::domain::money::{self, round2, show, show2};
use crate::domain::target::{Actual, Parsed, period_in_year};

/// The level-3 name, the target, the weight, the actual and the claim's range.
pub(super) fn stated(ctx: &mut RowContext<'_>, read: &ReadRow, table: TableShape) {
    let row = ctx.row;
    let level3 = row.level3.trim();
    if is_template_name(level3) {
        ctx.push(Finding::new(
            codes::MISSING_LEVEL3,
            ctx.pointer("level3"),
            "level-3 indicator name missing",
            "三级指标名称缺失",
        ));
    }
    let has_target = !read.target_text.trim().is_empty();
    if !has_target {
        ctx.push(Finding::new(
            codes::MISSING_TARGET,
            ctx.pointer("target"),
            format!("“{level3}” has no target value"),
            format!("三级指标“{level3}”缺少年度指标值"),
        ));
    }
    weight(ctx, level3, table);
    if has_target && read.actual == Actual::Missing {
        ctx.push(Finding::new(
            codes::ACTUAL_MISSING,
            ctx.pointer("actual"),
            format!("“{level3}” has no actual value"),
            format!("三级指标“{level3}”缺少实际完成值"),
        ));
    }
    claim_range(ctx);
}

/// A weight missing (or not printed by the table) or not positive.
fn weight(ctx: &mut RowContext<'_>, level3: &str, table: TableShape) {
    match ctx.row.weight {
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
}

/// A claimed score below 0 or above the weight.
fn claim_range(ctx: &mut RowContext<'_>) {
    let row = ctx.row;
    let Some(claimed) = row.claimed_score else {
        return;
    };
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

/// A quantity target without a unit; a target date outside the fiscal year or not a date.
pub(super) fn target_shape(ctx: &mut RowContext<'_>, read: &ReadRow) {
    let year = ctx.year;
    let target_text = read.target_text.trim();
    match &read.target {
        Parsed::Quantitative {
            unit: None, value, ..
        } => ctx.push(
            Finding::new(
                codes::TARGET_NO_UNIT,
                ctx.pointer("target"),
                format!("quantitative target “{target_text}” has no unit"),
                format!("定量指标值“{target_text}”未注明计量单位"),
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
}

/// A claimed score that differs from a score the service computed.
pub(super) fn claim_mismatch(ctx: &mut RowContext<'_>, score: &RowScore) {
    if let (Some(computed), Some(claimed)) = (score.computed, ctx.row.claimed_score)
        && score.basis != super::Basis::Claimed
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
}

/// A score below the weight without a deviation explanation.
pub(super) fn deviation(ctx: &mut RowContext<'_>, score: &RowScore, w: Decimal) {
    // The lower of the computed and the claimed score: a unit that claims less than the weight
    // owes an explanation even where the rules would give full marks.
    let lowest = match (score.computed, ctx.row.claimed_score) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(effective) = lowest
        && effective < w
        && !ctx.row.has_explanation()
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
}

/// A higher-is-better actual above `target × threshold` without an explanation.
pub(super) fn over_achievement(ctx: &mut RowContext<'_>, read: &ReadRow, score: &RowScore) {
    let threshold = ctx.rules.over_achievement_threshold;
    if let (
        Parsed::Quantitative {
            comparator,
            value: t,
            ..
        },
        Actual::Measured { value: a, .. },
        Some(_),
    ) = (&read.target, &read.actual, score.computed)
        && !comparator.is_lower_better()
        && *t > Decimal::ZERO
        && t.checked_mul(threshold).is_some_and(|limit| *a > limit)
        && !ctx.row.has_explanation()
        && let Some(ratio) = a
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|x| x.checked_div(*t))
            .map(|x| money::round_dp(x, 2))
    {
        let percent = money::show_checked(threshold.checked_mul(Decimal::ONE_HUNDRED));
        ctx.push(
            Finding::new(
                codes::OVER_ACHIEVEMENT,
                ctx.pointer("deviation_explanation"),
                format!(
                    "actual {} is {}% of the target {} (threshold {percent}%) with no explanation: was the target set too low?",
                    show(*a),
                    show(ratio),
                    show(*t),
                ),
                format!(
                    "实际完成值 {} 为指标值 {} 的 {}%（超额阈值 {percent}%），未说明原因，指标值可能设置偏低",
                    show(*a),
                    show(*t),
                    show(ratio),
                ),
            )
            .num("actual", a)
            .num("target", t)
            .num("percent_of_target", ratio)
            .num("threshold", threshold),
        );
    }
}
