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
use crate::domain::stats::{self, Cell, Facts, Summary};

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
    let row = ActiveModel {
        region_code: Set(key.region_code.clone()),
        year: Set(key.year),
        kind: Set(key.kind.clone()),
        grade: Set(key.grade.clone()),
        status: Set(key.status.clone()),
        score_basis: Set(key.basis.clone()),
        count: Set(i64::try_from(summary.count).unwrap_or(i64::MAX)),
        summary: Set(text),
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
            .update_columns([Column::Count, Column::Summary])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The cells an evaluation filter selects, as stored (on PostgreSQL, read them through
/// `cells::evaluation_cells`, which settles what the writes owe first). Only a filter
/// without departments, projects or update times can be answered by cells ([`answers`]).
pub async fn select(
    db: &impl ConnectionTrait,
    filter: &evaluation_store::Filter,
) -> Result<Vec<Cell>, DbErr> {
    let cond = filter.key_condition(evaluation_store::KeyColumns {
        region_code: Column::RegionCode,
        year: Column::Year,
        kind: Column::Kind,
        grade: Column::Grade,
        status: Column::Status,
        basis: Column::ScoreBasis,
    });
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
