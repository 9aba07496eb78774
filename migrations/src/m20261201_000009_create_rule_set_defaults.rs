//! `rule_set_defaults`: which rule set is the default for a region (or the national scope,
//! `000000`), an evaluation kind and a year (`0` = every year). An evaluation that names no
//! rule set gets the default of the nearest region above its department. A row is replaced in
//! place (its `version` counts the changes, for ETags) and deleted softly (`deleted_at`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RuleSetDefaults {
    Table,
    RegionCode,
    Kind,
    Year,
    RuleSetId,
    RuleSetVersion,
    Version,
    UpdatedBy,
    UpdatedAt,
    DeletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RuleSetDefaults::Table)
                    .col(
                        ColumnDef::new(RuleSetDefaults::RegionCode)
                            .string_len(6)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RuleSetDefaults::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    // 0: every year.
                    .col(ColumnDef::new(RuleSetDefaults::Year).integer().not_null())
                    .col(
                        ColumnDef::new(RuleSetDefaults::RuleSetId)
                            .string_len(64)
                            .not_null(),
                    )
                    // NULL: the latest version when it is used.
                    .col(
                        ColumnDef::new(RuleSetDefaults::RuleSetVersion)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(RuleSetDefaults::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RuleSetDefaults::UpdatedBy)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RuleSetDefaults::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RuleSetDefaults::DeletedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(RuleSetDefaults::RegionCode)
                            .col(RuleSetDefaults::Kind)
                            .col(RuleSetDefaults::Year),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RuleSetDefaults::Table).to_owned())
            .await
    }
}
