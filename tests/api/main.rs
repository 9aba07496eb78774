//! Black-box API tests: a real server on a random port, a fresh database per test, on SQLite
//! and (with `TEST_DATABASE_URL`) on PostgreSQL.

mod architecture;
mod auth;
mod batch;
mod bounds;
mod budget_codes;
mod department_data;
mod errors;
mod evaluations;
mod example_client;
mod exports;
mod feed_replica;
mod feed_shapes;
mod generate;
mod helpers;
mod http_caching;
mod http_layer;
mod import_xlsx;
mod input_problems;
mod integration;
mod migrations;
mod openapi;
mod ops;
mod printed;
mod readme;
mod real_tables;
mod regions;
mod review_basis;
mod reviews;
mod rule_sets;
mod search;
mod seed;
mod shutdown;
mod stats;
mod timestamps;
mod views;
