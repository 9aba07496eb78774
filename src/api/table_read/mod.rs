//! Reading the official tables (附件4 部门整体支出绩效自评表, 附件5 项目支出绩效自评表) from .xlsx
//! workbooks, as forms and real tables print them, into [`EvaluationInput`].
//!
//! The workbook is read by calamine (a maintained reader: no code of ours for the zip/XML
//! format). Blocks are located by their header texts, never by fixed cell addresses: the title
//! (`…年度项目支出绩效自评表`), `单位：万元` / `单位：元`, `项目名称`, the budget block (a header row
//! with 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分, matched with the aliases of the CSV
//! batch, and its 年度资金总额 row and sub-rows), 年度总体目标 (预期目标 | 实际完成情况), the indicator
//! header (一级指标 …, with the three-cell 指标性质 | 指标值 | 度量单位 on a second header row) and its
//! rows, and 总分. A merged cell's value (calamine gives it in the top-left cell only) is carried
//! into every cell of the merge, so merged 一级指标 / 二级指标 cells hold on each row they span.
//! Cells are read as printed, through the rule JSON and CSV use
//! ([`crate::domain::money::parse_printed`]).

mod grid;
mod hidden;
mod sheet;

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::locale::Text;
use crate::model::body::escape_pointer;
use crate::model::evaluation_dto::EvaluationInput;

/// At most this many sheets per workbook.
pub const MAX_SHEETS: usize = 50;
/// At most this many rows per sheet.
pub const MAX_ROWS: usize = 2000;

/// Which official table a sheet is laid out as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableLayout {
    /// 附件4 部门整体支出绩效自评表.
    Attachment4Department,
    /// 附件5 项目支出绩效自评表.
    Attachment5Project,
}

/// One cell that became one field: so a person can check what was read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CellMapping {
    /// The field, as a JSON Pointer into `input` (`/budget/full_year`, `/indicators/3/actual`).
    pub field: String,
    /// The cell (`D7`); for a merged cell carried down, the cell the value was printed in.
    pub cell: String,
    /// The header the column was matched by, as printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// The cell's text as read.
    pub printed: String,
    /// The value came from a merged cell (`B7:B15`) printed once for every row it spans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged: Option<String>,
}

/// One sheet read as an official table.
#[derive(Debug, Clone)]
pub struct SheetRead {
    pub sheet: String,
    pub layout: TableLayout,
    pub input: EvaluationInput,
    pub mapping: Vec<CellMapping>,
    /// Rows of the sheet that are hidden in Excel (1-based): read all the same.
    pub hidden_rows: Vec<u32>,
    /// Columns whose header is not a field (`计算得分`, `得分依据`): not read.
    pub ignored_columns: Vec<String>,
}

/// What a workbook gives: its tables, and the sheets left out because they are empty.
#[derive(Debug, Default)]
pub struct WorkbookRead {
    pub sheets: Vec<SheetRead>,
    pub empty_sheets: Vec<String>,
}

/// Parameters from the request: the department (budget code) and, unless the title gives it,
/// the year.
pub struct ReadParams<'a> {
    pub department: &'a str,
    pub year: Option<i32>,
}

/// `A1` for a zero-based (row, column).
pub fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row + 1)
}

/// The pointer of a cell in the request: `/files/{file}/sheets/{sheet}/{cell}`.
pub fn cell_pointer(file: usize, sheet: &str, cell: &str) -> String {
    if cell.is_empty() {
        format!("/files/{file}/sheets/{}", escape_pointer(sheet))
    } else {
        format!("/files/{file}/sheets/{}/{cell}", escape_pointer(sheet))
    }
}

fn problem(pointer: String, code: &'static str, en: String, zh: String) -> FieldError {
    FieldError::body(pointer, code, Text::new(en, zh))
}

/// Reads every sheet of a workbook. `file` is the file's place in the request (for pointers).
pub fn read_workbook(
    bytes: &[u8],
    file: usize,
    params: &ReadParams<'_>,
) -> Result<WorkbookRead, Vec<FieldError>> {
    let whole = cell_pointer(file, "", "");
    let whole = whole.trim_end_matches("/sheets/").to_owned();
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        vec![problem(
            whole.clone(),
            "xlsx.unreadable",
            format!("The file is not a readable .xlsx workbook: {e}"),
            format!("该文件不是可读取的 .xlsx 工作簿：{e}"),
        )]
    })?;
    let names = book.sheet_names();
    if names.len() > MAX_SHEETS {
        return Err(vec![problem(
            whole,
            "xlsx.too_many_sheets",
            format!(
                "A workbook holds at most {MAX_SHEETS} sheets; this one has {}",
                names.len()
            ),
            format!(
                "一个工作簿最多 {MAX_SHEETS} 个工作表，本工作簿有 {} 个",
                names.len()
            ),
        )]);
    }
    let mut out = WorkbookRead::default();
    let mut errors = Vec::new();
    let mut hidden = hidden::hidden_rows(bytes);
    for name in names {
        let at = |cell: &str| cell_pointer(file, &name, cell);
        match grid::load(&mut book, &name, &at, &mut errors) {
            grid::Loaded::Grid(g) => match sheet::read_sheet(&g, &name, file, params) {
                Ok(mut s) => {
                    s.hidden_rows = hidden.remove(&name).unwrap_or_default();
                    out.sheets.push(s)
                }
                Err(mut e) => errors.append(&mut e),
            },
            grid::Loaded::Empty => out.empty_sheets.push(name.clone()),
            grid::Loaded::Refused => {}
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cells() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 27), "AB7");
    }
}
