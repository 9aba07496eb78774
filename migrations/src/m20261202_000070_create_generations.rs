//! `generations`: a counter per kind of rarely written data that the change feed does not
//! carry (regions). Every write of such data counts one up in its
//! transaction, so a reader learns from the feed's last number and these counters together
//! whether anything it answered from has changed (the read cache of `app::read_cache`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Generations {
    Table,
    Name,
    N,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Generations::Table)
                    .col(
                        ColumnDef::new(Generations::Name)
                            .string_len(32)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Generations::N).big_integer().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Generations::Table).to_owned())
            .await
    }
}
