//! The `evaluations` table: one row per evaluation, the document (packed JSON), and the
//! computed figures dashboards filter and sort on. The tables derived from it are its
//! children: the aggregate cells (`cells`), the flat indicator rows (`indicator_results`) and
//! their cells (`indicator_cells`), what writes owe the cells (`pending_cells`, `owed`), and
//! the list summaries (`summaries`). This file uses none of them.

pub mod cells;
pub mod indicator_cells;
pub mod indicator_results;
pub mod owed;
pub mod pending_cells;
pub mod summaries;

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{Condition, IntoActiveModel, QuerySelect, Select};

use crate::domain::stats::Facts;
use crate::store::money::StoredDecimal;
use crate::store::packed::PackedJson;
use crate::store::query::{Optionally, Placement};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub natural_key: String,
    pub kind: String,
    pub department_id: String,
    pub region_code: String,
    pub project_id: Option<String>,
    pub year: i32,
    pub rule_set_id: String,
    pub rule_set_version: i32,
    pub status: String,
    pub document: PackedJson,
    pub total: StoredDecimal,
    pub grade: String,
    pub error_count: i32,
    /// Findings of severity warning (errors are `error_count`).
    pub warning_count: i32,
    /// What the final total and grade rest on: `computed` (the engine's scores) until a
    /// review exists.
    pub score_basis: String,
    pub budget_full_year: Option<StoredDecimal>,
    pub budget_executed: Option<StoredDecimal>,
    pub created_by: String,
    pub submitted_by: Option<String>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The basis of a total the engine computed (the `score_basis` of every evaluation written
/// with new data).
pub const BASIS_COMPUTED: &str = "computed";

/// The natural key: one evaluation per department, year, kind and project.
pub fn natural_key(department_id: &str, year: i32, kind: &str, project_id: Option<&str>) -> String {
    format!(
        "{department_id}|{year}|{kind}|{}",
        project_id.unwrap_or("-")
    )
}

#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Scope, statuses (viewers: submitted and approved only), year and region.
    pub place: Placement,
    pub department_id: Option<String>,
    pub project_id: Option<String>,
    pub kind: Option<String>,
    pub grade: Option<String>,
    /// Only evaluations whose final score rests on this basis (`computed`, `reviewed`).
    pub basis: Option<String>,
    pub updated_after: Option<DateTimeUtc>,
}

/// The columns that [`Filter::key_condition`] reads, in a table that has them all (the
/// evaluations, and their aggregate cells).
pub struct KeyColumns<C> {
    pub region_code: C,
    pub year: C,
    pub kind: C,
    pub grade: C,
    pub status: C,
    pub basis: C,
}

impl Filter {
    /// The filter's conditions on region (scope and filter), year, kind, grade and status.
    pub fn key_condition<C: ColumnTrait + Copy>(&self, c: KeyColumns<C>) -> Condition {
        (self.place)
            .condition((c.region_code, c.status, c.year))
            .eq_some(c.kind, self.kind.clone())
            .eq_some(c.grade, self.grade.clone())
            .eq_some(c.basis, self.basis.clone())
    }
}

pub fn condition(filter: &Filter) -> Condition {
    Condition::all()
        .add(Column::DeletedAt.is_null())
        .add(filter.key_condition(KeyColumns {
            region_code: Column::RegionCode,
            year: Column::Year,
            kind: Column::Kind,
            grade: Column::Grade,
            status: Column::Status,
            basis: Column::ScoreBasis,
        }))
        .in_some(
            Column::DepartmentId,
            filter.place.scope_department_ids.as_deref(),
        )
        .eq_some(Column::DepartmentId, filter.department_id.clone())
        .eq_some(Column::ProjectId, filter.project_id.clone())
        .add_some(filter.updated_after.map(|v| Column::UpdatedAt.gt(v)))
}

/// The live evaluations a filter selects after `after`, in id order: one page's query.
fn page_select(filter: &Filter, after: Option<&str>) -> Select<Entity> {
    crate::store::query::after_key::<Entity>(condition(filter), Column::Id, after)
}

pub async fn list(
    db: &impl ConnectionTrait,
    filter: &Filter,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<Model>, bool), DbErr> {
    crate::store::query::page(db, page_select(filter, after), limit).await
}

/// The same page as [`list`], each row handed to `each` as it is read.
pub async fn list_each<X: From<DbErr>>(
    db: &DatabaseConnection,
    filter: &Filter,
    after: Option<&str>,
    limit: u64,
    each: impl FnMut(Model) -> Result<(), X>,
) -> Result<bool, X> {
    crate::store::query::page_each(db, page_select(filter, after), limit, each).await
}

pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<Model>, DbErr> {
    crate::store::query::live::<Entity>(db, id, Column::DeletedAt).await
}

pub async fn by_natural_key(db: &impl ConnectionTrait, key: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::NaturalKey.eq(key))
        .filter(Column::DeletedAt.is_null())
        .one(db)
        .await
}

/// Inserts an evaluation; false when a live evaluation has its natural key already (nothing
/// written, and the transaction stays usable). The caller then brings the aggregate cells up
/// to date (`cells::owe`).
pub async fn insert(db: &impl ConnectionTrait, m: Model) -> Result<bool, DbErr> {
    // Every column is written: `reset_all` marks the values of the model as set. Nothing is
    // read back: the caller holds the row.
    let inserted = Entity::insert(m.into_active_model().reset_all())
        .on_conflict_do_nothing_on([Column::NaturalKey])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

/// Writes `next` over the row when its version is still `current`'s. The caller then brings
/// the aggregate cells up to date (`cells::owe`).
pub async fn overwrite(
    db: &impl ConnectionTrait,
    current: &Model,
    next: &Model,
) -> Result<bool, DbErr> {
    let current_version = current.version;
    let result = Entity::update_many()
        .col_expr(Column::NaturalKey, Expr::value(next.natural_key.clone()))
        .col_expr(Column::RuleSetId, Expr::value(next.rule_set_id.clone()))
        .col_expr(Column::RuleSetVersion, Expr::value(next.rule_set_version))
        .col_expr(Column::Status, Expr::value(next.status.clone()))
        .col_expr(Column::Document, Expr::value(next.document.clone()))
        .col_expr(Column::Total, Expr::value(next.total))
        .col_expr(Column::Grade, Expr::value(next.grade.clone()))
        .col_expr(Column::ErrorCount, Expr::value(next.error_count))
        .col_expr(Column::WarningCount, Expr::value(next.warning_count))
        .col_expr(Column::ScoreBasis, Expr::value(next.score_basis.clone()))
        .col_expr(Column::BudgetFullYear, Expr::value(next.budget_full_year))
        .col_expr(Column::BudgetExecuted, Expr::value(next.budget_executed))
        .col_expr(Column::SubmittedBy, Expr::value(next.submitted_by.clone()))
        .col_expr(Column::Version, Expr::value(next.version))
        .col_expr(Column::UpdatedAt, Expr::value(next.updated_at))
        .col_expr(Column::DeletedAt, Expr::value(next.deleted_at))
        .filter(Column::Id.eq(next.id.clone()))
        .filter(Column::Version.eq(current_version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The columns the aggregates need, one row per evaluation.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct StatsRow {
    pub region_code: String,
    pub year: i32,
    pub department_id: String,
    pub kind: String,
    pub grade: String,
    pub status: String,
    pub score_basis: String,
    pub total: StoredDecimal,
    pub budget_full_year: Option<StoredDecimal>,
    pub budget_executed: Option<StoredDecimal>,
}

/// Every evaluation the filter selects, with only the columns the aggregates need (the
/// document is not read). The amounts are exact text, so the sums are made by the caller.
pub async fn stats_rows(
    db: &impl ConnectionTrait,
    filter: &Filter,
) -> Result<Vec<StatsRow>, DbErr> {
    stats_rows_where(db, condition(filter)).await
}

/// [`stats_rows`] under any condition on the evaluations.
pub async fn stats_rows_where(
    db: &impl ConnectionTrait,
    cond: Condition,
) -> Result<Vec<StatsRow>, DbErr> {
    Entity::find()
        .select_only()
        .columns([
            Column::RegionCode,
            Column::Year,
            Column::DepartmentId,
            Column::Kind,
            Column::Grade,
            Column::Status,
            Column::ScoreBasis,
            Column::Total,
            Column::BudgetFullYear,
            Column::BudgetExecuted,
        ])
        // No ordering: the grouping is order-free, and the covering index can answer alone.
        .filter(cond)
        .into_model::<StatsRow>()
        .all(db)
        .await
}

impl From<StatsRow> for Facts {
    fn from(r: StatsRow) -> Facts {
        Facts {
            region: r.region_code,
            year: r.year,
            department_id: r.department_id,
            kind: r.kind,
            grade: r.grade,
            status: r.status,
            basis: r.score_basis,
            total: r.total.0,
            full_year: r.budget_full_year.map(|d| d.0),
            executed: r.budget_executed.map(|d| d.0),
        }
    }
}
