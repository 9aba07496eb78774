//! The change feed's writer: the functions every write path calls to append to it (in the
//! write's transaction, last). Each entry's `data` is the object in the shape `GET` answers
//! it. `GET /api/v1/changes` reads it back (`api::feed`).

use sea_orm::ConnectionTrait;
use serde::Serialize;

use crate::app::budgets::project_answer;
use crate::error::ApiError;
use crate::model::departments::Department;
use crate::model::evaluation_summary::EvaluationSummaryItem;
use crate::model::funds::Fund;
use crate::model::vocab::{ChangeEntity, ChangeOp, Vocabulary};
use crate::store::changes::{self as store, Change};
use crate::store::{
    departments,
    evaluations::{self, summaries as evaluation_summaries},
    funds, projects,
};

/// What a change did.
pub const CREATED: ChangeOp = ChangeOp::Created;
pub const UPDATED: ChangeOp = ChangeOp::Updated;
pub const STATE_CHANGED: ChangeOp = ChangeOp::StateChanged;
pub const DELETED: ChangeOp = ChangeOp::Deleted;

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(ApiError::internal)
}

/// Where a changed object sits, for scoping the feed.
struct Place<'a> {
    entity: ChangeEntity,
    id: &'a str,
    version: i64,
    region: &'a str,
    department: &'a str,
    status: Option<&'a str>,
}

impl<'a> Place<'a> {
    /// An object of `entity` without a status (departments, funds, projects, year data).
    fn new(
        entity: ChangeEntity,
        id: &'a str,
        version: i64,
        region: &'a str,
        department: &'a str,
    ) -> Self {
        Place {
            entity,
            id,
            version,
            region,
            department,
            status: None,
        }
    }

    /// An object seen where an evaluation in `status` is (the evaluation, its comments).
    fn in_status(self, status: &'a str) -> Self {
        Place {
            status: Some(status),
            ..self
        }
    }
}

async fn put(
    db: &impl ConnectionTrait,
    place: Place<'_>,
    op: ChangeOp,
    actor: &str,
    data: serde_json::Value,
) -> Result<(), ApiError> {
    store::record(
        db,
        Change {
            entity: place.entity.as_str(),
            entity_id: place.id,
            op: op.as_str(),
            version: place.version,
            region_code: place.region,
            department_id: Some(place.department),
            status: place.status,
            actor,
            // Deletes are tombstones: no data.
            data: (op != ChangeOp::Deleted).then_some(data),
        },
    )
    .await?;
    Ok(())
}

pub async fn department(
    db: &impl ConnectionTrait,
    m: &departments::Model,
    op: ChangeOp,
    actor: &str,
) -> Result<(), ApiError> {
    let place = Place::new(
        ChangeEntity::Department,
        &m.id,
        m.version,
        &m.region_code,
        &m.id,
    );
    put(
        db,
        place,
        op,
        actor,
        to_json(&Department::try_from(m.clone())?)?,
    )
    .await
}

pub async fn fund(
    db: &impl ConnectionTrait,
    m: &funds::Model,
    op: ChangeOp,
    actor: &str,
) -> Result<(), ApiError> {
    let place = Place::new(
        ChangeEntity::Fund,
        &m.id,
        m.version,
        &m.region_code,
        &m.department_id,
    );
    put(db, place, op, actor, to_json(&Fund::try_from(m.clone())?)?).await
}

pub async fn project(
    db: &impl ConnectionTrait,
    m: &projects::Model,
    op: ChangeOp,
    actor: &str,
) -> Result<(), ApiError> {
    // The `GET /projects/{id}` shape, budget block included.
    let data = if op == ChangeOp::Deleted {
        serde_json::Value::Null
    } else {
        to_json(&project_answer(db, m.clone()).await?)?
    };
    let place = Place::new(
        ChangeEntity::Project,
        &m.id,
        m.version,
        &m.region_code,
        &m.department_id,
    );
    put(db, place, op, actor, data).await
}

pub async fn evaluation(
    db: &impl ConnectionTrait,
    m: &evaluations::Model,
    op: ChangeOp,
    actor: &str,
) -> Result<(), ApiError> {
    // The summary a list shows ([`EvaluationSummaryItem`]), read back in the writer's
    // transaction (the row is written); a tombstone has no data.
    let data = if op == ChangeOp::Deleted {
        serde_json::Value::Null
    } else {
        let row = evaluation_summaries::by_id(db, &m.id)
            .await?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("evaluation {} vanished", m.id)))?;
        to_json(&EvaluationSummaryItem::from_row(row)?)?
    };
    let place = Place::new(
        ChangeEntity::Evaluation,
        &m.id,
        m.version,
        &m.region_code,
        &m.department_id,
    )
    .in_status(&m.status);
    put(db, place, op, actor, data).await
}

/// A comment was added to the thread of evaluation `m` (its version after the comment): the
/// comment as `GET …/comments/{id}` answers it, seen where the evaluation is.
pub async fn comment(
    db: &impl ConnectionTrait,
    m: &evaluations::Model,
    comment: &crate::model::comment_dto::Comment,
    actor: &str,
) -> Result<(), ApiError> {
    let place = Place::new(
        ChangeEntity::Comment,
        &comment.id,
        1,
        &m.region_code,
        &m.department_id,
    )
    .in_status(&m.status);
    put(db, place, ChangeOp::Created, actor, to_json(comment)?).await
}

/// A department's year profile or finances changed.
pub async fn department_year(
    db: &impl ConnectionTrait,
    department: &departments::Model,
    kind: ChangeEntity,
    year: i32,
    version: i64,
    op: ChangeOp,
    actor: &str,
) -> Result<(), ApiError> {
    let id = format!("{}:{year}", department.id);
    let data = serde_json::json!({
        "department_id": department.id, "year": year, "version": version,
        "href": format!("/api/v1/departments/{}/{}s/{year}", department.id, kind.as_str()),
    });
    let place = Place::new(kind, &id, version, &department.region_code, &department.id);
    put(db, place, op, actor, data).await
}
