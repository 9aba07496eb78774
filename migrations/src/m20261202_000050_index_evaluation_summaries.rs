//! A covering index of the evaluation summaries: a list page reads its columns from the index
//! in id order, never the table's rows, whose stored documents (about 17 KB each, kept in
//! overflow pages on SQLite) sit between the key and the summary columns.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Evaluations {
    Table,
    Id,
    DeletedAt,
    RegionCode,
    Kind,
    DepartmentId,
    ProjectId,
    Year,
    Status,
    Version,
    Total,
    Grade,
    ScoreBasis,
    ErrorCount,
    WarningCount,
    BudgetFullYear,
    BudgetExecuted,
    UpdatedAt,
}

const INDEX: &str = "idx_evaluations_summary";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Evaluations::Table)
                    .col(Evaluations::Id)
                    .col(Evaluations::DeletedAt)
                    .col(Evaluations::RegionCode)
                    .col(Evaluations::Kind)
                    .col(Evaluations::DepartmentId)
                    .col(Evaluations::ProjectId)
                    .col(Evaluations::Year)
                    .col(Evaluations::Status)
                    .col(Evaluations::Version)
                    .col(Evaluations::Total)
                    .col(Evaluations::Grade)
                    .col(Evaluations::ScoreBasis)
                    .col(Evaluations::ErrorCount)
                    .col(Evaluations::WarningCount)
                    .col(Evaluations::BudgetFullYear)
                    .col(Evaluations::BudgetExecuted)
                    .col(Evaluations::UpdatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Evaluations::Table)
                    .to_owned(),
            )
            .await
    }
}
