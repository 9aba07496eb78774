//! An evaluation as answers show it, made from its stored row: the input and the computed
//! block are copied as stored (they were written by the types the contract names), so a list
//! page costs a scan of the documents, not a parse and a re-serialisation.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{not_submittable, status_of};
use crate::app::access;
use crate::domain::policy::{Principal, Scope};
use crate::domain::workflow;
use crate::error::ApiError;
use crate::model::amount::Figure;
use crate::model::evaluation_dto::*;
use crate::model::vocab::{BudgetSource, ScoreBasis, Vocabulary, WorkflowAction};
use crate::store::evaluations::Model;

/// The stored document as an answer needs it: the parts sent back as they are stay JSON text.
#[derive(Deserialize)]
struct StoredView<'a> {
    #[serde(borrow)]
    input: InputView<'a>,
    budget_source: BudgetSource,
    department_budget_code: String,
    #[serde(borrow)]
    computed: &'a RawValue,
}

/// The stored input's fields that an answer repeats.
#[derive(Deserialize)]
struct InputView<'a> {
    kind: EvaluationKind,
    #[serde(borrow, default)]
    budget: Option<&'a RawValue>,
    #[serde(borrow, default)]
    annual_goal: Option<&'a RawValue>,
    #[serde(borrow, default)]
    achievement: Option<&'a RawValue>,
    #[serde(borrow, default)]
    indicators: Option<&'a RawValue>,
    #[serde(borrow, default)]
    claimed_total: Option<&'a RawValue>,
    #[serde(borrow, default)]
    narrative: Option<&'a RawValue>,
}

fn raw(value: &RawValue) -> Raw {
    value.to_owned()
}

/// A field the stored input left out, as the input type's default serialises.
fn raw_or_default<T: Default + Serialize>(value: Option<&RawValue>) -> Result<Raw, ApiError> {
    match value {
        Some(v) => Ok(raw(v)),
        None => serde_json::value::to_raw_value(&T::default()).map_err(ApiError::internal),
    }
}

/// The response body of an evaluation, made from its stored row. The input and the computed
/// block are copied as stored (they were written by the types the contract names), so a list
/// page costs a scan of the documents, not a parse and a re-serialisation.
pub fn to_dto(principal: &Principal, m: &Model) -> Result<Evaluation, ApiError> {
    let stored: StoredView<'_> =
        serde_json::from_str(m.document.as_str()).map_err(ApiError::internal)?;
    let status = status_of(m)?;
    let ids = [
        m.department_id.as_str(),
        stored.department_budget_code.as_str(),
    ];
    let scope = Scope {
        region: &m.region_code,
        department: &ids,
        unpublished: !status.published(),
        submitted_by: m.submitted_by.as_deref(),
    };
    let actions = workflow::actions(
        principal,
        status,
        &scope,
        usize::try_from(m.error_count).unwrap_or_default(),
    );
    let grade = GradeDto::from_stored(&m.grade, format_args!("evaluation {}", m.id))?;
    let input = stored.input;
    // A JSON `null` arrives as `None` too, and is answered as `null`.
    let optional = |v: Option<&RawValue>| v.map(raw);
    Ok(Evaluation {
        id: m.id.clone(),
        kind: input.kind,
        kind_label_zh: input.kind.domain().label_zh().to_owned(),
        department_id: m.department_id.clone(),
        project_id: m.project_id.clone(),
        region: m.region_code.clone(),
        year: m.year,
        rule_set: RuleSetRef {
            id: m.rule_set_id.clone(),
            version: u32::try_from(m.rule_set_version).unwrap_or_default(),
        },
        status: status.into(),
        status_label_zh: status.label_zh().to_owned(),
        version: m.version,
        budget: optional(input.budget),
        budget_source: stored.budget_source,
        annual_goal: optional(input.annual_goal),
        achievement: optional(input.achievement),
        indicators: raw_or_default::<Vec<IndicatorInputDto>>(input.indicators)?,
        claimed_total: optional(input.claimed_total),
        narrative: raw_or_default::<Narrative>(input.narrative)?,
        computed: raw(stored.computed),
        total: Figure(m.total.0),
        grade,
        grade_label_zh: grade.label_zh().to_owned(),
        basis: ScoreBasis::from_stored(&m.score_basis, format_args!("evaluation {}", m.id))?,
        allowed_actions: actions
            .allowed
            .into_iter()
            .map(|a| WorkflowAction::from_stored(a, format_args!("evaluation {}", m.id)))
            .collect::<Result<_, _>>()?,
        blocked_actions: actions
            .blocked
            .iter()
            .map(|b| blocked_action(&m.id, b))
            .collect::<Result<_, _>>()?,
        created_by: m.created_by.clone(),
        submitted_by: m.submitted_by.clone(),
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// A blocked action as answers list it: the code and message the action itself would get.
fn blocked_action(id: &str, b: &workflow::Blocked) -> Result<BlockedAction, ApiError> {
    let e = match b.block {
        workflow::Block::ErrorsRemain(count) => not_submittable(count),
        workflow::Block::Refused(refusal) => access::refused(b.action, refusal),
    };
    Ok(BlockedAction {
        action: WorkflowAction::from_stored(b.action.as_str(), format_args!("evaluation {id}"))?,
        code: e.code.code.to_owned(),
        reason: e.detail.en.clone(),
        reason_zh: e.detail.zh.clone(),
    })
}
