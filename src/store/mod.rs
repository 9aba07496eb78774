//! Persistence: sea-orm entities and queries, one module per aggregate. Knows nothing of HTTP.

pub mod changes;
pub mod comments;
pub mod departments;
pub mod documents;
pub mod evaluation_cells;
pub mod evaluation_summaries;
pub mod evaluations;
pub mod funds;
pub mod history;
pub mod idempotency;
pub mod indicator_cells;
pub mod indicator_results;
pub mod money;
pub mod pending_cells;
pub mod projects;
pub mod query;
pub mod regions;
pub mod reviews;
pub mod rule_set_defaults;
pub mod rule_sets;

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, SqlErr};

/// `column LIKE '%text%'` with `text` matched literally: `%`, `_` and the escape character
/// itself are escaped (`ESCAPE '\'`), so `q=%` finds names holding a `%`, not every name.
/// The one helper for every name search (`q=`).
pub fn contains_literally(
    column: impl sea_orm::ColumnTrait,
    text: &str,
) -> sea_orm::sea_query::Expr {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    column.like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\'))
}

/// The page cache of each SQLite connection, in KiB (as `PRAGMA cache_size` takes it: negative).
const SQLITE_CACHE_KIB: &str = "-512";

/// Opens a connection pool to the database named by `url`; `max_connections` 0 chooses by
/// database (4 on SQLite, 10 on PostgreSQL).
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    let sqlite = url.starts_with("sqlite:");
    let max_connections = match max_connections {
        0 if sqlite => 4,
        0 => 10,
        n => n,
    };
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        // Every pooled SQLite connection keeps its own page cache (2 MiB by default); the
        // operating system caches the file anyway, so a small one keeps memory bounded.
        .map_sqlx_sqlite_opts(|o| o.pragma("cache_size", SQLITE_CACHE_KIB));
    let db = Database::connect(options)
        .await
        .with_context(|| format!("cannot open the database {}", redact(url)))?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        // Enforce foreign keys and wait rather than fail when another writer holds the lock.
        db.execute_unprepared("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
            .await
            .context("cannot set SQLite pragmas")?;
    }
    Ok(db)
}

/// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), so a transaction that reads before it writes cannot fail when another writer
/// committed in between; PostgreSQL starts an ordinary transaction.
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Applies every pending migration, then fills the maintained aggregate cells if a database
/// from before them has evaluations but no cells yet (in one transaction).
pub async fn migrate_up(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("cannot apply migrations")?;
    let txn = begin_write(db)
        .await
        .context("cannot begin a transaction")?;
    let filled =
        evaluation_cells::fill_if_empty(&txn).await? | indicator_cells::fill_if_empty(&txn).await?;
    txn.commit()
        .await
        .context("cannot fill the aggregate cells")?;
    if filled {
        tracing::info!("filled the aggregate cells from the existing evaluations");
    }
    Ok(())
}

/// Whether the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// Runs a select ordered by its key and returns at most `limit` rows, and whether more follow
/// (keyset pagination: the caller adds `key > after` to the select).
pub async fn page<E: sea_orm::EntityTrait>(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<E>,
    limit: u64,
) -> Result<(Vec<E::Model>, bool), DbErr> {
    use sea_orm::QuerySelect;
    let mut rows = select.limit(limit + 1).all(db).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((rows, more))
}

/// Like [`page`], but hands each row to `each` as it arrives instead of collecting them, so a
/// page of large rows is never held whole. Returns whether more rows follow.
pub async fn page_each<E, C, F, X>(
    db: &C,
    select: sea_orm::Select<E>,
    limit: u64,
    mut each: F,
) -> Result<bool, X>
where
    E: sea_orm::EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait + sea_orm::StreamTrait,
    F: FnMut(E::Model) -> Result<(), X>,
    X: From<DbErr>,
{
    use futures_util::TryStreamExt;
    use sea_orm::QuerySelect;
    let mut rows = select.limit(limit + 1).stream(db).await?;
    let mut taken = 0;
    while let Some(row) = rows.try_next().await? {
        if taken == limit {
            return Ok(true);
        }
        each(row)?;
        taken += 1;
    }
    Ok(false)
}

/// True when the error is a unique-constraint violation.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            super::redact("sqlite://x.db?mode=rwc"),
            "sqlite://x.db?mode=rwc"
        );
    }
}
