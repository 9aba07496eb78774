//! Reading evaluation summaries: a page of a list, read from the columns of `evaluations` and
//! the names joined to them (never the stored documents).

use sea_orm::{DatabaseConnection, DbErr};

use crate::store::evaluations::Filter;
use crate::store::evaluations::summaries as store;

pub use store::SummaryRow;

/// One page of the summaries `filter` selects after `after`, each handed to `each` as it is
/// read; whether more follow.
pub async fn page_each<X: From<DbErr>>(
    db: &DatabaseConnection,
    filter: &Filter,
    after: Option<&str>,
    limit: u64,
    each: impl FnMut(SummaryRow) -> Result<(), X>,
) -> Result<bool, X> {
    store::page_each(db, filter, after, limit, each).await
}
