//! Input rules that hold whatever the channel (HTTP, CLI import, batch): the fiscal year range,
//! text lengths, the characters of a budget code, sums of figures that must all be known, and
//! whether the funds agree with the declared project expenditure (the finance summary).

use std::ops::RangeInclusive;

use rust_decimal::Decimal;

use crate::domain::money;

/// The fiscal years the service holds.
pub const YEARS: RangeInclusive<i32> = 2000..=2100;

/// True when `year` is a fiscal year the service holds.
pub fn year_in_range(year: i32) -> bool {
    YEARS.contains(&year)
}

/// True when `value`, trimmed, has 1 to `max` characters.
pub fn length_ok(value: &str, max: usize) -> bool {
    let n = value.trim().chars().count();
    (1..=max).contains(&n)
}

/// True when a budget code (trimmed) holds ASCII letters, digits, `-`, `_` and `.` only.
pub fn budget_code_chars_ok(code: &str) -> bool {
    code.trim()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// True when a rule set id has 1 to 64 characters, each a lowercase ASCII letter, a digit or
/// `-`.
pub fn rule_set_id_ok(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// True when a rule set version is one the store holds: 1 to `i32::MAX`.
pub fn rule_set_version_ok(version: u32) -> bool {
    version != 0 && i32::try_from(version).is_ok()
}

/// The sum of figures that must all be known: `None` when there are none or any is missing
/// (a total of partly unknown figures would look exact and be wrong), and when the sum leaves
/// the decimal range.
pub fn sum_known(values: impl IntoIterator<Item = Option<Decimal>>) -> Option<Decimal> {
    let values: Option<Vec<Decimal>> = values.into_iter().collect();
    values
        .filter(|v| !v.is_empty())
        .and_then(money::sum_checked)
}

/// Whether the executed funds agree with the declared project expenditure (finance summary):
/// `(adds_up, executed − declared)`. Unknown when either figure is; within the figures'
/// tolerance ([`money::money_tolerance`]) they add up; a difference that leaves the decimal
/// range does not add up and has no value.
pub fn funds_agreement(
    executed: Option<Decimal>,
    declared: Option<Decimal>,
) -> (Option<bool>, Option<Decimal>) {
    match (executed, declared) {
        (Some(x), Some(d)) => {
            let tolerance = money::money_tolerance(&[x, d]);
            match x.checked_sub(d) {
                Some(diff) => (Some(diff.abs() <= tolerance), Some(diff)),
                None => (Some(false), None),
            }
        }
        _ => (None, None),
    }
}

/// The sum of two figures that must both be known (`None` otherwise, or out of range).
pub fn sum_of_both(a: Option<Decimal>, b: Option<Decimal>) -> Option<Decimal> {
    a?.checked_add(b?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_year_range_is_2000_to_2100() {
        assert!(year_in_range(2000));
        assert!(year_in_range(2100));
        assert!(!year_in_range(1999));
        assert!(!year_in_range(2101));
    }

    #[test]
    fn rule_set_ids_are_short_lowercase_words() {
        assert!(rule_set_id_ok("hengyang-2024-project"));
        assert!(rule_set_id_ok(&"a".repeat(64)));
        assert!(!rule_set_id_ok(&"a".repeat(65)));
        assert!(!rule_set_id_ok(""));
        assert!(!rule_set_id_ok("Hengyang"));
        assert!(!rule_set_id_ok("a_b"));
        assert!(!rule_set_id_ok("衡阳"));
    }

    #[test]
    fn rule_set_versions_run_from_1_to_i32_max() {
        assert!(!rule_set_version_ok(0));
        assert!(rule_set_version_ok(1));
        assert!(rule_set_version_ok(i32::MAX as u32));
        assert!(!rule_set_version_ok(i32::MAX as u32 + 1));
    }

    #[test]
    fn sums_need_every_figure() {
        assert_eq!(sum_known(Vec::<Option<Decimal>>::new()), None);
        assert_eq!(sum_known([Some(Decimal::ONE), None]), None);
        assert_eq!(
            sum_known([Some(Decimal::ONE), Some(Decimal::TWO)]),
            Some(Decimal::from(3))
        );
        assert_eq!(sum_known([Some(Decimal::MAX), Some(Decimal::ONE)]), None);
    }

    #[test]
    fn funds_agree_within_the_tolerance() {
        let d = |s: &str| s.parse::<Decimal>().ok();
        assert_eq!(
            funds_agreement(d("10.00"), d("10.01")),
            (Some(true), d("-0.01"))
        );
        assert_eq!(
            funds_agreement(d("10.00"), d("10.02")),
            (Some(false), d("-0.02"))
        );
        assert_eq!(funds_agreement(None, d("1")), (None, None));
        assert_eq!(
            funds_agreement(Some(Decimal::MIN), Some(Decimal::MAX)),
            (Some(false), None)
        );
    }

    proptest! {
        #[test]
        fn funds_agreement_is_the_signed_difference(x in -1_000_000i64..1_000_000, y in -1_000_000i64..1_000_000) {
            let (xd, yd) = (Decimal::new(x, 2), Decimal::new(y, 2));
            let (adds_up, diff) = funds_agreement(Some(xd), Some(yd));
            prop_assert_eq!(diff, Some(xd - yd));
            prop_assert_eq!(adds_up, Some((xd - yd).abs() <= Decimal::new(1, 2)));
            let (back, _) = funds_agreement(Some(yd), Some(xd));
            prop_assert_eq!(back, adds_up);
            prop_assert_eq!(funds_agreement(Some(xd), None), (None, None));
        }

        #[test]
        fn both_must_be_known(x in any::<i64>(), y in any::<i64>()) {
            let (xd, yd) = (Decimal::from(x), Decimal::from(y));
            prop_assert_eq!(sum_of_both(Some(xd), Some(yd)), xd.checked_add(yd));
            prop_assert_eq!(sum_of_both(None, Some(yd)), None);
            prop_assert_eq!(sum_of_both(Some(xd), None), None);
        }

        #[test]
        fn year_in_range_is_the_range(year in any::<i32>()) {
            prop_assert_eq!(year_in_range(year), (2000..=2100).contains(&year));
        }

        #[test]
        fn length_counts_trimmed_characters(core in "[a-z中文]{0,30}", pad in " {0,3}", max in 1usize..20) {
            let n = core.chars().count();
            let padded = format!("{pad}{core}{pad}");
            prop_assert_eq!(length_ok(&padded, max), n >= 1 && n <= max);
        }

        #[test]
        fn budget_codes_refuse_any_other_character(code in "[A-Za-z0-9._-]{1,20}", bad in "[^A-Za-z0-9._ -]") {
            prop_assert!(budget_code_chars_ok(&code));
            let spoiled = format!("{code}{bad}{code}");
            prop_assert!(!budget_code_chars_ok(&spoiled));
        }

        #[test]
        fn a_missing_figure_makes_the_sum_unknown(
            known in proptest::collection::vec(0i64..1_000_000, 0..10),
            at in any::<prop::sample::Index>(),
        ) {
            let figures: Vec<Option<Decimal>> = known.iter().map(|&v| Some(Decimal::from(v))).collect();
            let expected = (!known.is_empty()).then(|| Decimal::from(known.iter().sum::<i64>()));
            prop_assert_eq!(sum_known(figures.clone()), expected);
            let mut holed = figures;
            holed.insert(at.index(holed.len() + 1), None);
            prop_assert_eq!(sum_known(holed), None);
        }
    }
}
