//! The HTTP API: DTOs, extractors and handlers, one file per resource. No SQL, no rules.

pub mod answers;
pub mod batch;
pub mod batch_csv;
pub mod bounded_body;
pub mod caching;
pub mod catch_panic;
pub mod comments;
pub mod department_years;
pub mod departments;
pub mod evaluation_actions;
pub mod evaluation_views;
pub mod evaluations;
pub mod exports;
pub mod extract;
pub mod feed;
pub mod funds;
pub mod http;
pub mod idempotency;
pub mod indicators;
pub mod middleware;
pub mod ops;
pub mod pages;
pub mod projects;
pub mod read_cache;
pub mod regions;
pub mod review_queue;
pub mod review_xlsx;
pub mod reviews;
pub mod routing;
pub mod rule_set_defaults;
pub mod rule_sets;
pub mod state;
pub mod stats;
pub mod table_export;
pub mod table_import;
pub mod table_read;

use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, Ref, RefOr, Response};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ErrorCode, Problem, ProblemField};

/// The API's routes, used by the server and by the OpenAPI document alike.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(ops::problems)
        .service(ops::problem_code)
        .service(pages::open_report)
        .service(pages::open_overview)
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
                .service(batch::batch)
                .service(table_import::import_tables)
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
                .service(reviews::get_review)
                .service(reviews::put_review)
                .service(pages::create_report_link)
                .service(pages::create_overview_link)
                .service(comments::list_comments)
                .service(comments::get_comment)
                .service(comments::add_comment)
                .service(review_queue::list_review_queue)
                .service(review_queue::bulk_approve)
                .service(review_queue::bulk_return)
                .service(table_export::get_evaluation_table)
                .service(indicators::list_indicators)
                .service(indicators::add_indicator)
                .service(indicators::replace_indicator)
                .service(indicators::remove_indicator)
                .service(indicators::list_indicator_results)
                .service(rule_sets::list_rule_sets)
                .service(rule_sets::get_rule_set)
                .service(rule_sets::create_rule_set)
                .service(rule_set_defaults::list_rule_set_defaults)
                .service(rule_set_defaults::get_rule_set_default)
                .service(rule_set_defaults::put_rule_set_default)
                .service(rule_set_defaults::delete_rule_set_default)
                .service(feed::list_changes)
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
    servers((url = "/", description = "This service: every path is relative to the address it answers on")),
    components(schemas(Problem, ProblemField, ErrorCode, crate::model::vocab::EvaluationView)),
    tags(
        (name = "regions", description = "GB/T 2260 administrative divisions (行政区划)"),
        (name = "departments", description = "Budget units (部门 / 单位), their year profiles and finances"),
        (name = "funds", description = "Fund allocations (资金): source, level and the three amounts"),
        (name = "projects", description = "Projects (项目); the budget block is derived from their funds"),
        (name = "evaluations", description = "Self-evaluations (绩效自评): scored and reviewed on every write; submit, withdraw, return, approve"),
        (name = "reviews", description = "The finance bureau's review (复核): review scores, deduction reasons, approval in levels"),
        (name = "indicators", description = "Indicator rows of an evaluation, and indicator results across evaluations"),
        (name = "rule-sets", description = "Versioned scoring parameters"),
        (name = "changes", description = "The change feed the municipal platform syncs from"),
        (name = "stats", description = "Aggregates of evaluations and indicator results, computed live in the caller's scope"),
        (name = "exports", description = "The evaluations list and the indicator results as CSV (streamed) and XLSX files, in the caller's scope"),
        (name = "pages", description = "Pages a browser opens from a short-lived signed link: the printable report and the overview"),
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
        if path.starts_with("/api/")
            && let Some(get) = item.get.as_mut()
        {
            declare_content_etag(get);
        }
        let ops: [(bool, Option<&mut Operation>); 5] = [
            (false, item.get.as_mut()),
            (false, item.put.as_mut()),
            (true, item.post.as_mut()),
            (false, item.delete.as_mut()),
            (false, item.patch.as_mut()),
        ];
        for (is_post, op) in ops {
            let Some(op) = op else { continue };
            let add = |op: &mut Operation, status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem_response(description));
            };
            if !path.starts_with("/api/") {
                // Open operations: an empty requirement list says no token is needed.
                op.security = Some(Vec::new());
            }
            declare_headers(op);
            if path.starts_with("/api/") {
                add(
                    op,
                    "400",
                    "Malformed request: bad query string, path segment, header or JSON syntax",
                );
                add(
                    op,
                    "503",
                    "The database is not reachable; retry after `Retry-After` seconds",
                );
                add(op, "401", "No valid bearer token (see `WWW-Authenticate`)");
                add(
                    op,
                    "403",
                    "Your role may not do this, or the object would fall outside your scope",
                );
                add(
                    op,
                    "429",
                    "Too many requests from this client; retry after `Retry-After` seconds",
                );
                op.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
                    "bearer",
                    Vec::<String>::new(),
                )]);
                if is_post {
                    add_idempotency(op);
                }
            }
            if op.request_body.is_some() {
                add(op, "413", "The body is larger than the configured limit");
                add(op, "415", "The body is not application/json");
                add(
                    op,
                    "422",
                    "Invalid fields; `errors` lists each with a JSON Pointer",
                );
            }
            add(
                op,
                "500",
                "Unexpected failure; details are logged under the request id, never sent",
            );
            declare_retry_after(op);
        }
    }
}

/// A `GET` answered with JSON and no version tag of its own (a list, stats, the feed) carries
/// the content tag of [`caching`], and answers 304 to `If-None-Match` with it.
fn declare_content_etag(op: &mut Operation) {
    use utoipa::openapi::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") else {
        return;
    };
    if !ok.content.contains_key("application/json") || ok.headers.contains_key("ETag") {
        return;
    }
    ok.headers.insert(
        "ETag".to_owned(),
        RefOr::T(
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(
                    "A strong tag of this answer's content (for this caller): send it as \
                     If-None-Match to get 304 while the answer is unchanged",
                ))
                .build(),
        ),
    );
    op.responses
        .responses
        .entry("304".to_owned())
        .or_insert_with(|| RefOr::T(Response::new("Not modified: the answer is unchanged")));
}

/// A string header parameter.
fn header_param(name: &str, description: &str, required: bool) -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(if required {
            utoipa::openapi::Required::True
        } else {
            utoipa::openapi::Required::False
        })
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

/// Declares what the handlers read and send but do not annotate one by one: `If-None-Match`
/// where a 304 can come back, `Retry-After` on 429 and 503, and the bounds of `page_size`.
fn declare_headers(op: &mut Operation) {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let has_param = |op: &Operation, name: &str| {
        op.parameters.as_ref().is_some_and(|ps| {
            ps.iter()
                .any(|p| matches!(p, RefOr::T(p) if p.name == name))
        })
    };
    if op.responses.responses.contains_key("304") && !has_param(op, "If-None-Match") {
        op.parameters.get_or_insert_with(Vec::new).push(
            header_param(
                "If-None-Match",
                "The ETag of the version you hold: the answer is 304 with no body when it is \
                 still current",
                false,
            )
            .into(),
        );
    }
    if let Some(params) = op.parameters.as_mut() {
        for p in params.iter_mut().filter_map(|p| match p {
            RefOr::T(p) if p.name == "page_size" => Some(p),
            _ => None,
        }) {
            p.schema = Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int64,
                    )))
                    .minimum(Some(1))
                    .maximum(Some(500))
                    .default(Some(serde_json::json!(50)))
                    .into(),
            );
            p.description = Some(
                "Items per page, 1 to 500 (the server's `max_page_size`, 500 by default); 50 \
                 when not given"
                    .to_owned(),
            );
        }
    }
}

/// Adds `Retry-After` to the 429 and 503 answers, once all of them are in place.
fn declare_retry_after(op: &mut Operation) {
    use utoipa::openapi::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    for status in ["429", "503"] {
        if let Some(RefOr::T(response)) = op.responses.responses.get_mut(status) {
            response
                .headers
                .entry("Retry-After".to_owned())
                .or_insert_with(|| {
                    RefOr::T(
                        HeaderBuilder::new()
                            .schema(Some(
                                ObjectBuilder::new()
                                    .schema_type(Type::Integer)
                                    .minimum(Some(0)),
                            ))
                            .description(Some("Seconds to wait before retrying"))
                            .build(),
                    )
                });
        }
    }
}

/// Documents `Idempotency-Key` on a POST, and the answers it can give.
fn add_idempotency(op: &mut Operation) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    for (status, description) in [
        (
            "409",
            "Conflict; also: a request with this Idempotency-Key is still running",
        ),
        (
            "422",
            "Invalid fields; also: the Idempotency-Key was used for another request",
        ),
    ] {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem_response(description));
    }
    op.parameters.get_or_insert_with(Vec::new).push(
        ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(utoipa::openapi::Required::False)
            .description(Some(
                "Makes the POST safe to retry: the same key and body within 24 hours replay the \
                 first answer (marked `Idempotent-Replayed: true`).",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(255)),
            ))
            .build()
            .into(),
    );
}

/// Request bodies refuse unknown fields (`additionalProperties: false`), and some of them are
/// also flattened into responses (`allOf` with the server's fields). A schema that closes its
/// properties would reject those responses, so schemas used in an `allOf` stay open; the
/// server still refuses unknown fields in requests.
fn relax_flattened(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let mut flattened = Vec::new();
    for schema in components.schemas.values() {
        if let RefOr::T(Schema::AllOf(all)) = schema {
            for item in &all.items {
                if let RefOr::Ref(r) = item
                    && let Some(name) = r.ref_location.strip_prefix("#/components/schemas/")
                {
                    flattened.push(name.to_owned());
                }
            }
        }
    }
    for name in flattened {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
            object.additional_properties = None;
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
    relax_flattened(&mut doc);
    doc
}
