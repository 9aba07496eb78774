//! Per-department, per-year documents (year profiles and finances), kept as JSON text with
//! exact decimal strings.

use sea_orm::ActiveValue::Set;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "department_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub department_id: String,
    /// `profile` or `finance`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    pub document: String,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const PROFILE: &str = "profile";
pub const FINANCE: &str = "finance";

pub async fn get(
    db: &impl ConnectionTrait,
    department_id: &str,
    kind: &str,
    year: i32,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id((department_id.to_owned(), kind.to_owned(), year))
        .one(db)
        .await
}

pub async fn insert(db: &impl ConnectionTrait, model: Model) -> Result<Model, DbErr> {
    ActiveModel {
        department_id: Set(model.department_id),
        kind: Set(model.kind),
        year: Set(model.year),
        document: Set(model.document),
        version: Set(model.version),
        created_at: Set(model.created_at),
        updated_at: Set(model.updated_at),
    }
    .insert(db)
    .await
}

/// Replaces the document when the version is still `current_version`.
pub async fn overwrite(
    db: &impl ConnectionTrait,
    current_version: i64,
    next: &Model,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::Document, Expr::value(next.document.clone()))
        .col_expr(Column::Version, Expr::value(next.version))
        .col_expr(Column::UpdatedAt, Expr::value(next.updated_at))
        .filter(Column::DepartmentId.eq(next.department_id.clone()))
        .filter(Column::Kind.eq(next.kind.clone()))
        .filter(Column::Year.eq(next.year))
        .filter(Column::Version.eq(current_version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
