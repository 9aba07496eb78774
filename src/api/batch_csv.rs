//! Batch items as CSV, in the layout of the official tables: one row per indicator, the
//! evaluation's own columns repeated (or left blank) on its rows. County clerks keep these
//! in Excel.
//!
//! The columns, their headers and aliases are [`COLUMNS`] (documented in the operation
//! description of `POST /api/v1/evaluations/batch` and in the README, both made from
//! [`columns_doc`]). A header is matched in simplified characters, after a BOM, spaces, a
//! parenthesised note (`得分（自评）`, `全年预算数(调整后)`), a formula (`小计④ = ①+② +③`) and circled
//! numbers are removed; unknown headers, and two headers for one
//! column, are refused. Cells are read as printed ([`crate::domain::money::parse_printed`]):
//! blank, `——`, `—`, `-`, `/` and `无` are "not given"; `20.00`, `99.55分`, full-width digits
//! and `1,088.19` are numbers.
//!
//! Rows belong to the same evaluation when they share `ref`, or else department, year, kind
//! and project; the evaluation's own cells (budget, unit, rule set, totals) are read from its
//! first row. Errors point at `/rows/{line}/{header as printed}` (line 1 is the header).

use std::collections::HashMap;

use crate::error::{ApiError, FieldError};
use crate::locale::Text;
use crate::model::amount::{ABOVE_MAXIMUM, Amount, Figure};
use crate::model::batch::BatchItem;
use crate::model::body::escape_pointer;
use crate::model::evaluation_dto::{
    AmountUnit, BudgetInput, EvaluationInput, EvaluationKind, IndicatorInputDto, Narrative,
};

/// The code of an amount or figure the CSV gives: out of range, or otherwise invalid.
fn range_code(message: &str) -> &'static str {
    if message.contains(ABOVE_MAXIMUM) {
        "field.out_of_range"
    } else {
        "field.invalid"
    }
}

/// One column the CSV reads.
pub struct Column {
    /// The English header (also the field it fills).
    pub name: &'static str,
    /// The Chinese headers real tables print, the standard one first.
    pub zh: &'static [&'static str],
    /// What the cell holds.
    pub doc: &'static str,
}

/// Every column the CSV reads.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "ref",
        zh: &[],
        doc: "the client's reference of the evaluation; rows with the same ref are one evaluation",
    },
    Column {
        name: "kind",
        zh: &["类型"],
        doc: "required: 部门整体 (部门整体支出, department) or 项目支出 (项目, project)",
    },
    Column {
        name: "department",
        zh: &["预算单位编码"],
        doc: "required: the department's budget code or id",
    },
    Column {
        name: "year",
        zh: &["年度"],
        doc: "required: the fiscal year",
    },
    Column {
        name: "project",
        zh: &["项目名称"],
        doc: "the project (kind 项目支出): its name among the department's projects of the year, or its id",
    },
    Column {
        name: "rule_set",
        zh: &["规则集"],
        doc: "the rule set id, optionally @version (blank: the default for the kind)",
    },
    Column {
        name: "amount_unit",
        zh: &["金额单位"],
        doc: "the unit of the amounts: 万元 (wan_yuan, the default when blank) or 元 (yuan, a `单位：元` table; at most 2 decimals, converted exactly to 万元)",
    },
    Column {
        name: "initial",
        zh: &["年初预算数", "年初预算", "年初部门预算安排金额"],
        doc: "年初预算数; may be blank",
    },
    Column {
        name: "full_year",
        zh: &[
            "全年预算数",
            "调整后预算数",
            "调整预算数",
            "预算数",
            "预算安排情况",
            "小计",
        ],
        doc: "全年预算数 (调整后); the budget block is read when it is given",
    },
    Column {
        name: "executed",
        zh: &[
            "全年执行数",
            "执行数",
            "预算执行数",
            "资金执行情况",
            "年度拨付金额",
        ],
        doc: "全年执行数; may be blank",
    },
    Column {
        name: "execution_weight",
        zh: &["执行分值", "预算执行分值", "执行率分值"],
        doc: "分值 of the budget execution row (10 or 20 as printed)",
    },
    Column {
        name: "claimed_rate",
        zh: &["执行率", "预算执行率", "预算执行进度"],
        doc: "执行率 as printed (`100%`)",
    },
    Column {
        name: "claimed_execution_score",
        zh: &["执行得分", "预算执行得分", "执行率得分"],
        doc: "得分 of the budget execution row as claimed",
    },
    Column {
        name: "claimed_total",
        zh: &["自评总分", "总分"],
        doc: "总分 as claimed",
    },
    Column {
        name: "annual_goal",
        zh: &["预期目标", "年度总体目标"],
        doc: "年度总体目标: 预期目标",
    },
    Column {
        name: "achievement",
        zh: &["实际完成情况"],
        doc: "年度总体目标: 实际完成情况",
    },
    Column {
        name: "level1",
        zh: &["一级指标"],
        doc: "required: 一级指标 (a group weight such as `（40分）` may follow)",
    },
    Column {
        name: "level2",
        zh: &["二级指标"],
        doc: "required: 二级指标",
    },
    Column {
        name: "level3",
        zh: &["三级指标", "指标名称"],
        doc: "三级指标",
    },
    Column {
        name: "target_nature",
        zh: &["指标性质", "符号"],
        doc: "three-cell targets: 指标性质 (`≥`, `≧`, `≤`, `＝`, `定性`, `正向`, `反向`)",
    },
    Column {
        name: "target",
        zh: &[
            "年度指标值",
            "指标值",
            "年度目标值",
            "预期指标值",
            "绩效目标值",
            "年初目标值",
            "年初指标值",
        ],
        doc: "年度指标值 as printed (`≥95%`); with 指标性质 / 度量单位, the 指标值 cell alone",
    },
    Column {
        name: "target_unit",
        zh: &["度量单位", "计量单位", "单位"],
        doc: "three-cell targets: 度量单位 (`%`, `元`, `个`); a bare actual takes it",
    },
    Column {
        name: "actual",
        zh: &[
            "实际完成值",
            "完成值",
            "全年实际值",
            "全年实际完成值",
            "单项指标实际完成值",
        ],
        doc: "实际完成值 as printed",
    },
    Column {
        name: "weight",
        zh: &["分值", "权重", "权重占比", "指标分值", "指标权重"],
        doc: "分值 of the indicator row",
    },
    Column {
        name: "claimed_score",
        zh: &["得分", "自评得分", "单项指标得分", "指标得分"],
        doc: "得分 of the indicator row as claimed",
    },
    Column {
        name: "deviation_explanation",
        zh: &[
            "偏差原因分析及改进措施",
            "偏差原因分析",
            "未完成原因分析",
            "未完成原因分析及改进措施",
        ],
        doc: "偏差原因分析及改进措施",
    },
];

/// The columns as the operation description and the README list them, one per line.
pub fn columns_doc() -> String {
    COLUMNS
        .iter()
        .map(|c| {
            let mut headers: Vec<String> = c.zh.iter().map(|h| format!("`{h}`")).collect();
            headers.push(format!("`{}`", c.name));
            format!("- {}: {}", headers.join(" / "), c.doc)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The header as it is matched: in simplified characters, no BOM, no spaces, no parenthesised
/// note, no formula (`小计④ = ①+② +③`: `小计`) and no circled numbers.
fn header_key(header: &str) -> String {
    let h = crate::domain::text::to_simplified(header);
    let h = h.trim().trim_start_matches('\u{feff}');
    let h = h.split(['（', '(', '=', '＝']).next().unwrap_or(h);
    h.chars()
        .filter(|c| !c.is_whitespace() && !('\u{2460}'..='\u{2473}').contains(c))
        .collect()
}

pub(crate) fn canonical(header: &str) -> Option<&'static str> {
    let h = header_key(header);
    COLUMNS
        .iter()
        .find(|c| c.name == h || c.zh.contains(&h.as_str()))
        .map(|c| c.name)
}

/// The header as printed (without a BOM or surrounding spaces): what pointers name.
fn printed(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_owned()
}

fn problem(line: usize, column: &str, code: &'static str, en: String, zh: String) -> FieldError {
    FieldError::body(
        format!("/rows/{line}/{}", escape_pointer(column)),
        code,
        Text::new(en, zh),
    )
}

/// Where an evaluation read from CSV came from: the lines of its rows and the headers as
/// printed, so that problems and findings point at `/rows/{line}/{header as printed}`.
#[derive(Debug, Clone)]
pub struct Places {
    /// The line of the evaluation's first row (its own cells are read from it).
    pub first_line: usize,
    /// The line of each indicator row.
    pub indicator_lines: Vec<usize>,
    header_of: HashMap<&'static str, String>,
}

impl Places {
    /// The CSV place of a JSON Pointer into the evaluation (`/indicators/2/weight` →
    /// `/rows/4/分值`): the row, and the column when the CSV has one for the field.
    pub fn pointer(&self, evaluation_pointer: &str) -> String {
        let tokens: Vec<&str> = evaluation_pointer.split('/').skip(1).collect();
        let (line, column) = match tokens.as_slice() {
            ["indicators", k, rest @ ..] => (
                k.parse::<usize>()
                    .ok()
                    .and_then(|k| self.indicator_lines.get(k).copied())
                    .unwrap_or(self.first_line),
                rest.first().copied().filter(|f| {
                    matches!(
                        *f,
                        "level1"
                            | "level2"
                            | "level3"
                            | "target"
                            | "target_nature"
                            | "target_unit"
                            | "actual"
                            | "weight"
                            | "claimed_score"
                            | "deviation_explanation"
                    )
                }),
            ),
            ["budget", field, ..] => (
                self.first_line,
                match *field {
                    "weight" => Some("execution_weight"),
                    "claimed_score" => Some("claimed_execution_score"),
                    f @ ("amount_unit" | "initial" | "full_year" | "executed" | "claimed_rate") => {
                        Some(f)
                    }
                    _ => Some("full_year"),
                },
            ),
            [field, ..] => (
                self.first_line,
                Some(*field).filter(|f| {
                    matches!(
                        *f,
                        "kind"
                            | "department"
                            | "project"
                            | "year"
                            | "rule_set"
                            | "annual_goal"
                            | "achievement"
                            | "claimed_total"
                    )
                }),
            ),
            [] => (self.first_line, None),
        };
        match column.and_then(|c| self.header_of.get(c)) {
            Some(header) => format!("/rows/{line}/{}", escape_pointer(header)),
            None => format!("/rows/{line}"),
        }
    }
}

/// Parses the CSV into batch items; every problem is reported at once.
pub fn parse(bytes: &[u8]) -> Result<Vec<BatchItem>, ApiError> {
    parse_located(bytes).map(|(items, _)| items)
}

/// Parses the CSV into batch items with the places they were read from.
pub fn parse_located(bytes: &[u8]) -> Result<(Vec<BatchItem>, Vec<Places>), ApiError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            ApiError::validation(vec![problem(
                1,
                "",
                "csv.invalid",
                format!("Unreadable header: {e}"),
                "无法读取表头（CSV 格式有误，或编码不是 UTF-8）".into(),
            )])
        })?
        .clone();
    let header = Header::read(&headers)?;
    let mut errors = Vec::new();
    let mut items: Vec<BatchItem> = Vec::new();
    let mut places: Vec<Places> = Vec::new();
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
                    "无法读取该行（CSV 格式有误，如引号未闭合，或编码不是 UTF-8）".into(),
                ));
                continue;
            }
        };
        let row = Row {
            line,
            record: &record,
            header: &header,
        };
        let Some((kind, year)) = row.kind_and_year(&mut errors) else {
            continue;
        };
        let group = row.opt("ref").unwrap_or_else(|| {
            format!(
                "{}|{year}|{}|{}",
                row.cell("department"),
                kind.as_str(),
                row.cell("project")
            )
        });
        let index = match groups.get(&group) {
            Some(i) => *i,
            None => {
                items.push(row.item(kind, year, &mut errors));
                places.push(Places {
                    first_line: line,
                    indicator_lines: Vec::new(),
                    header_of: header.printed.clone(),
                });
                groups.insert(group, items.len() - 1);
                items.len() - 1
            }
        };
        items[index]
            .evaluation
            .indicators
            .push(row.indicator(&mut errors));
        places[index].indicator_lines.push(line);
    }
    if errors.is_empty() {
        Ok((items, places))
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The header row: the column each position fills, and the header each column was printed
/// with (for pointers).
struct Header {
    columns: Vec<&'static str>,
    printed: HashMap<&'static str, String>,
}

impl Header {
    /// Matches every header to a column; unknown headers, two headers for one column and
    /// missing required columns are refused, all at once.
    fn read(headers: &csv::StringRecord) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let mut columns: Vec<&'static str> = Vec::new();
        let mut header_of: HashMap<&'static str, String> = HashMap::new();
        for h in headers.iter() {
            let as_printed = printed(h);
            match canonical(h) {
                Some(c) if header_of.contains_key(c) => {
                    errors.push(problem(
                        1,
                        &as_printed,
                        "csv.duplicate_column",
                        format!(
                            "`{as_printed}` and `{}` are the same column ({c})",
                            header_of[c]
                        ),
                        format!("`{as_printed}` 与 `{}` 是同一列（{c}）", header_of[c]),
                    ));
                    columns.push("");
                }
                Some(c) => {
                    header_of.insert(c, as_printed);
                    columns.push(c);
                }
                None => {
                    errors.push(problem(
                        1,
                        &as_printed,
                        "csv.unknown_column",
                        format!("Unknown column `{as_printed}`"),
                        format!("未知列 `{as_printed}`"),
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
        Ok(Header {
            columns,
            printed: header_of,
        })
    }

    /// The header a column was printed with, or its English name when it is absent.
    fn of(&self, name: &str) -> String {
        self.printed
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    }
}

/// One data row of the CSV, read cell by cell as printed.
struct Row<'a> {
    line: usize,
    record: &'a csv::StringRecord,
    header: &'a Header,
}

impl Row<'_> {
    /// The cell of a column, trimmed (empty when the column is absent).
    fn cell(&self, name: &str) -> String {
        self.header
            .columns
            .iter()
            .position(|c| *c == name)
            .and_then(|i| self.record.get(i))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The cell of a column, when it is not empty.
    fn opt(&self, name: &str) -> Option<String> {
        Some(self.cell(name)).filter(|v| !v.is_empty())
    }

    /// A problem at this row's cell of a column.
    fn bad(&self, name: &str, e: Text) -> FieldError {
        problem(
            self.line,
            &self.header.of(name),
            range_code(&e.en),
            e.en,
            e.zh,
        )
    }

    /// An amount as printed (`1,088.19`, `——`).
    fn amount(&self, name: &str, errors: &mut Vec<FieldError>) -> Option<Amount> {
        Amount::parse_printed(&self.cell(name))
            .map_err(|e| errors.push(self.bad(name, e)))
            .ok()
            .flatten()
    }

    /// A figure as printed (`99.55分`, `９５`).
    fn figure(&self, name: &str, errors: &mut Vec<FieldError>) -> Option<Figure> {
        Figure::parse_printed(&self.cell(name))
            .map_err(|e| errors.push(self.bad(name, e)))
            .ok()
            .flatten()
    }

    /// The row's kind and year, which every row must give.
    fn kind_and_year(&self, errors: &mut Vec<FieldError>) -> Option<(EvaluationKind, i32)> {
        let kind = match self.cell("kind").as_str() {
            "部门整体" | "部门整体支出" | "department" => EvaluationKind::Department,
            "项目支出" | "项目" | "project" => EvaluationKind::Project,
            other => {
                errors.push(problem(
                    self.line,
                    &self.header.of("kind"),
                    "field.invalid",
                    format!("`{other}` is not 部门整体 or 项目支出"),
                    format!("`{other}` 不是“部门整体”或“项目支出”"),
                ));
                return None;
            }
        };
        let Ok(year) = crate::domain::money::normalize_width(&self.cell("year"))
            .trim()
            .parse::<i32>()
        else {
            errors.push(problem(
                self.line,
                &self.header.of("year"),
                "field.invalid",
                "The year must be a number".into(),
                "年度必须是数字".into(),
            ));
            return None;
        };
        Some((kind, year))
    }

    /// The unit of the row's amounts (万元 when blank).
    fn amount_unit(&self, errors: &mut Vec<FieldError>) -> AmountUnit {
        let Some(text) = self.opt("amount_unit") else {
            return AmountUnit::default();
        };
        AmountUnit::parse(&text).unwrap_or_else(|| {
            errors.push(problem(
                self.line,
                &self.header.of("amount_unit"),
                "field.invalid",
                format!("`{text}` is not 元 or 万元"),
                format!("`{text}` 不是“元”或“万元”"),
            ));
            AmountUnit::default()
        })
    }

    /// The budget block, read when 全年预算数 is given.
    fn budget(&self, errors: &mut Vec<FieldError>) -> Option<BudgetInput> {
        let amount_unit = self.amount_unit(errors);
        let initial = self.amount("initial", errors);
        let full_year = self.amount("full_year", errors)?;
        Some(BudgetInput {
            amount_unit,
            initial,
            full_year,
            executed: self.amount("executed", errors),
            weight: self.figure("execution_weight", errors),
            claimed_rate: self
                .opt("claimed_rate")
                .filter(|r| !crate::domain::money::is_not_given(r)),
            claimed_score: self.figure("claimed_execution_score", errors),
            by_source: Vec::new(),
            basic: None,
            project: None,
        })
    }

    /// A new evaluation from its first row's own cells, without indicators yet.
    fn item(&self, kind: EvaluationKind, year: i32, errors: &mut Vec<FieldError>) -> BatchItem {
        let budget = self.budget(errors);
        BatchItem {
            reference: self.opt("ref"),
            evaluation: EvaluationInput {
                kind,
                department: self.cell("department"),
                project: self.opt("project"),
                year,
                rule_set: self.opt("rule_set"),
                budget,
                annual_goal: self.opt("annual_goal"),
                achievement: self.opt("achievement"),
                indicators: Vec::new(),
                claimed_total: self.figure("claimed_total", errors),
                narrative: Narrative::default(),
            },
        }
    }

    /// The row's indicator.
    fn indicator(&self, errors: &mut Vec<FieldError>) -> IndicatorInputDto {
        IndicatorInputDto {
            level1: self.cell("level1"),
            level2: self.cell("level2"),
            level3: self.cell("level3"),
            target: self.cell("target"),
            target_nature: self.opt("target_nature"),
            target_unit: self.opt("target_unit"),
            actual: self.cell("actual"),
            weight: self.figure("weight", errors),
            claimed_score: self.figure("claimed_score", errors),
            deviation_explanation: self.opt("deviation_explanation"),
            direction: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_documented() {
        let doc = crate::api::openapi();
        let description = doc
            .paths
            .paths
            .get("/api/v1/evaluations/batch")
            .and_then(|p| p.post.as_ref())
            .and_then(|op| op.description.clone())
            .unwrap_or_default();
        let columns = columns_doc();
        assert!(
            description.contains(&columns),
            "the operation description lists every column:\n{columns}"
        );
        assert!(
            include_str!("../../README.md").contains(&columns),
            "the README lists every column:\n{columns}"
        );
    }

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
        assert_eq!(pointers, ["/rows/2/分值", "/rows/3/类型"]);
    }

    #[test]
    fn reads_cells_as_printed_and_header_aliases() {
        let csv = "类型,预算单位编码,年度,规则集,金额单位,年初预算数,全年预算数,全年执行数,执行分值,执行率,执行得分,自评总分,一级指标,二级指标,三级指标,指标性质,指标值,度量单位,完成值,权重,自评得分,未完成原因分析\n\
                   项目支出,901424,２０２４,hengyang-2024-project,元,——,387664.62,\"387,664.62\",10,100%,10.00分,99.55分,产出指标,质量指标,合格率,≧,95,%,９６,２０,20.00,无\n\
                   项目支出,901424,2024,,,,,,,,,,产出指标,数量指标,数量,,,,,/,—,\n";
        let items = parse(csv.as_bytes()).unwrap();
        assert_eq!(items.len(), 1);
        let e = &items[0].evaluation;
        assert_eq!(e.year, 2024);
        assert_eq!(e.rule_set.as_deref(), Some("hengyang-2024-project"));
        assert_eq!(e.claimed_total.unwrap().0.to_string(), "99.55");
        let b = e.budget.as_ref().unwrap();
        assert_eq!(b.amount_unit, AmountUnit::Yuan);
        assert!(b.initial.is_none());
        assert_eq!(b.executed.unwrap().0.to_string(), "387664.62");
        assert_eq!(b.weight.unwrap().0.to_string(), "10");
        assert_eq!(b.claimed_score.unwrap().0.to_string(), "10.00");
        assert_eq!(b.domain().full_year.to_string(), "38.766462");
        let r = &e.indicators[0];
        assert_eq!(r.target_nature.as_deref(), Some("≧"));
        assert_eq!(r.target, "95");
        assert_eq!(r.target_unit.as_deref(), Some("%"));
        assert_eq!(r.actual, "９６");
        assert_eq!(r.weight.unwrap().0.to_string(), "20");
        assert_eq!(r.claimed_score.unwrap().0.to_string(), "20.00");
        let blank = &e.indicators[1];
        assert!(blank.weight.is_none() && blank.claimed_score.is_none());
    }

    #[test]
    fn bad_cells_point_at_the_header_as_printed() {
        let csv = "类型,预算单位编码,年度,一级指标,二级指标,权重,得分（自评）,全年预算数,金额单位\n\
                   项目,901424,2024,产出指标,数量指标,abc,12.3.4,1.2.3,美元\n";
        let e = parse(csv.as_bytes()).unwrap_err();
        let pointers: Vec<&str> = e.errors.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/rows/2/金额单位",
                "/rows/2/全年预算数",
                "/rows/2/权重",
                "/rows/2/得分（自评）"
            ]
        );
        let csv = "类型,预算单位编码,年度,一级指标,二级指标,分值,权重\n";
        let e = parse(csv.as_bytes()).unwrap_err();
        assert_eq!(e.errors[0].code, "csv.duplicate_column");
        assert_eq!(e.errors[0].pointer, "/rows/1/权重");
    }
}
