//! Many evaluations in one request (the batch, the Excel import): each created or replaced by
//! its natural key under a savepoint, so one that fails leaves the others intact, and written
//! all together (atomic), each on its own, or not at all (a dry run).

use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};

use super::upsert;
use crate::app::uow::UnitOfWork;
use crate::domain::policy::Principal;
use crate::error::ApiError;
use crate::model::batch::{BatchSummary, ItemResult};
use crate::model::evaluation_dto::EvaluationInput;
use crate::model::findings::FindingDto;
use crate::model::vocab::ItemOutcome;
use crate::store::evaluations::Model;

/// How the items of a request are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// All items in one transaction, written only when every one succeeded.
    pub atomic: bool,
    /// Checked and scored, nothing written.
    pub dry_run: bool,
}

/// What one item came to: the row as it would be (or was) written, created or replaced, and
/// its findings.
pub type Done = (Model, ItemOutcome, Vec<FindingDto>);

/// Upserts every input in `mode`; the outcome of each, in order. An `Err` of the whole call is
/// a failure of the database itself (nothing is written then).
pub async fn upsert_many<'a>(
    db: &DatabaseConnection,
    principal: &Principal,
    inputs: impl IntoIterator<Item = &'a EvaluationInput>,
    mode: Mode,
) -> Result<Vec<Result<Done, ApiError>>, ApiError> {
    let mut out = Vec::new();
    if mode.atomic {
        let uow = UnitOfWork::begin(db).await?;
        for input in inputs {
            out.push(in_savepoint(uow.db(), principal, input).await?);
        }
        if !mode.dry_run && out.iter().all(Result::is_ok) {
            uow.commit().await?;
        } else {
            uow.rollback().await?;
        }
    } else {
        for input in inputs {
            let uow = UnitOfWork::begin(db).await?;
            let done = in_savepoint(uow.db(), principal, input).await?;
            if done.is_ok() && !mode.dry_run {
                uow.commit().await?;
            } else {
                uow.rollback().await?;
            }
            out.push(done);
        }
    }
    Ok(out)
}

/// One item under a savepoint: its failure rolls back only what it wrote.
async fn in_savepoint(
    txn: &DatabaseTransaction,
    principal: &Principal,
    input: &EvaluationInput,
) -> Result<Result<Done, ApiError>, ApiError> {
    let savepoint = txn.begin().await?;
    match upsert(&savepoint, principal, input).await {
        Ok(done) => {
            savepoint.commit().await?;
            Ok(Ok(done))
        }
        Err(e) => {
            savepoint.rollback().await?;
            Ok(Err(e))
        }
    }
}

/// Settles the items' answers once every item has run, and sums them up. In an atomic batch
/// with a failure nothing was written: the items that would have succeeded are `not_applied`
/// and name no row. In a dry run nothing was written either: no id for a row that does not
/// exist and no version that was never stored (a replace names the existing row and its
/// unchanged status).
pub fn settle(results: &mut [ItemResult], mode: Mode) -> BatchSummary {
    let count =
        |results: &[ItemResult], outcome| results.iter().filter(|r| r.outcome == outcome).count();
    let failed = count(results, ItemOutcome::Failed);
    if mode.atomic && failed > 0 {
        for r in results
            .iter_mut()
            .filter(|r| r.outcome != ItemOutcome::Failed)
        {
            r.outcome = ItemOutcome::NotApplied;
            r.id = None;
            r.version = None;
            r.status = None;
        }
    }
    if mode.dry_run {
        for r in results.iter_mut() {
            if r.outcome != ItemOutcome::Replaced {
                r.id = None;
                r.status = None;
            }
            r.version = None;
        }
    }
    let applied = !mode.dry_run
        && (if mode.atomic {
            failed == 0
        } else {
            failed < results.len()
        });
    BatchSummary {
        total: results.len(),
        created: count(results, ItemOutcome::Created),
        replaced: count(results, ItemOutcome::Replaced),
        failed,
        dry_run: mode.dry_run,
        atomic: mode.atomic,
        applied,
    }
}
