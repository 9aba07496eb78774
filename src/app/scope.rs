//! The caller's scope, built in one place for every list, stat, export and feed: the region
//! subtree and the departments the caller may see, the evaluation statuses the caller's role
//! may list, and the region filter of a query, parsed one way. Outside the scope is 404 (or,
//! for a filter, an empty answer), never a hint that something is there.

use sea_orm::ConnectionTrait;

use crate::app::departments;
use crate::domain::policy::{Action, Principal, Role};
use crate::domain::region;
use crate::domain::workflow::Status;
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::store::departments as store;
use crate::store::query::Placement;

/// Where a caller may look: a region subtree and, for a department-bound caller, the ids of
/// its departments.
#[derive(Debug, Clone)]
pub struct CallerScope {
    /// The region subtree's code prefix (empty: national).
    pub region_prefix: String,
    /// The departments the caller is bound to (`None`: every department in the subtree).
    pub department_ids: Option<Vec<String>>,
}

impl CallerScope {
    /// The scope of `principal`.
    pub async fn of(db: &impl ConnectionTrait, principal: &Principal) -> Result<Self, ApiError> {
        Ok(CallerScope {
            region_prefix: principal.region_prefix().to_owned(),
            department_ids: allowed_ids(db, principal).await?,
        })
    }

    /// The scope with a filter's statuses, year and region subtree: where the rows it selects
    /// stand.
    pub fn placing(
        self,
        statuses: Option<Vec<String>>,
        year: Option<i32>,
        region_prefix: Option<String>,
    ) -> Placement {
        Placement {
            scope_prefix: self.region_prefix,
            scope_department_ids: self.department_ids,
            statuses,
            year,
            region_prefix,
        }
    }
}

/// The ids of the departments a caller with a department list may see (`None`: no list).
pub async fn allowed_ids(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(list) = &principal.departments else {
        return Ok(None);
    };
    let filter = store::Filter {
        scope_prefix: principal.region_prefix().to_owned(),
        scope_departments: Some(list.clone()),
        ..store::Filter::default()
    };
    let (rows, _) = store::list(db, &filter, None, 10_000).await?;
    Ok(Some(rows.into_iter().map(|m| m.id).collect()))
}

/// A `department_id` filter resolved in the caller's scope: `Ok(Some(None))` without one,
/// `Ok(None)` when it names no department the caller can see (lists and aggregates then answer
/// empty, as if the department had nothing).
pub async fn department_filter(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: Option<&str>,
) -> Result<Option<Option<String>>, ApiError> {
    match key {
        None => Ok(Some(None)),
        Some(key) => match departments::resolve(db, principal, key, Action::Read).await {
            Ok(d) => Ok(Some(Some(d.id))),
            Err(e) if e.code == codes::DEPARTMENT_NOT_FOUND => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// The caller's scope with a `department_id` filter resolved in it: `None` when the filter
/// names no department the caller can see (a list or aggregate then answers empty).
pub async fn with_department(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: Option<&str>,
) -> Result<Option<(CallerScope, Option<String>)>, ApiError> {
    let Some(department_id) = department_filter(db, principal, key).await? else {
        return Ok(None);
    };
    Ok(Some((CallerScope::of(db, principal).await?, department_id)))
}

/// A `region` query filter (`4304`, `430400` or `000000`) as its subtree prefix: the one
/// parse of the filter for every list, stat and export; 400 with the parameter named when
/// it is not a region code.
pub fn region_filter(region: Option<&str>) -> Result<Option<String>, ApiError> {
    match region.map(region::subtree_filter_prefix) {
        None => Ok(None),
        Some(Ok(p)) => Ok(Some(p)),
        Some(Err(e)) => {
            let mut err = ApiError::new(
                codes::INVALID_QUERY,
                Text::new(e.message_en(), e.message_zh()),
            );
            err.errors.push(FieldError::query(
                "region",
                "region.invalid_code",
                Text::new(e.message_en(), e.message_zh()),
            ));
            Err(err)
        }
    }
}

/// The statuses a caller may list.
pub fn visible_statuses(
    principal: &Principal,
    wanted: Option<&str>,
) -> Result<Option<Vec<String>>, ApiError> {
    let wanted = match wanted {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            query_error(
                "status",
                format!("`{s}` is not a status: draft, submitted, returned or approved"),
                format!("`{s}` 不是有效状态：draft、submitted、returned 或 approved"),
            )
        })?),
    };
    let published = [Status::Submitted, Status::Approved];
    Ok(match (principal.role, wanted) {
        (Role::Viewer, Some(s)) if !s.published() => Some(Vec::new()),
        (Role::Viewer, Some(s)) | (_, Some(s)) => Some(vec![s.as_str().to_owned()]),
        (Role::Viewer, None) => Some(published.iter().map(|s| s.as_str().to_owned()).collect()),
        (_, None) => None,
    })
}

/// A 400 `request.invalid_query` naming the parameter.
pub fn query_error(name: &str, en: String, zh: String) -> ApiError {
    let mut e = ApiError::new(codes::INVALID_QUERY, Text::new(en.clone(), zh.clone()));
    e.errors.push(FieldError::query(
        name,
        "parameter.invalid",
        Text::new(en, zh),
    ));
    e
}
