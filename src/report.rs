//! A printable HTML page of one evaluation, laid out like the official tables of the seed report:
//! 附件4 部门整体支出绩效自评表 (kind department) and 附件5 项目支出绩效自评表 (kind project).
//!
//! The page carries, next to what the unit wrote, what the server computed: every 得分 cell has
//! three sub-columns, 自评 (claimed), 计算 (computed) and 复核 (the finance bureau's review score,
//! with its 扣分原因 beside it), differences highlighted; every row shows
//! its arithmetic (Chinese, English below); every finding pointing into `/indicators/N/...` is
//! marked on row N, the others (budget block, structure, totals) are listed under the table.
//!
//! Plain HTML5 with inline CSS only: no scripts, no external URLs (fonts, images, CDNs), so the
//! page works offline and prints to PDF from a browser (A4 landscape). Every text taken from the
//! input or the meta data is escaped. The output is deterministic: same input, same bytes.

pub mod overview;
mod review_cells;

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::domain::evaluation::{EvaluationInput, EvaluationKind, IndicatorInput};
use crate::domain::money::{self, round2, show, show_checked, show2, sum_checked as sum};
use crate::domain::review::{Finding, Severity};
use crate::domain::review_score::{Facts, Review};
use crate::domain::rules::RuleSet;
use crate::domain::scoring::{Outcome, RowScore};
use crate::domain::target::{Actual, Parsed};
use crate::domain::tree::{Level1, Level2};

/// What the page shows besides the evaluation itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportMeta<'a> {
    /// 预算部门名称 (附件4) / 实施单位 (附件5).
    pub title_department: &'a str,
    /// 项目支出名称 (kind project).
    pub project_name: Option<&'a str>,
    /// 主管部门 (kind project).
    pub competent_department: Option<&'a str>,
    /// 年度总体目标 — 预期目标.
    pub annual_goal: Option<&'a str>,
    /// 年度总体目标 — 实际完成情况.
    pub achievement: Option<&'a str>,
    /// Workflow status, e.g. `草稿 draft`.
    pub status_label: &'a str,
    /// Version of the stored evaluation.
    pub version: i64,
    /// When the page was generated (RFC 3339 text; shown as given).
    pub generated_at: &'a str,
    /// The finance bureau's review (复核 and 扣分原因 columns), when there is one.
    pub review: Option<&'a Review>,
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text and keeps its line breaks (`<br>`).
fn escape_lines(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n");
    normalized
        .trim()
        .split('\n')
        .map(escape_html)
        .collect::<Vec<_>>()
        .join("<br>")
}

const STYLE: &str = r#"
@page { size: A4 landscape; margin: 10mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; padding: 6mm; max-width: 297mm; color: #000; background: #fff;
  font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif;
  font-size: 10pt; line-height: 1.35; }
h1 { font-size: 16pt; text-align: center; margin: 2mm 0 1mm; letter-spacing: 0.1em; }
.annex { font-size: 11pt; font-weight: bold; margin: 0; }
.subtitle { text-align: center; margin: 0 0 3mm; }
.meta { display: flex; flex-wrap: wrap; gap: 2mm 6mm; font-size: 9pt; margin: 0 0 2mm; color: #333; }
table { border-collapse: collapse; width: 100%; margin: 0 0 3mm; }
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: middle; }
th { font-weight: bold; text-align: center; background: #f2f2f2; }
tr { page-break-inside: avoid; break-inside: avoid; }
thead { display: table-header-group; }
.label { text-align: center; font-weight: bold; background: #fafafa; }
.num { text-align: center; white-space: nowrap; }
.l1, .l2 { text-align: center; font-weight: bold; }
.l1 .sub { font-weight: normal; }
.en { font-size: 7.5pt; color: #555; }
.sub { font-size: 8pt; color: #444; }
.parsed { font-size: 7.5pt; color: #666; }
.explain { font-size: 8.5pt; }
.diff { background: #ffe08a; font-weight: bold; }
.nocalc { color: #777; font-style: italic; }
.placeholder td { color: #888; }
.row-error td.l3 { box-shadow: inset 4px 0 0 #c62828; }
.row-warning td.l3 { box-shadow: inset 4px 0 0 #e69500; }
.cell-error { outline: 2px solid #c62828; outline-offset: -2px; }
.cell-warning { outline: 2px dashed #e69500; outline-offset: -2px; }
.marker { display: inline-block; font-weight: bold; font-size: 8pt; padding: 0 3px; border-radius: 2px;
  white-space: nowrap; }
.marker-error { color: #fff; background: #c62828; }
.marker-warning { color: #000; background: #ffb300; }
.finding { margin-top: 2px; padding: 1px 3px; font-size: 8.5pt; border-left: 3px solid; }
.finding.error { border-color: #c62828; color: #8e0000; background: #fdecea; }
.finding.warning { border-color: #e69500; color: #6d4c00; background: #fff6e0; }
.finding .en { color: inherit; opacity: 0.85; }
code { font-family: "Consolas", "DejaVu Sans Mono", monospace; font-size: 7.5pt; }
.total td { font-weight: bold; }
.grade { font-size: 12pt; }
h2 { font-size: 11pt; margin: 3mm 0 1mm; }
ol.findings { margin: 0; padding-left: 6mm; }
ol.findings li { page-break-inside: avoid; break-inside: avoid; margin-bottom: 1mm; }
.legend, footer { font-size: 8pt; color: #444; }
footer { margin-top: 3mm; border-top: 1px solid #999; padding-top: 1mm; }
@media print { body { padding: 0; max-width: none; } }
"#;

/// Where a finding belongs.
fn finding_row(finding: &Finding, rows: usize) -> Option<(usize, Option<&str>)> {
    let rest = finding.pointer.strip_prefix("/indicators/")?;
    let mut parts = rest.split('/');
    let index: usize = parts.next()?.parse().ok()?;
    (index < rows).then_some((index, parts.next()))
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn marker(severity: Severity) -> String {
    let (symbol, en) = match severity {
        Severity::Error => ("✖", "error"),
        Severity::Warning => ("▲", "warning"),
    };
    format!(
        "<span class=\"marker marker-{}\" title=\"{en}\">{symbol} {}</span>",
        severity_class(severity),
        severity.label_zh()
    )
}

fn finding_block(finding: &Finding, with_pointer: bool) -> String {
    let mut out = format!(
        "<div class=\"finding {}\">{} <code>{}</code>",
        severity_class(finding.severity),
        marker(finding.severity),
        escape_html(&finding.code)
    );
    if with_pointer {
        let _ = write!(out, " <code>{}</code>", escape_html(&finding.pointer));
    }
    let _ = write!(
        out,
        " {}<div class=\"en\">{}</div></div>",
        escape_html(&finding.message_zh),
        escape_html(&finding.message_en)
    );
    out
}

fn opt_show(value: Option<Decimal>) -> String {
    value.map_or_else(String::new, show)
}

/// Group key of a level-1 cell: the recognised name, or the text as written.
#[derive(PartialEq, Eq)]
enum Key1 {
    Known(Level1),
    Written(String),
}

#[derive(PartialEq, Eq)]
enum Key2 {
    Known(Level2),
    Written(String),
}

fn row_score(outcome: &Outcome, index: usize) -> Option<&RowScore> {
    outcome
        .rows
        .get(index)
        .filter(|r| r.index == index)
        .or_else(|| outcome.rows.iter().find(|r| r.index == index))
}

fn key1(row: &IndicatorInput, score: Option<&RowScore>) -> Key1 {
    match score.and_then(|s| s.level1) {
        Some(level1) => Key1::Known(level1),
        None => Key1::Written(row.level1.trim().to_string()),
    }
}

fn key2(row: &IndicatorInput, score: Option<&RowScore>) -> Key2 {
    match score.and_then(|s| s.level2) {
        Some(level2) => Key2::Known(level2),
        None => Key2::Written(row.level2.trim().to_string()),
    }
}

/// Consecutive runs of equal keys: (start, length).
fn runs<K: PartialEq>(keys: &[K]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        match out.last_mut() {
            Some((start, len)) if keys[*start] == *key => *len += 1,
            _ => out.push((i, 1)),
        }
    }
    out
}

fn score_cells(claimed: Option<Decimal>, computed: Option<Decimal>, classes: &str) -> String {
    // A claim the rules could not confirm is highlighted like a different one.
    let differs = match (claimed, computed) {
        (Some(c), Some(k)) => round2(c) != k,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let diff = if differs { " diff" } else { "" };
    let claimed_text = opt_show(claimed);
    let computed_html = match (computed, claimed) {
        (Some(k), _) => show2(k),
        (None, Some(_)) => "<span class=\"nocalc\">未计算</span>".to_string(),
        (None, None) => String::new(),
    };
    let title = if differs {
        " title=\"自评未经复核确认 claimed ≠ computed\""
    } else {
        ""
    };
    format!(
        "<td class=\"num{diff}{classes}\"{title}>{claimed_text}</td><td class=\"num{diff}\"{title}>{computed_html}</td>"
    )
}

fn write_head(out: &mut String, input: &EvaluationInput, meta: &ReportMeta) {
    let (annex, table_name) = match input.kind {
        EvaluationKind::Department => ("附件4", "部门整体支出绩效自评表"),
        EvaluationKind::Project => ("附件5", "项目支出绩效自评表"),
    };
    let subject = match (input.kind, meta.project_name) {
        (EvaluationKind::Project, Some(name)) => name,
        _ => meta.title_department,
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} {}年度{} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        annex,
        input.year,
        table_name,
        escape_html(subject)
    );
    let _ = writeln!(
        out,
        "<p class=\"annex\">{annex}</p>\n<h1>{table_name}</h1>\n<p class=\"subtitle\">（{}年度）</p>",
        input.year
    );
    let _ = writeln!(
        out,
        "<div class=\"meta\"><span>状态 status：{}</span><span>版本 version：{}</span>\
         <span>生成时间 generated：{}</span></div>",
        escape_html(meta.status_label),
        meta.version,
        escape_html(meta.generated_at)
    );
}

fn write_identity(out: &mut String, input: &EvaluationInput, meta: &ReportMeta) {
    out.push_str("<table class=\"identity\">\n");
    match input.kind {
        EvaluationKind::Department => {
            let _ = writeln!(
                out,
                "<tr><td class=\"label\" style=\"width:16%\">预算部门名称</td><td>{}</td></tr>",
                escape_html(meta.title_department)
            );
        }
        EvaluationKind::Project => {
            let _ = writeln!(
                out,
                "<tr><td class=\"label\" style=\"width:16%\">项目支出名称</td><td colspan=\"3\">{}</td></tr>",
                escape_html(meta.project_name.unwrap_or(""))
            );
            let _ = writeln!(
                out,
                "<tr><td class=\"label\">主管部门</td><td style=\"width:34%\">{}</td>\
                 <td class=\"label\" style=\"width:16%\">实施单位</td><td>{}</td></tr>",
                escape_html(meta.competent_department.unwrap_or("")),
                escape_html(meta.title_department)
            );
        }
    }
    out.push_str("</table>\n");
}

/// The breakdown rows under 年度资金总额: by source, then by nature of expenditure.
fn budget_breakdown(input: &EvaluationInput) -> Vec<(String, Decimal)> {
    let budget = &input.budget;
    let prefix = match input.kind {
        EvaluationKind::Department => "按收入性质分：",
        EvaluationKind::Project => "其中：",
    };
    let mut breakdown: Vec<(String, Decimal)> = budget
        .by_source
        .iter()
        .map(|s| (format!("{prefix}{}", s.source.label_zh()), s.amount))
        .collect();
    if let Some(basic) = budget.basic {
        breakdown.push(("按支出性质分：基本支出".to_string(), basic));
    }
    if let Some(project) = budget.project {
        breakdown.push(("按支出性质分：项目支出".to_string(), project));
    }
    breakdown
}

/// The 分值 cell of budget execution, with the rule set's weight where it differs.
fn execution_weight_cell(weight: Option<Decimal>, rules: &RuleSet) -> String {
    match weight {
        Some(w) if w != rules.execution_weight => format!(
            "<span class=\"diff\">{}</span><div class=\"sub\">规则 {}</div>",
            show(w),
            show(rules.execution_weight)
        ),
        Some(w) => show(w),
        None => format!(
            "<div class=\"sub\">规则 {}</div>",
            show(rules.execution_weight)
        ),
    }
}

/// The row class of a line with these findings.
fn findings_class(findings: &[&Finding]) -> &'static str {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        " class=\"row-error\""
    } else if findings.is_empty() {
        ""
    } else {
        " class=\"row-warning\""
    }
}

/// The explanation of the execution score, with the count of the budget findings.
fn budget_explain(outcome: &Outcome, findings: &[&Finding]) -> String {
    let execution = &outcome.execution;
    let mut explain = format!(
        "<div class=\"explain\">{}</div><div class=\"en\">{}</div>",
        escape_html(&execution.explanation_zh),
        escape_html(&execution.explanation_en)
    );
    if findings.is_empty() {
        return explain;
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let count = |severity: Severity, n: usize| {
        if n > 0 {
            format!("{} ×{n} ", marker(severity))
        } else {
            String::new()
        }
    };
    let _ = write!(
        explain,
        "<div class=\"sub\">{}{}预算复核意见见表下 see findings below</div>",
        count(Severity::Error, errors),
        count(Severity::Warning, warnings),
    );
    explain
}

fn write_budget(out: &mut String, input: &EvaluationInput, outcome: &Outcome, sheet: &Sheet) {
    let budget = &input.budget;
    let execution = &outcome.execution;
    let first_label = match input.kind {
        EvaluationKind::Department => "年度预算申请（万元）",
        EvaluationKind::Project => "项目资金（万元）",
    };
    let breakdown = budget_breakdown(input);
    let budget_findings: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| f.pointer.starts_with("/budget"))
        .collect();
    let span = 3 + breakdown.len();
    out.push_str("<table class=\"budget\">\n");
    let _ = writeln!(
        out,
        "<tr><td class=\"label\" rowspan=\"{span}\" style=\"width:11%\">{first_label}</td>\
         <th rowspan=\"2\" style=\"width:17%\">资金来源</th>\
         <th rowspan=\"2\">年初预算数</th><th rowspan=\"2\">全年预算数（调整后）</th>\
         <th rowspan=\"2\">全年执行数</th><th rowspan=\"2\">分值</th><th rowspan=\"2\">执行率</th>\
         <th colspan=\"3\">得分</th><th rowspan=\"2\" style=\"width:10%\">扣分原因</th>\
         <th rowspan=\"2\" style=\"width:20%\">计算说明</th></tr>"
    );
    out.push_str("<tr><th>自评</th><th>计算</th><th>复核</th></tr>\n");
    let claimed_rate = budget
        .claimed_rate
        .as_deref()
        .map(escape_html)
        .unwrap_or_default();
    let computed_rate = execution
        .rate_percent
        .map_or_else(|| "—".to_string(), |r| format!("{}%", show2(r)));
    let _ = writeln!(
        out,
        "<tr{}><td class=\"l3\">年度资金总额</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         <td class=\"num\">{claimed_rate}<div class=\"sub\">计算 {computed_rate}</div></td>{}{}<td>{}</td></tr>",
        findings_class(&budget_findings),
        opt_show(budget.initial),
        show(budget.full_year),
        opt_show(budget.executed),
        execution_weight_cell(budget.weight, sheet.rules),
        score_cells(budget.claimed_score, Some(execution.score), ""),
        review_cells::execution_cells(sheet.review, &sheet.facts),
        budget_explain(outcome, &budget_findings),
    );
    for (label, amount) in &breakdown {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td></td><td class=\"num\">{}</td>{}</tr>",
            escape_html(label),
            show(*amount),
            "<td></td>".repeat(9)
        );
    }
    out.push_str("</table>\n");
}

fn write_goal(out: &mut String, meta: &ReportMeta) {
    let _ = writeln!(
        out,
        "<table class=\"goal\">\n<tr><th rowspan=\"2\" style=\"width:11%\">年度总体目标</th><th style=\"width:50%\">预期目标</th><th>实际完成情况</th></tr>\n\
         <tr><td>{}</td><td>{}</td></tr>\n</table>",
        meta.annual_goal.map(escape_lines).unwrap_or_default(),
        meta.achievement.map(escape_lines).unwrap_or_default()
    );
}

fn level1_cell(
    input: &EvaluationInput,
    outcome: &Outcome,
    rules: &RuleSet,
    key: &Key1,
    start: usize,
    len: usize,
) -> String {
    let name = match key {
        Key1::Known(level1) => match rules.weight_of(*level1) {
            Some(w) => format!("{}（{}分）", level1.label_zh(), show(w)),
            None => level1.label_zh().to_string(),
        },
        Key1::Written(text) => escape_html(text),
    };
    let range = start..start + len;
    let claimed = sum(range
        .clone()
        .filter_map(|i| input.indicators.get(i))
        .filter(|r| !r.is_placeholder())
        .filter_map(|r| r.claimed_score));
    let computed = sum(range
        .filter_map(|i| row_score(outcome, i))
        .filter_map(|r| r.computed));
    let diff = if claimed.map(round2) != computed {
        " class=\"diff\""
    } else {
        ""
    };
    format!(
        "<td class=\"l1\" rowspan=\"{len}\">{name}<div class=\"sub\"><span{diff}>自评 {} / 复核 {}</span></div></td>",
        show_checked(claimed),
        computed.map_or_else(|| money::OUT_OF_RANGE.to_owned(), show2)
    )
}

fn level2_name(key: &Key2) -> String {
    match key {
        Key2::Known(level2) => level2.label_zh().to_string(),
        Key2::Written(text) => escape_html(text),
    }
}

/// How the target was read, when that adds to the text (not for free text or bad dates, whose
/// findings say it).
fn target_hint(score: &RowScore) -> Option<&str> {
    match score.target.parsed {
        Parsed::Quantitative { .. } | Parsed::Period { .. } | Parsed::Duration { .. } => {
            Some(score.target.display.as_str())
        }
        Parsed::InvalidDate { .. } | Parsed::Qualitative { .. } => None,
    }
}

/// How the actual was read, when that adds to the text.
fn actual_hint(score: &RowScore) -> Option<&str> {
    match score.actual.parsed {
        Actual::Measured { .. }
        | Actual::Period { .. }
        | Actual::Duration { .. }
        | Actual::Grade { .. } => Some(score.actual.display.as_str()),
        Actual::Missing
        | Actual::InvalidDate { .. }
        | Actual::NotMeasured { .. }
        | Actual::Unrecognized { .. } => None,
    }
}

/// The text cell of an input field with the parsed form underneath.
fn text_cell(text: &str, parsed: Option<&str>, cell_class: &str) -> String {
    let parsed = match parsed {
        Some(p) if !text.trim().is_empty() && p != text.trim() => {
            format!("<div class=\"parsed\">解析 {}</div>", escape_html(p))
        }
        _ => String::new(),
    };
    format!(
        "<td class=\"txt{cell_class}\">{}{parsed}</td>",
        escape_lines(text)
    )
}

/// What the indicator table is printed from.
struct Sheet<'a> {
    rules: &'a RuleSet,
    review: Option<&'a Review>,
    facts: Facts,
}

const INDICATOR_HEAD: &str = "<h2>绩效指标</h2>\n<table class=\"indicators\">\n<thead>\n\
    <tr><th rowspan=\"2\" style=\"width:7%\">一级指标</th><th rowspan=\"2\" style=\"width:7%\">二级指标</th>\
    <th rowspan=\"2\" style=\"width:11%\">三级指标</th><th rowspan=\"2\" style=\"width:10%\">年度指标值</th>\
    <th rowspan=\"2\" style=\"width:9%\">实际完成值</th><th rowspan=\"2\" style=\"width:4%\">分值</th>\
    <th colspan=\"3\">得分</th><th rowspan=\"2\" style=\"width:9%\">扣分原因</th>\
    <th rowspan=\"2\" style=\"width:10%\">偏差原因分析及改进措施</th>\
    <th rowspan=\"2\">复核说明（计算过程 / 审核意见）</th></tr>\n\
    <tr><th style=\"width:4%\">自评</th><th style=\"width:4%\">计算</th><th style=\"width:4%\">复核</th></tr>\n</thead>\n<tbody>\n";

/// The findings of each indicator row, with the field each points at.
fn findings_by_row<'a>(
    input: &EvaluationInput,
    outcome: &'a Outcome,
) -> Vec<Vec<(&'a Finding, Option<&'a str>)>> {
    let n = input.indicators.len();
    let mut rows: Vec<Vec<(&Finding, Option<&str>)>> = vec![Vec::new(); n];
    for finding in &outcome.findings {
        if let Some((index, field)) = finding_row(finding, n)
            && let Some(list) = rows.get_mut(index)
        {
            list.push((finding, field));
        }
    }
    rows
}

/// The classes of an indicator row: placeholder, and its worst finding.
fn row_classes(
    row: &IndicatorInput,
    score: Option<&RowScore>,
    findings: &[(&Finding, Option<&str>)],
) -> String {
    let mut classes = vec!["ind"];
    if score.map_or_else(|| row.is_placeholder(), |s| s.placeholder) {
        classes.push("placeholder");
    }
    match findings.iter().map(|(f, _)| f.severity).min() {
        Some(Severity::Error) => classes.push("row-error"),
        Some(Severity::Warning) => classes.push("row-warning"),
        None => {}
    }
    classes.join(" ")
}

/// One indicator row after its level-1 and level-2 cells (given when the row starts a run).
fn write_indicator_row(
    out: &mut String,
    (i, row, score): (usize, &IndicatorInput, Option<&RowScore>),
    findings: &[(&Finding, Option<&str>)],
    sheet: &Sheet,
    leading: &str,
) {
    let cell_class = |field: &str| -> String {
        let worst = findings
            .iter()
            .filter(|(_, f)| *f == Some(field))
            .map(|(f, _)| f.severity)
            .min();
        worst.map_or_else(String::new, |s| format!(" cell-{}", severity_class(s)))
    };
    let markers: String = findings
        .iter()
        .map(|(f, _)| f.severity)
        .min()
        .map(marker)
        .map(|m| format!("<div>{m}</div>"))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<tr id=\"indicator-{i}\" class=\"{}\">{leading}<td class=\"l3{}\">{}{markers}</td>",
        row_classes(row, score, findings),
        cell_class("level3"),
        escape_lines(&row.level3)
    );
    out.push_str(&text_cell(
        &row.target,
        score.and_then(target_hint),
        &cell_class("target"),
    ));
    out.push_str(&text_cell(
        &row.actual,
        score.and_then(actual_hint),
        &cell_class("actual"),
    ));
    let _ = write!(
        out,
        "<td class=\"num{}\">{}</td>{}{}",
        cell_class("weight"),
        opt_show(row.weight),
        score_cells(
            row.claimed_score,
            score.and_then(|s| s.computed),
            &cell_class("claimed_score"),
        ),
        review_cells::row_cells(sheet.review, &sheet.facts, i),
    );
    out.push_str(&text_cell(
        row.deviation_explanation.as_deref().unwrap_or(""),
        None,
        &cell_class("deviation_explanation"),
    ));
    out.push_str("<td>");
    if let Some(s) = score {
        let _ = write!(
            out,
            "<div class=\"explain\">{}</div><div class=\"en\">{}</div>",
            escape_html(&s.explanation_zh),
            escape_html(&s.explanation_en)
        );
    }
    for (finding, _) in findings {
        out.push_str(&finding_block(finding, false));
    }
    out.push_str("</td></tr>\n");
}

fn write_indicators(out: &mut String, input: &EvaluationInput, outcome: &Outcome, sheet: &Sheet) {
    let row_findings = findings_by_row(input, outcome);
    let keys1: Vec<Key1> = input
        .indicators
        .iter()
        .enumerate()
        .map(|(i, r)| key1(r, row_score(outcome, i)))
        .collect();
    out.push_str(INDICATOR_HEAD);
    for (start1, len1) in runs(&keys1) {
        let keys2: Vec<Key2> = (start1..start1 + len1)
            .filter_map(|i| {
                let row = input.indicators.get(i)?;
                Some(key2(row, row_score(outcome, i)))
            })
            .collect();
        let runs2: Vec<(usize, usize)> = runs(&keys2)
            .into_iter()
            .map(|(s, l)| (start1 + s, l))
            .collect();
        for i in start1..start1 + len1 {
            let Some(row) = input.indicators.get(i) else {
                continue;
            };
            let mut leading = String::new();
            if i == start1 {
                let key = &keys1[start1];
                leading = level1_cell(input, outcome, sheet.rules, key, start1, len1);
            }
            if let Some((start2, len2)) = runs2.iter().find(|(s, _)| *s == i)
                && let Some(key) = keys2.get(start2 - start1)
            {
                let name = level2_name(key);
                let _ = write!(leading, "<td class=\"l2\" rowspan=\"{len2}\">{name}</td>");
            }
            let findings = row_findings.get(i).map(Vec::as_slice).unwrap_or_default();
            let line = (i, row, row_score(outcome, i));
            write_indicator_row(out, line, findings, sheet, &leading);
        }
    }
    write_totals(out, input, outcome, sheet);
    out.push_str("</tbody>\n</table>\n");
}

/// The 总分 row: weights, claimed, computed and reviewed totals, the grade and the rule set.
fn write_totals(out: &mut String, input: &EvaluationInput, outcome: &Outcome, sheet: &Sheet) {
    let weights = sum(input
        .budget
        .weight
        .into_iter()
        .chain(input.indicators.iter().filter_map(|r| r.weight)));
    let claims = input.claimed_scores();
    let claimed_note = match (input.claimed_total, claims.is_empty()) {
        (None, false) => format!(
            "<div class=\"sub\">未填写总分；各项自评合计 {}</div>",
            show_checked(sum(claims.iter().copied()))
        ),
        _ => String::new(),
    };
    let total_marker = outcome
        .findings
        .iter()
        .filter(|f| f.pointer == "/claimed_total")
        .map(|f| f.severity)
        .min()
        .map(marker)
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<tr class=\"total\"><td class=\"label\" colspan=\"5\">总分 {total_marker}{claimed_note}</td>\
         <td class=\"num\">{}</td>{}{}<td class=\"grade\" colspan=\"2\">等级：{}（{}）\
         <div class=\"sub\">规则集 rule set：<code>{}</code> v{} {}</div>\
         <div class=\"en\">computed total = execution {} + indicators {}</div></td></tr>",
        show_checked(weights),
        score_cells(input.claimed_total, Some(outcome.total), ""),
        review_cells::total_cells(sheet.review, &sheet.facts, sheet.rules),
        outcome.grade.label_zh(),
        outcome.grade.label_en(),
        escape_html(&outcome.rule_set_id),
        outcome.rule_set_version,
        escape_html(&sheet.rules.name_zh),
        show2(outcome.execution.score),
        outcome
            .total
            .checked_sub(outcome.execution.score)
            .map_or_else(|| money::OUT_OF_RANGE.to_owned(), show2),
    );
}

fn write_other_findings(out: &mut String, input: &EvaluationInput, outcome: &Outcome) {
    let n = input.indicators.len();
    let errors = outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = outcome.findings.len() - errors;
    let _ = writeln!(
        out,
        "<h2>复核意见 Findings</h2>\n<p class=\"legend\">共 {} 项：错误 {errors} 项，警告 {warnings} 项（{} total: {errors} errors, {warnings} warnings）。\
         指标行的意见标在该行；以下为预算、结构与总分的意见。Findings on an indicator row are shown on that row; the others are listed here.</p>",
        outcome.findings.len(),
        outcome.findings.len()
    );
    let others: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| finding_row(f, n).is_none())
        .collect();
    if others.is_empty() {
        out.push_str("<p class=\"legend\">无表外复核意见 none.</p>\n");
        return;
    }
    out.push_str("<ol class=\"findings\">\n");
    for finding in others {
        let _ = writeln!(out, "<li>{}</li>", finding_block(finding, true));
    }
    out.push_str("</ol>\n");
}

/// Renders an evaluation as a printable HTML page laid out like 附件4 / 附件5.
///
/// `rules` is the rule set the outcome was computed with (level-1 weights, execution weight and
/// its name are shown from it); `outcome` must come from `evaluate(input, rules)`.
pub fn render_html(
    input: &EvaluationInput,
    outcome: &Outcome,
    rules: &RuleSet,
    meta: &ReportMeta,
) -> String {
    let mut out = String::with_capacity(32 * 1024);
    write_head(&mut out, input, meta);
    write_identity(&mut out, input, meta);
    let sheet = Sheet {
        rules,
        review: meta.review,
        facts: review_cells::facts(outcome),
    };
    write_budget(&mut out, input, outcome, &sheet);
    write_goal(&mut out, meta);
    write_indicators(&mut out, input, outcome, &sheet);
    review_cells::write_opinion(&mut out, meta.review, &sheet.facts, rules);
    write_other_findings(&mut out, input, outcome);
    let _ = writeln!(
        out,
        "<p class=\"legend\">{} 错误：阻止提交 (error, blocks submission) &nbsp; {} 警告：仅提示 (warning) &nbsp; \
         <span class=\"diff\">&nbsp;高亮&nbsp;</span> 自评与计算得分不一致 (claimed ≠ computed)</p>",
        marker(Severity::Error),
        marker(Severity::Warning)
    );
    let _ = writeln!(
        out,
        "<footer>自评 = 单位填报得分 claimed；计算 = 按规则集 <code>{}</code> v{} 计算 computed；复核 = 财政复核得分 reviewed。生成时间 {}。</footer>\n</body>\n</html>",
        escape_html(&outcome.rule_set_id),
        outcome.rule_set_version,
        escape_html(meta.generated_at)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rules::{self, HENGYANG_2024_DEPARTMENT, HENGYANG_2024_PROJECT};
    use crate::domain::scoring::evaluate;
    use crate::domain::seed;

    fn meta_for(input: &EvaluationInput) -> ReportMeta<'static> {
        ReportMeta {
            title_department: seed::DEPARTMENT,
            project_name: None,
            competent_department: None,
            annual_goal: Some("1.保障单位职工人员经费；\n2.全力推进污染防治"),
            achievement: Some("已保障人员经费"),
            status_label: "草稿 draft",
            version: 3,
            review: None,
            generated_at: if input.kind == EvaluationKind::Department {
                "2025-03-01T08:00:00+08:00"
            } else {
                "2025-03-02T08:00:00+08:00"
            },
        }
    }

    fn render(input: &EvaluationInput, rule_set_id: &str, meta: &ReportMeta) -> (Outcome, String) {
        let rules = rules::rule_set_by_id(rule_set_id).expect("builtin rule set");
        let outcome = evaluate(input, &rules);
        let html = render_html(input, &outcome, &rules, meta);
        (outcome, html)
    }

    fn department() -> (EvaluationInput, Outcome, String) {
        let input = seed::department_evaluation();
        let (outcome, html) = render(&input, HENGYANG_2024_DEPARTMENT, &meta_for(&input));
        (input, outcome, html)
    }

    fn project(input: EvaluationInput, name: &'static str) -> (EvaluationInput, Outcome, String) {
        let meta = ReportMeta {
            project_name: Some(name),
            competent_department: Some("衡阳市生态环境局机关"),
            ..meta_for(&input)
        };
        let (outcome, html) = render(&input, HENGYANG_2024_PROJECT, &meta);
        (input, outcome, html)
    }

    fn all_three() -> Vec<(&'static str, EvaluationInput, Outcome, String)> {
        let (i1, o1, h1) = department();
        let (i2, o2, h2) = project(
            seed::monitoring_project_evaluation(),
            seed::PROJECT_MONITORING,
        );
        let (i3, o3, h3) = project(
            seed::black_water_project_evaluation(),
            seed::PROJECT_BLACK_WATER,
        );
        vec![
            ("department", i1, o1, h1),
            ("monitoring", i2, o2, h2),
            ("black-water", i3, o3, h3),
        ]
    }

    /// The `<tr …>…</tr>` of indicator row `index`.
    fn row_html(html: &str, index: usize) -> &str {
        let open = format!("<tr id=\"indicator-{index}\"");
        let start = html.find(&open).expect("row present");
        let end = html[start..].find("</tr>").expect("row closed");
        &html[start..start + end]
    }

    #[test]
    fn escape_html_escapes_markup_and_quotes() {
        assert_eq!(
            escape_html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape_html("&\"'"), "&amp;&quot;&#39;");
        assert_eq!(escape_html("a & b < c"), "a &amp; b &lt; c");
        assert_eq!(escape_html("衡东分局"), "衡东分局");
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_lines("a<b\r\nc"), "a&lt;b<br>c");
    }

    #[test]
    fn report_has_official_columns_and_structure() {
        for (name, input, _, html) in all_three() {
            assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
            assert!(html.contains("<html lang=\"zh-CN\">"), "{name}");
            assert!(html.contains("<meta charset=\"utf-8\">"), "{name}");
            assert!(html.contains("@page { size: A4 landscape"), "{name}");
            for header in [
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "分值",
                "得分",
                "自评",
                "复核",
                "偏差原因分析及改进措施",
                "年初预算数",
                "全年预算数（调整后）",
                "全年执行数",
                "执行率",
                "年度总体目标",
                "预期目标",
                "实际完成情况",
                "总分",
            ] {
                assert!(html.contains(header), "{name}: {header}");
            }
            for row in &input.indicators {
                assert!(
                    html.contains(&escape_html(&row.level3)),
                    "{name}: {}",
                    row.level3
                );
            }
            assert!(html.ends_with("</html>\n"), "{name}");
        }
        let (_, _, department) = department();
        assert!(department.contains("附件4"));
        assert!(department.contains("部门整体支出绩效自评表"));
        assert!(department.contains("预算部门名称"));
        assert!(department.contains("衡阳市生态环境局衡东分局"));
        assert!(department.contains("1.保障单位职工人员经费；<br>2.全力推进污染防治"));
        assert!(department.contains("草稿 draft"));
        // Group weights from the rule set in the level-1 cells, spanning their rows.
        assert!(department.contains("<td class=\"l1\" rowspan=\"7\">产出指标（40分）"));
        assert!(department.contains("<td class=\"l1\" rowspan=\"3\">成本指标（20分）"));
        assert!(department.contains("<td class=\"l1\" rowspan=\"4\">效益指标（20分）"));
        assert!(department.contains("<td class=\"l1\" rowspan=\"1\">满意度指标（10分）"));
        assert!(department.contains("<td class=\"l2\" rowspan=\"6\">数量指标</td>"));
        // Budget block figures.
        for figure in [
            "1409.2", "2135.42", "1393.76", "741.66", "1376.69", "758.73",
        ] {
            assert!(department.contains(figure), "{figure}");
        }
        let (_, _, monitoring) = project(
            seed::monitoring_project_evaluation(),
            seed::PROJECT_MONITORING,
        );
        assert!(monitoring.contains("附件5"));
        assert!(monitoring.contains("项目支出名称"));
        assert!(monitoring.contains(seed::PROJECT_MONITORING));
        assert!(monitoring.contains("主管部门"));
        assert!(monitoring.contains("衡阳市生态环境局机关"));
        assert!(monitoring.contains("实施单位"));
        assert!(monitoring.contains("效益指标（40分）"));
    }

    #[test]
    fn findings_are_marked_on_their_rows() {
        let (input, outcome, html) = department();
        let index = input
            .indicators
            .iter()
            .position(|r| r.actual == "2024.1.1-204.12.31")
            .expect("seed row");
        let row = row_html(&html, index);
        assert!(row.contains("2024.1.1-204.12.31"));
        assert!(row.contains("row-error"), "{row}");
        assert!(row.contains("marker marker-error"), "{row}");
        for finding in outcome
            .findings
            .iter()
            .filter(|f| f.pointer.starts_with(&format!("/indicators/{index}/")))
        {
            assert!(row.contains(&escape_html(&finding.message_zh)), "{row}");
            assert!(row.contains(&escape_html(&finding.message_en)), "{row}");
            assert!(row.contains(&escape_html(&finding.code)), "{row}");
        }
        // The actual cell itself is outlined.
        assert!(row.contains("cell-error"), "{row}");
        // Every finding appears exactly where it belongs.
        let n = input.indicators.len();
        let list_start = html.find("<h2>复核意见").expect("findings section");
        for finding in &outcome.findings {
            let message = escape_html(&finding.message_zh);
            match finding_row(finding, n) {
                Some((i, _)) => assert!(row_html(&html, i).contains(&message), "{message}"),
                None => assert!(html[list_start..].contains(&message), "{message}"),
            }
        }
        // A clean row carries no marker.
        let clean = (0..n)
            .find(|i| {
                !outcome
                    .findings
                    .iter()
                    .any(|f| finding_row(f, n).is_some_and(|(j, _)| j == *i))
            })
            .expect("a clean row");
        assert!(!row_html(&html, clean).contains("marker"));
    }

    #[test]
    fn project_reports_show_claimed_and_computed_totals() {
        // (The black-water table's claims cannot be verified, so its total keeps the claimed
        // 100 for the reviewer and shows no difference; the monitoring table has one.)
        {
            let (input, name) = (
                seed::monitoring_project_evaluation(),
                seed::PROJECT_MONITORING,
            );
            let (_, outcome, html) = project(input, name);
            let start = html.find("<tr class=\"total\">").expect("totals row");
            let end = html[start..].find("</tr>").expect("closed");
            let total = &html[start..start + end];
            assert!(total.contains(">100</td>"), "{total}");
            assert!(
                total.contains(&format!(">{}</td>", show2(outcome.total))),
                "{total}"
            );
            assert_ne!(outcome.total, Decimal::ONE_HUNDRED);
            assert!(total.contains("diff"), "{total}");
            assert!(total.contains(outcome.grade.label_zh()), "{total}");
            assert!(total.contains(HENGYANG_2024_PROJECT), "{total}");
            assert!(total.contains("v1"), "{total}");
            // The total mismatch is listed under the table with its code and pointer.
            let list = &html[html.find("<h2>复核意见").expect("findings")..];
            assert!(list.contains("score.total_mismatch"));
            assert!(list.contains("<code>/claimed_total</code>"));
        }
    }

    #[test]
    fn department_total_without_claim_shows_sum_of_claims() {
        let (_, outcome, html) = department();
        let start = html.find("<tr class=\"total\">").expect("totals row");
        let total = &html[start..];
        assert!(total.contains("各项自评合计"));
        assert!(total.contains(&show2(outcome.total)));
        assert!(total.contains(HENGYANG_2024_DEPARTMENT));
    }

    #[test]
    fn budget_findings_are_listed_under_the_table() {
        let mut input = seed::monitoring_project_evaluation();
        input.budget.executed = None;
        let meta = ReportMeta {
            project_name: Some(seed::PROJECT_MONITORING),
            ..meta_for(&input)
        };
        let (outcome, html) = render(&input, HENGYANG_2024_PROJECT, &meta);
        let finding = outcome
            .findings
            .iter()
            .find(|f| f.pointer == "/budget/executed")
            .expect("executed missing");
        let list = &html[html.find("<h2>复核意见").expect("findings")..];
        assert!(list.contains(&finding.code));
        assert!(list.contains("<code>/budget/executed</code>"));
        assert!(list.contains(&escape_html(&finding.message_zh)));
        let budget = &html[html.find("<table class=\"budget\">").expect("budget")..];
        let budget = &budget[..budget.find("</table>").expect("closed")];
        assert!(budget.contains("<tr class=\"row-error\">"), "{budget}");
        assert!(budget.contains("marker marker-error"), "{budget}");
        assert!(budget.contains("<td class=\"num diff\""), "{budget}");
    }

    #[test]
    fn row_explanations_are_shown() {
        let (_, outcome, html) = department();
        for row in &outcome.rows {
            let tr = row_html(&html, row.index);
            assert!(tr.contains(&escape_html(&row.explanation_zh)), "{tr}");
            assert!(tr.contains(&escape_html(&row.explanation_en)), "{tr}");
        }
        assert!(html.contains(&escape_html(&outcome.execution.explanation_zh)));
    }

    #[test]
    fn malicious_text_is_escaped() {
        let mut input = seed::monitoring_project_evaluation();
        input.indicators[0].level3 = "<script>alert('x')</script>".into();
        input.indicators[0].target = "<img src=x onerror=alert(1)>".into();
        input.indicators[1].deviation_explanation = Some("\"quoted\" & 'single'".into());
        input.indicators[2].level2 = "<b>bold</b>".into();
        let meta = ReportMeta {
            title_department: "<script>evil()</script>",
            project_name: Some("A&B \"项目\""),
            competent_department: Some("<i>x</i>"),
            annual_goal: Some("</td><script>"),
            achievement: Some("<style>"),
            status_label: "<b>draft</b>",
            version: 1,
            generated_at: "2025-01-01T00:00:00Z<script>",
            review: None,
        };
        let (_, html) = render(&input, HENGYANG_2024_PROJECT, &meta);
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>"));
        assert!(!html.contains("<i>"));
        assert_eq!(html.matches("<style").count(), 1);
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("&quot;quoted&quot; &amp; &#39;single&#39;"));
        assert!(html.contains("A&amp;B &quot;项目&quot;"));
        assert!(html.contains("&lt;/td&gt;&lt;script&gt;"));
    }

    #[test]
    fn no_scripts_or_external_urls() {
        for (name, _, _, html) in all_three() {
            let lower = html.to_lowercase();
            assert!(!lower.contains("<script"), "{name}");
            assert!(!lower.contains("http://"), "{name}");
            assert!(!lower.contains("https://"), "{name}");
            assert!(!lower.contains("url("), "{name}");
            assert!(!lower.contains("@import"), "{name}");
            for handler in ["onload=", "onerror=", "onclick=", "javascript:"] {
                assert!(!lower.contains(handler), "{name}: {handler}");
            }
        }
    }

    #[test]
    fn output_is_deterministic() {
        let first: Vec<String> = all_three().into_iter().map(|(_, _, _, h)| h).collect();
        let second: Vec<String> = all_three().into_iter().map(|(_, _, _, h)| h).collect();
        assert_eq!(first, second);
    }

    #[test]
    fn write_seed_reports_to_tmp() {
        for (name, _, _, html) in all_three() {
            let _ = std::fs::write(format!("/tmp/report-{name}.html"), html);
        }
    }
}
