//! The `departments` table.

use sea_orm::entity::prelude::*;

use super::query::{self, Optionally};
use sea_orm::{Condition, QueryOrder, QuerySelect};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "departments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub budget_code: String,
    pub name: String,
    pub region_code: String,
    pub parent_id: Option<String>,
    pub kind: String,
    /// JSON array of strings.
    pub responsibilities: String,
    pub internal_bodies: String,
    pub subordinate_units: String,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

query::versioned_rows!();

/// List filters.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// The caller's region scope (code prefix).
    pub scope_prefix: String,
    /// The caller's department list, when it has one (ids or budget codes).
    pub scope_departments: Option<Vec<String>>,
    pub region_prefix: Option<String>,
    pub parent_id: Option<String>,
    pub name_contains: Option<String>,
}

/// Restricts a query to the departments a caller may see.
pub fn scope_condition(scope_prefix: &str, departments: Option<&[String]>) -> Condition {
    let mut cond =
        Condition::all().add_some(super::query::starts_with(Column::RegionCode, scope_prefix));
    if let Some(list) = departments {
        cond = cond.add(
            Condition::any()
                .add(Column::Id.is_in(list.iter().cloned()))
                .add(Column::BudgetCode.is_in(list.iter().cloned())),
        );
    }
    cond
}

pub async fn list(
    db: &impl ConnectionTrait,
    filter: &Filter,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<Model>, bool), DbErr> {
    let scope = scope_condition(&filter.scope_prefix, filter.scope_departments.as_deref());
    let cond = Condition::all()
        .add(Column::DeletedAt.is_null())
        .add(scope)
        .prefix_some(Column::RegionCode, filter.region_prefix.as_deref())
        .eq_some(Column::ParentId, filter.parent_id.clone())
        .add_some(
            (filter.name_contains.as_deref())
                .map(|v| super::query::contains_literally(Column::Name, v)),
        );
    query::page_after::<Entity>(db, cond, Column::Id, after, limit).await
}

/// Live departments with this budget code in regions starting with one of `prefixes`.
pub async fn by_budget_code(
    db: &impl ConnectionTrait,
    code: &str,
    regions: &[String],
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::DeletedAt.is_null())
        .filter(Column::BudgetCode.eq(code))
        .filter(Column::RegionCode.is_in(regions.iter().cloned()))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Live departments with this budget code anywhere under a region prefix.
pub async fn by_budget_code_under(
    db: &impl ConnectionTrait,
    code: &str,
    prefix: &str,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::DeletedAt.is_null())
        .filter(Column::BudgetCode.eq(code))
        .filter(Condition::all().add_some(super::query::starts_with(Column::RegionCode, prefix)))
        .order_by_asc(Column::Id)
        .limit(10)
        .all(db)
        .await
}

/// A live department holding this budget code, in any region except the one with id
/// `except` (budget codes are unique among live departments service-wide).
pub async fn live_with_budget_code(
    db: &impl ConnectionTrait,
    code: &str,
    except: Option<&str>,
) -> Result<Option<Model>, DbErr> {
    let mut query = Entity::find()
        .filter(Column::DeletedAt.is_null())
        .filter(Column::BudgetCode.eq(code));
    if let Some(id) = except {
        query = query.filter(Column::Id.ne(id));
    }
    query.one(db).await
}

/// Any row, live or deleted, with this region and budget code.
pub async fn by_natural_key(
    db: &impl ConnectionTrait,
    region: &str,
    code: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::RegionCode.eq(region))
        .filter(Column::BudgetCode.eq(code))
        .one(db)
        .await
}

/// Number of live departments whose parent is `id`.
pub async fn count_children(db: &impl ConnectionTrait, id: &str) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::DeletedAt.is_null())
        .filter(Column::ParentId.eq(id))
        .count(db)
        .await
}

/// The departments with these ids (deleted ones included: old evaluations still name them),
/// in one query.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Model>, DbErr> {
    query::with_keys::<Entity>(db, Column::Id, ids, Condition::all()).await
}
