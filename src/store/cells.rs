//! The aggregate cells as the rest of the program uses them: what a write owes them, and
//! reads that first settle every committed debt ([`super::pending_cells`]). The tables
//! themselves ([`super::evaluation_cells`], [`super::indicator_cells`]) only store and
//! select; this module is the one place that orders "settle, then read" and "rows, then debt".

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

use super::evaluation_cells::{self, Key};
use super::evaluations::{self, Filter};
use super::indicator_cells::{self, Delta};
use super::indicator_results::{self, AchievementCount, Selection};
use super::pending_cells;
use crate::domain::stats::Cell;

/// Replaces an evaluation's indicator rows ([`indicator_results::replace`]) and returns how
/// the indicator cells change: the rows written count +1, the rows replaced −1.
pub async fn replace_indicator_rows(
    db: &impl ConnectionTrait,
    evaluation_id: &str,
    rows: Vec<indicator_results::Model>,
    fresh: bool,
) -> Result<Delta, DbErr> {
    let after = indicator_cells::counts(&rows);
    let before = indicator_results::replace(db, evaluation_id, rows, fresh).await?;
    Ok(indicator_cells::difference(
        indicator_cells::counts(&before),
        after,
    ))
}

/// Accounts in the cells for an evaluation that went from `before` (`None`: it is new) to
/// `after` (its grade and status may have changed; a deleted one leaves its cell), its
/// indicator rows having moved the cells by `rows` ([`pending_cells::owe`]: at once on SQLite,
/// at the next read of the cells on PostgreSQL, so writers never wait for each other on a
/// cell).
pub async fn owe(
    db: &impl ConnectionTrait,
    before: Option<&evaluations::Model>,
    after: &evaluations::Model,
    rows: Delta,
) -> Result<(), DbErr> {
    let mut keys = vec![Key::of(after)];
    keys.extend(before.map(Key::of));
    pending_cells::owe(db, &keys, rows).await
}

/// The evaluation cells a filter selects ([`evaluation_cells::answers`]), every committed
/// write accounted for.
pub async fn evaluation_cells<C>(db: &C, filter: &Filter) -> Result<Vec<Cell>, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    pending_cells::settle(db).await?;
    evaluation_cells::select(db, filter).await
}

/// Indicator row counts by 一级, 二级 and outcome over the cells a selection covers
/// ([`indicator_cells::answers`]), every committed write accounted for.
pub async fn achievement_counts<C>(
    db: &C,
    selection: &Selection,
) -> Result<Vec<AchievementCount>, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    pending_cells::settle(db).await?;
    indicator_cells::achievement_counts(db, selection).await
}

/// Every evaluation cell in key order, settled, and what they should hold recounted from the
/// evaluations: equal when the cells are right.
pub async fn evaluation_cells_and_recount<C>(db: &C) -> Result<(Vec<Cell>, Vec<Cell>), DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    pending_cells::settle(db).await?;
    Ok((
        evaluation_cells::stored(db).await?,
        evaluation_cells::expected(db).await?,
    ))
}

/// The indicator cells' non-zero counts, settled, and the same recounted from every indicator
/// row: equal when the cells are right.
pub async fn indicator_cells_and_recount<C>(
    db: &C,
) -> Result<
    (
        BTreeMap<indicator_cells::Key, i64>,
        BTreeMap<indicator_cells::Key, i64>,
    ),
    DbErr,
>
where
    C: ConnectionTrait + TransactionTrait,
{
    pending_cells::settle(db).await?;
    indicator_cells::stored_and_expected(db).await
}

/// Fills both kinds of cells from their rows when there are none yet (a database from before
/// the cells existed), under the cells' lock, in the caller's transaction. Returns whether it
/// filled any.
pub async fn fill_if_empty(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    pending_cells::lock_cells(db).await?;
    let evaluations = evaluation_cells::fill_if_empty(db).await?;
    let indicators = indicator_cells::fill_if_empty(db).await?;
    Ok(evaluations | indicators)
}
