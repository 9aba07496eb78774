//! Reading the change feed in the caller's scope (the entries are written by
//! [`crate::app::feed`], last in every write).

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::app::scope::{CallerScope, visible_statuses};
use crate::app::uow::UnitOfWork;
use crate::domain::policy::Principal;
use crate::error::ApiError;
use crate::model::vocab::{ChangeEntity, ChangeOp, EvaluationStatus, Vocabulary};
use crate::store::changes as store;

/// One change as the caller sees it.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    /// Its number in feed order.
    pub seq: i64,
    pub entity: ChangeEntity,
    pub id: String,
    /// `deleted` also for an evaluation that has left the caller's view.
    pub op: ChangeOp,
    pub version: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The object as of the change (`None` for a tombstone).
    pub data: Option<serde_json::Value>,
}

/// The changes in the caller's scope after number `after` (at most `limit`), in feed order,
/// and the number to continue from (`after` again when nothing new has happened).
pub async fn after(
    db: &DatabaseConnection,
    principal: &Principal,
    after: i64,
    limit: u64,
) -> Result<(Vec<FeedEntry>, i64), ApiError> {
    let caller = CallerScope::of(db, principal).await?;
    let filter = store::Filter {
        scope_prefix: caller.region_prefix,
        scope_department_ids: caller.department_ids,
        evaluation_statuses: visible_statuses(principal, None)?,
    };
    let rows = committed_after(db, &filter, after, limit).await?;
    let next = rows.last().map_or(after, |r| r.seq);
    let entries = rows
        .into_iter()
        .map(|r| entry(principal, r))
        .collect::<Result<_, ApiError>>()?;
    Ok((entries, next))
}

/// The feed's frontier: the highest number below which every change is committed
/// (`store::changes::max_seq`), read under the feed lock in a unit of work of its own where
/// the database needs it.
pub async fn frontier(db: &DatabaseConnection) -> Result<i64, ApiError> {
    if !store::needs_feed_lock(db) {
        return Ok(store::max_seq(db).await?);
    }
    UnitOfWork::run(db, async |txn| {
        store::lock_feed(txn).await?;
        // A statement begun after the lock was granted: it sees every commit made before.
        Ok(store::max_seq(txn).await?)
    })
    .await
}

/// The changes `filter` selects after number `after` and up to the [`frontier`], in feed
/// order, at most `limit`: a reader that follows the numbers never skips a committed change
/// and never sees an uncommitted one (docs/FEED.md).
pub async fn committed_after(
    db: &DatabaseConnection,
    filter: &store::Filter,
    after: i64,
    limit: u64,
) -> Result<Vec<store::Model>, ApiError> {
    let upto = frontier(db).await?;
    Ok(store::between(db, filter, after, upto, limit).await?)
}

/// A stored change as the caller sees it: an evaluation now in a state the caller does not
/// see has left the caller's view, so it is a tombstone, as if deleted.
fn entry(principal: &Principal, r: store::Model) -> Result<FeedEntry, ApiError> {
    let context = format!("change {}", r.seq);
    let entity = ChangeEntity::from_stored(&r.entity, &context)?;
    let gone = entity == ChangeEntity::Evaluation
        && !principal.sees_evaluation_in_state(
            r.status
                .as_deref()
                .map(|s| EvaluationStatus::from_stored(s, &context))
                .transpose()?
                .is_some_and(|s| s.domain().published()),
        );
    let (op, data) = if gone {
        (ChangeOp::Deleted, None)
    } else {
        (
            ChangeOp::from_stored(&r.op, &context)?,
            r.data.and_then(|d| serde_json::from_str(d.as_str()).ok()),
        )
    };
    Ok(FeedEntry {
        seq: r.seq,
        entity,
        id: r.entity_id,
        op,
        version: r.version,
        at: r.at,
        actor: r.actor,
        data,
    })
}
