//! The change feed's table, and the one function every write path calls before committing.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, Condition, DbBackend, QueryOrder, QuerySelect, Statement};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// department, fund, project or evaluation.
    pub entity: String,
    pub entity_id: String,
    /// created, updated, state_changed or deleted.
    pub op: String,
    pub version: i64,
    pub region_code: String,
    pub department_id: Option<String>,
    /// For evaluations: the status after the change.
    pub status: Option<String>,
    pub actor: String,
    pub at: DateTimeUtc,
    /// The resource as of the change (JSON); absent for deletes (tombstones).
    pub data: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A change to record.
pub struct Change<'a> {
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub op: &'a str,
    pub version: i64,
    pub region_code: &'a str,
    pub department_id: Option<&'a str>,
    pub status: Option<&'a str>,
    pub actor: &'a str,
    pub data: Option<serde_json::Value>,
}

/// The advisory lock that orders appends by commit on PostgreSQL.
const FEED_LOCK: i64 = 0x6a69_7869_616f;

/// Takes the feed's transaction-scoped lock on PostgreSQL (held until commit; taking it again
/// in the same transaction is free). Writers that must not interleave, such as the updates of
/// the maintained aggregates, take it too. SQLite serialises writers anyway.
pub async fn lock_writers(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [FEED_LOCK.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Appends a change. Call it last in the transaction: on PostgreSQL it takes a transaction-
/// scoped lock, so feed numbers are handed out in commit order and a reader that has seen
/// number n will never later find a smaller one appear. (SQLite serialises writers anyway.)
pub async fn record(db: &impl ConnectionTrait, change: Change<'_>) -> Result<(), DbErr> {
    lock_writers(db).await?;
    ActiveModel {
        entity: Set(change.entity.to_owned()),
        entity_id: Set(change.entity_id.to_owned()),
        op: Set(change.op.to_owned()),
        version: Set(change.version),
        region_code: Set(change.region_code.to_owned()),
        department_id: Set(change.department_id.map(str::to_owned)),
        status: Set(change.status.map(str::to_owned)),
        actor: Set(change.actor.to_owned()),
        at: Set(crate::clock::now()),
        data: Set(change.data.map(|d| d.to_string())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Feed filters: the caller's scope.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub scope_prefix: String,
    pub scope_department_ids: Option<Vec<String>>,
    /// When set, evaluation changes only in these statuses (viewers), and changes of
    /// evaluations that were in one of them before (tombstones for the caller).
    pub evaluation_statuses: Option<Vec<String>>,
}

/// The changes in the caller's scope after number `after`, in feed order.
pub async fn after(
    db: &impl ConnectionTrait,
    filter: &Filter,
    after: i64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = Condition::all()
        .add(Column::Seq.gt(after))
        .add(Column::RegionCode.starts_with(filter.scope_prefix.clone()));
    if let Some(ids) = &filter.scope_department_ids {
        cond = cond.add(Column::DepartmentId.is_in(ids.iter().cloned()));
    }
    if let Some(statuses) = &filter.evaluation_statuses {
        // An evaluation's change in a status the caller does not see still counts when the
        // caller saw the evaluation before (an earlier change in a visible status): the caller
        // gets it as a tombstone, so a replica built from the feed drops the evaluation.
        let earlier = Alias::new("earlier");
        let seen_before = Query::select()
            .expr(Expr::val(1))
            .from_as(Entity, earlier.clone())
            .and_where(Expr::col((earlier.clone(), Column::Entity)).eq("evaluation"))
            .and_where(
                Expr::col((earlier.clone(), Column::EntityId)).equals((Entity, Column::EntityId)),
            )
            .and_where(
                Expr::col((earlier.clone(), Column::Seq)).lt(Expr::col((Entity, Column::Seq))),
            )
            .and_where(Expr::col((earlier, Column::Status)).is_in(statuses.iter().cloned()))
            .to_owned();
        cond = cond.add(
            Condition::any()
                .add(Column::Entity.ne("evaluation"))
                .add(Column::Status.is_in(statuses.iter().cloned()))
                .add(Expr::exists(seen_before)),
        );
    }
    Entity::find()
        .filter(cond)
        .order_by_asc(Column::Seq)
        .limit(limit)
        .all(db)
        .await
}
