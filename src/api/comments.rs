//! The comment thread of an evaluation: `GET` / `POST` `/evaluations/{id}/comments`, and
//! `GET /evaluations/{id}/comments/{comment_id}`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::answers::EvaluationNotFound;
use crate::api::extract::JsonBody;
use crate::api::state::AppState;
use crate::app::comments;
use crate::domain::policy::Principal;
use crate::error::{ApiError, Problem};
use crate::model::comment_dto::{Comment, CommentInput, CommentPage};

/// Thread filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommentQuery {
    /// Only the comments on this indicator row (its index in `indicators`).
    pub row: Option<usize>,
}

/// The comment thread of an evaluation, oldest first: between the unit and its reviewers, on
/// the whole evaluation or on one indicator row. Whoever may read the evaluation reads it.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "list_evaluation_comments",
    params(("id" = String, Path, description = "Evaluation id"), CommentQuery),
    responses(
        (status = 200, description = "The thread", body = CommentPage),
        EvaluationNotFound,
    )
)]
#[get("/evaluations/{id}/comments")]
pub async fn list_comments(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    query: web::Query<CommentQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = comments::list(&state.db, &principal, &id, query.row).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One comment of an evaluation's thread.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "get_evaluation_comment",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("comment_id" = String, Path, description = "Comment id"),
    ),
    responses(
        (status = 200, description = "The comment", body = Comment),
        (status = 404, description = "No such evaluation in your scope (`evaluation.not_found`), or no such comment on it (`comment.not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/evaluations/{id}/comments/{comment_id}")]
pub async fn get_comment(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, comment_id) = path.into_inner();
    let c = comments::get(&state.db, &principal, &id, &comment_id).await?;
    Ok(HttpResponse::Ok().json(c))
}

/// Add a comment (submitters, reviewers and admins who may read the evaluation; in any state).
/// Comments are never edited or deleted. Each is a new version of the evaluation (history
/// `commented`) and a `comment` entry in the change feed; no `If-Match` is needed, and the
/// final score is kept.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "add_evaluation_comment",
    params(("id" = String, Path, description = "Evaluation id")),
    request_body = CommentInput,
    responses(
        (status = 201, description = "Added", body = Comment, headers(("Location" = String))),
        (status = 403, description = "A viewer (read-only)", body = Problem, content_type = "application/problem+json"),
        EvaluationNotFound,
        (status = 412, description = "The evaluation changed while the comment was written; send it again", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long text (`/text`), or no such row (`/row`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/evaluations/{id}/comments")]
pub async fn add_comment(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
    body: JsonBody<CommentInput>,
) -> Result<HttpResponse, ApiError> {
    let c = comments::add(&state.db, &principal, &id, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/evaluations/{}/comments/{}", c.evaluation_id, c.id),
        ))
        .json(c))
}
