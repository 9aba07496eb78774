//! `/api/v1/evaluations`: self-evaluations, scored and reviewed by the engine on every write.
//!
//! Every write goes through [`save`]: prepare (resolve, validate, score), then in the caller's
//! transaction the row, the flat indicator results and the history entry together.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::IntoParams;

use crate::api::amount::sum_known;
use crate::api::bounded_body::BoundedBody;
use crate::api::departments::{self, allowed_ids, year_error};
use crate::api::evaluation_dto::*;
use crate::api::extract::JsonBody;
use crate::api::findings::{FindingDto, FindingSeverity, convert};
use crate::api::http::{self, etag};
use crate::api::projects;
use crate::api::rule_sets;
use crate::api::vocab::{BudgetSource, EvaluationStatus, ItemOutcome, Vocabulary, WorkflowAction};
use crate::api::{AppState, access, feed};
use crate::domain::diff;
use crate::domain::evaluation as ev;
use crate::domain::finance::{FundDeclaration, FundScope, FundSet};
use crate::domain::policy::{Action, Kind, Principal, Role, Scope};
use crate::domain::region;
use crate::domain::rules::RuleSet;
use crate::domain::scoring;
use crate::domain::workflow::{self, Status};
use crate::error::{ApiError, FieldError, Problem, codes};
use crate::locale::Text;
use crate::store::departments as department_store;
use crate::store::evaluations::{self as store, Model};
use crate::store::funds as fund_store;
use crate::store::history;
use crate::store::indicator_results;
use crate::store::money::StoredDecimal;

/// What is kept of an evaluation: the normalised input, where its budget came from, and the
/// computed block as of the last write.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    pub input: EvaluationInput,
    pub budget_source: BudgetSource,
    pub department_budget_code: String,
    pub computed: serde_json::Value,
}

/// An input resolved, validated and scored.
pub struct Prepared {
    pub department: department_store::Model,
    pub project: Option<crate::store::projects::Model>,
    pub rule_set: RuleSet,
    pub input: EvaluationInput,
    pub budget_source: BudgetSource,
    pub computed: ComputedDto,
}

impl Prepared {
    pub fn has_errors(&self) -> bool {
        self.computed.error_count > 0
    }

    pub fn blocking(&self) -> Vec<&FindingDto> {
        self.computed
            .findings
            .iter()
            .filter(|f| f.severity == FindingSeverity::Error)
            .collect()
    }
}

fn field(pointer: &str, code: &'static str, en: String, zh: String) -> FieldError {
    FieldError::body(pointer, code, Text::new(en, zh))
}

/// Resolves, validates and scores an input, through the same code for every caller: create,
/// replace, the dry run, the indicator sub-resource and the import.
pub async fn prepare(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &EvaluationInput,
    action: Action,
) -> Result<Prepared, ApiError> {
    access::require_role(principal, Kind::Evaluation, action)?;
    let department = departments::resolve(db, principal, input.department.trim(), Action::Read)
        .await
        .map_err(|e| {
            if e.code == codes::DEPARTMENT_NOT_FOUND {
                ApiError::validation(vec![field(
                    "/department",
                    "evaluation.unknown_department",
                    format!("No department {} in your scope", input.department),
                    format!("您的数据范围内不存在部门 {}", input.department),
                )])
            } else {
                e
            }
        })?;
    let mut errors: Vec<FieldError> = year_error(input.year, "/year").into_iter().collect();
    if ev::too_many_indicators(input.indicators.len()) {
        errors.push(field(
            "/indicators",
            "evaluation.too_many_indicators",
            format!(
                "An evaluation holds at most {} indicator rows; this one has {}",
                ev::MAX_INDICATORS,
                input.indicators.len()
            ),
            format!(
                "一份绩效自评最多包含 {} 行指标，本自评有 {} 行",
                ev::MAX_INDICATORS,
                input.indicators.len()
            ),
        ));
    }
    let project = match (input.kind, &input.project) {
        (EvaluationKind::Project, None) => {
            errors.push(field(
                "/project",
                "field.missing",
                "A project evaluation names its project".into(),
                "项目支出绩效自评必须指明项目".into(),
            ));
            None
        }
        (EvaluationKind::Department, Some(_)) => {
            errors.push(field(
                "/project",
                "evaluation.project_not_allowed",
                "A department evaluation has no project".into(),
                "部门整体支出绩效自评不对应具体项目".into(),
            ));
            None
        }
        (EvaluationKind::Project, Some(id)) => {
            // An id, or the name of one of the department's projects of the year (so scripts
            // need no look-ups).
            let by_name = if uuid::Uuid::parse_str(id).is_err() {
                crate::store::projects::of_department_year(db, &department.id, input.year)
                    .await?
                    .into_iter()
                    .find(|p| p.name.trim() == id.trim())
                    .map(|p| p.id)
            } else {
                None
            };
            let id = by_name.as_deref().unwrap_or(id);
            match projects::resolve(db, principal, id, Action::Read).await {
                Ok(p) if p.department_id == department.id && p.year == input.year => Some(p),
                Ok(_) => {
                    errors.push(field(
                        "/project",
                        "evaluation.project_mismatch",
                        "The project belongs to another department or year".into(),
                        "该项目属于其他部门或年度".into(),
                    ));
                    None
                }
                Err(_) => {
                    errors.push(field(
                        "/project",
                        "evaluation.unknown_project",
                        format!("No project {id} in your scope"),
                        format!("您的数据范围内不存在项目 {id}"),
                    ));
                    None
                }
            }
        }
        (EvaluationKind::Department, None) => None,
    };
    // The rule set named, or the default of the nearest region above the department's for
    // the year and kind (national-2021 where none is configured). Either way it must apply
    // to the department's region.
    let department_region = region::RegionCode::parse(&department.region_code)
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e.message_en())))?;
    let (wanted, by_default) = match &input.rule_set {
        Some(name) => (name.clone(), false),
        None => (
            crate::api::rule_set_defaults::default_for(
                db,
                &department_region,
                input.year,
                input.kind.domain(),
            )
            .await?
            .key(),
            true,
        ),
    };
    let rule_set = match rule_sets::find(db, &wanted).await? {
        Some(r) if r.applies_to(&department_region) => Some(r),
        found => {
            let known = rule_sets::ids_applying_to(db, &department_region).await?;
            let (en, zh) = match (found, by_default) {
                (Some(r), _) => (
                    format!(
                        "Rule set `{wanted}` belongs to region {} and does not apply to {}; use one of: {}",
                        r.region,
                        department_region,
                        known.join(", ")
                    ),
                    format!(
                        "规则集 `{wanted}` 属于行政区划 {}，不适用于 {}；可用：{}",
                        r.region,
                        department_region,
                        known.join("，")
                    ),
                ),
                (None, true) => (
                    format!(
                        "The default rule set `{wanted}` of region {department_region} is missing; name one of: {}",
                        known.join(", ")
                    ),
                    format!(
                        "行政区划 {department_region} 的默认规则集 `{wanted}` 不存在；请指定：{}",
                        known.join("，")
                    ),
                ),
                (None, false) => (
                    format!("No rule set `{wanted}`; known: {}", known.join(", ")),
                    format!("不存在规则集 `{wanted}`；可用：{}", known.join("，")),
                ),
            };
            errors.push(field("/rule_set", "evaluation.unknown_rule_set", en, zh));
            None
        }
    };
    // Funds: a project's own, or the department's for its 项目支出.
    let funds = match (&project, input.kind) {
        (Some(p), _) => fund_store::of_projects(db, std::slice::from_ref(&p.id)).await?,
        (None, EvaluationKind::Department) => {
            fund_store::of_department_year(db, &department.id, input.year).await?
        }
        _ => Vec::new(),
    };
    let (budget, budget_source) = match (&input.budget, input.kind) {
        (Some(b), _) => (Some(b.clone()), BudgetSource::Given),
        (None, EvaluationKind::Project) if !funds.is_empty() => {
            let initial = sum_known(funds.iter().map(|f| f.initial.map(|d| d.0)));
            let full_year = sum_known(funds.iter().map(|f| f.full_year.map(|d| d.0)));
            let executed = sum_known(funds.iter().map(|f| f.executed.map(|d| d.0)));
            match full_year {
                Some(full_year) => (
                    Some(BudgetInput {
                        amount_unit: AmountUnit::WanYuan,
                        initial,
                        full_year,
                        executed,
                        weight: None,
                        claimed_rate: None,
                        claimed_score: None,
                        by_source: Vec::new(),
                        basic: None,
                        project: None,
                    }),
                    BudgetSource::Funds,
                ),
                _ => (None, BudgetSource::Funds),
            }
        }
        _ => (None, BudgetSource::Given),
    };
    if let Some(b) = &input.budget {
        for (pointer, en, zh) in b.scale_problems() {
            errors.push(field(&format!("/budget{pointer}"), "field.invalid", en, zh));
        }
    }
    if budget.is_none() {
        errors.push(field(
            "/budget",
            "field.missing",
            "Send the budget block (initial, full-year, executed); for a project it can come from its funds when they give every amount".into(),
            "请提供预算信息（年初、全年、执行数）；项目的预算可由其资金给出（需各项金额齐全）".into(),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let (Some(rule_set), Some(budget)) = (rule_set, budget) else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "validated evaluation lacks rule set or budget"
        )));
    };
    let domain = input.domain(&budget);
    let outcome = scoring::evaluate(&domain, &rule_set);
    // The budget block against the funds, when they are there and it was given.
    let mut extra = Vec::new();
    if budget_source == BudgetSource::Given && !funds.is_empty() {
        let b = &domain.budget;
        let declaration = match input.kind {
            EvaluationKind::Project => Some(FundDeclaration {
                scope: FundScope::All,
                label: Some("budget block".into()),
                initial: b.initial,
                full_year: Some(b.full_year),
                executed: b.executed,
            }),
            EvaluationKind::Department => b.project.map(|p| FundDeclaration {
                scope: FundScope::All,
                label: Some("项目支出".into()),
                initial: None,
                full_year: None,
                executed: Some(p),
            }),
        };
        if let Some(declaration) = declaration {
            let set = FundSet {
                funds: funds
                    .iter()
                    .map(|m| crate::api::funds::to_domain(m, None))
                    .collect(),
                declared: vec![declaration],
            };
            let declared_at = match input.kind {
                EvaluationKind::Project => "/budget",
                EvaluationKind::Department => "/budget/project",
            };
            extra = convert(
                crate::domain::finance::reconcile_funds(&set)
                    .into_iter()
                    .filter(|f| f.pointer.starts_with("/declared/"))
                    .collect(),
                &[
                    ("/declared/0/project", declared_at),
                    ("/declared/0", declared_at),
                ],
            );
        }
    }
    let mut normalised = input.clone();
    normalised.department = department.id.clone();
    normalised.rule_set = Some(format!("{}@{}", rule_set.id, rule_set.version));
    normalised.budget = Some(budget);
    Ok(Prepared {
        computed: ComputedDto::from_outcome(outcome, extra),
        department,
        project,
        rule_set,
        input: normalised,
        budget_source,
    })
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
    EvaluationStatus::from_stored(&m.status, format_args!("evaluation {}", m.id))
        .map(EvaluationStatus::domain)
}

pub fn stored_of(m: &Model) -> Result<Stored, ApiError> {
    serde_json::from_str(&m.document).map_err(ApiError::internal)
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
    let stored: StoredView<'_> = serde_json::from_str(&m.document).map_err(ApiError::internal)?;
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

/// One row of history to write with a change.
pub struct HistoryEntry<'a> {
    pub action: &'a str,
    pub status_before: Option<Status>,
    pub reason: Option<String>,
}

/// Writes a prepared evaluation: the row (created or over `current`), its flat indicator
/// results and its history entry, in the caller's transaction.
pub async fn save(
    db: &impl ConnectionTrait,
    principal: &Principal,
    prepared: &Prepared,
    current: Option<&Model>,
    status: Status,
    entry: HistoryEntry<'_>,
) -> Result<Model, ApiError> {
    let now = crate::clock::now();
    let stored = Stored {
        input: prepared.input.clone(),
        budget_source: prepared.budget_source,
        department_budget_code: prepared.department.budget_code.clone(),
        computed: serde_json::to_value(&prepared.computed).map_err(ApiError::internal)?,
    };
    let document = serde_json::to_string(&stored).map_err(ApiError::internal)?;
    let kind = prepared.input.kind.as_str();
    let project_id = prepared.project.as_ref().map(|p| p.id.clone());
    // In 万元, whatever unit the block was printed in.
    let budget = prepared.input.budget.as_ref().map(BudgetInput::domain);
    let budget = budget.as_ref();
    let next = Model {
        id: current.map_or_else(|| uuid::Uuid::now_v7().to_string(), |c| c.id.clone()),
        natural_key: store::natural_key(
            &prepared.department.id,
            prepared.input.year,
            kind,
            project_id.as_deref(),
        ),
        kind: kind.to_owned(),
        department_id: prepared.department.id.clone(),
        region_code: prepared.department.region_code.clone(),
        project_id,
        year: prepared.input.year,
        rule_set_id: prepared.rule_set.id.clone(),
        rule_set_version: i32::try_from(prepared.rule_set.version).unwrap_or(i32::MAX),
        status: status.as_str().to_owned(),
        document,
        total: StoredDecimal(prepared.computed.total.0),
        grade: prepared.computed.grade.as_str().to_owned(),
        error_count: i32::try_from(prepared.computed.error_count).unwrap_or(i32::MAX),
        budget_full_year: budget.map(|b| StoredDecimal(b.full_year)),
        budget_executed: budget.and_then(|b| b.executed).map(StoredDecimal),
        created_by: current.map_or_else(|| principal.subject.clone(), |c| c.created_by.clone()),
        submitted_by: if status == Status::Submitted {
            Some(principal.subject.clone())
        } else {
            current.and_then(|c| c.submitted_by.clone())
        },
        version: current.map_or(1, |c| c.version + 1),
        created_at: current.map_or(now, |c| c.created_at),
        updated_at: now,
        deleted_at: None,
    };
    let before = match current {
        Some(c) => serde_json::to_value(&stored_of(c)?.input).map_err(ApiError::internal)?,
        None => serde_json::json!({}),
    };
    let after = serde_json::to_value(&stored.input).map_err(ApiError::internal)?;
    let mut changes = diff::changes(&before, &after);
    if entry.status_before != Some(status) {
        changes.push(diff::Change {
            pointer: "/status".into(),
            before: entry.status_before.map(|s| s.as_str().into()),
            after: Some(status.as_str().into()),
        });
    }
    match current {
        None => {
            match store::insert(db, next.clone()).await {
                Ok(_) => {}
                Err(e) if crate::store::is_unique_violation(&e) => {
                    return Err(exists(&next.natural_key, None));
                }
                Err(e) => return Err(e.into()),
            };
        }
        Some(c) => {
            if !store::overwrite(db, c, &next).await? {
                return Err(http::stale(c.version));
            }
        }
    }
    let rows = prepared
        .input
        .indicators
        .iter()
        .zip(&prepared.computed.rows)
        .enumerate()
        .map(|(i, (row, computed))| indicator_results::Model {
            key: indicator_results::key(&next.id, i),
            evaluation_id: next.id.clone(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            year: next.year,
            region_code: next.region_code.clone(),
            department_id: next.department_id.clone(),
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
        .collect();
    let rows_delta = indicator_results::replace(db, &next.id, rows).await?;
    let op = match (current, entry.status_before == Some(status)) {
        (None, _) => feed::CREATED,
        (Some(_), true) => feed::UPDATED,
        (Some(_), false) => feed::STATE_CHANGED,
    };
    history::append(
        db,
        history::Model {
            id: uuid::Uuid::now_v7().to_string(),
            evaluation_id: next.id.clone(),
            seq: next.version,
            action: entry.action.to_owned(),
            actor: principal.subject.clone(),
            at: now,
            status_before: entry.status_before.map(|s| s.as_str().to_owned()),
            status_after: status.as_str().to_owned(),
            version: next.version,
            reason: entry.reason,
            changes: serde_json::to_string(&changes).map_err(ApiError::internal)?,
        },
    )
    .await?;
    store::update_cells(db, current, &next, rows_delta).await?;
    feed::evaluation(db, &next, op, &principal.subject).await?;
    Ok(next)
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

/// Creates an evaluation as a draft.
pub async fn create(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &EvaluationInput,
) -> Result<Model, ApiError> {
    let prepared = prepare(db, principal, input, Action::Create).await?;
    let key = store::natural_key(
        &prepared.department.id,
        prepared.input.year,
        prepared.input.kind.as_str(),
        prepared.project.as_ref().map(|p| p.id.as_str()),
    );
    if let Some(existing) = store::by_natural_key(db, &key).await? {
        return Err(exists(&key, Some(&existing.id)));
    }
    save(
        db,
        principal,
        &prepared,
        None,
        Status::Draft,
        HistoryEntry {
            action: "created",
            status_before: None,
            reason: None,
        },
    )
    .await
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

/// Replaces the data of an editable evaluation; department, year, kind and project are fixed.
pub async fn replace(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
    if_match: &http::IfMatch,
    input: &EvaluationInput,
    action: &str,
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
    let mut errors = Vec::new();
    if prepared.department.id != current.department_id {
        errors.push(field(
            "/department",
            "field.immutable",
            "The department of an evaluation cannot change".into(),
            "绩效自评的部门不能修改".into(),
        ));
    }
    if prepared.input.year != current.year {
        errors.push(field(
            "/year",
            "field.immutable",
            "The year of an evaluation cannot change".into(),
            "绩效自评的年度不能修改".into(),
        ));
    }
    if prepared.input.kind != stored.input.kind {
        errors.push(field(
            "/kind",
            "field.immutable",
            "The kind of an evaluation cannot change".into(),
            "绩效自评的类型不能修改".into(),
        ));
    }
    if prepared.project.as_ref().map(|p| &p.id) != current.project_id.as_ref() {
        errors.push(field(
            "/project",
            "field.immutable",
            "The project of an evaluation cannot change".into(),
            "绩效自评的项目不能修改".into(),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    save(
        db,
        principal,
        &prepared,
        Some(&current),
        status,
        HistoryEntry {
            action,
            status_before: Some(status),
            reason: None,
        },
    )
    .await
}

/// Evaluation filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    pub year: Option<i32>,
    /// Region subtree (`4304` or `430400`).
    pub region: Option<String>,
    /// Department id or budget code.
    pub department_id: Option<String>,
    pub project_id: Option<String>,
    pub kind: Option<EvaluationKind>,
    /// draft, submitted, returned or approved.
    #[param(value_type = Option<crate::api::vocab::EvaluationStatus>)]
    pub status: Option<String>,
    /// excellent, good, fair or poor.
    pub grade: Option<GradeDto>,
    /// Only evaluations changed after this time (RFC 3339).
    pub updated_after: Option<DateTime<Utc>>,
    pub page_size: Option<u64>,
    pub page_token: Option<String>,
}

const PAGE_KIND: &str = "evaluations";

fn respond(status: StatusCode, principal: &Principal, m: &Model) -> Result<HttpResponse, ApiError> {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, etag(m.version)));
    if status == StatusCode::CREATED {
        res.insert_header((header::LOCATION, format!("/api/v1/evaluations/{}", m.id)));
    }
    Ok(res.json(to_dto(principal, m)?))
}

/// Writes a model and answers with it.
pub fn answer(
    status: StatusCode,
    principal: &Principal,
    m: &Model,
) -> Result<HttpResponse, ApiError> {
    respond(status, principal, m)
}

fn query_error(name: &str, en: String, zh: String) -> ApiError {
    let mut e = ApiError::new(codes::INVALID_QUERY, Text::new(en.clone(), zh.clone()));
    e.errors.push(FieldError::query(
        name,
        "parameter.invalid",
        Text::new(en, zh),
    ));
    e
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

/// Turns a region filter into its prefix.
pub fn region_prefix(region: Option<&str>) -> Result<Option<String>, ApiError> {
    match region.map(region::subtree_filter_prefix) {
        None => Ok(None),
        Some(Ok(p)) => Ok(Some(p)),
        Some(Err(e)) => Err(query_error(
            "region",
            e.message_en().into(),
            e.message_zh().into(),
        )),
    }
}

/// List evaluations.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "list_evaluations",
    params(EvaluationQuery),
    responses((status = 200, description = "A page of evaluations, oldest first (viewers see submitted and approved ones only)", body = EvaluationPage))
)]
#[get("/evaluations")]
pub async fn list_evaluations(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<EvaluationQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = http::page_size(query.page_size, state.max_page_size)?;
    let after = http::decode_page_token(PAGE_KIND, query.page_token.as_deref())?;
    let Some(department_id) =
        departments::filter(&state.db, &principal, query.department_id.as_deref()).await?
    else {
        return Ok(HttpResponse::Ok().json(EvaluationPage {
            items: Vec::new(),
            next_page_token: None,
        }));
    };
    let filter = store::Filter {
        scope_prefix: principal.region_prefix().to_owned(),
        scope_department_ids: allowed_ids(&state.db, &principal).await?,
        statuses: visible_statuses(&principal, query.status.as_deref())?,
        year: query.year,
        region_prefix: region_prefix(query.region.as_deref())?,
        department_id,
        project_id: query.project_id,
        kind: query.kind.map(|k| k.as_str().to_owned()),
        grade: query.grade.map(|g| g.as_str().to_owned()),
        updated_after: query.updated_after,
    };
    // Held until the page's last byte is handed to the connection (see `BoundedBody`).
    let permit = state
        .pages
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    // The page is written item by item as the rows are read, so a request holds one body, not
    // also every stored row and a tree of every item ([`EvaluationPage`]'s shape).
    let mut body = Vec::with_capacity(64 * 1024);
    body.extend_from_slice(b"{\"items\":[");
    let mut last_id = None;
    let more = store::list_each(&state.db, &filter, after.as_deref(), limit, |m| {
        if last_id.is_some() {
            body.push(b',');
        }
        serde_json::to_writer(&mut body, &to_dto(&principal, &m)?).map_err(ApiError::internal)?;
        last_id = Some(m.id);
        Ok::<_, ApiError>(())
    })
    .await?;
    let next_page_token = last_id
        .filter(|_| more)
        .map(|id| http::encode_page_token(PAGE_KIND, &id));
    body.extend_from_slice(b"],\"next_page_token\":");
    serde_json::to_writer(&mut body, &next_page_token).map_err(ApiError::internal)?;
    body.push(b'}');
    Ok(HttpResponse::Ok()
        .insert_header(header::ContentType::json())
        .body(BoundedBody::new(body, permit)))
}

/// Get an evaluation with its computed block and what the caller may do next.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "get_evaluation",
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "The evaluation", body = Evaluation, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such evaluation in your scope (viewers never see drafts)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/evaluations/{id}")]
pub async fn get_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (m, _) = resolve(&state.db, &principal, &id, Action::Read).await?;
    if http::not_modified(&req, m.version) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag(m.version)))
            .finish());
    }
    respond(StatusCode::OK, &principal, &m)
}

/// Create an evaluation (a draft) from the whole document; the answer carries the computed
/// block and every finding.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "create_evaluation",
    request_body = EvaluationInput,
    responses(
        (status = 201, description = "Created as a draft", body = Evaluation, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "One evaluation per department, year, kind and project: `existing` links to it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/evaluations")]
pub async fn create_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<EvaluationInput>,
) -> Result<HttpResponse, ApiError> {
    let txn = crate::store::begin_write(&state.db).await?;
    let m = create(&txn, &principal, &body.0).await?;
    txn.commit().await?;
    answer(StatusCode::CREATED, &principal, &m)
}

/// Dry run: the same checks and scoring as a create, nothing written.
#[utoipa::path(
    tag = "evaluations",
    operation_id = "validate_evaluation",
    request_body = EvaluationInput,
    responses((status = 200, description = "What a create would compute", body = Validation))
)]
#[post("/evaluations/validate")]
pub async fn validate_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<EvaluationInput>,
) -> Result<HttpResponse, ApiError> {
    let prepared = prepare(&state.db, &principal, &body.0, Action::Create).await?;
    Ok(HttpResponse::Ok().json(Validation {
        submittable: !prepared.has_errors(),
        budget_source: prepared.budget_source,
        budget: prepared.input.budget.clone(),
        computed: prepared.computed,
    }))
}

/// Replace an evaluation's data (drafts and returned evaluations only).
#[utoipa::path(
    tag = "evaluations",
    operation_id = "replace_evaluation",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag of the version being replaced"),
    ),
    request_body = EvaluationInput,
    responses(
        (status = 200, description = "Replaced: a new version", body = Evaluation, headers(("ETag" = String))),
        (status = 404, description = "No such evaluation in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Submitted or approved: read-only (`current_state`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/evaluations/{id}")]
pub async fn replace_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<EvaluationInput>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::require_if_match(&req)?;
    let txn = crate::store::begin_write(&state.db).await?;
    let m = replace(&txn, &principal, &id, &if_match, &body.0, "updated").await?;
    txn.commit().await?;
    answer(StatusCode::OK, &principal, &m)
}

/// Delete an evaluation (soft; drafts and returned evaluations only).
#[utoipa::path(
    tag = "evaluations",
    operation_id = "delete_evaluation",
    params(
        ("id" = String, Path, description = "Evaluation id"),
        ("If-Match" = Option<String>, Header, description = "When given, the ETag of the version being deleted"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such evaluation in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Submitted or approved: read-only", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/evaluations/{id}")]
pub async fn delete_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let if_match = http::optional_if_match(&req)?;
    let txn = crate::store::begin_write(&state.db).await?;
    let (current, _) = resolve(&txn, &principal, &id, Action::Delete).await?;
    if if_match
        .as_ref()
        .is_some_and(|m| !m.matches(current.version))
    {
        return Err(http::stale(current.version));
    }
    let status = status_of(&current)?;
    if !status.editable() {
        return Err(read_only(&current));
    }
    let now = crate::clock::now();
    let next = Model {
        natural_key: format!("{}|deleted|{}", current.natural_key, current.id),
        version: current.version + 1,
        updated_at: now,
        deleted_at: Some(now),
        ..current.clone()
    };
    if !store::overwrite(&txn, &current, &next).await? {
        return Err(http::stale(current.version));
    }
    let rows_delta = indicator_results::replace(&txn, &current.id, Vec::new()).await?;
    history::append(
        &txn,
        history::Model {
            id: uuid::Uuid::now_v7().to_string(),
            evaluation_id: current.id.clone(),
            seq: next.version,
            action: "deleted".into(),
            actor: principal.subject.clone(),
            at: now,
            status_before: Some(status.as_str().into()),
            status_after: status.as_str().into(),
            version: next.version,
            reason: None,
            changes: "[]".into(),
        },
    )
    .await?;
    store::update_cells(&txn, Some(&current), &next, rows_delta).await?;
    feed::evaluation(&txn, &next, feed::DELETED, &principal.subject).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Creates the evaluation, or replaces the one with the same department, year, kind and
/// project while it is editable (the batch's "create or replace").
pub async fn upsert(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &EvaluationInput,
) -> Result<(Model, ItemOutcome, Vec<FindingDto>), ApiError> {
    let prepared = prepare(db, principal, input, Action::Create).await?;
    let key = store::natural_key(
        &prepared.department.id,
        prepared.input.year,
        prepared.input.kind.as_str(),
        prepared.project.as_ref().map(|p| p.id.as_str()),
    );
    let Some(existing) = store::by_natural_key(db, &key).await? else {
        let m = save(
            db,
            principal,
            &prepared,
            None,
            Status::Draft,
            HistoryEntry {
                action: "created",
                status_before: None,
                reason: None,
            },
        )
        .await?;
        return Ok((m, ItemOutcome::Created, prepared.computed.findings));
    };
    check(
        principal,
        &existing,
        &prepared.department.budget_code,
        Action::Update,
    )?;
    let status = status_of(&existing)?;
    if !status.editable() {
        return Err(read_only(&existing).with_extra(
            "existing",
            format!("/api/v1/evaluations/{}", existing.id).into(),
        ));
    }
    let m = save(
        db,
        principal,
        &prepared,
        Some(&existing),
        status,
        HistoryEntry {
            action: "updated",
            status_before: Some(status),
            reason: None,
        },
    )
    .await?;
    Ok((m, ItemOutcome::Replaced, prepared.computed.findings))
}
