//! The `funds` table: one allocation each, amounts as exact text.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, Condition, QueryOrder};

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

#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub scope_prefix: String,
    /// Department ids the caller is limited to, when it is.
    pub scope_department_ids: Option<Vec<String>>,
    pub department_id: Option<String>,
    pub year: Option<i32>,
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
    let mut cond = Condition::all()
        .add(Column::DeletedAt.is_null())
        .add(Column::RegionCode.starts_with(filter.scope_prefix.clone()));
    if let Some(ids) = &filter.scope_department_ids {
        cond = cond.add(Column::DepartmentId.is_in(ids.iter().cloned()));
    }
    if let Some(v) = &filter.department_id {
        cond = cond.add(Column::DepartmentId.eq(v.clone()));
    }
    if let Some(v) = filter.year {
        cond = cond.add(Column::Year.eq(v));
    }
    if let Some(v) = &filter.project_id {
        cond = cond.add(Column::ProjectId.eq(v.clone()));
    }
    if let Some(v) = &filter.level {
        cond = cond.add(Column::Level.eq(v.clone()));
    }
    if let Some(v) = &filter.source {
        cond = cond.add(Column::Source.eq(v.clone()));
    }
    if let Some(after) = after {
        cond = cond.add(Column::Id.gt(after.to_owned()));
    }
    super::page(
        db,
        Entity::find().filter(cond).order_by_asc(Column::Id),
        limit,
    )
    .await
}

pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id.to_owned())
        .filter(Column::DeletedAt.is_null())
        .one(db)
        .await
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

pub async fn insert(db: &impl ConnectionTrait, m: Model) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(m.id),
        department_id: Set(m.department_id),
        region_code: Set(m.region_code),
        year: Set(m.year),
        project_id: Set(m.project_id),
        name: Set(m.name),
        source: Set(m.source),
        level: Set(m.level),
        purpose: Set(m.purpose),
        initial: Set(m.initial),
        full_year: Set(m.full_year),
        executed: Set(m.executed),
        version: Set(m.version),
        created_at: Set(m.created_at),
        updated_at: Set(m.updated_at),
        deleted_at: Set(m.deleted_at),
    }
    .insert(db)
    .await
}

/// Writes `next` over the row when its version is still `current_version`.
pub async fn overwrite(
    db: &impl ConnectionTrait,
    current_version: i64,
    next: &Model,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(
            Column::DepartmentId,
            Expr::value(next.department_id.clone()),
        )
        .col_expr(Column::RegionCode, Expr::value(next.region_code.clone()))
        .col_expr(Column::Year, Expr::value(next.year))
        .col_expr(Column::ProjectId, Expr::value(next.project_id.clone()))
        .col_expr(Column::Name, Expr::value(next.name.clone()))
        .col_expr(Column::Source, Expr::value(next.source.clone()))
        .col_expr(Column::Level, Expr::value(next.level.clone()))
        .col_expr(Column::Purpose, Expr::value(next.purpose.clone()))
        .col_expr(Column::Initial, Expr::value(next.initial))
        .col_expr(Column::FullYear, Expr::value(next.full_year))
        .col_expr(Column::Executed, Expr::value(next.executed))
        .col_expr(Column::Version, Expr::value(next.version))
        .col_expr(Column::UpdatedAt, Expr::value(next.updated_at))
        .col_expr(Column::DeletedAt, Expr::value(next.deleted_at))
        .filter(Column::Id.eq(next.id.clone()))
        .filter(Column::Version.eq(current_version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
