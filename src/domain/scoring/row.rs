//! One indicator row: read its target and actual, check what it states, pick the scorer of its
//! target kind ([`quantity`](super::quantity), [`time`](super::time),
//! [`qualitative`](super::qualitative)) and settle what the score rests on ([`basis`](super::basis)).

use rust_decimal::Decimal;

use super::context::{ReadRow, RowBasis, RowContext, TableShape};
use super::{ActualView, Basis, ParsedView, RowScore};
use super::{basis, checks, qualitative, quantity, time};
use crate::domain::evaluation::{IndicatorInput, not_applicable};
use crate::domain::finding::Finding;
use crate::domain::review::RowPlace;
use crate::domain::rules::RuleSet;
use crate::domain::target::{self, Actual, ActualContext, Direction, Parsed};
use crate::domain::tree::{Level1, Level2};

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

/// Parses a row's target and actual in the fiscal year, through the rule set's vocabulary.
fn read_row(row: &IndicatorInput, place: &RowPlace, year: i32, rules: &RuleSet) -> ReadRow {
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
    ReadRow {
        target_text,
        target,
        actual,
    }
}

/// The row's score before any scoring: what it states and how it was read.
fn unscored(index: usize, row: &IndicatorInput, place: &RowPlace, read: &ReadRow) -> RowScore {
    RowScore {
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
            display: read.target.display(),
            parsed: read.target.clone(),
        },
        actual_text: row.actual.clone(),
        actual: ActualView {
            display: read.actual.display(),
            parsed: read.actual.clone(),
        },
        explanation_en: String::new(),
        explanation_zh: String::new(),
    }
}

/// Scores one row: its score and its findings.
pub(super) fn score_row(
    index: usize,
    row: &IndicatorInput,
    place: &RowPlace,
    year: i32,
    rules: &RuleSet,
    table: TableShape,
) -> (RowScore, Vec<Finding>) {
    let read = read_row(row, place, year, rules);
    let mut score = unscored(index, row, place, &read);
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
    checks::stated(&mut ctx, &read, table);
    checks::target_shape(&mut ctx, &read);
    let Some(w) = row.weight.filter(|w| *w > Decimal::ZERO) else {
        basis::unweighted(&mut score, row, table);
        return (score, ctx.findings);
    };
    let row_basis = if read.target_text.trim().is_empty() {
        RowBasis::NotVerified("no target".into(), "无指标值".into())
    } else {
        score_basis(&mut ctx, w, &read.target, &read.actual)
    };
    basis::settle(&mut ctx, &mut score, w, row_basis);
    checks::claim_mismatch(&mut ctx, &score);
    checks::deviation(&mut ctx, &score, w);
    checks::over_achievement(&mut ctx, &read, &score);
    (score, ctx.findings)
}

/// The scorer of the row's target kind.
fn score_basis(ctx: &mut RowContext<'_>, w: Decimal, target: &Parsed, actual: &Actual) -> RowBasis {
    match target {
        Parsed::Quantitative {
            comparator,
            value,
            unit,
            ..
        } => quantity::score(ctx, w, *comparator, *value, unit.as_ref(), actual),
        Parsed::Period { start, end } => time::score_period(ctx, w, *start, *end, actual),
        Parsed::Duration { value, unit } => time::score_duration(ctx, w, *value, unit, actual),
        Parsed::InvalidDate { .. } => RowBasis::NotComputed(
            "not computed: the target date is invalid".into(),
            "未计算：指标值日期无效".into(),
        ),
        Parsed::Qualitative { text } => qualitative::score(ctx, text, actual),
    }
}
