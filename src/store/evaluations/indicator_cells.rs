//! `indicator_cells`: the number of indicator rows per region, year, kind, status, 一级指标,
//! 二级指标 and outcome. Every rewrite of an evaluation's rows changes the cells by the
//! difference (rows removed count −1, rows written +1), in one statement and in the same
//! transaction; achievement counts without a department read the cells in scope instead of
//! every row.

use std::collections::BTreeMap;

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, QuerySelect};

use super::indicator_results::{self as results, AchievementCount, Selection};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_cells")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub status: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub level1: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub level2: String,
    /// `achieved`, `not_achieved` or `unscored`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub outcome: String,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The key of a cell: year, region, kind, status, 一级, 二级, outcome.
pub type Key = (i32, String, String, String, String, String, &'static str);

/// How many rows each cell gains (or, negative, loses).
pub type Delta = BTreeMap<Key, i64>;

fn outcome(achieved: Option<bool>) -> &'static str {
    match achieved {
        Some(true) => "achieved",
        Some(false) => "not_achieved",
        None => "unscored",
    }
}

/// The outcome word as the `&'static str` a [`Key`] holds; `None` for an unknown word.
pub fn outcome_word(word: &str) -> Option<&'static str> {
    ["achieved", "not_achieved", "unscored"]
        .into_iter()
        .find(|w| *w == word)
}

fn achieved(outcome: &str) -> Option<bool> {
    match outcome {
        "achieved" => Some(true),
        "not_achieved" => Some(false),
        _ => None,
    }
}

/// The cell an indicator row counts in.
pub fn key_of(r: &results::Model) -> Key {
    (
        r.year,
        r.region_code.clone(),
        r.kind.clone(),
        r.status.clone(),
        r.level1.clone(),
        r.level2.clone(),
        outcome(r.achieved),
    )
}

/// Adds `delta` to each cell, in one statement; cells that fall to zero stay (and are never
/// read). On PostgreSQL only the holder of the cells' lock calls it
/// (`pending_cells`).
pub async fn apply(db: &impl ConnectionTrait, delta: Delta) -> Result<(), DbErr> {
    let rows: Vec<ActiveModel> = delta
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(
            |((year, region, kind, status, l1, l2, out), n)| ActiveModel {
                year: Set(year),
                region_code: Set(region),
                kind: Set(kind),
                status: Set(status),
                level1: Set(l1),
                level2: Set(l2),
                outcome: Set(out.to_owned()),
                n: Set(n),
            },
        )
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                Column::Year,
                Column::RegionCode,
                Column::Kind,
                Column::Status,
                Column::Level1,
                Column::Level2,
                Column::Outcome,
            ])
            .value(Column::N, Expr::cust("indicator_cells.n + excluded.n"))
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Whether cells can answer a selection: no department, level-2, name or outcome condition.
pub fn answers(selection: &Selection) -> bool {
    let f = &selection.filter;
    selection.department_id.is_none()
        && f.place.scope_department_ids.is_none()
        && f.level2.is_none()
        && f.name_contains.is_none()
        && f.achieved.is_none()
}

/// Row counts by 一级, 二级 and outcome over the cells a selection covers ([`answers`]), as
/// stored (read them through `cells::achievement_counts`).
pub async fn achievement_counts(
    db: &impl ConnectionTrait,
    selection: &Selection,
) -> Result<Vec<AchievementCount>, DbErr> {
    let mut cond = selection
        .filter
        .key_condition(results::KeyColumns {
            region_code: Column::RegionCode,
            year: Column::Year,
            status: Column::Status,
            level1: Column::Level1,
        })
        .add(Column::N.gt(0));
    if let Some(v) = &selection.kind {
        cond = cond.add(Column::Kind.eq(v.clone()));
    }
    #[derive(sea_orm::FromQueryResult)]
    struct Sum {
        level1: String,
        level2: String,
        outcome: String,
        n: i64,
    }
    let sums = Entity::find()
        .select_only()
        .column(Column::Level1)
        .column(Column::Level2)
        .column(Column::Outcome)
        // PostgreSQL sums a BIGINT to NUMERIC.
        .column_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), "n")
        .filter(cond)
        .group_by(Column::Level1)
        .group_by(Column::Level2)
        .group_by(Column::Outcome)
        .into_model::<Sum>()
        .all(db)
        .await?;
    Ok(sums
        .into_iter()
        .map(|s| AchievementCount {
            level1: s.level1,
            level2: s.level2,
            achieved: achieved(&s.outcome),
            n: s.n,
        })
        .collect())
}

/// The cells' counts (non-zero), as stored and as computed from every indicator row: equal
/// when the cells are right.
pub async fn stored_and_expected(
    db: &impl ConnectionTrait,
) -> Result<(BTreeMap<Key, i64>, BTreeMap<Key, i64>), DbErr> {
    let stored = Entity::find()
        .filter(Column::N.ne(0))
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            let key = (
                m.year,
                m.region_code,
                m.kind,
                m.status,
                m.level1,
                m.level2,
                outcome(achieved(&m.outcome)),
            );
            (key, m.n)
        })
        .collect();
    Ok((stored, expected(db).await?))
}

async fn expected(db: &impl ConnectionTrait) -> Result<BTreeMap<Key, i64>, DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Count {
        year: i32,
        region_code: String,
        kind: String,
        status: String,
        level1: String,
        level2: String,
        achieved: Option<bool>,
        n: i64,
    }
    use results::Column as R;
    let counts = results::Entity::find()
        .select_only()
        .columns([
            R::Year,
            R::RegionCode,
            R::Kind,
            R::Status,
            R::Level1,
            R::Level2,
            R::Achieved,
        ])
        .column_as(Expr::cust("COUNT(*)"), "n")
        .group_by(R::Year)
        .group_by(R::RegionCode)
        .group_by(R::Kind)
        .group_by(R::Status)
        .group_by(R::Level1)
        .group_by(R::Level2)
        .group_by(R::Achieved)
        .into_model::<Count>()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|c| {
            let key = (
                c.year,
                c.region_code,
                c.kind,
                c.status,
                c.level1,
                c.level2,
                outcome(c.achieved),
            );
            (key, c.n)
        })
        .collect())
}

/// Fills the cells from the indicator rows when there are none yet but there are rows.
/// The caller holds the cells' lock. Returns whether it did.
pub async fn fill_if_empty(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    if Entity::find().limit(1).one(db).await?.is_some() {
        return Ok(false);
    }
    let counts = expected(db).await?;
    let filled = !counts.is_empty();
    // In slices: one statement has a bounded number of parameters.
    let all: Vec<(Key, i64)> = counts.into_iter().collect();
    for chunk in all.chunks(500) {
        apply(db, chunk.iter().cloned().collect()).await?;
    }
    Ok(filled)
}

/// The cells' change when an evaluation's rows counted `before` are replaced by rows
/// counted `after` ([`counts`]).
pub fn difference(before: Vec<AchievementKey>, after: Vec<AchievementKey>) -> Delta {
    let mut delta = Delta::new();
    for (key, n) in before {
        *delta.entry(key).or_default() -= n;
    }
    for (key, n) in after {
        *delta.entry(key).or_default() += n;
    }
    delta
}

/// A cell and how many of an evaluation's rows count in it.
pub type AchievementKey = (Key, i64);

/// How many of `rows` count in each cell.
pub fn counts(rows: &[results::Model]) -> Vec<AchievementKey> {
    let mut counts: BTreeMap<Key, i64> = BTreeMap::new();
    for r in rows {
        *counts.entry(key_of(r)).or_default() += 1;
    }
    counts.into_iter().collect()
}
