//! Migrations run up, down and up again on both databases.

use jixiao::store;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{backends, empty_database};

async fn table_count(db: &sea_orm::DatabaseConnection, table: &str) -> Option<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .ok()??;
    row.try_get::<i64>("", "n").ok()
}

#[tokio::test]
async fn up_down_up() {
    for backend in backends() {
        let (url, _guard) = empty_database(backend).await;
        let db = store::connect(&url, 2).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        assert_eq!(table_count(&db, "regions").await, Some(14), "{backend:?}");
        let applied = Migrator::get_applied_migrations(&db).await.unwrap().len();
        Migrator::down(&db, Some(applied as u32)).await.unwrap();
        assert_eq!(
            table_count(&db, "regions").await,
            None,
            "{backend:?}: down drops the table"
        );
        assert_eq!(
            Migrator::get_pending_migrations(&db).await.unwrap().len(),
            applied
        );
        Migrator::up(&db, None).await.unwrap();
        assert_eq!(table_count(&db, "regions").await, Some(14), "{backend:?}");
        db.close().await.unwrap();
    }
}
