//! The evaluation list: a page of summaries or of whole evaluations, handed over one item at
//! a time as the rows are read (so a page is never held twice).

use sea_orm::DatabaseConnection;

use super::{summaries, to_dto};
use crate::app::filters::{EvaluationFilters, evaluation_list_filter};
use crate::domain::policy::Principal;
use crate::error::ApiError;
use crate::model::evaluation_dto::Evaluation;
use crate::model::evaluation_summary::EvaluationSummaryItem;
use crate::model::vocab::EvaluationView;
use crate::store::evaluations as store;

/// One item of a page, in the view asked for.
pub enum ListItem {
    Summary(Box<EvaluationSummaryItem>),
    Full(Box<Evaluation>),
}

/// Hands the evaluations the caller may see under `filters`, in id order after the id
/// `after` (at most `limit`), to `each` with their ids. `None` when nothing can match (a
/// department the caller cannot see); otherwise whether more follow.
pub async fn page_each(
    db: &DatabaseConnection,
    principal: &Principal,
    filters: &EvaluationFilters,
    view: EvaluationView,
    (after, limit): (Option<&str>, u64),
    mut each: impl FnMut(&str, ListItem) -> Result<(), ApiError>,
) -> Result<Option<bool>, ApiError> {
    let Some(filter) = evaluation_list_filter(db, principal, filters).await? else {
        return Ok(None);
    };
    let more = match view {
        EvaluationView::Summary => {
            summaries::page_each(db, &filter, after, limit, |row| {
                let id = row.id.clone();
                each(
                    &id,
                    ListItem::Summary(Box::new(EvaluationSummaryItem::from_row(row)?)),
                )
            })
            .await?
        }
        EvaluationView::Full => {
            store::list_each(db, &filter, after, limit, |m| {
                each(&m.id, ListItem::Full(Box::new(to_dto(principal, &m)?)))
            })
            .await?
        }
    };
    Ok(Some(more))
}
