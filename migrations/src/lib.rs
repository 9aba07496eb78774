//! Database migrations of jixiao, one change per file, each with a real `down`.
//!
//! Identifiers are declared in each migration, so migrations never depend on the evolving
//! entities of the service.

pub use sea_orm_migration::prelude::*;

pub mod packing;

mod m20261129_000001_create_regions;
mod m20261129_000002_create_department_data;
mod m20261129_000003_create_evaluations;
mod m20261129_000004_create_changes;
mod m20261129_000005_create_idempotency_keys;
mod m20261129_000006_index_stats_and_filters;
mod m20261130_000007_create_rollups;
mod m20261201_000008_unique_live_budget_code;
mod m20261201_000009_create_rule_set_defaults;
mod m20261201_000010_evaluation_summary_columns;
mod m20261201_000020_create_evaluation_reviews;
mod m20261201_000020_create_pending_cells;
mod m20261201_000030_cells_by_basis;
mod m20261201_000040_create_evaluation_comments;
mod m20261202_000050_index_evaluation_summaries;
mod m20261202_000060_pack_documents;
mod m20261202_000070_create_generations;
mod m20261202_000080_index_indicator_pages;
mod m20261202_000090_pack_with_dictionary;
mod m20261202_000100_key_indicator_results_by_position;
mod m20261203_000110_find_department_rows_through_evaluations;
mod m20261203_000120_cells_summed_by_sql;
mod m20261203_000130_indicator_rows_without_department;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_regions::Migration),
            Box::new(m20261129_000002_create_department_data::Migration),
            Box::new(m20261129_000003_create_evaluations::Migration),
            Box::new(m20261129_000004_create_changes::Migration),
            Box::new(m20261129_000005_create_idempotency_keys::Migration),
            Box::new(m20261129_000006_index_stats_and_filters::Migration),
            Box::new(m20261130_000007_create_rollups::Migration),
            Box::new(m20261201_000008_unique_live_budget_code::Migration),
            Box::new(m20261201_000009_create_rule_set_defaults::Migration),
            Box::new(m20261201_000010_evaluation_summary_columns::Migration),
            Box::new(m20261201_000020_create_evaluation_reviews::Migration),
            Box::new(m20261201_000020_create_pending_cells::Migration),
            Box::new(m20261201_000030_cells_by_basis::Migration),
            Box::new(m20261201_000040_create_evaluation_comments::Migration),
            Box::new(m20261202_000050_index_evaluation_summaries::Migration),
            Box::new(m20261202_000060_pack_documents::Migration),
            Box::new(m20261202_000070_create_generations::Migration),
            Box::new(m20261202_000080_index_indicator_pages::Migration),
            Box::new(m20261202_000090_pack_with_dictionary::Migration),
            Box::new(m20261202_000100_key_indicator_results_by_position::Migration),
            Box::new(m20261203_000110_find_department_rows_through_evaluations::Migration),
            Box::new(m20261203_000120_cells_summed_by_sql::Migration),
            Box::new(m20261203_000130_indicator_rows_without_department::Migration),
        ]
    }
}
