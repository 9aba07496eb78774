//! The change feed's table, and the one function every write path calls before committing.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, Condition, DbBackend, QueryOrder, QuerySelect, Statement};

use crate::store::packed::PackedJson;

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
    /// The resource as of the change (JSON, packed: `store::packed`); absent for deletes
    /// (tombstones).
    pub data: Option<PackedJson>,
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

/// The advisory lock that keeps feed numbers in commit order on PostgreSQL, without making
/// writers wait for each other: every writer takes it *shared* just before it draws its feed
/// number and holds it to its commit; a reader takes it *exclusively* for a moment to learn
/// the feed's frontier ([`frontier`]).
const FEED_LOCK: i64 = 0x6a69_7869_616f;

/// Whether readers learn the feed's frontier under the feed lock (PostgreSQL: writers number
/// their changes in any order and commit in any order). On SQLite, one writer at a time,
/// everything committed is the frontier.
pub fn needs_feed_lock(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// Takes the feed lock exclusively for the rest of the caller's transaction: it is granted
/// once no writer that drew a number is still running (writers hold it shared from their
/// number to their commit).
pub async fn lock_feed(txn: &impl ConnectionTrait) -> Result<(), DbErr> {
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1)",
        [FEED_LOCK.into()],
    ))
    .await?;
    Ok(())
}

/// The highest committed feed number (0 for an empty feed). Read under [`lock_feed`] on
/// PostgreSQL, it is the frontier: every change numbered at or below it is committed (or
/// rolled back and never seen), and every change numbered later will get a higher number.
/// The application layer reads it so (`app::changes::frontier`).
pub async fn max_seq(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(Entity::find()
        .select_only()
        .column_as(Column::Seq.max(), "seq")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten()
        .unwrap_or(0))
}

/// Appends a change, numbered in commit order (see [`max_seq`]). Call it last in the
/// transaction, so the feed lock is held (shared) for as little as can be.
pub async fn record(db: &impl ConnectionTrait, change: Change<'_>) -> Result<(), DbErr> {
    let at = crate::clock::now();
    let data = change.data.map(|d| PackedJson(d.to_string()));
    if db.get_database_backend() == DbBackend::Postgres {
        // One round trip: the row is built from the subquery that takes the lock, so its
        // number (the column's default) is drawn after the lock is held.
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO changes \
             (entity, entity_id, op, version, region_code, department_id, status, actor, at, data) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
             FROM (SELECT pg_advisory_xact_lock_shared($11)) AS feed_lock",
            [
                change.entity.into(),
                change.entity_id.into(),
                change.op.into(),
                change.version.into(),
                change.region_code.into(),
                change.department_id.map(str::to_owned).into(),
                change.status.map(str::to_owned).into(),
                change.actor.into(),
                at.into(),
                data.into(),
                FEED_LOCK.into(),
            ],
        ))
        .await?;
        return Ok(());
    }
    let row = ActiveModel {
        entity: Set(change.entity.to_owned()),
        entity_id: Set(change.entity_id.to_owned()),
        op: Set(change.op.to_owned()),
        version: Set(change.version),
        region_code: Set(change.region_code.to_owned()),
        department_id: Set(change.department_id.map(str::to_owned)),
        status: Set(change.status.map(str::to_owned)),
        actor: Set(change.actor.to_owned()),
        at: Set(at),
        data: Set(data),
        ..Default::default()
    };
    Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

/// Feed filters: the caller's scope.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub scope_prefix: String,
    pub scope_department_ids: Option<Vec<String>>,
    /// When set, evaluation and comment changes only in these statuses (viewers), and changes
    /// of evaluations that were in one of them before (tombstones for the caller).
    pub evaluation_statuses: Option<Vec<String>>,
}

/// The changes in the caller's scope numbered after `after` and up to `upto` (the frontier),
/// in feed order, at most `limit`.
pub async fn between(
    db: &impl ConnectionTrait,
    filter: &Filter,
    after: i64,
    upto: i64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    if upto <= after {
        return Ok(Vec::new());
    }
    let mut cond = Condition::all()
        .add(Column::Seq.gt(after))
        .add(Column::Seq.lte(upto))
        .add_option(crate::store::query::starts_with(
            Column::RegionCode,
            &filter.scope_prefix,
        ));
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
        // Changes without a status (departments, funds, projects) are not filtered; a comment
        // carries its evaluation's status and is seen where the evaluation is.
        cond = cond.add(
            Condition::any()
                .add(Column::Status.is_null())
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
