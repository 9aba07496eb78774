//! `evaluation_reviews`: the finance bureau's review of an evaluation (one row each).

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, QueryOrder};

use super::money::StoredDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub evaluation_id: String,
    /// The review document (scores, reasons, opinion) as JSON.
    pub document: String,
    pub reviewed_total: Option<StoredDecimal>,
    pub reviewed_grade: Option<String>,
    /// How many approval levels have approved (0: none yet).
    pub approved_level: i32,
    pub reviewed_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The review of an evaluation, if any.
pub async fn get(db: &impl ConnectionTrait, evaluation_id: &str) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(evaluation_id.to_owned()).one(db).await
}

/// The reviews of these evaluations.
pub async fn of(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::EvaluationId.is_in(ids.iter().cloned()))
        .order_by_asc(Column::EvaluationId)
        .all(db)
        .await
}

/// Writes the review of an evaluation (insert or replace), in the caller's transaction, which
/// also writes the evaluation's new version (so the evaluation's version guards it).
pub async fn put(db: &impl ConnectionTrait, m: Model) -> Result<(), DbErr> {
    Entity::insert(ActiveModel {
        evaluation_id: Set(m.evaluation_id),
        document: Set(m.document),
        reviewed_total: Set(m.reviewed_total),
        reviewed_grade: Set(m.reviewed_grade),
        approved_level: Set(m.approved_level),
        reviewed_by: Set(m.reviewed_by),
        updated_at: Set(m.updated_at),
    })
    .on_conflict(
        OnConflict::column(Column::EvaluationId)
            .update_columns([
                Column::Document,
                Column::ReviewedTotal,
                Column::ReviewedGrade,
                Column::ApprovedLevel,
                Column::ReviewedBy,
                Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Submitted evaluations a filter selects, oldest change first (`updated_at`, then id), after
/// the key `after`: one chunk of the reviewers' queue.
pub async fn submitted_chunk(
    db: &impl ConnectionTrait,
    filter: &super::evaluations::Filter,
    after: Option<(DateTimeUtc, String)>,
    limit: u64,
) -> Result<(Vec<super::evaluations::Model>, bool), DbErr> {
    use super::evaluations::{Column as E, Entity as Evaluations};
    use sea_orm::Condition;
    let mut filter = filter.clone();
    filter.place.statuses = Some(vec!["submitted".to_owned()]);
    let mut cond = super::evaluations::condition(&filter);
    if let Some((at, id)) = after {
        cond = cond.add(
            Condition::any()
                .add(E::UpdatedAt.gt(at))
                .add(Condition::all().add(E::UpdatedAt.eq(at)).add(E::Id.gt(id))),
        );
    }
    let select = Evaluations::find()
        .filter(cond)
        .order_by_asc(E::UpdatedAt)
        .order_by_asc(E::Id);
    super::query::page(db, select, limit).await
}
