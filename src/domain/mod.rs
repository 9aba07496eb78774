//! Pure domain logic: no web framework, database or runtime imports.
//!
//! Everything here is plain Rust over plain data, so the HTTP API, the batch import and the
//! exports all call the same functions, and the rules are tested without a server.

pub mod policy;
pub mod region;
