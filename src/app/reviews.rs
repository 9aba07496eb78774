//! The finance bureau's review (复核): review scores with deduction reasons, the overall
//! opinion, and approval in levels. Every write is a new version of the evaluation (history
//! entry, change-feed entry), so the evaluation's version guards the review (`If-Match`).
//!
//! Who sees a review: reviewers and admins in scope always; the unit (submitters) and viewers
//! once the evaluation is returned or approved (`domain::review_score::unit_sees`).

use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::app::evaluations::{
    self as evaluations, FinalScore, HistoryEntry, Prepared, Stored, prepare, save, status_of,
};
use crate::app::precondition::IfMatch;
use crate::app::uow::UnitOfWork;
use crate::domain::diff::{self, Change};
use crate::domain::policy::{Action, Principal, Role};
use crate::domain::review_score::{self as rs, Approval, Facts, LineFacts};
use crate::domain::workflow::{self, Status, Transition};
use crate::error::{ApiError, codes};
use crate::locale::Text;
use crate::model::amount::Figure;
use crate::model::evaluation_dto::{BasisDto, ComputedDto, GradeDto};
use crate::model::findings::FindingDto;
use crate::model::review_dto::{
    ApprovalState, ReviewInput, ReviewLine, ReviewView, RowReviewInput, ScoredInput, TotalBasis,
};
use crate::model::vocab::HistoryAction;
use crate::model::vocab::{EvaluationStatus, ScoreBasis, Vocabulary};
use crate::store::evaluations::Model;
use crate::store::money::StoredDecimal;
use crate::store::reviews as store;

/// An evaluation as a review sees it: the row, what is stored, the engine's work as of now,
/// and the review row.
pub struct Loaded {
    pub current: Model,
    pub stored: Stored,
    pub prepared: Prepared,
    pub review: Option<store::Model>,
}

impl Loaded {
    pub fn status(&self) -> Result<Status, ApiError> {
        status_of(&self.current)
    }

    pub fn levels_required(&self) -> u8 {
        self.prepared.rule_set.approval_levels.max(1)
    }

    pub fn approved_level(&self) -> u8 {
        self.review
            .as_ref()
            .map_or(0, |r| u8::try_from(r.approved_level).unwrap_or(0))
    }

    /// The review as saved (empty before the first save).
    pub fn input(&self) -> Result<ReviewInput, ApiError> {
        match &self.review {
            Some(r) => serde_json::from_str(&r.document).map_err(ApiError::internal),
            None => Ok(ReviewInput::default()),
        }
    }
}

/// Loads an evaluation the caller may read, rescored as it stands now.
pub async fn load(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
) -> Result<Loaded, ApiError> {
    let (current, stored) = evaluations::resolve(db, principal, id, Action::Read).await?;
    let mut input = stored.input.clone();
    input.department = current.department_id.clone();
    let prepared = prepare(db, principal, &input, Action::Read).await?;
    let review = store::get(db, id).await?;
    Ok(Loaded {
        current,
        stored,
        prepared,
        review,
    })
}

fn fig(f: Option<&Figure>) -> Option<rust_decimal::Decimal> {
    f.map(|f| f.0)
}

/// The engine's facts of each scored line.
pub fn facts(computed: &ComputedDto) -> Facts {
    Facts {
        execution: LineFacts {
            weight: Some(computed.execution.weight.0),
            claimed: fig(computed.execution.claimed_score.as_ref()),
            computed: Some(computed.execution.score.0),
        },
        rows: computed
            .rows
            .iter()
            .map(|r| LineFacts {
                weight: fig(r.weight.as_ref()),
                claimed: fig(r.claimed.as_ref()),
                computed: fig(r.computed.as_ref()),
            })
            .collect(),
    }
}

fn scored(s: &ScoredInput) -> rs::Scored {
    rs::Scored {
        score: s.score.0,
        reason: s.reason.as_deref().map(|r| r.trim().to_owned()),
    }
}

/// The review as the domain reads it.
pub fn to_domain(input: &ReviewInput) -> rs::Review {
    rs::Review {
        execution: input.execution.as_ref().map(scored),
        rows: input
            .rows
            .iter()
            .map(|r: &RowReviewInput| rs::RowReview {
                index: r.index,
                scored: rs::Scored {
                    score: r.score.0,
                    reason: r.reason.as_deref().map(|t| t.trim().to_owned()),
                },
            })
            .collect(),
        opinion: input.opinion.clone(),
    }
}

/// Whether a review gives any score (then the final total is the reviewed one).
fn has_scores(input: &ReviewInput) -> bool {
    input.execution.is_some() || !input.rows.is_empty()
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        codes::REVIEW_NOT_FOUND,
        Text::new(
            format!("Evaluation {id} has no review you may see yet"),
            format!("绩效自评 {id} 暂无您可查看的复核"),
        ),
    )
}

/// The review of an evaluation, with the engine's work beside it.
pub async fn get(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
) -> Result<ReviewView, ApiError> {
    let loaded = load(db, principal, id).await?;
    let reviewer = matches!(principal.role, Role::Reviewer | Role::Admin);
    if !reviewer && (loaded.review.is_none() || !rs::unit_sees(loaded.status()?)) {
        return Err(not_found(id));
    }
    view(&loaded)
}

/// The review the caller may see of an evaluation, for the printed report.
pub async fn visible_review(
    db: &impl ConnectionTrait,
    principal: &Principal,
    m: &Model,
) -> Result<Option<rs::Review>, ApiError> {
    let reviewer = matches!(principal.role, Role::Reviewer | Role::Admin);
    if !reviewer && !rs::unit_sees(status_of(m)?) {
        return Ok(None);
    }
    let Some(row) = store::get(db, &m.id).await? else {
        return Ok(None);
    };
    let input: ReviewInput = serde_json::from_str(&row.document).map_err(ApiError::internal)?;
    Ok(Some(to_domain(&input)))
}

/// The 409 for a review of an evaluation that is not submitted.
fn not_open(status: Status) -> ApiError {
    ApiError::new(
        codes::REVIEW_NOT_OPEN,
        Text::new(
            format!(
                "The evaluation is {}; only a submitted one is reviewed",
                status.as_str()
            ),
            format!(
                "该绩效自评状态为{}，只有已提交的可以复核",
                status.label_zh()
            ),
        ),
    )
    .with_extra("current_state", status.as_str().into())
}

/// The caller's approval level for this evaluation, refused when it is not the level that acts
/// next (a lower level pending, or this level done).
fn acting_level(principal: &Principal, loaded: &Loaded) -> Result<u8, ApiError> {
    let required = loaded.levels_required();
    let level = rs::reviewer_level(principal.region.as_str(), required);
    match rs::approve(level, loaded.approved_level(), required) {
        Approval::Level(l) | Approval::Final(l) => Ok(l),
        Approval::LowerPending { next } => Err(ApiError::new(
            codes::REVIEW_LOWER_LEVEL_PENDING,
            Text::new(
                format!("Level {next} approves before your level {level}"),
                format!("须先由第 {next} 级审批，您为第 {level} 级"),
            ),
        )
        .with_extra("next_level", next.into())),
        Approval::AlreadyApproved { approved } => Err(ApiError::new(
            codes::REVIEW_LEVEL_DONE,
            Text::new(
                format!("Level {level} has approved already ({approved} of {required} levels)"),
                format!("第 {level} 级已审批（共 {required} 级，已通过 {approved} 级）"),
            ),
        )
        .with_extra("next_level", approved.saturating_add(1).into())),
    }
}

/// Everything a write by a reviewer checks first: the version, the state, the role (never
/// one's own submission) and the level. Answers the caller's level.
fn check_write(
    principal: &Principal,
    loaded: &Loaded,
    if_match: Option<&IfMatch>,
    action: Action,
) -> Result<u8, ApiError> {
    let current = &loaded.current;
    crate::app::write::check_if_match(if_match, current.version)?;
    let status = loaded.status()?;
    if status != Status::Submitted {
        return Err(match action {
            Action::Update => not_open(status),
            _ => {
                let t = if action == Action::Return {
                    Transition::Return
                } else {
                    Transition::Approve
                };
                evaluations::illegal_transition(t, status)
            }
        });
    }
    let check_as = if action == Action::Update {
        Action::Approve
    } else {
        action
    };
    evaluations::check(
        principal,
        current,
        &loaded.stored.department_budget_code,
        check_as,
    )?;
    acting_level(principal, loaded)
}

/// The review row after a write, and the final score it gives the evaluation (`None` when
/// the review scores nothing: the engine's score stands).
fn review_row(
    loaded: &Loaded,
    principal: &Principal,
    input: &ReviewInput,
    approved_level: u8,
) -> Result<(store::Model, Option<FinalScore>), ApiError> {
    let review = to_domain(input);
    let facts = facts(&loaded.prepared.computed);
    let reviewed = if has_scores(input) {
        rs::reviewed_grade(&review, &facts, &loaded.prepared.rule_set)
    } else {
        None
    };
    let scored = reviewed.map(|(total, grade)| FinalScore {
        total,
        grade: GradeDto::from(grade),
        basis: ScoreBasis::Reviewed,
    });
    let row = store::Model {
        evaluation_id: loaded.current.id.clone(),
        document: serde_json::to_string(input).map_err(ApiError::internal)?,
        reviewed_total: scored.map(|f| StoredDecimal(f.total)),
        reviewed_grade: scored.map(|f| f.grade.as_str().to_owned()),
        approved_level: i32::from(approved_level),
        reviewed_by: principal.subject.clone(),
        updated_at: crate::clock::now(),
    };
    Ok((row, scored))
}

/// The history changes of the review, under `/review`.
fn review_changes(before: &ReviewInput, after: &ReviewInput) -> Result<Vec<Change>, ApiError> {
    let before = serde_json::to_value(before).map_err(ApiError::internal)?;
    let after = serde_json::to_value(after).map_err(ApiError::internal)?;
    Ok(diff::changes(&before, &after)
        .into_iter()
        .map(|c| Change {
            pointer: format!("/review{}", c.pointer),
            ..c
        })
        .collect())
}

fn level_change(before: u8, after: u8) -> Change {
    Change {
        pointer: "/review/approved_level".into(),
        before: Some(before.into()),
        after: Some(after.into()),
    }
}

/// Saves the review (a draft until the last level approves): checked against the bounds
/// and reasons, in a unit of work of its own. `If-Match` names the evaluation's version.
pub async fn save_review(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: &IfMatch,
    input: ReviewInput,
) -> Result<ReviewView, ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let mut loaded = load(uow.db(), principal, id).await?;
    check_write(principal, &loaded, Some(if_match), Action::Update)?;
    ApiError::unless_any(rs::check(
        &to_domain(&input),
        &facts(&loaded.prepared.computed),
    ))?;
    let (row, scored) = review_row(&loaded, principal, &input, loaded.approved_level())?;
    let entry = HistoryEntry {
        action: HistoryAction::ReviewSaved,
        status_before: Some(Status::Submitted),
        reason: None,
        extra: review_changes(&loaded.input()?, &input)?,
    };
    let m = save(
        uow.db(),
        principal,
        &loaded.prepared,
        Some(&loaded.current),
        Status::Submitted,
        entry,
        scored,
    )
    .await?;
    store::put(uow.db(), row.clone()).await?;
    uow.commit().await?;
    loaded.current = m;
    loaded.review = Some(row);
    view(&loaded)
}

/// Approves at the caller's level, in the caller's transaction: a level below the last keeps
/// the evaluation submitted (`level_approved`); the last approves it.
pub async fn approve_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
    if_match: Option<&IfMatch>,
) -> Result<Model, ApiError> {
    let loaded = load(db, principal, id).await?;
    let level = check_write(principal, &loaded, if_match, Action::Approve)?;
    let last = level >= loaded.levels_required();
    let (action, to) = if last {
        (HistoryAction::Approved, Status::Approved)
    } else {
        (HistoryAction::LevelApproved, Status::Submitted)
    };
    let entry = HistoryEntry {
        action,
        status_before: Some(Status::Submitted),
        reason: None,
        extra: vec![level_change(loaded.approved_level(), level)],
    };
    decide(db, principal, &loaded, level, to, entry).await
}

/// Returns the evaluation to its unit at the caller's level, with the reason, in the caller's
/// transaction: the approvals start again after the unit resubmits.
pub async fn return_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
    if_match: Option<&IfMatch>,
    reason: Option<&str>,
) -> Result<Model, ApiError> {
    let reason = evaluations::reason_of(Transition::Return, reason)?;
    let loaded = load(db, principal, id).await?;
    let level = check_write(principal, &loaded, if_match, Action::Return)?;
    let to = workflow::next(Status::Submitted, Transition::Return)
        .map_err(|i| evaluations::illegal_transition(Transition::Return, i.from))?;
    let entry = HistoryEntry {
        action: HistoryAction::Returned,
        status_before: Some(Status::Submitted),
        reason,
        extra: vec![
            Change {
                pointer: "/review/returned_at_level".into(),
                before: None,
                after: Some(level.into()),
            },
            level_change(loaded.approved_level(), 0),
        ],
    };
    decide(db, principal, &loaded, 0, to, entry).await
}

/// Writes a level's decision (approval or return): the evaluation in status `to` with its
/// history entry and the final score of the review as it stands, and the review row with
/// `approved_level`. Deciding does not make the decider the reviewer of the scores.
async fn decide(
    db: &impl ConnectionTrait,
    principal: &Principal,
    loaded: &Loaded,
    approved_level: u8,
    to: Status,
    entry: HistoryEntry,
) -> Result<Model, ApiError> {
    let input = loaded.input()?;
    let (mut row, scored) = review_row(loaded, principal, &input, approved_level)?;
    if let Some(before) = &loaded.review {
        row.reviewed_by = before.reviewed_by.clone();
    }
    let current = Some(&loaded.current);
    let m = save(db, principal, &loaded.prepared, current, to, entry, scored).await?;
    store::put(db, row).await?;
    Ok(m)
}

/// Approves at the caller's level, in a unit of work of its own.
pub async fn approve(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: Option<&IfMatch>,
) -> Result<Model, ApiError> {
    UnitOfWork::run(db, async |txn| {
        approve_in(txn, principal, id, if_match).await
    })
    .await
}

/// Returns the evaluation at the caller's level, in a unit of work of its own.
pub async fn return_(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: Option<&IfMatch>,
    reason: Option<&str>,
) -> Result<Model, ApiError> {
    UnitOfWork::run(db, async |txn| {
        return_in(txn, principal, id, if_match, reason).await
    })
    .await
}

/// The approval state of a loaded evaluation.
pub fn approval(loaded: &Loaded) -> Result<ApprovalState, ApiError> {
    let required = loaded.levels_required();
    let approved = loaded.approved_level();
    let next = (loaded.status()? == Status::Submitted).then(|| approved.saturating_add(1));
    Ok(ApprovalState {
        levels_required: required,
        approved_level: approved,
        next_level: next,
    })
}

/// The findings of a review page: those on rows resting on the claim first ("to settle").
pub fn split_findings(loaded: &Loaded) -> (Vec<FindingDto>, Vec<FindingDto>) {
    let claimed: Vec<usize> = loaded
        .prepared
        .computed
        .rows
        .iter()
        .filter(|r| r.basis == BasisDto::Claimed)
        .map(|r| r.index)
        .collect();
    loaded
        .prepared
        .computed
        .findings
        .iter()
        .cloned()
        .partition(|f| {
            claimed
                .iter()
                .any(|i| f.pointer.starts_with(&format!("/indicators/{i}/")))
        })
}

/// The stored status as the contract says it.
pub fn status_dto(m: &Model) -> Result<EvaluationStatus, ApiError> {
    Ok(EvaluationStatus::from_stored(
        &m.status,
        format_args!("evaluation {}", m.id),
    )?)
}

/// A figure of the contract.
pub fn figure(d: rust_decimal::Decimal) -> Figure {
    Figure(d)
}

/// The final total of a loaded evaluation and what it rests on.
pub fn final_total(loaded: &Loaded) -> Result<(rust_decimal::Decimal, TotalBasis), ApiError> {
    let input = loaded.input()?;
    if has_scores(&input)
        && let Some(t) = rs::reviewed_total(&to_domain(&input), &facts(&loaded.prepared.computed))
    {
        return Ok((t, TotalBasis::Reviewed));
    }
    Ok((loaded.prepared.computed.total.0, TotalBasis::Computed))
}

/// The review lines of a loaded evaluation.
pub fn lines(loaded: &Loaded) -> Result<(ReviewLine, Vec<ReviewLine>), ApiError> {
    let input = loaded.input()?;
    let review = to_domain(&input);
    let computed = &loaded.prepared.computed;
    let f = facts(computed);
    let line = |name: String,
                index: Option<usize>,
                facts: &LineFacts,
                basis: BasisDto,
                s: Option<&rs::Scored>| ReviewLine {
        index,
        name,
        weight: facts.weight.map(Figure),
        claimed: facts.claimed.map(Figure),
        computed: facts.computed.map(Figure),
        basis,
        review_score: s.map(|s| Figure(s.score)),
        deduction: s.map(|s| Figure(rs::deduction(s.score, facts))),
        reason: s.and_then(|s| s.reason.clone()).filter(|r| !r.is_empty()),
    };
    let execution = line(
        "预算执行率".into(),
        None,
        &f.execution,
        BasisDto::Measured,
        review.execution.as_ref(),
    );
    let indicators = &loaded.stored.input.indicators;
    let rows = computed
        .rows
        .iter()
        .zip(&f.rows)
        .map(|(r, facts)| {
            let name = indicators.get(r.index).map_or_else(String::new, |i| {
                format!("{} / {} / {}", i.level1, i.level2, i.level3)
            });
            let s = rs::row_score(&review, r.index);
            line(name, Some(r.index), facts, r.basis, s)
        })
        .collect();
    Ok((execution, rows))
}

/// Builds the review page of a loaded evaluation.
pub fn view(loaded: &Loaded) -> Result<ReviewView, ApiError> {
    let (execution, rows) = lines(loaded)?;
    let (to_settle, other_findings) = split_findings(loaded);
    let (total, basis) = final_total(loaded)?;
    let computed = &loaded.prepared.computed;
    let review = loaded.review.as_ref();
    Ok(ReviewView {
        evaluation_id: loaded.current.id.clone(),
        evaluation_version: loaded.current.version,
        status: status_dto(&loaded.current)?,
        approval: approval(loaded)?,
        review: loaded.input()?,
        execution,
        rows,
        to_settle,
        other_findings,
        claimed_total: computed.claimed_total,
        computed_total: computed.total,
        reviewed_total: review.and_then(|r| r.reviewed_total).map(|t| figure(t.0)),
        final_total: figure(total),
        final_grade: GradeDto::from(loaded.prepared.rule_set.grade_for(total)),
        final_basis: basis,
        reviewed_by: review.map(|r| r.reviewed_by.clone()),
        reviewed_at: review.map(|r| {
            r.updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        }),
    })
}
