//! The aggregate cells as the writes use them: what a write owes them ("rows, then debt"), the
//! start-up fill, and the recounts the tests compare them with. The tables themselves
//! ([`super::cells`], [`super::indicator_cells`]) only store and select; reads
//! settle every committed debt first in the application layer (`app::cells::settle`).

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr};

use super as evaluations;
use super::cells::{self as evaluation_cells, Key};
use super::indicator_cells::{self, Delta};
use super::indicator_results;
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

/// Every evaluation cell in key order, and what they should hold recounted from the
/// evaluations: equal when the cells are right (settled first: `app::cells`).
pub async fn evaluation_cells_and_recount(
    db: &impl ConnectionTrait,
) -> Result<(Vec<Cell>, Vec<Cell>), DbErr> {
    Ok((
        evaluation_cells::stored(db).await?,
        evaluation_cells::expected(db).await?,
    ))
}

/// The indicator cells' non-zero counts, and the same recounted from every indicator row:
/// equal when the cells are right (settled first: `app::cells`).
pub async fn indicator_cells_and_recount(
    db: &impl ConnectionTrait,
) -> Result<
    (
        BTreeMap<indicator_cells::Key, i64>,
        BTreeMap<indicator_cells::Key, i64>,
    ),
    DbErr,
> {
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
