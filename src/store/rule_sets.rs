//! `rule_sets`: rule-set versions added by administrators (the built-in ones live in code).

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rule_sets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    pub document: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .order_by_asc(Column::Id)
        .order_by_asc(Column::Version)
        .all(db)
        .await
}

/// The stored rule set `id` at `version`, or (no version) its latest stored version: one row,
/// however many versions are stored.
pub async fn of_id(
    db: &impl ConnectionTrait,
    id: &str,
    version: Option<i32>,
) -> Result<Option<Model>, DbErr> {
    let mut q = Entity::find().filter(Column::Id.eq(id));
    if let Some(v) = version {
        q = q.filter(Column::Version.eq(v));
    }
    q.order_by_desc(Column::Version).one(db).await
}

pub async fn insert(db: &impl ConnectionTrait, m: Model) -> Result<(), DbErr> {
    ActiveModel {
        id: Set(m.id),
        version: Set(m.version),
        document: Set(m.document),
        created_by: Set(m.created_by),
        created_at: Set(m.created_at),
    }
    .insert(db)
    .await?;
    Ok(())
}
