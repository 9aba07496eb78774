//! Indicator results across evaluations, in the caller's scope (viewers: rows of submitted and
//! approved evaluations only).

use sea_orm::ConnectionTrait;

use crate::app::scope::{CallerScope, region_filter, visible_statuses};
use crate::domain::policy::Principal;
use crate::error::ApiError;
use crate::model::amount::Figure;
use crate::model::evaluation_dto::EvaluationKind;
use crate::model::indicator_results::IndicatorResult;
use crate::model::vocab::{EvaluationStatus, Level1Code, Vocabulary};
use crate::store::evaluations::indicator_results as store;

/// The filters of the indicator result list.
#[derive(Debug, Default, Clone)]
pub struct IndicatorResultFilters {
    pub year: Option<i32>,
    /// Region subtree.
    pub region: Option<String>,
    /// 一级指标, by its standard name.
    pub level1: Option<String>,
    /// 二级指标, by its standard name.
    pub level2: Option<String>,
    /// 三级指标 name contains.
    pub q: Option<String>,
    pub achieved: Option<bool>,
}

/// A page of the indicator rows the caller may see under `filters`, in key order after the
/// key `after`, and the key to continue from when more follow.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filters: &IndicatorResultFilters,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<IndicatorResult>, Option<String>), ApiError> {
    let caller = CallerScope::of(db, principal).await?;
    let filter = store::Filter {
        place: caller.placing(
            visible_statuses(principal, None)?,
            filters.year,
            region_filter(filters.region.as_deref())?,
        ),
        level1: filters.level1.clone(),
        level2: filters.level2.clone(),
        name_contains: filters.q.clone().filter(|q| !q.trim().is_empty()),
        achieved: filters.achieved,
    };
    let (rows, more) = store::list(db, &filter, after, limit).await?;
    let next = more
        .then(|| rows.last().map(store::Listed::cursor))
        .flatten();
    let items = rows
        .into_iter()
        .map(|r| {
            let (row, department) = r.into_parts();
            result(row, department)
        })
        .collect::<Result<_, ApiError>>()?;
    Ok((items, next))
}

/// A stored row as the contract shows it, with the department of its evaluation.
fn result(r: store::Model, department_id: Option<String>) -> Result<IndicatorResult, ApiError> {
    let context = format!("indicator {} of evaluation {}", r.position, r.evaluation_id);
    let department_id = department_id.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!("{context}: the evaluation is not there"))
    })?;
    Ok(IndicatorResult {
        kind: EvaluationKind::from_stored(&r.kind, &context)?,
        status: EvaluationStatus::from_stored(&r.status, &context)?,
        evaluation_id: r.evaluation_id,
        index: r.position,
        year: r.year,
        region: r.region_code,
        department_id,
        level1_code: Level1Code::of_name(&r.level1),
        level1: r.level1,
        level2: r.level2,
        level3: r.level3,
        target: r.target,
        actual: r.actual,
        weight: r.weight.map(|d| Figure(d.0)),
        claimed: r.claimed.map(|d| Figure(d.0)),
        computed: r.computed.map(|d| Figure(d.0)),
        achieved: r.achieved,
    })
}
