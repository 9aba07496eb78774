//! Reading what an evaluation refers to and what happened to it, in the caller's scope (the
//! caller resolved the evaluation first).

use sea_orm::ConnectionTrait;

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

/// The evaluation's history rows, oldest first.
pub async fn history_of(
    db: &impl ConnectionTrait,
    evaluation_id: &str,
) -> Result<Vec<history::Model>, ApiError> {
    Ok(history::of(db, evaluation_id).await?)
}
