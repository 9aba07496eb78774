//! `idempotency_keys`: the first answer to a POST under a key, for 24 hours.

use chrono::Duration;
use sea_orm::ActiveValue::Set;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    /// `{subject}\n{scope fingerprint}\n{key}`: keys are per caller and scope
    /// (`app::idempotency::storage_key`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub request_hash: String,
    /// `running` or `done`.
    pub state: String,
    pub status: Option<i32>,
    /// JSON array of [name, value] pairs.
    pub headers: Option<String>,
    /// Base64 of the body.
    pub body: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// How long a key is kept.
pub const KEEP_HOURS: i64 = 24;

/// What a claim on a key found.
#[derive(Debug)]
pub enum Claim {
    /// The key is ours: go on and record the answer.
    New,
    /// The same request was answered: replay it.
    Done(Model),
    /// The same request is being answered right now.
    Running,
    /// The key was used for another request.
    Mismatch,
}

/// Claims a key for a request (atomic across instances: the insert either wins or finds the
/// row another request made).
pub async fn claim(db: &impl ConnectionTrait, key: &str, hash: &str) -> Result<Claim, DbErr> {
    let cutoff = crate::clock::now() - Duration::hours(KEEP_HOURS);
    Entity::delete_many()
        .filter(Column::Key.eq(key))
        .filter(Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await?;
    let row = ActiveModel {
        key: Set(key.to_owned()),
        request_hash: Set(hash.to_owned()),
        state: Set("running".into()),
        status: Set(None),
        headers: Set(None),
        body: Set(None),
        created_at: Set(crate::clock::now()),
    };
    match row.insert(db).await {
        Ok(_) => Ok(Claim::New),
        Err(e) if super::database::is_unique_violation(&e) => {
            let Some(existing) = Entity::find_by_id(key.to_owned()).one(db).await? else {
                return Ok(Claim::Running);
            };
            Ok(if existing.request_hash != hash {
                Claim::Mismatch
            } else if existing.state == "done" {
                Claim::Done(existing)
            } else {
                Claim::Running
            })
        }
        Err(e) => Err(e),
    }
}

/// Records the answer.
pub async fn complete(
    db: &impl ConnectionTrait,
    key: &str,
    status: u16,
    headers: String,
    body: String,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::State, Expr::value("done"))
        .col_expr(Column::Status, Expr::value(i32::from(status)))
        .col_expr(Column::Headers, Expr::value(headers))
        .col_expr(Column::Body, Expr::value(body))
        .filter(Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives the key up (the request failed on our side: a retry may run it again).
pub async fn release(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::Key.eq(key))
        .filter(Column::State.eq("running"))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes expired keys.
pub async fn purge(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let cutoff = crate::clock::now() - Duration::hours(KEEP_HOURS);
    Ok(Entity::delete_many()
        .filter(Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}
