//! `evaluation_history`: append-only, one row per change of data or state.

use sea_orm::entity::prelude::*;
use sea_orm::{IntoActiveModel, QueryOrder};

use super::packed::PackedJson;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub evaluation_id: String,
    /// 1, 2, 3 … per evaluation.
    pub seq: i64,
    pub action: String,
    pub actor: String,
    pub at: DateTimeUtc,
    pub status_before: Option<String>,
    pub status_after: String,
    /// The evaluation's version after the change.
    pub version: i64,
    pub reason: Option<String>,
    /// JSON array of `{pointer, before, after}`.
    pub changes: PackedJson,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Appends an entry (nothing is read back).
pub async fn append(db: &impl ConnectionTrait, m: Model) -> Result<(), DbErr> {
    Entity::insert(m.into_active_model().reset_all())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn of(db: &impl ConnectionTrait, evaluation_id: &str) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::EvaluationId.eq(evaluation_id))
        .order_by_asc(Column::Seq)
        .all(db)
        .await
}

/// The first entry of an evaluation's history (its creation), when there is one.
pub async fn first(db: &impl ConnectionTrait, evaluation_id: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::EvaluationId.eq(evaluation_id))
        .filter(Column::Seq.eq(1))
        .one(db)
        .await
}

/// Writes out the changes of entry `id` (one that was derived until now; the entries stay
/// append-only in what they say).
pub async fn set_changes(
    db: &impl ConnectionTrait,
    id: &str,
    changes: PackedJson,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Changes, sea_orm::sea_query::Expr::value(changes))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
