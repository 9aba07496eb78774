//! `POST /api/v1/evaluations/batch`: many evaluations at once, created or replaced by their
//! natural key (department budget code + year + kind + project name), as JSON or as CSV in
//! the layout of the official tables; `dry_run`, and `atomic` (all or nothing) or per item.

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, post, web};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::batch_csv::Places;
use crate::api::middleware::RequestId;
use crate::api::state::AppState;
use crate::app::evaluations;
use crate::domain::policy::{Action, Kind, Principal};
use crate::error::{ApiError, FieldError, codes};
use crate::locale::{Lang, Text};
use crate::model::amount::Figure;
use crate::model::batch::{
    BatchItem, BatchRequest, BatchResponse, BatchSummary, ItemFinding, ItemResult,
};
use crate::model::body::parse_body;
use crate::model::evaluation_dto::GradeDto;
use crate::model::vocab::{EvaluationStatus, ItemOutcome, Vocabulary};

/// Flags of a batch, for every body type (a JSON body may carry them too; when body and
/// query both give a flag and disagree, the answer is 400 `batch.conflicting_flags`).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// Check and score everything, write nothing (default false).
    pub dry_run: Option<bool>,
    /// All or nothing (default true), or each item on its own.
    pub atomic: Option<bool>,
}

/// The value of a flag given in the body, the query string, both, or neither.
fn flag(
    name: &'static str,
    body: Option<bool>,
    query: Option<bool>,
    default: bool,
    conflicts: &mut Vec<FieldError>,
) -> bool {
    match (body, query) {
        (Some(b), Some(q)) if b != q => {
            let text = || {
                Text::new(
                    format!("`{name}` is {b} in the body but {q} in the query string"),
                    format!("`{name}` 在请求体中为 {b}，在查询参数中为 {q}"),
                )
            };
            conflicts.push(FieldError::body(
                format!("/{name}"),
                codes::BATCH_CONFLICTING_FLAGS.code,
                text(),
            ));
            conflicts.push(FieldError::query(
                name,
                codes::BATCH_CONFLICTING_FLAGS.code,
                text(),
            ));
            b
        }
        (Some(v), _) | (None, Some(v)) => v,
        (None, None) => default,
    }
}

/// The batch's flags from the body (JSON) and the query string (every body type).
fn flags(body: (Option<bool>, Option<bool>), query: &BatchQuery) -> Result<(bool, bool), ApiError> {
    let mut conflicts = Vec::new();
    let dry_run = flag("dry_run", body.0, query.dry_run, false, &mut conflicts);
    let atomic = flag("atomic", body.1, query.atomic, true, &mut conflicts);
    if conflicts.is_empty() {
        return Ok((dry_run, atomic));
    }
    let mut e = ApiError::new(
        codes::BATCH_CONFLICTING_FLAGS,
        Text::new(
            "The body and the query string give different values for the same flag; give it once, or the same in both",
            "请求体与查询参数对同一选项给出了不同的值；请只给一次，或两处保持一致",
        ),
    );
    e.errors = conflicts;
    Err(e)
}

/// Where a pointer into an item's evaluation is in the request.
fn locate(places: Option<&Places>, index: usize, pointer: &str) -> String {
    match places {
        Some(p) => p.pointer(pointer),
        None => format!("/items/{index}/evaluation{pointer}"),
    }
}

pub(crate) async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    if req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > limit)
    {
        return Err(too_large(limit));
    }
    let mut body = web::BytesMut::new();
    let mut payload = payload;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                codes::BAD_REQUEST,
                Text::new(
                    format!("The body could not be read: {e}"),
                    "无法读取请求体（连接中断或传输编码有误）",
                ),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        codes::BODY_TOO_LARGE,
        Text::new(
            format!(
                "The batch is larger than the limit of {limit} bytes (setting max_batch_bytes)"
            ),
            format!("批量请求超过 {limit} 字节的上限（设置 max_batch_bytes）"),
        ),
    )
}

fn prefixed(mut e: ApiError, places: Option<&Places>, index: usize) -> ApiError {
    for f in e.errors.iter_mut() {
        if !f.in_query && !f.pointer.starts_with("/rows/") {
            f.pointer = locate(places, index, &f.pointer);
        }
    }
    e
}

/// Submit many evaluations.
///
/// The body is JSON (`BatchRequest`) or CSV (`text/csv`, UTF-8, a BOM allowed) with one row per
/// indicator in the layout of the official tables. Rows with the same `ref` (or else the same
/// 预算单位编码, 年度, 类型 and 项目名称) are one evaluation; its own cells (budget, unit, rule set,
/// totals, goal) are read from its first row. Headers are matched in simplified characters,
/// without spaces, a parenthesised note (`得分（自评）`), a formula (`小计④ = ①+② +③`) or circled
/// numbers; unknown headers and two headers for one column are refused.
/// Cells are read as printed: blank, `——`, `—`, `-`, `/`, `无` mean not given; `20.00`, `99.55分`,
/// full-width digits (`９５`) and `1,088.19` are numbers; anything else is refused with 422 at
/// `/rows/{line}/{header as printed}` (line 1 is the header row).
///
/// The columns it reads (Chinese headers, aliases, English header):
///
/// - `ref`: the client's reference of the evaluation; rows with the same ref are one evaluation
/// - `类型` / `kind`: required: 部门整体 (部门整体支出, department) or 项目支出 (项目, project)
/// - `预算单位编码` / `department`: required: the department's budget code or id
/// - `年度` / `year`: required: the fiscal year
/// - `项目名称` / `project`: the project (kind 项目支出): its name among the department's projects of the year, or its id
/// - `规则集` / `rule_set`: the rule set id, optionally @version (blank: the default for the kind)
/// - `金额单位` / `amount_unit`: the unit of the amounts: 万元 (wan_yuan, the default when blank) or 元 (yuan, a `单位：元` table; at most 2 decimals, converted exactly to 万元)
/// - `年初预算数` / `年初预算` / `年初部门预算安排金额` / `initial`: 年初预算数; may be blank
/// - `全年预算数` / `调整后预算数` / `调整预算数` / `预算数` / `预算安排情况` / `小计` / `full_year`: 全年预算数 (调整后); the budget block is read when it is given
/// - `全年执行数` / `执行数` / `预算执行数` / `资金执行情况` / `年度拨付金额` / `executed`: 全年执行数; may be blank
/// - `执行分值` / `预算执行分值` / `执行率分值` / `execution_weight`: 分值 of the budget execution row (10 or 20 as printed)
/// - `执行率` / `预算执行率` / `预算执行进度` / `claimed_rate`: 执行率 as printed (`100%`)
/// - `执行得分` / `预算执行得分` / `执行率得分` / `claimed_execution_score`: 得分 of the budget execution row as claimed
/// - `自评总分` / `总分` / `claimed_total`: 总分 as claimed
/// - `预期目标` / `年度总体目标` / `annual_goal`: 年度总体目标: 预期目标
/// - `实际完成情况` / `achievement`: 年度总体目标: 实际完成情况
/// - `一级指标` / `level1`: required: 一级指标 (a group weight such as `（40分）` may follow)
/// - `二级指标` / `level2`: required: 二级指标
/// - `三级指标` / `指标名称` / `level3`: 三级指标
/// - `指标性质` / `符号` / `target_nature`: three-cell targets: 指标性质 (`≥`, `≧`, `≤`, `＝`, `定性`, `正向`, `反向`)
/// - `年度指标值` / `指标值` / `年度目标值` / `预期指标值` / `绩效目标值` / `年初目标值` / `年初指标值` / `target`: 年度指标值 as printed (`≥95%`); with 指标性质 / 度量单位, the 指标值 cell alone
/// - `度量单位` / `计量单位` / `单位` / `target_unit`: three-cell targets: 度量单位 (`%`, `元`, `个`); a bare actual takes it
/// - `实际完成值` / `完成值` / `全年实际值` / `全年实际完成值` / `单项指标实际完成值` / `actual`: 实际完成值 as printed
/// - `分值` / `权重` / `权重占比` / `指标分值` / `指标权重` / `weight`: 分值 of the indicator row
/// - `得分` / `自评得分` / `单项指标得分` / `指标得分` / `claimed_score`: 得分 of the indicator row as claimed
/// - `偏差原因分析及改进措施` / `偏差原因分析` / `未完成原因分析` / `未完成原因分析及改进措施` / `deviation_explanation`: 偏差原因分析及改进措施
///
/// The flags `dry_run` and `atomic` are query parameters for every body type.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "batch_evaluations",
    params(BatchQuery),
    request_body(
        description = "JSON (`BatchRequest`), or CSV with one row per indicator in the layout of the official tables (every column it reads is listed in the operation description; cells as printed). The flags `dry_run` and `atomic` are query parameters for every body type; a JSON body may also carry them, and must agree with the query string",
        content(
            (BatchRequest = "application/json"),
            (String = "text/csv"),
        )
    ),
    responses(
        (status = 200, description = "Every item succeeded (or would, in a dry run)", body = BatchResponse),
        (status = 207, description = "Per-item mode: some items succeeded, some failed", body = BatchResponse),
        (status = 400, description = "A flag is given in both the body and the query string, with different values (`batch.conflicting_flags`; `errors` names the body field and the query parameter)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The atomic batch failed (nothing written), or every item failed: a problem with `summary` and `items`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/evaluations/batch")]
pub async fn batch(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    query: web::Query<BatchQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    crate::app::access::require_role(&principal, Kind::Evaluation, Action::Create)?;
    let body = read_body(&req, payload, state.max_batch_bytes).await?;
    let (items, places, body_flags) = parse_items(&content_type(&req), &body)?;
    let (dry_run, atomic) = flags(body_flags, &query)?;
    check_size(items.len(), state.max_batch_items)?;
    let mode = evaluations::Mode { atomic, dry_run };
    let outcomes = evaluations::upsert_many(
        &state.db,
        &principal,
        items.iter().map(|item| &item.evaluation),
        mode,
    )
    .await?;
    let answer = Answering {
        lang: Lang::from_accept_language(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ),
        path: req.path(),
        request_id: req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default(),
    };
    let mut results = Vec::with_capacity(items.len());
    for (index, (item, outcome)) in items.iter().zip(outcomes).enumerate() {
        results.push(answer.item(index, item, outcome, places.get(index))?);
    }
    let summary = evaluations::settle(&mut results, mode);
    respond(summary, results)
}

/// The media type of the body, lower-cased, without its parameters.
fn content_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The items of a JSON or CSV body, where each CSV item's cells are, and the flags a JSON
/// body carries.
type ParsedItems = (Vec<BatchItem>, Vec<Places>, (Option<bool>, Option<bool>));

/// Reads the items from a body of the given media type.
fn parse_items(content_type: &str, body: &[u8]) -> Result<ParsedItems, ApiError> {
    match content_type {
        "application/json" => {
            let request = parse_body::<BatchRequest>(body)?;
            Ok((request.items, Vec::new(), (request.dry_run, request.atomic)))
        }
        "text/csv" => {
            let (items, places) = crate::api::batch_csv::parse_located(body)?;
            Ok((items, places, (None, None)))
        }
        other => Err(ApiError::new(
            codes::UNSUPPORTED_MEDIA_TYPE,
            Text::new(
                format!("Send the batch as application/json or text/csv (got {other})"),
                format!("批量请求须为 application/json 或 text/csv（收到 {other}）"),
            ),
        )),
    }
}

/// A batch holds 1 to `max` items.
fn check_size(count: usize, max: usize) -> Result<(), ApiError> {
    if count > 0 && count <= max {
        return Ok(());
    }
    Err(ApiError::validation(vec![FieldError::body(
        "/items",
        "batch.size",
        Text::new(
            format!(
                "A batch holds 1 to {max} items (setting max_batch_items); this one has {count}"
            ),
            format!(
                "一个批量请求可包含 1 到 {max} 项（设置 max_batch_items），本请求有 {count} 项"
            ),
        ),
    )]))
}

/// What an item's answer needs from the request: its language, path and id.
struct Answering<'a> {
    lang: Lang,
    path: &'a str,
    request_id: String,
}

impl Answering<'_> {
    /// The answer for one item: what was (or would be) written, or its problem.
    fn item(
        &self,
        index: usize,
        item: &BatchItem,
        outcome: Result<evaluations::Done, ApiError>,
        place: Option<&Places>,
    ) -> Result<ItemResult, ApiError> {
        let (m, what, findings) = match outcome {
            Ok(done) => done,
            Err(e) => {
                let problem =
                    prefixed(e, place, index).to_problem(self.lang, self.path, &self.request_id);
                return Ok(ItemResult {
                    index,
                    reference: item.reference.clone(),
                    outcome: ItemOutcome::Failed,
                    id: None,
                    status: None,
                    version: None,
                    total: None,
                    grade: None,
                    error_findings: None,
                    findings: Vec::new(),
                    problem: Some(problem),
                });
            }
        };
        let context = format!("evaluation {}", m.id);
        Ok(ItemResult {
            index,
            reference: item.reference.clone(),
            outcome: what,
            id: Some(m.id.clone()),
            status: Some(EvaluationStatus::from_stored(&m.status, &context)?),
            version: Some(m.version),
            total: Some(Figure(m.total.0)),
            grade: Some(GradeDto::from_stored(&m.grade, &context)?),
            error_findings: Some(m.error_count),
            findings: findings
                .into_iter()
                .map(|f| ItemFinding {
                    pointer: locate(place, index, &f.pointer),
                    message: match self.lang {
                        Lang::Zh => f.message_zh,
                        Lang::En => f.message_en,
                    },
                    code: f.code,
                    severity: f.severity,
                    policy: f.policy,
                })
                .collect(),
            problem: None,
        })
    }
}

/// 200 when every item succeeded, 207 when some did (per item), 422 with the items when the
/// atomic batch failed or every item did.
fn respond(summary: BatchSummary, results: Vec<ItemResult>) -> Result<HttpResponse, ApiError> {
    let failed = summary.failed;
    if failed > 0 && (summary.atomic || failed == results.len()) {
        let (en, zh) = if summary.atomic {
            (
                format!(
                    "{failed} of {} item(s) failed; nothing was written",
                    results.len()
                ),
                format!("{} 项中有 {failed} 项失败，未写入任何数据", results.len()),
            )
        } else {
            ("Every item failed".to_owned(), "所有项目均失败".to_owned())
        };
        return Err(ApiError::new(codes::BATCH_FAILED, Text::new(en, zh))
            .with_extra(
                "summary",
                serde_json::to_value(&summary).map_err(ApiError::internal)?,
            )
            .with_extra(
                "items",
                serde_json::to_value(&results).map_err(ApiError::internal)?,
            ));
    }
    let status = if failed > 0 {
        actix_web::http::StatusCode::MULTI_STATUS
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(BatchResponse {
        summary,
        items: results,
    }))
}
