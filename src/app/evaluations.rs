//! Evaluations: create, replace, delete, the workflow transitions and the indicator rows.
//!
//! The use cases that take a `&DatabaseConnection` run in a [`UnitOfWork`] of their own and
//! commit it; [`create_in`] and [`upsert`] write in the caller's (the import, the demo data, a
//! batch item under its savepoint). Every write goes through `write::save`: prepare
//! (resolve, validate, score), then [`crate::app::uow::land`].

mod answer;
mod created;
pub mod list;
mod many;
mod prepare;
mod read;
pub mod summaries;
mod write;

use crate::model::findings::FindingDto;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};

use crate::app::access;
use crate::app::precondition::{self as http, IfMatch};
use crate::app::uow::UnitOfWork;
use crate::domain::policy::{Action, Kind, Principal, Scope};
use crate::domain::workflow::{self, Status, Transition};
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::evaluation_dto::{ComputedDto, EvaluationInput, IndicatorInputDto};
use crate::model::vocab::HistoryAction;
use crate::model::vocab::{BudgetSource, EvaluationStatus, ItemOutcome, Vocabulary};
use crate::store::evaluations::{self as store, Model};

pub use answer::to_dto;
pub use many::{Done, Mode, settle, upsert_many};
pub use prepare::{Prepared, prepare};
pub use read::{history_of, owners};
pub(crate) use write::{FinalScore, HistoryEntry, save};

/// What is kept of an evaluation: the normalised input, where its budget came from, and the
/// computed block as of the last write. The computed block stays JSON text ([`Stored::computed`]
/// reads it): a write serialises it once, and reading a document builds no tree of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    pub input: EvaluationInput,
    pub budget_source: BudgetSource,
    pub department_budget_code: String,
    pub computed: Box<serde_json::value::RawValue>,
}

impl Stored {
    /// The computed block as of the last write.
    pub fn computed(&self) -> Result<ComputedDto, ApiError> {
        serde_json::from_str(self.computed.get()).map_err(ApiError::internal)
    }
}

fn field(pointer: &str, code: &'static str, en: String, zh: String) -> FieldError {
    FieldError::body(pointer, code, Text::new(en, zh))
}

pub fn not_found(id: &str) -> ApiError {
    ApiError::new(
        codes::EVALUATION_NOT_FOUND,
        Text::new(
            format!("No evaluation has the id {id}"),
            format!("不存在 id 为 {id} 的绩效自评"),
        ),
    )
}

/// The stored status of an evaluation; an unknown one is an internal error, never a guess.
pub fn status_of(m: &Model) -> Result<Status, ApiError> {
    Ok(EvaluationStatus::from_stored(&m.status, format_args!("evaluation {}", m.id))?.domain())
}

pub fn stored_of(m: &Model) -> Result<Stored, ApiError> {
    serde_json::from_str(m.document.as_str()).map_err(ApiError::internal)
}

/// The policy scope of an evaluation.
pub fn check(
    principal: &Principal,
    m: &Model,
    budget_code: &str,
    action: Action,
) -> Result<(), ApiError> {
    let ids = [m.department_id.as_str(), budget_code];
    let scope = Scope {
        region: &m.region_code,
        department: &ids,
        unpublished: !status_of(m)?.published(),
        submitted_by: m.submitted_by.as_deref(),
    };
    access::authorize(principal, Kind::Evaluation, action, &scope, || {
        not_found(&m.id)
    })
}

/// A live evaluation the caller may act on, with what is stored of it.
pub async fn resolve(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
    action: Action,
) -> Result<(Model, Stored), ApiError> {
    let m = store::get(db, id).await?.ok_or_else(|| not_found(id))?;
    let stored = stored_of(&m)?;
    check(principal, &m, &stored.department_budget_code, action)?;
    Ok((m, stored))
}

/// The error submitting answers while `count` error findings remain.
pub fn not_submittable(count: usize) -> ApiError {
    ApiError::new(
        codes::EVALUATION_NOT_SUBMITTABLE,
        Text::new(
            format!("{count} error finding(s) remain; correct them and submit again"),
            format!("仍有 {count} 项错误，请更正后再提交"),
        ),
    )
}

fn exists(natural_key: &str, existing: Option<&str>) -> ApiError {
    let mut e = ApiError::new(
        codes::EVALUATION_EXISTS,
        Text::new(
            "This department already has an evaluation of this kind for this year (and project)",
            "该部门本年度已有同类（同项目）的绩效自评",
        ),
    )
    .with_extra("natural_key", natural_key.into());
    if let Some(id) = existing {
        e = e.with_extra("existing", format!("/api/v1/evaluations/{id}").into());
    }
    e
}

/// The 409 for a change the current state does not allow.
pub fn read_only(m: &Model) -> ApiError {
    let status = match status_of(m) {
        Ok(s) => s,
        Err(e) => return e,
    };
    ApiError::new(
        codes::EVALUATION_READ_ONLY,
        Text::new(
            format!(
                "The evaluation is {}; only drafts and returned evaluations change",
                status.as_str()
            ),
            format!(
                "该绩效自评状态为{}，只有草稿或已退回的自评可以修改",
                status.label_zh()
            ),
        ),
    )
    .with_extra("current_state", status.as_str().into())
}

/// The natural key a prepared evaluation would be stored under.
fn natural_key(prepared: &Prepared) -> String {
    store::natural_key(
        &prepared.department.id,
        prepared.input.year,
        prepared.input.kind.as_str(),
        prepared.project.as_ref().map(|p| p.id.as_str()),
    )
}

/// The history entry of a write that keeps the status.
fn entry(action: HistoryAction, status_before: Option<Status>) -> HistoryEntry {
    HistoryEntry {
        action,
        status_before,
        reason: None,
        extra: Vec::new(),
    }
}

/// Creates an evaluation as a draft, in a unit of work of its own.
pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: &EvaluationInput,
) -> Result<Model, ApiError> {
    UnitOfWork::run(db, async |txn| create_in(txn, principal, input).await).await
}

/// Creates an evaluation as a draft, in the caller's transaction.
pub async fn create_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &EvaluationInput,
) -> Result<Model, ApiError> {
    let prepared = prepare(db, principal, input, Action::Create).await?;
    // A natural key already taken is found by the insert itself (one statement fewer).
    let created = entry(HistoryAction::Created, None);
    save(db, principal, &prepared, None, Status::Draft, created, None).await
}

/// Creates the evaluation, or replaces the one with the same department, year, kind and
/// project while it is editable (the batch's "create or replace"), in the caller's
/// transaction.
pub async fn upsert(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &EvaluationInput,
) -> Result<(Model, ItemOutcome, Vec<FindingDto>), ApiError> {
    let prepared = prepare(db, principal, input, Action::Create).await?;
    let Some(existing) = store::by_natural_key(db, &natural_key(&prepared)).await? else {
        let created = entry(HistoryAction::Created, None);
        let m = save(db, principal, &prepared, None, Status::Draft, created, None).await?;
        return Ok((m, ItemOutcome::Created, prepared.computed.findings));
    };
    let budget_code = &prepared.department.budget_code;
    check(principal, &existing, budget_code, Action::Update)?;
    let status = status_of(&existing)?;
    if !status.editable() {
        return Err(read_only(&existing).with_extra(
            "existing",
            format!("/api/v1/evaluations/{}", existing.id).into(),
        ));
    }
    let updated = entry(HistoryAction::Updated, Some(status));
    let m = save(
        db,
        principal,
        &prepared,
        Some(&existing),
        status,
        updated,
        None,
    )
    .await?;
    Ok((m, ItemOutcome::Replaced, prepared.computed.findings))
}

/// Replaces the data of an editable evaluation (department, year, kind and project are
/// fixed), in a unit of work of its own.
pub async fn replace(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: &IfMatch,
    input: &EvaluationInput,
) -> Result<Model, ApiError> {
    UnitOfWork::run(db, async |txn| {
        replace_in(txn, principal, id, if_match, input, HistoryAction::Updated).await
    })
    .await
}

async fn replace_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
    if_match: &IfMatch,
    input: &EvaluationInput,
    action: HistoryAction,
) -> Result<Model, ApiError> {
    let (current, stored) = resolve(db, principal, id, Action::Update).await?;
    if !if_match.matches(current.version) {
        return Err(http::stale(current.version));
    }
    let status = status_of(&current)?;
    if !status.editable() {
        return Err(read_only(&current));
    }
    let prepared = prepare(db, principal, input, Action::Update).await?;
    let errors = immutable_errors(&prepared, &current, &stored);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let updated = entry(action, Some(status));
    save(
        db,
        principal,
        &prepared,
        Some(&current),
        status,
        updated,
        None,
    )
    .await
}

/// What a replacement may not change: department, year, kind and project.
fn immutable_errors(prepared: &Prepared, current: &Model, stored: &Stored) -> Vec<FieldError> {
    let immutable = |pointer: &str, en: &str, zh: &str| {
        field(
            pointer,
            "field.immutable",
            format!("The {en} of an evaluation cannot change"),
            format!("绩效自评的{zh}不能修改"),
        )
    };
    let mut errors = Vec::new();
    if prepared.department.id != current.department_id {
        errors.push(immutable("/department", "department", "部门"));
    }
    if prepared.input.year != current.year {
        errors.push(immutable("/year", "year", "年度"));
    }
    if prepared.input.kind != stored.input.kind {
        errors.push(immutable("/kind", "kind", "类型"));
    }
    if prepared.project.as_ref().map(|p| &p.id) != current.project_id.as_ref() {
        errors.push(immutable("/project", "project", "项目"));
    }
    errors
}

/// Deletes an editable evaluation (a tombstone), in a unit of work of its own; `if_match`,
/// when given, must name its current version.
pub async fn delete(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: Option<&IfMatch>,
) -> Result<(), ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let (current, _) = resolve(uow.db(), principal, id, Action::Delete).await?;
    crate::app::write::check_if_match(if_match, current.version)?;
    let status = status_of(&current)?;
    if !status.editable() {
        return Err(read_only(&current));
    }
    write::tombstone(uow.db(), principal, &current, status).await?;
    uow.commit().await
}

/// The 409 for a transition the current state does not allow.
pub(crate) fn illegal_transition(transition: Transition, from: Status) -> ApiError {
    ApiError::new(
        codes::EVALUATION_ILLEGAL_TRANSITION,
        Text::new(
            format!(
                "Cannot {} an evaluation that is {}",
                transition.as_str(),
                from.as_str()
            ),
            format!(
                "状态为{}的绩效自评不能执行“{}”",
                from.label_zh(),
                transition.as_str()
            ),
        ),
    )
    .with_extra("current_state", from.as_str().into())
}

/// A return says why: the reason, trimmed, must not be empty.
pub(crate) fn reason_of(
    transition: Transition,
    reason: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let reason = reason.map(|r| r.trim().to_owned());
    if transition == Transition::Return && reason.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::validation(vec![FieldError::body(
            "/reason",
            "field.missing",
            Text::new("Say why the evaluation goes back", "请说明退回原因"),
        )]));
    }
    Ok(reason)
}

/// Moves an evaluation through the workflow (submit, withdraw, return with a reason, approve),
/// in a unit of work of its own. The figures are checked again as they stand now (funds may
/// have changed); a submission is refused while any error remains.
pub async fn transition(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    transition: Transition,
    reason: Option<&str>,
) -> Result<Model, ApiError> {
    let reason = reason_of(transition, reason)?;
    let uow = UnitOfWork::begin(db).await?;
    let (current, stored) = resolve(uow.db(), principal, id, Action::Read).await?;
    let from = status_of(&current)?;
    let to =
        workflow::next(from, transition).map_err(|i| illegal_transition(transition, i.from))?;
    let budget_code = &stored.department_budget_code;
    check(principal, &current, budget_code, transition.action())?;
    let mut input = stored.input;
    input.department = current.department_id.clone();
    let prepared = prepare(uow.db(), principal, &input, Action::Read).await?;
    if transition == Transition::Submit && prepared.has_errors() {
        let blocking = serde_json::to_value(prepared.blocking()).map_err(ApiError::internal)?;
        return Err(not_submittable(prepared.computed.error_count)
            .with_extra("current_state", from.as_str().into())
            .with_extra("blocking_findings", blocking));
    }
    let action = match transition {
        Transition::Submit => HistoryAction::Submitted,
        Transition::Withdraw => HistoryAction::Withdrawn,
        Transition::Return => HistoryAction::Returned,
        Transition::Approve => HistoryAction::Approved,
    };
    let moved = HistoryEntry {
        action,
        status_before: Some(from),
        reason,
        extra: Vec::new(),
    };
    let m = save(
        uow.db(),
        principal,
        &prepared,
        Some(&current),
        to,
        moved,
        None,
    )
    .await?;
    uow.commit().await?;
    Ok(m)
}

fn no_row(id: &str, index: usize) -> ApiError {
    ApiError::new(
        codes::INDICATOR_NOT_FOUND,
        Text::new(
            format!("Evaluation {id} has no indicator row {index}"),
            format!("绩效自评 {id} 没有第 {index} 行指标"),
        ),
    )
}

/// Edits the indicator rows of an editable evaluation and replaces it with the result, in a
/// unit of work of its own; answers with the new version and what `edit` answered.
async fn edit_rows<T>(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: &IfMatch,
    action: HistoryAction,
    edit: impl FnOnce(&mut Vec<IndicatorInputDto>) -> Result<T, ApiError>,
) -> Result<(Model, T), ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let (current, stored) = resolve(uow.db(), principal, id, Action::Update).await?;
    let mut input = stored.input;
    input.department = current.department_id.clone();
    let edited = edit(&mut input.indicators)?;
    let m = replace_in(uow.db(), principal, id, if_match, &input, action).await?;
    uow.commit().await?;
    Ok((m, edited))
}

/// Adds an indicator row at the end; answers with the new version and the row's index.
pub async fn add_indicator(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: &IfMatch,
    row: IndicatorInputDto,
) -> Result<(Model, usize), ApiError> {
    edit_rows(
        db,
        principal,
        id,
        if_match,
        HistoryAction::IndicatorAdded,
        |rows| {
            rows.push(row);
            Ok(rows.len() - 1)
        },
    )
    .await
}

/// Replaces indicator row `index` with `row`, or removes it (`None`).
pub async fn edit_indicator(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: &IfMatch,
    index: usize,
    row: Option<IndicatorInputDto>,
) -> Result<Model, ApiError> {
    let action = match row {
        Some(_) => HistoryAction::IndicatorChanged,
        None => HistoryAction::IndicatorRemoved,
    };
    let edit = |rows: &mut Vec<IndicatorInputDto>| {
        if index >= rows.len() {
            return Err(no_row(id, index));
        }
        match row {
            Some(row) => rows[index] = row,
            None => {
                rows.remove(index);
            }
        }
        Ok(())
    };
    let (m, ()) = edit_rows(db, principal, id, if_match, action, edit).await?;
    Ok(m)
}
