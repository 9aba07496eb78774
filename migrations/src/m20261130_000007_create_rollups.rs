//! Maintained aggregates, so that dashboards' aggregates read a number of cells that grows
//! with regions × years, not with evaluations:
//! - `evaluation_cells`: per region, year, kind, grade and status, the summed figures of its
//!   live evaluations (a JSON summary with exact decimal strings), rewritten with every write
//!   of an evaluation;
//! - `indicator_cells`: per region, year, kind, status, 一级指标, 二级指标 and outcome, the
//!   number of indicator rows, changed by the difference with every write.
//!
//! The service fills both from the existing rows at start-up when they are empty.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EvaluationCells {
    Table,
    RegionCode,
    Year,
    Kind,
    Grade,
    Status,
    Count,
    Summary,
}

#[derive(DeriveIden)]
enum IndicatorCells {
    Table,
    RegionCode,
    Year,
    Kind,
    Status,
    Level1,
    Level2,
    Outcome,
    N,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EvaluationCells::Table)
                    .col(
                        ColumnDef::new(EvaluationCells::RegionCode)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(EvaluationCells::Year).integer().not_null())
                    .col(ColumnDef::new(EvaluationCells::Kind).string().not_null())
                    .col(ColumnDef::new(EvaluationCells::Grade).string().not_null())
                    .col(ColumnDef::new(EvaluationCells::Status).string().not_null())
                    .col(
                        ColumnDef::new(EvaluationCells::Count)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(EvaluationCells::Summary).text().not_null())
                    .primary_key(
                        Index::create()
                            .col(EvaluationCells::RegionCode)
                            .col(EvaluationCells::Year)
                            .col(EvaluationCells::Kind)
                            .col(EvaluationCells::Grade)
                            .col(EvaluationCells::Status),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IndicatorCells::Table)
                    .col(
                        ColumnDef::new(IndicatorCells::RegionCode)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(IndicatorCells::Year).integer().not_null())
                    .col(ColumnDef::new(IndicatorCells::Kind).string().not_null())
                    .col(ColumnDef::new(IndicatorCells::Status).string().not_null())
                    .col(ColumnDef::new(IndicatorCells::Level1).string().not_null())
                    .col(ColumnDef::new(IndicatorCells::Level2).string().not_null())
                    .col(ColumnDef::new(IndicatorCells::Outcome).string().not_null())
                    .col(ColumnDef::new(IndicatorCells::N).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(IndicatorCells::Year)
                            .col(IndicatorCells::RegionCode)
                            .col(IndicatorCells::Kind)
                            .col(IndicatorCells::Status)
                            .col(IndicatorCells::Level1)
                            .col(IndicatorCells::Level2)
                            .col(IndicatorCells::Outcome),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IndicatorCells::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(EvaluationCells::Table).to_owned())
            .await
    }
}
