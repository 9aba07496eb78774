//! A department's indicator rows are found through its evaluations (`evaluations`' department
//! index, then each evaluation's range of the primary key), so `indicator_results` drops its
//! own department index, the largest of its indexes (issue #17: storage). On SQLite the table
//! also becomes `WITHOUT ROWID`: its rows live in the `(evaluation_id, position)` key itself,
//! and the key's separate index goes. On the generated 10k set, after `VACUUM`, 869 -> 718
//! bytes per indicator result; one index fewer to write per indicator row.
//!
//! PostgreSQL keeps its heap and primary key; only the index goes. Down brings it back (and on
//! SQLite, a rowid table, as migration `…000100` left it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The index that goes, as migration `…000080` made it.
const DEPARTMENT_INDEX: &str = "CREATE INDEX idx_indicator_results_department ON indicator_results \
     (department_id, year, level1, level2, achieved, region_code, status)";

/// The columns, as `…000100` made them, and the key.
const COLUMNS: &str = "evaluation_id varchar(36) NOT NULL, position integer NOT NULL, \
     year integer NOT NULL, region_code varchar(6) NOT NULL, department_id varchar(36) NOT NULL, \
     kind varchar(16) NOT NULL, status varchar(16) NOT NULL, level1 varchar NOT NULL, \
     level2 varchar NOT NULL, level3 varchar NOT NULL, target text NOT NULL, actual text NOT NULL, \
     weight varchar(40) NULL, claimed varchar(40) NULL, computed varchar(40) NULL, \
     achieved boolean NULL, PRIMARY KEY (evaluation_id, position)";

const SHARED: &str = "evaluation_id, position, year, region_code, department_id, kind, status, \
                      level1, level2, level3, target, actual, weight, claimed, computed, achieved";

/// The indexes both shapes keep.
const KEPT: [&str; 2] = [
    "CREATE INDEX idx_indicator_results_year_key ON indicator_results (year, evaluation_id, position)",
    "CREATE INDEX idx_indicator_results_filter ON indicator_results \
     (year, level1, achieved, evaluation_id, position)",
];

/// SQLite: the rows copied into a table of the other shape (`without_rowid`, or a rowid table
/// with the department index), in one savepoint on one connection (the migrator runs no
/// transaction on SQLite and hands each call to any pooled connection).
fn sqlite_rebuild(without_rowid: bool) -> String {
    let options = if without_rowid { " WITHOUT ROWID" } else { "" };
    let mut steps = vec![
        format!("CREATE TABLE indicator_results_next ({COLUMNS}){options}"),
        format!(
            "INSERT INTO indicator_results_next ({SHARED}) SELECT {SHARED} FROM indicator_results \
             ORDER BY evaluation_id, position"
        ),
        "DROP TABLE indicator_results".to_owned(),
        "ALTER TABLE indicator_results_next RENAME TO indicator_results".to_owned(),
    ];
    steps.extend(KEPT.iter().map(|s| (*s).to_owned()));
    if !without_rowid {
        steps.push(DEPARTMENT_INDEX.to_owned());
    }
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
            DbBackend::Sqlite => sqlite_rebuild(true),
            _ => "DROP INDEX idx_indicator_results_department".to_owned(),
        };
        db.execute_unprepared(&sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sql = match db.get_database_backend() {
            DbBackend::Sqlite => sqlite_rebuild(false),
            _ => DEPARTMENT_INDEX.to_owned(),
        };
        db.execute_unprepared(&sql).await?;
        Ok(())
    }
}
