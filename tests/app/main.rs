//! Tests of the use cases without HTTP: the transaction invariants of the unit of work (a
//! write and its history, feed entry and aggregate cells are all there, or none of them), on
//! SQLite and, when `TEST_DATABASE_URL` is set, on PostgreSQL too.

// The API suite's harness, for its fresh databases; the server half goes unused here.
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod concurrency;
mod data_version;
mod evaluations;
mod json_columns;
mod layers;
mod long_functions;
mod query_plans;
mod resources;
mod summary_pages;
mod summed_cells;

/// A migrated database of `departments` generated departments × 2 years (2023 and 2024),
/// written through the service.
async fn generated_database(
    backend: helpers::Backend,
    departments: usize,
) -> (sea_orm::DatabaseConnection, impl Drop) {
    let (url, guard) = helpers::empty_database(backend).await;
    let db = jixiao::store::connect(&url, 0).await.expect("connect");
    jixiao::app::migrate_up(&db).await.expect("migrate");
    let options = jixiao::generate::Options {
        departments,
        years: 2,
        last_year: 2024,
        seed: 7,
    };
    jixiao::generate::run(&db, &options, |_, _| {})
        .await
        .expect("generate");
    (db, guard)
}
