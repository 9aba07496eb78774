//! Bringing a database up to date at start-up: every pending migration, then the aggregate
//! cells filled once where a database from before them has evaluations but no cells.

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

use crate::app::uow::UnitOfWork;
use crate::store::evaluations::owed as cells;

/// Applies every pending migration, then fills the maintained aggregate cells if a database
/// from before them has evaluations but no cells yet (in one unit of work).
pub async fn migrate_up(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("cannot apply migrations")?;
    let filled = UnitOfWork::run(db, async |txn| Ok(cells::fill_if_empty(txn).await?))
        .await
        .map_err(|e| anyhow::anyhow!("cannot fill the aggregate cells: {e:?}"))?;
    if filled {
        tracing::info!("filled the aggregate cells from the existing evaluations");
    }
    Ok(())
}
