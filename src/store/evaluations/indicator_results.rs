//! `indicator_results`: every indicator row of every evaluation, flat, for queries across
//! evaluations. Rewritten with the evaluation in the same transaction.

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, Condition, QueryOrder, QuerySelect};

use crate::store::money::StoredDecimal;
use crate::store::query::{Optionally, Placement};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "indicator_results")]
pub struct Model {
    /// With `position`, the key and the order of the rows.
    #[sea_orm(primary_key, auto_increment = false)]
    pub evaluation_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub year: i32,
    pub region_code: String,
    pub kind: String,
    pub status: String,
    pub level1: String,
    pub level2: String,
    pub level3: String,
    pub target: String,
    pub actual: String,
    pub weight: Option<StoredDecimal>,
    pub claimed: Option<StoredDecimal>,
    pub computed: Option<StoredDecimal>,
    /// SQLite keeps it as 0 or 1, which a page read as JSON holds (`query::page_json`).
    #[serde(deserialize_with = "crate::store::query::bool_or_bit")]
    pub achieved: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The row's place in the order of the rows, as a page cursor: `{evaluation_id}:{position:04}`
    /// (the text key the rows had before migration `…000100`, so cursors read the same).
    pub fn cursor(&self) -> String {
        cursor_of(&self.evaluation_id, self.position)
    }
}

/// The page cursor of the row at `position` of evaluation `evaluation_id`.
fn cursor_of(evaluation_id: &str, position: i32) -> String {
    format!("{evaluation_id}:{position:04}")
}

/// The rows after a cursor ([`Model::cursor`]), in the order of `(evaluation_id, position)`.
/// Any text is a cursor: one that is not `{id}:{position}` reads as the id alone, before its
/// rows.
fn after_cursor(cursor: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let (id, position) = match cursor.rsplit_once(':') {
        Some((id, p)) => match p.parse::<i32>() {
            Ok(p) => (id, p),
            Err(_) => (cursor, i32::MIN),
        },
        None => (cursor, i32::MIN),
    };
    Expr::tuple([Expr::col(Column::EvaluationId), Expr::col(Column::Position)])
        .gt(Expr::tuple([Expr::val(id.to_owned()), Expr::val(position)]))
}

/// The rows of `cond` after `cursor`, in order (a page's query, before its limit).
pub fn in_order(cond: Condition, cursor: Option<&str>) -> Select<Entity> {
    Entity::find()
        .filter(cond.add_option(cursor.map(after_cursor)))
        .order_by_asc(Column::EvaluationId)
        .order_by_asc(Column::Position)
}

/// The columns of the order, for a page read as JSON.
const ORDER: [&str; 2] = ["evaluation_id", "position"];

/// Replaces the rows of one evaluation (`fresh`: a new one, which has none yet); returns the
/// rows it replaced (the aggregate cells change by the difference:
/// `cells::replace_indicator_rows`). The old rows are deleted and read back in one
/// statement (`DELETE … RETURNING`), the new ones inserted 50 to a statement.
pub async fn replace(
    db: &impl ConnectionTrait,
    evaluation_id: &str,
    rows: Vec<Model>,
    fresh: bool,
) -> Result<Vec<Model>, DbErr> {
    let before = if fresh {
        Vec::new()
    } else {
        Entity::delete_many()
            .filter(of_evaluation(evaluation_id))
            .exec_with_returning(db)
            .await?
    };
    if !rows.is_empty() {
        insert_rows(db, rows).await?;
    }
    Ok(before)
}

/// The rows of one evaluation: a range of the primary key.
fn of_evaluation(evaluation_id: &str) -> Condition {
    Condition::all().add(Column::EvaluationId.eq(evaluation_id))
}

/// Rows per `INSERT`: 15 columns each, so a statement binds at most 750 values, below
/// SQLite's smallest bind-variable limit (999) and far below PostgreSQL's (65535).
const ROWS_PER_INSERT: usize = 50;

async fn insert_rows(db: &impl ConnectionTrait, rows: Vec<Model>) -> Result<(), DbErr> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Model> = rows.by_ref().take(ROWS_PER_INSERT).collect();
        insert_chunk(db, chunk).await?;
    }
    Ok(())
}

async fn insert_chunk(db: &impl ConnectionTrait, rows: Vec<Model>) -> Result<(), DbErr> {
    let actives = rows.into_iter().map(|m| ActiveModel {
        evaluation_id: Set(m.evaluation_id),
        position: Set(m.position),
        year: Set(m.year),
        region_code: Set(m.region_code),
        kind: Set(m.kind),
        status: Set(m.status),
        level1: Set(m.level1),
        level2: Set(m.level2),
        level3: Set(m.level3),
        target: Set(m.target),
        actual: Set(m.actual),
        weight: Set(m.weight),
        claimed: Set(m.claimed),
        computed: Set(m.computed),
        achieved: Set(m.achieved),
    });
    // Without `RETURNING`: sea-orm's `exec` would have PostgreSQL send back every row's key,
    // which the write does not use.
    Entity::insert_many(actives)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Scope, statuses, year and region.
    pub place: Placement,
    pub level1: Option<String>,
    pub level2: Option<String>,
    pub name_contains: Option<String>,
    pub achieved: Option<bool>,
}

/// A row as a list shows it: the row and the department of its evaluation (the rows do not
/// repeat it since migration `…000130`), read with it in one statement.
#[derive(Clone, Debug, PartialEq, Eq, sea_orm::FromQueryResult, serde::Deserialize)]
pub struct Listed {
    pub evaluation_id: String,
    pub position: i32,
    pub year: i32,
    pub region_code: String,
    pub kind: String,
    pub status: String,
    pub level1: String,
    pub level2: String,
    pub level3: String,
    pub target: String,
    pub actual: String,
    pub weight: Option<StoredDecimal>,
    pub claimed: Option<StoredDecimal>,
    pub computed: Option<StoredDecimal>,
    #[serde(deserialize_with = "crate::store::query::bool_or_bit")]
    pub achieved: Option<bool>,
    /// `None` only if the evaluation were gone, which its rows never outlive.
    pub department_id: Option<String>,
}

impl Listed {
    /// The row's place in the order of the rows ([`Model::cursor`]).
    pub fn cursor(&self) -> String {
        cursor_of(&self.evaluation_id, self.position)
    }

    /// The stored row, and its evaluation's department.
    pub fn into_parts(self) -> (Model, Option<String>) {
        let row = Model {
            evaluation_id: self.evaluation_id,
            position: self.position,
            year: self.year,
            region_code: self.region_code,
            kind: self.kind,
            status: self.status,
            level1: self.level1,
            level2: self.level2,
            level3: self.level3,
            target: self.target,
            actual: self.actual,
            weight: self.weight,
            claimed: self.claimed,
            computed: self.computed,
            achieved: self.achieved,
        };
        (row, self.department_id)
    }
}

/// One page of the rows of `filter` after `after`, in order, each with its evaluation's
/// department (a subquery by the evaluation's key, one lookup a row); whether more follow.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &Filter,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<Listed>, bool), DbErr> {
    use sea_orm::Iterable;
    use sea_orm::sea_query::Expr;
    // SQLite would look the department up in the evaluation's row, a page of its own (the row
    // holds the document): a page read for each evaluation on the page, mostly from the OS. The
    // summary index (migration `…000050`) holds the id and the department, and answers it.
    let hint = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => " INDEXED BY idx_evaluations_summary",
        _ => "",
    };
    let department = Expr::cust(format!(
        "(SELECT e.department_id FROM evaluations AS e{hint} \
         WHERE e.id = indicator_results.evaluation_id)"
    ));
    let page = in_order(condition(filter), after)
        .column_as(department, "department_id")
        .limit(limit + 1);
    let mut columns: Vec<&str> = Column::iter().map(|c| c.as_str()).collect();
    columns.push("department_id");
    let mut rows = match crate::store::query::json_page(db, page.clone(), &columns, &ORDER).await? {
        Some(rows) => rows,
        None => page.into_model::<Listed>().all(db).await?,
    };
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((rows, more))
}

/// The columns that [`Filter::key_condition`] reads, in a table that has them all (the
/// indicator rows, and their aggregate cells).
pub struct KeyColumns<C> {
    pub region_code: C,
    pub year: C,
    pub status: C,
    pub level1: C,
}

impl Filter {
    /// The filter's conditions on region (scope and filter), status, year and 一级指标.
    pub fn key_condition<C: ColumnTrait + Copy>(&self, c: KeyColumns<C>) -> Condition {
        (self.place)
            .condition((c.region_code, c.status, c.year))
            .eq_some(c.level1, self.level1.clone())
    }
}

/// [`Filter`] as a condition.
pub fn condition(filter: &Filter) -> Condition {
    condition_within(filter, None)
}

/// [`Filter`] as a condition, narrowed to one department when given. The rows of named
/// departments (a filter on one, or the caller's scope) are found through their evaluations:
/// the department index of `evaluations`, then each evaluation's range of the key (the rows
/// have no department index of their own since migration `…000110`). The year goes with them
/// into that lookup, so that SQLite does not read the year's rows from an index instead. An
/// evaluation's rows carry its department and year.
fn condition_within(filter: &Filter, department: Option<&str>) -> Condition {
    use super as evaluations;
    let scoped = filter.place.scope_department_ids.as_deref();
    let named = scoped.is_some() || department.is_some();
    let place = Placement {
        year: if named { None } else { filter.place.year },
        ..filter.place.clone()
    };
    let keyed = Filter {
        place,
        ..filter.clone()
    };
    let of_departments = named.then(|| {
        let which = Condition::all()
            .in_some(evaluations::Column::DepartmentId, scoped)
            .eq_some(
                evaluations::Column::DepartmentId,
                department.map(str::to_owned),
            )
            .eq_some(evaluations::Column::Year, filter.place.year);
        Column::EvaluationId.in_subquery(
            sea_orm::sea_query::Query::select()
                .column(evaluations::Column::Id)
                .from(evaluations::Entity)
                .cond_where(which)
                .to_owned(),
        )
    });
    keyed
        .key_condition(KeyColumns {
            region_code: Column::RegionCode,
            year: Column::Year,
            status: Column::Status,
            level1: Column::Level1,
        })
        .add_some(of_departments)
        .eq_some(Column::Level2, filter.level2.clone())
        .add_some(
            (filter.name_contains.as_deref())
                .map(|v| crate::store::query::contains_literally(Column::Level3, v)),
        )
        .eq_some(Column::Achieved, filter.achieved)
}

/// A [`Filter`] narrowed further by department and kind (stats and exports).
#[derive(Debug, Default, Clone)]
pub struct Selection {
    pub filter: Filter,
    pub department_id: Option<String>,
    pub kind: Option<String>,
}

impl Selection {
    pub fn condition(&self) -> Condition {
        condition_within(&self.filter, self.department_id.as_deref())
            .eq_some(Column::Kind, self.kind.clone())
    }
}

/// A page of the rows a selection holds, in key order (as [`list`]).
pub async fn select(
    db: &impl ConnectionTrait,
    selection: &Selection,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<Model>, bool), DbErr> {
    crate::store::query::page(db, in_order(selection.condition(), after), limit).await
}

/// Row counts by 一级指标, 二级指标 and `achieved` (NULL: not scored), by SQL `GROUP BY`.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct AchievementCount {
    pub level1: String,
    pub level2: String,
    pub achieved: Option<bool>,
    pub n: i64,
}

pub async fn achievement_counts(
    db: &impl ConnectionTrait,
    selection: &Selection,
) -> Result<Vec<AchievementCount>, DbErr> {
    achievement_counts_select(selection)
        .into_model::<AchievementCount>()
        .all(db)
        .await
}

/// The query of [`achievement_counts`].
pub fn achievement_counts_select(selection: &Selection) -> Select<Entity> {
    use sea_orm::sea_query::{Asterisk, Expr, Func};
    Entity::find()
        .select_only()
        .column(Column::Level1)
        .column(Column::Level2)
        .column(Column::Achieved)
        // COUNT(*), not COUNT(key): the covering index answers it without the rows.
        .column_as(Expr::from(Func::count(Expr::col(Asterisk))), "n")
        .filter(selection.condition())
        .group_by(Column::Level1)
        .group_by(Column::Level2)
        .group_by(Column::Achieved)
}

/// How often a 三级指标 (under its 一级指标) was scored as not achieved.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct MissedCount {
    pub level1: String,
    pub level3: String,
    pub n: i64,
}

/// The 三级指标 the selection's rows most often missed (`achieved` false), most first, then by
/// name; at most `limit`.
pub async fn most_missed(
    db: &impl ConnectionTrait,
    selection: &Selection,
    limit: u64,
) -> Result<Vec<MissedCount>, DbErr> {
    use sea_orm::sea_query::{Asterisk, Expr, Func};
    Entity::find()
        .select_only()
        .column(Column::Level1)
        .column(Column::Level3)
        .column_as(Expr::from(Func::count(Expr::col(Asterisk))), "n")
        .filter(selection.condition().add(Column::Achieved.eq(false)))
        .group_by(Column::Level1)
        .group_by(Column::Level3)
        .order_by_desc(Expr::cust("n"))
        .order_by_asc(Column::Level3)
        .limit(limit)
        .into_model::<MissedCount>()
        .all(db)
        .await
}
