//! The reviewers' queue: the submitted evaluations in the caller's scope that wait for the
//! caller's approval level, oldest change first.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::app::scope;
use crate::domain::policy::Principal;
use crate::domain::review_score as rs;
use crate::error::ApiError;
use crate::model::evaluation_dto::EvaluationKind;
use crate::model::review_dto::QueueItem;
use crate::model::vocab::Vocabulary;
use crate::store::evaluations::{Filter, Model};
use crate::store::{departments, reviews};

/// How many rows one scan reads at a time.
const CHUNK: u64 = 200;

/// The queue's position: the last item's change time and id.
pub type Key = (DateTime<Utc>, String);

/// How many levels approve under an evaluation's rule set (cached per rule set version).
async fn levels_of(
    db: &impl ConnectionTrait,
    cache: &mut HashMap<String, u8>,
    m: &Model,
) -> Result<u8, ApiError> {
    let key = format!("{}@{}", m.rule_set_id, m.rule_set_version);
    if let Some(l) = cache.get(&key) {
        return Ok(*l);
    }
    let levels = crate::app::rule_sets::find(db, &key)
        .await?
        .map_or(1, |r| r.approval_levels.max(1));
    cache.insert(key, levels);
    Ok(levels)
}

/// A page of what waits for the caller's level, after `after`; the key to continue from when
/// there may be more.
pub async fn awaiting(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filter: &Filter,
    mut after: Option<Key>,
    limit: usize,
) -> Result<(Vec<QueueItem>, Option<Key>), ApiError> {
    let mut cache = HashMap::new();
    let mut items = Vec::new();
    loop {
        let (rows, more) = reviews::submitted_chunk(db, filter, after.clone(), CHUNK).await?;
        let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
        let approved: HashMap<String, reviews::Model> = reviews::of(db, &ids)
            .await?
            .into_iter()
            .map(|r| (r.evaluation_id.clone(), r))
            .collect();
        for m in rows {
            after = Some((m.updated_at, m.id.clone()));
            // Never one's own submission.
            if m.submitted_by.as_deref() == Some(principal.subject.as_str()) {
                continue;
            }
            let levels = levels_of(db, &mut cache, &m).await?;
            let review = approved.get(&m.id);
            let done = review.map_or(0, |r| u8::try_from(r.approved_level).unwrap_or(0));
            let mine = rs::reviewer_level(principal.region.as_str(), levels);
            if mine != done.saturating_add(1) {
                continue;
            }
            items.push(item(db, &m, levels, done, review).await?);
            if items.len() == limit {
                return Ok((items, after));
            }
        }
        if !more {
            return Ok((items, None));
        }
    }
}

async fn item(
    db: &impl ConnectionTrait,
    m: &Model,
    levels: u8,
    done: u8,
    review: Option<&reviews::Model>,
) -> Result<QueueItem, ApiError> {
    let department_name = departments::get(db, &m.department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    Ok(QueueItem {
        id: m.id.clone(),
        href: format!("/api/v1/evaluations/{}", m.id),
        kind: EvaluationKind::from_stored(&m.kind, &m.id)?,
        year: m.year,
        department_id: m.department_id.clone(),
        department_name,
        region: m.region_code.clone(),
        version: m.version,
        waiting_since: m
            .updated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        levels_required: levels,
        approved_level: done,
        next_level: done.saturating_add(1),
        computed_total: m.total.0.to_string(),
        reviewed_total: review
            .and_then(|r| r.reviewed_total)
            .map(|t| t.0.to_string()),
    })
}

/// Encodes a queue key for a page token.
pub fn encode_key(key: &Key) -> String {
    format!(
        "{}|{}",
        key.0.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        key.1
    )
}

/// Decodes a queue key from a page token; `None` when it is not one.
pub fn decode_key(text: &str) -> Option<Key> {
    let (at, id) = text.split_once('|')?;
    let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
    Some((at, id.to_owned()))
}

/// The queue's filters, as the query gives them.
#[derive(Debug, Default, Clone)]
pub struct QueueFilters {
    pub year: Option<i32>,
    /// Region subtree (`4304` or `430400`).
    pub region: Option<String>,
    /// Department id or budget code.
    pub department_id: Option<String>,
}

/// A page of the caller's queue under `filters` ([`awaiting`]), in the caller's scope; empty
/// when the department is none the caller can see.
pub async fn page(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filters: &QueueFilters,
    after: Option<Key>,
    limit: usize,
) -> Result<(Vec<QueueItem>, Option<Key>), ApiError> {
    let Some(department_id) =
        scope::department_filter(db, principal, filters.department_id.as_deref()).await?
    else {
        return Ok((Vec::new(), None));
    };
    let caller = scope::CallerScope::of(db, principal).await?;
    let filter = Filter {
        place: caller.placing(
            None,
            filters.year,
            scope::region_filter(filters.region.as_deref())?,
        ),
        department_id,
        ..Filter::default()
    };
    awaiting(db, principal, &filter, after, limit).await
}
