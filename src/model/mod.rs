//! The contract's types (serde + ToSchema), shared by `api/` (which answers them) and `app/`
//! (which takes and builds them), and the input of the CLI and the batch. Feed snapshots are
//! the same shapes as the GET answers.

pub mod amount;
pub mod batch;
pub mod body;
pub mod comment_dto;
pub mod department_years;
pub mod departments;
pub mod evaluation_dto;
pub mod evaluation_summary;
pub mod findings;
pub mod funds;
pub mod indicator_results;
pub mod links;
pub mod projects;
pub mod regions;
pub mod review_dto;
pub mod rule_set_defaults;
pub mod rule_sets;
pub mod stats;
pub mod vocab;
