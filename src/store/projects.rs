//! The `projects` table.

use sea_orm::entity::prelude::*;

use super::query::{self, Optionally, Placement};
use sea_orm::{Condition, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub department_id: String,
    pub region_code: String,
    pub year: i32,
    pub name: String,
    pub competent_department: Option<String>,
    pub implementing_organisation: Option<String>,
    pub description: Option<String>,
    pub annual_goal: Option<String>,
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
    /// Scope, year and region (no statuses: projects have none).
    pub place: Placement,
    pub department_id: Option<String>,
    pub name_contains: Option<String>,
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
        .add_some(
            (filter.name_contains.as_deref())
                .map(|v| super::query::contains_literally(Column::Name, v)),
        );
    query::page_after::<Entity>(db, cond, Column::Id, after, limit).await
}

/// Live projects of a department year.
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

/// The projects with these ids (deleted ones included), in one query.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Model>, DbErr> {
    query::with_keys::<Entity>(db, Column::Id, ids, Condition::all()).await
}
