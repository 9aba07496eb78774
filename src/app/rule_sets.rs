//! Reading rule sets: the built-in ones and those added.

use sea_orm::ConnectionTrait;

use crate::domain::region::RegionCode;
use crate::domain::rules::{self, RuleSet};
use crate::error::ApiError;
use crate::store::rule_sets as store;

/// Every rule set: built-in ones, then those added, in id and version order.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<(RuleSet, bool)>, ApiError> {
    let mut out: Vec<(RuleSet, bool)> = rules::builtin_rule_sets()
        .into_iter()
        .map(|r| (r, true))
        .collect();
    for row in store::all(db).await? {
        let r: RuleSet = serde_json::from_str(&row.document).map_err(ApiError::internal)?;
        out.push((r, false));
    }
    out.sort_by(|a, b| (a.0.id.as_str(), a.0.version).cmp(&(b.0.id.as_str(), b.0.version)));
    Ok(out)
}

/// Splits `id` or `id@version`; `None` when the version is not a number.
fn split_key(wanted: &str) -> Option<(&str, Option<u32>)> {
    match wanted.split_once('@') {
        Some((id, v)) => v.parse::<u32>().ok().map(|v| (id, Some(v))),
        None => Some((wanted, None)),
    }
}

/// A rule set by `id` (latest version) or `id@version`, wherever it belongs (for reading back
/// what an evaluation was scored with).
pub async fn find(db: &impl ConnectionTrait, wanted: &str) -> Result<Option<RuleSet>, ApiError> {
    let Some((id, version)) = split_key(wanted) else {
        return Ok(None);
    };
    Ok(all(db)
        .await?
        .into_iter()
        .map(|(r, _)| r)
        .filter(|r| r.id == id && version.is_none_or(|v| r.version == v))
        .max_by_key(|r| r.version))
}

/// The ids of the rule sets that apply to a region.
pub async fn ids_applying_to(
    db: &impl ConnectionTrait,
    region: &RegionCode,
) -> Result<Vec<String>, ApiError> {
    let mut ids: Vec<String> = all(db)
        .await?
        .into_iter()
        .filter(|(r, _)| r.applies_to(region))
        .map(|(r, _)| r.id)
        .collect();
    ids.dedup();
    Ok(ids)
}
