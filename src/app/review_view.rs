//! The review page of an evaluation: the engine's work, the findings to settle first, the
//! reviewer's scores and the final total.

use crate::api::evaluation_dto::GradeDto;
use crate::api::review_dto::ReviewView;
use crate::app::reviews::{
    Loaded, approval, figure, final_total, lines, split_findings, status_dto,
};
use crate::error::ApiError;

/// Builds the review page of a loaded evaluation.
pub fn view(loaded: &Loaded) -> Result<ReviewView, ApiError> {
    let (execution, rows) = lines(loaded)?;
    let (to_settle, other_findings) = split_findings(loaded);
    let (total, basis) = final_total(loaded)?;
    let computed = &loaded.prepared.computed;
    let review = loaded.review.as_ref();
    Ok(ReviewView {
        evaluation_id: loaded.current.id.clone(),
        evaluation_version: loaded.current.version,
        status: status_dto(&loaded.current)?,
        approval: approval(loaded)?,
        review: loaded.input()?,
        execution,
        rows,
        to_settle,
        other_findings,
        claimed_total: computed.claimed_total,
        computed_total: computed.total,
        reviewed_total: review.and_then(|r| r.reviewed_total).map(|t| figure(t.0)),
        final_total: figure(total),
        final_grade: GradeDto::from(loaded.prepared.rule_set.grade_for(total)),
        final_basis: basis,
        reviewed_by: review.map(|r| r.reviewed_by.clone()),
        reviewed_at: review.map(|r| {
            r.updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        }),
    })
}
