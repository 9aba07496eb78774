//! The pieces every list query is made of: optional filters folded into a condition, a keyset
//! page after a key, a live (not soft-deleted) row by its key.

use sea_orm::sea_query::{IntoCondition, SimpleExpr};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, PrimaryKeyTrait, QueryFilter, QueryOrder, Select, Value,
};

/// A condition that a filter's optional parts extend: each `Some` adds its test, `None` adds
/// nothing.
pub trait Optionally: Sized {
    /// `column = value` when a value is given.
    fn eq_some<V: Into<Value>>(self, column: impl ColumnTrait, value: Option<V>) -> Self;
    /// `column LIKE 'prefix%'` when a prefix is given.
    fn prefix_some(self, column: impl ColumnTrait, prefix: Option<&str>) -> Self;
    /// `column IN (…)` when a list is given.
    fn in_some(self, column: impl ColumnTrait, values: Option<&[String]>) -> Self;
    /// Any expression, when given.
    fn add_some(self, expr: Option<SimpleExpr>) -> Self;
}

impl Optionally for Condition {
    fn eq_some<V: Into<Value>>(self, column: impl ColumnTrait, value: Option<V>) -> Self {
        self.add_some(value.map(|v| column.eq(v)))
    }

    fn prefix_some(self, column: impl ColumnTrait, prefix: Option<&str>) -> Self {
        self.add_some(prefix.map(|p| column.starts_with(p)))
    }

    fn in_some(self, column: impl ColumnTrait, values: Option<&[String]>) -> Self {
        self.add_some(values.map(|v| column.is_in(v.iter().cloned())))
    }

    fn add_some(self, expr: Option<SimpleExpr>) -> Self {
        match expr {
            Some(e) => self.add(e.into_condition()),
            None => self,
        }
    }
}

/// The rows of `cond` after the key `after`, in key order: one page's select.
pub fn after_key<E: EntityTrait>(
    cond: Condition,
    key: E::Column,
    after: Option<&str>,
) -> Select<E> {
    let cond = cond.add_some(after.map(|a| key.gt(a.to_owned())));
    E::find().filter(cond).order_by_asc(key)
}

/// A page of the rows of `cond` after the key `after`, in key order, at most `limit`, and
/// whether more follow.
pub async fn page_after<E: EntityTrait>(
    db: &impl ConnectionTrait,
    cond: Condition,
    key: E::Column,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<E::Model>, bool), DbErr> {
    super::page(db, after_key::<E>(cond, key, after), limit).await
}

/// A live row (its `deleted_at` null) by its text key.
pub async fn live<E>(
    db: &impl ConnectionTrait,
    key: &str,
    deleted_at: E::Column,
) -> Result<Option<E::Model>, DbErr>
where
    E: EntityTrait,
    String: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    E::find_by_id(key.to_owned())
        .filter(deleted_at.is_null())
        .one(db)
        .await
}

/// Inserts a row with every column as the model has it.
pub async fn insert<E>(db: &impl ConnectionTrait, m: E::Model) -> Result<E::Model, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
{
    m.into_active_model().reset_all().insert(db).await
}

/// Writes `next` whole over the row with its key while the row's `version` is still
/// `current_version` (optimistic concurrency); false when another writer got there first.
/// The key and the columns in `fixed` (the creation time) are never written.
pub async fn overwrite<E>(
    db: &impl ConnectionTrait,
    next: E::Model,
    key: E::Column,
    (version, current_version): (E::Column, i64),
    fixed: &[E::Column],
) -> Result<bool, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let mut am = next.into_active_model().reset_all();
    let Some(id) = am.get(key).into_value() else {
        return Ok(false);
    };
    for c in fixed.iter().chain([&key]) {
        am.not_set(*c);
    }
    let result = E::update_many()
        .set(am)
        .filter(key.eq(id))
        .filter(version.eq(current_version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
