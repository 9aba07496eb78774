//! The finance bureau's review on the printed table: the 复核 score and the 扣分原因 of each
//! scored line, and the reviewed total and opinion under the table.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::escape_lines;
use crate::domain::money::show2;
use crate::domain::review_score::{self as rs, Facts, LineFacts, Review, Scored};
use crate::domain::rules::RuleSet;
use crate::domain::scoring::Outcome;

/// The engine's facts of every scored line of an outcome.
pub fn facts(outcome: &Outcome) -> Facts {
    Facts {
        execution: LineFacts {
            weight: Some(outcome.execution.weight),
            claimed: outcome.execution.claimed_score,
            computed: Some(outcome.execution.score),
        },
        rows: outcome
            .rows
            .iter()
            .map(|r| LineFacts {
                weight: r.weight,
                claimed: r.claimed,
                computed: r.computed,
            })
            .collect(),
    }
}

/// The 复核 and 扣分原因 cells of a line (blank when the line is not reviewed).
pub fn cells(scored: Option<&Scored>, facts: Option<&LineFacts>) -> String {
    let Some(s) = scored else {
        return "<td class=\"num reviewed\"></td><td class=\"txt reason\"></td>".to_owned();
    };
    let deduction = facts.map_or(Decimal::ZERO, |f| rs::deduction(s.score, f));
    let mark = if deduction > Decimal::ZERO {
        format!("<div class=\"sub\">扣 {}</div>", show2(deduction))
    } else {
        String::new()
    };
    let reason = s.reason.as_deref().map(escape_lines).unwrap_or_default();
    format!(
        "<td class=\"num reviewed\">{}{mark}</td><td class=\"txt reason\">{reason}</td>",
        show2(s.score)
    )
}

/// The 复核 and 扣分原因 cells of indicator row `index`.
pub fn row_cells(review: Option<&Review>, facts: &Facts, index: usize) -> String {
    cells(
        review.and_then(|r| rs::row_score(r, index)),
        facts.rows.get(index),
    )
}

/// The 复核 and 扣分原因 cells of budget execution.
pub fn execution_cells(review: Option<&Review>, facts: &Facts) -> String {
    cells(
        review.and_then(|r| r.execution.as_ref()),
        Some(&facts.execution),
    )
}

/// The reviewed total's cells of the 总分 row.
pub fn total_cells(review: Option<&Review>, facts: &Facts, rules: &RuleSet) -> String {
    match review.and_then(|r| rs::reviewed_grade(r, facts, rules)) {
        Some((total, grade)) => format!(
            "<td class=\"num reviewed\">{}</td><td class=\"txt reason\">复核等级：{}</td>",
            show2(total),
            grade.label_zh()
        ),
        None => "<td class=\"num reviewed\"></td><td class=\"txt reason\"></td>".to_owned(),
    }
}

/// The finance bureau's opinion (复核意见) under the table, when there is a review.
pub fn write_opinion(out: &mut String, review: Option<&Review>, facts: &Facts, rules: &RuleSet) {
    let Some(review) = review else { return };
    let total = rs::reviewed_grade(review, facts, rules)
        .map(|(t, g)| format!("复核总分 {}，等级 {}", show2(t), g.label_zh()))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<h2>财政复核意见 Review</h2>\n<table class=\"goal\"><tr><th style=\"width:11%\">复核意见</th><td>{}</td></tr>\
         <tr><th>复核结果</th><td>{total}</td></tr></table>",
        review
            .opinion
            .as_deref()
            .map(escape_lines)
            .unwrap_or_default()
    );
}
