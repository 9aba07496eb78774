//! `/api/v1/stats`: aggregates of evaluations and indicator results in the caller's scope.
//! HTTP only: the handlers take the query, call [`crate::app::stats`] and answer.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::state::AppState;
use crate::app::filters::{EvaluationFilters, IndicatorFilters};
use crate::app::stats::{self, Grouping};
use crate::domain::policy::Principal;
use crate::error::ApiError;
use crate::model::evaluation_dto::{EvaluationKind, GradeDto};
use crate::model::stats::{EvaluationStats, IndicatorStats};
use crate::model::vocab::ScoreBasis;

/// Evaluation aggregate parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvaluationStatsQuery {
    /// Comma-separated dimensions: `region`, `year`, `department`, `kind`, `grade`, `status`,
    /// `basis` (e.g. `region,kind`). Without it the answer has `overall` only and no `groups`.
    pub group_by: Option<String>,
    /// `province`, `city` or `county` (default): regions are grouped by the code prefix of this
    /// level, so `city` counts 430424 under `430400`.
    pub region_level: Option<String>,
    pub year: Option<i32>,
    /// Region subtree (`4304` or `430400`).
    pub region: Option<String>,
    /// Department id or budget code.
    pub department_id: Option<String>,
    pub kind: Option<EvaluationKind>,
    /// draft, submitted, returned or approved (viewers: submitted and approved only).
    #[param(value_type = Option<crate::model::vocab::EvaluationStatus>)]
    pub status: Option<String>,
    /// excellent, good, fair or poor.
    pub grade: Option<GradeDto>,
    /// What the final score rests on: `computed` (the engine's) or `reviewed` (the finance
    /// bureau's 复核).
    pub basis: Option<ScoreBasis>,
}

/// Aggregates of evaluations: count, average and distribution of the computed totals, grade
/// counts, budget and executed sums with the execution rate, over all and per group.
#[utoipa::path(
    tag = "stats",
    operation_id = "evaluation_stats",
    params(EvaluationStatsQuery),
    responses(
        (status = 200, description = "The aggregates, computed live from the evaluations in the caller's scope (viewers: submitted and approved only)", body = EvaluationStats),
        (status = 400, description = "An unknown `group_by` dimension or `region_level`, or another invalid parameter (`errors[].parameter` names it)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/evaluations")]
pub async fn evaluation_stats(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<EvaluationStatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let grouping = Grouping::parse(q.group_by.as_deref(), q.region_level.as_deref())?;
    let filters = EvaluationFilters {
        year: q.year,
        region: q.region,
        department_id: q.department_id,
        kind: q.kind,
        status: q.status,
        grade: q.grade,
        basis: q.basis,
        ..EvaluationFilters::default()
    };
    let answer = stats::evaluation_stats(&state.db, &principal, &filters, &grouping).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// Indicator aggregate parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorStatsQuery {
    pub year: Option<i32>,
    /// Region subtree (`4304` or `430400`).
    pub region: Option<String>,
    /// Department id or budget code.
    pub department_id: Option<String>,
    /// Rows of department (附件4) or project (附件5) evaluations only.
    pub kind: Option<EvaluationKind>,
    /// Rows of evaluations in this status (viewers: submitted and approved only).
    #[param(value_type = Option<crate::model::vocab::EvaluationStatus>)]
    pub status: Option<String>,
    /// Only this 一级指标 (standard name, e.g. 产出指标).
    pub level1: Option<String>,
}

/// Achievement of indicator rows by 一级指标, each with its 二级指标 nested: row count,
/// achieved, not achieved, unscored and the achievement rate.
#[utoipa::path(
    tag = "stats",
    operation_id = "indicator_stats",
    params(IndicatorStatsQuery),
    responses(
        (status = 200, description = "Counts over the indicator rows of the evaluations in the caller's scope (viewers: submitted and approved only)", body = IndicatorStats),
    )
)]
#[get("/stats/indicators")]
pub async fn indicator_stats(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<IndicatorStatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let filters = IndicatorFilters {
        year: q.year,
        region: q.region,
        department_id: q.department_id,
        kind: q.kind,
        status: q.status,
        level1: q.level1,
        ..IndicatorFilters::default()
    };
    let answer = stats::indicator_stats(&state.db, &principal, &filters).await?;
    Ok(HttpResponse::Ok().json(answer))
}
