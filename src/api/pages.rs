//! Pages a browser opens: the printable report of an evaluation and the finance bureau's
//! overview, outside `/api` and opened by a short-lived signed link (`?link=`) that the API
//! issues to a caller with a bearer token (`POST …/report-link`, `POST /api/v1/overview-link`).
//! See [`crate::app::links`] for what a link is and why it is safe in a URL.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::answers::EvaluationNotFound;
use crate::api::state::AppState;
use crate::app::{overview, report_page};
use crate::domain::policy::Principal;
use crate::error::{ApiError, Problem};
use crate::model::links::PageLink;

/// A page opened by its link.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// The link token the API issued for this page.
    pub link: String,
}

/// The overview opened by its link.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// The link token the API issued for the overview.
    pub link: String,
    /// Only this year.
    pub year: Option<i32>,
}

/// Which overview a link opens.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverviewLinkQuery {
    /// Only this year.
    pub year: Option<i32>,
}

/// A page: HTML, never cached or stored, never sending its link on as a referrer, and running
/// nothing (no scripts; styles and SVG inline).
fn page(html: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ))
        .insert_header(("X-Robots-Tag", "noindex"))
        .body(html)
}

/// A link (valid for a few minutes, `link_ttl`) that opens the evaluation's printable report
/// in a browser as the caller, without a bearer header.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "create_evaluation_report_link",
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "The link", body = PageLink),
        EvaluationNotFound,
    )
)]
#[post("/evaluations/{id}/report-link")]
pub async fn create_report_link(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let link = report_page::link(&state.db, &state.links, &principal, &id).await?;
    Ok(HttpResponse::Ok().json(PageLink::from(link)))
}

/// A link (valid for a few minutes) that opens the overview of the caller's scope in a browser.
#[utoipa::path(
    tag = "stats",
    operation_id = "create_overview_link",
    params(OverviewLinkQuery),
    responses((status = 200, description = "The link", body = PageLink))
)]
#[post("/overview-link")]
pub async fn create_overview_link(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<OverviewLinkQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut link = state.links.issue(&principal, "/overview")?;
    if let Some(y) = query.year {
        link.url = format!("/overview?year={y}&{}", &link.url["/overview?".len()..]);
    }
    Ok(HttpResponse::Ok().json(PageLink::from(link)))
}

/// The printable report of an evaluation (as `GET /api/v1/evaluations/{id}/report`), opened
/// by its link.
#[utoipa::path(
    tag = "pages",
    operation_id = "open_report_page",
    params(("id" = String, Path, description = "Evaluation id"), LinkQuery),
    responses(
        (status = 200, description = "The report page", body = String, content_type = "text/html; charset=utf-8"),
        (status = 401, description = "Not a link to this page, or expired (`auth.invalid_link`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such evaluation in the scope of the link", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/{id}")]
pub async fn open_report(
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.links.open(&query.link, &report_page::page(&id))?;
    let html = report_page::html(&state.db, &principal, &id).await?;
    Ok(page(html))
}

/// The finance bureau's overview (绩效自评总览): counts and grades by county and year,
/// execution rates, the 三级指标 most often missed and achievement by 一级指标, as charts, in the
/// scope of the link's caller. HTML with inline SVG; no scripts, nothing external.
#[utoipa::path(
    tag = "pages",
    operation_id = "open_overview_page",
    params(OverviewQuery),
    responses(
        (status = 200, description = "The overview page", body = String, content_type = "text/html; charset=utf-8"),
        (status = 401, description = "Not a link to this page, or expired (`auth.invalid_link`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/overview")]
pub async fn open_overview(
    state: web::Data<AppState>,
    query: web::Query<OverviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = state.links.open(&query.link, "/overview")?;
    let o = overview::overview(&state.db, &principal, query.year).await?;
    Ok(page(crate::report::overview::render_html(&o)))
}
