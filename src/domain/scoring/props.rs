//! Property tests of the scorers the split exposes: time targets, execution, grade bands and
//! the claimed basis.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::context::{RowBasis, RowContext};
use super::execution::score_execution;
use super::formula::{grade_band, in_band};
use super::{ActualView, Basis, ParsedView, RowScore, basis, time};
use crate::domain::evaluation::{BudgetBlock, IndicatorInput};
use crate::domain::rules::{self, RuleSet, rule_set_by_id};
use crate::domain::target::{AchievementGrade, Actual, Parsed, Unit};

fn rules() -> RuleSet {
    rule_set_by_id(rules::HENGYANG_2024_PROJECT).expect("builtin")
}

fn weight() -> impl Strategy<Value = Decimal> {
    (1i64..=10_000).prop_map(|c| Decimal::new(c, 2))
}

fn day(year: i32, ordinal: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(ordinal)))
        .expect("a day of the year")
}

/// The computed score of a basis, `None` when it is not computed.
fn score_of(basis: RowBasis) -> Option<Decimal> {
    match basis {
        RowBasis::Computed(r) => Some(r.score),
        _ => None,
    }
}

fn with_ctx<T>(rules: &RuleSet, row: &IndicatorInput, f: impl FnOnce(&mut RowContext) -> T) -> T {
    let mut ctx = RowContext {
        index: 0,
        row,
        year: 2024,
        rules,
        findings: Vec::new(),
    };
    f(&mut ctx)
}

fn blank_score() -> RowScore {
    let target = Parsed::Qualitative {
        text: String::new(),
    };
    RowScore {
        index: 0,
        level1: None,
        level2: None,
        placeholder: false,
        weight: None,
        computed: None,
        basis: Basis::None,
        claimed: None,
        achieved: None,
        target_text: String::new(),
        target: ParsedView {
            display: target.display(),
            parsed: target,
        },
        actual_text: String::new(),
        actual: ActualView {
            display: Actual::Missing.display(),
            parsed: Actual::Missing,
        },
        explanation_en: String::new(),
        explanation_zh: String::new(),
    }
}

fn budget(full_year: Decimal, executed: Decimal) -> BudgetBlock {
    BudgetBlock {
        initial: None,
        full_year,
        executed: Some(executed),
        weight: None,
        claimed_rate: None,
        claimed_score: None,
        by_source: Vec::new(),
        basic: None,
        project: None,
    }
}

fn grade() -> impl Strategy<Value = AchievementGrade> {
    prop_oneof![
        Just(AchievementGrade::Achieved),
        Just(AchievementGrade::Partly),
        Just(AchievementGrade::NotAchieved),
    ]
}

proptest! {
    /// A period target: a finish by its end gives the full weight, a later finish never more
    /// than an earlier one, and every score lies in [0, w].
    #[test]
    fn period_score_falls_with_a_later_finish(
        w in weight(),
        end in 0u64..=200,
        f1 in 0u64..=364,
        f2 in 0u64..=364,
    ) {
        let (rules, row) = (rules(), IndicatorInput::default());
        let (start, end) = (day(2024, 0), day(2024, end));
        let (early, late) = if f1 <= f2 { (f1, f2) } else { (f2, f1) };
        let score = |finish: u64| {
            let actual = Actual::Period { start, end: day(2024, finish) };
            with_ctx(&rules, &row, |ctx| score_of(time::score_period(ctx, w, start, end, &actual)))
                .expect("computed")
        };
        let (s_early, s_late) = (score(early), score(late));
        prop_assert!(s_late <= s_early);
        for s in [s_early, s_late] {
            prop_assert!(s >= Decimal::ZERO && s <= w);
        }
        if day(2024, late) <= end {
            prop_assert_eq!(s_late, w.round_dp(2));
        }
    }

    /// A time limit in years scores a span in months as the same span in years.
    #[test]
    fn duration_in_months_scores_as_in_years(
        w in (100i64..=10_000).prop_map(|c| Decimal::new(c, 2)),
        limit_years in 1i64..=5,
        taken_years in 1i64..=10,
    ) {
        let (rules, row) = (rules(), IndicatorInput::default());
        let t = Decimal::from(limit_years);
        let score = |actual: Actual| {
            with_ctx(&rules, &row, |ctx| score_of(time::score_duration(ctx, w, t, &Unit::Year, &actual)))
                .expect("computed")
        };
        let in_years = score(Actual::Duration { value: Decimal::from(taken_years), unit: Unit::Year });
        let in_months = score(Actual::Duration {
            value: Decimal::from(taken_years * 12),
            unit: Unit::Month,
        });
        prop_assert_eq!(in_years, in_months);
        prop_assert!(in_years >= Decimal::ZERO && in_years <= w);
        prop_assert_eq!(in_years == w.round_dp(2), taken_years <= limit_years);
    }

    /// The execution score lies in [0, w], is full from 100% on and never falls as more is
    /// executed.
    #[test]
    fn execution_score_is_bounded_and_monotone(
        full_year in (1i64..=10_000_000).prop_map(|c| Decimal::new(c, 2)),
        e1 in (0i64..=20_000_000).prop_map(|c| Decimal::new(c, 2)),
        e2 in (0i64..=20_000_000).prop_map(|c| Decimal::new(c, 2)),
    ) {
        let rules = rules();
        let w = rules.execution_weight;
        let (lo, hi) = if e1 <= e2 { (e1, e2) } else { (e2, e1) };
        let s_lo = score_execution(&budget(full_year, lo), &rules).0.score;
        let s_hi = score_execution(&budget(full_year, hi), &rules).0.score;
        prop_assert!(s_lo <= s_hi);
        prop_assert!(s_lo >= Decimal::ZERO && s_hi <= w);
        if hi >= full_year {
            prop_assert_eq!(s_hi, w.round_dp(2));
        }
    }

    /// The three grade bands cover [0, w] without overlapping.
    #[test]
    fn grade_bands_partition_the_weight(w in weight(), cents in 0i64..=10_000) {
        let claimed = Decimal::new(cents, 2).min(w);
        let holding: Vec<AchievementGrade> = [
            AchievementGrade::Achieved,
            AchievementGrade::Partly,
            AchievementGrade::NotAchieved,
        ]
        .into_iter()
        .filter(|g| in_band(w, *g, claimed))
        .collect();
        prop_assert_eq!(holding.len(), 1, "{} of {}: {:?}", claimed, w, holding);
        let (low, high, _) = grade_band(w, holding[0]);
        prop_assert!(low <= claimed && claimed <= high);
    }

    /// A graded row scores its claim exactly when the claim lies in the grade's band; an
    /// unverified row keeps a claim in [0, w] and nothing else.
    #[test]
    fn claims_stand_only_inside_their_range(
        w in weight(),
        cents in -1_000i64..=12_000,
        grade in grade(),
    ) {
        let rules = rules();
        let claimed = Decimal::new(cents, 2);
        let row = IndicatorInput { claimed_score: Some(claimed), ..IndicatorInput::default() };
        let settle = |basis: RowBasis| {
            let mut score = blank_score();
            with_ctx(&rules, &row, |ctx| basis::settle(ctx, &mut score, w, basis));
            score
        };
        let graded = settle(RowBasis::Band(grade));
        prop_assert_eq!(graded.computed.is_some(), in_band(w, grade, claimed));
        if graded.computed.is_some() {
            prop_assert_eq!(graded.basis, Basis::Graded);
        }
        let kept = settle(RowBasis::NotVerified("en".into(), "zh".into()));
        let inside = claimed >= Decimal::ZERO && claimed <= w;
        prop_assert_eq!(kept.computed, inside.then(|| claimed.round_dp(2)));
        prop_assert_eq!(kept.basis, if inside { Basis::Claimed } else { Basis::None });
    }
}
