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
            rewrite(db, (table, Key::Text(key), column), |bytes| {
                if packing::is_packed(&bytes) {
                    return Ok(None);
                }
                let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
                Ok(Some(packing::pack_lz4(&text).into()))
            })
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        for (table, key, column) in COLUMNS {
            rewrite(db, (table, Key::Text(key), column), |bytes| {
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
/// gives a new value for the row's bytes (`None`: leave the row; NULLs are left). The key is
/// text or, with `Key::Integer`, a number (shared with migration `…000090`).
pub(crate) async fn rewrite(
    db: &SchemaManagerConnection<'_>,
    (table, key, column): (&str, Key<'_>, &str),
    change: impl Fn(Vec<u8>) -> Result<Option<Value>, String>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let (p1, p2) = match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    let name = key.name();
    let mut after = key.start();
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT {name}, {column} FROM {table} WHERE {name} > {p1} \
                     ORDER BY {name} LIMIT {BATCH}"
                ),
                [after.clone()],
            ))
            .await?;
        for row in &rows {
            let id = key.read(row)?;
            let bytes: Option<Vec<u8>> = row.try_get("", column)?;
            if let Some(bytes) = bytes {
                let new =
                    change(bytes).map_err(|e| DbErr::Migration(format!("{table} {id:?}: {e}")))?;
                if let Some(value) = new {
                    db.execute_raw(Statement::from_sql_and_values(
                        backend,
                        format!("UPDATE {table} SET {column} = {p1} WHERE {name} = {p2}"),
                        [value, id.clone()],
                    ))
                    .await?;
                }
            }
            after = id;
        }
        if (rows.len() as u64) < BATCH {
            return Ok(());
        }
    }
}

/// The key column of a table that [`rewrite`] walks.
#[derive(Clone, Copy)]
pub(crate) enum Key<'a> {
    Text(&'a str),
    Integer(&'a str),
}

impl Key<'_> {
    fn name(&self) -> &str {
        match self {
            Key::Text(n) | Key::Integer(n) => n,
        }
    }

    /// A value below every key.
    fn start(&self) -> Value {
        match self {
            Key::Text(_) => String::new().into(),
            Key::Integer(_) => i64::MIN.into(),
        }
    }

    fn read(&self, row: &sea_orm_migration::sea_orm::QueryResult) -> Result<Value, DbErr> {
        Ok(match self {
            Key::Text(n) => row.try_get::<String>("", n)?.into(),
            Key::Integer(n) => row.try_get::<i64>("", n)?.into(),
        })
    }
}
