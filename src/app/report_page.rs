//! The printable report of one evaluation (附件4 / 附件5 layout): the stored input scored by
//! its rule set, with the review the caller may see, rendered by [`crate::report`].

use sea_orm::ConnectionTrait;

use crate::app::evaluations::{self, status_of};
use crate::app::links::{Link, LinkKeys};
use crate::app::reviews;
use crate::domain::policy::{Action, Principal};
use crate::error::ApiError;

/// The report page of an evaluation the caller may read.
pub async fn html(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
) -> Result<String, ApiError> {
    let (m, stored) = evaluations::resolve(db, principal, id, Action::Read).await?;
    let rule_set =
        crate::app::rule_sets::find(db, &format!("{}@{}", m.rule_set_id, m.rule_set_version))
            .await?
            .ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!(
                    "rule set {}@{} vanished",
                    m.rule_set_id,
                    m.rule_set_version
                ))
            })?;
    let input = &stored.input;
    let Some(budget) = &input.budget else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "stored evaluation {} has no budget",
            m.id
        )));
    };
    let domain = input.domain(budget);
    let outcome = crate::domain::scoring::evaluate(&domain, &rule_set);
    let (department, project) = evaluations::owners(db, &m).await?;
    let review = reviews::visible_review(db, principal, &m).await?;
    let status = status_of(&m)?;
    let status_label = format!("{} {}", status.label_zh(), status.as_str());
    let generated = crate::clock::now().to_rfc3339();
    let meta = crate::report::ReportMeta {
        title_department: department.as_ref().map_or("", |d| d.name.as_str()),
        project_name: project.as_ref().map(|p| p.name.as_str()),
        competent_department: project
            .as_ref()
            .and_then(|p| p.competent_department.as_deref()),
        annual_goal: input.annual_goal.as_deref(),
        achievement: input.achievement.as_deref(),
        status_label: &status_label,
        version: m.version,
        generated_at: &generated,
        review: review.as_ref(),
    };
    let html = crate::report::render_html(&domain, &outcome, &rule_set, &meta);
    Ok(html)
}

/// A short-lived link to the report page of an evaluation the caller may read.
pub async fn link(
    db: &impl ConnectionTrait,
    keys: &LinkKeys,
    principal: &Principal,
    id: &str,
) -> Result<Link, ApiError> {
    evaluations::resolve(db, principal, id, Action::Read).await?;
    keys.issue(principal, &page(id))
}

/// The path of an evaluation's report page (what its link opens).
pub fn page(id: &str) -> String {
    format!("/reports/{id}")
}
