//! Reading what an evaluation refers to and what happened to it, in the caller's scope (the
//! caller resolved the evaluation first).

use sea_orm::ConnectionTrait;

use super::Stored;
use crate::error::ApiError;
use crate::store::evaluations::Model;
use crate::store::{departments, history, projects};

/// The evaluation's department and project rows, as they are now (either may be gone).
pub async fn owners(
    db: &impl ConnectionTrait,
    m: &Model,
) -> Result<(Option<departments::Model>, Option<projects::Model>), ApiError> {
    let department = departments::get(db, &m.department_id).await?;
    let project = match &m.project_id {
        Some(pid) => projects::get(db, pid).await?,
        None => None,
    };
    Ok((department, project))
}

/// The history rows of evaluation `m` (whose document is `stored`), oldest first, each with its
/// changes (a creation's derived from the document while it is unchanged: `created`).
pub async fn history_of(
    db: &impl ConnectionTrait,
    m: &Model,
    stored: &Stored,
) -> Result<Vec<history::Model>, ApiError> {
    super::created::read(history::of(db, &m.id).await?, stored)
}
