//! The unit of work: one write transaction, and the one order in which every write lands in it.
//!
//! A write is its rows, then its history entry, then the aggregate cells, then the change
//! feed, then the commit. Writers do not wait for each other on PostgreSQL: the cells step
//! only appends what the write owes the cells (`store::evaluations::pending_cells`), and the feed entry
//! takes the feed lock *shared* until the commit, so its number is in commit order for the
//! readers (`app::changes::frontier`); it comes last to hold that lock for as little as can
//! be. [`land`] is that order in code; a use case that fails at any step drops its unit of work
//! uncommitted, and nothing of the write remains.

use std::future::Future;

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};

use crate::error::ApiError;

/// One write of an aggregate, in the steps [`land`] runs in order.
pub trait Write {
    /// What the write answers with (the row as written).
    type Output;

    /// The aggregate's own rows and their child rows.
    fn rows(
        &mut self,
        db: &impl ConnectionTrait,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// The history entry of the change.
    fn history(
        &mut self,
        db: &impl ConnectionTrait,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// The maintained aggregate cells the change moves.
    fn cells(
        &mut self,
        db: &impl ConnectionTrait,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// The change-feed entry.
    fn feed(
        &mut self,
        db: &impl ConnectionTrait,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    fn into_output(self) -> Self::Output;
}

/// Lands `write` in `db`, a transaction the caller commits: rows → history → cells → feed.
pub async fn land<W: Write>(
    db: &impl ConnectionTrait,
    mut write: W,
) -> Result<W::Output, ApiError> {
    write.rows(db).await?;
    write.history(db).await?;
    write.cells(db).await?;
    write.feed(db).await?;
    Ok(write.into_output())
}

/// A write transaction: begun by a use case, handed to the reads and writes it makes, and
/// committed by it once everything landed. Dropped uncommitted (an error on the way), it
/// rolls back.
pub struct UnitOfWork {
    txn: DatabaseTransaction,
}

impl UnitOfWork {
    /// Begins the write transaction (on SQLite it takes the write lock at once).
    pub async fn begin(db: &DatabaseConnection) -> Result<Self, ApiError> {
        Ok(Self {
            txn: crate::store::begin_write(db).await?,
        })
    }

    /// Runs `work` in a unit of work of its own: committed when it succeeds, rolled back when
    /// it fails.
    pub async fn run<T>(
        db: &DatabaseConnection,
        work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let uow = Self::begin(db).await?;
        let out = work(uow.db()).await?;
        uow.commit().await?;
        Ok(out)
    }

    /// The transaction, for the reads of the use case and for [`land`].
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Commits everything written in it.
    pub async fn commit(self) -> Result<(), ApiError> {
        self.txn.commit().await?;
        Ok(())
    }

    /// Rolls back everything written in it (a dry run, or a batch that failed as a whole).
    pub async fn rollback(self) -> Result<(), ApiError> {
        self.txn.rollback().await?;
        Ok(())
    }
}
