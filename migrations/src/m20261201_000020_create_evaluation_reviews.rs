//! `evaluation_reviews`: the finance bureau's review (复核) of an evaluation, one row per
//! evaluation: the review document (review scores, deduction reasons, opinion) as JSON, the
//! reviewed total and grade, and how many approval levels have approved so far. Versioned with
//! the evaluation it belongs to (a review write is a new version of the evaluation).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EvaluationReviews {
    Table,
    EvaluationId,
    Document,
    ReviewedTotal,
    ReviewedGrade,
    ApprovedLevel,
    ReviewedBy,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EvaluationReviews::Table)
                    .col(
                        ColumnDef::new(EvaluationReviews::EvaluationId)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(EvaluationReviews::Document)
                            .text()
                            .not_null(),
                    )
                    // Exact decimal text; NULL while no score is reviewed.
                    .col(
                        ColumnDef::new(EvaluationReviews::ReviewedTotal)
                            .string_len(40)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(EvaluationReviews::ReviewedGrade)
                            .string_len(16)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(EvaluationReviews::ApprovedLevel)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EvaluationReviews::ReviewedBy)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EvaluationReviews::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EvaluationReviews::Table).to_owned())
            .await
    }
}
