//! The columns a list of evaluation summaries reads besides those it already had: the number of
//! warnings (errors were counted already) and the basis of the final score. A summary is then
//! made from columns of `evaluations` (and the names of its department, region and project)
//! without reading the stored document.
//!
//! Existing rows are filled from their documents (`computed.warning_count`), with each
//! database's own JSON functions; every row's basis is `computed` (no review exists yet).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Evaluations {
    Table,
    WarningCount,
    ScoreBasis,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Evaluations::Table)
                    .add_column(
                        ColumnDef::new(Evaluations::WarningCount)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Evaluations::Table)
                    .add_column(
                        ColumnDef::new(Evaluations::ScoreBasis)
                            .string_len(16)
                            .not_null()
                            .default("computed"),
                    )
                    .to_owned(),
            )
            .await?;
        let fill = match manager.get_database_backend() {
            DbBackend::Postgres => {
                "UPDATE evaluations SET warning_count = \
                 COALESCE((document::json -> 'computed' ->> 'warning_count')::integer, 0)"
            }
            _ => {
                "UPDATE evaluations SET warning_count = \
                 COALESCE(CAST(json_extract(document, '$.computed.warning_count') AS INTEGER), 0)"
            }
        };
        manager.get_connection().execute_unprepared(fill).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Evaluations::ScoreBasis, Evaluations::WarningCount] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Evaluations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
