//! The pieces every list query is made of: optional filters folded into a condition, a keyset
//! page after a key, a live (not soft-deleted) row by its key, a literal name search.

use sea_orm::sea_query::{IntoCondition, SimpleExpr};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, PrimaryKeyTrait, QueryFilter, QueryOrder, Select, Value,
};

/// `column LIKE '%text%'` with `text` matched literally: `%`, `_` and the escape character
/// itself are escaped (`ESCAPE '\'`), so `q=%` finds names holding a `%`, not every name.
/// The one helper for every name search (`q=`).
pub fn contains_literally(
    column: impl sea_orm::ColumnTrait,
    text: &str,
) -> sea_orm::sea_query::Expr {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    column.like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\'))
}

/// `column` starts with `prefix` (case included; region codes are digits), as a condition that
/// a statement binds again and again without being prepared again: `substr(column, 1, n) =
/// prefix`, and no condition at all for the empty prefix. SQLite prepares a statement whose
/// `LIKE` pattern is a bound value again at every execution (its LIKE optimisation depends on
/// the pattern). Neither form is read through an index on either database, so plans stay as
/// they were with `LIKE` (a range of codes would be, and SQLite then chose the region index and
/// a sort over the summary index: 1 s instead of 10 ms for a filtered page at 1M).
pub fn starts_with(column: impl ColumnTrait, prefix: &str) -> Option<SimpleExpr> {
    use sea_orm::sea_query::{Alias, ExprTrait, Func};
    if prefix.is_empty() {
        return None;
    }
    // 32-bit arguments: PostgreSQL has `substr(text, integer, integer)` only.
    let length = i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX);
    let head = Func::cust(Alias::new("substr"))
        .arg(column.into_expr())
        .arg(1i32)
        .arg(length);
    Some(head.eq(prefix.to_owned()))
}

/// Runs a select ordered by its key and returns at most `limit` rows, and whether more follow
/// (keyset pagination: the caller adds `key > after` to the select).
pub async fn page<E: sea_orm::EntityTrait>(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<E>,
    limit: u64,
) -> Result<(Vec<E::Model>, bool), DbErr> {
    use sea_orm::QuerySelect;
    let mut rows = select.limit(limit + 1).all(db).await?;
    let more = truncate(&mut rows, limit);
    Ok((rows, more))
}

/// [`page`] for an entity whose rows read from JSON arrays in column order: on SQLite the page
/// is read as one value ([`json_page`], in the order of the columns `order`, which must be
/// the select's), elsewhere as [`page`] reads it.
pub async fn page_json<E>(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<E>,
    order: &[&str],
    limit: u64,
) -> Result<(Vec<E::Model>, bool), DbErr>
where
    E: sea_orm::EntityTrait,
    E::Model: serde::de::DeserializeOwned,
{
    use sea_orm::{IdenStatic, Iterable, QuerySelect};
    let page = select.limit(limit + 1);
    let columns: Vec<&str> = E::Column::iter().map(|c| c.as_str()).collect();
    let Some(mut rows) = json_page::<E, E::Model>(db, page.clone(), &columns, order).await? else {
        return self::page(db, page, limit).await;
    };
    let more = truncate(&mut rows, limit);
    Ok((rows, more))
}

/// Keeps the first `limit` rows; whether there were more.
fn truncate<T>(rows: &mut Vec<T>, limit: u64) -> bool {
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    more
}

/// Like [`page`], but hands each row to `each` as it arrives instead of collecting them, so a
/// page of large rows is never held whole. Returns whether more rows follow.
pub async fn page_each<E, C, F, X>(
    db: &C,
    select: sea_orm::Select<E>,
    limit: u64,
    each: F,
) -> Result<bool, X>
where
    E: sea_orm::EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait + sea_orm::StreamTrait,
    F: FnMut(E::Model) -> Result<(), X>,
    X: From<DbErr>,
{
    use sea_orm::QuerySelect;
    take_each(select.limit(limit + 1).stream(db).await?, limit, each).await
}

/// Hands the first `limit` rows of `rows` to `each` as they arrive; returns whether a further
/// row follows (the caller asked for `limit + 1`).
pub async fn take_each<T, X: From<DbErr>>(
    rows: impl futures_util::Stream<Item = Result<T, DbErr>>,
    limit: u64,
    mut each: impl FnMut(T) -> Result<(), X>,
) -> Result<bool, X> {
    use futures_util::TryStreamExt;
    let mut rows = std::pin::pin!(rows);
    let mut taken = 0;
    while let Some(row) = rows.try_next().await? {
        if taken == limit {
            return Ok(true);
        }
        each(row)?;
        taken += 1;
    }
    Ok(false)
}

/// A condition that a filter's optional parts extend: each `Some` adds its test, `None` adds
/// nothing.
pub trait Optionally: Sized {
    /// `column = value` when a value is given.
    fn eq_some<V: Into<Value>>(self, column: impl ColumnTrait, value: Option<V>) -> Self;
    /// `column` starts with the prefix, when one is given ([`starts_with`]).
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
        self.add_some(prefix.and_then(|p| starts_with(column, p)))
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

/// Where the rows a filter selects stand, as the evaluations, their indicator rows and both
/// kinds of aggregate cells record it: the caller's scope (a region subtree, and a department
/// list when the caller has one), then the filter's statuses, year and region subtree.
#[derive(Debug, Default, Clone)]
pub struct Placement {
    pub scope_prefix: String,
    pub scope_department_ids: Option<Vec<String>>,
    pub statuses: Option<Vec<String>>,
    pub year: Option<i32>,
    pub region_prefix: Option<String>,
}

impl Placement {
    /// Region (the scope's subtree, then the filter's) and year.
    fn region_and_year<C: ColumnTrait + Copy>(&self, region: C, year: C) -> Condition {
        Condition::all()
            .add_some(starts_with(region, &self.scope_prefix))
            .eq_some(year, self.year)
            .prefix_some(region, self.region_prefix.as_deref())
    }

    /// The conditions on a department-owned table without a status (funds, projects): region
    /// and year, and the scope's department list.
    pub fn owned<C: ColumnTrait + Copy>(&self, (region, department, year): (C, C, C)) -> Condition {
        (self.region_and_year(region, year))
            .in_some(department, self.scope_department_ids.as_deref())
    }

    /// The conditions on region, status and year; `columns` are (region, status, year) in the
    /// table at hand. The department list is left to the caller: aggregate cells do not record
    /// departments.
    pub fn condition<C: ColumnTrait + Copy>(&self, (region, status, year): (C, C, C)) -> Condition {
        (self.region_and_year(region, year)).in_some(status, self.statuses.as_deref())
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
    page(db, after_key::<E>(cond, key, after), limit).await
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

/// The rows whose text `column` is one of `keys` and that meet `cond`, in one query; no query
/// for no keys.
pub async fn with_keys<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: E::Column,
    keys: &[String],
    cond: Condition,
) -> Result<Vec<E::Model>, DbErr> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    E::find()
        .filter(column.is_in(keys.iter().cloned()))
        .filter(cond)
        .all(db)
        .await
}

/// `get` (a live row by id), `insert` and `overwrite` (under the row's version) for the module's
/// table of versioned rows keyed by a text `id`, with `version`, `created_at` and `deleted_at`
/// columns (departments, funds, projects).
macro_rules! versioned_rows {
    () => {
        /// A live row by id.
        pub async fn get(
            db: &impl sea_orm::ConnectionTrait,
            id: &str,
        ) -> Result<Option<Model>, sea_orm::DbErr> {
            $crate::store::query::live::<Entity>(db, id, Column::DeletedAt).await
        }

        /// Inserts the row as it is.
        pub async fn insert(
            db: &impl sea_orm::ConnectionTrait,
            m: Model,
        ) -> Result<Model, sea_orm::DbErr> {
            $crate::store::query::insert::<Entity>(db, m).await
        }

        /// Writes `next` over the row when its version is still `current_version`; false when
        /// another writer got there first.
        pub async fn overwrite(
            db: &impl sea_orm::ConnectionTrait,
            current_version: i64,
            next: &Model,
        ) -> Result<bool, sea_orm::DbErr> {
            let version = (Column::Version, current_version);
            let fixed = [Column::CreatedAt];
            $crate::store::query::overwrite::<Entity>(db, next.clone(), Column::Id, version, &fixed)
                .await
        }
    };
}
pub(crate) use versioned_rows;

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

/// The columns of the rows a select picks, each fetched as one JSON array (one array per
/// column, every array in the same row order), for a few hundred small rows read whole
/// (aggregate cells). The SQLite driver hands every row from its worker thread to the
/// caller's task, a wake-up each, which costs more than the rows' content; one row of arrays
/// costs one. A column written `json(column)` holds JSON text and is placed in its array as
/// it is; every other value is quoted. Decode each array with [`json_column`].
pub async fn json_columns<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    columns: &[&str],
) -> Result<Vec<String>, DbErr> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::Expr;
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    let mut select = select.select_only();
    for (i, column) in columns.iter().enumerate() {
        let json = column
            .strip_prefix("json(")
            .and_then(|c| c.strip_suffix(')'));
        // All aggregates of one query see the rows in one order, so the arrays line up.
        let array = match (json, postgres) {
            (Some(c), true) => format!("CAST(json_agg(CAST(CAST({c} AS text) AS json)) AS text)"),
            (None, true) => format!("CAST(json_agg({column}) AS text)"),
            // Concatenated, not `json_group_array(json(…))`: SQLite would parse each text
            // into its binary form and print it again.
            (Some(c), false) => format!("'[' || group_concat({c}, ',') || ']'"),
            (None, false) => format!("json_group_array({column})"),
        };
        select = select.column_as(Expr::cust(array), format!("c{i}"));
    }
    let statement = sea_orm::QueryTrait::build(&select, db.get_database_backend());
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(vec!["[]".to_owned(); columns.len()]);
    };
    (0..columns.len())
        .map(|i| {
            // No rows: SQLite's `group_concat` and PostgreSQL's `json_agg` give NULL.
            let text: Option<String> = row.try_get("", &format!("c{i}"))?;
            Ok(text.unwrap_or_else(|| "[]".to_owned()))
        })
        .collect()
}

/// One array of [`json_columns`], decoded.
pub fn json_column<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>, DbErr> {
    serde_json::from_str(text).map_err(|e| DbErr::Custom(format!("a column read as JSON: {e}")))
}

/// On SQLite, the rows of `select` (its selected columns, `columns` by their names, in order)
/// read as one JSON array of arrays and decoded into `T` (a struct reads an array in field
/// order), the columns `order` keeping the select's order; `None` on other databases. A page read so costs
/// one handoff from the driver's worker thread instead of one per row ([`json_columns`]).
pub async fn json_page<E, T>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    columns: &[&str],
    order: &[&str],
) -> Result<Option<Vec<T>>, DbErr>
where
    E: EntityTrait,
    T: serde::de::DeserializeOwned,
{
    let backend = db.get_database_backend();
    if backend != sea_orm::DbBackend::Sqlite {
        return Ok(None);
    }
    let inner = sea_orm::QueryTrait::build(&select, backend);
    let quoted = |names: &[&str]| -> String {
        let names: Vec<String> = names.iter().map(|c| format!("\"{c}\"")).collect();
        names.join(", ")
    };
    let sql = format!(
        "SELECT json_group_array(json_array({}) ORDER BY {}) AS rows FROM ({}) AS page",
        quoted(columns),
        quoted(order),
        inner.sql
    );
    let statement = sea_orm::Statement {
        sql,
        values: inner.values,
        db_backend: backend,
    };
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(Some(Vec::new()));
    };
    let text: Option<String> = row.try_get("", "rows")?;
    let Some(text) = text else {
        return Ok(Some(Vec::new()));
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| DbErr::Custom(format!("a page read as JSON: {e}")))
}

/// An optional boolean from JSON as a boolean or, as SQLite keeps booleans, 0 or 1.
pub fn bool_or_bit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    use serde::Deserialize;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Bit(u8),
    }
    Ok(match Option::<Flag>::deserialize(d)? {
        None => None,
        Some(Flag::Bool(b)) => Some(b),
        Some(Flag::Bit(0)) => Some(false),
        Some(Flag::Bit(1)) => Some(true),
        Some(Flag::Bit(n)) => {
            return Err(serde::de::Error::custom(format!("{n} is not a boolean")));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::starts_with;
    use crate::store::regions::Column;
    use sea_orm::sea_query::{Query, SqliteQueryBuilder};

    #[test]
    fn a_prefix_is_a_bound_head_of_the_text() {
        let sql = |prefix: &str| {
            let mut q = Query::select();
            q.column(Column::Code).from(crate::store::regions::Entity);
            if let Some(e) = starts_with(Column::Code, prefix) {
                q.and_where(e);
            }
            q.build(SqliteQueryBuilder)
        };
        let (text, values) = sql("4304");
        assert!(
            text.ends_with(r#"WHERE substr("regions"."code", ?, ?) = ?"#),
            "{text}"
        );
        assert_eq!(values.0.len(), 3);
        assert!(!sql("").0.contains("WHERE"));
    }
}
