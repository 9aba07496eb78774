//! The final score's basis (`computed`, or `reviewed` once the finance bureau scored it) becomes
//! a key of the evaluation cells, so stats group and filter by it without reading evaluations:
//! - `evaluation_cells` is made again with `score_basis` in its key. It is emptied, and the
//!   service fills it from the evaluations at start-up, as for a database from before the cells
//!   (evaluation cell debts still in `pending_cells` name a cell without a basis, which is read
//!   as `computed`, the basis of every evaluation before this migration);
//! - the covering index the aggregates read gets `score_basis`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

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
    ScoreBasis,
    Count,
    Summary,
}

#[derive(DeriveIden)]
enum Evaluations {
    Table,
    RegionCode,
    Year,
    DeletedAt,
    Kind,
    Status,
    Grade,
    ScoreBasis,
    DepartmentId,
    Total,
    BudgetFullYear,
    BudgetExecuted,
}

/// The covering index of the aggregates, without and with the basis.
const STATS_INDEX: &str = "idx_evaluations_stats";
const STATS_BASIS_INDEX: &str = "idx_evaluations_stats_basis";

fn cells_table(with_basis: bool) -> TableCreateStatement {
    let mut key = Index::create();
    key.col(EvaluationCells::RegionCode)
        .col(EvaluationCells::Year)
        .col(EvaluationCells::Kind)
        .col(EvaluationCells::Grade)
        .col(EvaluationCells::Status);
    let mut table = Table::create();
    table
        .table(EvaluationCells::Table)
        .col(
            ColumnDef::new(EvaluationCells::RegionCode)
                .string()
                .not_null(),
        )
        .col(ColumnDef::new(EvaluationCells::Year).integer().not_null())
        .col(ColumnDef::new(EvaluationCells::Kind).string().not_null())
        .col(ColumnDef::new(EvaluationCells::Grade).string().not_null())
        .col(ColumnDef::new(EvaluationCells::Status).string().not_null());
    if with_basis {
        table.col(
            ColumnDef::new(EvaluationCells::ScoreBasis)
                .string_len(16)
                .not_null(),
        );
        key.col(EvaluationCells::ScoreBasis);
    }
    table
        .col(
            ColumnDef::new(EvaluationCells::Count)
                .big_integer()
                .not_null(),
        )
        .col(ColumnDef::new(EvaluationCells::Summary).text().not_null())
        .primary_key(&mut key)
        .to_owned()
}

fn stats_index(with_basis: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(if with_basis {
            STATS_BASIS_INDEX
        } else {
            STATS_INDEX
        })
        .table(Evaluations::Table)
        .col(Evaluations::RegionCode)
        .col(Evaluations::Year)
        .col(Evaluations::DeletedAt)
        .col(Evaluations::Kind)
        .col(Evaluations::Status)
        .col(Evaluations::Grade);
    if with_basis {
        index.col(Evaluations::ScoreBasis);
    }
    index
        .col(Evaluations::DepartmentId)
        .col(Evaluations::Total)
        .col(Evaluations::BudgetFullYear)
        .col(Evaluations::BudgetExecuted)
        .to_owned()
}

async fn rebuild(manager: &SchemaManager<'_>, with_basis: bool) -> Result<(), DbErr> {
    manager
        .drop_table(Table::drop().table(EvaluationCells::Table).to_owned())
        .await?;
    manager.create_table(cells_table(with_basis)).await?;
    // The same statement on both databases (SQLite's index names are global, PostgreSQL's
    // per schema).
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "DROP INDEX IF EXISTS {}",
            if with_basis {
                STATS_INDEX
            } else {
                STATS_BASIS_INDEX
            }
        ))
        .await?;
    manager.create_index(stats_index(with_basis)).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, false).await
    }
}
