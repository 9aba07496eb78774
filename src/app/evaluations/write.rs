//! Writing an evaluation: the row, its flat indicator results, its history entry, the
//! aggregate cells and the change feed, landed in that order by [`uow::land`].

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{Prepared, Stored, created, exists, stored_of};
use crate::app::feed;
use crate::app::precondition as http;
use crate::app::uow::{self, Write};
use crate::domain::diff;
use crate::domain::policy::Principal;
use crate::domain::workflow::Status;
use crate::error::ApiError;
use crate::model::evaluation_dto::{BudgetInput, GradeDto};
use crate::model::vocab::HistoryAction;
use crate::model::vocab::{ScoreBasis, Vocabulary};
use crate::store::evaluations::indicator_cells;
use crate::store::evaluations::indicator_results;
use crate::store::evaluations::owed as cells;
use crate::store::evaluations::{self as store, Model};
use crate::store::history;
use crate::store::money::StoredDecimal;
use crate::store::packed::PackedJson;

/// One row of history to write with a change.
pub struct HistoryEntry {
    pub action: HistoryAction,
    pub status_before: Option<Status>,
    pub reason: Option<String>,
    /// Changes beside the input's and the status (the review's, `/review/...`).
    pub extra: Vec<diff::Change>,
}

/// The final total and grade of an evaluation when they are not the engine's (a review's),
/// and what they rest on.
#[derive(Debug, Clone, Copy)]
pub struct FinalScore {
    pub total: rust_decimal::Decimal,
    pub grade: GradeDto,
    pub basis: ScoreBasis,
}

/// One change of an evaluation: from `current` (`None`: it is new) to `next`.
struct EvaluationWrite<'a> {
    current: Option<&'a Model>,
    next: Model,
    indicator_rows: Vec<indicator_results::Model>,
    history: history::Model,
    op: crate::model::vocab::ChangeOp,
    actor: &'a str,
    /// How the rows moved the indicator cells, once they are written.
    delta: indicator_cells::Delta,
}

impl Write for EvaluationWrite<'_> {
    type Output = Model;

    async fn rows(&mut self, db: &impl ConnectionTrait) -> Result<(), ApiError> {
        match self.current {
            None => match store::insert(db, self.next.clone()).await {
                Ok(true) => {}
                // The natural key is taken: the answer names the evaluation that holds it.
                Ok(false) => {
                    let key = &self.next.natural_key;
                    let existing = store::by_natural_key(db, key).await?;
                    return Err(exists(key, existing.as_ref().map(|e| e.id.as_str())));
                }
                Err(e) if crate::store::is_unique_violation(&e) => {
                    return Err(exists(&self.next.natural_key, None));
                }
                Err(e) => return Err(e.into()),
            },
            Some(c) => {
                if !store::overwrite(db, c, &self.next).await? {
                    return Err(http::stale(c.version));
                }
            }
        }
        let rows = std::mem::take(&mut self.indicator_rows);
        let fresh = self.current.is_none();
        self.delta = cells::replace_indicator_rows(db, &self.next.id, rows, fresh).await?;
        Ok(())
    }

    async fn history(&mut self, db: &impl ConnectionTrait) -> Result<(), ApiError> {
        if let Some(current) = self.current {
            created::write_out(db, current).await?;
        }
        history::append(db, self.history.clone()).await?;
        Ok(())
    }

    async fn cells(&mut self, db: &impl ConnectionTrait) -> Result<(), ApiError> {
        let delta = std::mem::take(&mut self.delta);
        cells::owe(db, self.current, &self.next, delta).await?;
        Ok(())
    }

    async fn feed(&mut self, db: &impl ConnectionTrait) -> Result<(), ApiError> {
        feed::evaluation(db, &self.next, self.op, self.actor).await
    }

    fn into_output(self) -> Model {
        self.next
    }
}

/// The history row of a change that produced `next`; `changes` `None` for a creation whose
/// changes are derived from the document ([`created`]).
fn history_row(
    next: &Model,
    actor: &str,
    at: DateTime<Utc>,
    entry: HistoryEntry,
    changes: Option<&[diff::Change]>,
) -> Result<history::Model, ApiError> {
    let changes = match changes {
        Some(c) => serde_json::to_string(c).map_err(ApiError::internal)?,
        None => created::FROM_DOCUMENT.to_owned(),
    };
    Ok(history::Model {
        id: uuid::Uuid::now_v7().to_string(),
        evaluation_id: next.id.clone(),
        seq: next.version,
        action: entry.action.as_str().to_owned(),
        actor: actor.to_owned(),
        at,
        status_before: entry.status_before.map(|s| s.as_str().to_owned()),
        status_after: next.status.clone(),
        version: next.version,
        reason: entry.reason,
        changes: PackedJson(changes),
    })
}

/// Writes a prepared evaluation (created, or over `current`) in `status`, with its history
/// entry, in the caller's transaction. Its final score is `scored` where one is given (a
/// review's); otherwise the engine's: new data from the unit is scored by the rules until a
/// reviewer scores it again.
pub async fn save(
    db: &impl ConnectionTrait,
    principal: &Principal,
    prepared: &Prepared,
    current: Option<&Model>,
    status: Status,
    entry: HistoryEntry,
    scored: Option<FinalScore>,
) -> Result<Model, ApiError> {
    let now = crate::clock::now();
    let stored = Stored {
        input: prepared.input.clone(),
        budget_source: prepared.budget_source,
        department_budget_code: prepared.department.budget_code.clone(),
        computed: serde_json::value::to_raw_value(&prepared.computed)
            .map_err(ApiError::internal)?,
    };
    let mut next = next_row(principal, prepared, &stored, current, status, now)?;
    if let Some(f) = scored {
        next.total = StoredDecimal(f.total);
        next.grade = f.grade.as_str().to_owned();
        next.score_basis = f.basis.as_str().to_owned();
    }
    // A creation's changes are the whole input: derived from the document until it changes.
    let changes = if current.is_none() && entry.extra.is_empty() {
        None
    } else {
        let before = current.map(stored_of).transpose()?;
        let status_before = entry.status_before.map(Status::as_str);
        let mut changes =
            created::changes(before.as_ref(), &stored, status_before, status.as_str())?;
        changes.extend(entry.extra.iter().cloned());
        Some(changes)
    };
    let op = match (current, entry.status_before == Some(status)) {
        (None, _) => feed::CREATED,
        (Some(_), true) => feed::UPDATED,
        (Some(_), false) => feed::STATE_CHANGED,
    };
    let write = EvaluationWrite {
        current,
        indicator_rows: indicator_rows(prepared, &next),
        history: history_row(&next, &principal.subject, now, entry, changes.as_deref())?,
        next,
        op,
        actor: &principal.subject,
        delta: indicator_cells::Delta::default(),
    };
    uow::land(db, write).await
}

/// Deletes `current` (editable, in `status`): a tombstone row, no indicator results, a
/// `deleted` history entry, in the caller's transaction.
pub async fn tombstone(
    db: &impl ConnectionTrait,
    principal: &Principal,
    current: &Model,
    status: Status,
) -> Result<Model, ApiError> {
    let now = crate::clock::now();
    let next = Model {
        natural_key: format!("{}|deleted|{}", current.natural_key, current.id),
        version: current.version + 1,
        updated_at: now,
        deleted_at: Some(now),
        ..current.clone()
    };
    let entry = HistoryEntry {
        action: HistoryAction::Deleted,
        status_before: Some(status),
        reason: None,
        extra: Vec::new(),
    };
    let write = EvaluationWrite {
        current: Some(current),
        indicator_rows: Vec::new(),
        history: history_row(&next, &principal.subject, now, entry, Some(&[]))?,
        next,
        op: feed::DELETED,
        actor: &principal.subject,
        delta: indicator_cells::Delta::default(),
    };
    uow::land(db, write).await
}

/// The row of a prepared evaluation, new or the version after `current`.
fn next_row(
    principal: &Principal,
    prepared: &Prepared,
    stored: &Stored,
    current: Option<&Model>,
    status: Status,
    now: DateTime<Utc>,
) -> Result<Model, ApiError> {
    let kind = prepared.input.kind.as_str();
    let project_id = prepared.project.as_ref().map(|p| p.id.clone());
    // In 万元, whatever unit the block was printed in.
    let budget = prepared.input.budget.as_ref().map(BudgetInput::domain);
    let budget = budget.as_ref();
    let department = &prepared.department;
    Ok(Model {
        id: current.map_or_else(|| uuid::Uuid::now_v7().to_string(), |c| c.id.clone()),
        natural_key: super::natural_key(prepared),
        kind: kind.to_owned(),
        department_id: department.id.clone(),
        region_code: department.region_code.clone(),
        project_id,
        year: prepared.input.year,
        rule_set_id: prepared.rule_set.id.clone(),
        rule_set_version: i32::try_from(prepared.rule_set.version).unwrap_or(i32::MAX),
        status: status.as_str().to_owned(),
        document: PackedJson(serde_json::to_string(stored).map_err(ApiError::internal)?),
        total: StoredDecimal(prepared.computed.total.0),
        grade: prepared.computed.grade.as_str().to_owned(),
        error_count: i32::try_from(prepared.computed.error_count).unwrap_or(i32::MAX),
        warning_count: i32::try_from(prepared.computed.warning_count).unwrap_or(i32::MAX),
        // New data: the engine's scores, until someone reviews them.
        score_basis: store::BASIS_COMPUTED.to_owned(),
        budget_full_year: budget.map(|b| StoredDecimal(b.full_year)),
        budget_executed: budget.and_then(|b| b.executed).map(StoredDecimal),
        created_by: current.map_or_else(|| principal.subject.clone(), |c| c.created_by.clone()),
        // Who submitted it; a review write on a submitted evaluation keeps the submitter.
        submitted_by: if status == Status::Submitted
            && current.is_none_or(|c| c.status != Status::Submitted.as_str())
        {
            Some(principal.subject.clone())
        } else {
            current.and_then(|c| c.submitted_by.clone())
        },
        version: current.map_or(1, |c| c.version + 1),
        created_at: current.map_or(now, |c| c.created_at),
        updated_at: now,
        deleted_at: None,
    })
}

/// The flat indicator results of a prepared evaluation written as `next`.
fn indicator_rows(prepared: &Prepared, next: &Model) -> Vec<indicator_results::Model> {
    let rows = prepared
        .input
        .indicators
        .iter()
        .zip(&prepared.computed.rows);
    rows.enumerate()
        .map(|(i, (row, computed))| indicator_results::Model {
            evaluation_id: next.id.clone(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            year: next.year,
            region_code: next.region_code.clone(),
            kind: next.kind.clone(),
            status: next.status.clone(),
            // The standard names when recognised, so that `产出指标（40分）` is found as 产出指标.
            level1: computed
                .level1
                .clone()
                .unwrap_or_else(|| row.level1.trim().to_owned()),
            level2: computed
                .level2
                .clone()
                .unwrap_or_else(|| row.level2.trim().to_owned()),
            level3: row.level3.trim().to_owned(),
            target: row.target.clone(),
            actual: row.actual.clone(),
            weight: row.weight.map(|w| StoredDecimal(w.0)),
            claimed: row.claimed_score.map(|w| StoredDecimal(w.0)),
            computed: computed.computed.map(|w| StoredDecimal(w.0)),
            achieved: computed.achieved,
        })
        .collect()
}
