//! The change feed: `GET /api/v1/changes?after=CURSOR&limit=N`. The entries are written by
//! [`crate::app::feed`], last in every write.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::http;
use crate::api::state::AppState;
use crate::app::scope::{CallerScope, visible_statuses};
use crate::domain::policy::Principal;
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::vocab::{ChangeEntity, ChangeOp, EvaluationStatus, Vocabulary};
use crate::store::changes as store;

/// Feed parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `next_cursor` of the previous call; absent to start from the beginning.
    pub after: Option<String>,
    /// At most this many changes (1–1000, default 100).
    pub limit: Option<u64>,
}

/// One change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "cursor": "eyJrIjoiY2hhbmdlcyIsImEiOiIxMiJ9", "entity": "evaluation",
    "id": "0193a1b2-0000-7000-8000-000000000030", "op": "state_changed", "version": 4,
    "at": "2026-11-29T08:00:00Z", "actor": "submitter@430424",
    "data": {"status": "submitted", "total": "99.00", "grade": "excellent"}
}))]
pub struct ChangeItem {
    /// Resume after this change by passing it as `after`.
    pub cursor: String,
    pub entity: ChangeEntity,
    pub id: String,
    /// created, updated, state_changed or deleted (a tombstone: `data` is absent). An
    /// evaluation that leaves the caller's view (for a viewer: withdrawn to draft, returned,
    /// then deleted) also arrives as `deleted`, so a replica built from the feed holds what
    /// the lists show the caller.
    pub op: ChangeOp,
    /// The object's version after the change.
    pub version: i64,
    #[serde(serialize_with = "crate::clock::micros")]
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The object as of the change.
    pub data: Option<serde_json::Value>,
}

/// A page of changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeItem>,
    /// Pass as `after` to continue; the same cursor comes back when nothing new has happened.
    pub next_cursor: String,
}

const KIND: &str = "changes";

/// Every create, update, state change and delete, in commit order. A cursor never skips a
/// change, even when transactions commit out of order; deletes are tombstones, and so are
/// changes that take an evaluation out of the caller's view. Poll with the last
/// `next_cursor`.
#[utoipa::path(
    tag = "changes",
    operation_id = "list_changes",
    params(FeedQuery),
    responses((status = 200, description = "The next changes in your scope", body = ChangePage))
)]
#[get("/changes")]
pub async fn list_changes(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        let mut e = ApiError::new(
            codes::INVALID_QUERY,
            Text::new(
                format!("limit must be 1 to 1000 (got {limit})"),
                format!("limit 必须在 1 到 1000 之间（收到 {limit}）"),
            ),
        );
        e.errors.push(FieldError::query(
            "limit",
            "parameter.out_of_range",
            Text::new("1..=1000", "1..=1000"),
        ));
        return Err(e);
    }
    let after = match http::decode_page_token(KIND, query.after.as_deref())? {
        None => 0,
        Some(a) => a.parse::<i64>().map_err(|_| {
            ApiError::new(
                codes::INVALID_PAGE_TOKEN,
                Text::new("Unknown cursor", "无法识别的游标"),
            )
        })?,
    };
    let caller = CallerScope::of(&state.db, &principal).await?;
    let filter = store::Filter {
        scope_prefix: caller.region_prefix,
        scope_department_ids: caller.department_ids,
        evaluation_statuses: visible_statuses(&principal, None)?,
    };
    let rows = store::after(&state.db, &filter, after, limit).await?;
    let next = rows.last().map_or(after, |r| r.seq);
    let items = rows
        .into_iter()
        .map(|r| {
            let context = format!("change {}", r.seq);
            let entity = ChangeEntity::from_stored(&r.entity, &context)?;
            // An evaluation now in a state the caller does not see has left the caller's view:
            // a tombstone, as if deleted.
            let gone = entity == ChangeEntity::Evaluation
                && !principal.sees_evaluation_in_state(
                    r.status
                        .as_deref()
                        .map(|s| EvaluationStatus::from_stored(s, &context))
                        .transpose()?
                        .is_some_and(|s| s.domain().published()),
                );
            let (op, data) = if gone {
                (ChangeOp::Deleted, None)
            } else {
                (
                    ChangeOp::from_stored(&r.op, &context)?,
                    r.data.and_then(|d| serde_json::from_str(&d).ok()),
                )
            };
            Ok(ChangeItem {
                cursor: http::encode_page_token(KIND, &r.seq.to_string()),
                entity,
                id: r.entity_id,
                op,
                version: r.version,
                at: r.at,
                actor: r.actor,
                data,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(HttpResponse::Ok().json(ChangePage {
        items,
        next_cursor: http::encode_page_token(KIND, &next.to_string()),
    }))
}
