//! The budget block of projects, summed from the funds that finance them (read by the
//! project answers and the feed alike).

use sea_orm::ConnectionTrait;

use crate::error::ApiError;
use crate::model::amount::sum_known;
use crate::model::funds::rate;
use crate::model::projects::{Project, ProjectBudget, to_dto};
use crate::store::funds as fund_store;
use crate::store::projects::Model;

/// The budget block of each project, in order.
pub async fn budgets(
    db: &impl ConnectionTrait,
    projects: &[Model],
) -> Result<Vec<ProjectBudget>, ApiError> {
    let ids: Vec<String> = projects.iter().map(|p| p.id.clone()).collect();
    let funds = fund_store::of_projects(db, &ids).await?;
    Ok(projects
        .iter()
        .map(|p| {
            let own: Vec<_> = funds
                .iter()
                .filter(|f| f.project_id.as_deref() == Some(&p.id))
                .collect();
            let initial = sum_known(own.iter().map(|f| f.initial.map(|d| d.0)));
            let full_year = sum_known(own.iter().map(|f| f.full_year.map(|d| d.0)));
            let executed = sum_known(own.iter().map(|f| f.executed.map(|d| d.0)));
            ProjectBudget {
                execution_rate_percent: rate(executed.map(|a| a.0), full_year.map(|a| a.0)),
                initial,
                full_year,
                executed,
                fund_count: own.len(),
            }
        })
        .collect())
}

/// Stored projects in their `GET /projects/{id}` shape, budget blocks included, in order.
pub async fn project_answers(
    db: &impl ConnectionTrait,
    projects: Vec<Model>,
) -> Result<Vec<Project>, ApiError> {
    let budgets = budgets(db, &projects).await?;
    Ok(projects
        .into_iter()
        .zip(budgets)
        .map(|(m, b)| to_dto(m, b))
        .collect())
}

/// A stored project in its `GET /projects/{id}` shape (the answers and the feed alike).
pub async fn project_answer(db: &impl ConnectionTrait, m: Model) -> Result<Project, ApiError> {
    let budget = budgets(db, std::slice::from_ref(&m))
        .await?
        .pop()
        .unwrap_or_default();
    Ok(to_dto(m, budget))
}
