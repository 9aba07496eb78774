//! The change feed: `GET /api/v1/changes?page_token=TOKEN&page_size=N`. The entries are
//! written by [`crate::app::feed`], last in every write.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::http;
use crate::api::state::AppState;
use crate::app::changes;
use crate::domain::policy::Principal;
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::vocab::{ChangeEntity, ChangeOp};

/// Feed parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `next_page_token` of the previous call (or an item's `cursor`); absent to start
    /// from the beginning. The same word as the lists'.
    pub page_token: Option<String>,
    /// At most this many changes (1–1000, default 100). The same word as the lists'.
    pub page_size: Option<u64>,
    /// Deprecated: the former name of `page_token`, still read.
    pub after: Option<String>,
    /// Deprecated: the former name of `page_size`, still read.
    pub limit: Option<u64>,
}

/// One of two names of a parameter: the same value or only one of them, else 400.
fn either<T: PartialEq>(
    new: Option<T>,
    old: Option<T>,
    names: (&str, &str),
) -> Result<Option<T>, ApiError> {
    match (new, old) {
        (Some(a), Some(b)) if a != b => {
            let (n, o) = names;
            let en = format!("`{n}` and its former name `{o}` disagree: send `{n}` only");
            let zh = format!("`{n}` 与其旧名 `{o}` 的值不一致：请只发送 `{n}`");
            let mut e = ApiError::new(codes::INVALID_QUERY, Text::new(en.clone(), zh.clone()));
            e.errors
                .push(FieldError::query(n, "parameter.invalid", Text::new(en, zh)));
            Err(e)
        }
        (a, b) => Ok(a.or(b)),
    }
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
    /// The object as of the change; an evaluation's is its summary (`EvaluationSummaryItem`, as
    /// lists show it by default).
    pub data: Option<serde_json::Value>,
}

/// A page of changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeItem>,
    /// Pass as `page_token` to continue; the same token comes back when nothing new has
    /// happened (a feed has no last page: unlike a list's, it is never null).
    pub next_page_token: String,
    /// The former name of `next_page_token` (the same value).
    #[schema(deprecated)]
    pub next_cursor: String,
}

const KIND: &str = "changes";

/// Where a page of the feed starts (the sequence number after which it reads) and how many
/// changes it holds, from the parameters under either of their names.
fn position(query: FeedQuery) -> Result<(i64, u64), ApiError> {
    // Messages name the parameter as it was sent.
    let name = if query.limit.is_some() && query.page_size.is_none() {
        "limit"
    } else {
        "page_size"
    };
    let limit = either(query.page_size, query.limit, ("page_size", "limit"))?.unwrap_or(100);
    let token = either(query.page_token, query.after, ("page_token", "after"))?;
    if !(1..=1000).contains(&limit) {
        let mut e = ApiError::new(
            codes::INVALID_QUERY,
            Text::new(
                format!("{name} must be 1 to 1000 (got {limit})"),
                format!("{name} 必须在 1 到 1000 之间（收到 {limit}）"),
            ),
        );
        e.errors.push(FieldError::query(
            name,
            "parameter.out_of_range",
            Text::new("1..=1000", "1..=1000"),
        ));
        return Err(e);
    }
    let after = match http::decode_page_token(KIND, token.as_deref())? {
        None => 0,
        Some(a) => a.parse::<i64>().map_err(|_| {
            ApiError::new(
                codes::INVALID_PAGE_TOKEN,
                Text::new("Unknown cursor", "无法识别的游标"),
            )
        })?,
    };
    Ok((after, limit))
}

/// Every create, update, state change and delete, in commit order. A cursor never skips a
/// change, even when transactions commit out of order; deletes are tombstones, and so are
/// changes that take an evaluation out of the caller's view. Poll with the last
/// `next_page_token`.
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
    let (after, limit) = position(query.into_inner())?;
    let (entries, next) = changes::after(&state.db, &principal, after, limit).await?;
    let items = entries
        .into_iter()
        .map(|e| ChangeItem {
            cursor: http::encode_page_token(KIND, &e.seq.to_string()),
            entity: e.entity,
            id: e.id,
            op: e.op,
            version: e.version,
            at: e.at,
            actor: e.actor,
            data: e.data,
        })
        .collect();
    let next = http::encode_page_token(KIND, &next.to_string());
    Ok(HttpResponse::Ok().json(ChangePage {
        items,
        next_page_token: next.clone(),
        next_cursor: next,
    }))
}
