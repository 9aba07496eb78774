//! What reading a table takes and gives (the request's parameters, the sheets read with the
//! cell each field came from), its limits, and how it names cells in messages.

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

pub(super) fn problem(pointer: String, code: &'static str, en: String, zh: String) -> FieldError {
    FieldError::body(pointer, code, Text::new(en, zh))
}
