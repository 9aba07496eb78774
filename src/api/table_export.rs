//! `GET /api/v1/evaluations/{id}/table.xlsx`: the evaluation in the official layout (附件5
//! 项目支出 / 附件4 部门整体), merged 一级指标 / 二级指标 cells, the budget block, the indicator
//! block with the 自评 columns and, beside them, 计算得分 and the basis: a county fills it again
//! and sends it back to `POST /api/v1/evaluations/import`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::api::answers::EvaluationNotFound;
use crate::api::state::AppState;
use crate::api::table_import::XLSX_TYPE;
use crate::app::evaluations;
use crate::domain::policy::{Action, Principal};
use crate::error::ApiError;
use crate::model::evaluation_dto::{
    AmountUnit, BudgetInput, ComputedDto, EvaluationInput, EvaluationKind,
};
use crate::model::funds::Source;

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::internal(anyhow::anyhow!("xlsx: {e}"))
}

fn source_label(s: Source) -> &'static str {
    match s {
        Source::CarryOver => "上年结转资金",
        Source::Other => "其他资金",
        _ => "其中：当年财政拨款",
    }
}

/// The cell formats of the table.
struct Formats {
    /// A bordered, wrapped, vertically centred cell.
    cell: Format,
    /// A header cell: bold and centred.
    head: Format,
    /// The title: bold, large, centred.
    title: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        let head = cell.clone().set_bold().set_align(FormatAlign::Center);
        let title = Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center);
        Formats { cell, head, title }
    }
}

/// Writes the sheet; `names` gives the department's and the project's names. Answers the row
/// of the first indicator and the last column written.
pub fn write_table(
    sheet: &mut Worksheet,
    input: &EvaluationInput,
    computed: Option<&ComputedDto>,
    department_name: &str,
    project_name: Option<&str>,
) -> Result<(u32, u16), XlsxError> {
    let f = Formats::new();
    let three_cell = input
        .indicators
        .iter()
        .any(|r| r.target_nature.is_some() || r.target_unit.is_some());
    // Columns: 一级 二级 三级 | target (1 or 3) | 实际完成值 分值 得分 偏差 | 计算得分 得分依据.
    let target_cols: u16 = if three_cell { 3 } else { 1 };
    let last: u16 = 3 + target_cols + 5;
    let mut row = write_title(sheet, &f, input, last, department_name, project_name)?;
    if let Some(b) = &input.budget {
        row = write_budget(sheet, &f, input.kind, b, row)?;
    }
    row = write_goals(sheet, &f, input, row, last)?;
    let after = 3 + target_cols;
    let first = write_indicator_header(sheet, &f, row, three_cell, after)?;
    write_indicator_rows(sheet, &f, input, computed, first, three_cell)?;
    merge_levels(sheet, &f, input, first)?;
    row = first + input.indicators.len() as u32;
    write_total(sheet, &f, input, computed, row, after + 2)?;
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 16)?;
    sheet.set_column_width(2, 24)?;
    Ok((first, last))
}

/// The title block: `{year}年度…自评表` over every column, `单位：…`, then 项目名称 / 主管部门 /
/// 实施单位 (a project) or 部门名称 (a department). Answers the next row.
fn write_title(
    sheet: &mut Worksheet,
    f: &Formats,
    input: &EvaluationInput,
    last: u16,
    department_name: &str,
    project_name: Option<&str>,
) -> Result<u32, XlsxError> {
    let kind_title = match input.kind {
        EvaluationKind::Project => "项目支出绩效自评表",
        EvaluationKind::Department => "部门整体支出绩效自评表",
    };
    sheet.merge_range(
        0,
        0,
        0,
        last,
        &format!("{}年度{kind_title}", input.year),
        &f.title,
    )?;
    sheet.write_string(1, last, format!("单位：{}", unit_of(input).label_zh()))?;
    let mut row: u32 = 2;
    match input.kind {
        EvaluationKind::Project => {
            sheet.write_string_with_format(row, 0, "项目名称", &f.head)?;
            sheet.merge_range(row, 1, row, last, project_name.unwrap_or_default(), &f.cell)?;
            row += 1;
            sheet.write_string_with_format(row, 0, "主管部门", &f.head)?;
            sheet.merge_range(row, 1, row, 3, department_name, &f.cell)?;
            sheet.write_string_with_format(row, 4, "实施单位", &f.head)?;
            sheet.merge_range(row, 5, row, last, department_name, &f.cell)?;
        }
        EvaluationKind::Department => {
            sheet.write_string_with_format(row, 0, "部门名称", &f.head)?;
            sheet.merge_range(row, 1, row, last, department_name, &f.cell)?;
        }
    }
    Ok(row + 1)
}

/// The amount unit of the budget block (万元 without one).
fn unit_of(input: &EvaluationInput) -> AmountUnit {
    input
        .budget
        .as_ref()
        .map(|b| b.amount_unit)
        .unwrap_or_default()
}

/// The budget block from `row`: the label merged down its rows, the header (年初预算数 …
/// 得分), the 年度资金总额 row and a row per fund source (its 全年预算数). Answers the next row.
fn write_budget(
    sheet: &mut Worksheet,
    f: &Formats,
    kind: EvaluationKind,
    b: &BudgetInput,
    mut row: u32,
) -> Result<u32, XlsxError> {
    let headers = [
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
    ];
    let label = match kind {
        EvaluationKind::Project => "项目资金",
        EvaluationKind::Department => "预算执行情况",
    };
    let sub_rows = b.by_source.len() as u32;
    sheet.merge_range(
        row,
        0,
        row + 1 + sub_rows,
        0,
        &format!("{label}（{}）", b.amount_unit.label_zh()),
        &f.head,
    )?;
    sheet.write_string_with_format(row, 1, "", &f.head)?;
    for (i, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(row, 2 + i as u16, *h, &f.head)?;
    }
    row += 1;
    let opt = |v: Option<String>| v.unwrap_or_default();
    let values = [
        opt(b.initial.map(|a| a.to_string())),
        b.full_year.to_string(),
        opt(b.executed.map(|a| a.to_string())),
        opt(b.weight.map(|f| f.0.to_string())),
        opt(b.claimed_rate.clone()),
        opt(b.claimed_score.map(|f| f.0.to_string())),
    ];
    sheet.write_string_with_format(row, 1, "年度资金总额", &f.cell)?;
    for (i, v) in values.iter().enumerate() {
        sheet.write_string_with_format(row, 2 + i as u16, v, &f.cell)?;
    }
    for s in &b.by_source {
        row += 1;
        sheet.write_string_with_format(row, 1, source_label(s.source), &f.cell)?;
        sheet.write_string_with_format(row, 3, s.amount.to_string(), &f.cell)?;
    }
    Ok(row + 1)
}

/// 年度总体目标 from `row`: 预期目标 | 实际完成情况 and their texts below. Answers the next row.
fn write_goals(
    sheet: &mut Worksheet,
    f: &Formats,
    input: &EvaluationInput,
    mut row: u32,
    last: u16,
) -> Result<u32, XlsxError> {
    sheet.merge_range(row, 0, row + 1, 0, "年度总体目标", &f.head)?;
    let mid = (last / 2).max(2);
    sheet.merge_range(row, 1, row, mid, "预期目标", &f.head)?;
    sheet.merge_range(row, mid + 1, row, last, "实际完成情况", &f.head)?;
    row += 1;
    sheet.merge_range(
        row,
        1,
        row,
        mid,
        input.annual_goal.as_deref().unwrap_or_default(),
        &f.cell,
    )?;
    sheet.merge_range(
        row,
        mid + 1,
        row,
        last,
        input.achievement.as_deref().unwrap_or_default(),
        &f.cell,
    )?;
    Ok(row + 1)
}

/// The indicator header from `row`: one row, or two with the three-cell 年度指标值 (指标性质 |
/// 指标值 | 度量单位); `after` is the first column after the target. Answers the row of the
/// first indicator.
fn write_indicator_header(
    sheet: &mut Worksheet,
    f: &Formats,
    row: u32,
    three_cell: bool,
    after: u16,
) -> Result<u32, XlsxError> {
    let tail = [
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
        "计算得分",
        "得分依据",
    ];
    if three_cell {
        for (c, h) in ["一级指标", "二级指标", "三级指标"].iter().enumerate() {
            sheet.merge_range(row, c as u16, row + 1, c as u16, h, &f.head)?;
        }
        sheet.merge_range(row, 3, row, 5, "年度指标值", &f.head)?;
        for (i, h) in ["指标性质", "指标值", "度量单位"].iter().enumerate() {
            sheet.write_string_with_format(row + 1, 3 + i as u16, *h, &f.head)?;
        }
        for (i, h) in tail.iter().enumerate() {
            sheet.merge_range(row, after + i as u16, row + 1, after + i as u16, h, &f.head)?;
        }
        Ok(row + 2)
    } else {
        for (c, h) in ["一级指标", "二级指标", "三级指标", "年度指标值"]
            .iter()
            .chain(tail.iter())
            .enumerate()
        {
            sheet.write_string_with_format(row, c as u16, *h, &f.head)?;
        }
        Ok(row + 1)
    }
}

/// One row per indicator from `first`: the 自评 columns, then 计算得分 and 得分依据.
fn write_indicator_rows(
    sheet: &mut Worksheet,
    f: &Formats,
    input: &EvaluationInput,
    computed: Option<&ComputedDto>,
    first: u32,
    three_cell: bool,
) -> Result<(), XlsxError> {
    for (i, r) in input.indicators.iter().enumerate() {
        let at = first + i as u32;
        let computed_row = computed.and_then(|c| c.rows.get(i));
        let mut cells: Vec<String> = vec![r.level1.clone(), r.level2.clone(), r.level3.clone()];
        if three_cell {
            cells.push(r.target_nature.clone().unwrap_or_default());
            cells.push(r.target.clone());
            cells.push(r.target_unit.clone().unwrap_or_default());
        } else {
            cells.push(r.target.clone());
        }
        cells.push(r.actual.clone());
        cells.push(r.weight.map(|f| f.0.to_string()).unwrap_or_default());
        cells.push(r.claimed_score.map(|f| f.0.to_string()).unwrap_or_default());
        cells.push(r.deviation_explanation.clone().unwrap_or_default());
        cells.push(
            computed_row
                .and_then(|c| c.computed)
                .map(|f| f.0.to_string())
                .unwrap_or_default(),
        );
        cells.push(
            computed_row
                .map(|c| c.basis_label_zh.clone())
                .unwrap_or_default(),
        );
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string_with_format(at, c as u16, v, &f.cell)?;
        }
    }
    Ok(())
}

/// Merges runs of the same 一级指标 (and, inside them, 二级指标) in the indicator rows.
fn merge_levels(
    sheet: &mut Worksheet,
    f: &Formats,
    input: &EvaluationInput,
    first: u32,
) -> Result<(), XlsxError> {
    for col in [0u16, 1] {
        let mut start = 0;
        let n = input.indicators.len();
        for i in 1..=n {
            let key = |k: usize| {
                let r = &input.indicators[k];
                (
                    r.level1.clone(),
                    if col == 1 {
                        r.level2.clone()
                    } else {
                        String::new()
                    },
                )
            };
            if i == n || key(i) != key(start) {
                if i - start > 1 {
                    let v = if col == 0 {
                        &input.indicators[start].level1
                    } else {
                        &input.indicators[start].level2
                    };
                    sheet.merge_range(
                        first + start as u32,
                        col,
                        first + i as u32 - 1,
                        col,
                        v,
                        &f.cell,
                    )?;
                }
                start = i;
            }
        }
    }
    Ok(())
}

/// The 总分 row at `row`: the claimed total under 得分 (`score_col`), then the computed total
/// and grade under 计算得分 and 得分依据.
fn write_total(
    sheet: &mut Worksheet,
    f: &Formats,
    input: &EvaluationInput,
    computed: Option<&ComputedDto>,
    row: u32,
    score_col: u16,
) -> Result<(), XlsxError> {
    sheet.merge_range(row, 0, row, score_col - 1, "总分", &f.head)?;
    sheet.write_string_with_format(
        row,
        score_col,
        input
            .claimed_total
            .map(|f| f.0.to_string())
            .unwrap_or_default(),
        &f.cell,
    )?;
    sheet.write_string_with_format(row, score_col + 1, "", &f.cell)?;
    sheet.write_string_with_format(
        row,
        score_col + 2,
        computed.map(|c| c.total.0.to_string()).unwrap_or_default(),
        &f.cell,
    )?;
    sheet.write_string_with_format(
        row,
        score_col + 3,
        computed
            .map(|c| c.grade_label_zh.clone())
            .unwrap_or_default(),
        &f.cell,
    )?;
    Ok(())
}

/// The evaluation as its official table (.xlsx).
///
/// 附件5 项目支出绩效自评表 for a project evaluation, 附件4 部门整体支出绩效自评表 for a department
/// one: the title with the year, `单位：万元` or `单位：元`, 项目名称 / 主管部门 / 实施单位, the
/// budget block (年度资金总额 and the fund sources), 年度总体目标, the indicator block (merged
/// 一级指标 and 二级指标 cells; 年度指标值, or 指标性质 | 指标值 | 度量单位 when the table uses the
/// three-cell form) with the unit's 自评 columns, then 计算得分 and 得分依据 (the basis) as the
/// rules compute them, and 总分; where the caller may see a finance review, 复核得分 and 扣分原因
/// (the execution row's review above the header, the opinion under 总分). `POST /api/v1/evaluations/import` reads it back as the same
/// evaluation.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "get_evaluation_table",
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "The official table", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = inline(crate::api::exports::XlsxFile),
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"evaluation-{id}.xlsx\"`"))),
        EvaluationNotFound,
    )
)]
#[get("/evaluations/{id}/table.xlsx")]
pub async fn get_evaluation_table(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (m, stored) = evaluations::resolve(&state.db, &principal, &id, Action::Read).await?;
    let computed: Option<ComputedDto> = stored.computed().ok();
    let (department, project) = evaluations::owners(&state.db, &m).await?;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let name = match stored.input.kind {
        EvaluationKind::Project => "附件5",
        EvaluationKind::Department => "附件4",
    };
    sheet.set_name(name).map_err(xlsx_error)?;
    let (first, last) = write_table(
        sheet,
        &stored.input,
        computed.as_ref(),
        department.as_ref().map_or("", |d| d.name.as_str()),
        project.as_ref().map(|p| p.name.as_str()),
    )
    .map_err(xlsx_error)?;
    if let Some(review) = crate::app::reviews::visible_review(&state.db, &principal, &m).await? {
        let rows = stored.input.indicators.len();
        crate::api::review_xlsx::write_columns(sheet, &review, first, last, rows)
            .map_err(xlsx_error)?;
    }
    let bytes = workbook.save_to_buffer().map_err(xlsx_error)?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"evaluation-{}.xlsx\"", m.id),
        ))
        .body(bytes))
}
