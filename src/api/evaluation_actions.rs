//! The workflow actions on an evaluation, its history and its printable report.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::answers::{EvaluationNotFound, StaleIfMatch};
use crate::api::evaluations::answer;
use crate::api::extract::JsonBody;
use crate::api::http;
use crate::api::state::AppState;
use crate::app::evaluations;
use crate::app::reviews;
use crate::domain::diff::Change;
use crate::domain::policy::{Action, Principal};
use crate::domain::workflow::Transition;
use crate::error::{ApiError, Problem};
use crate::model::body::RequestBody;
use crate::model::evaluation_dto::Evaluation;
use crate::model::vocab::{EvaluationStatus, HistoryAction, Vocabulary};

/// The reason a reviewer returns an evaluation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "执行时限实际完成值 2024.1.1-204.12.31 不是有效日期，请更正后重新提交"}))]
pub struct ReturnInput {
    pub reason: String,
}

impl RequestBody for ReturnInput {}

async fn act(
    state: &AppState,
    principal: &Principal,
    id: &str,
    transition: Transition,
    reason: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let m = evaluations::transition(&state.db, principal, id, transition, reason).await?;
    answer(StatusCode::OK, &evaluations::to_dto(principal, &m)?)
}

/// Submit for review: refused, with the blocking findings, while any error remains.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "submit_evaluation",
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "Submitted", body = Evaluation),
        EvaluationNotFound,
        (status = 409, description = "Not in a state that can be submitted, or errors remain (`blocking_findings`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/evaluations/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(&state, &principal, &id, Transition::Submit, None).await
}

/// Withdraw a submitted evaluation back to draft, before review.
///
/// Only the submitter who submitted it (the same token `sub`) or an admin may withdraw it;
/// anyone else gets 403 `evaluation.not_submitter`.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "withdraw_evaluation",
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "Back to draft", body = Evaluation),
        (status = 403, description = "Not the submitter who submitted it, nor an admin (`evaluation.not_submitter`), or a role that never withdraws (`auth.forbidden`)", body = Problem, content_type = "application/problem+json"),
        EvaluationNotFound,
        (status = 409, description = "Not submitted (`current_state`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/evaluations/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    act(&state, &principal, &id, Transition::Withdraw, None).await
}

/// Return a submitted evaluation to its unit, with the reason (reviewers, at the approval
/// level that acts next; the approvals start again once the unit resubmits).
#[utoipa::path(
    tag = "evaluations",
    operation_id = "return_evaluation",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("If-Match" = Option<String>, Header, description = "When given, the ETag of the version being returned"),
    ),
    request_body = ReturnInput,
    responses(
        (status = 200, description = "Returned", body = Evaluation),
        EvaluationNotFound,
        (status = 409, description = "Not submitted (`current_state`), a lower approval level has not approved (`review.lower_level_pending`), or the caller's level has (`review.level_done`)", body = Problem, content_type = "application/problem+json"),
        StaleIfMatch,
    )
)]
#[post("/evaluations/{id}/return")]
pub async fn return_(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<ReturnInput>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::optional_if_match(&req)?;
    let reason = Some(body.0.reason.as_str());
    let m = reviews::return_(&state.db, &principal, &id, if_match.as_ref(), reason).await?;
    answer(StatusCode::OK, &evaluations::to_dto(&principal, &m)?)
}

/// Approve a submitted evaluation at the caller's approval level (reviewers; never one's own
/// submission). The rule set's `approval_levels` says how many levels approve, in order
/// (county finance, then city finance): a level below the last keeps the evaluation submitted
/// (history `level_approved`), the last approves it.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "approve_evaluation",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("If-Match" = Option<String>, Header, description = "When given, the ETag of the version being approved"),
    ),
    responses(
        (status = 200, description = "Approved (at the caller's level)", body = Evaluation),
        EvaluationNotFound,
        (status = 409, description = "Not submitted (`current_state`), a lower approval level has not approved (`review.lower_level_pending`), or the caller's level has (`review.level_done`)", body = Problem, content_type = "application/problem+json"),
        StaleIfMatch,
    )
)]
#[post("/evaluations/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::optional_if_match(&req)?;
    let m = reviews::approve(&state.db, &principal, &id, if_match.as_ref()).await?;
    answer(StatusCode::OK, &evaluations::to_dto(&principal, &m)?)
}

/// One entry of an evaluation's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    /// 1, 2, 3 …: also the version the change produced.
    pub seq: i64,
    pub action: HistoryAction,
    /// The token subject who did it.
    pub actor: String,
    #[serde(serialize_with = "crate::clock::micros")]
    pub at: DateTime<Utc>,
    pub status_before: Option<EvaluationStatus>,
    pub status_after: EvaluationStatus,
    pub reason: Option<String>,
    /// Each changed field: its JSON Pointer, the value before and after.
    pub changes: Vec<ChangeDto>,
}

/// One changed field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeDto {
    pub pointer: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Every version and every state change, oldest first (append-only).
#[utoipa::path(
    tag = "evaluations",
    operation_id = "get_evaluation_history",
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "The history", body = [HistoryItem]),
        EvaluationNotFound,
    )
)]
#[get("/evaluations/{id}/history")]
pub async fn get_history(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (m, stored) = evaluations::resolve(&state.db, &principal, &id, Action::Read).await?;
    let items = evaluations::history_of(&state.db, &m, &stored)
        .await?
        .into_iter()
        .map(|h| {
            let context = format!("history {} of evaluation {}", h.seq, h.evaluation_id);
            // A stored entry that does not read is a damaged row: an error, never "no changes".
            let changes: Vec<Change> = serde_json::from_str(h.changes.as_str())
                .map_err(|e| ApiError::internal(anyhow::anyhow!("{context}: changes: {e}")))?;
            Ok(HistoryItem {
                seq: h.seq,
                action: HistoryAction::from_stored(&h.action, &context)?,
                actor: h.actor,
                at: h.at,
                status_before: h
                    .status_before
                    .as_deref()
                    .map(|s| EvaluationStatus::from_stored(s, &context))
                    .transpose()?,
                status_after: EvaluationStatus::from_stored(&h.status_after, &context)?,
                reason: h.reason,
                changes: changes
                    .into_iter()
                    .map(|c| ChangeDto {
                        pointer: c.pointer,
                        before: c.before,
                        after: c.after,
                    })
                    .collect(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(HttpResponse::Ok().json(items))
}

/// The evaluation as a printable page in the layout of 附件4 / 附件5: computed beside
/// claimed scores, findings on their rows. Plain HTML and CSS; no scripts, nothing external.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "get_evaluation_report",
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "The report page", body = String, content_type = "text/html; charset=utf-8"),
        EvaluationNotFound,
    )
)]
#[get("/evaluations/{id}/report")]
pub async fn get_report(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let html = crate::app::report_page::html(&state.db, &principal, &id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}
