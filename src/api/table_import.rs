//! `POST /api/v1/evaluations/import`: official tables (附件4 / 附件5) as .xlsx, read as printed
//! ([`crate::api::table_read`]) and run through the batch's path (validate, score, create or
//! replace by natural key): a dry run by default, `?apply=true` writes, all or nothing per
//! request. `jixiao import-table` calls [`run`] directly.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::state::AppState;
use crate::api::table_read::{self, CellMapping, ReadParams, SheetRead, TableLayout, cell_pointer};
use crate::app::evaluations;
use crate::domain::policy::{Action, Kind, Principal};
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::evaluation_dto::{ComputedDto, EvaluationInput};
use crate::model::findings::FindingDto;
use crate::model::vocab::ItemOutcome;

/// The media type of an .xlsx workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Parameters of an import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Write the evaluations (all or nothing); default false: a dry run, nothing written.
    pub apply: Option<bool>,
    /// The department's budget code (or id); also accepted as the form field `department`.
    pub department: Option<String>,
    /// The fiscal year, when a table's title gives none (`2024年度…`); also a form field.
    pub year: Option<i32>,
}

/// A finding with the cell it is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocatedFinding {
    #[serde(flatten)]
    pub finding: FindingDto,
    /// The cell the finding's pointer names (`H12`), when one cell holds that field.
    pub cell: Option<String>,
}

/// One sheet read and scored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedSheet {
    /// The file's place in the request (0 for a single body).
    pub file: usize,
    /// The file's name, as the form gave it.
    pub filename: Option<String>,
    pub sheet: String,
    pub layout: TableLayout,
    /// 附件4 部门整体支出绩效自评表 / 附件5 项目支出绩效自评表.
    pub layout_label_zh: String,
    /// The evaluation read from the sheet, as `POST /api/v1/evaluations` would take it.
    pub input: EvaluationInput,
    /// Which cell became which field.
    pub mapping: Vec<CellMapping>,
    /// Columns whose header is no field (`计算得分`, `得分依据`): not read.
    pub ignored_columns: Vec<String>,
    /// Hidden rows (1-based) of the sheet: read like the others.
    pub hidden_rows: Vec<u32>,
    /// `created` or `replaced` (what was done, or in a dry run what would be).
    pub outcome: ItemOutcome,
    /// The evaluation written; in a dry run, the existing one a replace would change, else null.
    pub id: Option<String>,
    /// The version written; null in a dry run.
    pub version: Option<i64>,
    /// Whether it could be submitted as it is (no error findings).
    pub submittable: bool,
    pub computed: ComputedDto,
    /// Every finding, with its cell.
    pub findings: Vec<LocatedFinding>,
}

/// The answer to an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub dry_run: bool,
    /// Whether anything was written.
    pub applied: bool,
    pub sheets: Vec<ImportedSheet>,
    /// Sheets left out because they hold nothing (`Sheet2`).
    pub empty_sheets: Vec<String>,
}

/// One uploaded file.
pub struct Upload {
    pub filename: Option<String>,
    pub bytes: Vec<u8>,
}

fn not_xlsx(file: usize, filename: Option<&str>) -> FieldError {
    let name = filename.unwrap_or("the body");
    FieldError::body(
        format!("/files/{file}"),
        "xlsx.not_xlsx",
        Text::new(
            format!(
                "{name} is not an .xlsx workbook (an .xls, CSV or other file must be saved as .xlsx first)"
            ),
            format!("{name} 不是 .xlsx 工作簿（.xls、CSV 等文件须先另存为 .xlsx）"),
        ),
    )
}

/// Reads every file, then validates and scores every table in one transaction: committed
/// when `apply` and every table went in, else rolled back. Every problem at once.
pub async fn run(
    db: &DatabaseConnection,
    principal: &Principal,
    uploads: &[Upload],
    department: &str,
    year: Option<i32>,
    apply: bool,
) -> Result<ImportResponse, ApiError> {
    crate::app::access::require_role(principal, Kind::Evaluation, Action::Create)?;
    let params = ReadParams { department, year };
    let (read, empty_sheets) = read_uploads(uploads, &params)?;
    let mode = evaluations::Mode {
        atomic: true,
        dry_run: !apply,
    };
    let outcomes =
        evaluations::upsert_many(db, principal, read.iter().map(|(_, s)| &s.input), mode).await?;
    let mut errors = Vec::new();
    let mut sheets = Vec::new();
    for ((file, s), done) in read.into_iter().zip(outcomes) {
        match done {
            Ok(done) => sheets.push(imported_sheet(uploads, file, s, done, apply)?),
            Err(e) => errors.extend(located_errors(file, &s, &e)),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(ImportResponse {
        dry_run: !apply,
        applied: apply,
        sheets,
        empty_sheets,
    })
}

/// The tables read, each with its file's place in the request, and the empty sheets.
type Read = (Vec<(usize, SheetRead)>, Vec<String>);

/// Reads every upload as a workbook: its tables (with the file's place) and its empty sheets.
/// A file that is not .xlsx, a workbook that cannot be read, no table at all or too many
/// tables: every problem at once.
fn read_uploads(uploads: &[Upload], params: &ReadParams<'_>) -> Result<Read, ApiError> {
    let mut errors = Vec::new();
    let mut read = Vec::new();
    let mut empty_sheets = Vec::new();
    for (i, u) in uploads.iter().enumerate() {
        if !u.bytes.starts_with(b"PK\x03\x04") {
            errors.push(not_xlsx(i, u.filename.as_deref()));
            continue;
        }
        match table_read::read_workbook(&u.bytes, i, params) {
            Ok(w) => {
                empty_sheets.extend(w.empty_sheets);
                read.extend(w.sheets.into_iter().map(|s| (i, s)));
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if read.is_empty() && errors.is_empty() {
        errors.push(FieldError::body(
            "/files",
            "xlsx.no_table",
            Text::new(
                "No sheet holds a table (附件4 or 附件5)",
                "没有任何工作表包含自评表（附件4或附件5）",
            ),
        ));
    }
    if read.len() > table_read::MAX_SHEETS {
        errors.push(FieldError::body(
            "/files",
            "xlsx.too_many_sheets",
            Text::new(
                format!("At most {} tables per request", table_read::MAX_SHEETS),
                format!("每个请求最多 {} 张表", table_read::MAX_SHEETS),
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok((read, empty_sheets))
}

/// The cell a field of the sheet's evaluation was read from (`H12`), by its pointer.
fn cell_of(s: &SheetRead, pointer: &str) -> Option<String> {
    s.mapping
        .iter()
        .find(|m| m.field == pointer)
        .map(|m| m.cell.clone())
}

/// The problems of a table the evaluation checks refused: pointers into the evaluation become
/// the cells they were read from (else `…/sheets/{sheet}/evaluation{pointer}`); a refusal with
/// no field errors points at the sheet.
fn located_errors(file: usize, s: &SheetRead, e: &ApiError) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let own = e.errors.is_empty();
    for mut f in e.errors.clone() {
        if !f.in_query {
            f.pointer = match cell_of(s, &f.pointer) {
                Some(cell) => cell_pointer(file, &s.sheet, &cell),
                None => format!(
                    "{}/evaluation{}",
                    cell_pointer(file, &s.sheet, ""),
                    f.pointer
                ),
            };
        }
        errors.push(f);
    }
    if own {
        errors.push(FieldError::body(
            cell_pointer(file, &s.sheet, ""),
            e.code.code,
            e.detail.clone(),
        ));
    }
    errors
}

/// One sheet read and scored, as the answer shows it: what was read, the outcome, the
/// computed scores and every finding with its cell.
fn imported_sheet(
    uploads: &[Upload],
    file: usize,
    s: SheetRead,
    (m, outcome, _): evaluations::Done,
    apply: bool,
) -> Result<ImportedSheet, ApiError> {
    let stored = evaluations::stored_of(&m)?;
    let computed = stored.computed()?;
    let findings = computed
        .findings
        .iter()
        .map(|f| LocatedFinding {
            cell: cell_of(&s, &f.pointer),
            finding: f.clone(),
        })
        .collect();
    Ok(ImportedSheet {
        file,
        filename: uploads[file].filename.clone(),
        sheet: s.sheet.clone(),
        layout: s.layout,
        layout_label_zh: match s.layout {
            TableLayout::Attachment4Department => "附件4 部门整体支出绩效自评表",
            TableLayout::Attachment5Project => "附件5 项目支出绩效自评表",
        }
        .into(),
        input: s.input,
        mapping: s.mapping,
        ignored_columns: s.ignored_columns,
        hidden_rows: s.hidden_rows,
        id: (apply || outcome == ItemOutcome::Replaced).then(|| m.id.clone()),
        version: apply.then_some(m.version),
        outcome,
        submittable: computed.error_count == 0,
        computed,
        findings,
    })
}

/// One part of a `multipart/form-data` body: (name, filename, content).
type Part = (String, Option<String>, Vec<u8>);

/// The parts of a `multipart/form-data` body.
fn multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, ApiError> {
    let bad = || {
        ApiError::new(
            codes::BAD_REQUEST,
            Text::new(
                "The multipart/form-data body cannot be read",
                "无法读取 multipart/form-data 请求体",
            ),
        )
    };
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let find = |hay: &[u8], needle: &[u8], from: usize| -> Option<usize> {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let mut parts = Vec::new();
    let mut at = find(body, d, 0).ok_or_else(bad)? + d.len();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            break;
        }
        let head_start = at + 2; // CRLF after the delimiter
        let head_end = find(body, b"\r\n\r\n", head_start).ok_or_else(bad)?;
        let head = String::from_utf8_lossy(&body[head_start..head_end]).into_owned();
        let content_start = head_end + 4;
        let next =
            find(body, format!("\r\n{delimiter}").as_bytes(), content_start).ok_or_else(bad)?;
        let content = body[content_start..next].to_vec();
        let mut name = String::new();
        let mut filename = None;
        for line in head.lines() {
            if line.to_ascii_lowercase().starts_with("content-disposition") {
                for param in line.split(';').skip(1) {
                    let (k, v) = param.split_once('=').unwrap_or((param, ""));
                    let v = v.trim().trim_matches('"').to_owned();
                    match k.trim() {
                        "name" => name = v,
                        "filename" => filename = Some(v),
                        _ => {}
                    }
                }
            }
        }
        parts.push((name, filename, content));
        at = next + 2 + d.len();
    }
    Ok(parts)
}

/// Import official tables (.xlsx).
///
/// Reads each sheet laid out as 附件4 (部门整体支出绩效自评表) or 附件5 (项目支出绩效自评表) as the
/// forms and real tables print it: merged cells (a merged 一级指标 / 二级指标 holds for every row
/// it spans), the title (`2024年度项目支出绩效自评表` gives kind and year), `单位：万元` / `单位：元`,
/// `项目名称`, the budget block (年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分, header
/// aliases as the CSV batch accepts them; the 年度资金总额 row, then 当年财政拨款 / 上年结转资金 /
/// 其他资金), 年度总体目标 (预期目标 | 实际完成情况), the indicator block (一级 / 二级 / 三级指标,
/// 年度指标值 or the three cells 指标性质 | 指标值 | 度量单位, 实际完成值, 分值, 得分,
/// 偏差原因分析及改进措施) and 总分. Blocks are found by their header texts, not by cell address;
/// columns with other headers (`计算得分`, `得分依据`) are not read. Cells are read as printed,
/// like JSON and CSV cells.
///
/// The body is `multipart/form-data` with one or more files (and optionally the fields
/// `department` and `year`), or a single workbook sent as
/// `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`. Each table is
/// validated and scored as the batch does it (created or replaced by department, year, kind
/// and project). By default nothing is written; with `apply=true` every table is written, or
/// none. The answer shows per sheet what was read (which cell became which field), the computed
/// scores and every finding with its cell. Problems point at `/files/{file}/sheets/{sheet}/{cell}`.
/// At most 50 sheets per workbook and 2000 rows per sheet; the body at most `max_batch_bytes`.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "import_evaluation_tables",
    params(ImportQuery),
    request_body(
        description = "One workbook (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`), or `multipart/form-data` with one or more .xlsx files and the optional fields `department` and `year`",
        content(
            (inline(crate::api::exports::XlsxFile) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (ImportForm = "multipart/form-data"),
        )
    ),
    responses(
        (status = 200, description = "Every table read and scored (and written, with `apply=true`)", body = ImportResponse),
        (status = 400, description = "`department` missing, or a multipart body that cannot be read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than `max_batch_bytes`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither .xlsx nor multipart/form-data", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A file that is not .xlsx, a sheet in no known layout, a formula without a saved value, a cell that cannot be read, too many sheets or rows, or a table the evaluation checks refuse: every problem at once, each at `/files/{file}/sheets/{sheet}/{cell}`; nothing written", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/evaluations/import")]
pub async fn import_tables(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    crate::app::access::require_role(&principal, Kind::Evaluation, Action::Create)?;
    let (content_type, media) = media_of(&req)?;
    let body = crate::api::batch::read_body(&req, payload, state.max_batch_bytes).await?;
    let form = if media == XLSX_TYPE {
        Form {
            uploads: vec![Upload {
                filename: None,
                bytes: body.to_vec(),
            }],
            department: query.department.clone(),
            year: query.year,
        }
    } else {
        form_of(&body, &content_type, &query)?
    };
    let department = required_department(form.department)?;
    let answer = run(
        &state.db,
        &principal,
        &form.uploads,
        &department,
        form.year,
        query.apply.unwrap_or(false),
    )
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// The request's `Content-Type` as sent, and its media type (lower case, no parameters):
/// .xlsx or multipart/form-data, else 415.
fn media_of(req: &HttpRequest) -> Result<(String, String), ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if media != XLSX_TYPE && media != "multipart/form-data" {
        return Err(ApiError::new(
            codes::UNSUPPORTED_MEDIA_TYPE,
            Text::new(
                format!("Send the tables as {XLSX_TYPE} or multipart/form-data (got {media})"),
                format!("表格须以 {XLSX_TYPE} 或 multipart/form-data 发送（收到 {media}）"),
            ),
        ));
    }
    Ok((content_type, media))
}

/// What an import request gives: the files, and the department and year (query parameters,
/// overridden by form fields).
struct Form {
    uploads: Vec<Upload>,
    department: Option<String>,
    year: Option<i32>,
}

/// A `multipart/form-data` body: every part with a filename is a file; the fields
/// `department` and `year` override the query's (a year that is no number leaves it).
fn form_of(body: &[u8], content_type: &str, query: &ImportQuery) -> Result<Form, ApiError> {
    let mut form = Form {
        uploads: Vec::new(),
        department: query.department.clone(),
        year: query.year,
    };
    let boundary = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"').to_owned())
        .unwrap_or_default();
    for (name, filename, content) in multipart(body, &boundary)? {
        match (name.as_str(), filename) {
            (_, Some(f)) => form.uploads.push(Upload {
                filename: Some(f),
                bytes: content,
            }),
            ("department", None) => {
                form.department = Some(String::from_utf8_lossy(&content).trim().to_owned())
            }
            ("year", None) => {
                form.year = String::from_utf8_lossy(&content)
                    .trim()
                    .parse()
                    .ok()
                    .or(form.year)
            }
            _ => {}
        }
    }
    Ok(form)
}

/// The department named, else 400 with a `department` query problem.
fn required_department(department: Option<String>) -> Result<String, ApiError> {
    let Some(department) = department.filter(|d| !d.is_empty()) else {
        let mut e = ApiError::new(
            codes::INVALID_QUERY,
            Text::new(
                "Name the department: `department` (budget code) as a query parameter or form field",
                "请指明部门：以查询参数或表单字段 `department`（预算单位编码）提供",
            ),
        );
        e.errors = vec![FieldError::query(
            "department",
            "field.missing",
            Text::new("The department is required", "必须提供部门"),
        )];
        return Err(e);
    };
    Ok(department)
}

/// The multipart form of an import.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// One or more .xlsx workbooks (any field name with a filename is a file).
    #[schema(value_type = Vec<String>, format = Binary)]
    pub file: Vec<u8>,
    /// The department's budget code (or id).
    pub department: Option<String>,
    /// The fiscal year, when a title gives none.
    pub year: Option<i32>,
}
