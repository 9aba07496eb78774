//! The pure domain of jixiao: parsing, rules, scoring, review and reconciliations of budget
//! performance self-evaluations (预算绩效自评).
//!
//! No framework imports here (no actix, sea-orm, utoipa, tokio): plain serde data and functions.
//!
//! * [`money`]: exact decimals, half-up rounding, "adds up" tolerances;
//! * [`target`]: target / actual text → quantitative, period, duration or qualitative;
//! * [`tree`]: the indicator tree and name recognition;
//! * [`rules`]: versioned rule sets (`builtin_rule_sets`, `rule_set_by_id`), each of a region;
//! * [`rule_defaults`]: the default rule set of an evaluation that names none;
//! * [`evaluation`]: the input types; [`scoring`]: `evaluate` → `Outcome`;
//! * [`finding`]: `Finding`, its codes and the `CATALOGUE` of review rules (every other file
//!   reports through it); [`review`]: structural review;
//! * [`finance`]: department finances, funds, basic data table, profile and their reconciliations;
//! * [`seed`]: the seed report (衡东分局 2024) as data;
//! * [`region`]: GB/T 2260 codes and subtrees; [`policy`]: who may do what, on which objects.
//! * [`stats`]: grouping, score bands and exact sums for the aggregates; [`sums`]: the same sums
//!   as whole numbers, for the database to add up;
//!
//! Choices where the spec was silent:
//!
//! * `1年`, `6个月`, `30天` written bare are time limits ([`target::Parsed::Duration`]), scored like
//!   `≤`; with a comparator (`≥3年`) or an indicator direction they are quantities with a time unit.
//! * Qualitative actuals are read through the rule set's achievement vocabulary (data, extended by
//!   administrators): `完成`, `已达标`, `满意`, `有效改善`… are the grade they name with the note
//!   `actual.grade_informal`, and so is an actual that repeats the target; a wording the
//!   vocabulary does not know is `actual.grade_unknown` and goes to review. On a quantitative or
//!   time target such words are `actual.not_measured`, also for review by default.
//! * A row the service cannot verify keeps the unit's claimed score on basis `claimed` until a
//!   reviewer decides; it is never silently scored 0 ([`scoring::Basis`]).
//! * Empty placeholder rows, and rows that hold only the template's own names (`指标2`, `……`), are
//!   kept, name-checked, never scored and raise nothing else.
//! * A sum equal to its total raises nothing; a difference of at most the figures' precision
//!   (one unit of the last digit, never finer than 0.01 万元) is the warning
//!   `money.rounding_difference`; more is an error. Counts of people must add up exactly.
//! * Rows that cannot be computed at all (a date in the year 204, a claim outside its band) add 0
//!   to the computed total and raise no `score.claimed_mismatch` (the finding that explains why is
//!   enough); the claimed total is still compared. Where a table prints no total, the sum of its
//!   claimed scores is its claimed total.
//! * Over-achievement applies to higher-is-better rows only (`a > t × threshold`).

pub mod body_problem;
pub mod comment;
pub mod diff;
pub mod evaluation;
pub mod finance;
pub mod finding;
pub mod money;
pub mod policy;
pub mod region;
pub mod review;
pub mod review_score;
pub mod rule_defaults;
pub mod rules;
pub mod scoring;
pub mod seed;
pub mod stats;
pub mod sums;
pub mod target;
pub mod text;
pub mod tree;
pub mod validate;
pub mod workflow;

#[cfg(test)]
mod bounds_tests;
#[cfg(test)]
mod finance_tests;
#[cfg(test)]
mod scoring_tests;
#[cfg(test)]
mod seed_tests;
