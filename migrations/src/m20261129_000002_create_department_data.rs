//! Departments, their year profiles and finances, projects and funds.
//!
//! Money is stored as TEXT holding the exact decimal (`12.3400` stays `12.3400`): sea-orm reads
//! SQLite decimals through f64, and the same columns must hold the same digits on PostgreSQL.
//! Profiles and finances are documents (JSON text with decimals as strings).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
    BudgetCode,
    Name,
    RegionCode,
    ParentId,
    Kind,
    Responsibilities,
    InternalBodies,
    SubordinateUnits,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum DepartmentDocuments {
    Table,
    DepartmentId,
    Kind,
    Year,
    Document,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    DepartmentId,
    RegionCode,
    Year,
    Name,
    CompetentDepartment,
    ImplementingOrganisation,
    Description,
    AnnualGoal,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Funds {
    Table,
    Id,
    DepartmentId,
    RegionCode,
    Year,
    ProjectId,
    Name,
    Source,
    Level,
    Purpose,
    Initial,
    FullYear,
    Executed,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

fn audit_columns<T: IntoIden>(
    table: &mut TableCreateStatement,
    version: T,
    created: T,
    updated: T,
) -> &mut TableCreateStatement {
    table
        .col(ColumnDef::new(version).big_integer().not_null().default(1))
        .col(
            ColumnDef::new(created)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(updated)
                .timestamp_with_time_zone()
                .not_null(),
        )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut departments = Table::create();
        departments
            .table(Departments::Table)
            .col(
                ColumnDef::new(Departments::Id)
                    .string_len(36)
                    .not_null()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(Departments::BudgetCode)
                    .string_len(64)
                    .not_null(),
            )
            .col(ColumnDef::new(Departments::Name).string().not_null())
            .col(
                ColumnDef::new(Departments::RegionCode)
                    .string_len(6)
                    .not_null(),
            )
            .col(ColumnDef::new(Departments::ParentId).string_len(36).null())
            .col(ColumnDef::new(Departments::Kind).string_len(32).not_null())
            .col(
                ColumnDef::new(Departments::Responsibilities)
                    .text()
                    .not_null(),
            )
            .col(
                ColumnDef::new(Departments::InternalBodies)
                    .text()
                    .not_null(),
            )
            .col(
                ColumnDef::new(Departments::SubordinateUnits)
                    .text()
                    .not_null(),
            );
        audit_columns(
            &mut departments,
            Departments::Version,
            Departments::CreatedAt,
            Departments::UpdatedAt,
        )
        .col(
            ColumnDef::new(Departments::DeletedAt)
                .timestamp_with_time_zone()
                .null(),
        );
        manager.create_table(departments.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_departments_region_budget_code")
                    .table(Departments::Table)
                    .col(Departments::RegionCode)
                    .col(Departments::BudgetCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_departments_parent")
                    .table(Departments::Table)
                    .col(Departments::ParentId)
                    .to_owned(),
            )
            .await?;

        let mut documents = Table::create();
        documents
            .table(DepartmentDocuments::Table)
            .col(
                ColumnDef::new(DepartmentDocuments::DepartmentId)
                    .string_len(36)
                    .not_null(),
            )
            .col(
                ColumnDef::new(DepartmentDocuments::Kind)
                    .string_len(16)
                    .not_null(),
            )
            .col(
                ColumnDef::new(DepartmentDocuments::Year)
                    .integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(DepartmentDocuments::Document)
                    .text()
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(DepartmentDocuments::DepartmentId)
                    .col(DepartmentDocuments::Kind)
                    .col(DepartmentDocuments::Year),
            );
        audit_columns(
            &mut documents,
            DepartmentDocuments::Version,
            DepartmentDocuments::CreatedAt,
            DepartmentDocuments::UpdatedAt,
        );
        manager.create_table(documents.to_owned()).await?;

        let mut projects = Table::create();
        projects
            .table(Projects::Table)
            .col(
                ColumnDef::new(Projects::Id)
                    .string_len(36)
                    .not_null()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(Projects::DepartmentId)
                    .string_len(36)
                    .not_null(),
            )
            .col(
                ColumnDef::new(Projects::RegionCode)
                    .string_len(6)
                    .not_null(),
            )
            .col(ColumnDef::new(Projects::Year).integer().not_null())
            .col(ColumnDef::new(Projects::Name).string().not_null())
            .col(
                ColumnDef::new(Projects::CompetentDepartment)
                    .string()
                    .null(),
            )
            .col(
                ColumnDef::new(Projects::ImplementingOrganisation)
                    .text()
                    .null(),
            )
            .col(ColumnDef::new(Projects::Description).text().null())
            .col(ColumnDef::new(Projects::AnnualGoal).text().null());
        audit_columns(
            &mut projects,
            Projects::Version,
            Projects::CreatedAt,
            Projects::UpdatedAt,
        )
        .col(
            ColumnDef::new(Projects::DeletedAt)
                .timestamp_with_time_zone()
                .null(),
        );
        manager.create_table(projects.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_projects_department_year")
                    .table(Projects::Table)
                    .col(Projects::DepartmentId)
                    .col(Projects::Year)
                    .to_owned(),
            )
            .await?;

        let mut funds = Table::create();
        funds
            .table(Funds::Table)
            .col(
                ColumnDef::new(Funds::Id)
                    .string_len(36)
                    .not_null()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(Funds::DepartmentId)
                    .string_len(36)
                    .not_null(),
            )
            .col(ColumnDef::new(Funds::RegionCode).string_len(6).not_null())
            .col(ColumnDef::new(Funds::Year).integer().not_null())
            .col(ColumnDef::new(Funds::ProjectId).string_len(36).null())
            .col(ColumnDef::new(Funds::Name).string().not_null())
            .col(ColumnDef::new(Funds::Source).string_len(32).null())
            .col(ColumnDef::new(Funds::Level).string_len(16).not_null())
            .col(ColumnDef::new(Funds::Purpose).text().null())
            .col(ColumnDef::new(Funds::Initial).string_len(40).null())
            .col(ColumnDef::new(Funds::FullYear).string_len(40).null())
            .col(ColumnDef::new(Funds::Executed).string_len(40).null());
        audit_columns(
            &mut funds,
            Funds::Version,
            Funds::CreatedAt,
            Funds::UpdatedAt,
        )
        .col(
            ColumnDef::new(Funds::DeletedAt)
                .timestamp_with_time_zone()
                .null(),
        );
        manager.create_table(funds.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_funds_department_year")
                    .table(Funds::Table)
                    .col(Funds::DepartmentId)
                    .col(Funds::Year)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_funds_project")
                    .table(Funds::Table)
                    .col(Funds::ProjectId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Funds::Table.into_iden(),
            Projects::Table.into_iden(),
            DepartmentDocuments::Table.into_iden(),
            Departments::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
