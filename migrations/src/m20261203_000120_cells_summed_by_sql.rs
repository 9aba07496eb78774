//! Each evaluation cell keeps its sums as whole numbers beside its summary, so that the
//! database adds cells up (`SUM`, `MIN`, `MAX` by the groups a stats request asks for) instead
//! of the service decoding every cell's summary and adding it in Rust (issue #17: the
//! all-years aggregate read 533 cells at 1M indicator results against 43 at 10k):
//! - totals and amounts in hundredths (`sum_total`, `min_total`, `max_total`, `sum_full_year`,
//!   `sum_executed`, `sum_rate_full_year`, `sum_rate_executed`), the counts by band
//!   (`band0` … `band3`, in band order) and of evaluations with a budget (`with_budget`);
//! - `exact`: 1 when those numbers are the summary's (every figure with at most two decimals,
//!   within 64 bits), 0 otherwise; a request whose cells are not all exact reads the summaries.
//!
//! Up adds the columns (0: not exact) and empties the table; the service fills it from the
//! evaluations at start-up, as for a database from before the cells (migration `…000030`).
//! Down drops them; the summaries stay as they were.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EvaluationCells {
    Table,
}

/// The columns.
const COLUMNS: [&str; 13] = [
    "sum_total",
    "min_total",
    "max_total",
    "band0",
    "band1",
    "band2",
    "band3",
    "with_budget",
    "sum_full_year",
    "sum_executed",
    "sum_rate_full_year",
    "sum_rate_executed",
    "exact",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters one at a time.
        for name in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(EvaluationCells::Table)
                        .add_column(
                            ColumnDef::new(Alias::new(name))
                                .big_integer()
                                .not_null()
                                .default(0),
                        )
                        .to_owned(),
                )
                .await?;
        }
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(EvaluationCells::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(EvaluationCells::Table)
                        .drop_column(Alias::new(name))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
