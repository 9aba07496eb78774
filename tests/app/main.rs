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
