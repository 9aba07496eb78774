//! The history entry of an evaluation's creation, kept once: while the document still holds
//! the input the evaluation was created with, the entry's changes (every field of that input,
//! from nothing) are derived from the document on read instead of being stored a second time.
//! The first write after the creation writes them out, from the document as it was, before it
//! changes anything; from then on the entry is stored like any other. The entry reads the same
//! either way.

use sea_orm::ConnectionTrait;
use serde_json::Value;

use super::{Stored, stored_of};
use crate::domain::diff;
use crate::error::ApiError;
use crate::store::evaluations::Model;
use crate::store::history;
use crate::store::packed::PackedJson;

/// The stored changes of a creation entry that are derived from the document (JSON text: a
/// string, where written-out changes are an array).
pub const FROM_DOCUMENT: &str = "\"from_document\"";

/// What a write changed: the input from `before` (`None`: from nothing) to `after`, and the
/// status when it moved.
pub fn changes(
    before: Option<&Stored>,
    after: &Stored,
    status_before: Option<&str>,
    status_after: &str,
) -> Result<Vec<diff::Change>, ApiError> {
    let before = match before {
        Some(b) => serde_json::to_value(&b.input).map_err(ApiError::internal)?,
        None => serde_json::json!({}),
    };
    let after = serde_json::to_value(&after.input).map_err(ApiError::internal)?;
    let mut changes = diff::changes(&before, &after);
    if status_before != Some(status_after) {
        changes.push(diff::Change {
            pointer: "/status".into(),
            before: status_before.map(Value::from),
            after: Some(status_after.into()),
        });
    }
    Ok(changes)
}

/// Whether an entry's changes are derived from the document.
pub fn is_derived(entry: &history::Model) -> bool {
    entry.changes.as_str() == FROM_DOCUMENT
}

/// The changes of a derived creation entry, from the document `stored` holds now.
fn derived(entry: &history::Model, stored: &Stored) -> Result<Vec<diff::Change>, ApiError> {
    changes(
        None,
        stored,
        entry.status_before.as_deref(),
        &entry.status_after,
    )
}

/// The history as it reads: derived entries filled in from `stored` (the evaluation's
/// document now).
pub fn read(
    entries: Vec<history::Model>,
    stored: &Stored,
) -> Result<Vec<history::Model>, ApiError> {
    entries
        .into_iter()
        .map(|mut entry| {
            if is_derived(&entry) {
                let changes = derived(&entry, stored)?;
                entry.changes =
                    PackedJson(serde_json::to_string(&changes).map_err(ApiError::internal)?);
            }
            Ok(entry)
        })
        .collect()
}

/// Before a write changes evaluation `current`: writes out its creation entry when it is
/// still derived from the document (which the write is about to change), in the write's
/// transaction.
pub async fn write_out(db: &impl ConnectionTrait, current: &Model) -> Result<(), ApiError> {
    let Some(entry) = history::first(db, &current.id).await? else {
        return Ok(());
    };
    if !is_derived(&entry) {
        return Ok(());
    }
    let changes = derived(&entry, &stored_of(current)?)?;
    let text = serde_json::to_string(&changes).map_err(ApiError::internal)?;
    history::set_changes(db, &entry.id, PackedJson(text)).await?;
    Ok(())
}
