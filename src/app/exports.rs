//! The rows of the exports: the evaluations list and the indicator results in the caller's
//! scope, with the lists' filters, as cells under the column headers of the official tables,
//! read page by page in keyset order. How the cells are written (CSV, XLSX) is the HTTP
//! layer's business.

use std::collections::HashMap;

use chrono::Offset;
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use crate::app::evaluations::{status_of, stored_of};
use crate::app::filters::{
    EvaluationFilters, IndicatorFilters, evaluation_filter, indicator_selection,
};
use crate::domain::policy::Principal;
use crate::domain::stats::percent;
use crate::error::ApiError;
use crate::model::evaluation_dto::{EvaluationKind, GradeDto};
use crate::model::vocab::{ScoreBasis, Vocabulary};
use crate::store::departments as department_store;
use crate::store::evaluations as evaluation_store;
use crate::store::evaluations::indicator_results as indicator_store;
use crate::store::evaluations::summaries::{self as summary_store, SummaryRow};
use crate::store::projects as project_store;
use crate::store::regions as region_store;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// An amount or score: two decimals.
    Number(Option<Decimal>),
    /// A percentage (`100.00` is 100 %): two decimals.
    Percent(Option<Decimal>),
}

/// A table: its sheet name, file names and columns (header, width in characters).
pub struct Table {
    pub sheet: &'static str,
    pub file_stem: &'static str,
    pub file_stem_zh: &'static str,
    pub columns: &'static [(&'static str, f64)],
}

pub const EVALUATIONS: Table = Table {
    sheet: "绩效自评",
    file_stem: "evaluations",
    file_stem_zh: "绩效自评",
    columns: &[
        ("年度", 6.0),
        ("行政区划", 10.0),
        ("部门", 28.0),
        ("预算单位编码", 14.0),
        ("类型", 14.0),
        ("项目", 30.0),
        ("状态", 8.0),
        ("规则集", 28.0),
        ("年初预算数（万元）", 18.0),
        ("全年预算数（万元）", 18.0),
        ("全年执行数（万元）", 18.0),
        ("执行率", 10.0),
        ("自评总分", 10.0),
        ("计算总分", 10.0),
        ("最终总分", 10.0),
        ("等级", 6.0),
        ("得分依据", 8.0),
        ("错误数", 8.0),
        ("警告数", 8.0),
        (UPDATED_AT_HEADER, 22.0),
        ("行政区划名称", 14.0),
        ("评价ID", 38.0),
    ],
};

/// The header of the update time: Beijing time, and said so.
pub const UPDATED_AT_HEADER: &str = "更新时间（北京时间 UTC+8）";

/// A time as the exports print it: Beijing time (UTC+8), to the second.
pub fn beijing_time(at: chrono::DateTime<chrono::Utc>) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix());
    at.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

pub const INDICATOR_RESULTS: Table = Table {
    sheet: "绩效指标",
    file_stem: "indicator-results",
    file_stem_zh: "绩效指标",
    columns: &[
        ("年度", 6.0),
        ("行政区划", 10.0),
        ("部门", 28.0),
        ("一级指标", 12.0),
        ("二级指标", 14.0),
        ("三级指标", 30.0),
        ("年度指标值", 20.0),
        ("实际完成值", 20.0),
        ("分值", 8.0),
        ("自评得分", 10.0),
        ("计算得分", 10.0),
        ("是否达成", 10.0),
        ("行政区划名称", 14.0),
        ("预算单位编码", 14.0),
        ("类型", 14.0),
        ("项目", 30.0),
        ("评价ID", 38.0),
    ],
};

/// Where rows come from: a filter, and a keyset cursor through it.
pub enum Source {
    Evaluations(evaluation_store::Filter),
    Indicators(indicator_store::Selection),
    /// A filter that can match nothing (a department outside the scope).
    Nothing,
}

async fn department_names(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = String>,
) -> Result<HashMap<String, department_store::Model>, ApiError> {
    let mut ids: Vec<String> = ids.collect();
    ids.sort();
    ids.dedup();
    Ok(department_store::by_ids(db, &ids)
        .await?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect())
}

/// The names of a page's regions and projects, looked up once per page.
struct Names {
    regions: HashMap<String, String>,
    projects: HashMap<String, String>,
}

fn evaluation_row(
    m: &evaluation_store::Model,
    departments: &HashMap<String, department_store::Model>,
    names: &Names,
) -> Result<Vec<Cell>, ApiError> {
    let projects = &names.projects;
    let stored = stored_of(m)?;
    let computed = stored.computed()?;
    let kind: EvaluationKind = stored.input.kind;
    // In 万元, whatever unit the block was printed in.
    let budget = stored.input.budget.as_ref().map(|b| b.domain());
    let budget = budget.as_ref();
    let full_year = budget.map(|b| b.full_year);
    let executed = budget.and_then(|b| b.executed);
    let rate = match (executed, full_year) {
        (Some(e), Some(f)) => percent(e, f),
        _ => None,
    };
    // The final total and grade: the review's where one scored it, else the engine's.
    let grade = GradeDto::from_stored(&m.grade, format_args!("evaluation {}", m.id))?;
    let basis = ScoreBasis::from_stored(&m.score_basis, format_args!("evaluation {}", m.id))?;
    let text = |s: &str| Cell::Text(s.to_owned());
    Ok(vec![
        Cell::Int(i64::from(m.year)),
        text(&m.region_code),
        text(
            departments
                .get(&m.department_id)
                .map_or("", |d| d.name.as_str()),
        ),
        text(&stored.department_budget_code),
        text(kind.domain().label_zh()),
        text(
            m.project_id
                .as_ref()
                .and_then(|p| projects.get(p))
                .map_or("", String::as_str),
        ),
        text(status_of(m)?.label_zh()),
        Cell::Text(format!("{}@{}", m.rule_set_id, m.rule_set_version)),
        Cell::Number(budget.and_then(|b| b.initial)),
        Cell::Number(full_year),
        Cell::Number(executed),
        Cell::Percent(rate),
        Cell::Number(computed.claimed_total.map(|c| c.0)),
        Cell::Number(Some(computed.total.0)),
        Cell::Number(Some(m.total.0)),
        text(grade.label_zh()),
        text(basis.label_zh()),
        Cell::Int(i64::try_from(computed.error_count).unwrap_or(i64::MAX)),
        Cell::Int(i64::try_from(computed.warning_count).unwrap_or(i64::MAX)),
        Cell::Text(beijing_time(m.updated_at)),
        text(names.regions.get(&m.region_code).map_or("", String::as_str)),
        text(&m.id),
    ])
}

/// An indicator row with the names of its evaluation (its department's among them: the rows
/// do not repeat their evaluation's department).
fn indicator_row(
    r: &indicator_store::Model,
    evaluations: &HashMap<String, SummaryRow>,
) -> Vec<Cell> {
    let text = |s: &str| Cell::Text(s.to_owned());
    let evaluation = evaluations.get(&r.evaluation_id);
    let of = |f: fn(&SummaryRow) -> Option<&str>| {
        Cell::Text(evaluation.and_then(f).unwrap_or("").to_owned())
    };
    vec![
        Cell::Int(i64::from(r.year)),
        text(&r.region_code),
        of(|e| e.department_name.as_deref()),
        text(&r.level1),
        text(&r.level2),
        text(&r.level3),
        text(&r.target),
        text(&r.actual),
        Cell::Number(r.weight.map(|d| d.0)),
        Cell::Number(r.claimed.map(|d| d.0)),
        Cell::Number(r.computed.map(|d| d.0)),
        text(match r.achieved {
            Some(true) => "是",
            Some(false) => "否",
            None => "",
        }),
        of(|e| e.region_name.as_deref()),
        of(|e| e.department_budget_code.as_deref()),
        text(EvaluationKind::parse(&r.kind).map_or("", |k| k.domain().label_zh())),
        of(|e| e.project_name.as_deref()),
        text(&r.evaluation_id),
    ]
}

impl Source {
    /// The evaluations the caller may see under `filters`.
    pub async fn evaluations(
        db: &impl ConnectionTrait,
        principal: &Principal,
        filters: &EvaluationFilters,
    ) -> Result<Source, ApiError> {
        Ok(match evaluation_filter(db, principal, filters).await? {
            Some(f) => Source::Evaluations(f),
            None => Source::Nothing,
        })
    }

    /// The indicator rows the caller may see under `filters`.
    pub async fn indicators(
        db: &impl ConnectionTrait,
        principal: &Principal,
        filters: &IndicatorFilters,
    ) -> Result<Source, ApiError> {
        Ok(match indicator_selection(db, principal, filters).await? {
            Some(s) => Source::Indicators(s),
            None => Source::Nothing,
        })
    }

    /// The rows after `after`, and the cursor of the next page when there is one. Names are
    /// looked up once per page.
    pub async fn page(
        &self,
        db: &impl ConnectionTrait,
        after: Option<&str>,
        limit: u64,
    ) -> Result<(Vec<Vec<Cell>>, Option<String>), ApiError> {
        match self {
            Source::Nothing => Ok((Vec::new(), None)),
            Source::Evaluations(filter) => {
                let (rows, more) = evaluation_store::list(db, filter, after, limit).await?;
                let departments =
                    department_names(db, rows.iter().map(|m| m.department_id.clone())).await?;
                let mut project_ids: Vec<String> =
                    rows.iter().filter_map(|m| m.project_id.clone()).collect();
                project_ids.sort();
                project_ids.dedup();
                let projects: HashMap<String, String> = project_store::by_ids(db, &project_ids)
                    .await?
                    .into_iter()
                    .map(|p| (p.id, p.name))
                    .collect();
                let mut codes: Vec<String> = rows.iter().map(|m| m.region_code.clone()).collect();
                codes.sort();
                codes.dedup();
                let regions = region_store::by_codes(db, &codes)
                    .await?
                    .into_iter()
                    .map(|r| (r.code, r.name))
                    .collect();
                let names = Names { regions, projects };
                let cells = rows
                    .iter()
                    .map(|m| evaluation_row(m, &departments, &names))
                    .collect::<Result<Vec<_>, _>>()?;
                let next = more.then(|| rows.last().map(|m| m.id.clone())).flatten();
                Ok((cells, next))
            }
            Source::Indicators(selection) => {
                let (rows, more) = indicator_store::select(db, selection, after, limit).await?;
                let mut ids: Vec<String> = rows.iter().map(|r| r.evaluation_id.clone()).collect();
                ids.sort();
                ids.dedup();
                let evaluations: HashMap<String, SummaryRow> = summary_store::by_ids(db, &ids)
                    .await?
                    .into_iter()
                    .map(|e| (e.id.clone(), e))
                    .collect();
                let cells = rows
                    .iter()
                    .map(|r| indicator_row(r, &evaluations))
                    .collect();
                let next = more.then(|| rows.last().map(|r| r.cursor())).flatten();
                Ok((cells, next))
            }
        }
    }
}
