//! The aggregate cells as reads see them: every committed write accounted for. On PostgreSQL
//! writes only record what they owe the cells (`store::evaluations::pending_cells`); a read settles it
//! first, a round at a time, each round a unit of work of its own under the cells' lock. On
//! SQLite the writes changed the cells already.

use std::collections::BTreeMap;

use sea_orm::DatabaseConnection;

use crate::app::uow::UnitOfWork;
use crate::domain::stats::Cell;
use crate::error::ApiError;
use crate::store::evaluations::{indicator_cells, owed as cells, pending_cells};

/// Folds every committed debt into the cells; call it before reading cells.
pub async fn settle(db: &DatabaseConnection) -> Result<(), ApiError> {
    if !pending_cells::deferred(db) {
        return Ok(());
    }
    while pending_cells::owed(db).await? {
        let more =
            UnitOfWork::run(db, async |txn| Ok(pending_cells::settle_round(txn).await?)).await?;
        if !more {
            break;
        }
    }
    Ok(())
}

/// The evaluation cells, settled, and a recount from the evaluations: equal when the cells
/// are right.
pub async fn evaluation_cells_and_recount(
    db: &DatabaseConnection,
) -> Result<(Vec<Cell>, Vec<Cell>), ApiError> {
    settle(db).await?;
    Ok(cells::evaluation_cells_and_recount(db).await?)
}

/// The indicator cells' non-zero counts, settled, and a recount from the indicator rows.
pub async fn indicator_cells_and_recount(
    db: &DatabaseConnection,
) -> Result<
    (
        BTreeMap<indicator_cells::Key, i64>,
        BTreeMap<indicator_cells::Key, i64>,
    ),
    ApiError,
> {
    settle(db).await?;
    Ok(cells::indicator_cells_and_recount(db).await?)
}
