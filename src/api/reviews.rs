//! The finance bureau's review (复核) of an evaluation: `GET` / `PUT`
//! `/evaluations/{id}/review`.

use actix_web::{HttpRequest, HttpResponse, get, put, web};

use crate::api::answers::{EvaluationNotFound, NotModified, StaleIfMatch};
use crate::api::extract::JsonBody;
use crate::api::http::{self};
use crate::api::state::AppState;
use crate::app::reviews;
use crate::domain::policy::Principal;
use crate::error::{ApiError, Problem};
use crate::model::review_dto::{ReviewInput, ReviewView};

fn respond(view: &ReviewView) -> HttpResponse {
    http::versioned(
        actix_web::http::StatusCode::OK,
        view.evaluation_version,
        "",
        view,
    )
}

/// The review of an evaluation: the engine's scores and findings (those on rows resting on the
/// unit's claim first, `to_settle`), the reviewer's scores, deductions and reasons, the
/// approval levels and the final total with its basis.
///
/// Reviewers and admins in scope always see it; the unit (submitters) and viewers once the
/// evaluation is returned or approved (else 404 `review.not_found`). The `ETag` is the
/// evaluation's version.
#[utoipa::path(
    tag = "reviews",
    operation_id = "get_evaluation_review",
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "The review", body = ReviewView, headers(("ETag" = String))),
        NotModified,
        (status = 404, description = "No such evaluation in your scope, or no review you may see yet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/evaluations/{id}/review")]
pub async fn get_review(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = reviews::get(&state.db, &principal, &id).await?;
    if let Some(res) = http::unchanged(&req, view.evaluation_version) {
        return Ok(res);
    }
    Ok(respond(&view))
}

/// Save the review (reviewers and admins, at the approval level that acts next): per row and
/// for budget execution a review score (0 ≤ score ≤ weight) with a deduction reason where it is
/// below the claim, and the overall opinion. Only while the evaluation is submitted; each save
/// is a new version of the evaluation, in its history and the change feed.
#[utoipa::path(
    tag = "reviews",
    operation_id = "put_evaluation_review",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag of the evaluation (its version)"),
    ),
    request_body = ReviewInput,
    responses(
        (status = 200, description = "Saved: the evaluation's new version", body = ReviewView, headers(("ETag" = String))),
        (status = 403, description = "Not a reviewer, or the caller's own submission", body = Problem, content_type = "application/problem+json"),
        EvaluationNotFound,
        (status = 409, description = "Not submitted (`review.not_open`), a lower level has not approved (`review.lower_level_pending`), or the caller's level has (`review.level_done`)", body = Problem, content_type = "application/problem+json"),
        StaleIfMatch,
        (status = 422, description = "A score out of bounds or a deduction without a reason, each at its pointer", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/evaluations/{id}/review")]
pub async fn put_review(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<ReviewInput>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::require_if_match(&req)?;
    let view = reviews::save_review(&state.db, &principal, &id, &if_match, body.0).await?;
    Ok(respond(&view))
}
