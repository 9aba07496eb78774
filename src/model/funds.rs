//! Fund allocations (资金): as sent and as answered, and their closed vocabularies.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::finance::{self, FundLevel, FundSet, FundSource};
use crate::domain::money;
use crate::model::amount::{Amount, Figure};
use crate::model::body::RequestBody;
use crate::model::findings::{FindingDto, convert};
use crate::model::vocab::UnknownStored;
use crate::store::funds::Model;

/// 资金来源.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = FundSource)]
pub enum Source {
    /// 一般公共预算财政拨款
    GeneralPublicBudget,
    /// 政府性基金
    GovernmentFund,
    /// 纳入专户管理的非税收入
    SpecialAccountNonTax,
    /// 国有资本经营预算
    StateCapital,
    /// 非同级财政拨款
    NonSameLevel,
    /// 上年结转
    CarryOver,
    /// 其他资金
    Other,
}

impl From<Source> for FundSource {
    fn from(s: Source) -> Self {
        match s {
            Source::GeneralPublicBudget => FundSource::GeneralPublicBudget,
            Source::GovernmentFund => FundSource::GovernmentFund,
            Source::SpecialAccountNonTax => FundSource::SpecialAccountNonTax,
            Source::StateCapital => FundSource::StateCapital,
            Source::NonSameLevel => FundSource::NonSameLevel,
            Source::CarryOver => FundSource::CarryOver,
            Source::Other => FundSource::Other,
        }
    }
}

impl From<FundSource> for Source {
    fn from(s: FundSource) -> Self {
        match s {
            FundSource::GeneralPublicBudget => Source::GeneralPublicBudget,
            FundSource::GovernmentFund => Source::GovernmentFund,
            FundSource::SpecialAccountNonTax => Source::SpecialAccountNonTax,
            FundSource::StateCapital => Source::StateCapital,
            FundSource::NonSameLevel => Source::NonSameLevel,
            FundSource::CarryOver => Source::CarryOver,
            FundSource::Other => Source::Other,
        }
    }
}

/// 资金级次.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = FundLevel)]
pub enum Level {
    /// 中央
    Central,
    /// 省级
    Provincial,
    /// 市本级
    City,
    /// 县级
    County,
}

impl From<Level> for FundLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Central => FundLevel::Central,
            Level::Provincial => FundLevel::Provincial,
            Level::City => FundLevel::City,
            Level::County => FundLevel::County,
        }
    }
}

impl From<FundLevel> for Level {
    fn from(l: FundLevel) -> Self {
        match l {
            FundLevel::Central => Level::Central,
            FundLevel::Provincial => Level::Provincial,
            FundLevel::City => Level::City,
            FundLevel::County => Level::County,
        }
    }
}

/// The text a value is stored as (its serde name).
pub fn wire<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A value read back from its stored text (its serde name); an unknown word is an internal
/// error naming `what` and where it was read, never a made-up value.
fn unwire<T: for<'de> Deserialize<'de>>(
    text: &str,
    what: &str,
    context: impl std::fmt::Display,
) -> Result<T, UnknownStored> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
        UnknownStored(anyhow::anyhow!(
            "{context}: the stored {what} `{text}` is not one of the contract's words"
        ))
    })
}

/// The stored source and level of a fund.
fn vocabulary_of(m: &Model) -> Result<(Option<Source>, Level), UnknownStored> {
    let context = || format!("fund {}", m.id);
    let source = m
        .source
        .as_deref()
        .map(|s| unwire::<Source>(s, "fund source", context()))
        .transpose()?;
    let level = unwire::<Level>(&m.level, "fund level", context())?;
    Ok((source, level))
}

/// A fund allocation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-0000-7000-8000-000000000010", "department_id": "0193a1b2-0000-7000-8000-000000000001",
    "region": "430424", "year": 2024, "project_id": "0193a1b2-0000-7000-8000-000000000020",
    "name": "污染源监控系统改造项目运营费用（续费）", "source": null, "source_label_zh": null,
    "level": "city", "level_label_zh": "市本级",
    "purpose": "主要用于污染源在线监控的24条光纤的运行及维护以及本项目发生的交通费用等开支",
    "initial": "38.2", "full_year": "38.2", "executed": "38.2", "execution_rate_percent": "100.00",
    "findings": [], "version": 1, "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z"
}))]
pub struct Fund {
    pub id: String,
    pub department_id: String,
    pub region: String,
    pub year: i32,
    pub project_id: Option<String>,
    pub name: String,
    pub source: Option<Source>,
    pub source_label_zh: Option<String>,
    pub level: Level,
    pub level_label_zh: String,
    pub purpose: Option<String>,
    /// 年初预算数 (万元).
    pub initial: Option<Amount>,
    /// 全年预算数 (万元).
    pub full_year: Option<Amount>,
    /// 全年执行数 (万元).
    pub executed: Option<Amount>,
    /// executed / full-year, computed by the server.
    pub execution_rate_percent: Option<Figure>,
    /// What the engine finds in this allocation alone (e.g. executed above budget).
    pub findings: Vec<FindingDto>,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

/// The domain view of a stored fund; a stored source or level that is not a word of the
/// vocabulary is an internal error.
pub fn to_domain(m: &Model, project_name: Option<String>) -> Result<finance::Fund, UnknownStored> {
    let (source, level) = vocabulary_of(m)?;
    Ok(finance::Fund {
        name: m.name.clone(),
        source: source.map(Into::into),
        level: level.into(),
        project: project_name,
        purpose: m.purpose.clone(),
        initial: m.initial.map(|d| d.0),
        full_year: m.full_year.map(|d| d.0),
        executed: m.executed.map(|d| d.0),
    })
}

/// `num / den` in percent with two decimals, as a decimal string (`"92.50"`): the one form of
/// every computed rate and share; `None` when either is missing, the denominator is zero or
/// the ratio leaves the decimal range.
pub fn rate(num: Option<Decimal>, den: Option<Decimal>) -> Option<Figure> {
    let mut percent = money::round2(money::percent_of(num?, den?)?);
    percent.rescale(2);
    Some(Figure(percent))
}

impl TryFrom<Model> for Fund {
    type Error = UnknownStored;

    fn try_from(m: Model) -> Result<Self, UnknownStored> {
        let domain = to_domain(&m, None)?;
        let findings = convert(
            finance::reconcile_funds(&FundSet {
                funds: vec![domain],
                declared: Vec::new(),
            }),
            &[("/funds/0", "")],
        );
        let (source, level) = vocabulary_of(&m)?;
        Ok(Fund {
            execution_rate_percent: rate(m.executed.map(|d| d.0), m.full_year.map(|d| d.0)),
            source_label_zh: source.map(|s| FundSource::from(s).label_zh().to_owned()),
            source,
            level_label_zh: FundLevel::from(level).label_zh().to_owned(),
            level,
            id: m.id,
            department_id: m.department_id,
            region: m.region_code,
            year: m.year,
            project_id: m.project_id,
            name: m.name,
            purpose: m.purpose,
            initial: m.initial.map(|d| Amount(d.0)),
            full_year: m.full_year.map(|d| Amount(d.0)),
            executed: m.executed.map(|d| Amount(d.0)),
            findings,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// A new fund allocation, or the full replacement of one.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "department": "901001", "year": 2024, "project": null,
    "name": "排污权有偿使用收入", "source": "special_account_non_tax", "level": "city",
    "purpose": "主要用于环保能力建设所发生的差旅费、专用设备购置、委托业务费等",
    "initial": "67.78", "full_year": "67.78", "executed": "67.78"
}))]
pub struct FundInput {
    /// The department: id or budget code.
    pub department: String,
    pub year: i32,
    /// The project it finances (id), of the same department and year.
    #[serde(default)]
    pub project: Option<String>,
    pub name: String,
    #[serde(default)]
    pub source: Option<Source>,
    pub level: Level,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub initial: Option<Amount>,
    #[serde(default)]
    pub full_year: Option<Amount>,
    #[serde(default)]
    pub executed: Option<Amount>,
}

impl RequestBody for FundInput {
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "region",
        "execution_rate_percent",
        "findings",
        "source_label_zh",
        "level_label_zh",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(source: Option<&str>, level: &str) -> Model {
        let at = chrono::DateTime::UNIX_EPOCH;
        Model {
            id: "f1".into(),
            department_id: "d1".into(),
            region_code: "430424".into(),
            year: 2024,
            project_id: None,
            name: "资金".into(),
            source: source.map(str::to_owned),
            level: level.into(),
            purpose: None,
            initial: None,
            full_year: None,
            executed: None,
            version: 1,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    #[test]
    fn known_words_read_back() {
        let fund = Fund::try_from(stored(Some("carry_over"), "city")).unwrap();
        assert_eq!(fund.level, Level::City);
        assert_eq!(fund.source, Some(Source::CarryOver));
        assert_eq!(fund.level_label_zh, "市本级");
    }

    #[test]
    fn an_unknown_stored_level_fails_with_its_context() {
        let e = Fund::try_from(stored(None, "township")).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("fund f1") && text.contains("fund level `township`"),
            "{text}"
        );
        assert!(to_domain(&stored(None, "township"), None).is_err());
    }

    #[test]
    fn an_unknown_stored_source_fails_with_its_context() {
        let e = Fund::try_from(stored(Some("lottery"), "county")).unwrap_err();
        assert!(e.to_string().contains("fund source `lottery`"), "{e}");
    }
}
