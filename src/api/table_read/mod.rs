//! Reading the official tables (附件4 部门整体支出绩效自评表, 附件5 项目支出绩效自评表) from .xlsx
//! workbooks, as forms and real tables print them, into [`crate::model::evaluation_dto::EvaluationInput`].
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
mod read;
mod sheet;

pub use read::{
    CellMapping, MAX_ROWS, MAX_SHEETS, ReadParams, SheetRead, TableLayout, WorkbookRead, cell_name,
    cell_pointer,
};

use std::io::Cursor;

use calamine::{Reader, Xlsx};

use read::problem;

use crate::error::FieldError;

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
