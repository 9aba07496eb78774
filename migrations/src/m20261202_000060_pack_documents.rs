//! Evaluation documents and history entries are kept packed (compressed, `packing.rs`): their
//! columns hold bytes. On PostgreSQL `text` becomes `bytea`; SQLite keeps bytes in any column.
//! The rows already there are packed here, a batch at a time; going down unpacks them back
//! into text, so the migrations before this one read them as they wrote them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::packing;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, key column, packed column).
const COLUMNS: [(&str, &str, &str); 2] = [
    ("evaluations", "id", "document"),
    ("evaluation_history", "id", "changes"),
];

/// Rows read and rewritten per statement.
const BATCH: u64 = 500;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, key, column) in COLUMNS {
            if db.get_database_backend() == DbBackend::Postgres {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ALTER COLUMN {column} TYPE bytea \
                     USING convert_to({column}, 'UTF8')"
                ))
                .await?;
            }
            rewrite(db, (table, key, column), |bytes| {
                if packing::is_packed(&bytes) {
                    return Ok(None);
                }
                let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
                Ok(Some(packing::pack(&text).into()))
            })
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        for (table, key, column) in COLUMNS {
            rewrite(db, (table, key, column), |bytes| {
                if !packing::is_packed(&bytes) {
                    return Ok(None);
                }
                let text = packing::unpack(bytes)?;
                // PostgreSQL's column is still bytea here (text's UTF-8 bytes); SQLite takes
                // the text itself, as the rows before packing held it.
                Ok(Some(if postgres {
                    text.into_bytes().into()
                } else {
                    text.into()
                }))
            })
            .await?;
            if postgres {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ALTER COLUMN {column} TYPE text \
                     USING convert_from({column}, 'UTF8')"
                ))
                .await?;
            }
        }
        Ok(())
    }
}

/// Rewrites `column` of every row of `table` in key order, a batch at a time, where `change`
/// gives a new value for the row's bytes (`None`: leave the row).
async fn rewrite(
    db: &SchemaManagerConnection<'_>,
    (table, key, column): (&str, &str, &str),
    change: impl Fn(Vec<u8>) -> Result<Option<Value>, String>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let (p1, p2) = match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    let mut after = String::new();
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT {key}, {column} FROM {table} WHERE {key} > {p1} \
                     ORDER BY {key} LIMIT {BATCH}"
                ),
                [after.clone().into()],
            ))
            .await?;
        for row in &rows {
            let id: String = row.try_get("", key)?;
            let bytes: Vec<u8> = row.try_get("", column)?;
            let new = change(bytes).map_err(|e| DbErr::Migration(format!("{table} {id}: {e}")))?;
            if let Some(value) = new {
                db.execute_raw(Statement::from_sql_and_values(
                    backend,
                    format!("UPDATE {table} SET {column} = {p1} WHERE {key} = {p2}"),
                    [value, id.clone().into()],
                ))
                .await?;
            }
            after = id;
        }
        if (rows.len() as u64) < BATCH {
            return Ok(());
        }
    }
}
