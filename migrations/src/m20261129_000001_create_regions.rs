//! Regions (GB/T 2260), seeded with 湖南省, 衡阳市 and the county-level divisions of 衡阳市.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
    Name,
    Level,
    ParentCode,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

/// (code, name, level, parent)
const SEED: &[(&str, &str, &str, Option<&str>)] = &[
    ("430000", "湖南省", "province", None),
    ("430400", "衡阳市", "city", Some("430000")),
    ("430405", "珠晖区", "county", Some("430400")),
    ("430406", "雁峰区", "county", Some("430400")),
    ("430407", "石鼓区", "county", Some("430400")),
    ("430408", "蒸湘区", "county", Some("430400")),
    ("430412", "南岳区", "county", Some("430400")),
    ("430421", "衡阳县", "county", Some("430400")),
    ("430422", "衡南县", "county", Some("430400")),
    ("430423", "衡山县", "county", Some("430400")),
    ("430424", "衡东县", "county", Some("430400")),
    ("430426", "祁东县", "county", Some("430400")),
    ("430481", "耒阳市", "county", Some("430400")),
    ("430482", "常宁市", "county", Some("430400")),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(
                        ColumnDef::new(Regions::Code)
                            .string_len(6)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Regions::Name).string().not_null())
                    .col(ColumnDef::new(Regions::Level).string_len(16).not_null())
                    .col(ColumnDef::new(Regions::ParentCode).string_len(6).null())
                    .col(
                        ColumnDef::new(Regions::Version)
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(Regions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Regions::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Regions::DeletedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_regions_parent_code")
                    .table(Regions::Table)
                    .col(Regions::ParentCode)
                    .to_owned(),
            )
            .await?;
        let now = chrono::Utc::now();
        let mut insert = Query::insert();
        insert.into_table(Regions::Table).columns([
            Regions::Code,
            Regions::Name,
            Regions::Level,
            Regions::ParentCode,
            Regions::Version,
            Regions::CreatedAt,
            Regions::UpdatedAt,
        ]);
        for (code, name, level, parent) in SEED {
            insert
                .values([
                    (*code).into(),
                    (*name).into(),
                    (*level).into(),
                    parent.map(str::to_owned).into(),
                    1i64.into(),
                    now.into(),
                    now.into(),
                ])
                .map_err(|e| DbErr::Custom(format!("seed row {code}: {e}")))?;
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Regions::Table).to_owned())
            .await
    }
}
