//! Whether the service can answer: the database is reachable.

use sea_orm::{DatabaseConnection, DbErr};

/// Pings the database.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    crate::store::ping(db).await
}
