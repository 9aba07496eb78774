//! Rule sets: the built-in ones and those added; reading them in the caller's view, and
//! adding a version.

use sea_orm::ConnectionTrait;

use crate::app::access;
use crate::domain::policy::{Action, Kind, Principal};
use crate::domain::region::RegionCode;
use crate::domain::review;
use crate::domain::rules::{self, RuleSet, WeightSource};
use crate::domain::validate;
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::rule_sets::{
    CodePolicyDto, MAX_POLICIES, MAX_WORDING_CHARS, MAX_WORDINGS, RuleSetDto, RuleSetEntry,
    WordingDto, from_dto, to_dto,
};
use crate::store::rule_sets as store;

/// Every rule set: built-in ones, then those added, in id and version order.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<(RuleSet, bool)>, ApiError> {
    let mut out: Vec<(RuleSet, bool)> = rules::builtins()
        .iter()
        .map(|r| (r.clone(), true))
        .collect();
    for row in store::all(db).await? {
        out.push((parse(&row)?, false));
    }
    out.sort_by(|a, b| (a.0.id.as_str(), a.0.version).cmp(&(b.0.id.as_str(), b.0.version)));
    Ok(out)
}

fn parse(row: &store::Model) -> Result<RuleSet, ApiError> {
    serde_json::from_str(&row.document).map_err(ApiError::internal)
}

/// Splits `id` or `id@version`; `None` when the version is not a number.
fn split_key(wanted: &str) -> Option<(&str, Option<u32>)> {
    match wanted.split_once('@') {
        Some((id, v)) => v.parse::<u32>().ok().map(|v| (id, Some(v))),
        None => Some((wanted, None)),
    }
}

/// A rule set by `id` (latest version) or `id@version`, wherever it belongs (for reading back
/// what an evaluation was scored with). Reads only the added versions of that id.
pub async fn find(db: &impl ConnectionTrait, wanted: &str) -> Result<Option<RuleSet>, ApiError> {
    let Some((id, version)) = split_key(wanted) else {
        return Ok(None);
    };
    let builtin: Vec<RuleSet> = rules::builtins()
        .iter()
        .filter(|r| r.id == id && version.is_none_or(|v| r.version == v))
        .cloned()
        .collect();
    // A built-in version is never stored again ([`create`] refuses a version that exists):
    // asked for by its version, it is the answer without a query.
    if version.is_some()
        && let Some(r) = builtin.first()
    {
        return Ok(Some(r.clone()));
    }
    let stored_version = match version.map(i32::try_from) {
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => return Ok(builtin.into_iter().max_by_key(|r| r.version)),
        None => None,
    };
    let mut found = builtin;
    if let Some(row) = store::of_id(db, id, stored_version).await? {
        found.push(parse(&row)?);
    }
    Ok(found.into_iter().max_by_key(|r| r.version))
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

/// A rule set by `id` or `id@version` that the caller sees (404 otherwise).
pub async fn find_visible(
    db: &impl ConnectionTrait,
    principal: &Principal,
    wanted: &str,
) -> Result<RuleSet, ApiError> {
    find(db, wanted)
        .await?
        .filter(|r| principal.sees_regional(&r.region))
        .ok_or_else(|| not_found(wanted))
}

pub fn not_found(id: &str) -> ApiError {
    ApiError::new(
        codes::RULE_SET_NOT_FOUND,
        Text::new(
            format!("No rule set `{id}`"),
            format!("不存在规则集 `{id}`"),
        ),
    )
}

/// Every version of the rule sets the caller sees: those of its region and of the regions
/// above it, and those inside its scope.
pub async fn list_visible(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> Result<Vec<RuleSetEntry>, ApiError> {
    all(db)
        .await?
        .iter()
        .filter(|(r, _)| principal.sees_regional(&r.region))
        .map(|(r, builtin)| {
            Ok(RuleSetEntry {
                rule_set: to_dto(r)?,
                builtin: *builtin,
            })
        })
        .collect()
}

/// Adds a rule set version (admin): its region defaults to the caller's and must lie in the
/// caller's scope; every version of an id keeps the id's region; versions never change.
pub async fn create(
    db: &impl ConnectionTrait,
    principal: &Principal,
    mut dto: RuleSetDto,
) -> Result<RuleSetDto, ApiError> {
    access::require_role(principal, Kind::RuleSet, Action::Create)?;
    let region = dto
        .region
        .get_or_insert_with(|| principal.region.as_str().to_owned())
        .trim()
        .to_owned();
    dto.region = Some(region);
    let r = from_dto(&dto)?;
    let mut problems = check_parameters(&dto, &r);
    problems.extend(approval_level_problem(&r));
    if problems.is_empty() {
        access::require_region_in_scope(principal, &r.region, "/region")?;
    }
    problems.extend(
        r.validate()
            .into_iter()
            .filter(|p| !p.starts_with("region "))
            .map(|p| FieldError::body("", "rule_set.invalid", Text::new(p.clone(), p))),
    );
    problems.extend(region_kept_problem(db, &r).await?);
    problems.extend(identity_problems(&r));
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    insert_new(db, principal, &r).await?;
    to_dto(&r)
}

fn approval_level_problem(r: &RuleSet) -> Option<FieldError> {
    (!(1..=crate::domain::review_score::MAX_APPROVAL_LEVELS).contains(&r.approval_levels)).then(
        || {
            FieldError::body(
                "/approval_levels",
                "field.out_of_range",
                Text::new("From 1 to 4 levels", "审批层级须为 1 到 4"),
            )
        },
    )
}

/// Every version of an id belongs to the region of its first.
async fn region_kept_problem(
    db: &impl ConnectionTrait,
    r: &RuleSet,
) -> Result<Option<FieldError>, ApiError> {
    let Some((other, _)) = all(db)
        .await?
        .into_iter()
        .find(|(o, _)| o.id == r.id && o.region != r.region)
    else {
        return Ok(None);
    };
    Ok(Some(FieldError::body(
        "/region",
        "rule_set.region_changed",
        Text::new(
            format!(
                "Every version of `{}` belongs to region {}",
                r.id, other.region
            ),
            format!("规则集 `{}` 的各版本均属于行政区划 {}", r.id, other.region),
        ),
    )))
}

/// The id's characters and the version's range.
fn identity_problems(r: &RuleSet) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if !validate::rule_set_id_ok(&r.id) {
        problems.push(FieldError::body(
            "/id",
            "rule_set.invalid_id",
            Text::new(
                "Use 1 to 64 lowercase letters, digits and `-`",
                "只能使用 1 到 64 个小写字母、数字和 `-`",
            ),
        ));
    }
    if !validate::rule_set_version_ok(r.version) {
        problems.push(FieldError::body(
            "/version",
            "field.out_of_range",
            Text::new(
                format!("Versions run from 1 to {}", i32::MAX),
                format!("版本号须在 1 到 {} 之间", i32::MAX),
            ),
        ));
    }
    problems
}

fn exists(r: &RuleSet) -> ApiError {
    ApiError::new(
        codes::RULE_SET_EXISTS,
        Text::new(
            format!(
                "Rule set {}@{} exists and never changes; add a new version",
                r.id, r.version
            ),
            format!("规则集 {}@{} 已存在且不可修改，请新增版本", r.id, r.version),
        ),
    )
}

/// Stores a version that is not there yet (409 when it is, even when another request adds it
/// at the same moment).
async fn insert_new(
    db: &impl ConnectionTrait,
    principal: &Principal,
    r: &RuleSet,
) -> Result<(), ApiError> {
    if find(db, &format!("{}@{}", r.id, r.version))
        .await?
        .is_some()
    {
        return Err(exists(r));
    }
    let row = store::Model {
        id: r.id.clone(),
        version: i32::try_from(r.version).map_err(ApiError::internal)?,
        document: serde_json::to_string(r).map_err(ApiError::internal)?,
        created_by: principal.subject.clone(),
        created_at: crate::clock::now(),
    };
    match store::insert(db, row).await {
        Ok(()) => Ok(()),
        Err(e) if crate::store::is_unique_violation(&e) => Err(ApiError::new(
            codes::RULE_SET_EXISTS,
            Text::new("This rule set version exists already", "该规则集版本已存在"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Problems of a rule set's region, weights, vocabulary and policies, with pointers.
fn check_parameters(d: &RuleSetDto, r: &RuleSet) -> Vec<FieldError> {
    let mut problems = region_and_weight_problems(r);
    if let Some(vocabulary) = &d.vocabulary {
        problems.extend(vocabulary_problems(vocabulary));
    }
    problems.extend(policy_problems(&d.policies));
    problems
}

/// The region is a scope code; fixed weights are given.
fn region_and_weight_problems(r: &RuleSet) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if RegionCode::parse_scope(&r.region).is_err() {
        problems.push(FieldError::body(
            "/region",
            "rule_set.invalid_region",
            Text::new(
                "A GB/T 2260 region code of six digits, or 000000 for national",
                "须为 6 位 GB/T 2260 行政区划代码，全国为 000000",
            ),
        ));
    }
    if r.weight_source == WeightSource::Fixed && r.level1_weights.is_empty() {
        problems.push(FieldError::body(
            "/level1_weights",
            "field.missing",
            Text::new(
                "With weight_source `fixed`, give the weight of every level-1 group",
                "分值来源为 `fixed` 时须给出各一级指标的分值",
            ),
        ));
    }
    problems
}

/// At most [`MAX_WORDINGS`] wordings, each 1 to [`MAX_WORDING_CHARS`] characters, none twice.
fn vocabulary_problems(vocabulary: &[WordingDto]) -> Vec<FieldError> {
    let mut problems = Vec::new();
    {
        if vocabulary.len() > MAX_WORDINGS {
            problems.push(FieldError::body(
                "/vocabulary",
                "field.too_many_items",
                Text::new(
                    format!("At most {MAX_WORDINGS} wordings"),
                    format!("最多 {MAX_WORDINGS} 条表述"),
                ),
            ));
        }
        for (i, w) in vocabulary.iter().enumerate() {
            let text = w.text.trim();
            let chars = text.chars().count();
            if chars == 0 || chars > MAX_WORDING_CHARS {
                problems.push(FieldError::body(
                    format!("/vocabulary/{i}/text"),
                    "field.out_of_range",
                    Text::new(
                        format!("A wording has 1 to {MAX_WORDING_CHARS} characters"),
                        format!("表述须为 1 到 {MAX_WORDING_CHARS} 个字符"),
                    ),
                ));
            } else if vocabulary[..i].iter().any(|o| o.text.trim() == text) {
                problems.push(FieldError::body(
                    format!("/vocabulary/{i}/text"),
                    "rule_set.duplicate_wording",
                    Text::new(
                        format!("`{text}` is listed twice"),
                        format!("表述 `{text}` 重复"),
                    ),
                ));
            }
        }
    }
    problems
}

/// At most [`MAX_POLICIES`] policies, each of a catalogue code, none twice.
fn policy_problems(policies: &[CodePolicyDto]) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if policies.len() > MAX_POLICIES {
        problems.push(FieldError::body(
            "/policies",
            "field.too_many_items",
            Text::new(
                format!("At most {MAX_POLICIES} policies"),
                format!("最多 {MAX_POLICIES} 条处理规则"),
            ),
        ));
    }
    for (i, p) in policies.iter().enumerate() {
        if review::catalogue_entry(&p.code).is_none() {
            problems.push(FieldError::body(
                format!("/policies/{i}/code"),
                "rule_set.unknown_finding_code",
                Text::new(
                    format!("`{}` is not a code of the finding catalogue", p.code),
                    format!("`{}` 不是审核发现目录中的代码", p.code),
                ),
            ));
        } else if policies[..i].iter().any(|o| o.code == p.code) {
            problems.push(FieldError::body(
                format!("/policies/{i}/code"),
                "rule_set.duplicate_policy",
                Text::new(
                    format!("`{}` has a policy already", p.code),
                    format!("`{}` 已设置处理规则", p.code),
                ),
            ));
        }
    }
    problems
}
