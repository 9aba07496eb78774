//! Property tests of the bounds: amounts up to [`MAX_AMOUNT`], figures up to ±[`MAX_FIGURE`]
//! (and indicator texts of any size) never make scoring, the money rules or the aggregates
//! panic, and never leave the decimal range (no figure shows [`money::OUT_OF_RANGE`]).

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::finance::{DepartmentReport, reconcile_report};
use super::money::{self, MAX_AMOUNT, MAX_FIGURE};
use super::review::Finding;
use super::rules::{self, rule_set_by_id};
use super::scoring::evaluate;
use super::seed;
use super::stats::{self, Facts, Summary};

/// Any accepted amount: the bound, just below it, zero, the smallest, and random ones up to
/// the bound with up to four decimals.
fn amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        3 => Just(MAX_AMOUNT),
        1 => Just(MAX_AMOUNT - Decimal::new(1, 4)),
        1 => Just(Decimal::ZERO),
        1 => Just(Decimal::new(1, 4)),
        6 => (0_i64..=10_000_000_000_000_000, 0_u32..=4).prop_map(|(m, scale)| {
            // m ≤ 10^16 at scale 4 is ≤ 10^12; at a smaller scale, cut m to stay within it.
            let d = Decimal::new(m, scale);
            if d > MAX_AMOUNT { Decimal::new(m, 4) } else { d }
        }),
    ]
}

/// Any accepted figure (weight, score): up to ±10^6 with up to four decimals.
fn figure() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(MAX_FIGURE),
        Just(-MAX_FIGURE),
        Just(Decimal::ZERO),
        (-10_000_000_000_i64..=10_000_000_000).prop_map(|m| Decimal::new(m, 4)),
    ]
}

/// Indicator texts: numbers of any size, as real tables and hostile clients write them.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("79228162514264337593543950335".to_owned()),
        Just("0.0000000000000000000000000001".to_owned()),
        Just("0".to_owned()),
        any::<u64>().prop_map(|n| n.to_string()),
        (any::<i64>(), 0_u32..=28).prop_map(|(m, s)| Decimal::new(m, s).to_string()),
    ]
}

fn no_out_of_range(findings: &[Finding]) -> Result<(), TestCaseError> {
    for f in findings {
        prop_assert!(
            !f.message_en.contains(money::OUT_OF_RANGE)
                && !f.numbers.values().any(|v| v == money::OUT_OF_RANGE),
            "{f:?}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Scoring an evaluation whose budget block, weights and scores are anything accepted.
    #[test]
    fn scoring_never_fails_within_the_bounds(
        initial in amount(),
        full_year in amount(),
        executed in proptest::option::of(amount()),
        weight in proptest::option::of(figure()),
        claimed in proptest::option::of(figure()),
        claimed_total in proptest::option::of(figure()),
        sources in proptest::collection::vec(amount(), 0..4),
        rows in proptest::collection::vec(
            (figure(), proptest::option::of(figure()), number_text(), number_text()),
            0..12,
        ),
    ) {
        let mut input = seed::monitoring_project_evaluation();
        input.budget.initial = Some(initial);
        input.budget.full_year = full_year;
        input.budget.executed = executed;
        input.budget.weight = weight;
        input.budget.claimed_score = claimed;
        for (s, amount) in input.budget.by_source.iter_mut().zip(&sources) {
            s.amount = *amount;
        }
        input.claimed_total = claimed_total;
        for (row, (w, c, target, actual)) in input.indicators.iter_mut().zip(&rows) {
            row.weight = Some(*w);
            row.claimed_score = *c;
            row.target = format!("≥{target}");
            row.actual = actual.clone();
        }
        let rules = rule_set_by_id(rules::HENGYANG_2024_PROJECT).expect("builtin");
        let outcome = evaluate(&input, &rules);
        prop_assert!(outcome.total <= Decimal::ONE_HUNDRED);
        no_out_of_range(&outcome.findings)?;
    }

    /// The money rules of a department year (finances, basic data table, funds, profile) with
    /// every amount replaced by an accepted one and every count by any `u32`.
    #[test]
    fn money_rules_never_fail_within_the_bounds(
        amounts in proptest::collection::vec(amount(), 64),
        counts in proptest::collection::vec(any::<u32>(), 16),
    ) {
        let mut value = serde_json::to_value(seed::report()).expect("serialisable");
        let (mut a, mut c) = (amounts.iter().cycle(), counts.iter().cycle());
        replace_figures(&mut value, None, &mut || *a.next().unwrap_or(&MAX_AMOUNT), &mut || {
            *c.next().unwrap_or(&u32::MAX)
        });
        let report: DepartmentReport = serde_json::from_value(value).expect("a report");
        no_out_of_range(&reconcile_report(&report))?;
    }

    /// Aggregates over many evaluations at and around the bound: the sums, the average and the
    /// execution rate are always there, and merging cells gives the same as summing rows.
    #[test]
    fn aggregates_never_fail_within_the_bounds(
        rows in proptest::collection::vec(
            (0_i64..=10_000, proptest::option::of(amount()), proptest::option::of(amount())),
            1..300,
        ),
    ) {
        let facts: Vec<Facts> = rows
            .iter()
            .enumerate()
            .map(|(i, (total, full, executed))| Facts {
                region: if i % 2 == 0 { "430424" } else { "430421" }.into(),
                year: 2024,
                department_id: format!("d{}", i % 7),
                kind: "project".into(),
                grade: "poor".into(),
                status: "draft".into(),
                basis: if i % 3 == 0 { "reviewed" } else { "computed" }.into(),
                total: Decimal::new(*total, 2),
                full_year: *full,
                executed: *executed,
            })
            .collect();
        let summary = Summary::of(&facts);
        prop_assert!(summary.total_sum.value().is_some());
        prop_assert!(summary.full_year.value().is_some());
        prop_assert!(summary.executed.value().is_some());
        prop_assert!(summary.average_total().is_some());
        let rate_den = summary.rate_full_year.value().unwrap_or_default();
        prop_assert_eq!(summary.execution_rate().is_some(), !rate_den.is_zero());
        let mut merged = Summary::default();
        for cell in stats::cells(&facts) {
            merged.merge(&cell.summary);
        }
        prop_assert_eq!(merged, summary);
    }
}

/// Replaces every decimal string with `amount()` and every count with `count()` (not years).
fn replace_figures(
    value: &mut serde_json::Value,
    key: Option<&str>,
    amount: &mut dyn FnMut() -> Decimal,
    count: &mut dyn FnMut() -> u32,
) {
    match value {
        serde_json::Value::String(s) if Decimal::from_str_exact(s).is_ok() => {
            *s = amount().to_string();
        }
        serde_json::Value::Number(_) if key != Some("year") => {
            *value = serde_json::Value::from(count());
        }
        serde_json::Value::Array(items) => {
            for item in items {
                replace_figures(item, key, amount, count);
            }
        }
        serde_json::Value::Object(fields) => {
            for (k, v) in fields.iter_mut() {
                replace_figures(v, Some(k), amount, count);
            }
        }
        _ => {}
    }
}

#[test]
fn sums_of_many_maximum_amounts_fit() {
    let many = std::iter::repeat_n(MAX_AMOUNT, 1_000_000);
    assert_eq!(
        money::sum_checked(many),
        Some(MAX_AMOUNT * Decimal::from(1_000_000))
    );
    assert_eq!(money::sum_checked([Decimal::MAX, Decimal::ONE]), None);
    assert_eq!(
        money::percent_of(Decimal::MAX, Decimal::new(1, 28)),
        None,
        "a ratio beyond the range is None, not a panic"
    );
    assert_eq!(
        stats::percent(Decimal::MAX, Decimal::MAX),
        Some(Decimal::new(10000, 2))
    );
}
