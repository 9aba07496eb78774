//! The structural review of an evaluation (indicator tree, weights, duplicates, the budget
//! block's breakdowns). The finding type, codes and catalogue live in [`super::finding`] and are
//! re-exported here for the paths outside the domain.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::evaluation::{BudgetBlock, EvaluationInput, IndicatorInput};
use super::finding::sum_finding;
use super::money;
use super::rules::RuleSet;
use super::tree::{self, Level1, Level2};

pub use super::finding::{
    CATALOGUE, CatalogueEntry, Finding, Policy, Severity, catalogue_entry, codes,
};

/// The budget block's breakdowns: by source and by expenditure type against the full-year
/// budget, and the stated weight against the rule set.
pub fn review_budget(budget: &BudgetBlock, rules: &RuleSet) -> Vec<Finding> {
    let mut findings = Vec::new();
    let executed = budget.executed.unwrap_or(Decimal::ZERO);
    let initial = budget.initial.unwrap_or(Decimal::ZERO);
    if budget.full_year.is_zero() && executed.is_zero() && initial.is_zero() {
        findings.push(Finding::new(
            codes::BUDGET_EMPTY,
            "/budget/full_year",
            "the budget row is empty or all zero: execution cannot be measured",
            "预算执行行为空或全为0：无法衡量预算执行情况",
        ));
    } else if initial > budget.full_year
        && !budget.full_year.is_zero()
        && budget.executed == Some(budget.full_year)
    {
        let (from, to) = (money::show(initial), money::show(budget.full_year));
        findings.push(
            Finding::new(
                codes::BUDGET_ADJUSTED_TO_SPEND,
                "/budget/full_year",
                format!(
                    "the full-year budget was cut from {from} to {to}, exactly the amount spent"
                ),
                format!("全年预算数由年初 {from} 调减至 {to}，恰好等于执行数"),
            )
            .num("initial", initial)
            .num("full_year", budget.full_year),
        );
    }
    if let Some(weight) = budget.weight
        && weight != rules.execution_weight
    {
        let (stated, ruled) = (money::show(weight), money::show(rules.execution_weight));
        findings.push(
            Finding::new(
                codes::BUDGET_WEIGHT,
                "/budget/weight",
                format!("budget execution weight {stated} differs from the rule set's {ruled}"),
                format!("预算执行率分值 {stated} 与规则集规定的 {ruled} 不一致"),
            )
            .num("weight", weight)
            .num("rule_set_weight", rules.execution_weight),
        );
    }
    if !budget.by_source.is_empty() {
        let parts: Vec<Decimal> = budget.by_source.iter().map(|s| s.amount).collect();
        findings.extend(sum_finding(
            codes::BUDGET_SOURCES,
            "/budget/by_source",
            "amounts by fund source vs full-year budget",
            "按收入性质分的资金与年度资金总额",
            budget.full_year,
            &parts,
            None,
        ));
    }
    if let (Some(basic), Some(project)) = (budget.basic, budget.project) {
        findings.extend(sum_finding(
            codes::BUDGET_SPLIT,
            "/budget/project",
            "基本支出 + 项目支出 vs full-year budget",
            "基本支出＋项目支出与年度资金总额",
            budget.full_year,
            &[basic, project],
            None,
        ));
    }
    findings
}

/// A recognised row position in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowPlace {
    pub level1: Option<Level1>,
    pub level2: Option<Level2>,
    pub header_weight: Option<Decimal>,
}

/// Recognises the names of every row (unknown names and tree-shape problems as findings).
pub fn review_names(input: &EvaluationInput, rules: &RuleSet) -> (Vec<RowPlace>, Vec<Finding>) {
    let mut findings = Vec::new();
    let places = input
        .indicators
        .iter()
        .enumerate()
        .map(|(i, row)| place_of(i, row, rules, &mut findings))
        .collect();
    (places, findings)
}

/// Where one row sits in the tree (its level-1 and level-2 names, read leniently).
fn place_of(
    i: usize,
    row: &IndicatorInput,
    rules: &RuleSet,
    findings: &mut Vec<Finding>,
) -> RowPlace {
    let mut place = RowPlace {
        level1: None,
        level2: None,
        header_weight: None,
    };
    match read_level1(i, row, findings) {
        Ok(name) => {
            place.level1 = Some(name.level1);
            place.header_weight = name.header_weight;
            if name.level1 == Level1::Cost && !rules.tree_shape.allows_cost_level1() {
                findings.push(Finding::new(
                    codes::TREE_SHAPE,
                    format!("/indicators/{i}/level1"),
                    format!(
                        "rule set {} puts 成本指标 under 产出指标, not as a level-1 name",
                        rules.id
                    ),
                    format!(
                        "规则集 {} 中成本指标为产出指标下的二级指标，不能作为一级指标",
                        rules.id
                    ),
                ));
            }
            place.level2 = read_level2(i, row, name.level1, rules, findings);
        }
        Err(unknown) => findings.push(unknown_finding(
            codes::UNKNOWN_LEVEL1,
            format!("/indicators/{i}/level1"),
            &unknown,
            None,
        )),
    }
    place
}

/// The level-1 name: as written, a variant of a standard name, or (when none is printed) the
/// one the level-2 name implies.
fn read_level1(
    i: usize,
    row: &IndicatorInput,
    findings: &mut Vec<Finding>,
) -> Result<tree::Level1Name, tree::UnknownName> {
    tree::parse_level1(&row.level1).or_else(|unknown| {
        if let Some(name) = tree::level1_variant(&row.level1) {
            findings.push(variant_finding(
                format!("/indicators/{i}/level1"),
                &row.level1,
                name.level1.label_zh(),
            ));
            return Ok(name);
        }
        let name = tree::level1_from_level2(&row.level1, &row.level2).ok_or(unknown)?;
        let standard = name.level1.label_zh();
        findings.push(
            Finding::new(
                codes::LABEL_VARIANT,
                format!("/indicators/{i}/level1"),
                format!(
                    "no level-1 name printed (“{}”): read as “{standard}” from the level-2 name “{}”",
                    row.level1.trim(),
                    row.level2.trim()
                ),
                format!(
                    "一级指标未列名称（“{}”）：按二级指标“{}”视为“{standard}”",
                    row.level1.trim(),
                    row.level2.trim()
                ),
            )
            .num("standard", standard),
        );
        Ok(name)
    })
}

/// The level-2 name under `level1`, as written or a variant; `None` (with a finding) when
/// unknown.
fn read_level2(
    i: usize,
    row: &IndicatorInput,
    level1: Level1,
    rules: &RuleSet,
    findings: &mut Vec<Finding>,
) -> Option<Level2> {
    let level2 = tree::parse_level2(&row.level2, level1).or_else(|unknown| {
        let level2 = tree::level2_variant(&row.level2, level1).ok_or(unknown)?;
        findings.push(variant_finding(
            format!("/indicators/{i}/level2"),
            &row.level2,
            level2.label_zh(),
        ));
        Ok(level2)
    });
    match level2 {
        Ok(level2) => {
            if level2 == Level2::OutputCost && !rules.tree_shape.allows_cost_under_output() {
                findings.push(Finding::new(
                    codes::TREE_SHAPE,
                    format!("/indicators/{i}/level2"),
                    format!(
                        "rule set {} has 成本指标 as a level-1 name, not under 产出指标",
                        rules.id
                    ),
                    format!(
                        "规则集 {} 中成本指标为一级指标，不能作为产出指标下的二级指标",
                        rules.id
                    ),
                ));
            }
            Some(level2)
        }
        Err(unknown) => {
            findings.push(unknown_finding(
                codes::UNKNOWN_LEVEL2,
                format!("/indicators/{i}/level2"),
                &unknown,
                Some(level1),
            ));
            None
        }
    }
}

fn variant_finding(pointer: String, written: &str, standard: &str) -> Finding {
    let written = written.trim();
    Finding::new(
        codes::LABEL_VARIANT,
        pointer,
        format!("“{written}” read as the standard name “{standard}”"),
        format!("“{written}”按规范名称“{standard}”处理"),
    )
    .num("standard", standard)
}

fn unknown_finding(
    code: &str,
    pointer: String,
    unknown: &tree::UnknownName,
    parent: Option<Level1>,
) -> Finding {
    let allowed = unknown.allowed.join("、");
    let (kind_en, kind_zh) = match parent {
        Some(_) => ("level-2", "二级指标"),
        None => ("level-1", "一级指标"),
    };
    let parent_en = parent.map_or(String::new(), |p| format!(" under {}", p.label_zh()));
    let parent_zh = parent.map_or(String::new(), |p| format!("（{}下）", p.label_zh()));
    let hint_en = unknown
        .suggestion
        .as_ref()
        .map_or(String::new(), |s| format!("; did you mean {s}?"));
    let hint_zh = unknown
        .suggestion
        .as_ref()
        .map_or(String::new(), |s| format!("；是否应为“{s}”？"));
    let mut finding = Finding::new(
        code,
        pointer,
        format!(
            "unknown {kind_en} name “{}”{parent_en}; allowed: {allowed}{hint_en}",
            unknown.written
        ),
        format!(
            "{kind_zh}名称“{}”不在指标体系内{parent_zh}，允许的名称：{allowed}{hint_zh}",
            unknown.written
        ),
    );
    if let Some(s) = &unknown.suggestion {
        finding = finding.num("suggestion", s);
    }
    finding
}

/// For a table that prints no weight per row: the points printed after the level-1 names
/// (`产出指标（60分）`) and the execution weight must make 100 (a table headed 20 + 60 + 40 does
/// not), and the claimed scores of a group may not exceed its printed points.
pub fn review_printed_points(
    input: &EvaluationInput,
    places: &[RowPlace],
    execution_weight: Decimal,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut groups: Vec<(Level1, Decimal, usize)> = Vec::new();
    for (i, place) in places.iter().enumerate() {
        if let (Some(level1), Some(points)) = (place.level1, place.header_weight)
            && !groups.iter().any(|(l, _, _)| *l == level1)
        {
            groups.push((level1, points, i));
        }
    }
    if groups.is_empty() {
        return findings;
    }
    let printed = money::sum_checked(
        groups
            .iter()
            .map(|(_, p, _)| *p)
            .chain(std::iter::once(execution_weight)),
    );
    if printed != Some(Decimal::ONE_HUNDRED) {
        let terms: Vec<String> = std::iter::once(money::show(execution_weight))
            .chain(groups.iter().map(|(_, p, _)| money::show(*p)))
            .collect();
        let total = money::show_checked(printed);
        findings.push(
            Finding::new(
                codes::TOTAL_WEIGHT,
                "/indicators",
                format!(
                    "the printed points (execution, then each level-1 group) add up to {} = {total}, not 100",
                    terms.join(" + ")
                ),
                format!(
                    "表中所列分值（预算执行及各一级指标）合计 {} = {total}，不等于100",
                    terms.join(" + ")
                ),
            )
            .num("total", total),
        );
    }
    for (level1, points, first) in groups {
        let claimed = money::sum_checked(
            input
                .indicators
                .iter()
                .zip(places)
                .filter(|(row, place)| place.level1 == Some(level1) && !row.is_placeholder())
                .filter_map(|(row, _)| row.claimed_score),
        );
        if let Some(claimed) = claimed.filter(|c| *c > points) {
            let (group, sum, printed) =
                (level1.label_zh(), money::show(claimed), money::show(points));
            findings.push(
                Finding::new(
                    codes::GROUP_WEIGHT,
                    format!("/indicators/{first}/level1"),
                    format!(
                        "the claimed scores of {group} add up to {sum}, above its printed {printed} points"
                    ),
                    format!("{group}自评得分合计 {sum}，超过所列 {printed} 分"),
                )
                .num("sum", claimed)
                .num("printed_points", points),
            );
        }
    }
    findings
}

/// Group weights, total weight, header weights and duplicate level-3 names.
pub fn review_weights(
    input: &EvaluationInput,
    places: &[RowPlace],
    rules: &RuleSet,
) -> Vec<Finding> {
    let mut findings = header_weights(places, rules);
    findings.extend(group_weights(input, places, rules));
    findings.extend(total_weight(input, rules));
    findings.extend(duplicate_level3(input, places));
    findings
}

/// Header weights written after level-1 names, once per group and value, against the rule set.
fn header_weights(places: &[RowPlace], rules: &RuleSet) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen_headers: Vec<(Level1, Decimal)> = Vec::new();
    for (i, place) in places.iter().enumerate() {
        if let (Some(level1), Some(header)) = (place.level1, place.header_weight) {
            if seen_headers.contains(&(level1, header)) {
                continue;
            }
            seen_headers.push((level1, header));
            if let Some(rule_weight) = rules.weight_of(level1)
                && rule_weight != header
            {
                let (group, headed) = (level1.label_zh(), money::show(header));
                let ruled = money::show(rule_weight);
                findings.push(
                    Finding::new(
                        codes::HEADER_WEIGHT,
                        format!("/indicators/{i}/level1"),
                        format!(
                            "{group} is headed “{headed} points” but the rule set gives the group {ruled}"
                        ),
                        format!("{group}标注 {headed} 分，但规则集规定该组 {ruled} 分"),
                    )
                    .num("header_weight", header)
                    .num("rule_set_weight", rule_weight),
                );
            }
        }
    }
    findings
}

/// The weights of each level-1 group against the rule set.
fn group_weights(input: &EvaluationInput, places: &[RowPlace], rules: &RuleSet) -> Vec<Finding> {
    let mut findings = Vec::new();
    for group in &rules.level1_weights {
        let rows: Vec<(usize, Decimal)> = input
            .indicators
            .iter()
            .zip(places)
            .enumerate()
            .filter(|(_, (row, place))| place.level1 == Some(group.level1) && !row.is_placeholder())
            .filter_map(|(i, (row, _))| row.weight.map(|w| (i, w)))
            .collect();
        let sum = money::sum_checked(rows.iter().map(|(_, w)| *w));
        if sum != Some(group.weight) {
            let first = places.iter().position(|p| p.level1 == Some(group.level1));
            let pointer = first.map_or("/indicators".to_string(), |i| {
                format!("/indicators/{i}/level1")
            });
            let expr = if rows.len() > 1 {
                let terms: Vec<String> = rows.iter().map(|(_, w)| money::show(*w)).collect();
                format!("{} = ", terms.join(" + "))
            } else {
                String::new()
            };
            findings.push(
                Finding::new(
                    codes::GROUP_WEIGHT,
                    pointer,
                    format!(
                        "weights of {} add up to {expr}{}, the rule set gives {}",
                        group.level1.label_zh(),
                        money::show_checked(sum),
                        money::show(group.weight)
                    ),
                    format!(
                        "{}各指标分值之和 {expr}{}，规则集规定为 {}",
                        group.level1.label_zh(),
                        money::show_checked(sum),
                        money::show(group.weight)
                    ),
                )
                .num("sum", money::text_checked(sum))
                .num("rule_set_weight", group.weight),
            );
        }
    }
    findings
}

/// The total weight, execution included, against 100.
fn total_weight(input: &EvaluationInput, rules: &RuleSet) -> Vec<Finding> {
    let mut findings = Vec::new();
    let execution = input.budget.weight.unwrap_or(rules.execution_weight);
    let row_sum = money::sum_checked(
        input
            .indicators
            .iter()
            .filter(|r| !r.is_placeholder())
            .filter_map(|r| r.weight),
    );
    let total = row_sum.and_then(|s| execution.checked_add(s));
    if total != Some(Decimal::ONE_HUNDRED) {
        findings.push(
            Finding::new(
                codes::TOTAL_WEIGHT,
                "/indicators",
                format!(
                    "execution weight {} + indicator weights {} = {}, not 100",
                    money::show(execution),
                    money::show_checked(row_sum),
                    money::show_checked(total)
                ),
                format!(
                    "预算执行率分值 {} ＋ 指标分值 {} = {}，不等于100",
                    money::show(execution),
                    money::show_checked(row_sum),
                    money::show_checked(total)
                ),
            )
            .num("execution_weight", execution)
            .num("indicator_weights", money::text_checked(row_sum))
            .num("total", money::text_checked(total)),
        );
    }
    findings
}

/// Duplicate level-3 names inside one level-2 group.
fn duplicate_level3(input: &EvaluationInput, places: &[RowPlace]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen: HashMap<(Option<Level1>, Option<Level2>, String), usize> = HashMap::new();
    for (i, (row, place)) in input.indicators.iter().zip(places).enumerate() {
        let name: String = row.level3.chars().filter(|c| !c.is_whitespace()).collect();
        if name.is_empty() {
            continue;
        }
        let key = (place.level1, place.level2, name);
        if let Some(first) = seen.get(&key) {
            findings.push(
                Finding::new(
                    codes::DUPLICATE_LEVEL3,
                    format!("/indicators/{i}/level3"),
                    format!(
                        "level-3 name “{}” already used in row {first} of the same level-2 group",
                        row.level3.trim()
                    ),
                    format!(
                        "三级指标“{}”与第 {first} 行重复（同一二级指标下）",
                        row.level3.trim()
                    ),
                )
                .num("first_row", first),
            );
        } else {
            seen.insert(key, i);
        }
    }
    findings
}
