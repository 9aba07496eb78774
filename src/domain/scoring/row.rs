//! One indicator row: read its target and actual, check what it states, pick the scorer of its
//! target kind ([`quantity`](super::quantity), [`time`](super::time),
//! [`qualitative`](super::qualitative)) and settle what the score rests on ([`basis`](super::basis)).

use rust_decimal::Decimal;

use super::{ActualView, Basis, FormulaResult, ParsedView, RowScore};
use super::{basis, checks, qualitative, quantity, time};
use crate::domain::evaluation::{IndicatorInput, not_applicable};
use crate::domain::finding::{Finding, codes};
use crate::domain::review::RowPlace;
use crate::domain::rules::RuleSet;
use crate::domain::target::{
    self, AchievementGrade, Actual, ActualContext, Direction, Parsed, Unit,
};
use crate::domain::tree::{Level1, Level2};

/// How a row's score is determined.
pub(super) enum RowBasis {
    Computed(FormulaResult),
    Band(AchievementGrade),
    /// The row cannot be verified (a wording, an unknown unit): the claimed score stands.
    NotVerified(String, String),
    NotComputed(String, String),
}

impl RowBasis {
    /// No actual written: the claimed score stands.
    pub(super) fn no_actual() -> RowBasis {
        RowBasis::NotVerified("no actual".into(), "无实际完成值".into())
    }
}

/// The row being scored and the findings raised so far.
pub(super) struct RowContext<'a> {
    pub(super) index: usize,
    pub(super) row: &'a IndicatorInput,
    pub(super) year: i32,
    pub(super) rules: &'a RuleSet,
    pub(super) findings: Vec<Finding>,
}

impl RowContext<'_> {
    pub(super) fn pointer(&self, field: &str) -> String {
        format!("/indicators/{}/{field}", self.index)
    }

    pub(super) fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub(super) fn not_measured(
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

    pub(super) fn invalid_actual_date(&mut self, shown: String) -> RowBasis {
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

    pub(super) fn not_computable(&mut self, en: &str, zh: &str) -> RowBasis {
        self.push(Finding::new(
            codes::NOT_COMPUTABLE,
            self.pointer("actual"),
            format!("score not computable: {en}"),
            format!("无法计算得分：{zh}"),
        ));
        RowBasis::NotComputed(format!("not computed: {en}"), format!("未计算：{zh}"))
    }

    /// A formula's result, or `not_computable` when the arithmetic overflowed.
    pub(super) fn computed(&mut self, result: Option<FormulaResult>) -> RowBasis {
        match result {
            Some(r) => RowBasis::Computed(r),
            None => self.not_computable("arithmetic overflow", "数值溢出"),
        }
    }

    /// Units that do not convert: the actual in one, the target (`what`) in another.
    pub(super) fn unit_mismatch(
        &mut self,
        target_unit: &Unit,
        actual_unit: &Unit,
        what_en: &str,
        what_zh: &str,
    ) -> RowBasis {
        let (t, a) = (target_unit.symbol(), actual_unit.symbol());
        self.push(
            Finding::new(
                codes::ACTUAL_UNIT_MISMATCH,
                self.pointer("actual"),
                format!("actual in {a} but the {what_en} is in {t}"),
                format!("实际完成值单位为 {a}，{what_zh}单位为 {t}"),
            )
            .num("target_unit", t)
            .num("actual_unit", a),
        );
        RowBasis::NotVerified(
            "units that do not convert".into(),
            "计量单位不一致且无法换算".into(),
        )
    }
}

/// What a table says about its weights: whether it prints a weight on any row (a table with no
/// 分值 column prints only scores, and each row's claimed score is its score).
#[derive(Debug, Clone, Copy)]
pub(super) struct TableShape {
    pub(super) weights_printed: bool,
}

/// A row's texts as scored (the year filled in, `不适用` emptied) and what they parse to.
pub(super) struct ReadRow {
    pub(super) target_text: String,
    pub(super) target: Parsed,
    pub(super) actual: Actual,
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
