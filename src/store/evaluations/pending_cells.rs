//! `pending_cells`: what the writes still owe the aggregate cells, on PostgreSQL.
//!
//! Writers on PostgreSQL do not touch the cells: a hot cell (every county's drafts of one
//! year) would make every writer wait for the one before it to commit. Each write instead
//! appends what it owes, in its own transaction: the evaluation cells it left and entered
//! (recomputed later from the evaluations themselves) and its indicator-cell difference. A
//! read of the cells first settles (`app::cells::settle`, a round at a time: [`settle_round`]): under the cells' lock it folds every committed pending
//! row into the cells and deletes exactly the rows it folded, in one transaction. A write
//! still running is not seen and is folded by a later read, so the cells a read sees account
//! for every committed write and nothing else. Appends never conflict, so writers never wait.
//!
//! SQLite has one writer at a time: there a write brings the cells up to date at once, with
//! the same two functions ([`super::cells::refresh`],
//! [`super::indicator_cells::apply`]).

use std::collections::BTreeSet;

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, DbBackend, QueryOrder, QuerySelect, Statement};

use super::BASIS_COMPUTED;
use super::cells::{self as evaluation_cells, Key};
use super::indicator_cells::{self, Delta};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_cells")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// An evaluation cell to recompute: `[region, year, kind, grade, status]` as JSON.
    pub evaluation_key: Option<String>,
    /// An indicator cell to change by `n`: `[year, region, kind, status, level1, level2,
    /// outcome]` as JSON.
    pub indicator_key: Option<String>,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The cells' lock: whoever changes cells on PostgreSQL ([`settle`], the start-up fill) holds
/// it, exclusively, until its commit.
const CELLS_LOCK: i64 = 0x6a69_7869_6365;

/// Pending rows folded per round of [`settle`] (bounded memory).
const ROUND: u64 = 5_000;

/// Takes the cells' lock for the rest of the transaction (PostgreSQL; SQLite has one writer).
pub async fn lock_cells(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [CELLS_LOCK.into()],
        ))
        .await?;
    }
    Ok(())
}

/// What a write owes the cells: the evaluation cells `keys` (left and entered) and the
/// indicator cells' `delta`. On SQLite they are brought up to date now; on PostgreSQL the debt
/// is appended, in one statement, for the next settling read ([`settle_round`]).
pub async fn owe(db: &impl ConnectionTrait, keys: &[Key], delta: Delta) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        evaluation_cells::refresh(db, keys).await?;
        return indicator_cells::apply(db, delta).await;
    }
    let keys: BTreeSet<&Key> = keys.iter().collect();
    let mut rows = Vec::with_capacity(keys.len() + delta.len());
    for key in keys {
        rows.push(ActiveModel {
            evaluation_key: Set(Some(to_json(&evaluation_key_json(key))?)),
            indicator_key: Set(None),
            n: Set(0),
            ..Default::default()
        });
    }
    for (key, n) in delta.into_iter().filter(|(_, n)| *n != 0) {
        rows.push(ActiveModel {
            evaluation_key: Set(None),
            indicator_key: Set(Some(to_json(&indicator_key_json(&key))?)),
            n: Set(n),
            ..Default::default()
        });
    }
    if rows.is_empty() {
        return Ok(());
    }
    Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

/// Whether writes leave what they owe for a later read to settle (PostgreSQL), rather than
/// changing the cells at once (SQLite, one writer at a time).
pub fn deferred(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// Whether any committed write still owes the cells (no lock taken: most reads find nothing).
pub async fn owed(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(Entity::find().limit(1).one(db).await?.is_some())
}

/// One round of settling, in the caller's transaction: under the cells' lock, folds up to
/// `ROUND` committed pending rows into the cells and deletes exactly those. Returns whether
/// more may remain. The application layer runs rounds (`app::cells::settle`) until none do.
pub async fn settle_round(txn: &impl ConnectionTrait) -> Result<bool, DbErr> {
    lock_cells(txn).await?;
    let rows = Entity::find()
        .order_by_asc(Column::Id)
        .limit(ROUND)
        .all(txn)
        .await?;
    fold(txn, &rows).await?;
    Ok(rows.len() as u64 == ROUND)
}

/// Applies `rows` to the cells and deletes them, in the caller's transaction.
async fn fold(db: &impl ConnectionTrait, rows: &[Model]) -> Result<(), DbErr> {
    let mut keys = Vec::new();
    let mut delta = Delta::new();
    for row in rows {
        if let Some(text) = &row.evaluation_key {
            keys.push(evaluation_key_from(&from_json(text)?)?);
        }
        if let Some(text) = &row.indicator_key {
            let key = indicator_key_from(&from_json(text)?)?;
            let n = delta.entry(key).or_default();
            *n = n
                .checked_add(row.n)
                .ok_or_else(|| DbErr::Custom("indicator cell count overflows".to_owned()))?;
        }
    }
    evaluation_cells::refresh(db, &keys).await?;
    indicator_cells::apply(db, delta).await?;
    // Exactly the rows folded: one appended meanwhile by a write now committing stays.
    for ids in rows.chunks(1_000) {
        Entity::delete_many()
            .filter(Column::Id.is_in(ids.iter().map(|r| r.id)))
            .exec(db)
            .await?;
    }
    Ok(())
}

fn to_json(value: &serde_json::Value) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Custom(format!("pending cell key: {e}")))
}

fn from_json(text: &str) -> Result<serde_json::Value, DbErr> {
    serde_json::from_str(text).map_err(|e| DbErr::Custom(format!("pending cell key {text}: {e}")))
}

fn evaluation_key_json(key: &Key) -> serde_json::Value {
    serde_json::json!([
        key.region_code,
        key.year,
        key.kind,
        key.grade,
        key.status,
        key.basis
    ])
}

fn indicator_key_json(key: &indicator_cells::Key) -> serde_json::Value {
    let (year, region, kind, status, level1, level2, outcome) = key;
    serde_json::json!([year, region, kind, status, level1, level2, outcome])
}

fn text_at(value: &serde_json::Value, i: usize) -> Result<String, DbErr> {
    value
        .get(i)
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| DbErr::Custom(format!("pending cell key {value}: no text at {i}")))
}

fn year_at(value: &serde_json::Value, i: usize) -> Result<i32, DbErr> {
    value
        .get(i)
        .and_then(serde_json::Value::as_i64)
        .and_then(|y| i32::try_from(y).ok())
        .ok_or_else(|| DbErr::Custom(format!("pending cell key {value}: no year at {i}")))
}

fn evaluation_key_from(value: &serde_json::Value) -> Result<Key, DbErr> {
    Ok(Key {
        region_code: text_at(value, 0)?,
        year: year_at(value, 1)?,
        kind: text_at(value, 2)?,
        grade: text_at(value, 3)?,
        status: text_at(value, 4)?,
        // A debt written before the basis was a key: every evaluation was then `computed`.
        basis: match value.get(5) {
            None => BASIS_COMPUTED.to_owned(),
            Some(_) => text_at(value, 5)?,
        },
    })
}

fn indicator_key_from(value: &serde_json::Value) -> Result<indicator_cells::Key, DbErr> {
    let outcome = indicator_cells::outcome_word(&text_at(value, 6)?)
        .ok_or_else(|| DbErr::Custom(format!("pending cell key {value}: unknown outcome")))?;
    Ok((
        year_at(value, 0)?,
        text_at(value, 1)?,
        text_at(value, 2)?,
        text_at(value, 3)?,
        text_at(value, 4)?,
        text_at(value, 5)?,
        outcome,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_debt_from_before_the_basis_names_a_computed_cell() {
        let old = serde_json::json!(["430424", 2024, "project", "good", "submitted"]);
        let key = evaluation_key_from(&old).ok();
        assert_eq!(key.map(|k| k.basis), Some(BASIS_COMPUTED.to_owned()));
    }

    #[test]
    fn keys_survive_their_json() {
        let key = Key {
            region_code: "430424".into(),
            year: 2024,
            kind: "project".into(),
            grade: "excellent".into(),
            status: "draft".into(),
            basis: "reviewed".into(),
        };
        assert_eq!(
            evaluation_key_from(&evaluation_key_json(&key)).ok(),
            Some(key)
        );
        let ikey: indicator_cells::Key = (
            2024,
            "430424".into(),
            "project".into(),
            "draft".into(),
            "产出指标".into(),
            "数量指标".into(),
            "not_achieved",
        );
        assert_eq!(
            indicator_key_from(&indicator_key_json(&ikey)).ok(),
            Some(ikey)
        );
        assert!(
            indicator_key_from(&serde_json::json!([2024, "a", "b", "c", "d", "e", "x"])).is_err()
        );
        assert!(evaluation_key_from(&serde_json::json!(["a", "y"])).is_err());
    }
}
