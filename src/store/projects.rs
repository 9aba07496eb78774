//! The `projects` table.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, Condition, QueryOrder};

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
    if let Some(v) = &filter.region_prefix {
        cond = cond.add(Column::RegionCode.starts_with(v.clone()));
    }
    if let Some(v) = &filter.name_contains {
        cond = cond.add(super::contains_literally(Column::Name, v));
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
    ActiveModel {
        id: Set(m.id),
        department_id: Set(m.department_id),
        region_code: Set(m.region_code),
        year: Set(m.year),
        name: Set(m.name),
        competent_department: Set(m.competent_department),
        implementing_organisation: Set(m.implementing_organisation),
        description: Set(m.description),
        annual_goal: Set(m.annual_goal),
        version: Set(m.version),
        created_at: Set(m.created_at),
        updated_at: Set(m.updated_at),
        deleted_at: Set(m.deleted_at),
    }
    .insert(db)
    .await
}

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
        .col_expr(Column::Name, Expr::value(next.name.clone()))
        .col_expr(
            Column::CompetentDepartment,
            Expr::value(next.competent_department.clone()),
        )
        .col_expr(
            Column::ImplementingOrganisation,
            Expr::value(next.implementing_organisation.clone()),
        )
        .col_expr(Column::Description, Expr::value(next.description.clone()))
        .col_expr(Column::AnnualGoal, Expr::value(next.annual_goal.clone()))
        .col_expr(Column::Version, Expr::value(next.version))
        .col_expr(Column::UpdatedAt, Expr::value(next.updated_at))
        .col_expr(Column::DeletedAt, Expr::value(next.deleted_at))
        .filter(Column::Id.eq(next.id.clone()))
        .filter(Column::Version.eq(current_version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The projects with these ids (deleted ones included), in one query.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await
}
