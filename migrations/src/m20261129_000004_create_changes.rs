//! The change feed: one row per create, update, state change and delete, numbered in commit
//! order (writers take a lock just before appending, held until they commit).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Changes {
    Table,
    Seq,
    Entity,
    EntityId,
    Op,
    Version,
    RegionCode,
    DepartmentId,
    Status,
    Actor,
    At,
    Data,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .col(
                        ColumnDef::new(Changes::Seq)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Changes::Entity).string_len(32).not_null())
                    .col(ColumnDef::new(Changes::EntityId).string_len(64).not_null())
                    .col(ColumnDef::new(Changes::Op).string_len(32).not_null())
                    .col(ColumnDef::new(Changes::Version).big_integer().not_null())
                    .col(ColumnDef::new(Changes::RegionCode).string_len(6).not_null())
                    .col(ColumnDef::new(Changes::DepartmentId).string_len(36).null())
                    .col(ColumnDef::new(Changes::Status).string_len(32).null())
                    .col(ColumnDef::new(Changes::Actor).string().not_null())
                    .col(
                        ColumnDef::new(Changes::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Changes::Data).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_changes_entity")
                    .table(Changes::Table)
                    .col(Changes::Entity)
                    .col(Changes::EntityId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Changes::Table).to_owned())
            .await
    }
}
