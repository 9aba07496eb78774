//! Findings of the review engine as the API shows them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::review::{self, Policy, Severity};

/// `error` blocks submission; `warning` informs.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FindingSeverity {
    Error,
    Warning,
}

/// What a finding does, by the rule set's policy for its code: `block` (an error: submission
/// is refused), `review` (a warning the reviewer must decide on: the row's score is not
/// verified), `inform` (a warning that only tells).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FindingPolicy {
    /// 阻止提交
    Block,
    /// 提交复核
    Review,
    /// 仅提示
    Inform,
}

impl From<Policy> for FindingPolicy {
    fn from(p: Policy) -> Self {
        match p {
            Policy::Block => FindingPolicy::Block,
            Policy::Review => FindingPolicy::Review,
            Policy::Inform => FindingPolicy::Inform,
        }
    }
}

impl FindingPolicy {
    fn domain(self) -> Policy {
        match self {
            FindingPolicy::Block => Policy::Block,
            FindingPolicy::Review => Policy::Review,
            FindingPolicy::Inform => Policy::Inform,
        }
    }

    /// 阻止提交 / 提交复核 / 仅提示.
    pub fn label_zh(self) -> &'static str {
        self.domain().label_zh()
    }
}

/// One problem the engine found in the figures.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "code": "actual.invalid_date", "severity": "error", "severity_label_zh": "错误",
    "policy": "block", "policy_label_zh": "阻止提交",
    "pointer": "/indicators/9/actual",
    "message_en": "2024.1.1-204.12.31 is not a real date in the fiscal year 2024",
    "message_zh": "2024.1.1-204.12.31 不是 2024 年度内的真实日期",
    "numbers": {}
}))]
pub struct FindingDto {
    // Fields in the order of their names: a stored document keeps its keys sorted, as the
    // packing dictionary learned them (`stored_documents_keep_sorted_keys`).
    /// Stable code from the findings catalogue.
    pub code: String,
    pub message_en: String,
    pub message_zh: String,
    /// The numbers involved, as exact decimal strings.
    pub numbers: BTreeMap<String, String>,
    /// JSON Pointer to the field concerned.
    pub pointer: String,
    /// What the finding does under the rule set: `block`, `review` or `inform`. Findings
    /// stored before policies existed read as `block` for errors and `inform` for warnings.
    #[serde(default)]
    pub policy: Option<FindingPolicy>,
    /// 阻止提交 / 提交复核 / 仅提示.
    #[serde(default)]
    pub policy_label_zh: Option<String>,
    pub severity: FindingSeverity,
    pub severity_label_zh: String,
}

impl FindingDto {
    /// Converts a finding, rewriting the start of its pointer (`from` → `to`).
    pub fn from_domain(f: review::Finding, rewrite: &[(&str, &str)]) -> FindingDto {
        let mut pointer = f.pointer;
        if let Some((from, to)) = rewrite.iter().find(|(from, _)| pointer.starts_with(from)) {
            pointer = format!("{to}{}", &pointer[from.len()..]);
        }
        FindingDto {
            code: f.code,
            severity: match f.severity {
                Severity::Error => FindingSeverity::Error,
                Severity::Warning => FindingSeverity::Warning,
            },
            severity_label_zh: f.severity.label_zh().to_owned(),
            policy: Some(f.policy.into()),
            policy_label_zh: Some(f.policy.label_zh().to_owned()),
            pointer,
            message_en: f.message_en,
            message_zh: f.message_zh,
            numbers: f.numbers,
        }
    }
}

pub fn convert(findings: Vec<review::Finding>, rewrite: &[(&str, &str)]) -> Vec<FindingDto> {
    findings
        .into_iter()
        .map(|f| FindingDto::from_domain(f, rewrite))
        .collect()
}
