//! Evaluation summaries: the columns of `evaluations` a list shows by default, with the names
//! of the department, region and project beside their ids (joined by key), so a page is read
//! without the stored documents.

use crate::store::query::{self, Optionally};
use sea_orm::entity::prelude::*;
use sea_orm::{Condition, FromQueryResult, JoinType, QueryOrder, QuerySelect, Select};

use super::{self as evaluation, Column};
use crate::store::money::StoredDecimal;
use crate::store::{departments, projects, regions};

/// One evaluation as a summary shows it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, serde::Deserialize)]
pub struct SummaryRow {
    pub id: String,
    pub kind: String,
    pub department_id: String,
    pub project_id: Option<String>,
    pub region_code: String,
    pub year: i32,
    pub status: String,
    pub version: i64,
    pub total: StoredDecimal,
    pub grade: String,
    pub score_basis: String,
    pub error_count: i32,
    pub warning_count: i32,
    pub budget_full_year: Option<StoredDecimal>,
    pub budget_executed: Option<StoredDecimal>,
    pub updated_at: DateTimeUtc,
    pub department_name: Option<String>,
    pub department_budget_code: Option<String>,
    pub region_name: Option<String>,
    pub project_name: Option<String>,
}

/// The summary columns of the evaluations `cond` selects, in id order.
fn select(cond: Condition) -> Select<evaluation::Entity> {
    let department = evaluation::Entity::belongs_to(departments::Entity)
        .from(Column::DepartmentId)
        .to(departments::Column::Id)
        .into();
    let region = evaluation::Entity::belongs_to(regions::Entity)
        .from(Column::RegionCode)
        .to(regions::Column::Code)
        .into();
    let project = evaluation::Entity::belongs_to(projects::Entity)
        .from(Column::ProjectId)
        .to(projects::Column::Id)
        .into();
    evaluation::Entity::find()
        .select_only()
        .columns([
            Column::Id,
            Column::Kind,
            Column::DepartmentId,
            Column::ProjectId,
            Column::RegionCode,
            Column::Year,
            Column::Status,
            Column::Version,
            Column::Total,
            Column::Grade,
            Column::ScoreBasis,
            Column::ErrorCount,
            Column::WarningCount,
            Column::BudgetFullYear,
            Column::BudgetExecuted,
            Column::UpdatedAt,
        ])
        .column_as(departments::Column::Name, "department_name")
        .column_as(departments::Column::BudgetCode, "department_budget_code")
        .column_as(regions::Column::Name, "region_name")
        .column_as(projects::Column::Name, "project_name")
        .join(JoinType::LeftJoin, department)
        .join(JoinType::LeftJoin, region)
        .join(JoinType::LeftJoin, project)
        .filter(cond)
        .order_by_asc(Column::Id)
}

/// One page of the summaries of the live evaluations `filter` selects after `after`, each row
/// handed to `each` as it is read. Returns whether more rows follow.
pub async fn page_each<X: From<DbErr>>(
    db: &DatabaseConnection,
    filter: &evaluation::Filter,
    after: Option<&str>,
    limit: u64,
    each: impl FnMut(SummaryRow) -> Result<(), X>,
) -> Result<bool, X> {
    let page = page_select(filter, after, limit);
    if let Some(rows) =
        query::json_page::<_, SummaryRow>(db, page.clone(), &COLUMNS, &["id"]).await?
    {
        let rows = futures_util::stream::iter(rows.into_iter().map(Ok));
        return query::take_each(rows, limit, each).await;
    }
    let rows = page.into_model::<SummaryRow>().stream(db).await?;
    query::take_each(rows, limit, each).await
}

/// The select of one page of [`page_each`]: the summaries after `after`, in id order, one more
/// than `limit` (whether more follow).
pub fn page_select(
    filter: &evaluation::Filter,
    after: Option<&str>,
    limit: u64,
) -> Select<evaluation::Entity> {
    let cond = evaluation::condition(filter).add_some(after.map(|a| Column::Id.gt(a.to_owned())));
    select(cond).limit(limit + 1)
}

/// The names of [`SummaryRow`]'s columns, in its order (for [`query::json_page`]).
const COLUMNS: [&str; 20] = [
    "id",
    "kind",
    "department_id",
    "project_id",
    "region_code",
    "year",
    "status",
    "version",
    "total",
    "grade",
    "score_basis",
    "error_count",
    "warning_count",
    "budget_full_year",
    "budget_executed",
    "updated_at",
    "department_name",
    "department_budget_code",
    "region_name",
    "project_name",
];

/// The summary of one evaluation, deleted or not (in the caller's transaction: the change feed
/// records it just after the row was written).
pub async fn by_id(db: &impl ConnectionTrait, id: &str) -> Result<Option<SummaryRow>, DbErr> {
    select(Condition::all().add(Column::Id.eq(id.to_owned())))
        .into_model::<SummaryRow>()
        .one(db)
        .await
}

/// The summaries of the given evaluations, deleted or not (for the rows that point at them,
/// such as indicator results), in id order.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<SummaryRow>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    select(Condition::all().add(Column::Id.is_in(ids.iter().cloned())))
        .into_model::<SummaryRow>()
        .all(db)
        .await
}
