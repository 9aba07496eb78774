//! The database itself: opening the pool, write transactions, migrations, and what its
//! errors mean.

use std::time::Duration;

use anyhow::Context;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, SqlErr};

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

/// Whether the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
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
