//! `pending_cells`: what writes on PostgreSQL still owe the aggregate cells (the cells are
//! brought up to date by the next read, so writers never wait for each other on a hot cell).
//! Append-only for writers; emptied by the reader that folds it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PendingCells {
    Table,
    Id,
    EvaluationKey,
    IndicatorKey,
    N,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PendingCells::Table)
                    .col(
                        ColumnDef::new(PendingCells::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PendingCells::EvaluationKey).text().null())
                    .col(ColumnDef::new(PendingCells::IndicatorKey).text().null())
                    .col(ColumnDef::new(PendingCells::N).big_integer().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PendingCells::Table).to_owned())
            .await
    }
}
