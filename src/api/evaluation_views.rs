//! What a list of evaluations answers for each item: a summary by default ([`EvaluationSummaryItem`],
//! read from columns, no stored document), the whole document with `view=full`, and with
//! `fields=` the chosen fields of either. The change feed's evaluation entries are summaries too.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::amount::{Amount, Figure};
use crate::api::evaluation_dto::{EvaluationKind, GradeDto};
use crate::api::vocab::{EvaluationStatus, EvaluationView, ScoreBasis, Vocabulary};
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::store::evaluation_summaries::SummaryRow;

/// An evaluation as a list shows it by default: what it is, whose, where, its figures and its
/// findings counted, with names and codes beside the ids. `GET /api/v1/evaluations/{id}` (the
/// `href`) gives the whole document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-0000-7000-8000-000000000030", "kind": "project",
    "kind_label_zh": "项目支出", "year": 2024, "status": "submitted",
    "status_label_zh": "已提交", "version": 3,
    "department_id": "0193a1b2-0000-7000-8000-000000000010",
    "department_name": "衡东县生态环境局", "department_budget_code": "430424001",
    "region": "430424", "region_name": "衡东县",
    "project_id": "0193a1b2-0000-7000-8000-000000000020", "project_name": "农村环境整治",
    "budget_full_year": "120.00", "budget_executed": "118.50",
    "total": "92.50", "grade": "excellent", "grade_label_zh": "优", "basis": "computed",
    "error_count": 0, "warning_count": 2, "updated_at": "2026-11-29T08:00:00Z",
    "href": "/api/v1/evaluations/0193a1b2-0000-7000-8000-000000000030"
}))]
pub struct EvaluationSummaryItem {
    pub id: String,
    pub kind: EvaluationKind,
    /// 部门整体支出 / 项目支出.
    pub kind_label_zh: String,
    pub year: i32,
    pub status: EvaluationStatus,
    pub status_label_zh: String,
    /// The evaluation's version (its `ETag` is `"{version}"`).
    pub version: i64,
    pub department_id: String,
    /// The department's name now.
    pub department_name: String,
    /// The department's budget code (预算单位编码) now.
    pub department_budget_code: String,
    /// The region code (GB/T 2260) of the department.
    pub region: String,
    /// The region's name; null only when the region table does not name the code.
    pub region_name: Option<String>,
    pub project_id: Option<String>,
    /// The project's name (kind `project`).
    pub project_name: Option<String>,
    /// 全年预算数 in 万元, when the budget block gives it.
    pub budget_full_year: Option<Amount>,
    /// 全年执行数 in 万元, when given.
    pub budget_executed: Option<Amount>,
    /// The final total (0–100).
    pub total: Figure,
    pub grade: GradeDto,
    /// 优 / 良 / 中 / 差.
    pub grade_label_zh: String,
    /// What `total` and `grade` rest on.
    pub basis: ScoreBasis,
    /// Findings of severity error (they block submission).
    pub error_count: i32,
    /// Findings of severity warning.
    pub warning_count: i32,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
    /// The whole evaluation.
    pub href: String,
}

/// A page of evaluation summaries (the default view of `GET /api/v1/evaluations`).
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationSummaryPage {
    pub items: Vec<EvaluationSummaryItem>,
    pub next_page_token: Option<String>,
}

impl EvaluationSummaryItem {
    /// The summary of a row read by [`crate::store::evaluation_summaries`].
    pub fn from_row(r: SummaryRow) -> Result<EvaluationSummaryItem, ApiError> {
        let context = format!("evaluation {}", r.id);
        let missing = |what: &str| {
            ApiError::internal(anyhow::anyhow!(
                "{context}: its department {} has no {what}",
                r.department_id
            ))
        };
        let kind = EvaluationKind::from_stored(&r.kind, &context)?;
        let status = EvaluationStatus::from_stored(&r.status, &context)?;
        let grade = GradeDto::from_stored(&r.grade, &context)?;
        let basis = ScoreBasis::from_stored(&r.score_basis, &context)?;
        let department_name = r.department_name.ok_or_else(|| missing("name"))?;
        let department_budget_code = r
            .department_budget_code
            .ok_or_else(|| missing("budget code"))?;
        Ok(EvaluationSummaryItem {
            href: format!("/api/v1/evaluations/{}", r.id),
            id: r.id,
            kind,
            kind_label_zh: kind.domain().label_zh().to_owned(),
            year: r.year,
            status,
            status_label_zh: status.label_zh().to_owned(),
            version: r.version,
            department_id: r.department_id,
            department_name,
            department_budget_code,
            region: r.region_code,
            region_name: r.region_name,
            project_id: r.project_id,
            project_name: r.project_name,
            budget_full_year: r.budget_full_year.map(|d| Amount(d.0)),
            budget_executed: r.budget_executed.map(|d| Amount(d.0)),
            total: Figure(r.total.0),
            grade,
            grade_label_zh: grade.label_zh().to_owned(),
            basis,
            error_count: r.error_count,
            warning_count: r.warning_count,
            updated_at: r.updated_at,
        })
    }
}

/// The top-level fields of a summary, in the contract's order.
pub const SUMMARY_FIELDS: &[&str] = &[
    "id",
    "kind",
    "kind_label_zh",
    "year",
    "status",
    "status_label_zh",
    "version",
    "department_id",
    "department_name",
    "department_budget_code",
    "region",
    "region_name",
    "project_id",
    "project_name",
    "budget_full_year",
    "budget_executed",
    "total",
    "grade",
    "grade_label_zh",
    "basis",
    "error_count",
    "warning_count",
    "updated_at",
    "href",
];

/// The top-level fields of a whole evaluation ([`Evaluation`]).
pub const FULL_FIELDS: &[&str] = &[
    "id",
    "kind",
    "kind_label_zh",
    "department_id",
    "project_id",
    "region",
    "year",
    "rule_set",
    "status",
    "status_label_zh",
    "version",
    "budget",
    "budget_source",
    "annual_goal",
    "achievement",
    "indicators",
    "claimed_total",
    "narrative",
    "computed",
    "allowed_actions",
    "blocked_actions",
    "created_by",
    "submitted_by",
    "created_at",
    "updated_at",
];

/// The fields a list answers for each item: all of the view's (`None`), or those `fields`
/// names (a comma list; each must be a field of the view, else 400 naming it).
pub fn chosen_fields(
    view: EvaluationView,
    fields: Option<&str>,
) -> Result<Option<Vec<&'static str>>, ApiError> {
    let Some(fields) = fields else {
        return Ok(None);
    };
    let known = match view {
        EvaluationView::Summary => SUMMARY_FIELDS,
        EvaluationView::Full => FULL_FIELDS,
    };
    let mut chosen = Vec::new();
    for name in fields.split(',').map(str::trim) {
        match known.iter().find(|k| **k == name) {
            Some(k) if !chosen.contains(k) => chosen.push(*k),
            Some(_) => {}
            None => return Err(unknown_field(view, name, known)),
        }
    }
    Ok(Some(chosen))
}

fn unknown_field(view: EvaluationView, name: &str, known: &[&str]) -> ApiError {
    let list = known.join(", ");
    let view = view.as_str();
    let (en, zh) = if name.is_empty() {
        (
            format!("fields names an empty field; the {view} view has: {list}"),
            format!("fields 含有空字段名；{view} 视图的字段为：{list}"),
        )
    } else {
        (
            format!("`{name}` is not a field of the {view} view; it has: {list}"),
            format!("`{name}` 不是 {view} 视图的字段；可用字段：{list}"),
        )
    };
    let mut e = ApiError::new(codes::INVALID_QUERY, Text::new(en.clone(), zh.clone()));
    e.errors.push(FieldError::query(
        "fields",
        "parameter.invalid",
        Text::new(en, zh),
    ));
    e
}

/// Writes one list item: all of it, or only the chosen fields.
pub fn write_item<T: Serialize>(
    body: &mut Vec<u8>,
    item: &T,
    fields: Option<&[&str]>,
) -> Result<(), ApiError> {
    match fields {
        None => serde_json::to_writer(body, item).map_err(ApiError::internal),
        Some(fields) => {
            let value = serde_json::to_value(item).map_err(ApiError::internal)?;
            let mut chosen = serde_json::Map::new();
            if let serde_json::Value::Object(mut all) = value {
                for f in fields {
                    if let Some(v) = all.remove(*f) {
                        chosen.insert((*f).to_owned(), v);
                    }
                }
            }
            serde_json::to_writer(body, &chosen).map_err(ApiError::internal)
        }
    }
}

/// A page of `GET /api/v1/evaluations`: summaries by default, whole evaluations with
/// `view=full`. With `fields=` each item has only the fields named (of the view's).
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Only the contract names it: the list writes its pages item by item.
pub enum EvaluationListPage {
    Summaries(EvaluationSummaryPage),
    Full(crate::api::evaluation_dto::EvaluationPage),
}
