//! The `funds` table: one allocation each, amounts as exact text.

use sea_orm::entity::prelude::*;

use super::query::{self, Optionally, Placement};
use sea_orm::{Condition, QueryOrder};

use super::money::StoredDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "funds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub department_id: String,
    pub region_code: String,
    pub year: i32,
    pub project_id: Option<String>,
    pub name: String,
    pub source: Option<String>,
    pub level: String,
    pub purpose: Option<String>,
    pub initial: Option<StoredDecimal>,
    pub full_year: Option<StoredDecimal>,
    pub executed: Option<StoredDecimal>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

query::versioned_rows!();

#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Scope, year and region (no statuses: funds have none).
    pub place: Placement,
    pub department_id: Option<String>,
    pub project_id: Option<String>,
    pub level: Option<String>,
    pub source: Option<String>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    filter: &Filter,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<Model>, bool), DbErr> {
    let cond = Condition::all()
        .add(Column::DeletedAt.is_null())
        .add(
            filter
                .place
                .owned((Column::RegionCode, Column::DepartmentId, Column::Year)),
        )
        .eq_some(Column::DepartmentId, filter.department_id.clone())
        .eq_some(Column::ProjectId, filter.project_id.clone())
        .eq_some(Column::Level, filter.level.clone())
        .eq_some(Column::Source, filter.source.clone());
    query::page_after::<Entity>(db, cond, Column::Id, after, limit).await
}

/// Every live fund of a department year, in creation order.
pub async fn of_department_year(
    db: &impl ConnectionTrait,
    department_id: &str,
    year: i32,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::DeletedAt.is_null())
        .filter(Column::DepartmentId.eq(department_id))
        .filter(Column::Year.eq(year))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Every live fund of the given projects, in creation order.
pub async fn of_projects(
    db: &impl ConnectionTrait,
    project_ids: &[String],
) -> Result<Vec<Model>, DbErr> {
    if project_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::DeletedAt.is_null())
        .filter(Column::ProjectId.is_in(project_ids.iter().cloned()))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}
