//! `indicator_results` drops `department_id` (issue #17: storage): each row repeated its
//! evaluation's department, 37 bytes of text a row, and since migration `…000110` no index
//! and no filter reads it there (a department's rows are found through `evaluations`). The
//! answers that show a row's department take it from the row's evaluation.
//!
//! SQLite copies the rows into a table without the column, in key order, so that the pages
//! come out full (`ALTER TABLE … DROP COLUMN` would leave each page's bytes where they were);
//! PostgreSQL drops the column in place. Down brings the column back, filled from each row's
//! evaluation.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns of each shape (as `…000110` left them, with or without the department), in the
/// table's order.
fn columns(with_department: bool) -> Vec<&'static str> {
    let mut c = vec![
        "evaluation_id varchar(36) NOT NULL",
        "position integer NOT NULL",
        "year integer NOT NULL",
        "region_code varchar(6) NOT NULL",
    ];
    if with_department {
        c.push("department_id varchar(36) NOT NULL");
    }
    c.extend([
        "kind varchar(16) NOT NULL",
        "status varchar(16) NOT NULL",
        "level1 varchar NOT NULL",
        "level2 varchar NOT NULL",
        "level3 varchar NOT NULL",
        "target text NOT NULL",
        "actual text NOT NULL",
        "weight varchar(40) NULL",
        "claimed varchar(40) NULL",
        "computed varchar(40) NULL",
        "achieved boolean NULL",
    ]);
    c
}

/// The names of [`columns`].
fn names(with_department: bool) -> String {
    let names: Vec<&str> = columns(with_department)
        .into_iter()
        .filter_map(|c| c.split(' ').next())
        .collect();
    names.join(", ")
}

/// The indexes the table keeps, as `…000110` made them.
const INDEXES: [&str; 2] = [
    "CREATE INDEX idx_indicator_results_year_key ON indicator_results (year, evaluation_id, position)",
    "CREATE INDEX idx_indicator_results_filter ON indicator_results \
     (year, level1, achieved, evaluation_id, position)",
];

/// Each row's department, from its evaluation (down).
const DEPARTMENT_OF_ROW: &str = "COALESCE((SELECT e.department_id FROM evaluations e \
     WHERE e.id = indicator_results.evaluation_id), '')";

/// SQLite: the rows copied, in key order, into a `WITHOUT ROWID` table of the other shape, in
/// one savepoint on one connection (the migrator runs no transaction on SQLite and hands each
/// call to any pooled connection).
fn sqlite_rebuild(with_department: bool) -> String {
    let target = names(with_department);
    let source = if with_department {
        names(false).replacen(
            "region_code,",
            &format!("region_code, {DEPARTMENT_OF_ROW},"),
            1,
        )
    } else {
        names(false)
    };
    let mut steps = vec![
        format!(
            "CREATE TABLE indicator_results_next ({}, PRIMARY KEY (evaluation_id, position)) \
             WITHOUT ROWID",
            columns(with_department).join(", ")
        ),
        format!(
            "INSERT INTO indicator_results_next ({target}) SELECT {source} FROM indicator_results \
             ORDER BY evaluation_id, position"
        ),
        "DROP TABLE indicator_results".to_owned(),
        "ALTER TABLE indicator_results_next RENAME TO indicator_results".to_owned(),
    ];
    steps.extend(INDEXES.iter().map(|s| (*s).to_owned()));
    format!(
        "SAVEPOINT reshape;\n{};\nRELEASE reshape;",
        steps.join(";\n")
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sql = match db.get_database_backend() {
            DbBackend::Sqlite => sqlite_rebuild(false),
            _ => "ALTER TABLE indicator_results DROP COLUMN department_id".to_owned(),
        };
        db.execute_unprepared(&sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sql = match db.get_database_backend() {
            DbBackend::Sqlite => sqlite_rebuild(true),
            _ => format!(
                "ALTER TABLE indicator_results ADD COLUMN department_id varchar(36);\n\
                 UPDATE indicator_results SET department_id = {DEPARTMENT_OF_ROW};\n\
                 ALTER TABLE indicator_results ALTER COLUMN department_id SET NOT NULL"
            ),
        };
        db.execute_unprepared(&sql).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_names_each_column_once_in_the_order_of_the_table() {
        for with in [false, true] {
            let sql = sqlite_rebuild(with);
            let target = names(with);
            assert!(sql.contains(&format!("({target}) SELECT")));
            assert_eq!(target.contains("department_id"), with);
            assert_eq!(target.split(", ").count(), columns(with).len(), "{target}");
        }
        // Down fills the department where up's copy had none.
        assert!(sqlite_rebuild(true).contains("region_code, COALESCE((SELECT e.department_id"));
    }
}
