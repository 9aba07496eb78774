//! `evaluation_comments`: the thread on an evaluation (and its rows), oldest first.

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_comments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub evaluation_id: String,
    /// The indicator row the comment is on (`None`: the whole evaluation).
    pub row_index: Option<i32>,
    pub body: String,
    pub author: String,
    pub role: String,
    /// The version of the evaluation the comment made.
    pub evaluation_version: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Adds a comment, in the caller's transaction.
pub async fn insert(db: &impl ConnectionTrait, m: Model) -> Result<(), DbErr> {
    Entity::insert(ActiveModel {
        id: Set(m.id),
        evaluation_id: Set(m.evaluation_id),
        row_index: Set(m.row_index),
        body: Set(m.body),
        author: Set(m.author),
        role: Set(m.role),
        evaluation_version: Set(m.evaluation_version),
        created_at: Set(m.created_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The comments on an evaluation, oldest first; only those on `row` when given.
pub async fn of(
    db: &impl ConnectionTrait,
    evaluation_id: &str,
    row: Option<i32>,
) -> Result<Vec<Model>, DbErr> {
    let mut select = Entity::find().filter(Column::EvaluationId.eq(evaluation_id.to_owned()));
    if let Some(r) = row {
        select = select.filter(Column::RowIndex.eq(r));
    }
    select
        .order_by_asc(Column::EvaluationVersion)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}
