//! What the scorers of a row share: the row being scored with its findings so far
//! ([`RowContext`]), what its score rests on ([`RowBasis`]), the row as read ([`ReadRow`]) and
//! what the table says about weights ([`TableShape`]).

use super::FormulaResult;
use crate::domain::evaluation::IndicatorInput;
use crate::domain::finding::{Finding, codes};
use crate::domain::rules::RuleSet;
use crate::domain::target::{AchievementGrade, Actual, Parsed, Unit};

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
