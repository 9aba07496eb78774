//! Indexes found missing by the benchmark at 1M indicator results:
//! - evaluation aggregates read only a few columns of every evaluation in scope; a covering
//!   index answers them without touching the rows (whose large document column would have
//!   to be walked past on SQLite);
//! - indicator results filtered by year, level-1 and achievement, in key order;
//! - achievement counts by level-1 and level-2 (a covering index for the GROUP BY).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Evaluations {
    Table,
    RegionCode,
    Year,
    DeletedAt,
    Kind,
    Status,
    Grade,
    DepartmentId,
    Total,
    BudgetFullYear,
    BudgetExecuted,
}

#[derive(DeriveIden)]
enum IndicatorResults {
    Table,
    Year,
    Level1,
    Level2,
    Achieved,
    Key,
    RegionCode,
    Status,
    DepartmentId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_evaluations_stats")
                    .table(Evaluations::Table)
                    .col(Evaluations::RegionCode)
                    .col(Evaluations::Year)
                    .col(Evaluations::DeletedAt)
                    .col(Evaluations::Kind)
                    .col(Evaluations::Status)
                    .col(Evaluations::Grade)
                    .col(Evaluations::DepartmentId)
                    .col(Evaluations::Total)
                    .col(Evaluations::BudgetFullYear)
                    .col(Evaluations::BudgetExecuted)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_indicator_results_filter")
                    .table(IndicatorResults::Table)
                    .col(IndicatorResults::Year)
                    .col(IndicatorResults::Level1)
                    .col(IndicatorResults::Achieved)
                    .col(IndicatorResults::Key)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_indicator_results_achievement")
                    .table(IndicatorResults::Table)
                    .col(IndicatorResults::Year)
                    .col(IndicatorResults::Level1)
                    .col(IndicatorResults::Level2)
                    .col(IndicatorResults::Achieved)
                    .col(IndicatorResults::RegionCode)
                    .col(IndicatorResults::Status)
                    .col(IndicatorResults::DepartmentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_indicator_results_achievement")
                    .table(IndicatorResults::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_indicator_results_filter")
                    .table(IndicatorResults::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_evaluations_stats")
                    .table(Evaluations::Table)
                    .to_owned(),
            )
            .await
    }
}
