//! The `regions` table.

use sea_orm::entity::prelude::*;

use super::query::{self, Optionally};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, Condition};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// List filters; all optional, combined with AND.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub parent: Option<String>,
    pub level: Option<String>,
    /// Code prefix of a subtree (`4304` for all of 衡阳市).
    pub under_prefix: Option<String>,
    /// The caller's scope: only codes with this prefix.
    pub scope_prefix: String,
}

/// One page in code order, starting after `after`; returns at most `limit` rows and whether
/// more follow.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &Filter,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<Model>, bool), DbErr> {
    let cond = Condition::all()
        .add(Column::DeletedAt.is_null())
        .add_some(query::starts_with(Column::Code, &filter.scope_prefix))
        .eq_some(Column::ParentCode, filter.parent.clone())
        .eq_some(Column::Level, filter.level.clone())
        .prefix_some(Column::Code, filter.under_prefix.as_deref());
    query::page_after::<Entity>(db, cond, Column::Code, after, limit).await
}

/// A live (not deleted) region.
pub async fn get(db: &impl ConnectionTrait, code: &str) -> Result<Option<Model>, DbErr> {
    query::live::<Entity>(db, code, Column::DeletedAt).await
}

/// The data a client may set.
#[derive(Debug, Clone)]
pub struct NewRegion {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
}

/// What a write found.
#[derive(Debug)]
pub enum WriteOutcome {
    Done(Model),
    NotFound,
    /// The version did not match; carries the current row.
    Stale(Model),
    /// The parent region does not exist (or is deleted).
    ParentMissing,
    /// A live region with this code exists already.
    Exists,
    /// Live regions still sit below this one.
    HasChildren(u64),
}

/// Creates a region, or brings a soft-deleted one back with the new data, in the caller's
/// write transaction (committed by the caller when the outcome is `Done`).
pub async fn create(txn: &impl ConnectionTrait, new: NewRegion) -> Result<WriteOutcome, DbErr> {
    if let Some(parent) = &new.parent_code
        && get(txn, parent).await?.is_none()
    {
        return Ok(WriteOutcome::ParentMissing);
    }
    let now = crate::clock::now();
    let existing = Entity::find_by_id(new.code.clone()).one(txn).await?;
    let model = match existing {
        Some(row) if row.deleted_at.is_none() => return Ok(WriteOutcome::Exists),
        Some(row) => {
            let mut active: ActiveModel = row.clone().into();
            active.name = Set(new.name);
            active.level = Set(new.level);
            active.parent_code = Set(new.parent_code);
            active.version = Set(row.version + 1);
            active.updated_at = Set(now);
            active.deleted_at = Set(None);
            active.update(txn).await?
        }
        None => {
            let active = ActiveModel {
                code: Set(new.code),
                name: Set(new.name),
                level: Set(new.level),
                parent_code: Set(new.parent_code),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                deleted_at: Set(None),
            };
            match active.insert(txn).await {
                Ok(m) => m,
                Err(e) if super::database::is_unique_violation(&e) => {
                    return Ok(WriteOutcome::Exists);
                }
                Err(e) => return Err(e),
            }
        }
    };
    Ok(WriteOutcome::Done(model))
}

/// The live region `code` when `version_ok` accepts its version; otherwise the outcome to
/// answer (not found, or stale with the current row).
async fn current(
    txn: &impl ConnectionTrait,
    code: &str,
    version_ok: impl Fn(i64) -> bool,
) -> Result<Result<Model, WriteOutcome>, DbErr> {
    Ok(match get(txn, code).await? {
        None => Err(WriteOutcome::NotFound),
        Some(current) if !version_ok(current.version) => Err(WriteOutcome::Stale(current)),
        Some(current) => Ok(current),
    })
}

/// Applies `columns` to the region `code` at version `current.version` (and bumps it): the
/// row as written, or, when another writer got there between our read and our write, the
/// outcome that says so.
async fn write_over(
    txn: &impl ConnectionTrait,
    current: &Model,
    columns: Vec<(Column, Expr)>,
) -> Result<Result<(), WriteOutcome>, DbErr> {
    let mut update = Entity::update_many()
        .col_expr(Column::Version, Expr::value(current.version + 1))
        .filter(Column::Code.eq(current.code.as_str()))
        .filter(Column::Version.eq(current.version))
        .filter(Column::DeletedAt.is_null());
    for (column, value) in columns {
        update = update.col_expr(column, value);
    }
    if update.exec(txn).await?.rows_affected == 1 {
        return Ok(Ok(()));
    }
    Ok(Err(match get(txn, &current.code).await? {
        Some(now) => WriteOutcome::Stale(now),
        None => WriteOutcome::NotFound,
    }))
}

/// Replaces the name of a live region when `version_ok` accepts its current version, in the
/// caller's write transaction.
pub async fn update(
    txn: &impl ConnectionTrait,
    code: &str,
    version_ok: impl Fn(i64) -> bool,
    name: String,
) -> Result<WriteOutcome, DbErr> {
    let current = match current(txn, code, version_ok).await? {
        Ok(current) => current,
        Err(outcome) => return Ok(outcome),
    };
    let columns = vec![
        (Column::Name, Expr::value(name)),
        (Column::UpdatedAt, Expr::value(crate::clock::now())),
    ];
    if let Err(outcome) = write_over(txn, &current, columns).await? {
        return Ok(outcome);
    }
    let updated = get(txn, code).await?;
    Ok(updated.map_or(WriteOutcome::NotFound, WriteOutcome::Done))
}

/// Marks a live region deleted, when nothing live sits below it, in the caller's write
/// transaction.
pub async fn soft_delete(
    txn: &impl ConnectionTrait,
    code: &str,
    version_ok: impl Fn(i64) -> bool,
) -> Result<WriteOutcome, DbErr> {
    let current = match current(txn, code, version_ok).await? {
        Ok(current) => current,
        Err(outcome) => return Ok(outcome),
    };
    let children = Entity::find()
        .filter(Column::ParentCode.eq(code))
        .filter(Column::DeletedAt.is_null())
        .count(txn)
        .await?;
    if children > 0 {
        return Ok(WriteOutcome::HasChildren(children));
    }
    let now = crate::clock::now();
    let columns = vec![
        (Column::DeletedAt, Expr::value(Some(now))),
        (Column::UpdatedAt, Expr::value(now)),
    ];
    if let Err(outcome) = write_over(txn, &current, columns).await? {
        return Ok(outcome);
    }
    Ok(WriteOutcome::Done(current))
}

/// The regions with these codes, in one query.
pub async fn by_codes(db: &impl ConnectionTrait, codes: &[String]) -> Result<Vec<Model>, DbErr> {
    let live = Condition::all().add(Column::DeletedAt.is_null());
    query::with_keys::<Entity>(db, Column::Code, codes, live).await
}
