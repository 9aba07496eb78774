//! The finance bureau's overview page: what it shows, gathered in the caller's scope with the
//! same builders as the stats (so a page never shows what the caller's stats would not), and
//! rendered by [`crate::report::overview`].

use sea_orm::DatabaseConnection;

use crate::app::filters::{EvaluationFilters, IndicatorFilters, indicator_selection};
use crate::app::stats::{self, Grouping};
use crate::domain::policy::Principal;
use crate::domain::region::RegionLevel;
use crate::domain::stats::Dimension;
use crate::error::ApiError;
use crate::report::overview::{Level1Row, Missed, Overview, RegionYear};
use crate::store::evaluations::indicator_results;
use crate::store::regions as region_store;

/// How many of the most often missed 三级指标 the page lists.
const MOST_MISSED: u64 = 10;

/// The overview of the evaluations the caller may see (of one year, when given).
pub async fn overview(
    db: &DatabaseConnection,
    principal: &Principal,
    year: Option<i32>,
) -> Result<Overview, ApiError> {
    let filters = EvaluationFilters {
        year,
        ..EvaluationFilters::default()
    };
    let grouping = Grouping {
        dims: vec![Dimension::Region, Dimension::Year],
        level: RegionLevel::County,
    };
    let by_region = stats::evaluation_stats(db, principal, &filters, &grouping).await?;
    let regions = by_region
        .groups
        .into_iter()
        .map(|g| {
            let grades = &g.summary.grades;
            RegionYear {
                region: g.key.region.unwrap_or_default(),
                region_name: g.key.region_name,
                year: g.key.year.unwrap_or_default(),
                count: g.summary.count,
                grades: [grades.excellent, grades.good, grades.fair, grades.poor],
                execution_rate_percent: g.summary.budget.execution_rate_percent.map(|p| p.0),
            }
        })
        .collect();
    let indicator_filters = IndicatorFilters {
        year,
        ..IndicatorFilters::default()
    };
    let achievement = stats::indicator_stats(db, principal, &indicator_filters).await?;
    let level1 = achievement
        .level1
        .into_iter()
        .map(|l| Level1Row {
            level1: l.level1,
            achieved: l.counts.achieved,
            not_achieved: l.counts.not_achieved,
            unscored: l.counts.unscored,
        })
        .collect();
    let missed = match indicator_selection(db, principal, &indicator_filters).await? {
        Some(selection) => indicator_results::most_missed(db, &selection, MOST_MISSED)
            .await?
            .into_iter()
            .map(|m| Missed {
                level1: m.level1,
                level3: m.level3,
                times: u64::try_from(m.n).unwrap_or(0),
            })
            .collect(),
        None => Vec::new(),
    };
    let code = principal.region.as_str().to_owned();
    let scope = match region_store::by_codes(db, std::slice::from_ref(&code))
        .await?
        .first()
    {
        Some(r) => format!("{}（{code}）", r.name),
        None => code,
    };
    Ok(Overview {
        scope,
        year,
        generated_at: format!(
            "{}（北京时间）",
            crate::app::exports::beijing_time(crate::clock::now())
        ),
        regions,
        missed,
        level1,
    })
}
