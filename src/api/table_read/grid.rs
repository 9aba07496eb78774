//! A sheet as a grid of printed texts: cell values as printed, merged cells carried into every
//! cell they span, error cells and formulas without a saved value reported.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};

use super::read::{MAX_ROWS, cell_name, problem};
use crate::error::FieldError;

/// A cell's text as printed.
fn text_of(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                // The shortest text that reads back as the same number (387664.62).
                format!("{f}")
            }
        }
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// For each cell filled from a merge: the merge's top-left cell and its range (`B7:B15`).
pub(super) type Merges = HashMap<(u32, u32), ((u32, u32), String)>;

/// A sheet as a grid of texts, merged cells carried into every cell they span.
pub(super) struct Grid {
    pub(super) rows: Vec<Vec<String>>,
    /// For a cell filled from a merge: the top-left cell and the merge's range.
    pub(super) merged_from: Merges,
}

impl Grid {
    pub(super) fn get(&self, r: u32, c: u32) -> &str {
        self.rows
            .get(r as usize)
            .and_then(|row| row.get(c as usize))
            .map_or("", String::as_str)
    }

    pub(super) fn width(&self) -> u32 {
        self.rows.iter().map(Vec::len).max().unwrap_or(0) as u32
    }

    pub(super) fn height(&self) -> u32 {
        self.rows.len() as u32
    }

    /// The text as matched: no spaces, no trailing colon.
    pub(super) fn key(&self, r: u32, c: u32) -> String {
        key(self.get(r, c))
    }

    /// The cell the value at (r, c) was printed in, and the merge it came from.
    pub(super) fn origin(&self, r: u32, c: u32) -> (String, Option<String>) {
        match self.merged_from.get(&(r, c)) {
            Some(((r0, c0), range)) => (cell_name(*r0, *c0), Some(range.clone())),
            None => (cell_name(r, c), None),
        }
    }

    pub(super) fn find(
        &self,
        rows: std::ops::Range<u32>,
        pred: impl Fn(&str) -> bool,
    ) -> Option<(u32, u32)> {
        for r in rows {
            for c in 0..self.width() {
                if pred(&self.key(r, c)) {
                    return Some((r, c));
                }
            }
        }
        None
    }
}

pub(super) fn key(text: &str) -> String {
    let t: String = crate::domain::text::to_simplified(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    t.trim_end_matches([':', '：']).to_owned()
}

/// What a sheet of the workbook gave.
pub(super) enum Loaded {
    Grid(Grid),
    /// Nothing printed on it.
    Empty,
    /// Could not be read, or too large: the errors say why.
    Refused,
}

/// Reads one sheet into a grid. `at` names a cell of this sheet in the request.
pub(super) fn load(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    at: &dyn Fn(&str) -> String,
    errors: &mut Vec<FieldError>,
) -> Loaded {
    let range = match book.worksheet_range(name) {
        Ok(r) => r,
        Err(e) => {
            errors.push(problem(
                at(""),
                "xlsx.unreadable",
                format!("Sheet `{name}` cannot be read: {e}"),
                format!("工作表“{name}”无法读取：{e}"),
            ));
            return Loaded::Refused;
        }
    };
    if range.is_empty() {
        return Loaded::Empty;
    }
    let (end_row, end_col) = range.end().unwrap_or((0, 0));
    if end_row as usize + 1 > MAX_ROWS {
        errors.push(problem(
            at(""),
            "xlsx.too_many_rows",
            format!(
                "Sheet `{name}` has {} rows; a sheet holds at most {MAX_ROWS}",
                end_row + 1
            ),
            format!(
                "工作表“{name}”有 {} 行，每个工作表最多 {MAX_ROWS} 行",
                end_row + 1
            ),
        ));
        return Loaded::Refused;
    }
    let mut rows = printed_cells(&range, name, at, errors);
    if let Ok(formulas) = book.worksheet_formula(name) {
        check_formulas(&formulas, &rows, name, at, errors);
    }
    let mut merged_from = HashMap::new();
    if let Ok(merges) = book.merge_cells_by_sheet_name(name) {
        let spans = merges.iter().map(|m| (m.start, m.end));
        carry_merges(spans, &mut rows, (end_row, end_col), &mut merged_from);
    }
    Loaded::Grid(Grid { rows, merged_from })
}

/// The texts of the sheet's cells by (row, column) from A1; error values reported.
fn printed_cells(
    range: &Range<Data>,
    name: &str,
    at: &dyn Fn(&str) -> String,
    errors: &mut Vec<FieldError>,
) -> Vec<Vec<String>> {
    let (end_row, end_col) = range.end().unwrap_or((0, 0));
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut rows = vec![vec![String::new(); end_col as usize + 1]; end_row as usize + 1];
    for (r, c, d) in range.used_cells() {
        let (r, c) = (r as u32 + r0, c as u32 + c0);
        if let Data::Error(e) = d {
            let cell = cell_name(r, c);
            errors.push(problem(
                at(&cell),
                "xlsx.cell_error",
                format!("Cell {cell} of `{name}` holds an error value ({e:?})"),
                format!("工作表“{name}”的单元格 {cell} 为错误值（{e:?}）"),
            ));
        }
        rows[r as usize][c as usize] = text_of(d);
    }
    rows
}

/// Formulas whose value was never calculated and saved: the table would be read blank.
fn check_formulas(
    formulas: &Range<String>,
    rows: &[Vec<String>],
    name: &str,
    at: &dyn Fn(&str) -> String,
    errors: &mut Vec<FieldError>,
) {
    let (r0, c0) = formulas.start().unwrap_or((0, 0));
    for (r, c, f) in formulas.used_cells() {
        let (r, c) = (r as u32 + r0, c as u32 + c0);
        let value_empty = rows
            .get(r as usize)
            .and_then(|row| row.get(c as usize))
            .is_none_or(String::is_empty);
        if !f.is_empty() && value_empty {
            let cell = cell_name(r, c);
            errors.push(problem(
                at(&cell),
                "xlsx.formula_without_value",
                format!(
                    "Cell {cell} of `{name}` is a formula (={f}) with no calculated value saved; open the workbook in Excel or WPS, let it calculate and save it, or paste the values"
                ),
                format!(
                    "工作表“{name}”的单元格 {cell} 是公式（={f}），文件中没有保存计算结果；请在 Excel 或 WPS 中打开并重新计算后保存，或粘贴为数值"
                ),
            ));
        }
    }
}

/// A merge's value (calamine gives it in the top-left cell only) carried into every cell of the
/// merge, each such cell remembering where it came from.
fn carry_merges(
    spans: impl Iterator<Item = ((u32, u32), (u32, u32))>,
    rows: &mut [Vec<String>],
    (end_row, end_col): (u32, u32),
    merged_from: &mut Merges,
) {
    for ((r0, c0), (r1, c1)) in spans {
        let range_name = format!("{}:{}", cell_name(r0, c0), cell_name(r1, c1));
        let value = rows
            .get(r0 as usize)
            .and_then(|row| row.get(c0 as usize))
            .cloned()
            .unwrap_or_default();
        for r in r0..=r1.min(end_row) {
            for c in c0..=c1.min(end_col) {
                if (r, c) != (r0, c0) {
                    rows[r as usize][c as usize] = value.clone();
                    merged_from.insert((r, c), ((r0, c0), range_name.clone()));
                }
            }
        }
    }
}
