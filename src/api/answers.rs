//! The answers many operations document alike, written once for the OpenAPI document:
//! conditional requests (304, 412, 428) and each resource's 404 (outside the caller's scope is
//! 404 too). A handler names them in `responses(…)` next to its own.

use utoipa::IntoResponses;

use crate::error::Problem;

/// `If-None-Match` named the current version.
#[derive(IntoResponses)]
#[response(status = 304, description = "Not modified")]
pub struct NotModified;

/// A replace that needs the current version in `If-Match`.
#[derive(IntoResponses)]
pub enum IfMatchRequired {
    #[response(
        status = 412,
        description = "Stale If-Match",
        content_type = "application/problem+json"
    )]
    Stale(Problem),
    #[response(
        status = 428,
        description = "If-Match missing",
        content_type = "application/problem+json"
    )]
    Missing(Problem),
}

/// A write with an optional `If-Match` that named another version.
#[derive(IntoResponses)]
#[response(
    status = 412,
    description = "Stale If-Match",
    content_type = "application/problem+json"
)]
pub struct StaleIfMatch(pub Problem);

/// Declares a 404 answer of one resource (`No such … in your scope`).
macro_rules! not_found {
    ($name:ident, $description:literal) => {
        #[doc = $description]
        #[derive(IntoResponses)]
        #[response(
                                                    status = 404,
                                                    description = $description,
                                                    content_type = "application/problem+json"
                                                )]
        pub struct $name(pub Problem);
    };
}

not_found!(EvaluationNotFound, "No such evaluation in your scope");
not_found!(DepartmentNotFound, "No such department in your scope");
not_found!(ProjectNotFound, "No such project in your scope");
not_found!(FundNotFound, "No such fund in your scope");
not_found!(RegionNotFound, "No live region has this code");
