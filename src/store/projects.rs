//! The `projects` table.

use sea_orm::entity::prelude::*;

use super::query::{self, Optionally};
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

#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub scope_prefix: String,
    pub scope_department_ids: Option<Vec<String>>,
    pub department_id: Option<String>,
    pub year: Option<i32>,
    pub region_prefix: Option<String>,
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
        .add(Column::RegionCode.starts_with(filter.scope_prefix.clone()))
        .in_some(Column::DepartmentId, filter.scope_department_ids.as_deref())
        .eq_some(Column::DepartmentId, filter.department_id.clone())
        .eq_some(Column::Year, filter.year)
        .prefix_some(Column::RegionCode, filter.region_prefix.as_deref())
        .add_some(
            (filter.name_contains.as_deref())
                .map(|v| super::query::contains_literally(Column::Name, v)),
        );
    query::page_after::<Entity>(db, cond, Column::Id, after, limit).await
}

pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<Model>, DbErr> {
    query::live::<Entity>(db, id, Column::DeletedAt).await
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

pub async fn insert(db: &impl ConnectionTrait, m: Model) -> Result<Model, DbErr> {
    query::insert::<Entity>(db, m).await
}

/// Writes `next` over the row when its version is still `current_version`.
pub async fn overwrite(
    db: &impl ConnectionTrait,
    current_version: i64,
    next: &Model,
) -> Result<bool, DbErr> {
    let version = (Column::Version, current_version);
    query::overwrite::<Entity>(db, next.clone(), Column::Id, version, &[Column::CreatedAt]).await
}

/// The projects with these ids (deleted ones included), in one query.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Model>, DbErr> {
    query::with_keys::<Entity>(db, Column::Id, ids, Condition::all()).await
}
