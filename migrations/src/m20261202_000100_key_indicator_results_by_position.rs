//! `indicator_results` is keyed by `(evaluation_id, position)` instead of a text column
//! `key` = `{evaluation_id}:{position:04}` that repeated both (issue #17: storage). The order
//! is the same (the old key sorted as the pair does: ids of one length, positions of four
//! digits); the key's 41 bytes leave the row, its own index and the two indexes that ended in
//! it. On the generated 10k set, 57 bytes per indicator result (960 -> 904). On PostgreSQL
//! the primary key also answers what `(evaluation_id)` did.
//!
//! SQLite cannot change a table's primary key in place, so both databases copy the rows into
//! a new table and rename it; down copies them back, rebuilding the key.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum IndicatorResults {
    Table,
    Key,
    EvaluationId,
    Position,
    Year,
    RegionCode,
    DepartmentId,
    Kind,
    Status,
    Level1,
    Level2,
    Level3,
    Target,
    Actual,
    Weight,
    Claimed,
    Computed,
    Achieved,
}

use IndicatorResults as R;

/// The table being built beside the old one.
const NEXT: &str = "indicator_results_next";

/// The columns both shapes share, in their order.
const SHARED: &str = "evaluation_id, position, year, region_code, department_id, kind, status, \
                      level1, level2, level3, target, actual, weight, claimed, computed, achieved";

/// The table, keyed by the pair (`keyed`: false) or, as before, by the text key.
fn table(keyed: bool) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(Alias::new(NEXT));
    if keyed {
        t.col(
            ColumnDef::new(R::Key)
                .string_len(48)
                .not_null()
                .primary_key(),
        );
    }
    t.col(ColumnDef::new(R::EvaluationId).string_len(36).not_null())
        .col(ColumnDef::new(R::Position).integer().not_null())
        .col(ColumnDef::new(R::Year).integer().not_null())
        .col(ColumnDef::new(R::RegionCode).string_len(6).not_null())
        .col(ColumnDef::new(R::DepartmentId).string_len(36).not_null())
        .col(ColumnDef::new(R::Kind).string_len(16).not_null())
        .col(ColumnDef::new(R::Status).string_len(16).not_null())
        .col(ColumnDef::new(R::Level1).string().not_null())
        .col(ColumnDef::new(R::Level2).string().not_null())
        .col(ColumnDef::new(R::Level3).string().not_null())
        .col(ColumnDef::new(R::Target).text().not_null())
        .col(ColumnDef::new(R::Actual).text().not_null())
        .col(ColumnDef::new(R::Weight).string_len(40).null())
        .col(ColumnDef::new(R::Claimed).string_len(40).null())
        .col(ColumnDef::new(R::Computed).string_len(40).null())
        .col(ColumnDef::new(R::Achieved).boolean().null());
    if !keyed {
        t.primary_key(Index::create().col(R::EvaluationId).col(R::Position));
    }
    t.to_owned()
}

/// The indexes of each shape: (name, columns). The key's place is taken by the pair.
fn indexes(keyed: bool, backend: DbBackend) -> Vec<(&'static str, Vec<R>)> {
    let order = if keyed {
        vec![R::Key]
    } else {
        vec![R::EvaluationId, R::Position]
    };
    let mut out = vec![
        (
            "idx_indicator_results_year_key",
            [vec![R::Year], order.clone()].concat(),
        ),
        (
            "idx_indicator_results_filter",
            [vec![R::Year, R::Level1, R::Achieved], order].concat(),
        ),
        (
            "idx_indicator_results_department",
            vec![
                R::DepartmentId,
                R::Year,
                R::Level1,
                R::Level2,
                R::Achieved,
                R::RegionCode,
                R::Status,
            ],
        ),
    ];
    // Migration …000080 kept it on PostgreSQL, where the text key's order follows the
    // collation; the pair's primary key answers it.
    if keyed && backend == DbBackend::Postgres {
        out.push(("idx_indicator_results_evaluation", vec![R::EvaluationId]));
    }
    out
}

/// Copies every row into a table of the other shape and puts it in the old one's place, in
/// one string of statements: on SQLite the migrator runs no transaction and hands each call
/// to any pooled connection, so the steps are kept together on one, in a savepoint.
async fn rebuild(manager: &SchemaManager<'_>, keyed: bool) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = db.get_database_backend();
    let sql = |s: Statement| s.sql;
    let mut steps = vec![sql(backend.build(&table(keyed)))];
    let (columns, values) = if keyed {
        let padded = match backend {
            DbBackend::Postgres => "lpad(position::text, 4, '0')",
            _ => "printf('%04d', position)",
        };
        (
            format!("key, {SHARED}"),
            format!("evaluation_id || ':' || {padded}, {SHARED}"),
        )
    } else {
        (SHARED.to_owned(), SHARED.to_owned())
    };
    steps.push(format!(
        "INSERT INTO {NEXT} ({columns}) SELECT {values} FROM indicator_results"
    ));
    steps.push(sql(backend.build(&Table::drop().table(R::Table).to_owned())));
    steps.push(sql(backend.build(
        &Table::rename().table(Alias::new(NEXT), R::Table).to_owned(),
    )));
    if backend == DbBackend::Postgres {
        // The primary key keeps the name it was made with: give it the table's, so that the
        // next rebuild can make the other shape under the same temporary name.
        steps.push(format!(
            "ALTER TABLE indicator_results RENAME CONSTRAINT {NEXT}_pkey TO indicator_results_pkey"
        ));
    }
    for (name, columns) in indexes(keyed, backend) {
        let mut index = Index::create();
        index.name(name).table(R::Table);
        for column in columns {
            index.col(column);
        }
        steps.push(sql(backend.build(&index.to_owned())));
    }
    let all = steps.join(";\n");
    let all = match backend {
        DbBackend::Sqlite => format!("SAVEPOINT rekey;\n{all};\nRELEASE rekey;"),
        _ => all,
    };
    db.execute_unprepared(&all).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, false).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, true).await
    }
}
