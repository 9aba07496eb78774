//! An evaluation as a list shows it by default ([`EvaluationSummaryItem`], read from columns,
//! no stored document): the items of `GET /api/v1/evaluations` and the `data` of the change
//! feed's evaluation entries.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::model::amount::{Amount, Figure};
use crate::model::evaluation_dto::{EvaluationKind, GradeDto};
use crate::model::vocab::{EvaluationStatus, ScoreBasis, Vocabulary};
use crate::store::evaluations::summaries::SummaryRow;

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
    /// The summary of a row read by [`crate::store::evaluations::summaries`].
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
