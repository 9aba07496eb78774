//! Packed values take zstd with a dictionary (`packing::ZSTD`), and the change feed's
//! snapshots are packed too (issue #17: storage). The feed's `data` column holds bytes: on
//! PostgreSQL `text` becomes `bytea`; SQLite keeps bytes in any column.
//!
//! Up, every document, history entry and snapshot is repacked (or, a snapshot, packed) in the
//! new format, a batch at a time. Down, the documents and history entries go back to LZ4 and
//! the snapshots to text, so the migrations before this one read them as they wrote them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m20261202_000060_pack_documents::{Key, rewrite};
use crate::packing;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, key, packed column, whether the column held plain text before this migration).
const COLUMNS: [(&str, Key<'static>, &str, bool); 3] = [
    ("evaluations", Key::Text("id"), "document", false),
    ("evaluation_history", Key::Text("id"), "changes", false),
    ("changes", Key::Integer("seq"), "data", true),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, key, column, was_text) in COLUMNS {
            if was_text && db.get_database_backend() == DbBackend::Postgres {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ALTER COLUMN {column} TYPE bytea \
                     USING convert_to({column}, 'UTF8')"
                ))
                .await?;
            }
            rewrite(db, (table, key, column), |bytes| {
                if packing::format(&bytes) == Some(packing::ZSTD) {
                    return Ok(None);
                }
                Ok(Some(packing::pack(&packing::unpack(bytes)?).into()))
            })
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        for (table, key, column, was_text) in COLUMNS {
            rewrite(db, (table, key, column), |bytes| {
                if packing::format(&bytes) != Some(packing::ZSTD) {
                    return Ok(None);
                }
                let text = packing::unpack(bytes)?;
                Ok(Some(match (was_text, postgres) {
                    (false, _) => packing::pack_lz4(&text).into(),
                    // PostgreSQL's column is still bytea here; SQLite takes the text itself.
                    (true, true) => text.into_bytes().into(),
                    (true, false) => text.into(),
                }))
            })
            .await?;
            if was_text && postgres {
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
