//! Default rule sets (per region, kind and year) as sent and as answered.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::body::RequestBody;
use crate::model::evaluation_dto::EvaluationKind;
use crate::model::vocab::{UnknownStored, Vocabulary};
use crate::store::rule_set_defaults::Model;

/// A rule set as a default names it: `{id}` for its latest version at the time it is used,
/// `{id, version}` for one version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultRuleSetRef {
    pub id: String,
    /// Absent or null: the latest version when an evaluation is scored.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: Option<u32>,
}

/// The rule set of a default as a request names it: `"id"`, `"id@version"` or
/// `{id, version}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum DefaultRuleSetSpec {
    /// `hubei-2024-project` or `hubei-2024-project@2`.
    Name(String),
    Ref(DefaultRuleSetRef),
}

/// The body of `PUT`: the rule set. `region`, `kind` and `year` may be sent back as `GET`
/// answers them; they must then agree with the path and query.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rule_set": {"id": "hengyang-2024-project", "version": 1}}))]
pub struct RuleSetDefaultInput {
    pub rule_set: DefaultRuleSetSpec,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub kind: Option<EvaluationKind>,
    #[serde(default)]
    pub year: Option<i32>,
}

impl RequestBody for RuleSetDefaultInput {
    const READ_ONLY: &'static [&'static str] = &["version", "updated_by", "updated_at"];
}

/// A default: the rule set an evaluation of `kind` and `year` (null: every year) in `region`'s
/// subtree gets when it names none, unless a region nearer to it has one.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "region": "430400", "kind": "project", "year": null,
    "rule_set": {"id": "hengyang-2024-project", "version": 1},
    "version": 1, "updated_by": "admin@430000", "updated_at": "2026-12-01T00:00:00Z"
}))]
pub struct RuleSetDefault {
    /// GB/T 2260 code, `000000` for national.
    pub region: String,
    pub kind: EvaluationKind,
    /// The fiscal year; null for every year (a year's default wins over it in one region).
    pub year: Option<i32>,
    pub rule_set: DefaultRuleSetRef,
    /// Increases with every change; the ETag is this number in quotes.
    pub version: i64,
    pub updated_by: String,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<Model> for RuleSetDefault {
    type Error = UnknownStored;

    /// A stored kind that is not a kind is an internal error naming the default.
    fn try_from(m: Model) -> Result<Self, UnknownStored> {
        let context = format!("rule set default {} {} {}", m.region_code, m.kind, m.year);
        let kind = EvaluationKind::from_stored(&m.kind, &context)?;
        Ok(RuleSetDefault {
            kind,
            year: (m.year != 0).then_some(m.year),
            rule_set: DefaultRuleSetRef {
                id: m.rule_set_id,
                version: m.rule_set_version.and_then(|v| u32::try_from(v).ok()),
            },
            region: m.region_code,
            version: m.version,
            updated_by: m.updated_by,
            updated_at: m.updated_at,
        })
    }
}
