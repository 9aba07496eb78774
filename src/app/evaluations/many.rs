//! Many evaluations in one request (the batch, the Excel import): each created or replaced by
//! its natural key under a savepoint, so one that fails leaves the others intact, and written
//! all together (atomic), each on its own, or not at all (a dry run).

use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};

use super::upsert;
use crate::app::uow::UnitOfWork;
use crate::domain::policy::Principal;
use crate::error::ApiError;
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
