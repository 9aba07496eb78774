//! The contract types of the comment thread on an evaluation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::body::RequestBody;
use crate::model::vocab::CommentRole;

/// A new comment: its text, and the indicator row it is on (none: the whole evaluation).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "污染投诉减少率请附投诉台账", "row": 3}))]
pub struct CommentInput {
    /// 1 to 2000 characters (trimmed).
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
    /// Index of the row in the evaluation's `indicators`.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 499)]
    pub row: Option<usize>,
}

impl RequestBody for CommentInput {
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "evaluation_id",
        "evaluation_version",
        "author",
        "role",
        "created_at",
    ];
}

/// A comment in an evaluation's thread.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-0000-7000-8000-0000000000c1",
    "evaluation_id": "0193a1b2-0000-7000-8000-000000000030",
    "evaluation_version": 5, "row": 3,
    "text": "污染投诉减少率请附投诉台账",
    "author": "reviewer@430400", "role": "reviewer", "role_label_zh": "复核",
    "created_at": "2026-11-29T08:00:00.000000Z"
}))]
pub struct Comment {
    pub id: String,
    pub evaluation_id: String,
    /// The version of the evaluation this comment made (the history entry `commented`).
    pub evaluation_version: i64,
    /// The indicator row it is on; null: the whole evaluation.
    pub row: Option<usize>,
    pub text: String,
    /// The token subject that wrote it.
    pub author: String,
    pub role: CommentRole,
    /// 填报单位 / 复核 / 管理员.
    pub role_label_zh: String,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
}

/// An evaluation's thread, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentPage {
    pub items: Vec<Comment>,
}
