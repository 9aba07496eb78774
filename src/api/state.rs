//! What every handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::telemetry::Metrics;

/// What every handler can reach.
pub struct AppState {
    pub db: DatabaseConnection,
    pub metrics: Arc<Metrics>,
    pub max_body_bytes: usize,
    /// How long a request body may take to arrive (`body_timeout_secs`).
    pub body_timeout: std::time::Duration,
    pub max_page_size: u64,
    /// Permits for building and sending an evaluation list page (`max_concurrent_pages`).
    pub pages: Arc<tokio::sync::Semaphore>,
    pub max_batch_items: usize,
    pub max_batch_bytes: usize,
    /// Signs and checks the short-lived links to pages (report, overview).
    pub links: crate::app::links::LinkKeys,
    /// Dashboard answers kept between writes (`read_cache_bytes`).
    pub read_cache: Arc<crate::app::read_cache::ReadCache>,
}
