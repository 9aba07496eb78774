//! Use cases: the layer between HTTP (or the CLI) and the store. A use case resolves its
//! references in the caller's scope, calls the domain, and lands its writes through one
//! [`uow::UnitOfWork`], the only place that begins and commits a write transaction.

pub mod department_years;
pub mod departments;
pub mod evaluations;
pub mod funds;
pub mod projects;
pub mod reviews;
pub mod reviews_queue;
pub mod uow;
pub mod write;
