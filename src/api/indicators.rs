//! Indicator rows: as a sub-resource of a draft evaluation, and flat across evaluations for
//! dashboards that compare, say, PM2.5 across counties.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::answers::{EvaluationNotFound, IfMatchRequired};
use crate::api::evaluations::answer;
use crate::api::extract::JsonBody;
use crate::api::http::{self, etag};
use crate::api::state::AppState;
use crate::app::evaluations;
use crate::app::indicator_results::{self, IndicatorResultFilters};
use crate::domain::policy::{Action, Principal};
use crate::error::{ApiError, Problem};
use crate::model::evaluation_dto::{Evaluation, IndicatorInputDto, RowDto};
use crate::model::indicator_results::IndicatorResult;

/// One indicator row with how it was scored.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorRow {
    pub index: usize,
    #[serde(flatten)]
    pub input: IndicatorInputDto,
    pub computed: Option<RowDto>,
}

/// List an evaluation's indicator rows with their scores.
#[utoipa::path(
    tag = "indicators",
    operation_id = "list_evaluation_indicators",
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "The rows in table order", body = [IndicatorRow], headers(("ETag" = String, description = "The evaluation's version"))),
        EvaluationNotFound,
    )
)]
#[get("/evaluations/{id}/indicators")]
pub async fn list_indicators(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (m, stored) = evaluations::resolve(&state.db, &principal, &id, Action::Read).await?;
    let computed = stored.computed()?;
    let rows: Vec<IndicatorRow> = stored
        .input
        .indicators
        .into_iter()
        .enumerate()
        .map(|(index, input)| IndicatorRow {
            index,
            input,
            computed: computed.rows.get(index).cloned(),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(m.version)))
        .json(rows))
}

/// Add an indicator row at the end (drafts and returned evaluations only).
#[utoipa::path(
    tag = "indicators",
    operation_id = "add_evaluation_indicator",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag of the evaluation"),
    ),
    request_body = IndicatorInputDto,
    responses(
        (status = 201, description = "Added: the evaluation's new version", body = Evaluation, headers(("Location" = String), ("ETag" = String))),
        EvaluationNotFound,
        (status = 409, description = "Read-only in its state", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[post("/evaluations/{id}/indicators")]
pub async fn add_indicator(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<IndicatorInputDto>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::require_if_match(&req)?;
    let (m, index) =
        evaluations::add_indicator(&state.db, &principal, &id, &if_match, body.0).await?;
    let mut res = answer(StatusCode::CREATED, &evaluations::to_dto(&principal, &m)?)?;
    if let Ok(v) =
        header::HeaderValue::from_str(&format!("/api/v1/evaluations/{}/indicators/{index}", m.id))
    {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Replace one indicator row.
#[utoipa::path(
    tag = "indicators",
    operation_id = "replace_evaluation_indicator",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("index" = usize, Path, description = "Row index, from 0"),
        ("If-Match" = String, Header, description = "ETag of the evaluation"),
    ),
    request_body = IndicatorInputDto,
    responses(
        (status = 200, description = "Changed: the evaluation's new version", body = Evaluation, headers(("ETag" = String))),
        (status = 404, description = "No such evaluation or row", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Read-only in its state", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[put("/evaluations/{id}/indicators/{index}")]
pub async fn replace_indicator(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, usize)>,
    body: JsonBody<IndicatorInputDto>,
) -> Result<HttpResponse, ApiError> {
    let (id, index) = path.into_inner();
    let if_match = http::require_if_match(&req)?;
    let m = evaluations::edit_indicator(&state.db, &principal, &id, &if_match, index, Some(body.0))
        .await?;
    answer(StatusCode::OK, &evaluations::to_dto(&principal, &m)?)
}

/// Remove one indicator row.
#[utoipa::path(
    tag = "indicators",
    operation_id = "remove_evaluation_indicator",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("index" = usize, Path, description = "Row index, from 0"),
        ("If-Match" = String, Header, description = "ETag of the evaluation"),
    ),
    responses(
        (status = 200, description = "Removed: the evaluation's new version", body = Evaluation, headers(("ETag" = String))),
        (status = 404, description = "No such evaluation or row", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Read-only in its state", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
    )
)]
#[delete("/evaluations/{id}/indicators/{index}")]
pub async fn remove_indicator(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, usize)>,
) -> Result<HttpResponse, ApiError> {
    let (id, index) = path.into_inner();
    let if_match = http::require_if_match(&req)?;
    let m = evaluations::edit_indicator(&state.db, &principal, &id, &if_match, index, None).await?;
    answer(StatusCode::OK, &evaluations::to_dto(&principal, &m)?)
}

/// Indicator result filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    pub year: Option<i32>,
    /// Region subtree.
    pub region: Option<String>,
    /// 一级指标, by its standard name (e.g. 产出指标; `产出指标（40分）` as written is found).
    pub level1: Option<String>,
    /// 二级指标, by its standard name (e.g. 数量指标).
    pub level2: Option<String>,
    /// 三级指标 name contains (e.g. PM2.5).
    pub q: Option<String>,
    /// Achieved (true) or not (false), by the server's scoring.
    pub achieved: Option<bool>,
    pub page_size: Option<u64>,
    pub page_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorResultPage {
    pub items: Vec<IndicatorResult>,
    pub next_page_token: Option<String>,
}

/// Indicator results across evaluations (viewers: submitted and approved ones only).
#[utoipa::path(
    tag = "indicators",
    operation_id = "list_indicator_results",
    params(IndicatorQuery),
    responses((status = 200, description = "A page of indicator rows", body = IndicatorResultPage))
)]
#[get("/indicator-results")]
pub async fn list_indicator_results(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<IndicatorQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = http::page_size(query.page_size, state.max_page_size)?;
    let after = http::decode_page_token("indicator-results", query.page_token.as_deref())?;
    let filters = IndicatorResultFilters {
        year: query.year,
        region: query.region,
        level1: query.level1,
        level2: query.level2,
        q: query.q,
        achieved: query.achieved,
    };
    let (items, next) =
        indicator_results::list(&state.db, &principal, &filters, after.as_deref(), limit).await?;
    let next_page_token = next.map(|key| http::encode_page_token("indicator-results", &key));
    Ok(HttpResponse::Ok().json(IndicatorResultPage {
        items,
        next_page_token,
    }))
}
