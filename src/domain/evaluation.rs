//! Evaluation input types (what a unit submits), independent of any web or storage type.
//!
//! JSON Pointers in findings point into these types as serialised (snake_case field names),
//! e.g. `/indicators/3/actual`, `/budget/by_source/1/amount`.
//!
//! Placeholder rows: tables often carry a level-2 line with no level-3 indicator (the seed's
//! `社会成本指标` with nothing else). A row whose level-3 name, target, actual, weight, claimed
//! score and explanation are all empty is a *placeholder*: it is kept, its level-1/level-2 names
//! are still checked (an unknown name is an error wherever it appears), but it is not scored and
//! raises no "missing target/weight" finding. A row with a level-3 name but no target or weight
//! is not a placeholder and is reported.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::finance::SourceAmount;
use super::target::Direction;

/// 部门整体 (附件4) or 项目支出 (附件5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationKind {
    /// 部门整体支出绩效自评
    Department,
    /// 项目支出绩效自评
    Project,
}

impl EvaluationKind {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            EvaluationKind::Department => "部门整体支出",
            EvaluationKind::Project => "项目支出",
        }
    }
}

/// The budget block of a self-evaluation table (万元).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetBlock {
    /// 年初预算数; `None` when the table leaves it blank (the money arrived during the year).
    #[serde(default)]
    pub initial: Option<Decimal>,
    /// 全年预算数 / 调整后预算数
    pub full_year: Decimal,
    /// 全年执行数
    #[serde(default)]
    pub executed: Option<Decimal>,
    /// 分值 as written in the table (checked against the rule set's execution weight).
    #[serde(default)]
    pub weight: Option<Decimal>,
    /// 执行率 as written, e.g. `100%`.
    #[serde(default)]
    pub claimed_rate: Option<String>,
    /// 得分 as claimed by the unit.
    #[serde(default)]
    pub claimed_score: Option<Decimal>,
    /// 按收入性质分: amounts by fund source; they must add up to the full-year budget.
    #[serde(default)]
    pub by_source: Vec<SourceAmount>,
    /// 按支出性质分 — 基本支出.
    #[serde(default)]
    pub basic: Option<Decimal>,
    /// 按支出性质分 — 项目支出. With `basic`, must add up to the full-year budget.
    #[serde(default)]
    pub project: Option<Decimal>,
}

/// The most indicator rows one evaluation may hold. The official tables have a few dozen; the
/// limit keeps every write (and the flat `indicator_results` rows it rewrites) bounded on
/// both databases. Documented in the contract (`maxItems` of `indicators`) and the README.
pub const MAX_INDICATORS: usize = 500;

/// Whether `count` indicator rows are too many for one evaluation.
pub fn too_many_indicators(count: usize) -> bool {
    count > MAX_INDICATORS
}

/// Whether a cell says "nothing here": blank, or one of the marks tables print for "not
/// applicable" (`/`, `—`, `——`, `-`, `无`).
pub fn not_applicable(cell: &str) -> bool {
    matches!(
        cell.trim(),
        "" | "/" | "／" | "—" | "——" | "-" | "--" | "－" | "无" | "…" | "……" | "..." | "......"
    )
}

/// Whether a level-3 cell holds no indicator name: blank, a not-applicable mark, or the
/// template's own placeholder left in the table (`指标2`, `指标2:`, `指标1:/`, `……`).
pub fn is_template_name(level3: &str) -> bool {
    let name: String = level3.chars().filter(|c| !c.is_whitespace()).collect();
    if not_applicable(&name) {
        return true;
    }
    let Some(rest) = name.strip_prefix("指标") else {
        return false;
    };
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
    rest.len() < name.len() - "指标".len()
        && not_applicable(rest.trim_start_matches([':', '：', '.', '、']))
}

/// One line of the indicator table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IndicatorInput {
    /// 一级指标 as written (a group weight such as `（20分）` may follow the name).
    pub level1: String,
    /// 二级指标 as written.
    pub level2: String,
    /// 三级指标; empty on placeholder rows.
    #[serde(default)]
    pub level3: String,
    /// 年度指标值 as written; in the three-cell layout, the 指标值 cell alone.
    #[serde(default)]
    pub target: String,
    /// 指标性质 of the three-cell layout (`≥`, `≤`, `＝`, `定性`, `正向`, `反向`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_nature: Option<String>,
    /// 度量单位 of the three-cell layout (`%`, `元`, `个`); a bare actual takes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_unit: Option<String>,
    /// 实际完成值 as written.
    #[serde(default)]
    pub actual: String,
    /// 分值
    #[serde(default)]
    pub weight: Option<Decimal>,
    /// 得分 as claimed by the unit.
    #[serde(default)]
    pub claimed_score: Option<Decimal>,
    /// 偏差原因分析及改进措施
    #[serde(default)]
    pub deviation_explanation: Option<String>,
    /// Which way the indicator improves; gives a bare number its comparator.
    #[serde(default)]
    pub direction: Option<Direction>,
}

impl IndicatorInput {
    /// Whether the row is an empty placeholder (see the module documentation).
    pub fn is_placeholder(&self) -> bool {
        is_template_name(&self.level3)
            && not_applicable(&self.target)
            && not_applicable(&self.actual)
            && self.weight.is_none()
            && self.claimed_score.is_none()
            && !self.has_explanation()
    }

    /// The target as one text: the 年度指标值 cell, or the three cells put together.
    pub fn target_text(&self) -> String {
        if self.target_nature.is_none() && self.target_unit.is_none() {
            return self.target.clone();
        }
        super::target::compose_target(
            self.target_nature.as_deref().unwrap_or(""),
            &self.target,
            self.target_unit.as_deref().unwrap_or(""),
        )
    }

    /// Whether a deviation explanation is written: a blank cell, `无`, `——` or `/` is none.
    pub fn has_explanation(&self) -> bool {
        self.deviation_explanation
            .as_deref()
            .is_some_and(|e| !super::money::is_not_given(e))
    }
}

/// A whole self-evaluation as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationInput {
    pub kind: EvaluationKind,
    /// Fiscal year.
    pub year: i32,
    pub budget: BudgetBlock,
    pub indicators: Vec<IndicatorInput>,
    /// 总分 as claimed by the unit.
    #[serde(default)]
    pub claimed_total: Option<Decimal>,
}

impl EvaluationInput {
    /// The claimed scores the table prints: the execution score and each row's (placeholders
    /// aside), in table order.
    pub fn claimed_scores(&self) -> Vec<Decimal> {
        self.budget
            .claimed_score
            .into_iter()
            .chain(
                self.indicators
                    .iter()
                    .filter(|r| !r.is_placeholder())
                    .filter_map(|r| r.claimed_score),
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_placeholders_are_not_indicators() {
        for name in [
            "",
            " ",
            "/",
            "……",
            "...",
            "指标2",
            "指标2:",
            "指标1:/",
            "指标 3：",
            "无",
        ] {
            assert!(is_template_name(name), "{name:?}");
        }
        for name in [
            "指标1:工程质量合格",
            "指标16:高血压规范管理数",
            "指标",
            "成本控制",
            "指标性质",
        ] {
            assert!(!is_template_name(name), "{name:?}");
        }
        let row = IndicatorInput {
            level1: "效益指标".into(),
            level2: "生态效益指标".into(),
            level3: "指标1:/".into(),
            target: "/".into(),
            actual: "/".into(),
            ..IndicatorInput::default()
        };
        assert!(row.is_placeholder());
        let scored = IndicatorInput {
            weight: Some(rust_decimal::Decimal::TEN),
            ..row
        };
        assert!(!scored.is_placeholder());
    }
}
