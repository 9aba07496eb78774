//! `evaluation_comments`: the thread between a unit and its reviewers on an evaluation, or on
//! one of its indicator rows. Comments are never edited or deleted; each is a new version of
//! the evaluation (history `commented`), so the history and the change feed carry it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EvaluationComments {
    Table,
    Id,
    EvaluationId,
    RowIndex,
    Body,
    Author,
    Role,
    EvaluationVersion,
    CreatedAt,
}

const BY_EVALUATION: &str = "idx_evaluation_comments_evaluation";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EvaluationComments::Table)
                    .col(
                        ColumnDef::new(EvaluationComments::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(EvaluationComments::EvaluationId)
                            .string_len(36)
                            .not_null(),
                    )
                    // The indicator row the comment is on; NULL: on the whole evaluation.
                    .col(
                        ColumnDef::new(EvaluationComments::RowIndex)
                            .integer()
                            .null(),
                    )
                    .col(ColumnDef::new(EvaluationComments::Body).text().not_null())
                    .col(
                        ColumnDef::new(EvaluationComments::Author)
                            .string()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EvaluationComments::Role)
                            .string_len(16)
                            .not_null(),
                    )
                    // The version of the evaluation the comment made.
                    .col(
                        ColumnDef::new(EvaluationComments::EvaluationVersion)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EvaluationComments::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_EVALUATION)
                    .table(EvaluationComments::Table)
                    .col(EvaluationComments::EvaluationId)
                    .col(EvaluationComments::EvaluationVersion)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EvaluationComments::Table).to_owned())
            .await
    }
}
