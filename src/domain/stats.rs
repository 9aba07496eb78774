//! Aggregates of evaluations: grouping keys, score bands and exact sums.
//!
//! Pure: the caller loads the rows (already filtered and scoped) and this module groups and
//! sums them with [`Decimal`], never `f64`.
//!
//! * Score bands of the total: `[0, 60)`, `[60, 80)`, `[80, 90)`, `[90, 100]` (the grade
//!   thresholds of the default rule sets; a total is never above 100, and one that were would
//!   count in the last band).
//! * The average total is rounded half-up to two decimals.
//! * The execution rate is Σ executed / Σ full-year budget over the evaluations that give both
//!   figures, as a percentage rounded half-up to two decimals.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::domain::money::{self, CheckedSum};
use crate::domain::region::RegionLevel;

/// What evaluations can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Region,
    Year,
    Department,
    Kind,
    Grade,
    Status,
    /// What the final total rests on (`computed`, `reviewed`, `claimed`).
    Basis,
}

impl Dimension {
    pub const ALL: [Dimension; 7] = [
        Self::Region,
        Self::Year,
        Self::Department,
        Self::Kind,
        Self::Grade,
        Self::Status,
        Self::Basis,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Year => "year",
            Self::Department => "department",
            Self::Kind => "kind",
            Self::Grade => "grade",
            Self::Status => "status",
            Self::Basis => "basis",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// Parses a comma-separated `group_by` list. Blank items are skipped, repeats are kept once, in
/// the order first given. An unknown name is returned as the error.
pub fn parse_group_by(text: &str) -> Result<Vec<Dimension>, String> {
    let mut dims = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let d = Dimension::parse(part).ok_or_else(|| part.to_owned())?;
        if !dims.contains(&d) {
            dims.push(d);
        }
    }
    Ok(dims)
}

/// The region code a region counts under at `level`: the code's prefix of that level, padded
/// with zeros (`430424` at city level is `430400`, at province level `430000`). A code of a
/// higher level than `level` stays as it is.
pub fn region_at(code: &str, level: RegionLevel) -> String {
    let keep = level.prefix_len().min(code.len());
    let mut out: String = code.chars().take(keep).collect();
    while out.len() < 6 {
        out.push('0');
    }
    out
}

/// A score band of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Band {
    /// `[0, 60)`
    Below60,
    /// `[60, 80)`
    From60To80,
    /// `[80, 90)`
    From80To90,
    /// `[90, 100]`
    From90To100,
}

impl Band {
    pub const ALL: [Band; 4] = [
        Self::Below60,
        Self::From60To80,
        Self::From80To90,
        Self::From90To100,
    ];

    /// The band of a total.
    pub fn of(total: Decimal) -> Band {
        if total < Decimal::from(60) {
            Self::Below60
        } else if total < Decimal::from(80) {
            Self::From60To80
        } else if total < Decimal::from(90) {
            Self::From80To90
        } else {
            Self::From90To100
        }
    }

    /// `0-60`, `60-80`, `80-90`, `90-100`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Below60 => "0-60",
            Self::From60To80 => "60-80",
            Self::From80To90 => "80-90",
            Self::From90To100 => "90-100",
        }
    }

    /// Lower bound (included) and upper bound (excluded, except for the last band).
    pub fn bounds(self) -> (u32, u32) {
        match self {
            Self::Below60 => (0, 60),
            Self::From60To80 => (60, 80),
            Self::From80To90 => (80, 90),
            Self::From90To100 => (90, 100),
        }
    }

    /// Whether the upper bound belongs to the band (only for `90-100`).
    pub fn upper_included(self) -> bool {
        self == Self::From90To100
    }

    fn index(self) -> usize {
        match self {
            Self::Below60 => 0,
            Self::From60To80 => 1,
            Self::From80To90 => 2,
            Self::From90To100 => 3,
        }
    }
}

/// The facts of one evaluation that the aggregates use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub region: String,
    pub year: i32,
    pub department_id: String,
    pub kind: String,
    pub grade: String,
    pub status: String,
    /// What `total` and `grade` rest on (`computed` or `reviewed`, as stored).
    pub basis: String,
    pub total: Decimal,
    pub full_year: Option<Decimal>,
    pub executed: Option<Decimal>,
}

impl Facts {
    /// The value of one grouping dimension.
    pub fn key(&self, dim: Dimension, level: RegionLevel) -> String {
        match dim {
            Dimension::Region => region_at(&self.region, level),
            Dimension::Year => self.year.to_string(),
            Dimension::Department => self.department_id.clone(),
            Dimension::Kind => self.kind.clone(),
            Dimension::Grade => self.grade.clone(),
            Dimension::Status => self.status.clone(),
            Dimension::Basis => self.basis.clone(),
        }
    }
}

/// Sums of a set of evaluations. Serialisable (amounts as exact decimal strings) so that a
/// maintained cell can be stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub count: u64,
    /// Σ computed totals ([`CheckedSum`]: `None` had it left the decimal range).
    pub total_sum: CheckedSum,
    pub min_total: Option<Decimal>,
    pub max_total: Option<Decimal>,
    /// Counts by [`Band`], in band order.
    pub bands: [u64; 4],
    /// Counts by grade (`excellent`, `good`, `fair`, `poor`, as stored).
    pub grades: BTreeMap<String, u64>,
    /// Evaluations that give a full-year budget.
    pub with_budget: u64,
    /// Σ full-year budget over the evaluations that give one.
    pub full_year: CheckedSum,
    /// Σ executed over the evaluations that give it.
    pub executed: CheckedSum,
    /// Σ full-year and Σ executed over the evaluations that give both: the rate's terms.
    pub rate_full_year: CheckedSum,
    pub rate_executed: CheckedSum,
}

impl Summary {
    pub fn add(&mut self, f: &Facts) {
        self.count += 1;
        self.total_sum.add(f.total);
        self.min_total = Some(self.min_total.map_or(f.total, |m| m.min(f.total)));
        self.max_total = Some(self.max_total.map_or(f.total, |m| m.max(f.total)));
        self.bands[Band::of(f.total).index()] += 1;
        *self.grades.entry(f.grade.clone()).or_default() += 1;
        if let Some(full) = f.full_year {
            self.with_budget += 1;
            self.full_year.add(full);
        }
        if let Some(executed) = f.executed {
            self.executed.add(executed);
        }
        if let (Some(full), Some(executed)) = (f.full_year, f.executed) {
            self.rate_full_year.add(full);
            self.rate_executed.add(executed);
        }
    }

    /// The sums of a set of evaluations.
    pub fn of<'a>(facts: impl IntoIterator<Item = &'a Facts>) -> Summary {
        let mut s = Summary::default();
        for f in facts {
            s.add(f);
        }
        s
    }

    /// Adds another set's sums: the same as adding each of its evaluations.
    pub fn merge(&mut self, other: &Summary) {
        self.count += other.count;
        self.total_sum.merge(other.total_sum);
        self.min_total = match (self.min_total, other.min_total) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max_total = match (self.max_total, other.max_total) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        for (mine, theirs) in self.bands.iter_mut().zip(other.bands) {
            *mine += theirs;
        }
        for (grade, n) in &other.grades {
            *self.grades.entry(grade.clone()).or_default() += n;
        }
        self.with_budget += other.with_budget;
        self.full_year.merge(other.full_year);
        self.executed.merge(other.executed);
        self.rate_full_year.merge(other.rate_full_year);
        self.rate_executed.merge(other.rate_executed);
    }

    /// The average total, half-up to two decimals; `None` for no evaluations (or had the sum
    /// left the decimal range).
    pub fn average_total(&self) -> Option<Decimal> {
        if self.count == 0 {
            return None;
        }
        let mut avg = money::round2(
            self.total_sum
                .value()?
                .checked_div(Decimal::from(self.count))?,
        );
        avg.rescale(2);
        Some(avg)
    }

    /// Count in a band.
    pub fn band(&self, band: Band) -> u64 {
        self.bands[band.index()]
    }

    /// Σ executed / Σ full-year × 100, half-up to two decimals, over the evaluations that give
    /// both; `None` when that budget sum is zero.
    pub fn execution_rate(&self) -> Option<Decimal> {
        percent(self.rate_executed.value()?, self.rate_full_year.value()?)
    }
}

/// The aggregates: over all rows, and per group (the values of `dims`, in that order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregates {
    pub overall: Summary,
    pub groups: BTreeMap<Vec<String>, Summary>,
}

/// What the aggregates sum: one evaluation ([`Facts`]) or a pre-summed [`Cell`].
pub trait Summable {
    /// The value of one grouping dimension.
    fn key(&self, dim: Dimension, level: RegionLevel) -> String;
    /// Adds this to a summary.
    fn add_to(&self, summary: &mut Summary);
}

impl Summable for Facts {
    fn key(&self, dim: Dimension, level: RegionLevel) -> String {
        Facts::key(self, dim, level)
    }

    fn add_to(&self, summary: &mut Summary) {
        summary.add(self);
    }
}

/// The evaluations of one region, year, kind, grade, status and basis, summed: a cell kept up to date
/// with every write, so that aggregates without a department read cells, not evaluations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub region: String,
    pub year: i32,
    pub kind: String,
    pub grade: String,
    pub status: String,
    pub basis: String,
    pub summary: Summary,
}

impl Summable for Cell {
    /// A cell spans departments: it must not be grouped by [`Dimension::Department`] (its
    /// value is then empty).
    fn key(&self, dim: Dimension, level: RegionLevel) -> String {
        match dim {
            Dimension::Region => region_at(&self.region, level),
            Dimension::Year => self.year.to_string(),
            Dimension::Department => String::new(),
            Dimension::Kind => self.kind.clone(),
            Dimension::Grade => self.grade.clone(),
            Dimension::Status => self.status.clone(),
            Dimension::Basis => self.basis.clone(),
        }
    }

    fn add_to(&self, summary: &mut Summary) {
        summary.merge(&self.summary);
    }
}

/// The cells of a set of evaluations, one per region, year, kind, grade, status and basis
/// present.
pub fn cells<'a>(facts: impl IntoIterator<Item = &'a Facts>) -> Vec<Cell> {
    type CellKey<'k> = (&'k str, i32, &'k str, &'k str, &'k str, &'k str);
    let mut by_key: BTreeMap<CellKey<'_>, Summary> = BTreeMap::new();
    for f in facts {
        by_key
            .entry((&f.region, f.year, &f.kind, &f.grade, &f.status, &f.basis))
            .or_default()
            .add(f);
    }
    by_key
        .into_iter()
        .map(
            |((region, year, kind, grade, status, basis), summary)| Cell {
                region: region.to_owned(),
                year,
                kind: kind.to_owned(),
                grade: grade.to_owned(),
                status: status.to_owned(),
                basis: basis.to_owned(),
                summary,
            },
        )
        .collect()
}

/// Groups and sums. With no dimensions, `groups` stays empty.
pub fn aggregate<'a, T: Summable + 'a>(
    rows: impl IntoIterator<Item = &'a T>,
    dims: &[Dimension],
    level: RegionLevel,
) -> Aggregates {
    let mut out = Aggregates::default();
    for f in rows {
        f.add_to(&mut out.overall);
        if !dims.is_empty() {
            let key: Vec<String> = dims.iter().map(|d| f.key(*d, level)).collect();
            f.add_to(out.groups.entry(key).or_default());
        }
    }
    out
}

/// `num / den × 100`, half-up to two decimals; `None` when `den` is zero (or the ratio left
/// the decimal range).
pub fn percent(num: Decimal, den: Decimal) -> Option<Decimal> {
    let mut r = money::round2(money::percent_of(num, den)?);
    r.rescale(2);
    Some(r)
}

/// Counts of indicator rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Achievement {
    pub count: u64,
    pub achieved: u64,
    pub not_achieved: u64,
    pub unscored: u64,
}

impl Achievement {
    /// Adds `n` rows whose `achieved` is the given value (`None`: not scored).
    pub fn add(&mut self, achieved: Option<bool>, n: u64) {
        self.count += n;
        match achieved {
            Some(true) => self.achieved += n,
            Some(false) => self.not_achieved += n,
            None => self.unscored += n,
        }
    }

    pub fn merge(&mut self, other: &Achievement) {
        self.count += other.count;
        self.achieved += other.achieved;
        self.not_achieved += other.not_achieved;
        self.unscored += other.unscored;
    }

    /// achieved / (achieved + not achieved) × 100, half-up to two decimals: the scored rows
    /// only. `None` when no row is scored.
    pub fn rate(&self) -> Option<Decimal> {
        percent(
            Decimal::from(self.achieved),
            Decimal::from(self.achieved + self.not_achieved),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn facts(region: &str, kind: &str, total: Decimal, full: Option<Decimal>) -> Facts {
        Facts {
            region: region.into(),
            year: 2024,
            department_id: "d".into(),
            kind: kind.into(),
            grade: "poor".into(),
            status: "draft".into(),
            basis: "computed".into(),
            total,
            full_year: full,
            executed: full,
        }
    }

    #[test]
    fn group_by_parses_and_rejects() {
        assert_eq!(
            parse_group_by("kind, year,kind,").unwrap(),
            vec![Dimension::Kind, Dimension::Year]
        );
        assert_eq!(parse_group_by("").unwrap(), vec![]);
        assert_eq!(parse_group_by("kind,colour").unwrap_err(), "colour");
    }

    #[test]
    fn regions_roll_up() {
        assert_eq!(region_at("430424", RegionLevel::City), "430400");
        assert_eq!(region_at("430424", RegionLevel::Province), "430000");
        assert_eq!(region_at("430424", RegionLevel::County), "430424");
        assert_eq!(region_at("430400", RegionLevel::County), "430400");
    }

    #[test]
    fn bands_have_their_bounds() {
        assert_eq!(Band::of(dec!(0)), Band::Below60);
        assert_eq!(Band::of(dec!(59.99)), Band::Below60);
        assert_eq!(Band::of(dec!(60)), Band::From60To80);
        assert_eq!(Band::of(dec!(89.99)), Band::From80To90);
        assert_eq!(Band::of(dec!(90)), Band::From90To100);
        assert_eq!(Band::of(dec!(100)), Band::From90To100);
    }

    #[test]
    fn seed_figures() {
        let rows = [
            facts("430424", "department", dec!(25.00), Some(dec!(2135.42))),
            facts("430424", "project", dec!(30.00), Some(dec!(38.2))),
            facts("430424", "project", dec!(20.00), Some(dec!(19.87))),
        ];
        let a = aggregate(&rows, &[Dimension::Kind], RegionLevel::County);
        assert_eq!(a.overall.count, 3);
        assert_eq!(a.overall.average_total().unwrap().to_string(), "25.00");
        assert_eq!(a.overall.full_year.value(), Some(dec!(2193.49)));
        assert_eq!(a.overall.execution_rate().unwrap().to_string(), "100.00");
        assert_eq!(a.overall.band(Band::Below60), 3);
        assert_eq!(a.groups.len(), 2);
        assert_eq!(a.groups[&vec!["project".to_owned()]].count, 2);
        let by_city = aggregate(&rows, &[Dimension::Region], RegionLevel::City);
        assert_eq!(
            by_city.groups.keys().collect::<Vec<_>>(),
            vec![&vec!["430400".to_owned()]]
        );
    }

    #[test]
    fn averages_round_half_up_and_rates_need_a_budget() {
        let rows = [
            facts("430424", "project", dec!(0.01), None),
            facts("430424", "project", dec!(0.00), None),
        ];
        let s = aggregate(&rows, &[], RegionLevel::County).overall;
        assert_eq!(s.average_total().unwrap().to_string(), "0.01");
        assert_eq!(s.execution_rate(), None);
        assert_eq!(Summary::default().average_total(), None);
    }

    #[test]
    fn achievement_rate_counts_scored_rows() {
        let mut a = Achievement::default();
        a.add(Some(true), 2);
        a.add(Some(false), 1);
        a.add(None, 5);
        assert_eq!(a.count, 8);
        assert_eq!(a.rate().unwrap().to_string(), "66.67");
        assert_eq!(Achievement::default().rate(), None);
    }

    fn any_facts() -> impl Strategy<Value = Facts> {
        (
            prop::sample::select(vec!["430424", "430421", "430400", "430000"]),
            2022..2025i32,
            prop::sample::select(vec!["d1", "d2", "d3"]),
            prop::sample::select(vec!["department", "project"]),
            prop::sample::select(vec!["excellent", "poor"]),
            prop::sample::select(vec!["draft", "submitted", "approved"]),
            (
                0..=10_000i64,
                prop::sample::select(vec!["computed", "reviewed"]),
            ),
            prop::option::of(0..1_000_000i64),
            prop::option::of(0..1_000_000i64),
        )
            .prop_map(
                |(region, year, d, kind, grade, status, (total, basis), full, executed)| Facts {
                    region: region.into(),
                    year,
                    department_id: d.into(),
                    kind: kind.into(),
                    grade: grade.into(),
                    status: status.into(),
                    basis: basis.into(),
                    total: Decimal::new(total, 2),
                    full_year: full.map(|v| Decimal::new(v, 4)),
                    executed: executed.map(|v| Decimal::new(v, 4)),
                },
            )
    }

    proptest! {
        /// Summing maintained cells gives exactly what summing the evaluations gives, for every
        /// grouping without a department, and a summary survives being stored as text.
        #[test]
        fn cells_sum_like_the_evaluations(
            rows in prop::collection::vec(any_facts(), 0..60),
            dims in prop::sample::subsequence(
                vec![Dimension::Region, Dimension::Year, Dimension::Kind, Dimension::Grade, Dimension::Status], 0..=5),
            level in prop::sample::select(vec![RegionLevel::County, RegionLevel::City, RegionLevel::Province]),
        ) {
            let cells = cells(&rows);
            prop_assert_eq!(aggregate(&cells, &dims, level), aggregate(&rows, &dims, level));
            for c in &cells {
                let text = serde_json::to_string(&c.summary).unwrap();
                prop_assert_eq!(&serde_json::from_str::<Summary>(&text).unwrap(), &c.summary);
            }
        }
    }
}
