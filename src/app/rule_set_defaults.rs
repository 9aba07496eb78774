//! Which rule set applies by default to a region, year and kind; reading, setting and
//! removing the defaults.

use sea_orm::ConnectionTrait;

use crate::app::precondition::{IfMatch, require_if_match_missing, stale};
use crate::app::write::year_error;
use crate::app::{access, rule_sets};
use crate::domain::evaluation as ev;
use crate::domain::policy::{Action, Kind, Principal, Scope};
use crate::domain::region::RegionCode;
use crate::domain::rule_defaults::{self, DefaultEntry, RuleSetRef};
use crate::domain::rules::RuleSet;
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::evaluation_dto::EvaluationKind;
use crate::model::rule_set_defaults::{DefaultRuleSetSpec, RuleSetDefault, RuleSetDefaultInput};
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

/// Where a default sits: a region (a scope code), a kind and a year (`None`: every year).
#[derive(Debug, Clone)]
pub struct Place {
    pub region: String,
    pub kind: EvaluationKind,
    pub year: Option<i32>,
}

pub fn not_found(region: &str, kind: EvaluationKind, year: Option<i32>) -> ApiError {
    let year = year.map_or_else(|| "every year".to_owned(), |y| y.to_string());
    ApiError::new(
        codes::RULE_SET_DEFAULT_NOT_FOUND,
        Text::new(
            format!(
                "No default rule set for {region}, {}, {year}",
                kind.as_str()
            ),
            format!("未设置 {region}、{}、{year} 的默认规则集", kind.as_str()),
        ),
    )
}

/// Checks the path and query: the region (a scope code), the year; 404 when the caller does
/// not see the region.
fn check_place(
    principal: &Principal,
    action: Action,
    place: &Place,
) -> Result<(RegionCode, i32), ApiError> {
    let (region, kind, year) = (place.region.as_str(), place.kind, place.year);
    let code = RegionCode::parse_scope(region).map_err(|_| not_found(region, kind, year))?;
    access::authorize(
        principal,
        Kind::RuleSet,
        action,
        &Scope {
            region,
            ..Scope::default()
        },
        || not_found(region, kind, year),
    )?;
    if let Some(y) = year
        && !crate::domain::validate::year_in_range(y)
    {
        let mut e = ApiError::new(
            codes::INVALID_QUERY,
            Text::new(
                format!("year must be between 2000 and 2100 (got {y})"),
                format!("year 必须在 2000 到 2100 之间（收到 {y}）"),
            ),
        );
        e.errors.push(FieldError::query(
            "year",
            "parameter.out_of_range",
            Text::new("2000..=2100", "2000..=2100"),
        ));
        return Err(e);
    }
    Ok((code, year.unwrap_or(0)))
}

/// The defaults the caller sees: those of its region, of the regions above it and of the
/// regions inside its scope, in region, kind and year order.
pub async fn list_visible(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> Result<Vec<RuleSetDefault>, ApiError> {
    store::live(db)
        .await?
        .into_iter()
        .filter(|m| principal.sees_regional(&m.region_code))
        .map(|m| Ok(RuleSetDefault::try_from(m)?))
        .collect()
}

/// The live default at a place the caller sees.
pub async fn get(
    db: &impl ConnectionTrait,
    principal: &Principal,
    place: &Place,
) -> Result<RuleSetDefault, ApiError> {
    let (_, year) = check_place(principal, Action::Read, place)?;
    let m = live_at(db, place, year).await?;
    Ok(RuleSetDefault::try_from(m)?)
}

async fn live_at(
    db: &impl ConnectionTrait,
    place: &Place,
    year: i32,
) -> Result<store::Model, ApiError> {
    store::get(db, &place.region, place.kind.as_str(), year)
        .await?
        .filter(|m| m.deleted_at.is_none())
        .ok_or_else(|| not_found(&place.region, place.kind, place.year))
}

/// Sets the default at a place (admin, inside its scope): creates it, or replaces it at the
/// version `if_match` names (required when it exists). `if_match` is the header as read: an
/// unreadable one fails where the precondition is checked. Answers the default and whether it
/// was created.
pub async fn put(
    db: &impl ConnectionTrait,
    principal: &Principal,
    place: &Place,
    body: &RuleSetDefaultInput,
    if_match: Result<Option<IfMatch>, ApiError>,
) -> Result<(RuleSetDefault, bool), ApiError> {
    let (code, year) = check_place(principal, Action::Update, place)?;
    access::require_region_in_scope(principal, &place.region, "/region")?;
    let mut errors = body_errors(place, body);
    let wanted = wanted_key(&body.rule_set);
    let rule_set = rule_set_of(db, principal, &wanted, (&code, &place.region), &mut errors).await?;
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let Some(rule_set) = rule_set else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "validated without rule set"
        )));
    };
    // `id` names the latest version when it is used; `id@n` (or {id, version}) that version.
    let pinned = wanted.contains('@')
        || matches!(&body.rule_set, DefaultRuleSetSpec::Ref(r) if r.version.is_some());
    let if_match = if_match?;
    let existing = store::get(db, &place.region, place.kind.as_str(), year).await?;
    let live = existing.as_ref().filter(|m| m.deleted_at.is_none());
    match (live, &if_match) {
        (Some(_), None) => return Err(require_if_match_missing()),
        (Some(m), Some(tags)) if !tags.matches(m.version) => return Err(stale(m.version)),
        (None, Some(_)) => return Err(stale(existing.as_ref().map_or(0, |m| m.version))),
        _ => {}
    }
    let row = store::Model {
        region_code: place.region.clone(),
        kind: place.kind.as_str().to_owned(),
        year,
        rule_set_id: rule_set.id.clone(),
        rule_set_version: if pinned {
            Some(i32::try_from(rule_set.version).map_err(ApiError::internal)?)
        } else {
            None
        },
        version: existing.as_ref().map_or(1, |m| m.version + 1),
        updated_by: principal.subject.clone(),
        updated_at: crate::clock::now(),
        deleted_at: None,
    };
    let created = live.is_none();
    write(db, place, row.clone(), existing.as_ref()).await?;
    Ok((RuleSetDefault::try_from(row)?, created))
}

/// Region, kind and year in the body must agree with the path and query.
fn body_errors(place: &Place, body: &RuleSetDefaultInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if body.region.as_deref().is_some_and(|r| r != place.region) {
        errors.push(FieldError::body(
            "/region",
            "rule_set_default.path_mismatch",
            Text::new("differs from the path", "与路径不一致"),
        ));
    }
    if body.kind.is_some_and(|k| k != place.kind) {
        errors.push(FieldError::body(
            "/kind",
            "rule_set_default.path_mismatch",
            Text::new("differs from the path", "与路径不一致"),
        ));
    }
    if body.year.is_some() && body.year != place.year {
        errors.push(FieldError::body(
            "/year",
            "rule_set_default.path_mismatch",
            Text::new(
                "differs from the `year` query parameter",
                "与查询参数 `year` 不一致",
            ),
        ));
    }
    if let Some(y) = body.year {
        errors.extend(year_error(y, "/year"));
    }
    errors
}

/// The rule set as the body names it: `id`, `id@version` or `{id, version}`.
fn wanted_key(spec: &DefaultRuleSetSpec) -> String {
    match spec {
        DefaultRuleSetSpec::Name(name) => name.trim().to_owned(),
        DefaultRuleSetSpec::Ref(r) => RuleSetRef {
            id: r.id.clone(),
            version: r.version,
        }
        .key(),
    }
}

/// The rule set named, when the caller sees it and it applies to the region (else a field
/// error).
async fn rule_set_of(
    db: &impl ConnectionTrait,
    principal: &Principal,
    wanted: &str,
    (code, region): (&RegionCode, &str),
    errors: &mut Vec<FieldError>,
) -> Result<Option<RuleSet>, ApiError> {
    let rule_set = rule_sets::find(db, wanted)
        .await?
        .filter(|r| principal.sees_regional(&r.region));
    match &rule_set {
        None => errors.push(FieldError::body(
            "/rule_set",
            "rule_set_default.unknown_rule_set",
            Text::new(
                format!("No rule set `{wanted}`"),
                format!("不存在规则集 `{wanted}`"),
            ),
        )),
        Some(r) if !r.applies_to(code) => errors.push(FieldError::body(
            "/rule_set",
            "rule_set_default.rule_set_out_of_region",
            Text::new(
                format!(
                    "Rule set `{}` belongs to region {} and does not apply to {region}",
                    r.id, r.region
                ),
                format!(
                    "规则集 `{}` 属于行政区划 {}，不适用于 {region}",
                    r.id, r.region
                ),
            ),
        )),
        Some(_) => {}
    }
    Ok(rule_set)
}

/// Writes the row over the one there (412 when it changed meanwhile) or as a new one (412
/// when another request created it first).
async fn write(
    db: &impl ConnectionTrait,
    place: &Place,
    row: store::Model,
    existing: Option<&store::Model>,
) -> Result<(), ApiError> {
    match existing {
        Some(m) => {
            if !store::replace(db, row, m.version).await? {
                let current = store::get(db, &place.region, place.kind.as_str(), row_year(place))
                    .await?
                    .map_or(m.version, |c| c.version);
                return Err(stale(current));
            }
        }
        None => {
            if let Err(e) = store::insert(db, row).await {
                if crate::store::is_unique_violation(&e) {
                    return Err(stale(1));
                }
                return Err(e.into());
            }
        }
    }
    Ok(())
}

/// The stored year of a place: 0 for every year.
fn row_year(place: &Place) -> i32 {
    place.year.unwrap_or(0)
}

/// Removes the default at a place (admin, inside its scope), at the version `if_match` names
/// when given (the header as read, as for [`put`]).
pub async fn delete(
    db: &impl ConnectionTrait,
    principal: &Principal,
    place: &Place,
    if_match: Result<Option<IfMatch>, ApiError>,
) -> Result<(), ApiError> {
    let (_, year) = check_place(principal, Action::Delete, place)?;
    access::require_region_in_scope(principal, &place.region, "/region")?;
    let if_match = if_match?;
    let m = live_at(db, place, year).await?;
    if if_match.as_ref().is_some_and(|t| !t.matches(m.version)) {
        return Err(stale(m.version));
    }
    let previous = m.version;
    let gone = store::Model {
        version: previous + 1,
        updated_by: principal.subject.clone(),
        updated_at: crate::clock::now(),
        deleted_at: Some(crate::clock::now()),
        ..m
    };
    if !store::replace(db, gone, previous).await? {
        return Err(stale(previous + 1));
    }
    Ok(())
}
