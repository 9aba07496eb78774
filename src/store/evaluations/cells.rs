//! `evaluation_cells`: the summed figures of the live evaluations of each region, year, kind,
//! grade, status and score basis ([`crate::domain::stats::Cell`]). Every write of an evaluation recomputes
//! the cells it left and entered from the evaluations themselves, in its transaction, so a
//! cell is never a running total that could drift; aggregates without a department read the
//! cells in scope instead of every evaluation.

use std::collections::BTreeSet;

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, Condition, QuerySelect};

use super as evaluation_store;
use crate::domain::stats::{self, Cell, Dimension, Facts, Summary};
use crate::domain::sums::{GRADES, SummedCells, Sums};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_cells")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub grade: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub status: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub score_basis: String,
    pub count: i64,
    /// [`Summary`] as JSON, amounts as exact decimal strings.
    pub summary: String,
    /// The summary's [`Sums`] (migration `…000120`), when `exact` is 1: totals and amounts in
    /// hundredths, for the database to add cells up ([`summed`]).
    pub sum_total: i64,
    pub min_total: i64,
    pub max_total: i64,
    pub band0: i64,
    pub band1: i64,
    pub band2: i64,
    pub band3: i64,
    pub with_budget: i64,
    pub sum_full_year: i64,
    pub sum_executed: i64,
    pub sum_rate_full_year: i64,
    pub sum_rate_executed: i64,
    pub exact: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The cell an evaluation row counts in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub region_code: String,
    pub year: i32,
    pub kind: String,
    pub grade: String,
    pub status: String,
    pub basis: String,
}

impl Key {
    pub fn of(m: &evaluation_store::Model) -> Key {
        Key {
            region_code: m.region_code.clone(),
            year: m.year,
            kind: m.kind.clone(),
            grade: m.grade.clone(),
            status: m.status.clone(),
            basis: m.score_basis.clone(),
        }
    }
}

/// Recomputes the given cells from their live evaluations, in the caller's transaction. On
/// PostgreSQL only the holder of the cells' lock calls it (`pending_cells`), after
/// the writes it accounts for committed, so no two transactions recompute one cell at once.
pub async fn refresh(db: &impl ConnectionTrait, keys: &[Key]) -> Result<(), DbErr> {
    let keys: BTreeSet<&Key> = keys.iter().collect();
    for key in keys {
        let cond = Condition::all()
            .add(evaluation_store::Column::RegionCode.eq(key.region_code.clone()))
            .add(evaluation_store::Column::Year.eq(key.year))
            .add(evaluation_store::Column::DeletedAt.is_null())
            .add(evaluation_store::Column::Kind.eq(key.kind.clone()))
            .add(evaluation_store::Column::Status.eq(key.status.clone()))
            .add(evaluation_store::Column::Grade.eq(key.grade.clone()))
            .add(evaluation_store::Column::ScoreBasis.eq(key.basis.clone()));
        let rows = evaluation_store::stats_rows_where(db, cond).await?;
        let facts: Vec<Facts> = rows.into_iter().map(Facts::from).collect();
        let cell_cond = Condition::all()
            .add(Column::RegionCode.eq(key.region_code.clone()))
            .add(Column::Year.eq(key.year))
            .add(Column::Kind.eq(key.kind.clone()))
            .add(Column::Grade.eq(key.grade.clone()))
            .add(Column::Status.eq(key.status.clone()))
            .add(Column::ScoreBasis.eq(key.basis.clone()));
        if facts.is_empty() {
            Entity::delete_many().filter(cell_cond).exec(db).await?;
        } else {
            upsert(db, key, &Summary::of(&facts)).await?;
        }
    }
    Ok(())
}

async fn upsert(db: &impl ConnectionTrait, key: &Key, summary: &Summary) -> Result<(), DbErr> {
    let text = serde_json::to_string(summary).map_err(|e| DbErr::Custom(e.to_string()))?;
    let sums = summary.sums();
    let s = sums.unwrap_or_default();
    let row = ActiveModel {
        region_code: Set(key.region_code.clone()),
        year: Set(key.year),
        kind: Set(key.kind.clone()),
        grade: Set(key.grade.clone()),
        status: Set(key.status.clone()),
        score_basis: Set(key.basis.clone()),
        count: Set(i64::try_from(summary.count).unwrap_or(i64::MAX)),
        summary: Set(text),
        sum_total: Set(s.total),
        min_total: Set(s.min_total),
        max_total: Set(s.max_total),
        band0: Set(s.bands[0]),
        band1: Set(s.bands[1]),
        band2: Set(s.bands[2]),
        band3: Set(s.bands[3]),
        with_budget: Set(s.with_budget),
        sum_full_year: Set(s.full_year),
        sum_executed: Set(s.executed),
        sum_rate_full_year: Set(s.rate_full_year),
        sum_rate_executed: Set(s.rate_executed),
        exact: Set(i64::from(sums.is_some())),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                Column::RegionCode,
                Column::Year,
                Column::Kind,
                Column::Grade,
                Column::Status,
                Column::ScoreBasis,
            ])
            .update_columns([
                Column::Count,
                Column::Summary,
                Column::SumTotal,
                Column::MinTotal,
                Column::MaxTotal,
                Column::Band0,
                Column::Band1,
                Column::Band2,
                Column::Band3,
                Column::WithBudget,
                Column::SumFullYear,
                Column::SumExecuted,
                Column::SumRateFullYear,
                Column::SumRateExecuted,
                Column::Exact,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The filter's conditions on the cells' key columns.
fn key_condition(filter: &evaluation_store::Filter) -> Condition {
    filter.key_condition(evaluation_store::KeyColumns {
        region_code: Column::RegionCode,
        year: Column::Year,
        kind: Column::Kind,
        grade: Column::Grade,
        status: Column::Status,
        basis: Column::ScoreBasis,
    })
}

/// The cells an evaluation filter selects, as stored (on PostgreSQL, read them through
/// `cells::evaluation_cells`, which settles what the writes owe first). Only a filter
/// without departments, projects or update times can be answered by cells ([`answers`]).
pub async fn select(
    db: &impl ConnectionTrait,
    filter: &evaluation_store::Filter,
) -> Result<Vec<Cell>, DbErr> {
    let cond = key_condition(filter);
    use crate::store::query::{json_column, json_columns};
    let columns = json_columns(
        db,
        Entity::find().filter(cond),
        &[
            "region_code",
            "year",
            "kind",
            "grade",
            "status",
            "score_basis",
            "json(summary)",
        ],
    )
    .await?;
    let [region, year, kind, grade, status, basis, summary] = columns.as_slice() else {
        return Err(DbErr::Custom("cells: a column is missing".to_owned()));
    };
    let summaries = json_column::<Summary>(summary)?;
    let years = json_column::<i32>(year)?.into_iter();
    let text = |c: &str| json_column::<String>(c).map(Vec::into_iter);
    let (mut years, mut regions, mut kinds) = (years, text(region)?, text(kind)?);
    let (mut grades, mut statuses, mut bases) = (text(grade)?, text(status)?, text(basis)?);
    summaries
        .into_iter()
        .map(|summary| {
            let next = (
                regions.next(),
                years.next(),
                kinds.next(),
                grades.next(),
                statuses.next(),
                bases.next(),
            );
            let (Some(region), Some(year), Some(kind), Some(grade), Some(status), Some(basis)) =
                next
            else {
                return Err(DbErr::Custom(
                    "cells: the columns differ in length".to_owned(),
                ));
            };
            Ok(Cell {
                region,
                year,
                kind,
                grade,
                status,
                basis,
                summary,
            })
        })
        .collect()
}

/// The cells a filter selects, added up by the database per group of the key columns of
/// `dims` (regions by county; [`crate::domain::sums::aggregate`] merges wider levels): one
/// row a group, where [`select`] reads every cell. `None` when a selected cell has no exact
/// sums or a sum leaves 64 bits (SQLite and PostgreSQL both fail the statement then): the
/// caller reads the cells instead.
pub async fn summed(
    db: &impl ConnectionTrait,
    filter: &evaluation_store::Filter,
    dims: &[Dimension],
) -> Result<Option<Vec<SummedCells>>, DbErr> {
    let (select, names) = summed_select(filter, dims);
    let read = match crate::store::query::json_page::<_, SummedRow>(
        db,
        select.clone(),
        &names,
        &["count"],
    )
    .await
    {
        Ok(Some(rows)) => Ok(rows),
        Ok(None) => select.into_model::<SummedRow>().all(db).await,
        Err(e) => Err(e),
    };
    let rows = match read {
        Ok(rows) => rows,
        Err(e) => {
            // An overflowing sum fails the statement; the cells' summaries still answer.
            tracing::debug!(error = %e, "cells: the database could not add the cells up");
            return Ok(None);
        }
    };
    if rows.iter().any(|r| r.exact != 1) {
        return Ok(None);
    }
    Ok(Some(rows.into_iter().map(SummedRow::into_cells).collect()))
}

/// The select of [`summed`] and the names of its columns, in [`SummedRow`]'s order: the key
/// columns of `dims` (grouped by), NULL for the others, then the sums.
fn summed_select(
    filter: &evaluation_store::Filter,
    dims: &[Dimension],
) -> (Select<Entity>, Vec<&'static str>) {
    use sea_orm::sea_query::Expr;
    let keys = [
        (Dimension::Region, Column::RegionCode, "varchar"),
        (Dimension::Year, Column::Year, "integer"),
        (Dimension::Kind, Column::Kind, "varchar"),
        (Dimension::Grade, Column::Grade, "varchar"),
        (Dimension::Status, Column::Status, "varchar"),
        (Dimension::Basis, Column::ScoreBasis, "varchar"),
    ];
    let mut select = Entity::find().select_only().filter(key_condition(filter));
    let mut names = Vec::new();
    for (dim, column, sql_type) in keys {
        select = if dims.contains(&dim) {
            select.column(column).group_by(column)
        } else {
            select.column_as(
                Expr::cust(format!("CAST(NULL AS {sql_type})")),
                column.as_str(),
            )
        };
        names.push(column.as_str());
    }
    // Every figure a whole number of 64 bits on both databases (PostgreSQL's SUM of a bigint
    // is a numeric; the cast fails the statement rather than lose digits).
    let total = |expr: String| Expr::cust(format!("CAST(COALESCE({expr}, 0) AS BIGINT)"));
    let grade_count = |g: &str| format!("SUM(CASE WHEN grade = '{g}' THEN count ELSE 0 END)");
    let figures: [(&'static str, String); 17] = [
        ("count", "SUM(count)".into()),
        ("sum_total", "SUM(sum_total)".into()),
        ("min_total", "MIN(min_total)".into()),
        ("max_total", "MAX(max_total)".into()),
        ("band0", "SUM(band0)".into()),
        ("band1", "SUM(band1)".into()),
        ("band2", "SUM(band2)".into()),
        ("band3", "SUM(band3)".into()),
        ("excellent", grade_count(GRADES[0])),
        ("good", grade_count(GRADES[1])),
        ("fair", grade_count(GRADES[2])),
        ("poor", grade_count(GRADES[3])),
        ("with_budget", "SUM(with_budget)".into()),
        ("sum_full_year", "SUM(sum_full_year)".into()),
        ("sum_executed", "SUM(sum_executed)".into()),
        ("sum_rate_full_year", "SUM(sum_rate_full_year)".into()),
        ("sum_rate_executed", "SUM(sum_rate_executed)".into()),
    ];
    for (name, expr) in figures {
        select = select.column_as(total(expr), name);
        names.push(name);
    }
    select = select.column_as(
        Expr::cust("CAST(COALESCE(MIN(exact), 1) AS BIGINT)"),
        "exact",
    );
    names.push("exact");
    (select, names)
}

/// A row of [`summed`], in its column order.
#[derive(Debug, sea_orm::FromQueryResult, serde::Deserialize)]
struct SummedRow {
    region_code: Option<String>,
    year: Option<i32>,
    kind: Option<String>,
    grade: Option<String>,
    status: Option<String>,
    score_basis: Option<String>,
    count: i64,
    sum_total: i64,
    min_total: i64,
    max_total: i64,
    band0: i64,
    band1: i64,
    band2: i64,
    band3: i64,
    excellent: i64,
    good: i64,
    fair: i64,
    poor: i64,
    with_budget: i64,
    sum_full_year: i64,
    sum_executed: i64,
    sum_rate_full_year: i64,
    sum_rate_executed: i64,
    exact: i64,
}

impl SummedRow {
    fn into_cells(self) -> SummedCells {
        SummedCells {
            region: self.region_code,
            year: self.year,
            kind: self.kind,
            grade: self.grade,
            status: self.status,
            basis: self.score_basis,
            sums: Sums {
                count: self.count,
                total: self.sum_total,
                min_total: self.min_total,
                max_total: self.max_total,
                bands: [self.band0, self.band1, self.band2, self.band3],
                grades: [self.excellent, self.good, self.fair, self.poor],
                with_budget: self.with_budget,
                full_year: self.sum_full_year,
                executed: self.sum_executed,
                rate_full_year: self.sum_rate_full_year,
                rate_executed: self.sum_rate_executed,
            },
        }
    }
}

/// Whether cells can answer a filter: every condition is on a cell's key.
pub fn answers(filter: &evaluation_store::Filter) -> bool {
    filter.place.scope_department_ids.is_none()
        && filter.department_id.is_none()
        && filter.project_id.is_none()
        && filter.updated_after.is_none()
}

/// What the cells should hold, computed from every live evaluation.
pub async fn expected(db: &impl ConnectionTrait) -> Result<Vec<Cell>, DbErr> {
    let rows = evaluation_store::stats_rows_where(
        db,
        Condition::all().add(evaluation_store::Column::DeletedAt.is_null()),
    )
    .await?;
    let facts: Vec<Facts> = rows.into_iter().map(Facts::from).collect();
    Ok(stats::cells(&facts))
}

/// Every stored cell, in key order.
pub async fn stored(db: &impl ConnectionTrait) -> Result<Vec<Cell>, DbErr> {
    let mut cells = select(db, &evaluation_store::Filter::default()).await?;
    cells.sort_by(|a, b| {
        (&a.region, a.year, &a.kind, &a.grade, &a.status, &a.basis)
            .cmp(&(&b.region, b.year, &b.kind, &b.grade, &b.status, &b.basis))
    });
    Ok(cells)
}

/// Fills the cells from the evaluations when there are none yet but there are evaluations
/// (a database from before the cells existed), under the cells' lock the caller holds.
/// Returns whether it did.
pub async fn fill_if_empty(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    if Entity::find().limit(1).one(db).await?.is_some() {
        return Ok(false);
    }
    let cells = expected(db).await?;
    for c in &cells {
        let key = Key {
            region_code: c.region.clone(),
            year: c.year,
            kind: c.kind.clone(),
            grade: c.grade.clone(),
            status: c.status.clone(),
            basis: c.basis.clone(),
        };
        upsert(db, &key, &c.summary).await?;
    }
    Ok(!cells.is_empty())
}
