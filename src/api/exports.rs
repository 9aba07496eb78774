//! `/api/v1/exports`: the evaluations list and the indicator results as CSV and XLSX files,
//! with the column headers of the official tables, in the caller's scope and with the lists'
//! filters (viewers: submitted and approved evaluations only).
//!
//! * CSV: UTF-8 with a byte-order mark (so that Excel reads the Chinese), RFC 4180 quoting and
//!   CRLF line ends, streamed page by page (500 rows a query, keyset order). A text cell that
//!   starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that a
//!   spreadsheet never runs it as a formula.
//! * XLSX: one sheet per table (绩效自评, 绩效指标), header row bold and frozen, amounts and
//!   scores as numbers with the `0.00` format, execution rates as numbers with `0.00%`. An XLSX
//!   file is a zip archive, so it is built in memory and then sent.
//!
//! Amounts (万元) and scores are rounded half-up to two decimals, as the tables print them.

use std::fmt::Write as _;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, web};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::state::AppState;
use crate::app::exports::{Cell, EVALUATIONS, INDICATOR_RESULTS, Source, Table};
use crate::app::filters::{EvaluationFilters, IndicatorFilters};
use crate::app::scope::region_filter;
use crate::domain::money;
use crate::domain::policy::Principal;
use crate::error::ApiError;
use crate::model::evaluation_dto::{EvaluationKind, GradeDto};
use crate::model::vocab::ScoreBasis;

/// Rows fetched per query, at most (never more than the server's `max_page_size`).
const PAGE: u64 = 500;

fn page_size(state: &AppState) -> u64 {
    state.max_page_size.clamp(1, PAGE)
}
const CSV_TYPE: &str = "text/csv; charset=utf-8";
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An XLSX file, in the contract: a binary string.
pub struct XlsxFile;

impl utoipa::PartialSchema for XlsxFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("An Office Open XML workbook (zip)"))
            .into()
    }
}

impl utoipa::ToSchema for XlsxFile {}

fn two_decimals(d: Decimal) -> Decimal {
    let mut r = money::round2(d);
    r.rescale(2);
    r
}

/// One field, quoted as RFC 4180 asks (and guarded against formulas when it is text).
pub fn csv_field(cell: &Cell, out: &mut String) {
    match cell {
        Cell::Text(s) => {
            let guarded = matches!(s.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'));
            let quote = guarded || s.contains([',', '"', '\r', '\n']);
            if quote {
                out.push('"');
            }
            if guarded {
                out.push('\'');
            }
            for c in s.chars() {
                if c == '"' {
                    out.push('"');
                }
                out.push(c);
            }
            if quote {
                out.push('"');
            }
        }
        Cell::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Cell::Number(Some(d)) => {
            let _ = write!(out, "{}", two_decimals(*d));
        }
        Cell::Percent(Some(d)) => {
            let _ = write!(out, "{}%", two_decimals(*d));
        }
        Cell::Number(None) | Cell::Percent(None) => {}
    }
}

/// One CSV line, CRLF-terminated.
pub fn csv_line<'a>(cells: impl IntoIterator<Item = &'a Cell>, out: &mut String) {
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(c, out);
    }
    out.push_str("\r\n");
}

/// The header line with the byte-order mark.
fn csv_header(table: &Table) -> String {
    let mut out = String::from("\u{feff}");
    let cells: Vec<Cell> = table
        .columns
        .iter()
        .map(|(h, _)| Cell::Text((*h).to_owned()))
        .collect();
    csv_line(&cells, &mut out);
    out
}

/// `attachment` with an ASCII file name and the Chinese one as `filename*` (RFC 6266 / 5987).
pub fn disposition(table: &Table, suffix: &str, ext: &str) -> String {
    let ascii = format!("{}{suffix}.{ext}", table.file_stem);
    let zh = format!("{}{suffix}.{ext}", table.file_stem_zh);
    let mut encoded = String::new();
    for b in zh.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            let _ = write!(encoded, "%{b:02X}");
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `-430424-2024` from the region and year filters (the region as its checked digit prefix).
fn file_suffix(region: Option<&str>, year: Option<i32>) -> String {
    let mut s = String::new();
    if let Ok(Some(prefix)) = region_filter(region) {
        let _ = write!(s, "-{prefix}");
    }
    if let Some(y) = year {
        let _ = write!(s, "-{y}");
    }
    s
}

/// Streams a CSV: the header and first page are made before the answer starts (so a failure
/// there is still a problem document), the other pages as the client reads.
async fn csv_response(
    state: web::Data<AppState>,
    table: &'static Table,
    source: Source,
    suffix: &str,
) -> Result<HttpResponse, ApiError> {
    let (rows, next) = source.page(&state.db, None, page_size(&state)).await?;
    let mut first = csv_header(table);
    for r in &rows {
        csv_line(r, &mut first);
    }
    struct Cursor {
        state: web::Data<AppState>,
        source: Source,
        first: Option<String>,
        next: Option<String>,
    }
    let cursor = Cursor {
        state,
        source,
        first: Some(first),
        next,
    };
    let body = futures_util::stream::unfold(cursor, |mut c| async move {
        if let Some(first) = c.first.take() {
            return Some((Ok(Bytes::from(first)), c));
        }
        let after = c.next.take()?;
        match c
            .source
            .page(&c.state.db, Some(&after), page_size(&c.state))
            .await
        {
            Ok((rows, next)) => {
                let mut chunk = String::new();
                for r in &rows {
                    csv_line(r, &mut chunk);
                }
                c.next = next;
                Some((Ok(Bytes::from(chunk)), c))
            }
            Err(e) => {
                // The status line is sent: all that is left is to break the download off.
                tracing::error!(error = %e, "CSV export failed after its first page");
                Some((Err(std::io::Error::other("export failed")), c))
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type(CSV_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            disposition(table, suffix, "csv"),
        ))
        .streaming(body))
}

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::internal(anyhow::anyhow!("xlsx: {e}"))
}

/// The number formats of the data cells.
struct Formats {
    number: Format,
    percent: Format,
}

/// Writes one data row of cells (empty cells stay blank).
fn write_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    cells: &[Cell],
    formats: &Formats,
) -> Result<(), ApiError> {
    for (col, cell) in cells.iter().enumerate() {
        let col = u16::try_from(col).map_err(ApiError::internal)?;
        let result = match cell {
            Cell::Text(s) if s.is_empty() => continue,
            Cell::Text(s) => sheet.write_string(row, col, s),
            Cell::Int(n) => {
                // Counts and years: exact in f64 far beyond any real value.
                #[allow(clippy::cast_precision_loss)]
                let n = *n as f64;
                sheet.write_number(row, col, n)
            }
            // Decimals become f64 here, at the cell, and nowhere else.
            Cell::Number(Some(d)) => sheet.write_number_with_format(
                row,
                col,
                two_decimals(*d).to_f64().unwrap_or(0.0),
                &formats.number,
            ),
            Cell::Percent(Some(d)) => sheet.write_number_with_format(
                row,
                col,
                two_decimals(*d)
                    .checked_div(Decimal::ONE_HUNDRED)
                    .and_then(|p| p.to_f64())
                    .unwrap_or(0.0),
                &formats.percent,
            ),
            Cell::Number(None) | Cell::Percent(None) => continue,
        };
        result.map_err(xlsx_error)?;
    }
    Ok(())
}

/// Names the sheet and writes the header row, bold and frozen, with the column widths.
fn write_header(sheet: &mut rust_xlsxwriter::Worksheet, table: &Table) -> Result<(), ApiError> {
    let bold = Format::new().set_bold();
    sheet.set_name(table.sheet).map_err(xlsx_error)?;
    for (col, (title, width)) in table.columns.iter().enumerate() {
        let col = u16::try_from(col).map_err(ApiError::internal)?;
        sheet
            .write_string_with_format(0, col, *title, &bold)
            .map_err(xlsx_error)?;
        sheet.set_column_width(col, *width).map_err(xlsx_error)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    Ok(())
}

/// Builds the workbook (one sheet) in memory, page by page, then answers with it.
async fn xlsx_response(
    state: web::Data<AppState>,
    table: &'static Table,
    source: Source,
    suffix: &str,
) -> Result<HttpResponse, ApiError> {
    let mut workbook = Workbook::new();
    let formats = Formats {
        number: Format::new().set_num_format("0.00"),
        percent: Format::new().set_num_format("0.00%"),
    };
    {
        let sheet = workbook.add_worksheet();
        write_header(sheet, table)?;
        let mut row: u32 = 0;
        let mut after: Option<String> = None;
        loop {
            let (rows, next) = source
                .page(&state.db, after.as_deref(), page_size(&state))
                .await?;
            for cells in rows {
                row += 1;
                write_row(sheet, row, &cells, &formats)?;
            }
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        if row > 0 {
            let last =
                u16::try_from(table.columns.len().saturating_sub(1)).map_err(ApiError::internal)?;
            sheet.autofilter(0, 0, row, last).map_err(xlsx_error)?;
        }
    }
    let bytes = workbook.save_to_buffer().map_err(xlsx_error)?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            disposition(table, suffix, "xlsx"),
        ))
        .body(bytes))
}

/// Evaluation export filters (those of `GET /api/v1/evaluations`, without paging).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvaluationExportQuery {
    pub year: Option<i32>,
    /// Region subtree (`4304` or `430400`).
    pub region: Option<String>,
    /// Department id or budget code.
    pub department_id: Option<String>,
    pub project_id: Option<String>,
    pub kind: Option<EvaluationKind>,
    /// draft, submitted, returned or approved (viewers: submitted and approved only).
    #[param(value_type = Option<crate::model::vocab::EvaluationStatus>)]
    pub status: Option<String>,
    /// excellent, good, fair or poor.
    pub grade: Option<GradeDto>,
    /// What the final score rests on: `computed` (the engine's) or `reviewed` (the finance
    /// bureau's 复核).
    pub basis: Option<ScoreBasis>,
    /// Only evaluations changed after this time (RFC 3339).
    pub updated_after: Option<chrono::DateTime<chrono::Utc>>,
}

async fn evaluation_source(
    state: &AppState,
    principal: &Principal,
    q: EvaluationExportQuery,
) -> Result<(Source, String), ApiError> {
    let suffix = file_suffix(q.region.as_deref(), q.year);
    let filters = EvaluationFilters {
        year: q.year,
        region: q.region,
        department_id: q.department_id,
        kind: q.kind,
        status: q.status,
        grade: q.grade,
        basis: q.basis,
        project_id: q.project_id,
        updated_after: q.updated_after,
    };
    let source = Source::evaluations(&state.db, principal, &filters).await?;
    Ok((source, suffix))
}

/// Export evaluations as CSV (streamed).
///
/// Columns: 年度, 行政区划, 部门, 预算单位编码, 类型, 项目, 状态, 规则集, 年初预算数（万元）,
/// 全年预算数（万元）, 全年执行数（万元）, 执行率, 自评总分 (claimed), 计算总分 (computed by the
/// rules), 最终总分 and 等级 (the final total and grade), 得分依据 (计算 or 复核: whether the final
/// total is the engine's or the finance bureau's review), 错误数, 警告数, 更新时间, 行政区划名称,
/// 评价ID. UTF-8 with a byte-order mark, RFC 4180, CRLF; amounts and scores
/// with two decimals, the rate as `100.00%`.
#[utoipa::path(
    tag = "exports",
    operation_id = "export_evaluations_csv",
    params(EvaluationExportQuery),
    responses(
        (status = 200, description = "The evaluations in the caller's scope, oldest first, one per line after the header; streamed page by page", content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"evaluations-2024.csv\"; filename*=UTF-8''…` (region and year filters in the name)"))),
    )
)]
#[get("/exports/evaluations.csv")]
pub async fn export_evaluations_csv(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<EvaluationExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (source, suffix) = evaluation_source(&state, &principal, query.into_inner()).await?;
    csv_response(state, &EVALUATIONS, source, &suffix).await
}

/// Export evaluations as an XLSX workbook (sheet 绩效自评).
///
/// The same columns as the CSV; amounts and scores are numbers with the `0.00` format, the
/// execution rate a number with `0.00%`. The workbook is built in memory, then sent.
#[utoipa::path(
    tag = "exports",
    operation_id = "export_evaluations_xlsx",
    params(EvaluationExportQuery),
    responses(
        (status = 200, description = "An XLSX workbook with one sheet, 绩效自评", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(XlsxFile),
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"evaluations-2024.xlsx\"; filename*=UTF-8''…`"))),
    )
)]
#[get("/exports/evaluations.xlsx")]
pub async fn export_evaluations_xlsx(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<EvaluationExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (source, suffix) = evaluation_source(&state, &principal, query.into_inner()).await?;
    xlsx_response(state, &EVALUATIONS, source, &suffix).await
}

/// Indicator result export filters (those of `GET /api/v1/indicator-results`, without paging,
/// plus department, kind and status).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorExportQuery {
    pub year: Option<i32>,
    /// Region subtree.
    pub region: Option<String>,
    /// Department id or budget code.
    pub department_id: Option<String>,
    /// Rows of department or project evaluations only.
    pub kind: Option<EvaluationKind>,
    /// Rows of evaluations in this status (viewers: submitted and approved only).
    #[param(value_type = Option<crate::model::vocab::EvaluationStatus>)]
    pub status: Option<String>,
    /// 一级指标, by its standard name.
    pub level1: Option<String>,
    /// 二级指标, by its standard name.
    pub level2: Option<String>,
    /// 三级指标 name contains.
    pub q: Option<String>,
    /// Achieved (true) or not (false), by the server's scoring.
    pub achieved: Option<bool>,
}

async fn indicator_source(
    state: &AppState,
    principal: &Principal,
    q: IndicatorExportQuery,
) -> Result<(Source, String), ApiError> {
    let suffix = file_suffix(q.region.as_deref(), q.year);
    let filters = IndicatorFilters {
        year: q.year,
        region: q.region,
        department_id: q.department_id,
        kind: q.kind,
        status: q.status,
        level1: q.level1,
        level2: q.level2,
        q: q.q,
        achieved: q.achieved,
    };
    let source = Source::indicators(&state.db, principal, &filters).await?;
    Ok((source, suffix))
}

/// Export indicator results as CSV (streamed).
///
/// Columns: 年度, 行政区划, 部门, 一级指标, 二级指标, 三级指标, 年度指标值, 实际完成值, 分值,
/// 自评得分 (claimed), 计算得分 (computed by the rules), 是否达成 (是 / 否 / empty when not
/// scored), 行政区划名称, 预算单位编码, 类型, 项目, 评价ID. A reviewer's row scores are in the
/// review's own table (`GET /api/v1/evaluations/{id}/review`, `table.xlsx`).
#[utoipa::path(
    tag = "exports",
    operation_id = "export_indicator_results_csv",
    params(IndicatorExportQuery),
    responses(
        (status = 200, description = "The indicator rows in the caller's scope, one per line after the header; streamed page by page", content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"indicator-results-2024.csv\"; filename*=UTF-8''…`"))),
    )
)]
#[get("/exports/indicator-results.csv")]
pub async fn export_indicator_results_csv(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<IndicatorExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (source, suffix) = indicator_source(&state, &principal, query.into_inner()).await?;
    csv_response(state, &INDICATOR_RESULTS, source, &suffix).await
}

/// Export indicator results as an XLSX workbook (sheet 绩效指标).
///
/// The same columns as the CSV; weights and scores are numbers with the `0.00` format. The
/// workbook is built in memory, then sent.
#[utoipa::path(
    tag = "exports",
    operation_id = "export_indicator_results_xlsx",
    params(IndicatorExportQuery),
    responses(
        (status = 200, description = "An XLSX workbook with one sheet, 绩效指标", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(XlsxFile),
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"indicator-results-2024.xlsx\"; filename*=UTF-8''…`"))),
    )
)]
#[get("/exports/indicator-results.xlsx")]
pub async fn export_indicator_results_xlsx(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<IndicatorExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (source, suffix) = indicator_source(&state, &principal, query.into_inner()).await?;
    xlsx_response(state, &INDICATOR_RESULTS, source, &suffix).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn line(cells: &[Cell]) -> String {
        let mut s = String::new();
        csv_line(cells, &mut s);
        s
    }

    #[test]
    fn csv_quotes_as_rfc_4180() {
        assert_eq!(
            line(&[
                Cell::Text("a,b".into()),
                Cell::Text("say \"hi\"".into()),
                Cell::Text("two\nlines".into()),
                Cell::Text("plain 中文".into()),
            ]),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain 中文\r\n"
        );
    }

    #[test]
    fn csv_numbers_have_two_decimals() {
        assert_eq!(
            line(&[
                Cell::Int(2024),
                Cell::Number(Some(dec!(38.2))),
                Cell::Number(Some(dec!(12.345))),
                Cell::Number(None),
                Cell::Percent(Some(dec!(100))),
            ]),
            "2024,38.20,12.35,,100.00%\r\n"
        );
    }

    #[test]
    fn csv_text_never_starts_a_formula() {
        assert_eq!(
            line(&[Cell::Text("=1+1".into()), Cell::Text("-x".into())]),
            "\"'=1+1\",\"'-x\"\r\n"
        );
    }

    #[test]
    fn file_names() {
        assert_eq!(
            disposition(&EVALUATIONS, "-2024", "csv"),
            "attachment; filename=\"evaluations-2024.csv\"; \
             filename*=UTF-8''%E7%BB%A9%E6%95%88%E8%87%AA%E8%AF%84-2024.csv"
        );
        assert_eq!(file_suffix(Some("430424"), Some(2024)), "-430424-2024");
        assert_eq!(file_suffix(Some("bad\"name"), None), "");
    }
}
