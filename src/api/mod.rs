//! The HTTP API: DTOs, extractors and handlers, one file per resource. No SQL, no rules.

pub mod access;
pub mod amount;
pub mod department_years;
pub mod departments;
pub mod evaluation_actions;
pub mod evaluation_dto;
pub mod evaluations;
pub mod exports;
pub mod extract;
pub mod findings;
pub mod funds;
pub mod http;
pub mod indicators;
pub mod middleware;
pub mod ops;
pub mod projects;
pub mod regions;
pub mod routing;
pub mod rule_sets;
pub mod stats;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, Ref, RefOr, Response};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ErrorCode, Problem, ProblemField};
use crate::telemetry::Metrics;

/// What every handler can reach.
pub struct AppState {
    pub db: DatabaseConnection,
    pub metrics: Arc<Metrics>,
    pub max_body_bytes: usize,
    pub max_page_size: u64,
}

/// The API's routes, used by the server and by the OpenAPI document alike.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(ops::problems)
        .service(
            utoipa_actix_web::scope("/api/v1")
                .service(regions::list_regions)
                .service(regions::get_region)
                .service(regions::create_region)
                .service(regions::replace_region)
                .service(regions::delete_region)
                .service(departments::list_departments)
                .service(departments::get_department)
                .service(departments::create_department)
                .service(departments::replace_department)
                .service(departments::delete_department)
                .service(department_years::get_profile)
                .service(department_years::put_profile)
                .service(department_years::get_finance)
                .service(department_years::put_finance)
                .service(funds::list_funds)
                .service(funds::get_fund)
                .service(funds::create_fund)
                .service(funds::replace_fund)
                .service(funds::delete_fund)
                .service(projects::list_projects)
                .service(projects::get_project)
                .service(projects::create_project)
                .service(projects::replace_project)
                .service(projects::delete_project)
                .service(evaluations::list_evaluations)
                .service(evaluations::validate_evaluation)
                .service(evaluations::create_evaluation)
                .service(evaluations::get_evaluation)
                .service(evaluations::replace_evaluation)
                .service(evaluations::delete_evaluation)
                .service(evaluation_actions::submit)
                .service(evaluation_actions::withdraw)
                .service(evaluation_actions::return_)
                .service(evaluation_actions::approve)
                .service(evaluation_actions::get_history)
                .service(evaluation_actions::get_report)
                .service(indicators::list_indicators)
                .service(indicators::add_indicator)
                .service(indicators::replace_indicator)
                .service(indicators::remove_indicator)
                .service(indicators::list_indicator_results)
                .service(rule_sets::list_rule_sets)
                .service(rule_sets::get_rule_set)
                .service(rule_sets::create_rule_set)
                .service(stats::evaluation_stats)
                .service(stats::indicator_stats)
                .service(exports::export_evaluations_csv)
                .service(exports::export_evaluations_xlsx)
                .service(exports::export_indicator_results_csv)
                .service(exports::export_indicator_results_xlsx),
        );
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "jixiao",
        description = "Holds, validates and scores Chinese public-budget performance \
self-evaluations (预算绩效自评). Every error is an RFC 9457 problem document \
(`application/problem+json`) with a stable `code` (table: `GET /problems`); send \
`Accept-Language: zh-CN` for Chinese messages.\n\n\
Everything under `/api` needs `Authorization: Bearer <JWT>`.\n\n\
Limits (server settings; defaults shown): request bodies up to `max_body_bytes` (1 MiB; 413 above), \
`page_size` up to `max_page_size` (500; 400 above), and `rate_limit_per_minute` requests per \
client (1200 per minute with bursts of `rate_limit_burst` = 100; 429 with `Retry-After` above).",
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(Problem, ProblemField, ErrorCode)),
    tags(
        (name = "regions", description = "GB/T 2260 administrative divisions (行政区划)"),
        (name = "departments", description = "Budget units (部门 / 单位), their year profiles and finances"),
        (name = "funds", description = "Fund allocations (资金): source, level and the three amounts"),
        (name = "projects", description = "Projects (项目); the budget block is derived from their funds"),
        (name = "evaluations", description = "Self-evaluations (绩效自评): scored and reviewed on every write; submit, withdraw, return, approve"),
        (name = "indicators", description = "Indicator rows of an evaluation, and indicator results across evaluations"),
        (name = "rule-sets", description = "Versioned scoring parameters"),
        (name = "stats", description = "Aggregates of evaluations and indicator results, computed live in the caller's scope"),
        (name = "exports", description = "The evaluations list and the indicator results as CSV (streamed) and XLSX files, in the caller's scope"),
        (name = "operations", description = "Health, readiness, metrics and the error code table"),
    )
)]
struct BaseDoc;

/// The base document the routes are added to.
pub fn base_doc() -> utoipa::openapi::OpenApi {
    BaseDoc::openapi()
}

fn problem_response(description: &str) -> RefOr<Response> {
    let mut response = Response::new(description);
    response.content.insert(
        crate::error::PROBLEM_JSON.to_owned(),
        RefOr::T(Content::new(Some(RefOr::Ref(Ref::from_schema_name(
            "Problem",
        ))))),
    );
    RefOr::T(response)
}

/// Adds the error responses every operation can give, so the contract lists them all.
pub fn add_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops: [Option<&mut Operation>; 5] = [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            let responses = &mut op.responses.responses;
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem_response(description));
            };
            if path.starts_with("/api/") {
                add(
                    "400",
                    "Malformed request: bad query string, path segment, header or JSON syntax",
                );
                add(
                    "503",
                    "The database is not reachable; retry after `Retry-After` seconds",
                );
            }
            if op.request_body.is_some() {
                add("413", "The body is larger than the configured limit");
                add("415", "The body is not application/json");
                add(
                    "422",
                    "Invalid fields; `errors` lists each with a JSON Pointer",
                );
            }
            add(
                "500",
                "Unexpected failure; details are logged under the request id, never sent",
            );
        }
    }
}

/// Adds the bearer-token security scheme.
fn add_security_scheme(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "A JWT signed with HS256 (shared secret), RS256 or ES256 (public keys, selected by \
`kid`). Claims: `sub`, `role` (admin, reviewer, submitter, viewer), `region` (GB/T 2260 code: the \
caller sees that subtree), optional `departments`, and `exp`. Objects outside the caller's scope \
answer 404.",
                ))
                .build(),
        ),
    );
}

/// The complete OpenAPI document, generated from [`routes`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, mut doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(base_doc())
        .configure(routes)
        .split_for_parts();
    add_common_errors(&mut doc);
    add_security_scheme(&mut doc);
    doc
}
