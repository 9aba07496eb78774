//! Aggregates of evaluations and indicator results, computed live from the data the caller may
//! see (the same scope and visibility as the lists: viewers count submitted and approved
//! evaluations only). Plain functions of a connection, the caller and the filters, so a
//! handler, a report or a command can ask the same question.
//!
//! Without a department to filter, group or scope by, both read maintained cells
//! ([`evaluation_cells`], [`indicator_cells`]), kept exact by every write (evaluation cells
//! added up by the database, per group, from their whole-number sums); otherwise the
//! evaluations' stats columns are summed in Rust with `Decimal` (amounts are exact text) and
//! indicator rows are counted by SQL `GROUP BY`. The grouping and the arithmetic live in
//! [`crate::domain::stats`].

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::app::filters::{
    EvaluationFilters, IndicatorFilters, evaluation_filter, indicator_selection,
};
use crate::app::scope::query_error;
use crate::domain::policy::Principal;
use crate::domain::region::RegionLevel;
use crate::domain::stats::{self, Achievement, Aggregates, Band, Dimension, Facts, Summary};
use crate::domain::sums;
use crate::error::ApiError;
use crate::model::amount::{Amount, Figure};
use crate::model::evaluation_dto::{EvaluationKind, GradeDto};
use crate::model::stats::{
    BandCount, BudgetTotals, EvaluationGroup, EvaluationStats, EvaluationSummary, GradeCounts,
    GroupKey, IndicatorStats, Level1Stats, Level2Stats,
};
use crate::model::vocab::{EvaluationStatus, Level1Code, ScoreBasis, Vocabulary};
use crate::store::departments as department_store;
use crate::store::evaluations as evaluation_store;
use crate::store::evaluations::cells as evaluation_cells;
use crate::store::evaluations::indicator_cells;
use crate::store::evaluations::indicator_results as indicator_store;
use crate::store::regions as region_store;

/// How evaluations are grouped: the dimensions, in order, and the level regions are grouped
/// at (`city` counts 430424 under `430400`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    pub dims: Vec<Dimension>,
    pub level: RegionLevel,
}

impl Grouping {
    /// The `group_by` (comma-separated dimensions) and `region_level` (default `county`)
    /// parameters; 400 naming the parameter when either is not one.
    pub fn parse(group_by: Option<&str>, region_level: Option<&str>) -> Result<Self, ApiError> {
        let dims = stats::parse_group_by(group_by.unwrap_or("")).map_err(|bad| {
            query_error(
                "group_by",
                format!(
                    "`{bad}` is not a dimension: region, year, department, kind, grade, status or basis"
                ),
                format!(
                    "`{bad}` 不是有效的分组维度：region、year、department、kind、grade、status 或 basis"
                ),
            )
        })?;
        let level = match region_level {
            None => RegionLevel::County,
            Some(text) => RegionLevel::parse(text.trim()).ok_or_else(|| {
                query_error(
                    "region_level",
                    format!("`{text}` is not a region level: province, city or county"),
                    format!("`{text}` 不是有效的区划级别：province、city 或 county"),
                )
            })?,
        };
        Ok(Grouping { dims, level })
    }
}

/// The sums of the evaluations the caller may see under `filters`, overall and per group of
/// `grouping` (count, totals, bands, grades, budget and executed sums, execution rate).
pub async fn evaluation_aggregates(
    db: &DatabaseConnection,
    principal: &Principal,
    filters: &EvaluationFilters,
    grouping: &Grouping,
) -> Result<Aggregates, ApiError> {
    let (dims, level) = (&grouping.dims, grouping.level);
    // Without a department (to filter, group or scope by), the maintained cells answer.
    Ok(match evaluation_filter(db, principal, filters).await? {
        Some(filter)
            if evaluation_cells::answers(&filter) && !dims.contains(&Dimension::Department) =>
        {
            crate::app::cells::settle(db).await?;
            // The database adds the cells up by group; where it cannot exactly, the cells'
            // summaries are read and added here.
            let summed = evaluation_cells::summed(db, &filter, dims).await?;
            match summed.and_then(|rows| sums::aggregate(&rows, dims, level)) {
                Some(aggregates) => aggregates,
                None => {
                    stats::aggregate(&evaluation_cells::select(db, &filter).await?, dims, level)
                }
            }
        }
        Some(filter) => {
            let rows = evaluation_store::stats_rows(db, &filter).await?;
            let facts: Vec<Facts> = rows.into_iter().map(Facts::from).collect();
            stats::aggregate(&facts, dims, level)
        }
        None => stats::aggregate::<Facts>([], dims, level),
    })
}

/// [`evaluation_aggregates`] as the contract shows them: each group keyed by its values, with
/// the names of its region and department.
pub async fn evaluation_stats(
    db: &DatabaseConnection,
    principal: &Principal,
    filters: &EvaluationFilters,
    grouping: &Grouping,
) -> Result<EvaluationStats, ApiError> {
    let aggregates = evaluation_aggregates(db, principal, filters, grouping).await?;
    let names = GroupNames::of(db, &aggregates, &grouping.dims).await?;
    let groups = aggregates
        .groups
        .iter()
        .map(|(values, summary)| {
            Ok(EvaluationGroup {
                key: names.key(&grouping.dims, values)?,
                summary: summary_dto(summary),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(EvaluationStats {
        group_by: grouping
            .dims
            .iter()
            .map(|d| d.as_str().to_owned())
            .collect(),
        region_level: grouping.level.as_str().to_owned(),
        overall: summary_dto(&aggregates.overall),
        groups,
    })
}

/// The names of the departments and regions the groups are keyed by, one query per kind.
#[derive(Default)]
struct GroupNames {
    /// Department id → (name, budget code).
    departments: HashMap<String, (String, String)>,
    /// Region code → name.
    regions: HashMap<String, String>,
}

impl GroupNames {
    async fn of(
        db: &impl ConnectionTrait,
        aggregates: &Aggregates,
        dims: &[Dimension],
    ) -> Result<Self, ApiError> {
        let values = |d: Dimension| -> Option<Vec<String>> {
            let i = dims.iter().position(|x| *x == d)?;
            let mut v: Vec<String> = aggregates.groups.keys().map(|k| k[i].clone()).collect();
            v.sort();
            v.dedup();
            Some(v)
        };
        let mut names = GroupNames::default();
        if let Some(ids) = values(Dimension::Department) {
            for d in department_store::by_ids(db, &ids).await? {
                names.departments.insert(d.id, (d.name, d.budget_code));
            }
        }
        if let Some(codes) = values(Dimension::Region) {
            for r in region_store::by_codes(db, &codes).await? {
                names.regions.insert(r.code, r.name);
            }
        }
        Ok(names)
    }

    /// The key of the group with these values of `dims`, with labels.
    fn key(&self, dims: &[Dimension], values: &[String]) -> Result<GroupKey, ApiError> {
        let context = || format!("stats group {values:?}");
        let mut key = GroupKey::default();
        for (dim, value) in dims.iter().zip(values) {
            match dim {
                Dimension::Region => {
                    key.region = Some(value.clone());
                    key.region_name = self.regions.get(value).cloned();
                }
                Dimension::Year => key.year = value.parse().ok(),
                Dimension::Department => {
                    key.department_id = Some(value.clone());
                    if let Some((name, code)) = self.departments.get(value) {
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
        Ok(key)
    }
}

fn with_scale2(mut d: Decimal) -> Decimal {
    if d.scale() < 2 {
        d.rescale(2);
    }
    d
}

/// A domain summary as the contract shows it.
pub fn summary_dto(s: &Summary) -> EvaluationSummary {
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

/// Achievement of the indicator rows the caller may see under `filters`, by 一级指标 and,
/// nested, 二级指标.
pub async fn indicator_stats(
    db: &DatabaseConnection,
    principal: &Principal,
    filters: &IndicatorFilters,
) -> Result<IndicatorStats, ApiError> {
    let counts = match indicator_selection(db, principal, filters).await? {
        Some(selection) if indicator_cells::answers(&selection) => {
            crate::app::cells::settle(db).await?;
            indicator_cells::achievement_counts(db, &selection).await?
        }
        Some(selection) => indicator_store::achievement_counts(db, &selection).await?,
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
            level1_code: Level1Code::of_name(name),
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
    Ok(IndicatorStats {
        overall: (&overall).into(),
        level1,
    })
}
