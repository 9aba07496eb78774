//! The budget execution score: `w × min(executed / full_year, 1)`, and the checks of the stated
//! rate and score.

use rust_decimal::Decimal;

use super::ExecutionScore;
use super::formula::clamp_round;
use crate::domain::evaluation::BudgetBlock;
use crate::domain::finding::{self, Finding, codes};
use crate::domain::money::{round2, show, show2};
use crate::domain::rules::RuleSet;

/// Scores budget execution and checks the stated rate and score.
pub fn score_execution(budget: &BudgetBlock, rules: &RuleSet) -> (ExecutionScore, Vec<Finding>) {
    let w = rules.execution_weight;
    let mut findings = Vec::new();
    let mut result = ExecutionScore {
        weight: w,
        rate: None,
        rate_percent: None,
        score: Decimal::ZERO,
        claimed_score: budget.claimed_score,
        explanation_en: String::new(),
        explanation_zh: String::new(),
    };
    score_rate(budget, w, &mut result, &mut findings);
    if let Some(claimed) = budget.claimed_score {
        findings.extend(claimed_findings(claimed, w, result.score));
    }
    (result, findings)
}

/// The rate and score of an executed amount (or the missing amount's finding).
fn score_rate(
    budget: &BudgetBlock,
    w: Decimal,
    result: &mut ExecutionScore,
    findings: &mut Vec<Finding>,
) {
    match budget.executed {
        None => {
            findings.push(Finding::new(
                codes::BUDGET_EXECUTED_MISSING,
                "/budget/executed",
                "executed amount missing: execution score 0",
                "全年执行数缺失：预算执行得分为0",
            ));
            result.explanation_en = "executed amount missing: 0.00".into();
            result.explanation_zh = "全年执行数缺失：0.00".into();
        }
        Some(executed) if budget.full_year <= Decimal::ZERO => {
            result.explanation_en = format!(
                "full-year budget {}: execution score 0.00",
                show(budget.full_year)
            );
            result.explanation_zh =
                format!("全年预算数为 {}：预算执行得分 0.00", show(budget.full_year));
            if executed > budget.full_year {
                findings.push(over_executed(executed, budget.full_year));
            }
        }
        Some(executed) => {
            let rate = executed.checked_div(budget.full_year);
            result.rate = rate;
            result.rate_percent = rate
                .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
                .map(round2);
            score_positive_budget(executed, budget.full_year, w, result, findings);
            if let Some(stated) = &budget.claimed_rate
                && !stated.trim().is_empty()
            {
                findings.extend(finding::percent_finding(
                    codes::BUDGET_RATE,
                    "/budget/claimed_rate",
                    "execution rate",
                    "执行率",
                    stated,
                    executed,
                    budget.full_year,
                ));
            }
        }
    }
}

/// The score of an executed amount against a positive full-year budget.
fn score_positive_budget(
    executed: Decimal,
    full_year: Decimal,
    w: Decimal,
    result: &mut ExecutionScore,
    findings: &mut Vec<Finding>,
) {
    let (e, f) = (show(executed), show(full_year));
    if executed >= full_year {
        result.score = round2(w);
        result.explanation_en = format!("{} × min({e} / {f}, 1) = {}", show(w), show2(w));
        result.explanation_zh = format!(
            "执行率 {e} ÷ {f} ≥ 100%，得分 {} × 1 = {}",
            show(w),
            show2(w)
        );
        if executed > full_year {
            findings.push(over_executed(executed, full_year));
        }
    } else {
        let score = w
            .checked_mul(executed)
            .and_then(|x| x.checked_div(full_year))
            .map_or(Decimal::ZERO, |raw| clamp_round(raw, w));
        result.score = score;
        result.explanation_en = format!("{} × {e} / {f} = {}", show(w), show2(score));
        result.explanation_zh = format!(
            "执行率 {e} ÷ {f} = {}%，得分 {} × {e} ÷ {f} = {}",
            result.rate_percent.map_or("-".to_string(), show2),
            show(w),
            show2(score)
        );
    }
}

/// The claimed execution score against its range and the computed score.
fn claimed_findings(claimed: Decimal, w: Decimal, computed: Decimal) -> Vec<Finding> {
    let mut findings = Vec::new();
    if claimed < Decimal::ZERO || claimed > w {
        findings.push(
            Finding::new(
                codes::CLAIM_OUT_OF_RANGE,
                "/budget/claimed_score",
                format!(
                    "claimed execution score {} outside [0, {}]",
                    show(claimed),
                    show(w)
                ),
                format!(
                    "预算执行自评得分 {} 不在 [0, {}] 内",
                    show(claimed),
                    show(w)
                ),
            )
            .num("claimed", claimed)
            .num("weight", w),
        );
    }
    if round2(claimed) != computed {
        findings.push(
            Finding::new(
                codes::CLAIM_MISMATCH,
                "/budget/claimed_score",
                format!(
                    "claimed execution score {} differs from computed {}",
                    show(claimed),
                    show2(computed)
                ),
                format!(
                    "预算执行自评得分 {} 与计算得分 {} 不一致",
                    show(claimed),
                    show2(computed)
                ),
            )
            .num("claimed", claimed)
            .num("computed", computed),
        );
    }
    findings
}

fn over_executed(executed: Decimal, full_year: Decimal) -> Finding {
    Finding::new(
        codes::BUDGET_OVER_EXECUTED,
        "/budget/executed",
        format!(
            "executed {} is above the full-year budget {}",
            show(executed),
            show(full_year)
        ),
        format!(
            "全年执行数 {} 超过全年预算数 {}",
            show(executed),
            show(full_year)
        ),
    )
    .num("executed", executed)
    .num("full_year", full_year)
}
