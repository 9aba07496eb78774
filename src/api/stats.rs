//! `/api/v1/stats`: aggregates of evaluations and indicator results, computed live from the
//! data the caller may see (the same scope and visibility as the lists: viewers count submitted
//! and approved evaluations only).
//!
//! Without a department to filter, group or scope by, both read maintained cells
//! ([`evaluation_cells`], [`indicator_cells`]), kept exact by every write; otherwise the
//! evaluations' stats columns are summed in Rust with `Decimal` (amounts are exact text) and
//! indicator rows are counted by SQL `GROUP BY`. The grouping and the arithmetic live in
//! [`crate::domain::stats`].

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpResponse, get, web};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::state::AppState;
use crate::app::scope::{self, CallerScope, region_filter, visible_statuses};
use crate::domain::policy::Principal;
use crate::domain::region::RegionLevel;
use crate::domain::stats::{self, Achievement, Band, Dimension, Facts, Summary};
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::amount::{Amount, Figure};
use crate::model::evaluation_dto::{EvaluationKind, GradeDto};
use crate::model::vocab::{EvaluationStatus, ScoreBasis, Vocabulary};
use crate::store::departments as department_store;
use crate::store::evaluation_cells;
use crate::store::evaluations as store;
use crate::store::indicator_cells;
use crate::store::indicator_results as indicator_store;
use crate::store::regions as region_store;

/// A 400 `request.invalid_query` naming the parameter.
pub fn invalid_parameter(name: &str, en: String, zh: String) -> ApiError {
    let mut e = ApiError::new(codes::INVALID_QUERY, Text::new(en.clone(), zh.clone()));
    e.errors.push(FieldError::query(
        name,
        "parameter.invalid",
        Text::new(en, zh),
    ));
    e
}

/// The filters the evaluation list, its stats and its exports share.
#[derive(Debug, Default, Clone)]
pub struct EvaluationFilters {
    pub year: Option<i32>,
    pub region: Option<String>,
    pub department_id: Option<String>,
    pub kind: Option<EvaluationKind>,
    pub status: Option<String>,
    pub grade: Option<GradeDto>,
    pub basis: Option<ScoreBasis>,
    pub project_id: Option<String>,
    pub updated_after: Option<chrono::DateTime<chrono::Utc>>,
}

/// The store filter of evaluations for the caller, exactly as the list builds it; `None` when
/// nothing can match (a department outside the scope).
pub async fn evaluation_filter(
    state: &AppState,
    principal: &Principal,
    f: &EvaluationFilters,
) -> Result<Option<store::Filter>, ApiError> {
    let statuses = visible_statuses(principal, f.status.as_deref())?;
    let region_prefix = region_filter(f.region.as_deref())?;
    let Some(department_id) =
        scope::department_filter(&state.db, principal, f.department_id.as_deref()).await?
    else {
        return Ok(None);
    };
    let caller = CallerScope::of(&state.db, principal).await?;
    Ok(Some(store::Filter {
        scope_prefix: caller.region_prefix,
        scope_department_ids: caller.department_ids,
        statuses,
        year: f.year,
        region_prefix,
        department_id,
        project_id: f.project_id.clone(),
        kind: f.kind.map(|k| k.as_str().to_owned()),
        grade: f.grade.map(|g| g.as_str().to_owned()),
        basis: f.basis.map(|b| b.as_str().to_owned()),
        updated_after: f.updated_after,
    }))
}

/// Filters of indicator results shared by their stats and exports.
#[derive(Debug, Default, Clone)]
pub struct IndicatorFilters {
    pub year: Option<i32>,
    pub region: Option<String>,
    pub department_id: Option<String>,
    pub kind: Option<EvaluationKind>,
    pub status: Option<String>,
    pub level1: Option<String>,
    pub level2: Option<String>,
    /// 三级指标 name contains.
    pub q: Option<String>,
    pub achieved: Option<bool>,
}

/// The store selection of indicator rows for the caller; `None` when nothing can match.
pub async fn indicator_selection(
    state: &AppState,
    principal: &Principal,
    f: &IndicatorFilters,
) -> Result<Option<indicator_store::Selection>, ApiError> {
    let statuses = visible_statuses(principal, f.status.as_deref())?;
    let region_prefix = region_filter(f.region.as_deref())?;
    let Some(department_id) =
        scope::department_filter(&state.db, principal, f.department_id.as_deref()).await?
    else {
        return Ok(None);
    };
    let caller = CallerScope::of(&state.db, principal).await?;
    Ok(Some(indicator_store::Selection {
        filter: indicator_store::Filter {
            scope_prefix: caller.region_prefix,
            scope_department_ids: caller.department_ids,
            statuses,
            year: f.year,
            region_prefix,
            level1: f.level1.clone().filter(|s| !s.trim().is_empty()),
            level2: f.level2.clone().filter(|s| !s.trim().is_empty()),
            name_contains: f.q.clone().filter(|s| !s.trim().is_empty()),
            achieved: f.achieved,
        },
        department_id,
        kind: f.kind.map(|k| k.as_str().to_owned()),
    }))
}

/// Evaluation aggregate parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvaluationStatsQuery {
    /// Comma-separated dimensions: `region`, `year`, `department`, `kind`, `grade`, `status`,
    /// `basis` (e.g. `region,kind`). Without it the answer has `overall` only and no `groups`.
    pub group_by: Option<String>,
    /// `province`, `city` or `county` (default): regions are grouped by the code prefix of this
    /// level, so `city` counts 430424 under `430400`.
    pub region_level: Option<String>,
    pub year: Option<i32>,
    /// Region subtree (`4304` or `430400`).
    pub region: Option<String>,
    /// Department id or budget code.
    pub department_id: Option<String>,
    pub kind: Option<EvaluationKind>,
    /// draft, submitted, returned or approved (viewers: submitted and approved only).
    #[param(value_type = Option<crate::model::vocab::EvaluationStatus>)]
    pub status: Option<String>,
    /// excellent, good, fair or poor.
    pub grade: Option<GradeDto>,
    /// What the final score rests on: `computed` (the engine's) or `reviewed` (the finance
    /// bureau's 复核).
    pub basis: Option<ScoreBasis>,
}

/// Evaluations in one score band.
#[derive(Debug, Serialize, ToSchema)]
pub struct BandCount {
    /// `0-60`, `60-80`, `80-90` or `90-100`.
    pub band: String,
    /// Lower bound, included.
    pub from: u32,
    /// Upper bound: excluded, except for `90-100` where 100 is included.
    pub to: u32,
    pub upper_included: bool,
    pub count: u64,
}

/// Evaluations by grade.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradeCounts {
    /// 优
    pub excellent: u64,
    /// 良
    pub good: u64,
    /// 中
    pub fair: u64,
    /// 差
    pub poor: u64,
}

/// Budget totals (万元).
#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetTotals {
    /// Evaluations that give a full-year budget.
    pub evaluations_with_budget: u64,
    /// Σ 全年预算数; null only if the sum left the decimal range (amounts are at most 10^12
    /// 万元 each, so only data stored before that bound can do this).
    pub full_year: Option<Amount>,
    /// Σ 全年执行数; null as `full_year`.
    pub executed: Option<Amount>,
    /// Σ executed / Σ full-year over the evaluations that give both, in percent as a decimal
    /// string with two decimals (`"100.00"`, as `computed.execution.rate_percent`); null when
    /// that budget sum is zero.
    pub execution_rate_percent: Option<Figure>,
}

/// The aggregates of a set of evaluations.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationSummary {
    pub count: u64,
    /// Average computed total, half-up to two decimals; null for no evaluations.
    pub average_total: Option<Figure>,
    pub min_total: Option<Figure>,
    pub max_total: Option<Figure>,
    /// Computed totals by band: [0,60), [60,80), [80,90), [90,100].
    pub distribution: Vec<BandCount>,
    pub grades: GradeCounts,
    pub budget: BudgetTotals,
}

/// What a group has in common: the values of the `group_by` dimensions, with labels. Only the
/// grouped dimensions are present.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct GroupKey {
    /// The region code at `region_level`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<EvaluationKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind_label_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<GradeDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade_label_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<EvaluationStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_label_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<ScoreBasis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis_label_zh: Option<String>,
}

/// One group of evaluations.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationGroup {
    pub key: GroupKey,
    #[serde(flatten)]
    pub summary: EvaluationSummary,
}

/// Aggregates of evaluations.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "group_by": ["kind"], "region_level": "county",
    "overall": {"count": 3, "average_total": "25.00", "min_total": "20.00", "max_total": "30.00",
        "distribution": [
            {"band": "0-60", "from": 0, "to": 60, "upper_included": false, "count": 3},
            {"band": "60-80", "from": 60, "to": 80, "upper_included": false, "count": 0},
            {"band": "80-90", "from": 80, "to": 90, "upper_included": false, "count": 0},
            {"band": "90-100", "from": 90, "to": 100, "upper_included": true, "count": 0}],
        "grades": {"excellent": 0, "good": 0, "fair": 0, "poor": 3},
        "budget": {"evaluations_with_budget": 3, "full_year": "2193.49", "executed": "2193.49", "execution_rate_percent": "100.00"}},
    "groups": [{"key": {"kind": "department", "kind_label_zh": "部门整体支出"}, "count": 1,
        "average_total": "25.00", "min_total": "25.00", "max_total": "25.00",
        "distribution": [
            {"band": "0-60", "from": 0, "to": 60, "upper_included": false, "count": 1},
            {"band": "60-80", "from": 60, "to": 80, "upper_included": false, "count": 0},
            {"band": "80-90", "from": 80, "to": 90, "upper_included": false, "count": 0},
            {"band": "90-100", "from": 90, "to": 100, "upper_included": true, "count": 0}],
        "grades": {"excellent": 0, "good": 0, "fair": 0, "poor": 1},
        "budget": {"evaluations_with_budget": 1, "full_year": "1062.32", "executed": "1062.32", "execution_rate_percent": "100.00"}}]
}))]
pub struct EvaluationStats {
    /// The dimensions, in the order given.
    pub group_by: Vec<String>,
    /// The level region groups are made at.
    pub region_level: String,
    pub overall: EvaluationSummary,
    /// One entry per combination of values present, ordered by those values.
    pub groups: Vec<EvaluationGroup>,
}

fn with_scale2(mut d: Decimal) -> Decimal {
    if d.scale() < 2 {
        d.rescale(2);
    }
    d
}

fn summary_dto(s: &Summary) -> EvaluationSummary {
    let grade = |g: GradeDto| s.grades.get(g.as_str()).copied().unwrap_or(0);
    EvaluationSummary {
        count: s.count,
        average_total: s.average_total().map(Figure),
        min_total: s.min_total.map(|d| Figure(with_scale2(d))),
        max_total: s.max_total.map(|d| Figure(with_scale2(d))),
        distribution: Band::ALL
            .into_iter()
            .map(|b| BandCount {
                band: b.as_str().to_owned(),
                from: b.bounds().0,
                to: b.bounds().1,
                upper_included: b.upper_included(),
                count: s.band(b),
            })
            .collect(),
        grades: GradeCounts {
            excellent: grade(GradeDto::Excellent),
            good: grade(GradeDto::Good),
            fair: grade(GradeDto::Fair),
            poor: grade(GradeDto::Poor),
        },
        budget: BudgetTotals {
            evaluations_with_budget: s.with_budget,
            full_year: s.full_year.value().map(|d| Amount(with_scale2(d))),
            executed: s.executed.value().map(|d| Amount(with_scale2(d))),
            execution_rate_percent: s.execution_rate().map(Figure),
        },
    }
}

/// Aggregates of evaluations: count, average and distribution of the computed totals, grade
/// counts, budget and executed sums with the execution rate, over all and per group.
#[utoipa::path(
    tag = "stats",
    operation_id = "evaluation_stats",
    params(EvaluationStatsQuery),
    responses(
        (status = 200, description = "The aggregates, computed live from the evaluations in the caller's scope (viewers: submitted and approved only)", body = EvaluationStats),
        (status = 400, description = "An unknown `group_by` dimension or `region_level`, or another invalid parameter (`errors[].parameter` names it)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/evaluations")]
pub async fn evaluation_stats(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<EvaluationStatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let dims = stats::parse_group_by(q.group_by.as_deref().unwrap_or("")).map_err(|bad| {
        invalid_parameter(
            "group_by",
            format!(
                "`{bad}` is not a dimension: region, year, department, kind, grade, status or basis"
            ),
            format!(
                "`{bad}` 不是有效的分组维度：region、year、department、kind、grade、status 或 basis"
            ),
        )
    })?;
    let level = match q.region_level.as_deref() {
        None => RegionLevel::County,
        Some(text) => RegionLevel::parse(text.trim()).ok_or_else(|| {
            invalid_parameter(
                "region_level",
                format!("`{text}` is not a region level: province, city or county"),
                format!("`{text}` 不是有效的区划级别：province、city 或 county"),
            )
        })?,
    };
    let filters = EvaluationFilters {
        year: q.year,
        region: q.region,
        department_id: q.department_id,
        kind: q.kind,
        status: q.status,
        grade: q.grade,
        basis: q.basis,
        ..EvaluationFilters::default()
    };
    // Without a department (to filter, group or scope by), the maintained cells answer.
    let aggregates = match evaluation_filter(&state, &principal, &filters).await? {
        Some(filter)
            if evaluation_cells::answers(&filter) && !dims.contains(&Dimension::Department) =>
        {
            let cells = evaluation_cells::select(&state.db, &filter).await?;
            stats::aggregate(&cells, &dims, level)
        }
        Some(filter) => {
            let rows = store::stats_rows(&state.db, &filter).await?;
            let facts: Vec<Facts> = rows.into_iter().map(Facts::from).collect();
            stats::aggregate(&facts, &dims, level)
        }
        None => stats::aggregate::<Facts>([], &dims, level),
    };

    // Names for the groups, one query per kind of name.
    let position = |d: Dimension| dims.iter().position(|x| *x == d);
    let mut department_names: HashMap<String, (String, String)> = HashMap::new();
    if let Some(i) = position(Dimension::Department) {
        let ids: Vec<String> = distinct(aggregates.groups.keys().map(|k| k[i].clone()));
        for d in department_store::by_ids(&state.db, &ids).await? {
            department_names.insert(d.id, (d.name, d.budget_code));
        }
    }
    let mut region_names: HashMap<String, String> = HashMap::new();
    if let Some(i) = position(Dimension::Region) {
        let codes: Vec<String> = distinct(aggregates.groups.keys().map(|k| k[i].clone()));
        for r in region_store::by_codes(&state.db, &codes).await? {
            region_names.insert(r.code, r.name);
        }
    }
    let groups = aggregates
        .groups
        .iter()
        .map(|(values, summary)| {
            let context = || format!("stats group {values:?}");
            let mut key = GroupKey::default();
            for (dim, value) in dims.iter().zip(values) {
                match dim {
                    Dimension::Region => {
                        key.region = Some(value.clone());
                        key.region_name = region_names.get(value).cloned();
                    }
                    Dimension::Year => key.year = value.parse().ok(),
                    Dimension::Department => {
                        key.department_id = Some(value.clone());
                        if let Some((name, code)) = department_names.get(value) {
                            key.department_name = Some(name.clone());
                            key.budget_code = Some(code.clone());
                        }
                    }
                    Dimension::Kind => {
                        let kind = EvaluationKind::from_stored(value, context())?;
                        key.kind = Some(kind);
                        key.kind_label_zh = Some(kind.domain().label_zh().to_owned());
                    }
                    Dimension::Grade => {
                        let grade = GradeDto::from_stored(value, context())?;
                        key.grade = Some(grade);
                        key.grade_label_zh = Some(grade.label_zh().to_owned());
                    }
                    Dimension::Status => {
                        let status = EvaluationStatus::from_stored(value, context())?;
                        key.status = Some(status);
                        key.status_label_zh = Some(status.label_zh().to_owned());
                    }
                    Dimension::Basis => {
                        let basis = ScoreBasis::from_stored(value, context())?;
                        key.basis = Some(basis);
                        key.basis_label_zh = Some(basis.label_zh().to_owned());
                    }
                }
            }
            Ok(EvaluationGroup {
                key,
                summary: summary_dto(summary),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(HttpResponse::Ok().json(EvaluationStats {
        group_by: dims.iter().map(|d| d.as_str().to_owned()).collect(),
        region_level: level.as_str().to_owned(),
        overall: summary_dto(&aggregates.overall),
        groups,
    }))
}

fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = values.collect();
    v.sort();
    v.dedup();
    v
}

/// Indicator aggregate parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorStatsQuery {
    pub year: Option<i32>,
    /// Region subtree (`4304` or `430400`).
    pub region: Option<String>,
    /// Department id or budget code.
    pub department_id: Option<String>,
    /// Rows of department (附件4) or project (附件5) evaluations only.
    pub kind: Option<EvaluationKind>,
    /// Rows of evaluations in this status (viewers: submitted and approved only).
    #[param(value_type = Option<crate::model::vocab::EvaluationStatus>)]
    pub status: Option<String>,
    /// Only this 一级指标 (standard name, e.g. 产出指标).
    pub level1: Option<String>,
}

/// Indicator row counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AchievementCounts {
    /// Indicator rows.
    pub count: u64,
    /// Rows the server scored as achieved.
    pub achieved: u64,
    /// Rows the server scored as not achieved.
    pub not_achieved: u64,
    /// Rows not scored (`achieved` null: placeholder rows, unreadable values).
    pub unscored: u64,
    /// achieved / (achieved + not_achieved), in percent as a decimal string with two decimals
    /// (`"66.67"`); null when no row is scored.
    pub achievement_rate_percent: Option<Figure>,
}

impl From<&Achievement> for AchievementCounts {
    fn from(a: &Achievement) -> Self {
        AchievementCounts {
            count: a.count,
            achieved: a.achieved,
            not_achieved: a.not_achieved,
            unscored: a.unscored,
            achievement_rate_percent: a.rate().map(Figure),
        }
    }
}

/// One 二级指标 within its 一级指标.
#[derive(Debug, Serialize, ToSchema)]
pub struct Level2Stats {
    /// 二级指标 (standard name when recognised).
    pub level2: String,
    #[serde(flatten)]
    pub counts: AchievementCounts,
}

/// One 一级指标 with its 二级指标.
#[derive(Debug, Serialize, ToSchema)]
pub struct Level1Stats {
    /// 一级指标 (standard name when recognised).
    pub level1: String,
    #[serde(flatten)]
    pub counts: AchievementCounts,
    /// Its 二级指标, by name.
    pub level2: Vec<Level2Stats>,
}

/// Achievement of indicator rows, by 一级指标 and, nested, 二级指标.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "overall": {"count": 30, "achieved": 12, "not_achieved": 10, "unscored": 8, "achievement_rate_percent": "54.55"},
    "level1": [{"level1": "产出指标", "count": 20, "achieved": 8, "not_achieved": 6, "unscored": 6, "achievement_rate_percent": "57.14",
        "level2": [{"level2": "数量指标", "count": 8, "achieved": 4, "not_achieved": 2, "unscored": 2, "achievement_rate_percent": "66.67"}]}]
}))]
pub struct IndicatorStats {
    pub overall: AchievementCounts,
    /// 一级指标 by name, each with its 二级指标 by name.
    pub level1: Vec<Level1Stats>,
}

/// Achievement of indicator rows by 一级指标, each with its 二级指标 nested: row count,
/// achieved, not achieved, unscored and the achievement rate.
#[utoipa::path(
    tag = "stats",
    operation_id = "indicator_stats",
    params(IndicatorStatsQuery),
    responses(
        (status = 200, description = "Counts over the indicator rows of the evaluations in the caller's scope (viewers: submitted and approved only)", body = IndicatorStats),
    )
)]
#[get("/stats/indicators")]
pub async fn indicator_stats(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<IndicatorStatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let filters = IndicatorFilters {
        year: q.year,
        region: q.region,
        department_id: q.department_id,
        kind: q.kind,
        status: q.status,
        level1: q.level1,
        ..IndicatorFilters::default()
    };
    let counts = match indicator_selection(&state, &principal, &filters).await? {
        Some(selection) if indicator_cells::answers(&selection) => {
            indicator_cells::achievement_counts(&state.db, &selection).await?
        }
        Some(selection) => indicator_store::achievement_counts(&state.db, &selection).await?,
        None => Vec::new(),
    };
    let mut overall = Achievement::default();
    let mut tree: BTreeMap<String, (Achievement, BTreeMap<String, Achievement>)> = BTreeMap::new();
    for c in counts {
        let n = u64::try_from(c.n).unwrap_or(0);
        overall.add(c.achieved, n);
        let (l1, l2s) = tree.entry(c.level1).or_default();
        l1.add(c.achieved, n);
        l2s.entry(c.level2).or_default().add(c.achieved, n);
    }
    let level1 = tree
        .iter()
        .map(|(name, (a, l2s))| Level1Stats {
            level1: name.clone(),
            counts: a.into(),
            level2: l2s
                .iter()
                .map(|(name, a)| Level2Stats {
                    level2: name.clone(),
                    counts: a.into(),
                })
                .collect(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(IndicatorStats {
        overall: (&overall).into(),
        level1,
    }))
}
