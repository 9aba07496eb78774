//! The reviewers' queue (`GET /reviews?awaiting=me`) and bulk approval and return.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::extract::JsonBody;
use crate::api::http;
use crate::api::middleware::RequestId;
use crate::api::state::AppState;
use crate::app::reviews_queue::{self, QueueFilters};
use crate::app::scope::query_error;
use crate::app::{access, reviews};
use crate::domain::policy::{Action, Kind, Principal};
use crate::error::{ApiError, FieldError, Problem};
use crate::locale::{Lang, Text};
use crate::model::review_dto::{BulkAnswer, BulkInput, BulkOutcome, BulkResult, QueuePage};
use crate::model::vocab::{EvaluationStatus, Vocabulary};

/// Most evaluations one bulk call takes.
pub const MAX_BULK_ITEMS: usize = 100;

const PAGE_KIND: &str = "reviews";

/// Queue filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `me`: what waits for the caller's approval level (the only queue there is).
    pub awaiting: String,
    pub year: Option<i32>,
    /// Region subtree (`4304` or `430400`).
    pub region: Option<String>,
    /// Department id or budget code.
    pub department_id: Option<String>,
    pub page_size: Option<u64>,
    pub page_token: Option<String>,
}

fn bad_query(name: &str, en: &str, zh: &str) -> ApiError {
    query_error(name, en.to_owned(), zh.to_owned())
}

/// What waits for the caller's approval level within its scope, oldest change first (reviewers
/// and admins). A reviewer's level is the rank of its scope's region (county 1, city 2,
/// province 3, national 4), capped at the levels the evaluation's rule set requires; its own
/// submissions are never listed.
#[utoipa::path(
    tag = "reviews",
    operation_id = "list_review_queue",
    params(QueueQuery),
    responses(
        (status = 200, description = "A page of the queue", body = QueuePage),
        (status = 400, description = "`awaiting` is not `me`, or a bad filter or page token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a reviewer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reviews")]
pub async fn list_review_queue(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    access::require_role(&principal, Kind::Evaluation, Action::Approve)?;
    if query.awaiting != "me" {
        return Err(bad_query(
            "awaiting",
            "awaiting=me is the queue",
            "awaiting 只能为 me",
        ));
    }
    let limit = http::page_size(query.page_size, state.max_page_size)?;
    let after = http::decode_page_token(PAGE_KIND, query.page_token.as_deref())?;
    let after = match after {
        None => None,
        Some(t) => Some(
            reviews_queue::decode_key(&t)
                .ok_or_else(|| bad_query("page_token", "unknown token", "无法识别的令牌"))?,
        ),
    };
    let filters = QueueFilters {
        year: query.year,
        region: query.region,
        department_id: query.department_id,
    };
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let (items, next) = reviews_queue::page(&state.db, &principal, &filters, after, limit).await?;
    Ok(HttpResponse::Ok().json(QueuePage {
        items,
        next_page_token: next
            .map(|k| http::encode_page_token(PAGE_KIND, &reviews_queue::encode_key(&k))),
    }))
}

fn too_many(input: &BulkInput) -> Result<(), ApiError> {
    if input.items.len() > MAX_BULK_ITEMS || input.items.is_empty() {
        return Err(ApiError::validation(vec![FieldError::body(
            "/items",
            "field.out_of_range",
            Text::new(
                format!("From 1 to {MAX_BULK_ITEMS} evaluations"),
                format!("须为 1 到 {MAX_BULK_ITEMS} 份绩效自评"),
            ),
        )]));
    }
    Ok(())
}

async fn bulk(
    state: &AppState,
    principal: &Principal,
    req: &HttpRequest,
    input: BulkInput,
    approve: bool,
) -> Result<HttpResponse, ApiError> {
    too_many(&input)?;
    if approve && input.reason.is_some() {
        return Err(ApiError::validation(vec![FieldError::body(
            "/reason",
            "field.unknown",
            Text::new("An approval takes no reason", "审批通过无需填写原因"),
        )]));
    }
    let lang = Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let mut items = Vec::with_capacity(input.items.len());
    for (index, item) in input.items.iter().enumerate() {
        let if_match = http::IfMatch::parse(&item.if_match);
        let done = if approve {
            reviews::approve(&state.db, principal, &item.id, Some(&if_match)).await
        } else {
            let reason = input.reason.as_deref();
            reviews::return_(&state.db, principal, &item.id, Some(&if_match), reason).await
        };
        items.push(match done {
            Ok(m) => {
                let status = EvaluationStatus::from_stored(&m.status, &m.id)?;
                BulkResult {
                    index,
                    id: item.id.clone(),
                    outcome: match (approve, status) {
                        (false, _) => BulkOutcome::Returned,
                        (true, EvaluationStatus::Approved) => BulkOutcome::Approved,
                        (true, _) => BulkOutcome::LevelApproved,
                    },
                    status: Some(status),
                    version: Some(m.version),
                    problem: None,
                }
            }
            Err(e) => BulkResult {
                index,
                id: item.id.clone(),
                outcome: BulkOutcome::Failed,
                status: None,
                version: None,
                problem: Some(e.to_problem(lang, req.path(), &request_id)),
            },
        });
    }
    let failed = items.iter().any(|r| r.outcome == BulkOutcome::Failed);
    let status = if failed {
        StatusCode::MULTI_STATUS
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(BulkAnswer { items }))
}

/// Approve up to 100 evaluations at the caller's level, each with its ETag (`if_match`); each
/// item stands alone (its own transaction) and answers its own outcome.
#[utoipa::path(
    tag = "reviews",
    operation_id = "bulk_approve",
    request_body = BulkInput,
    responses(
        (status = 200, description = "Every item approved (at the caller's level)", body = BulkAnswer),
        (status = 207, description = "Some items failed: each says why", body = BulkAnswer),
        (status = 422, description = "No items or more than 100, or a reason given", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reviews/approve")]
pub async fn bulk_approve(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: JsonBody<BulkInput>,
) -> Result<HttpResponse, ApiError> {
    bulk(&state, &principal, &req, body.0, true).await
}

/// Return up to 100 evaluations to their units with one reason, each with its ETag; each item
/// stands alone and answers its own outcome.
#[utoipa::path(
    tag = "reviews",
    operation_id = "bulk_return",
    request_body = BulkInput,
    responses(
        (status = 200, description = "Every item returned", body = BulkAnswer),
        (status = 207, description = "Some items failed: each says why", body = BulkAnswer),
        (status = 422, description = "No items or more than 100, or no reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reviews/return")]
pub async fn bulk_return(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: JsonBody<BulkInput>,
) -> Result<HttpResponse, ApiError> {
    bulk(&state, &principal, &req, body.0, false).await
}
