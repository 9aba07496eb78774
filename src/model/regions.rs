//! Regions (GB/T 2260 administrative divisions): as sent and as answered.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::region::RegionLevel;
use crate::model::body::RequestBody;
use crate::model::vocab::UnknownStored;
use crate::store::regions::Model;

/// Level of a region in the GB/T 2260 hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RegionLevel)]
pub enum Level {
    Province,
    City,
    County,
}

impl From<Level> for RegionLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Province => RegionLevel::Province,
            Level::City => RegionLevel::City,
            Level::County => RegionLevel::County,
        }
    }
}

impl From<RegionLevel> for Level {
    fn from(l: RegionLevel) -> Self {
        match l {
            // No stored region is national (RegionCode::parse refuses 000000).
            RegionLevel::National | RegionLevel::Province => Level::Province,
            RegionLevel::City => Level::City,
            RegionLevel::County => Level::County,
        }
    }
}

/// A region.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "430424", "name": "衡东县", "level": "county", "level_label_zh": "县级",
    "parent": "430400", "version": 1,
    "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z"
}))]
pub struct Region {
    /// Six-digit GB/T 2260 code.
    pub code: String,
    pub name: String,
    pub level: Level,
    /// 省级 / 地级 / 县级.
    pub level_label_zh: String,
    /// Code of the region directly above; absent for a province.
    pub parent: Option<String>,
    /// Increases with every change; the ETag is this number in quotes.
    pub version: i64,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<Model> for Region {
    type Error = UnknownStored;

    /// A stored level that is not a level is an internal error naming the region.
    fn try_from(m: Model) -> Result<Self, UnknownStored> {
        let level = RegionLevel::parse(&m.level).ok_or_else(|| {
            UnknownStored(anyhow::anyhow!(
                "region {}: the stored region level `{}` is not province, city or county",
                m.code,
                m.level
            ))
        })?;
        Ok(Region {
            code: m.code,
            name: m.name,
            level: level.into(),
            level_label_zh: level.label_zh().to_owned(),
            parent: m.parent_code,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// A new region. `level` and `parent` are implied by the code; when given they must agree.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "430424", "name": "衡东县", "level": "county", "parent": "430400"}))]
pub struct RegionCreate {
    pub code: String,
    pub name: String,
    pub level: Option<Level>,
    pub parent: Option<String>,
}

impl RequestBody for RegionCreate {
    const READ_ONLY: &'static [&'static str] = &[
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "level_label_zh",
    ];
}

/// The replacement of a region. The code is the path's; `level` and `parent` follow from it
/// and may be repeated but not changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "衡东县"}))]
pub struct RegionReplace {
    pub name: String,
    pub level: Option<Level>,
    pub parent: Option<String>,
}

impl RequestBody for RegionReplace {
    const READ_ONLY: &'static [&'static str] = &[
        "code",
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "level_label_zh",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(level: &str) -> Model {
        let at = chrono::DateTime::UNIX_EPOCH;
        Model {
            code: "430424".into(),
            name: "衡东县".into(),
            level: level.into(),
            parent_code: Some("430400".into()),
            version: 1,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    #[test]
    fn a_stored_level_reads_back() {
        let r = Region::try_from(stored("county")).unwrap();
        assert_eq!(r.level, Level::County);
        assert_eq!(r.level_label_zh, "县级");
    }

    #[test]
    fn an_unknown_stored_level_fails_with_its_context() {
        let e = Region::try_from(stored("township")).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("region 430424") && text.contains("`township`"),
            "{text}"
        );
    }
}
