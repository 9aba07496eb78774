//! Regions (GB/T 2260 administrative divisions): list, read, create, rename and delete, in
//! the caller's scope (outside it is 404).

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};

use crate::app::access;
use crate::app::precondition::{IfMatch, stale};
use crate::app::read_cache;
use crate::app::uow::UnitOfWork;
use crate::domain::policy::{Action, Kind, Principal, Scope};
use crate::domain::region::{self, RegionCode, RegionLevel, ShapeError};
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::regions::{Level, Region, RegionCreate, RegionReplace};
use crate::store::regions::{self as store, WriteOutcome};

pub fn not_found(code: &str) -> ApiError {
    ApiError::new(
        codes::REGION_NOT_FOUND,
        Text::new(
            format!("No region has the code {code}"),
            format!("不存在代码为 {code} 的行政区划"),
        ),
    )
}

fn region_scope(code: &str) -> Scope<'_> {
    Scope {
        region: code,
        ..Scope::default()
    }
}

fn code_field_error(pointer: &str, err: region::CodeError) -> FieldError {
    FieldError::body(
        pointer,
        "region.invalid_code",
        Text::new(err.message_en(), err.message_zh()),
    )
}

fn name_errors(name: &str, errors: &mut Vec<FieldError>) {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 100 {
        errors.push(FieldError::body(
            "/name",
            "field.invalid_length",
            Text::new(
                "The name must have 1 to 100 characters",
                "名称长度必须为 1 到 100 个字符",
            ),
        ));
    }
}

fn shape_errors(
    code: &RegionCode,
    level: Option<Level>,
    parent: Option<&str>,
    errors: &mut Vec<FieldError>,
) {
    for problem in region::check_shape(code, level.map(Into::into), parent) {
        errors.push(match problem {
            ShapeError::LevelMismatch { declared, implied } => FieldError::body(
                "/level",
                "region.level_mismatch",
                Text::new(
                    format!(
                        "The code {code} is a {} code, not a {}",
                        implied.as_str(),
                        declared.as_str()
                    ),
                    format!(
                        "代码 {code} 属于{}，不是{}",
                        implied.label_zh(),
                        declared.label_zh()
                    ),
                ),
            ),
            ShapeError::ParentMismatch { declared, implied } => {
                let implied = implied.unwrap_or_else(|| "none".into());
                let declared = declared.unwrap_or_default();
                FieldError::body(
                    "/parent",
                    "region.parent_mismatch",
                    Text::new(
                        format!("The parent of {code} is {implied}, not {declared}"),
                        format!("{code} 的上级是 {implied}，而不是 {declared}"),
                    ),
                )
            }
        });
    }
}

/// The filters of the region list.
#[derive(Debug, Default, Clone)]
pub struct RegionFilters {
    /// Only the direct children of this code.
    pub parent: Option<String>,
    /// Only regions of this level.
    pub level: Option<Level>,
    /// The whole subtree under this code or prefix.
    pub under: Option<String>,
}

/// The filters as the store takes them; 400 naming every filter that is not a region code.
fn store_filter(principal: &Principal, filters: &RegionFilters) -> Result<store::Filter, ApiError> {
    let mut errors = Vec::new();
    if let Some(parent) = &filters.parent
        && let Err(e) = RegionCode::parse(parent)
    {
        errors.push(FieldError::query(
            "parent",
            "region.invalid_code",
            Text::new(e.message_en(), e.message_zh()),
        ));
    }
    let under = match filters.under.as_deref().map(region::subtree_filter_prefix) {
        Some(Ok(prefix)) => Some(prefix),
        Some(Err(e)) => {
            errors.push(FieldError::query(
                "under",
                "region.invalid_code",
                Text::new(e.message_en(), e.message_zh()),
            ));
            None
        }
        None => None,
    };
    if !errors.is_empty() {
        let mut e = ApiError::new(
            codes::INVALID_QUERY,
            Text::new(
                "Some filters are invalid; see `errors`",
                "部分筛选条件无效，详见 `errors`",
            ),
        );
        e.errors = errors;
        return Err(e);
    }
    Ok(store::Filter {
        parent: filters.parent.clone(),
        level: filters
            .level
            .map(|l| RegionLevel::from(l).as_str().to_owned()),
        under_prefix: under,
        scope_prefix: principal.region_prefix().to_owned(),
    })
}

/// A page of the regions in the caller's scope under `filters`, in code order after the code
/// `after`, and whether more follow.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filters: &RegionFilters,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<Region>, bool), ApiError> {
    let filter = store_filter(principal, filters)?;
    let (rows, more) = store::list(db, &filter, after, limit).await?;
    let items = rows
        .into_iter()
        .map(Region::try_from)
        .collect::<Result<_, _>>()?;
    Ok((items, more))
}

/// A live region in the caller's scope.
pub async fn get(
    db: &impl ConnectionTrait,
    principal: &Principal,
    code: &str,
) -> Result<Region, ApiError> {
    authorize(principal, Action::Read, code)?;
    let row = store::get(db, code).await?.ok_or_else(|| not_found(code))?;
    Ok(Region::try_from(row)?)
}

/// Creates a region (its level and parent follow from the code; the parent must exist).
pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    body: &RegionCreate,
) -> Result<Region, ApiError> {
    access::require_role(principal, Kind::Region, Action::Create)?;
    // Scope first, so that nothing about codes outside it (not even "exists") is revealed.
    if let Ok(code) = RegionCode::parse(&body.code) {
        access::require_region_in_scope(principal, code.as_str(), "/code")?;
    }
    let mut errors = Vec::new();
    name_errors(&body.name, &mut errors);
    let code = match RegionCode::parse(&body.code) {
        Ok(code) => {
            shape_errors(&code, body.level, body.parent.as_deref(), &mut errors);
            Some(code)
        }
        Err(e) => {
            errors.push(code_field_error("/code", e));
            None
        }
    };
    let Some(code) = code.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let parent = code.parent().map(|p| p.as_str().to_owned());
    let new = store::NewRegion {
        code: code.as_str().to_owned(),
        name: body.name.trim().to_owned(),
        level: code.level().as_str().to_owned(),
        parent_code: parent.clone(),
    };
    match landed(db, async |txn| store::create(txn, new).await).await? {
        WriteOutcome::Done(row) => Ok(Region::try_from(row)?),
        WriteOutcome::Exists => Err(ApiError::new(
            codes::REGION_EXISTS,
            Text::new(
                format!("A region with the code {code} exists already"),
                format!("代码为 {code} 的行政区划已存在"),
            ),
        )
        .with_extra("existing", format!("/api/v1/regions/{code}").into())),
        WriteOutcome::ParentMissing => {
            let parent = parent.unwrap_or_default();
            Err(ApiError::validation(vec![FieldError::body(
                if body.parent.is_some() {
                    "/parent"
                } else {
                    "/code"
                },
                "region.parent_missing",
                Text::new(
                    format!("The parent region {parent} does not exist; create it first"),
                    format!("上级行政区划 {parent} 不存在，请先创建"),
                ),
            )]))
        }
        other => Err(ApiError::internal(anyhow::anyhow!(
            "unexpected create outcome {other:?}"
        ))),
    }
}

/// Renames a region at the version `if_match` names (the code, level and parent are fixed).
pub async fn replace(
    db: &DatabaseConnection,
    principal: &Principal,
    code: &str,
    if_match: &IfMatch,
    body: &RegionReplace,
) -> Result<Region, ApiError> {
    authorize(principal, Action::Update, code)?;
    let parsed = RegionCode::parse(code).map_err(|_| not_found(code))?;
    let mut errors = Vec::new();
    name_errors(&body.name, &mut errors);
    shape_errors(&parsed, body.level, body.parent.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let name = body.name.trim().to_owned();
    let version_ok = |v| if_match.matches(v);
    match landed(db, async |txn| {
        store::update(txn, code, version_ok, name).await
    })
    .await?
    {
        WriteOutcome::Done(row) => Ok(Region::try_from(row)?),
        WriteOutcome::NotFound => Err(not_found(code)),
        WriteOutcome::Stale(current) => Err(stale(current.version)),
        other => Err(ApiError::internal(anyhow::anyhow!(
            "unexpected update outcome {other:?}"
        ))),
    }
}

/// Deletes a region (soft), at the version `if_match` names when given; refused while live
/// regions sit below it.
pub async fn delete(
    db: &DatabaseConnection,
    principal: &Principal,
    code: &str,
    if_match: Option<&IfMatch>,
) -> Result<(), ApiError> {
    authorize(principal, Action::Delete, code)?;
    let version_ok = |v| if_match.is_none_or(|m| m.matches(v));
    let outcome = landed(db, async |txn| {
        store::soft_delete(txn, code, version_ok).await
    })
    .await?;
    match outcome {
        WriteOutcome::Done(_) => Ok(()),
        WriteOutcome::NotFound => Err(not_found(code)),
        WriteOutcome::Stale(current) => Err(stale(current.version)),
        WriteOutcome::HasChildren(n) => Err(ApiError::new(
            codes::REGION_HAS_CHILDREN,
            Text::new(
                format!("{n} live region(s) sit below {code}; delete them first"),
                format!("{code} 下仍有 {n} 个下级区划，请先删除它们"),
            ),
        )),
        other => Err(ApiError::internal(anyhow::anyhow!(
            "unexpected delete outcome {other:?}"
        ))),
    }
}

/// Runs one region write in a unit of work of its own: committed when it was done, rolled
/// back when it found a reason not to write (stale, missing, taken, not empty).
async fn landed(
    db: &DatabaseConnection,
    write: impl AsyncFnOnce(&DatabaseTransaction) -> Result<WriteOutcome, sea_orm::DbErr>,
) -> Result<WriteOutcome, ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let outcome = write(uow.db()).await?;
    match outcome {
        WriteOutcome::Done(_) => {
            // Region names are in the dashboard answers, and the feed does not carry regions.
            read_cache::data_changed(uow.db(), "regions").await?;
            uow.commit().await?
        }
        _ => uow.rollback().await?,
    }
    Ok(outcome)
}

/// 404 unless the caller may act on the region: outside the scope, nothing is revealed.
pub fn authorize(principal: &Principal, action: Action, code: &str) -> Result<(), ApiError> {
    access::authorize(principal, Kind::Region, action, &region_scope(code), || {
        not_found(code)
    })
}
