//! `/api/v1/evaluations`: self-evaluations, scored and reviewed by the engine on every write.
//!
//! HTTP only: each handler extracts, calls one use case of [`crate::app::evaluations`] and
//! answers with the evaluation as the contract shows it
//! ([`crate::app::evaluations::to_dto`]).

use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::answers::{EvaluationNotFound, IfMatchRequired, NotModified, StaleIfMatch};
use crate::api::bounded_body::BoundedBody;
use crate::api::caching;
use crate::api::evaluation_views::{EvaluationListPage, chosen_fields, write_item};
use crate::api::extract::JsonBody;
use crate::api::http::{self};
use crate::api::read_cache;
use crate::api::state::AppState;
use crate::app::evaluations;
use crate::app::evaluations::list::{self, ListItem};
use crate::app::filters::EvaluationFilters;
use crate::domain::policy::{Action, Principal};
use crate::error::{ApiError, Problem};
use crate::model::evaluation_dto::*;
use crate::model::vocab::{EvaluationView, ScoreBasis};

/// Evaluation filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    pub year: Option<i32>,
    /// Region subtree (`4304` or `430400`).
    pub region: Option<String>,
    /// Department id or budget code.
    pub department_id: Option<String>,
    pub project_id: Option<String>,
    pub kind: Option<EvaluationKind>,
    /// draft, submitted, returned or approved.
    #[param(value_type = Option<crate::model::vocab::EvaluationStatus>)]
    pub status: Option<String>,
    /// excellent, good, fair or poor.
    pub grade: Option<GradeDto>,
    /// What the final score rests on: `computed` (the engine's) or `reviewed` (the finance
    /// bureau's 复核).
    pub basis: Option<ScoreBasis>,
    /// Only evaluations changed after this time (RFC 3339).
    pub updated_after: Option<DateTime<Utc>>,
    /// `summary` (the default: ids with names and codes, figures, counts) or `full` (each
    /// whole evaluation, as `GET /api/v1/evaluations/{id}` answers it).
    pub view: Option<EvaluationView>,
    /// Only these fields of each item (a comma list of the view's fields, e.g.
    /// `id,department_name,total,grade`); an unknown field is 400.
    pub fields: Option<String>,
    pub page_size: Option<u64>,
    pub page_token: Option<String>,
}

const PAGE_KIND: &str = "evaluations";

fn respond(status: StatusCode, evaluation: &Evaluation) -> HttpResponse {
    let location = format!("/api/v1/evaluations/{}", evaluation.id);
    http::versioned(status, evaluation.version, &location, evaluation)
}

/// Writes a model and answers with it.
pub fn answer(status: StatusCode, evaluation: &Evaluation) -> Result<HttpResponse, ApiError> {
    Ok(respond(status, evaluation))
}

/// List evaluations.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "list_evaluations",
    params(EvaluationQuery),
    responses(
        (status = 200, description = "A page of evaluations in id order (viewers see submitted and approved ones only): summaries, or whole evaluations with `view=full`", body = EvaluationListPage),
        (status = 400, description = "A bad filter, view or field name", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/evaluations")]
pub async fn list_evaluations(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    query: web::Query<EvaluationQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let view = query.view.unwrap_or(EvaluationView::Summary);
    let fields = chosen_fields(view, query.fields.as_deref())?;
    let fields = fields.as_deref();
    let limit = http::page_size(query.page_size, state.max_page_size)?;
    let after = http::decode_page_token(PAGE_KIND, query.page_token.as_deref())?;
    let filters = EvaluationFilters {
        year: query.year,
        region: query.region,
        department_id: query.department_id,
        kind: query.kind,
        status: query.status,
        grade: query.grade,
        basis: query.basis,
        project_id: query.project_id,
        updated_after: query.updated_after,
    };
    // Held until the page's last byte is handed to the connection (see `BoundedBody`).
    let permit = state
        .pages
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    // The page is written item by item as the rows are read, so a request holds one body, not
    // also every stored row and a tree of every item ([`EvaluationPage`]'s shape).
    let mut body = Vec::with_capacity(64 * 1024);
    body.extend_from_slice(b"{\"items\":[");
    let mut last_id: Option<String> = None;
    let page = (after.as_deref(), limit);
    let more = list::page_each(&state.db, &principal, &filters, view, page, |id, item| {
        if last_id.is_some() {
            body.push(b',');
        }
        last_id = Some(id.to_owned());
        match item {
            ListItem::Summary(summary) => write_item(&mut body, &summary, fields),
            ListItem::Full(evaluation) => write_item(&mut body, &evaluation, fields),
        }
    })
    .await?;
    let Some(more) = more else {
        return Ok(HttpResponse::Ok().json(EvaluationPage {
            items: Vec::new(),
            next_page_token: None,
        }));
    };
    let next_page_token = last_id
        .filter(|_| more)
        .map(|id| http::encode_page_token(PAGE_KIND, &id));
    body.extend_from_slice(b"],\"next_page_token\":");
    serde_json::to_writer(&mut body, &next_page_token).map_err(ApiError::internal)?;
    body.push(b'}');
    Ok(page_answer(&req, body, permit))
}

/// A page as its answer: with its content tag (set here, so the caching layer does not copy
/// the page again), or 304 when `If-None-Match` names it. The read cache may keep the page's
/// bytes ([`read_cache::Keep`]) while the body, sharing them, keeps its permit until sent.
fn page_answer(
    req: &HttpRequest,
    body: Vec<u8>,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> HttpResponse {
    let tag = caching::content_etag(&body);
    if caching::matches(caching::if_none_match(req.headers()).as_deref(), &tag) {
        return caching::not_modified(&tag);
    }
    let body = Bytes::from(body);
    let mut res = HttpResponse::Ok()
        .insert_header(header::ContentType::json())
        .insert_header((header::ETAG, tag))
        .body(BoundedBody::new(body.clone(), permit));
    res.extensions_mut().insert(read_cache::Keep(body));
    res
}

/// Get an evaluation with its computed block and what the caller may do next.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "get_evaluation",
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "The evaluation", body = Evaluation, headers(("ETag" = String))),
        NotModified,
        (status = 404, description = "No such evaluation in your scope (viewers never see drafts)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/evaluations/{id}")]
pub async fn get_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (m, _) = evaluations::resolve(&state.db, &principal, &id, Action::Read).await?;
    if let Some(res) = http::unchanged(&req, m.version) {
        return Ok(res);
    }
    Ok(respond(
        StatusCode::OK,
        &evaluations::to_dto(&principal, &m)?,
    ))
}

/// Create an evaluation (a draft) from the whole document; the answer carries the computed
/// block and every finding.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "create_evaluation",
    request_body = EvaluationInput,
    responses(
        (status = 201, description = "Created as a draft", body = Evaluation, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "One evaluation per department, year, kind and project: `existing` links to it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/evaluations")]
pub async fn create_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<EvaluationInput>,
) -> Result<HttpResponse, ApiError> {
    let m = evaluations::create(&state.db, &principal, &body.0).await?;
    answer(StatusCode::CREATED, &evaluations::to_dto(&principal, &m)?)
}

/// Dry run: the same checks and scoring as a create, nothing written.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "validate_evaluation",
    request_body = EvaluationInput,
    responses((status = 200, description = "What a create would compute", body = Validation))
)]
#[post("/evaluations/validate")]
pub async fn validate_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<EvaluationInput>,
) -> Result<HttpResponse, ApiError> {
    let prepared = evaluations::prepare(&state.db, &principal, &body.0, Action::Create).await?;
    Ok(HttpResponse::Ok().json(Validation {
        submittable: !prepared.has_errors(),
        budget_source: prepared.budget_source,
        budget: prepared.input.budget.clone(),
        computed: prepared.computed,
    }))
}

/// Replace an evaluation's data (drafts and returned evaluations only).
#[utoipa::path(
    tag = "evaluations",
    operation_id = "replace_evaluation",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag of the version being replaced"),
    ),
    request_body = EvaluationInput,
    responses(
        (status = 200, description = "Replaced: a new version", body = Evaluation, headers(("ETag" = String))),
        EvaluationNotFound,
        (status = 409, description = "Submitted or approved: read-only (`current_state`)", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[put("/evaluations/{id}")]
pub async fn replace_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<EvaluationInput>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::require_if_match(&req)?;
    let m = evaluations::replace(&state.db, &principal, &id, &if_match, &body.0).await?;
    answer(StatusCode::OK, &evaluations::to_dto(&principal, &m)?)
}

/// Delete an evaluation (soft; drafts and returned evaluations only).
#[utoipa::path(
    tag = "evaluations",
    operation_id = "delete_evaluation",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("If-Match" = Option<String>, Header, description = "When given, the ETag of the version being deleted"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        EvaluationNotFound,
        (status = 409, description = "Submitted or approved: read-only", body = Problem, content_type = "application/problem+json"),
        StaleIfMatch,
    )
)]
#[delete("/evaluations/{id}")]
pub async fn delete_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::optional_if_match(&req)?;
    evaluations::delete(&state.db, &principal, &id, if_match.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
