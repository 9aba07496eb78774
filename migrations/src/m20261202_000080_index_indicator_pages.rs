//! The indexes of `indicator_results`, fitted to the queries the service runs (issue #17:
//! storage, and read speed at 1M rows). Every page of indicator results is read in key order.
//!
//! - `(year, key)` is added: a page of one year is read in key order from it, whatever else
//!   is filtered, where a filter on the year alone (or on year and region) sorted every row of
//!   the year first (190–410 ms at 1M rows). `(year, level1, achieved, key)` stays: the
//!   dashboard's filter on all three reads a page from it without looking at other rows
//!   (0.28 ms a page against 1.0 ms from `(year, key)`).
//! - `(level1, level2)` and `(year, region_code)` go: SQLite chose `(level1, level2)` for a
//!   filter on 一级指标 and sorted 400,000 rows to give 100 (3.8 s at 1M rows); read in key
//!   order a page takes 1 ms. No other query uses them.
//! - `(year, level1, level2, achieved, region_code, status, department_id)` becomes
//!   `(department_id, year, level1, level2, achieved, region_code, status)`: the counts it
//!   covers are asked of the rows themselves mostly for a department (the aggregate cells
//!   answer the rest), and with the department last a department's page or counts read every
//!   row (2.2 s and 1.2 s for one department at 1M rows; now 1 ms). Counts filtered on
//!   二级指标 without a department would read a year's rows instead (115 ms at 1M, 16 ms
//!   before); no API query asks for them (`/stats/indicators` takes no 二级指标 filter).
//! - On SQLite `(evaluation_id)` goes as well: an evaluation's rows are the key range
//!   `{id}:` … `{id};` of the primary key (`store::evaluations::indicator_results::replace`).
//!   PostgreSQL keeps it: there the key's order follows the database's collation, which need
//!   not sort `:` before `;` next to the id.
//!
//! Together, 58 of the 1,226 bytes per indicator result of the 10k benchmark set.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum IndicatorResults {
    Table,
    EvaluationId,
    Year,
    RegionCode,
    Level1,
    Level2,
    Achieved,
    Status,
    DepartmentId,
    Key,
}

/// An index of `indicator_results` as the earlier migrations made it: (name, columns).
type Shape = (&'static str, &'static [IndicatorResults]);

const DROPPED: [Shape; 3] = [
    (
        "idx_indicator_results_achievement",
        &[
            IndicatorResults::Year,
            IndicatorResults::Level1,
            IndicatorResults::Level2,
            IndicatorResults::Achieved,
            IndicatorResults::RegionCode,
            IndicatorResults::Status,
            IndicatorResults::DepartmentId,
        ],
    ),
    (
        "idx_indicator_results_levels",
        &[IndicatorResults::Level1, IndicatorResults::Level2],
    ),
    (
        "idx_indicator_results_year_region",
        &[IndicatorResults::Year, IndicatorResults::RegionCode],
    ),
];

const BY_EVALUATION: Shape = (
    "idx_indicator_results_evaluation",
    &[IndicatorResults::EvaluationId],
);

/// The indexes it adds.
const ADDED: [Shape; 2] = [
    (
        "idx_indicator_results_year_key",
        &[IndicatorResults::Year, IndicatorResults::Key],
    ),
    (
        "idx_indicator_results_department",
        &[
            IndicatorResults::DepartmentId,
            IndicatorResults::Year,
            IndicatorResults::Level1,
            IndicatorResults::Level2,
            IndicatorResults::Achieved,
            IndicatorResults::RegionCode,
            IndicatorResults::Status,
        ],
    ),
];

fn dropped(manager: &SchemaManager) -> Vec<Shape> {
    let mut shapes = DROPPED.to_vec();
    if manager.get_database_backend() == DbBackend::Sqlite {
        shapes.push(BY_EVALUATION);
    }
    shapes
}

async fn create(manager: &SchemaManager<'_>, (name, columns): Shape) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(IndicatorResults::Table);
    for column in columns {
        index.col(*column);
    }
    manager.create_index(index.to_owned()).await
}

async fn drop(manager: &SchemaManager<'_>, (name, _): Shape) -> Result<(), DbErr> {
    manager
        .drop_index(
            Index::drop()
                .name(name)
                .table(IndicatorResults::Table)
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for shape in ADDED {
            create(manager, shape).await?;
        }
        for shape in dropped(manager) {
            drop(manager, shape).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for shape in dropped(manager) {
            create(manager, shape).await?;
        }
        for shape in ADDED {
            drop(manager, shape).await?;
        }
        Ok(())
    }
}
