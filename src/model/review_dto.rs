//! The contract types of the finance bureau's review (复核) of an evaluation.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::amount::Figure;
use crate::model::body::RequestBody;
use crate::model::evaluation_dto::{BasisDto, EvaluationKind, GradeDto};
use crate::model::findings::FindingDto;
use crate::model::vocab::EvaluationStatus;

/// A review score with its deduction reason (扣分原因; required when the score is below the
/// claim).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoredInput {
    /// 0 ≤ score ≤ the line's weight, at most 2 decimals.
    #[schema(example = "8")]
    pub score: Figure,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// The review score of one indicator row.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RowReviewInput {
    /// Index of the row in the evaluation's `indicators`.
    #[schema(minimum = 0, maximum = 499)]
    pub index: usize,
    #[schema(example = "15")]
    pub score: Figure,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// A reviewer's review: what `PUT` takes and `GET` answers in `review`. Rows not listed keep
/// the engine's computed score.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "opinion": "预算执行及产出基本达标，部分指标佐证不足",
    "execution": {"score": "9", "reason": "年末突击支出，执行进度不均衡"},
    "rows": [{"index": 3, "score": "6", "reason": "污染投诉减少率无统计佐证"}]
}))]
pub struct ReviewInput {
    /// The overall opinion (复核意见).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 10000)]
    pub opinion: Option<String>,
    /// The review score of budget execution (预算执行率).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ScoredInput>,
    #[serde(default)]
    #[schema(max_items = 500)]
    pub rows: Vec<RowReviewInput>,
}

impl RequestBody for ReviewInput {}

/// `claimed` (the unit's own total), `computed` (the engine's) or `reviewed` (the finance
/// bureau's): what a final total rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TotalBasis {
    Claimed,
    Computed,
    Reviewed,
}

/// One scored line beside its review: the weight, the unit's claim, the engine's score and
/// what it rests on, the review score, the deduction from the claim and its reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewLine {
    /// Row index (absent for budget execution).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// 一级 / 二级 / 三级指标 (budget execution: 预算执行率).
    pub name: String,
    pub weight: Option<Figure>,
    pub claimed: Option<Figure>,
    pub computed: Option<Figure>,
    /// What the computed score rests on (budget execution: `measured`).
    pub basis: BasisDto,
    pub review_score: Option<Figure>,
    pub deduction: Option<Figure>,
    pub reason: Option<String>,
}

/// Where the approval stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovalState {
    /// How many levels approve (the rule set's `approval_levels`).
    pub levels_required: u8,
    /// How many have approved.
    pub approved_level: u8,
    /// The level that acts next while submitted (null otherwise).
    pub next_level: Option<u8>,
}

/// The review of an evaluation: the engine's work and the findings beside the reviewer's
/// scores. `ETag` is the evaluation's version; `PUT` needs it in `If-Match`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewView {
    pub evaluation_id: String,
    pub evaluation_version: i64,
    pub status: EvaluationStatus,
    pub approval: ApprovalState,
    /// The review as saved (empty before the first save).
    pub review: ReviewInput,
    pub execution: ReviewLine,
    pub rows: Vec<ReviewLine>,
    /// Findings on rows whose score rests on the unit's claim (basis `claimed`): what the
    /// reviewer settles first.
    pub to_settle: Vec<FindingDto>,
    /// Every other finding.
    pub other_findings: Vec<FindingDto>,
    pub claimed_total: Option<Figure>,
    pub computed_total: Figure,
    pub reviewed_total: Option<Figure>,
    /// The reviewed total where a review with scores exists, else the computed one.
    pub final_total: Figure,
    pub final_grade: GradeDto,
    pub final_basis: TotalBasis,
    pub reviewed_by: Option<String>,
    /// When the review was last saved, RFC 3339 UTC.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reviewed_at: Option<String>,
}

/// One evaluation waiting for the caller's approval level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueItem {
    pub id: String,
    /// `/api/v1/evaluations/{id}`.
    pub href: String,
    pub kind: EvaluationKind,
    pub year: i32,
    pub department_id: String,
    pub department_name: String,
    pub region: String,
    pub version: i64,
    /// When the evaluation last changed (submitted, reviewed or approved at a lower level).
    pub waiting_since: String,
    pub levels_required: u8,
    pub approved_level: u8,
    pub next_level: u8,
    pub computed_total: String,
    pub reviewed_total: Option<String>,
}

/// A page of the reviewers' queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    pub next_page_token: Option<String>,
}

/// One evaluation of a bulk approval or return.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkItem {
    pub id: String,
    /// The evaluation's ETag as read (`"5"`), as `If-Match` would carry it.
    #[schema(example = "\"5\"")]
    pub if_match: String,
}

/// Up to 100 evaluations to approve or return, each with its ETag.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkInput {
    #[schema(max_items = 100)]
    pub items: Vec<BulkItem>,
    /// The reason of a return (required there; refused on an approval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RequestBody for BulkInput {}

/// What happened to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    /// The caller's level approved; more levels follow.
    LevelApproved,
    /// The last level approved: the evaluation is approved.
    Approved,
    Returned,
    Failed,
}

/// One item's outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkResult {
    pub index: usize,
    pub id: String,
    pub outcome: BulkOutcome,
    /// The evaluation's status and version after a success.
    pub status: Option<EvaluationStatus>,
    pub version: Option<i64>,
    /// Why it failed (a problem document).
    pub problem: Option<serde_json::Value>,
}

/// The outcome of every item (200 when all succeeded, 207 otherwise).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkAnswer {
    pub items: Vec<BulkResult>,
}
