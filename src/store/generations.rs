//! The `generations` counters, and the one figure that says whether the data a read answered
//! from has changed since: the change feed's last number with the counters' sum.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// What the data is at: the feed's last number and the sum of the generation counters. Every
/// write that commits after it was read makes one of them larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataVersion {
    pub feed: i64,
    pub generations: i64,
}

/// Counts `name` up by one, in the caller's transaction (a write of data the feed does not
/// carry: regions).
pub async fn bump(db: &impl ConnectionTrait, name: &str) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO generations (name, n) VALUES ($1, 1) \
             ON CONFLICT (name) DO UPDATE SET n = generations.n + 1"
        }
        _ => {
            "INSERT INTO generations (name, n) VALUES (?, 1) \
             ON CONFLICT (name) DO UPDATE SET n = generations.n + 1"
        }
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [name.into()]))
        .await?;
    Ok(())
}

/// The data's version, or `None` while a write may be under way whose commit would not show
/// in it.
///
/// SQLite has one writer, whose feed number is drawn in commit order, so what is committed
/// is the version. On PostgreSQL writers draw their feed numbers in any order and commit in
/// any order: a writer that drew a lower number than the last one may still commit. So the
/// version counts only when no transaction of this database holds a transaction id (has
/// written and not ended): a writer draws its feed number last, after its first write gave it
/// an id, so every write that commits later and was not seen running draws a number above
/// this one.
pub async fn current(db: &impl ConnectionTrait) -> Result<Option<DataVersion>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT COALESCE((SELECT MAX(seq) FROM changes), 0) AS feed, \
             COALESCE((SELECT SUM(n) FROM generations), 0)::BIGINT AS generations, \
             NOT EXISTS (SELECT 1 FROM pg_stat_get_activity(NULL) AS a \
               WHERE a.datid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
               AND a.backend_xid IS NOT NULL) AS quiet"
        }
        _ => {
            "SELECT COALESCE((SELECT MAX(seq) FROM changes), 0) AS feed, \
             COALESCE((SELECT SUM(n) FROM generations), 0) AS generations, 1 = 1 AS quiet"
        }
    };
    let Some(row) = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
    else {
        return Ok(None);
    };
    let quiet: bool = row.try_get("", "quiet")?;
    if !quiet {
        return Ok(None);
    }
    Ok(Some(DataVersion {
        feed: row.try_get("", "feed")?,
        generations: row.try_get("", "generations")?,
    }))
}
