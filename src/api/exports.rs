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

use std::collections::HashMap;
use std::fmt::Write as _;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, web};
use chrono::Offset;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::state::AppState;
use crate::app::evaluations::{status_of, stored_of};
use crate::app::filters::{
    EvaluationFilters, IndicatorFilters, evaluation_filter, indicator_selection,
};
use crate::app::scope::region_filter;
use crate::domain::money;
use crate::domain::policy::Principal;
use crate::domain::stats::percent;
use crate::error::ApiError;
use crate::model::evaluation_dto::{ComputedDto, EvaluationKind, GradeDto};
use crate::model::vocab::Vocabulary;
use crate::store::departments as department_store;
use crate::store::evaluation_summaries::{self as summary_store, SummaryRow};
use crate::store::evaluations as evaluation_store;
use crate::store::indicator_results as indicator_store;
use crate::store::projects as project_store;
use crate::store::regions as region_store;

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

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// An amount or score: two decimals.
    Number(Option<Decimal>),
    /// A percentage (`100.00` is 100 %): two decimals.
    Percent(Option<Decimal>),
}

/// A table: its sheet name, file names and columns (header, width in characters).
pub struct Table {
    pub sheet: &'static str,
    pub file_stem: &'static str,
    pub file_stem_zh: &'static str,
    pub columns: &'static [(&'static str, f64)],
}

pub const EVALUATIONS: Table = Table {
    sheet: "绩效自评",
    file_stem: "evaluations",
    file_stem_zh: "绩效自评",
    columns: &[
        ("年度", 6.0),
        ("行政区划", 10.0),
        ("部门", 28.0),
        ("预算单位编码", 14.0),
        ("类型", 14.0),
        ("项目", 30.0),
        ("状态", 8.0),
        ("规则集", 28.0),
        ("年初预算数（万元）", 18.0),
        ("全年预算数（万元）", 18.0),
        ("全年执行数（万元）", 18.0),
        ("执行率", 10.0),
        ("自评总分", 10.0),
        ("复核总分", 10.0),
        ("等级", 6.0),
        ("错误数", 8.0),
        ("警告数", 8.0),
        (UPDATED_AT_HEADER, 22.0),
        ("行政区划名称", 14.0),
        ("评价ID", 38.0),
    ],
};

/// The header of the update time: Beijing time, and said so.
pub const UPDATED_AT_HEADER: &str = "更新时间（北京时间 UTC+8）";

/// A time as the exports print it: Beijing time (UTC+8), to the second.
pub fn beijing_time(at: chrono::DateTime<chrono::Utc>) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix());
    at.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

pub const INDICATOR_RESULTS: Table = Table {
    sheet: "绩效指标",
    file_stem: "indicator-results",
    file_stem_zh: "绩效指标",
    columns: &[
        ("年度", 6.0),
        ("行政区划", 10.0),
        ("部门", 28.0),
        ("一级指标", 12.0),
        ("二级指标", 14.0),
        ("三级指标", 30.0),
        ("年度指标值", 20.0),
        ("实际完成值", 20.0),
        ("分值", 8.0),
        ("自评得分", 10.0),
        ("复核得分", 10.0),
        ("是否达成", 10.0),
        ("行政区划名称", 14.0),
        ("预算单位编码", 14.0),
        ("类型", 14.0),
        ("项目", 30.0),
        ("评价ID", 38.0),
    ],
};

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

/// Where rows come from: a filter, and a keyset cursor through it.
enum Source {
    Evaluations(evaluation_store::Filter),
    Indicators(indicator_store::Selection),
    /// A filter that can match nothing (a department outside the scope).
    Nothing,
}

async fn department_names(
    db: &sea_orm::DatabaseConnection,
    ids: impl Iterator<Item = String>,
) -> Result<HashMap<String, department_store::Model>, ApiError> {
    let mut ids: Vec<String> = ids.collect();
    ids.sort();
    ids.dedup();
    Ok(department_store::by_ids(db, &ids)
        .await?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect())
}

/// The names of a page's regions and projects, looked up once per page.
struct Names {
    regions: HashMap<String, String>,
    projects: HashMap<String, String>,
}

fn evaluation_row(
    m: &evaluation_store::Model,
    departments: &HashMap<String, department_store::Model>,
    names: &Names,
) -> Result<Vec<Cell>, ApiError> {
    let projects = &names.projects;
    let stored = stored_of(m)?;
    let computed = ComputedDto::deserialize(&stored.computed).map_err(ApiError::internal)?;
    let kind: EvaluationKind = stored.input.kind;
    // In 万元, whatever unit the block was printed in.
    let budget = stored.input.budget.as_ref().map(|b| b.domain());
    let budget = budget.as_ref();
    let full_year = budget.map(|b| b.full_year);
    let executed = budget.and_then(|b| b.executed);
    let rate = match (executed, full_year) {
        (Some(e), Some(f)) => percent(e, f),
        _ => None,
    };
    let grade: GradeDto = computed.grade;
    let text = |s: &str| Cell::Text(s.to_owned());
    Ok(vec![
        Cell::Int(i64::from(m.year)),
        text(&m.region_code),
        text(
            departments
                .get(&m.department_id)
                .map_or("", |d| d.name.as_str()),
        ),
        text(&stored.department_budget_code),
        text(kind.domain().label_zh()),
        text(
            m.project_id
                .as_ref()
                .and_then(|p| projects.get(p))
                .map_or("", String::as_str),
        ),
        text(status_of(m)?.label_zh()),
        Cell::Text(format!("{}@{}", m.rule_set_id, m.rule_set_version)),
        Cell::Number(budget.and_then(|b| b.initial)),
        Cell::Number(full_year),
        Cell::Number(executed),
        Cell::Percent(rate),
        Cell::Number(computed.claimed_total.map(|c| c.0)),
        Cell::Number(Some(computed.total.0)),
        text(grade.label_zh()),
        Cell::Int(i64::try_from(computed.error_count).unwrap_or(i64::MAX)),
        Cell::Int(i64::try_from(computed.warning_count).unwrap_or(i64::MAX)),
        Cell::Text(beijing_time(m.updated_at)),
        text(names.regions.get(&m.region_code).map_or("", String::as_str)),
        text(&m.id),
    ])
}

fn indicator_row(
    r: &indicator_store::Model,
    departments: &HashMap<String, department_store::Model>,
    evaluations: &HashMap<String, SummaryRow>,
) -> Vec<Cell> {
    let text = |s: &str| Cell::Text(s.to_owned());
    let evaluation = evaluations.get(&r.evaluation_id);
    let of = |f: fn(&SummaryRow) -> Option<&str>| {
        Cell::Text(evaluation.and_then(f).unwrap_or("").to_owned())
    };
    vec![
        Cell::Int(i64::from(r.year)),
        text(&r.region_code),
        text(
            departments
                .get(&r.department_id)
                .map_or("", |d| d.name.as_str()),
        ),
        text(&r.level1),
        text(&r.level2),
        text(&r.level3),
        text(&r.target),
        text(&r.actual),
        Cell::Number(r.weight.map(|d| d.0)),
        Cell::Number(r.claimed.map(|d| d.0)),
        Cell::Number(r.computed.map(|d| d.0)),
        text(match r.achieved {
            Some(true) => "是",
            Some(false) => "否",
            None => "",
        }),
        of(|e| e.region_name.as_deref()),
        of(|e| e.department_budget_code.as_deref()),
        text(EvaluationKind::parse(&r.kind).map_or("", |k| k.domain().label_zh())),
        of(|e| e.project_name.as_deref()),
        text(&r.evaluation_id),
    ]
}

impl Source {
    /// The rows after `after`, and the cursor of the next page when there is one. Names are
    /// looked up once per page.
    async fn page(
        &self,
        state: &AppState,
        after: Option<&str>,
    ) -> Result<(Vec<Vec<Cell>>, Option<String>), ApiError> {
        let db = &state.db;
        let limit = page_size(state);
        match self {
            Source::Nothing => Ok((Vec::new(), None)),
            Source::Evaluations(filter) => {
                let (rows, more) = evaluation_store::list(db, filter, after, limit).await?;
                let departments =
                    department_names(db, rows.iter().map(|m| m.department_id.clone())).await?;
                let mut project_ids: Vec<String> =
                    rows.iter().filter_map(|m| m.project_id.clone()).collect();
                project_ids.sort();
                project_ids.dedup();
                let projects: HashMap<String, String> = project_store::by_ids(db, &project_ids)
                    .await?
                    .into_iter()
                    .map(|p| (p.id, p.name))
                    .collect();
                let mut codes: Vec<String> = rows.iter().map(|m| m.region_code.clone()).collect();
                codes.sort();
                codes.dedup();
                let regions = region_store::by_codes(db, &codes)
                    .await?
                    .into_iter()
                    .map(|r| (r.code, r.name))
                    .collect();
                let names = Names { regions, projects };
                let cells = rows
                    .iter()
                    .map(|m| evaluation_row(m, &departments, &names))
                    .collect::<Result<Vec<_>, _>>()?;
                let next = more.then(|| rows.last().map(|m| m.id.clone())).flatten();
                Ok((cells, next))
            }
            Source::Indicators(selection) => {
                let (rows, more) = indicator_store::select(db, selection, after, limit).await?;
                let departments =
                    department_names(db, rows.iter().map(|r| r.department_id.clone())).await?;
                let mut ids: Vec<String> = rows.iter().map(|r| r.evaluation_id.clone()).collect();
                ids.sort();
                ids.dedup();
                let evaluations: HashMap<String, SummaryRow> = summary_store::by_ids(db, &ids)
                    .await?
                    .into_iter()
                    .map(|e| (e.id.clone(), e))
                    .collect();
                let cells = rows
                    .iter()
                    .map(|r| indicator_row(r, &departments, &evaluations))
                    .collect();
                let next = more.then(|| rows.last().map(|r| r.key.clone())).flatten();
                Ok((cells, next))
            }
        }
    }
}

/// Streams a CSV: the header and first page are made before the answer starts (so a failure
/// there is still a problem document), the other pages as the client reads.
async fn csv_response(
    state: web::Data<AppState>,
    table: &'static Table,
    source: Source,
    suffix: &str,
) -> Result<HttpResponse, ApiError> {
    let (rows, next) = source.page(&state, None).await?;
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
        match c.source.page(&c.state, Some(&after)).await {
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

/// Builds the workbook (one sheet) in memory, page by page, then answers with it.
async fn xlsx_response(
    state: web::Data<AppState>,
    table: &'static Table,
    source: Source,
    suffix: &str,
) -> Result<HttpResponse, ApiError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let number = Format::new().set_num_format("0.00");
    let percent = Format::new().set_num_format("0.00%");
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.sheet).map_err(xlsx_error)?;
        for (col, (title, width)) in table.columns.iter().enumerate() {
            let col = u16::try_from(col).map_err(ApiError::internal)?;
            sheet
                .write_string_with_format(0, col, *title, &bold)
                .map_err(xlsx_error)?;
            sheet.set_column_width(col, *width).map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        let mut row: u32 = 0;
        let mut after: Option<String> = None;
        loop {
            let (rows, next) = source.page(&state, after.as_deref()).await?;
            for cells in rows {
                row += 1;
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
                            &number,
                        ),
                        Cell::Percent(Some(d)) => sheet.write_number_with_format(
                            row,
                            col,
                            two_decimals(*d)
                                .checked_div(Decimal::ONE_HUNDRED)
                                .and_then(|p| p.to_f64())
                                .unwrap_or(0.0),
                            &percent,
                        ),
                        Cell::Number(None) | Cell::Percent(None) => continue,
                    };
                    result.map_err(xlsx_error)?;
                }
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
        project_id: q.project_id,
        updated_after: q.updated_after,
    };
    let source = match evaluation_filter(&state.db, principal, &filters).await? {
        Some(f) => Source::Evaluations(f),
        None => Source::Nothing,
    };
    Ok((source, suffix))
}

/// Export evaluations as CSV (streamed).
///
/// Columns: 年度, 行政区划, 部门, 预算单位编码, 类型, 项目, 状态, 规则集, 年初预算数（万元）,
/// 全年预算数（万元）, 全年执行数（万元）, 执行率, 自评总分 (claimed), 复核总分 (computed), 等级,
/// 错误数, 警告数, 更新时间. UTF-8 with a byte-order mark, RFC 4180, CRLF; amounts and scores
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
    let source = match indicator_selection(&state.db, principal, &filters).await? {
        Some(s) => Source::Indicators(s),
        None => Source::Nothing,
    };
    Ok((source, suffix))
}

/// Export indicator results as CSV (streamed).
///
/// Columns: 年度, 行政区划, 部门, 一级指标, 二级指标, 三级指标, 年度指标值, 实际完成值, 分值,
/// 自评得分 (claimed), 复核得分 (computed), 是否达成 (是 / 否 / empty when not scored).
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
