//! A batch of evaluations, and the answer to one: each item's outcome and the counts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::amount::Figure;
use crate::model::body::RequestBody;
use crate::model::evaluation_dto::{EvaluationInput, GradeDto};
use crate::model::findings::{FindingPolicy, FindingSeverity};
use crate::model::vocab::{EvaluationStatus, ItemOutcome};

/// One evaluation of a batch.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchItem {
    /// The client's own reference, echoed in the answer.
    #[serde(rename = "ref", default)]
    pub reference: Option<String>,
    pub evaluation: EvaluationInput,
}

/// A batch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// Check and score everything, write nothing (default false). May also be given as the
    /// query parameter; when both are given they must agree.
    #[serde(default)]
    #[schema(value_type = bool, default = false)]
    pub dry_run: Option<bool>,
    /// All or nothing (default true), or each item on its own. May also be given as the query
    /// parameter; when both are given they must agree.
    #[serde(default)]
    #[schema(value_type = bool, default = true)]
    pub atomic: Option<bool>,
    pub items: Vec<BatchItem>,
}

impl RequestBody for BatchRequest {}

/// What happened to one item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResult {
    pub index: usize,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub outcome: ItemOutcome,
    /// The evaluation written (or, in a dry run, the existing one a replace would change);
    /// null when nothing exists under it.
    pub id: Option<String>,
    /// Its status; null when `id` is.
    pub status: Option<EvaluationStatus>,
    /// The version written; null in a dry run and when nothing was written.
    pub version: Option<i64>,
    pub total: Option<Figure>,
    pub grade: Option<GradeDto>,
    /// Error findings of the evaluation (they do not fail the item; they block submission).
    pub error_findings: Option<i32>,
    /// Every finding of the evaluation (errors and warnings), in the caller's language, with
    /// pointers into the request: `/items/{index}/evaluation/…` for JSON,
    /// `/rows/{line}/{header as printed}` for CSV. Empty when the item failed.
    pub findings: Vec<ItemFinding>,
    /// Why the item failed: a problem document, its pointers at the item's place in the
    /// request (`/items/{index}/evaluation/…` for JSON, `/rows/{line}/{header as printed}` for
    /// CSV).
    pub problem: Option<serde_json::Value>,
}

/// One finding of an item's evaluation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemFinding {
    /// Stable code from the findings catalogue.
    pub code: String,
    pub severity: FindingSeverity,
    /// `block`, `review` or `inform` under the rule set.
    pub policy: Option<FindingPolicy>,
    /// Where in the request: `/items/{index}/evaluation/…` (JSON) or
    /// `/rows/{line}/{header as printed}` (CSV; the row alone when no column holds the field).
    pub pointer: String,
    /// The message, in the language of `Accept-Language`.
    pub message: String,
}

/// Counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchSummary {
    pub total: usize,
    pub created: usize,
    pub replaced: usize,
    pub failed: usize,
    pub dry_run: bool,
    pub atomic: bool,
    /// Whether anything was written.
    pub applied: bool,
}

/// The answer to a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub summary: BatchSummary,
    pub items: Vec<ItemResult>,
}
