//! jixiao (绩效): a REST service that holds, validates and scores Chinese public-budget
//! performance self-evaluations (预算绩效自评).

pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod generate;
pub mod import;
pub mod lifetime;
pub mod locale;
pub mod model;
pub mod report;
pub mod startup;
pub mod store;
pub mod telemetry;
