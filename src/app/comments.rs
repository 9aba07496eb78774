//! The comment thread on an evaluation, between the unit and its reviewers.
//!
//! Who reads it: whoever may read the evaluation (the same 404 outside the scope). Who writes:
//! submitters, reviewers and admins who may read it ([`comment::may_write`]); viewers read only.
//! A comment is never edited or deleted. Each one is a new version of the evaluation (history
//! `commented`, with the comment under `/comments/{id}`), and a `comment` entry in the change
//! feed, seen where the evaluation is. The final score stays as it was: a comment is not new
//! data.

use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::app::evaluations::{
    self as evaluations, FinalScore, HistoryEntry, prepare, save, status_of,
};
use crate::app::feed;
use crate::app::uow::UnitOfWork;
use crate::domain::comment;
use crate::domain::diff::Change;
use crate::domain::policy::{Action, Principal, Role};
use crate::error::{ApiError, codes};
use crate::locale::Text;
use crate::model::comment_dto::{Comment, CommentInput, CommentPage};
use crate::model::evaluation_dto::GradeDto;
use crate::model::vocab::HistoryAction;
use crate::model::vocab::{CommentRole, ScoreBasis, Vocabulary};
use crate::store::comments as store;
use crate::store::evaluations::Model;

fn role_of(role: Role) -> Result<CommentRole, ApiError> {
    if !comment::may_write(role) {
        return Err(crate::app::access::forbidden(Action::Update));
    }
    match role {
        Role::Submitter => Ok(CommentRole::Submitter),
        Role::Reviewer => Ok(CommentRole::Reviewer),
        Role::Admin => Ok(CommentRole::Admin),
        Role::Viewer => Err(crate::app::access::forbidden(Action::Update)),
    }
}

fn to_dto(m: store::Model) -> Result<Comment, ApiError> {
    let role = CommentRole::from_stored(&m.role, format_args!("comment {}", m.id))?;
    Ok(Comment {
        id: m.id,
        evaluation_id: m.evaluation_id,
        evaluation_version: m.evaluation_version,
        row: m.row_index.and_then(|r| usize::try_from(r).ok()),
        text: m.body,
        author: m.author,
        role,
        role_label_zh: role.label_zh().to_owned(),
        created_at: m.created_at,
    })
}

/// The final score an evaluation keeps through a comment: a reviewed one stays reviewed.
fn kept_score(m: &Model) -> Result<Option<FinalScore>, ApiError> {
    let context = format_args!("evaluation {}", m.id);
    let basis = ScoreBasis::from_stored(&m.score_basis, context)?;
    if basis == ScoreBasis::Computed {
        return Ok(None);
    }
    Ok(Some(FinalScore {
        total: m.total.0,
        grade: GradeDto::from_stored(&m.grade, format_args!("evaluation {}", m.id))?,
        basis,
    }))
}

/// The thread of an evaluation the caller may read, oldest first (only row `row`'s, if given).
pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    row: Option<usize>,
) -> Result<CommentPage, ApiError> {
    evaluations::resolve(db, principal, id, Action::Read).await?;
    let row = row.map(|r| i32::try_from(r).unwrap_or(i32::MAX));
    let items = store::of(db, id, row)
        .await?
        .into_iter()
        .map(to_dto)
        .collect::<Result<_, _>>()?;
    Ok(CommentPage { items })
}

/// One comment of an evaluation the caller may read.
pub async fn get(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    comment_id: &str,
) -> Result<Comment, ApiError> {
    evaluations::resolve(db, principal, id, Action::Read).await?;
    let found = store::of(db, id, None)
        .await?
        .into_iter()
        .find(|c| c.id == comment_id);
    match found {
        Some(c) => to_dto(c),
        None => Err(ApiError::new(
            codes::COMMENT_NOT_FOUND,
            Text::new(
                format!("Evaluation {id} has no comment {comment_id}"),
                format!("绩效自评 {id} 没有评论 {comment_id}"),
            ),
        )),
    }
}

/// Adds a comment to the thread, in a unit of work of its own: a new version of the
/// evaluation with its history entry, the comment, and its feed entry.
pub async fn add(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    input: CommentInput,
) -> Result<Comment, ApiError> {
    UnitOfWork::run(db, async |txn| add_in(txn, principal, id, input).await).await
}

async fn add_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
    input: CommentInput,
) -> Result<Comment, ApiError> {
    let (current, stored) = evaluations::resolve(db, principal, id, Action::Read).await?;
    let role = role_of(principal.role)?;
    ApiError::unless_any(comment::check(
        &input.text,
        input.row,
        stored.input.indicators.len(),
    ))?;
    let mut body = stored.input.clone();
    body.department = current.department_id.clone();
    let prepared = prepare(db, principal, &body, Action::Read).await?;
    let comment_id = uuid::Uuid::now_v7().to_string();
    let text = input.text.trim().to_owned();
    let status = status_of(&current)?;
    let entry = HistoryEntry {
        action: HistoryAction::Commented,
        status_before: Some(status),
        reason: None,
        extra: vec![Change {
            pointer: format!("/comments/{comment_id}"),
            before: None,
            after: Some(serde_json::json!({
                "text": text, "row": input.row, "role": role.as_str(),
            })),
        }],
    };
    let scored = kept_score(&current)?;
    let m = save(
        db,
        principal,
        &prepared,
        Some(&current),
        status,
        entry,
        scored,
    )
    .await?;
    let row = store::Model {
        id: comment_id,
        evaluation_id: m.id.clone(),
        row_index: input.row.map(|r| i32::try_from(r).unwrap_or(i32::MAX)),
        body: text,
        author: principal.subject.clone(),
        role: role.as_str().to_owned(),
        evaluation_version: m.version,
        created_at: m.updated_at,
    };
    store::insert(db, row.clone()).await?;
    let dto = to_dto(row)?;
    feed::comment(db, &m, &dto, &principal.subject).await?;
    Ok(dto)
}
