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

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::batch_csv::canonical;
use crate::error::FieldError;
use crate::locale::Text;
use crate::model::amount::{ABOVE_MAXIMUM, Amount, Figure};
use crate::model::body::escape_pointer;
use crate::model::evaluation_dto::{
    AmountUnit, BudgetInput, EvaluationInput, EvaluationKind, IndicatorInputDto, Narrative,
    SourceAmountDto,
};
use crate::model::funds::Source;

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

/// A sheet as a grid of texts, merged cells carried into every cell they span.
struct Grid {
    rows: Vec<Vec<String>>,
    /// For a cell filled from a merge: the top-left cell and the merge's range.
    merged_from: HashMap<(u32, u32), ((u32, u32), String)>,
}

impl Grid {
    fn get(&self, r: u32, c: u32) -> &str {
        self.rows
            .get(r as usize)
            .and_then(|row| row.get(c as usize))
            .map_or("", String::as_str)
    }

    fn width(&self) -> u32 {
        self.rows.iter().map(Vec::len).max().unwrap_or(0) as u32
    }

    fn height(&self) -> u32 {
        self.rows.len() as u32
    }

    /// The text as matched: no spaces, no trailing colon.
    fn key(&self, r: u32, c: u32) -> String {
        key(self.get(r, c))
    }

    /// The cell the value at (r, c) was printed in, and the merge it came from.
    fn origin(&self, r: u32, c: u32) -> (String, Option<String>) {
        match self.merged_from.get(&(r, c)) {
            Some(((r0, c0), range)) => (cell_name(*r0, *c0), Some(range.clone())),
            None => (cell_name(r, c), None),
        }
    }

    fn find(&self, rows: std::ops::Range<u32>, pred: impl Fn(&str) -> bool) -> Option<(u32, u32)> {
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

fn key(text: &str) -> String {
    let t: String = crate::domain::text::to_simplified(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    t.trim_end_matches([':', '：']).to_owned()
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
    let mut hidden = hidden_rows(bytes);
    for name in names {
        let at = |cell: &str| cell_pointer(file, &name, cell);
        let range = match book.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                errors.push(problem(
                    at(""),
                    "xlsx.unreadable",
                    format!("Sheet `{name}` cannot be read: {e}"),
                    format!("工作表“{name}”无法读取：{e}"),
                ));
                continue;
            }
        };
        let (end_row, end_col) = range.end().unwrap_or((0, 0));
        if range.is_empty() {
            out.empty_sheets.push(name.clone());
            continue;
        }
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
            continue;
        }
        let mut rows = vec![vec![String::new(); end_col as usize + 1]; end_row as usize + 1];
        for (r, c, d) in range.used_cells() {
            let (r, c) = (
                r as u32 + range.start().unwrap_or((0, 0)).0,
                c as u32 + range.start().unwrap_or((0, 0)).1,
            );
            if let Data::Error(e) = d {
                errors.push(problem(
                    at(&cell_name(r, c)),
                    "xlsx.cell_error",
                    format!(
                        "Cell {} of `{name}` holds an error value ({e:?})",
                        cell_name(r, c)
                    ),
                    format!(
                        "工作表“{name}”的单元格 {} 为错误值（{e:?}）",
                        cell_name(r, c)
                    ),
                ));
            }
            rows[r as usize][c as usize] = text_of(d);
        }
        // Formulas whose value was never calculated and saved: the table would be read blank.
        if let Ok(formulas) = book.worksheet_formula(&name) {
            let (r0, c0) = formulas.start().unwrap_or((0, 0));
            for (r, c, f) in formulas.used_cells() {
                let (r, c) = (r as u32 + r0, c as u32 + c0);
                let value_empty = rows
                    .get(r as usize)
                    .and_then(|row| row.get(c as usize))
                    .is_none_or(String::is_empty);
                if !f.is_empty() && value_empty {
                    errors.push(problem(
                        at(&cell_name(r, c)),
                        "xlsx.formula_without_value",
                        format!(
                            "Cell {} of `{name}` is a formula (={f}) with no calculated value saved; open the workbook in Excel or WPS, let it calculate and save it, or paste the values",
                            cell_name(r, c)
                        ),
                        format!(
                            "工作表“{name}”的单元格 {} 是公式（={f}），文件中没有保存计算结果；请在 Excel 或 WPS 中打开并重新计算后保存，或粘贴为数值",
                            cell_name(r, c)
                        ),
                    ));
                }
            }
        }
        let mut merged_from = HashMap::new();
        if let Ok(merges) = book.merge_cells_by_sheet_name(&name) {
            for m in merges {
                let (r0, c0) = m.start;
                let (r1, c1) = m.end;
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
        let grid = Grid { rows, merged_from };
        match read_sheet(&grid, &name, file, params) {
            Ok(mut s) => {
                s.hidden_rows = hidden.remove(&name).unwrap_or_default();
                out.sheets.push(s)
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The hidden rows (1-based) of each sheet, by sheet name: calamine reads every row but does
/// not say which are hidden, so the `hidden` attribute of `<row>` is read here with the zip and
/// XML readers calamine itself uses. A workbook whose parts cannot be found gives none.
fn hidden_rows(bytes: &[u8]) -> HashMap<String, Vec<u32>> {
    use quick_xml::events::Event;
    use std::io::Read;
    let mut out = HashMap::new();
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return out;
    };
    let mut part = |name: &str| -> Option<String> {
        let mut text = String::new();
        zip.by_name(name).ok()?.read_to_string(&mut text).ok()?;
        Some(text)
    };
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| {
                let k: &str = a.key.as_ref();
                k == name
            })
            .and_then(|a| {
                let raw: &str = &a.value;
                quick_xml::escape::unescape(raw)
                    .ok()
                    .map(|v| v.into_owned())
            })
    };
    let each = |xml: &str, tag: &str, f: &mut dyn FnMut(&quick_xml::events::BytesStart<'_>)| {
        let mut reader = quick_xml::Reader::from_str(xml);
        loop {
            match reader.read_event() {
                Ok(Event::Start(e) | Event::Empty(e))
                    if {
                        let n: &str = e.local_name().into_inner();
                        n == tag
                    } =>
                {
                    f(&e)
                }
                Ok(Event::Eof) | Err(_) => break,
                _ => {}
            }
        }
    };
    let (Some(workbook), Some(rels)) =
        (part("xl/workbook.xml"), part("xl/_rels/workbook.xml.rels"))
    else {
        return out;
    };
    let mut targets = HashMap::new();
    each(&rels, "Relationship", &mut |e| {
        if let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target")) {
            targets.insert(id, target);
        }
    });
    let mut sheets = Vec::new();
    each(&workbook, "sheet", &mut |e| {
        if let (Some(name), Some(id)) = (attr(e, "name"), attr(e, "r:id")) {
            sheets.push((name, id));
        }
    });
    for (name, id) in sheets {
        let Some(target) = targets.get(&id) else {
            continue;
        };
        let path = match target.strip_prefix('/') {
            Some(p) => p.to_owned(),
            None => format!("xl/{target}"),
        };
        let Some(xml) = part(&path) else { continue };
        let mut hidden = Vec::new();
        each(&xml, "row", &mut |e| {
            let is_hidden = attr(e, "hidden").is_some_and(|h| h == "1" || h == "true");
            if let (true, Some(r)) = (is_hidden, attr(e, "r").and_then(|r| r.parse().ok())) {
                hidden.push(r);
            }
        });
        out.insert(name, hidden);
    }
    out
}

/// Sub-rows of the budget block and the fund source each stands for.
fn source_of(label: &str) -> Option<Source> {
    let l = label
        .trim_start_matches("其中")
        .trim_start_matches([':', '：']);
    if l.contains("财政拨款") {
        Some(Source::GeneralPublicBudget)
    } else if l.contains("上年结转") {
        Some(Source::CarryOver)
    } else if l.starts_with("其他资金") {
        Some(Source::Other)
    } else {
        None
    }
}

fn read_sheet(
    g: &Grid,
    name: &str,
    file: usize,
    params: &ReadParams<'_>,
) -> Result<SheetRead, Vec<FieldError>> {
    let at = |cell: &str| cell_pointer(file, name, cell);
    let Some((header_row, _)) = g.find(0..g.height(), |k| k.starts_with("一级指标")) else {
        return Err(vec![problem(
            at(""),
            "xlsx.unknown_layout",
            format!(
                "Sheet `{name}` is in no known layout: no 一级指标 header (附件4 部门整体支出绩效自评表 or 附件5 项目支出绩效自评表)"
            ),
            format!(
                "工作表“{name}”不是已知的表样：没有“一级指标”表头（附件4 部门整体支出绩效自评表或附件5 项目支出绩效自评表）"
            ),
        )]);
    };
    let mut errors: Vec<FieldError> = Vec::new();
    let mut mapping: Vec<CellMapping> = Vec::new();
    let mut map = |field: String, r: u32, c: u32, header: Option<String>| {
        let (cell, merged) = g.origin(r, c);
        mapping.push(CellMapping {
            field,
            cell,
            header,
            printed: g.get(r, c).to_owned(),
            merged,
        });
    };
    // Title, kind and year.
    let title = g.find(0..header_row, |k| {
        k.contains("自评表") || k.contains("评价表")
    });
    let title_text = title.map(|(r, c)| key(g.get(r, c))).unwrap_or_default();
    let project_label = g.find(0..header_row, |k| k.starts_with("项目名称"));
    let kind = if title_text.contains("部门整体") {
        EvaluationKind::Department
    } else if title_text.contains("项目") || project_label.is_some() {
        EvaluationKind::Project
    } else {
        EvaluationKind::Department
    };
    let layout = match kind {
        EvaluationKind::Department => TableLayout::Attachment4Department,
        EvaluationKind::Project => TableLayout::Attachment5Project,
    };
    let title_year = year_in(&title_text);
    let year = match (title_year, params.year) {
        (Some(y), _) => {
            if let Some((r, c)) = title {
                map("/year".into(), r, c, None);
            }
            y
        }
        (None, Some(y)) => y,
        (None, None) => {
            errors.push(problem(
                at(&title.map(|(r, c)| cell_name(r, c)).unwrap_or_default()),
                "xlsx.missing_year",
                format!("Sheet `{name}`: the title gives no year (`2024年度…`); send `year`"),
                format!("工作表“{name}”的标题中没有年度（“2024年度…”）；请提供 `year` 参数"),
            ));
            0
        }
    };
    // 单位：万元 / 单位：元.
    let mut amount_unit = AmountUnit::WanYuan;
    if let Some((r, c)) = g.find(0..header_row, |k| unit_in(k).is_some()) {
        amount_unit = unit_in(&g.key(r, c)).unwrap_or_default();
        map("/budget/amount_unit".into(), r, c, None);
    }
    // 项目名称: the next cell to the right that is not the label itself.
    let project = project_label.and_then(|(r, c)| {
        let label = g.get(r, c).to_owned();
        let inline = key(&label)
            .strip_prefix("项目名称")
            .map(|s| s.trim_start_matches([':', '：']).to_owned())
            .filter(|s| !s.is_empty());
        if let Some(v) = inline {
            map("/project".into(), r, c, None);
            return Some(v);
        }
        (c + 1..g.width())
            .find(|&c2| !g.get(r, c2).is_empty() && g.get(r, c2) != label)
            .filter(|&c2| !is_label(&g.key(r, c2)))
            .map(|c2| {
                map("/project".into(), r, c2, Some(label.clone()));
                g.get(r, c2).to_owned()
            })
    });
    let bad = |r: u32, c: u32, e: Text| {
        let code = if e.en.contains(ABOVE_MAXIMUM) {
            "field.out_of_range"
        } else {
            "field.invalid"
        };
        problem(at(&g.origin(r, c).0), code, e.en, e.zh)
    };
    // The budget block: a header row with 全年预算数 (or an alias), above the indicators.
    let mut budget = None;
    let budget_header = (0..header_row)
        .find(|&r| (0..g.width()).any(|c| canonical(g.get(r, c)) == Some("full_year")));
    if let Some(hr) = budget_header {
        let mut cols: HashMap<&'static str, u32> = HashMap::new();
        for c in 0..g.width() {
            if let Some(f) = canonical(g.get(hr, c)) {
                let field = match f {
                    "weight" => "weight",
                    "claimed_score" => "claimed_score",
                    "initial" | "full_year" | "executed" | "claimed_rate" => f,
                    _ => continue,
                };
                cols.entry(field).or_insert(c);
            }
        }
        // 年度资金总额 (`总额`, `年度财政资金总额`, `财政资金小计`, …): the row so labelled, else
        // the first row under the header, as every real table prints its total there (unless
        // the block has no rows and 年度总体目标 follows).
        let total_row = (hr + 1..header_row)
            .find(|&r| (0..g.width()).any(|c| g.key(r, c).starts_with("年度资金总额")))
            .or(Some(hr + 1).filter(|&r| {
                r < header_row
                    && !(0..g.width()).any(|c| {
                        let k = g.key(r, c);
                        k.starts_with("年度总体目标") || k == "预期目标" || k == "实际完成情况"
                    })
            }));
        if let Some(tr) = total_row {
            let header = |f: &str| cols.get(f).map(|&c| g.get(hr, c).to_owned());
            let amount = |f: &str,
                          errors: &mut Vec<FieldError>,
                          map: &mut dyn FnMut(String, u32, u32, Option<String>)|
             -> Option<Amount> {
                let &c = cols.get(f)?;
                map(format!("/budget/{f}"), tr, c, header(f));
                Amount::parse_printed(g.get(tr, c))
                    .map_err(|e| errors.push(bad(tr, c, e)))
                    .ok()
                    .flatten()
            };
            let figure = |f: &str,
                          errors: &mut Vec<FieldError>,
                          map: &mut dyn FnMut(String, u32, u32, Option<String>)|
             -> Option<Figure> {
                let &c = cols.get(f)?;
                map(format!("/budget/{f}"), tr, c, header(f));
                Figure::parse_printed(g.get(tr, c))
                    .map_err(|e| errors.push(bad(tr, c, e)))
                    .ok()
                    .flatten()
            };
            let initial = amount("initial", &mut errors, &mut map);
            let full_year = amount("full_year", &mut errors, &mut map);
            let executed = amount("executed", &mut errors, &mut map);
            // Without a 分值 column, the points a header such as `得分(20 分*执行率)` names.
            let weight = if cols.contains_key("weight") {
                figure("weight", &mut errors, &mut map)
            } else {
                cols.get("claimed_score").and_then(|&c| {
                    let points = points_in(&g.key(hr, c))?;
                    map("/budget/weight".into(), hr, c, header("claimed_score"));
                    Figure::parse_printed(&points).ok().flatten()
                })
            };
            let claimed_rate = cols.get("claimed_rate").and_then(|&c| {
                map("/budget/claimed_rate".into(), tr, c, header("claimed_rate"));
                Some(g.get(tr, c).to_owned()).filter(|t| !crate::domain::money::is_not_given(t))
            });
            let claimed_score = figure("claimed_score", &mut errors, &mut map);
            // Sub-rows by fund source (当年财政拨款 / 上年结转资金 / 其他资金): their 全年预算数.
            let mut by_source = Vec::new();
            for r in tr + 1..header_row {
                let Some(source) = (0..g.width()).find_map(|c| source_of(&g.key(r, c))) else {
                    break;
                };
                if let Some(&c) = cols.get("full_year") {
                    match Amount::parse_printed(g.get(r, c)) {
                        Ok(Some(a)) => {
                            map(
                                format!("/budget/by_source/{}/amount", by_source.len()),
                                r,
                                c,
                                header("full_year"),
                            );
                            by_source.push(SourceAmountDto { source, amount: a });
                        }
                        Ok(None) => {}
                        Err(e) => errors.push(bad(r, c, e)),
                    }
                }
            }
            match full_year {
                Some(full_year) => {
                    budget = Some(BudgetInput {
                        amount_unit,
                        initial,
                        full_year,
                        executed,
                        weight,
                        claimed_rate,
                        claimed_score,
                        by_source,
                        basic: None,
                        project: None,
                    })
                }
                None if cols.contains_key("full_year") => {
                    let c = cols["full_year"];
                    if Amount::parse_printed(g.get(tr, c)).is_ok() {
                        errors.push(problem(
                            at(&cell_name(tr, c)),
                            "field.missing",
                            format!("Sheet `{name}`: 全年预算数 of 年度资金总额 is blank"),
                            format!("工作表“{name}”：年度资金总额的全年预算数为空"),
                        ));
                    }
                }
                None => {}
            }
        }
    }
    // 年度总体目标: 预期目标 | 实际完成情况 headers, values on the next row.
    let goal_at = |label: &str| {
        g.find(0..header_row, |k| k == label).and_then(|(r, c)| {
            let v = g.get(r + 1, c);
            (r + 1 < header_row && !v.is_empty() && key(v) != label).then_some((r + 1, c))
        })
    };
    let annual_goal = goal_at("预期目标").map(|(r, c)| {
        map("/annual_goal".into(), r, c, Some("预期目标".into()));
        g.get(r, c).to_owned()
    });
    let achievement = goal_at("实际完成情况").map(|(r, c)| {
        map("/achievement".into(), r, c, Some("实际完成情况".into()));
        g.get(r, c).to_owned()
    });
    // The indicator header, with the three-cell target on a second header row.
    let sub = header_row + 1;
    let has_sub = (0..g.width()).any(|c| {
        matches!(
            canonical(g.get(sub, c)),
            Some("target_nature" | "target_unit")
        )
    });
    let mut cols: Vec<(&'static str, u32, String)> = Vec::new();
    let mut ignored_columns = Vec::new();
    for c in 0..g.width() {
        let printed =
            if has_sub && !g.get(sub, c).is_empty() && g.get(sub, c) != g.get(header_row, c) {
                g.get(sub, c)
            } else {
                g.get(header_row, c)
            };
        if printed.is_empty() {
            continue;
        }
        match canonical(printed) {
            Some(
                f @ ("level1"
                | "level2"
                | "level3"
                | "target_nature"
                | "target"
                | "target_unit"
                | "actual"
                | "weight"
                | "claimed_score"
                | "deviation_explanation"),
            ) => {
                if !cols.iter().any(|(x, _, _)| *x == f) {
                    cols.push((f, c, printed.to_owned()));
                }
            }
            _ => {
                if !ignored_columns.contains(&printed.to_owned()) {
                    ignored_columns.push(printed.to_owned());
                }
            }
        }
    }
    let col = |f: &str| {
        cols.iter()
            .find(|(x, _, _)| *x == f)
            .map(|(_, c, h)| (*c, h.clone()))
    };
    let first = if has_sub { sub + 1 } else { sub };
    let mut indicators = Vec::new();
    let mut claimed_total = None;
    for r in first..g.height() {
        let row_key: String = (0..g.width())
            .map(|c| g.key(r, c))
            .find(|k| !k.is_empty())
            .unwrap_or_default();
        if row_key.starts_with("总分") || row_key.starts_with("合计") {
            // 总分: under 得分, else the last number printed on the row.
            let cell = match col("claimed_score") {
                Some((c, _)) => Some(c).filter(|&c| !g.get(r, c).is_empty()),
                None => (0..g.width()).rev().find(|&c| {
                    let t = g.get(r, c);
                    !t.is_empty() && !key(t).starts_with("总分") && !key(t).starts_with("合计")
                }),
            };
            if let Some(c) = cell {
                map("/claimed_total".into(), r, c, Some(row_key.clone()));
                claimed_total = Figure::parse_printed(g.get(r, c))
                    .map_err(|e| errors.push(bad(r, c, e)))
                    .ok()
                    .flatten();
            }
            break;
        }
        if row_key.starts_with("注") || row_key.starts_with("填表") {
            break;
        }
        // A row printed with nothing in its own cells (only a merge passing through) is none.
        let own = cols
            .iter()
            .any(|(_, c, _)| !g.get(r, *c).is_empty() && !g.merged_from.contains_key(&(r, *c)));
        if !own {
            continue;
        }
        let i = indicators.len();
        let mut text = |f: &str| -> String {
            match col(f) {
                Some((c, h)) => {
                    map(format!("/indicators/{i}/{f}"), r, c, Some(h));
                    g.get(r, c).to_owned()
                }
                None => String::new(),
            }
        };
        let level1 = text("level1");
        let level2 = text("level2");
        let level3 = text("level3");
        let target = text("target");
        let target_nature = col("target_nature").map(|_| text("target_nature"));
        let target_unit = col("target_unit").map(|_| text("target_unit"));
        let actual = text("actual");
        let deviation = text("deviation_explanation");
        let mut figure = |f: &str| -> Option<Figure> {
            let (c, h) = col(f)?;
            map(format!("/indicators/{i}/{f}"), r, c, Some(h));
            Figure::parse_printed(g.get(r, c))
                .map_err(|e| errors.push(bad(r, c, e)))
                .ok()
                .flatten()
        };
        let weight = figure("weight");
        let claimed_score = figure("claimed_score");
        indicators.push(IndicatorInputDto {
            level1,
            level2,
            level3,
            target,
            target_nature: target_nature.filter(|t| !t.is_empty()),
            target_unit: target_unit.filter(|t| !t.is_empty()),
            actual,
            weight,
            claimed_score,
            deviation_explanation: Some(deviation).filter(|d| !d.is_empty()),
            direction: None,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SheetRead {
        sheet: name.to_owned(),
        layout,
        input: EvaluationInput {
            kind,
            department: params.department.to_owned(),
            project: if kind == EvaluationKind::Project {
                project
            } else {
                None
            },
            year,
            rule_set: None,
            budget,
            annual_goal,
            achievement,
            indicators,
            claimed_total,
            narrative: Narrative::default(),
        },
        mapping,
        hidden_rows: Vec::new(),
        ignored_columns,
    })
}

/// `20` from a header such as `得分(20分*执行率)` (read without spaces).
fn points_in(header: &str) -> Option<String> {
    let inside = header.split(['(', '（']).nth(1)?;
    let digits: String = inside.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty() && inside[digits.len()..].starts_with('分')).then_some(digits)
}

/// Labels of the header rows that are not values (`主管部门`, `实施单位`).
fn is_label(k: &str) -> bool {
    ["主管部门", "实施单位", "部门名称", "单位"]
        .iter()
        .any(|l| k.starts_with(l))
}

/// `2024` from `2024年度项目支出绩效自评表` or `（2022年度）`.
fn year_in(title: &str) -> Option<i32> {
    let t = crate::domain::money::normalize_width(title);
    let chars: Vec<char> = t.chars().collect();
    chars.windows(5).find_map(|w| {
        (w[..4].iter().all(char::is_ascii_digit) && w[4] == '年')
            .then(|| w[..4].iter().collect::<String>().parse().ok())
            .flatten()
    })
}

/// The unit of `单位：万元` / `金额单位：元` / `单位:元`.
fn unit_in(k: &str) -> Option<AmountUnit> {
    let i = k.find("单位")?;
    let rest = k[i + "单位".len()..].trim_start_matches([':', '：']);
    AmountUnit::parse(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cells() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 27), "AB7");
        assert_eq!(year_in("2022年度项目支出绩效自评表"), Some(2022));
        assert_eq!(year_in("项目支出绩效自评表（２０２２年度）"), Some(2022));
        assert_eq!(unit_in("单位：元"), Some(AmountUnit::Yuan));
        assert_eq!(unit_in("金额单位:万元"), Some(AmountUnit::WanYuan));
        assert_eq!(points_in("得分(20分*执行率)").as_deref(), Some("20"));
        assert_eq!(points_in("执行率(B/A)"), None);
    }
}
