//! A budget code (预算单位编码) names one live department in the whole service, so that
//! callers at every level (county, city, province) can address a department by its code
//! without ambiguity. Deleted departments keep their codes in the rows but do not hold them:
//! the index covers live rows only (a partial index, on SQLite and PostgreSQL alike).
//!
//! A database that already holds two live departments with one code cannot take the index:
//! the migration stops and names the codes, so that they can be told apart first.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ux_departments_live_budget_code";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let duplicates = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT budget_code FROM departments WHERE deleted_at IS NULL \
                 GROUP BY budget_code HAVING COUNT(*) > 1 ORDER BY budget_code"
                    .to_owned(),
            ))
            .await?;
        if !duplicates.is_empty() {
            let mut codes = Vec::new();
            for row in &duplicates {
                codes.push(row.try_get::<String>("", "budget_code")?);
            }
            return Err(DbErr::Migration(format!(
                "budget codes must be unique among live departments, but these are used by \
                 several: {}; give each department its own code (or delete the extra ones), \
                 then migrate again",
                codes.join(", ")
            )));
        }
        db.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX {INDEX} ON departments (budget_code) WHERE deleted_at IS NULL"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX {INDEX}"))
            .await?;
        Ok(())
    }
}
