//! Which rule set applies by default to a region, year and kind.

use sea_orm::ConnectionTrait;

use crate::domain::evaluation as ev;
use crate::domain::region::RegionCode;
use crate::domain::rule_defaults::{self, DefaultEntry, RuleSetRef};
use crate::error::ApiError;
use crate::store::rule_set_defaults as store;

/// The rule set an evaluation of `kind` and `year` in `region` gets when it names none.
pub async fn default_for(
    db: &impl ConnectionTrait,
    region: &RegionCode,
    year: i32,
    kind: ev::EvaluationKind,
) -> Result<RuleSetRef, ApiError> {
    let chain: Vec<String> = region
        .up_to_national()
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    let kind_text = match kind {
        ev::EvaluationKind::Department => "department",
        ev::EvaluationKind::Project => "project",
    };
    let entries: Vec<DefaultEntry> = store::of_regions(db, &chain, kind_text)
        .await?
        .into_iter()
        .map(|m| DefaultEntry {
            region: m.region_code,
            kind,
            year: (m.year != 0).then_some(m.year),
            rule_set: RuleSetRef {
                id: m.rule_set_id,
                version: m.rule_set_version.and_then(|v| u32::try_from(v).ok()),
            },
        })
        .collect();
    Ok(rule_defaults::resolve(&entries, region, year, kind).rule_set())
}
