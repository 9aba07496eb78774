//! Use cases: the layer between HTTP (or the CLI) and the store. A use case resolves its
//! references in the caller's scope, calls the domain, and lands its writes through one
//! [`uow::UnitOfWork`], the only place that begins and commits a write transaction.

pub mod access;
pub mod budgets;
pub mod cells;
pub mod changes;
pub mod comments;
pub mod department_years;
pub mod departments;
pub mod evaluations;
pub mod exports;
pub mod feed;
pub mod filters;
pub mod funds;
pub mod health;
pub mod idempotency;
pub mod indicator_results;
pub mod links;
pub mod migrate;
pub mod overview;
pub mod precondition;
pub mod projects;
pub mod read_cache;
pub mod regions;
pub mod report_page;
pub mod reviews;
pub mod reviews_queue;
pub mod rule_set_defaults;
pub mod rule_sets;
pub mod scope;
pub mod single_flight;
pub mod stats;
pub mod uow;
pub mod write;

pub use migrate::migrate_up;
