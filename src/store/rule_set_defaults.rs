//! `rule_set_defaults`: the default rule set per region, kind and year (`0` = every year).

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rule_set_defaults")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// 0: every year.
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    pub rule_set_id: String,
    pub rule_set_version: Option<i32>,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Every live default, in region, kind and year order.
pub async fn live(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::DeletedAt.is_null())
        .order_by_asc(Column::RegionCode)
        .order_by_asc(Column::Kind)
        .order_by_asc(Column::Year)
        .all(db)
        .await
}

/// The live defaults of these regions and kind (for resolving an evaluation's rule set).
pub async fn of_regions(
    db: &impl ConnectionTrait,
    regions: &[String],
    kind: &str,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::DeletedAt.is_null())
        .filter(Column::RegionCode.is_in(regions.iter().cloned()))
        .filter(Column::Kind.eq(kind))
        .all(db)
        .await
}

/// One row, deleted or not.
pub async fn get(
    db: &impl ConnectionTrait,
    region: &str,
    kind: &str,
    year: i32,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id((region.to_owned(), kind.to_owned(), year))
        .one(db)
        .await
}

/// Inserts a new row.
pub async fn insert(db: &impl ConnectionTrait, m: Model) -> Result<(), DbErr> {
    active(m).insert(db).await?;
    Ok(())
}

/// Replaces the row whose version is `previous`; false when it changed in between.
pub async fn replace(db: &impl ConnectionTrait, m: Model, previous: i64) -> Result<bool, DbErr> {
    let key = (m.region_code.clone(), m.kind.clone(), m.year);
    let done = Entity::update_many()
        .set(active(m))
        .filter(Column::RegionCode.eq(key.0))
        .filter(Column::Kind.eq(key.1))
        .filter(Column::Year.eq(key.2))
        .filter(Column::Version.eq(previous))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

fn active(m: Model) -> ActiveModel {
    ActiveModel {
        region_code: Set(m.region_code),
        kind: Set(m.kind),
        year: Set(m.year),
        rule_set_id: Set(m.rule_set_id),
        rule_set_version: Set(m.rule_set_version),
        version: Set(m.version),
        updated_by: Set(m.updated_by),
        updated_at: Set(m.updated_at),
        deleted_at: Set(m.deleted_at),
    }
}
