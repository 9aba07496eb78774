//! Departments (预算单位): as sent and as answered.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::body::RequestBody;
use crate::model::vocab::{UnknownStored, Vocabulary};
use crate::store::departments::Model;

/// What kind of budget unit a department is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 行政单位
    Administrative,
    /// 事业单位
    PublicInstitution,
    /// 其他
    Other,
}

impl DepartmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrative => "administrative",
            Self::PublicInstitution => "public_institution",
            Self::Other => "other",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Self::Administrative => "行政单位",
            Self::PublicInstitution => "事业单位",
            Self::Other => "其他",
        }
    }
}

impl Vocabulary for DepartmentKind {
    const WHAT: &'static str = "department kind";
    const ALL: &'static [Self] = &[Self::Administrative, Self::PublicInstitution, Self::Other];

    fn as_str(self) -> &'static str {
        DepartmentKind::as_str(self)
    }
}

/// A department.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-0000-7000-8000-000000000001", "budget_code": "901001",
    "name": "衡阳市生态环境局衡东分局", "region": "430424",
    "parent_id": "0193a1b2-0000-7000-8000-000000000000", "kind": "administrative",
    "kind_label_zh": "行政单位",
    "responsibilities": ["全面贯彻落实各级政府关于生态环境保护决策部署和批示精神……"],
    "internal_bodies": ["办公室", "综合股"], "subordinate_units": ["衡东生态环境监测站"],
    "version": 1, "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z"
}))]
pub struct Department {
    pub id: String,
    /// 预算单位编码. Unique among live departments across the whole service, so that it
    /// names one department for every caller, at every level.
    pub budget_code: String,
    pub name: String,
    /// GB/T 2260 code of the region the department belongs to.
    pub region: String,
    /// The competent department (主管部门).
    pub parent_id: Option<String>,
    pub kind: DepartmentKind,
    pub kind_label_zh: String,
    /// 单位主要职责.
    pub responsibilities: Vec<String>,
    /// 内设机构.
    pub internal_bodies: Vec<String>,
    /// 下设机构.
    pub subordinate_units: Vec<String>,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

fn list_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

impl TryFrom<Model> for Department {
    type Error = UnknownStored;

    /// A stored kind that is not a word of the vocabulary is an internal error.
    fn try_from(m: Model) -> Result<Self, UnknownStored> {
        let kind = DepartmentKind::from_stored(&m.kind, format_args!("department {}", m.id))?;
        Ok(Department {
            responsibilities: list_of(&m.responsibilities),
            internal_bodies: list_of(&m.internal_bodies),
            subordinate_units: list_of(&m.subordinate_units),
            id: m.id,
            budget_code: m.budget_code,
            name: m.name,
            region: m.region_code,
            parent_id: m.parent_id,
            kind,
            kind_label_zh: kind.label_zh().to_owned(),
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// A new department, or the full replacement of one. The region cannot change.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "budget_code": "901001", "name": "衡阳市生态环境局衡东分局", "region": "430424",
    "parent": "901000", "kind": "administrative",
    "responsibilities": ["负责生态环境监测工作。"], "internal_bodies": ["办公室"],
    "subordinate_units": ["衡东生态环境监测站"]
}))]
pub struct DepartmentInput {
    /// 预算单位编码: letters, digits, `-`, `_` and `.`, at most 64. Unique among live
    /// departments across the whole service (409 `department.budget_code_taken` otherwise);
    /// a deleted department's code may be used again.
    pub budget_code: String,
    pub name: String,
    pub region: String,
    /// The competent department: its id or budget code (in the same region or above it).
    #[serde(default)]
    pub parent: Option<String>,
    pub kind: DepartmentKind,
    #[serde(default)]
    pub responsibilities: Vec<String>,
    #[serde(default)]
    pub internal_bodies: Vec<String>,
    #[serde(default)]
    pub subordinate_units: Vec<String>,
}

impl RequestBody for DepartmentInput {
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "kind_label_zh",
        "parent_id",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(kind: &str) -> Model {
        let at = chrono::DateTime::UNIX_EPOCH;
        Model {
            id: "d1".into(),
            budget_code: "901001".into(),
            name: "单位".into(),
            region_code: "430424".into(),
            parent_id: None,
            kind: kind.into(),
            responsibilities: "[]".into(),
            internal_bodies: "[]".into(),
            subordinate_units: "[]".into(),
            version: 1,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    #[test]
    fn every_kind_reads_back() {
        for kind in DepartmentKind::ALL {
            let d = Department::try_from(stored(kind.as_str())).unwrap();
            assert_eq!(d.kind, *kind);
        }
    }

    #[test]
    fn an_unknown_stored_kind_fails_with_its_context() {
        let e = Department::try_from(stored("ministry")).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("department d1") && text.contains("`ministry`"),
            "{text}"
        );
    }
}
