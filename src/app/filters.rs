//! The filters of evaluations and of indicator results as a list, a stat or an export takes
//! them, and their translation into the store's selection in the caller's scope (one builder,
//! so every reader sees the same rows).

use sea_orm::ConnectionTrait;

use crate::app::scope::{self, region_filter, visible_statuses};
use crate::domain::policy::Principal;
use crate::error::ApiError;
use crate::model::evaluation_dto::{EvaluationKind, GradeDto};
use crate::model::vocab::{ScoreBasis, Vocabulary};
use crate::store::evaluations as evaluation_store;
use crate::store::evaluations::indicator_results as indicator_store;

/// The filters the evaluation list, its stats and its exports share.
#[derive(Debug, Default, Clone)]
pub struct EvaluationFilters {
    pub year: Option<i32>,
    pub region: Option<String>,
    pub department_id: Option<String>,
    pub kind: Option<EvaluationKind>,
    pub status: Option<String>,
    pub grade: Option<GradeDto>,
    /// What the final score rests on.
    pub basis: Option<ScoreBasis>,
    pub project_id: Option<String>,
    pub updated_after: Option<chrono::DateTime<chrono::Utc>>,
}

/// Filters of indicator results shared by their stats and exports.
#[derive(Debug, Default, Clone)]
pub struct IndicatorFilters {
    pub year: Option<i32>,
    pub region: Option<String>,
    pub department_id: Option<String>,
    pub kind: Option<EvaluationKind>,
    pub status: Option<String>,
    pub level1: Option<String>,
    pub level2: Option<String>,
    /// 三级指标 name contains.
    pub q: Option<String>,
    pub achieved: Option<bool>,
}

/// The store filter of evaluations for the caller, exactly as the list builds it; `None` when
/// nothing can match (a department outside the scope).
pub async fn evaluation_filter(
    db: &impl ConnectionTrait,
    principal: &Principal,
    f: &EvaluationFilters,
) -> Result<Option<evaluation_store::Filter>, ApiError> {
    // The status and region are checked before the department (a bad filter is a 400 even
    // for a department the caller cannot see); the list checks the department first.
    visible_statuses(principal, f.status.as_deref())?;
    region_filter(f.region.as_deref())?;
    evaluation_list_filter(db, principal, f).await
}

/// The store filter of evaluations for the caller as the list builds it: the department first
/// (`None`, an empty page, when the caller cannot see it), then the status and region
/// filters.
pub async fn evaluation_list_filter(
    db: &impl ConnectionTrait,
    principal: &Principal,
    f: &EvaluationFilters,
) -> Result<Option<evaluation_store::Filter>, ApiError> {
    let Some((caller, department_id)) =
        scope::with_department(db, principal, f.department_id.as_deref()).await?
    else {
        return Ok(None);
    };
    Ok(Some(evaluation_store::Filter {
        place: caller.placing(
            visible_statuses(principal, f.status.as_deref())?,
            f.year,
            region_filter(f.region.as_deref())?,
        ),
        department_id,
        project_id: f.project_id.clone(),
        kind: f.kind.map(|k| k.as_str().to_owned()),
        grade: f.grade.map(|g| g.as_str().to_owned()),
        basis: f.basis.map(|b| b.as_str().to_owned()),
        updated_after: f.updated_after,
    }))
}

/// The store selection of indicator rows for the caller; `None` when nothing can match.
pub async fn indicator_selection(
    db: &impl ConnectionTrait,
    principal: &Principal,
    f: &IndicatorFilters,
) -> Result<Option<indicator_store::Selection>, ApiError> {
    let statuses = visible_statuses(principal, f.status.as_deref())?;
    let region_prefix = region_filter(f.region.as_deref())?;
    let Some((caller, department_id)) =
        scope::with_department(db, principal, f.department_id.as_deref()).await?
    else {
        return Ok(None);
    };
    let text = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    Ok(Some(indicator_store::Selection {
        filter: indicator_store::Filter {
            place: caller.placing(statuses, f.year, region_prefix),
            level1: text(&f.level1),
            level2: text(&f.level2),
            name_contains: text(&f.q),
            achieved: f.achieved,
        },
        department_id,
        kind: f.kind.map(|k| k.as_str().to_owned()),
    }))
}
