//! Batch items as CSV, in the layout of the official tables: one row per indicator, the
//! evaluation's own columns repeated (or left blank) on its rows. County clerks keep these
//! in Excel.
//!
//! Columns (Chinese or English headers; unknown headers are refused):
//! `ref`, 类型/kind (部门整体, 项目支出, department, project), 预算单位编码/department,
//! 年度/year, 项目名称/project, 规则集/rule_set, 年初预算数/initial, 全年预算数/full_year,
//! 全年执行数/executed, 执行率/claimed_rate, 执行得分/claimed_execution_score,
//! 自评总分/claimed_total, 预期目标/annual_goal, 实际完成情况/achievement, 一级指标/level1,
//! 二级指标/level2, 三级指标/level3, 年度指标值/target, 实际完成值/actual, 分值/weight,
//! 得分/claimed_score, 偏差原因分析及改进措施/deviation_explanation.
//! Rows belong to the same evaluation when they share `ref`, or else department, year, kind
//! and project. Errors point at `/rows/{line}/{column}` (line 1 is the header).

use std::collections::HashMap;

use crate::api::amount::{ABOVE_MAXIMUM, Amount, Figure};

/// The code of an amount or figure the CSV gives: out of range, or otherwise invalid.
fn range_code(message: &str) -> &'static str {
    if message.contains(ABOVE_MAXIMUM) {
        "field.out_of_range"
    } else {
        "field.invalid"
    }
}
use crate::api::batch::BatchItem;
use crate::api::evaluation_dto::{
    BudgetInput, EvaluationInput, EvaluationKind, IndicatorInputDto, Narrative,
};
use crate::error::{ApiError, FieldError};
use crate::locale::Text;

const COLUMNS: &[(&str, &str)] = &[
    ("ref", "ref"),
    ("类型", "kind"),
    ("预算单位编码", "department"),
    ("年度", "year"),
    ("项目名称", "project"),
    ("规则集", "rule_set"),
    ("年初预算数", "initial"),
    ("全年预算数", "full_year"),
    ("全年执行数", "executed"),
    ("执行率", "claimed_rate"),
    ("执行得分", "claimed_execution_score"),
    ("自评总分", "claimed_total"),
    ("预期目标", "annual_goal"),
    ("实际完成情况", "achievement"),
    ("一级指标", "level1"),
    ("二级指标", "level2"),
    ("三级指标", "level3"),
    ("年度指标值", "target"),
    ("实际完成值", "actual"),
    ("分值", "weight"),
    ("得分", "claimed_score"),
    ("偏差原因分析及改进措施", "deviation_explanation"),
];

fn canonical(header: &str) -> Option<&'static str> {
    let h = header.trim().trim_start_matches('\u{feff}');
    let h = h.split(['（', '(']).next().unwrap_or(h).trim();
    COLUMNS
        .iter()
        .find(|(zh, en)| *zh == h || *en == h)
        .map(|(_, en)| *en)
}

fn problem(line: usize, column: &str, code: &'static str, en: String, zh: String) -> FieldError {
    FieldError::body(format!("/rows/{line}/{column}"), code, Text::new(en, zh))
}

/// Parses the CSV into batch items; every problem is reported at once.
pub fn parse(bytes: &[u8]) -> Result<Vec<BatchItem>, ApiError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            ApiError::validation(vec![problem(
                1,
                "",
                "csv.invalid",
                format!("Unreadable header: {e}"),
                format!("无法读取表头：{e}"),
            )])
        })?
        .clone();
    let mut errors = Vec::new();
    let mut columns = Vec::new();
    for h in headers.iter() {
        match canonical(h) {
            Some(c) => columns.push(c),
            None => {
                errors.push(problem(
                    1,
                    h,
                    "csv.unknown_column",
                    format!("Unknown column `{h}`"),
                    format!("未知列 `{h}`"),
                ));
                columns.push("");
            }
        }
    }
    for required in ["kind", "department", "year", "level1", "level2"] {
        if !columns.contains(&required) {
            errors.push(problem(
                1,
                required,
                "csv.missing_column",
                format!("The column `{required}` is required"),
                format!("缺少必需的列 `{required}`"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut items: Vec<BatchItem> = Vec::new();
    let mut groups: HashMap<String, usize> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(problem(
                    line,
                    "",
                    "csv.invalid",
                    format!("Unreadable row: {e}"),
                    format!("无法读取该行：{e}"),
                ));
                continue;
            }
        };
        let cell = |name: &str| -> String {
            columns
                .iter()
                .position(|c| *c == name)
                .and_then(|i| record.get(i))
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        let opt = |name: &str| Some(cell(name)).filter(|v| !v.is_empty());
        let amount = |name: &str, errors: &mut Vec<FieldError>| -> Option<Amount> {
            let v = opt(name)?;
            Amount::parse(&v)
                .map_err(|e| errors.push(problem(line, name, range_code(&e), e.clone(), e)))
                .ok()
        };
        let figure = |name: &str, errors: &mut Vec<FieldError>| -> Option<Figure> {
            let v = opt(name)?;
            Figure::parse(&v)
                .map_err(|e| errors.push(problem(line, name, range_code(&e), e.clone(), e)))
                .ok()
        };
        let kind = match cell("kind").as_str() {
            "部门整体" | "部门整体支出" | "department" => EvaluationKind::Department,
            "项目支出" | "项目" | "project" => EvaluationKind::Project,
            other => {
                errors.push(problem(
                    line,
                    "kind",
                    "field.invalid",
                    format!("`{other}` is not 部门整体 or 项目支出"),
                    format!("`{other}` 不是“部门整体”或“项目支出”"),
                ));
                continue;
            }
        };
        let Ok(year) = cell("year").parse::<i32>() else {
            errors.push(problem(
                line,
                "year",
                "field.invalid",
                "The year must be a number".into(),
                "年度必须是数字".into(),
            ));
            continue;
        };
        let department = cell("department");
        let project = opt("project");
        let group = opt("ref").unwrap_or_else(|| {
            format!(
                "{department}|{year}|{}|{}",
                kind.as_str(),
                project.clone().unwrap_or_default()
            )
        });
        let index = match groups.get(&group) {
            Some(i) => *i,
            None => {
                let budget = match (
                    amount("initial", &mut errors),
                    amount("full_year", &mut errors),
                ) {
                    (Some(initial), Some(full_year)) => Some(BudgetInput {
                        initial,
                        full_year,
                        executed: amount("executed", &mut errors),
                        weight: None,
                        claimed_rate: opt("claimed_rate"),
                        claimed_score: figure("claimed_execution_score", &mut errors),
                        by_source: Vec::new(),
                        basic: None,
                        project: None,
                    }),
                    _ => None,
                };
                items.push(BatchItem {
                    reference: opt("ref"),
                    evaluation: EvaluationInput {
                        kind,
                        department,
                        project,
                        year,
                        rule_set: opt("rule_set"),
                        budget,
                        annual_goal: opt("annual_goal"),
                        achievement: opt("achievement"),
                        indicators: Vec::new(),
                        claimed_total: figure("claimed_total", &mut errors),
                        narrative: Narrative::default(),
                    },
                });
                groups.insert(group, items.len() - 1);
                items.len() - 1
            }
        };
        let row = IndicatorInputDto {
            level1: cell("level1"),
            level2: cell("level2"),
            level3: cell("level3"),
            target: cell("target"),
            actual: cell("actual"),
            weight: figure("weight", &mut errors),
            claimed_score: figure("claimed_score", &mut errors),
            deviation_explanation: opt("deviation_explanation"),
            direction: None,
        };
        items[index].evaluation.indicators.push(row);
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(ApiError::validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_rows_into_evaluations() {
        let csv = "\u{feff}类型,预算单位编码,年度,项目名称,年初预算数,全年预算数,全年执行数,一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分（自评）\n\
                   项目支出,901424,2024,农村黑臭水体奖补资金,0,19.87,19.87,产出指标,数量指标,治理水体数量,1个,1个,10,10\n\
                   项目支出,901424,2024,农村黑臭水体奖补资金,,,,产出指标,质量指标,水质达标率,100%,100%,10,10\n\
                   部门整体,901424,2024,,1409.2,2135.42,2135.42,成本指标,经济成本指标,成本控制,财政预算内,达成,20,20\n";
        let items = parse(csv.as_bytes()).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].evaluation.indicators.len(), 2);
        assert_eq!(
            items[0]
                .evaluation
                .budget
                .as_ref()
                .unwrap()
                .full_year
                .0
                .to_string(),
            "19.87"
        );
        assert_eq!(items[0].evaluation.indicators[1].level3, "水质达标率");
        assert_eq!(items[1].evaluation.kind, EvaluationKind::Department);
    }

    #[test]
    fn reports_every_bad_cell() {
        let csv = "类型,预算单位编码,年度,一级指标,二级指标,分值,颜色\n项目,901424,2024,产出指标,数量指标,x,red\n";
        let e = parse(csv.as_bytes()).unwrap_err();
        assert_eq!(e.errors[0].pointer, "/rows/1/颜色");
        let csv = "类型,预算单位编码,年度,一级指标,二级指标,分值\n项目,901424,2024,产出指标,数量指标,x\n某种,901424,2024,产出指标,数量指标,1\n";
        let e = parse(csv.as_bytes()).unwrap_err();
        let pointers: Vec<&str> = e.errors.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(pointers, ["/rows/2/weight", "/rows/3/kind"]);
    }
}
