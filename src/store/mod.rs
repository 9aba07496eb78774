//! Persistence: sea-orm entities and queries, one module per aggregate. Knows nothing of HTTP.

pub mod changes;
pub mod comments;
pub mod database;
pub mod departments;
pub mod documents;
pub mod evaluations;
pub mod funds;
pub mod generations;
pub mod history;
pub mod idempotency;
pub mod money;
pub mod packed;
pub mod projects;
pub mod query;
pub mod regions;
pub mod reviews;
pub mod rule_set_defaults;
pub mod rule_sets;

pub use database::{begin_write, connect, is_unique_violation, ping, redact};
pub use query::{contains_literally, page, page_each};
