//! A [`Summary`] in whole numbers, so that a database adds summaries up exactly with `SUM`,
//! `MIN` and `MAX`: totals and amounts in hundredths, counts as they are. A maintained cell
//! keeps its summary so beside the summary itself; an aggregate over many cells then reads
//! one row per group instead of decoding every cell ([`aggregate`]).
//!
//! Only a summary whose figures all have at most two decimals and fit in 64 bits has sums
//! ([`Summary::sums`] is `None` otherwise): the groups then read exactly as the summaries
//! would, down to the decimals shown, and a cell without sums sends the request back to the
//! summaries.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use rust_decimal::Decimal;

use crate::domain::money::CheckedSum;
use crate::domain::region::RegionLevel;
use crate::domain::stats::{Aggregates, Dimension, Summary, region_at};

/// The grades a summary counts, in the order of [`Sums::grades`].
pub const GRADES: [&str; 4] = ["excellent", "good", "fair", "poor"];

/// A summary's figures as whole numbers (see the module).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
pub struct Sums {
    pub count: i64,
    /// Σ totals, in hundredths.
    pub total: i64,
    /// The lowest and highest total, in hundredths (0 when `count` is 0).
    pub min_total: i64,
    pub max_total: i64,
    /// Counts by score band, in band order.
    pub bands: [i64; 4],
    /// Counts by grade, in [`GRADES`] order.
    pub grades: [i64; 4],
    pub with_budget: i64,
    /// Σ full-year budget, Σ executed, and the rate's two terms, in hundredths.
    pub full_year: i64,
    pub executed: i64,
    pub rate_full_year: i64,
    pub rate_executed: i64,
}

/// `d` in hundredths, when it has at most two decimals and the result fits.
fn hundredths(d: Decimal) -> Option<i64> {
    if d.scale() > 2 {
        return None;
    }
    let mut d = d;
    d.rescale(2);
    i64::try_from(d.mantissa()).ok()
}

fn whole(n: u64) -> Option<i64> {
    i64::try_from(n).ok()
}

impl Summary {
    /// The summary's [`Sums`]; `None` for an empty summary, a figure with more than two
    /// decimals, a sum that left the decimal range, a number beyond 64 bits or a grade not in
    /// [`GRADES`].
    pub fn sums(&self) -> Option<Sums> {
        if self.count == 0 {
            return None;
        }
        let mut grades = [0; 4];
        for (grade, n) in &self.grades {
            let i = GRADES.iter().position(|g| g == grade)?;
            grades[i] = whole(*n)?;
        }
        let [b0, b1, b2, b3] = self.bands;
        Some(Sums {
            count: whole(self.count)?,
            total: hundredths(self.total_sum.value()?)?,
            min_total: hundredths(self.min_total?)?,
            max_total: hundredths(self.max_total?)?,
            bands: [whole(b0)?, whole(b1)?, whole(b2)?, whole(b3)?],
            grades,
            with_budget: whole(self.with_budget)?,
            full_year: hundredths(self.full_year.value()?)?,
            executed: hundredths(self.executed.value()?)?,
            rate_full_year: hundredths(self.rate_full_year.value()?)?,
            rate_executed: hundredths(self.rate_executed.value()?)?,
        })
    }
}

impl Sums {
    /// The summary these sums stand for; `None` when a count is negative (sums a database
    /// could not have added from [`Summary::sums`]).
    pub fn summary(&self) -> Option<Summary> {
        let count = u64::try_from(self.count).ok()?;
        let amount = |h: i64| CheckedSum::of(Decimal::new(h, 2));
        let mut grades = BTreeMap::new();
        for (grade, n) in GRADES.iter().zip(self.grades) {
            if n != 0 {
                grades.insert((*grade).to_owned(), u64::try_from(n).ok()?);
            }
        }
        let [b0, b1, b2, b3] = self.bands.map(u64::try_from);
        Some(Summary {
            count,
            total_sum: amount(self.total),
            min_total: (count > 0).then(|| Decimal::new(self.min_total, 2)),
            max_total: (count > 0).then(|| Decimal::new(self.max_total, 2)),
            bands: [b0.ok()?, b1.ok()?, b2.ok()?, b3.ok()?],
            grades,
            with_budget: u64::try_from(self.with_budget).ok()?,
            full_year: amount(self.full_year),
            executed: amount(self.executed),
            rate_full_year: amount(self.rate_full_year),
            rate_executed: amount(self.rate_executed),
        })
    }
}

/// One group of cells as the database summed them: the values of the cells' key it grouped by
/// (`None` for the others) and the group's [`Sums`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct SummedCells {
    pub region: Option<String>,
    pub year: Option<i32>,
    pub kind: Option<String>,
    pub grade: Option<String>,
    pub status: Option<String>,
    pub basis: Option<String>,
    pub sums: Sums,
}

impl SummedCells {
    /// The group's value of `dim` (the region at `level`); `None` when the database did not
    /// group by it, or for departments, which cells do not have.
    fn key(&self, dim: Dimension, level: RegionLevel) -> Option<String> {
        match dim {
            Dimension::Region => self.region.as_deref().map(|r| region_at(r, level)),
            Dimension::Year => self.year.map(|y| y.to_string()),
            Dimension::Department => None,
            Dimension::Kind => self.kind.clone(),
            Dimension::Grade => self.grade.clone(),
            Dimension::Status => self.status.clone(),
            Dimension::Basis => self.basis.clone(),
        }
    }
}

/// The aggregates of cells the database summed by the columns of `dims` (regions by county:
/// groups of a wider `level` merge here); the same as [`crate::domain::stats::aggregate`] of the
/// cells themselves. `None` when a group lacks a value of `dims` or its sums no summary.
pub fn aggregate(
    rows: &[SummedCells],
    dims: &[Dimension],
    level: RegionLevel,
) -> Option<Aggregates> {
    let mut out = Aggregates::default();
    for row in rows {
        let summary = row.sums.summary()?;
        out.overall.merge(&summary);
        if dims.is_empty() {
            continue;
        }
        let key = dims
            .iter()
            .map(|d| row.key(*d, level))
            .collect::<Option<Vec<String>>>()?;
        match out.groups.entry(key) {
            Entry::Vacant(e) => {
                e.insert(summary);
            }
            Entry::Occupied(mut e) => e.get_mut().merge(&summary),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stats::{self, Cell, Facts};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn facts(region: &str, grade: &str, total: Decimal, full: Option<Decimal>) -> Facts {
        Facts {
            region: region.into(),
            year: 2024,
            department_id: "d".into(),
            kind: "project".into(),
            grade: grade.into(),
            status: "submitted".into(),
            basis: "computed".into(),
            total,
            full_year: full,
            executed: full.map(|f| f - dec!(0.5)),
        }
    }

    /// What a database gives for `cells` grouped by the key columns of `dims`: `SUM`, `MIN`
    /// and `MAX` of their sums, the grades counted by each cell's grade.
    fn summed_by(cells: &[Cell], dims: &[Dimension]) -> Vec<SummedCells> {
        let mut groups: BTreeMap<Vec<String>, SummedCells> = BTreeMap::new();
        for c in cells {
            let s = c.summary.sums().expect("exact cell");
            let has = |d: Dimension| dims.contains(&d);
            let row = SummedCells {
                region: has(Dimension::Region).then(|| c.region.clone()),
                year: has(Dimension::Year).then_some(c.year),
                kind: has(Dimension::Kind).then(|| c.kind.clone()),
                grade: has(Dimension::Grade).then(|| c.grade.clone()),
                status: has(Dimension::Status).then(|| c.status.clone()),
                basis: has(Dimension::Basis).then(|| c.basis.clone()),
                sums: Sums::default(),
            };
            let key = vec![
                format!("{:?}", row.region),
                format!("{:?}", row.year),
                format!("{:?}", row.kind),
                format!("{:?}", row.grade),
                format!("{:?}", row.status),
                format!("{:?}", row.basis),
            ];
            let g = groups.entry(key).or_insert(row);
            let first = g.sums.count == 0;
            let t = &mut g.sums;
            t.count += s.count;
            t.total += s.total;
            t.min_total = if first {
                s.min_total
            } else {
                t.min_total.min(s.min_total)
            };
            t.max_total = if first {
                s.max_total
            } else {
                t.max_total.max(s.max_total)
            };
            for (a, b) in t.bands.iter_mut().zip(s.bands) {
                *a += b;
            }
            for (a, b) in t.grades.iter_mut().zip(s.grades) {
                *a += b;
            }
            t.with_budget += s.with_budget;
            t.full_year += s.full_year;
            t.executed += s.executed;
            t.rate_full_year += s.rate_full_year;
            t.rate_executed += s.rate_executed;
        }
        groups.into_values().collect()
    }

    #[test]
    fn sums_round_trip_and_refuse_what_they_cannot_hold() {
        let s = Summary::of(&[
            facts("430405", "good", dec!(85.5), Some(dec!(100))),
            facts("430405", "excellent", dec!(92.25), None),
        ]);
        let sums = s.sums().unwrap();
        assert_eq!(sums.total, 17_775);
        assert_eq!(sums.min_total, 8_550);
        assert_eq!(sums.grades, [1, 1, 0, 0]);
        assert_eq!(sums.full_year, 10_000);
        assert_eq!(sums.summary().unwrap(), s);
        // A third decimal, an unknown grade, nothing at all: no sums.
        assert_eq!(
            Summary::of(&[facts("430405", "good", dec!(85.125), None)]).sums(),
            None
        );
        assert_eq!(
            Summary::of(&[facts("430405", "A", dec!(85), None)]).sums(),
            None
        );
        assert_eq!(Summary::default().sums(), None);
    }

    fn arb_facts() -> impl Strategy<Value = Facts> {
        let region = prop::sample::select(vec!["430405", "430406", "430421", "430102"]);
        let grade = prop::sample::select(vec!["excellent", "good", "fair", "poor"]);
        let year = 2022..2025i32;
        let kind = prop::sample::select(vec!["project", "department"]);
        let total = (0i64..=10_000).prop_map(|h| Decimal::new(h, 2));
        let full = prop::option::of((0i64..10_000_000_000).prop_map(|h| Decimal::new(h, 2)));
        (region, grade, year, kind, total, full).prop_map(
            |(region, grade, year, kind, total, full)| Facts {
                year,
                kind: kind.into(),
                ..facts(region, grade, total, full)
            },
        )
    }

    fn arb_dims() -> impl Strategy<Value = Vec<Dimension>> {
        prop::sample::subsequence(
            vec![
                Dimension::Region,
                Dimension::Year,
                Dimension::Kind,
                Dimension::Grade,
                Dimension::Status,
                Dimension::Basis,
            ],
            0..=3,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Summing cells by their sums, grouped as a database would, gives the aggregates of
        /// the cells themselves, at every region level.
        #[test]
        fn summed_cells_aggregate_as_the_cells(
            facts in prop::collection::vec(arb_facts(), 0..40),
            dims in arb_dims(),
            level in prop::sample::select(vec![RegionLevel::County, RegionLevel::City, RegionLevel::Province]),
        ) {
            let cells = stats::cells(&facts);
            let expected = stats::aggregate(&cells, &dims, level);
            let rows = summed_by(&cells, &dims);
            let got = aggregate(&rows, &dims, level).unwrap();
            prop_assert_eq!(&got, &expected);
            // The figures a stats answer shows read alike, scale included.
            for (g, e) in std::iter::once((&got.overall, &expected.overall))
                .chain(got.groups.values().zip(expected.groups.values()))
            {
                prop_assert_eq!(g.average_total().map(|d| d.to_string()), e.average_total().map(|d| d.to_string()));
                prop_assert_eq!(g.execution_rate().map(|d| d.to_string()), e.execution_rate().map(|d| d.to_string()));
            }
        }
    }
}
