//! Exact decimal helpers: parsing, rounding and "adds up" tolerances.
//!
//! Money is always [`Decimal`] in 万元 (10,000 yuan). Nothing here goes through `f64`.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Why a decimal text was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecimalError {
    /// Empty text.
    Empty,
    /// Not a decimal number.
    NotANumber,
    /// More decimal places than allowed.
    TooManyDecimals { max: u32, found: u32 },
}

impl std::fmt::Display for DecimalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecimalError::Empty => write!(f, "empty number"),
            DecimalError::NotANumber => write!(f, "not a decimal number"),
            DecimalError::TooManyDecimals { max, found } => {
                write!(f, "{found} decimal places, at most {max} allowed")
            }
        }
    }
}

impl std::error::Error for DecimalError {}

/// Maps full-width digits and punctuation to their ASCII forms (`０-９`, `．`, `，`, `－`, `＋`,
/// ideographic space) and leaves everything else unchanged.
pub fn normalize_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '，' => ',',
            '－' => '-',
            '＋' => '+',
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Parses a decimal exactly (no floating point). Accepts surrounding whitespace, full-width
/// digits, a leading `+`, and thousands separators (`1,088.19`).
pub fn parse_decimal(text: &str) -> Result<Decimal, DecimalError> {
    let normalized = normalize_width(text);
    let trimmed = normalized.trim();
    if trimmed.is_empty() {
        return Err(DecimalError::Empty);
    }
    let cleaned: String = trimmed
        .trim_start_matches('+')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let valid = {
        let body = cleaned.strip_prefix('-').unwrap_or(&cleaned);
        let mut dots = 0;
        let mut digits = 0;
        for c in body.chars() {
            match c {
                '0'..='9' => digits += 1,
                '.' => dots += 1,
                _ => return Err(DecimalError::NotANumber),
            }
        }
        dots <= 1 && digits > 0 && !body.starts_with('.') && !body.ends_with('.')
    };
    if !valid {
        return Err(DecimalError::NotANumber);
    }
    Decimal::from_str_exact(&cleaned)
        .or_else(|_| Decimal::from_str(&cleaned))
        .map_err(|_| DecimalError::NotANumber)
}

/// Parses a decimal exactly and rejects more than `max_scale` decimal places.
pub fn parse_decimal_max_scale(text: &str, max_scale: u32) -> Result<Decimal, DecimalError> {
    let value = parse_decimal(text)?;
    if value.scale() > max_scale {
        return Err(DecimalError::TooManyDecimals {
            max: max_scale,
            found: value.scale(),
        });
    }
    Ok(value)
}

/// Rounds to 2 decimals, half away from zero (the "half up" of financial tables).
pub fn round2(value: Decimal) -> Decimal {
    round_dp(value, 2)
}

/// Rounds to `dp` decimals, half away from zero.
pub fn round_dp(value: Decimal, dp: u32) -> Decimal {
    value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// `10^-scale` as a decimal (scale 2 → 0.01, scale 0 → 1).
pub fn unit_of_scale(scale: u32) -> Decimal {
    Decimal::new(1, scale.min(28))
}

/// The precision of a set of figures: `10^-(max scale of the operands)`.
///
/// `[2135.42, 1393.76]` → 0.01; `[24, 12, 12]` → 1; `[30.5, 17.64]` → 0.01.
pub fn precision_of(operands: &[Decimal]) -> Decimal {
    let scale = operands.iter().map(|d| d.scale()).max().unwrap_or(0);
    unit_of_scale(scale)
}

/// Tolerance for "adds up" with 万元 figures: the figures' precision, and never finer than
/// 0.01 万元 (the report's own precision, domain.md). `[7.2890, 1.1]` → 0.01.
pub fn money_tolerance(operands: &[Decimal]) -> Decimal {
    precision_of(operands).max(Decimal::new(1, 2))
}

/// How a total compares with the sum of its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SumCheck {
    /// Exactly equal.
    Exact,
    /// Differs by no more than the tolerance (one unit of the last digit at most): explainable
    /// by rounding each figure separately.
    WithinRounding,
    /// Differs by more than the tolerance.
    Mismatch,
}

/// Compares `total` with `sum` given a tolerance. A difference equal to the tolerance is
/// `WithinRounding`: figures each rounded to 0.01 can legitimately be 0.01 off their rounded sum.
pub fn check_sum(total: Decimal, sum: Decimal, tolerance: Decimal) -> SumCheck {
    let Some(diff) = total.checked_sub(sum).map(|d| d.abs()) else {
        return SumCheck::Mismatch;
    };
    if diff.is_zero() {
        SumCheck::Exact
    } else if diff <= tolerance {
        SumCheck::WithinRounding
    } else {
        SumCheck::Mismatch
    }
}

/// Parses a stated percentage such as `64%`, `64.5 %`, `６４％`. The value is in percent
/// (64% → 64) and keeps the stated scale (its precision).
pub fn parse_percent(text: &str) -> Option<Decimal> {
    let normalized = normalize_width(text).replace('％', "%");
    let trimmed = normalized.trim();
    let number = trimmed.strip_suffix('%').unwrap_or(trimmed).trim();
    parse_decimal(number).ok()
}

/// Whether a stated percentage agrees with the exact ratio `numerator / denominator` once the
/// ratio is rounded (half up) to the stated precision. Returns the computed percentage rounded to
/// the stated scale, or `None` when the denominator is zero.
pub fn percent_matches(
    stated: Decimal,
    numerator: Decimal,
    denominator: Decimal,
) -> Option<(bool, Decimal)> {
    if denominator.is_zero() {
        return None;
    }
    let exact = percent_of(numerator, denominator)?;
    let rounded = round_dp(exact, stated.scale());
    Some((rounded == stated, rounded))
}

/// The largest amount the service accepts: 10^12 万元 (10^16 yuan), far above any public
/// budget. With it, no sum, rate or share of accepted amounts can leave the range of
/// [`Decimal`] (about 7.9 × 10^28).
pub const MAX_AMOUNT: Decimal = rust_decimal_macros::dec!(1000000000000);

/// The largest magnitude of a figure a client sends that is not an amount (a weight, a score,
/// a rule-set parameter): 10^6, far above the 100 points of a table.
pub const MAX_FIGURE: Decimal = rust_decimal_macros::dec!(1000000);

/// Why an amount or figure is out of its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    /// Below zero (amounts only).
    Negative,
    /// Above [`MAX_AMOUNT`] (or, for figures, beyond ±[`MAX_FIGURE`]).
    AboveMaximum { max: Decimal },
}

/// Checks an amount: never negative, at most [`MAX_AMOUNT`].
pub fn check_amount(value: Decimal) -> Result<Decimal, RangeError> {
    if value.is_sign_negative() && !value.is_zero() {
        Err(RangeError::Negative)
    } else if value > MAX_AMOUNT {
        Err(RangeError::AboveMaximum { max: MAX_AMOUNT })
    } else {
        Ok(value)
    }
}

/// Checks a figure (weight, score): at most [`MAX_FIGURE`] in magnitude.
pub fn check_figure(value: Decimal) -> Result<Decimal, RangeError> {
    if value.abs() > MAX_FIGURE {
        Err(RangeError::AboveMaximum { max: MAX_FIGURE })
    } else {
        Ok(value)
    }
}

/// The exact sum, or `None` when it would leave the range of [`Decimal`]. Every sum of values
/// that come from clients goes through this (or [`CheckedSum`]): nothing saturates, nothing
/// panics.
pub fn sum_checked<I: IntoIterator<Item = Decimal>>(values: I) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v))
}

/// A running exact sum that remembers when it left the range of [`Decimal`]: its value is then
/// `None` for good, never a saturated figure. Serialised as the decimal string, or `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CheckedSum(Option<Decimal>);

impl Default for CheckedSum {
    fn default() -> Self {
        CheckedSum(Some(Decimal::ZERO))
    }
}

impl CheckedSum {
    /// A sum holding `value`.
    pub fn of(value: Decimal) -> Self {
        CheckedSum(Some(value))
    }

    /// Adds a value.
    pub fn add(&mut self, value: Decimal) {
        self.0 = self.0.and_then(|acc| acc.checked_add(value));
    }

    /// Adds another sum.
    pub fn merge(&mut self, other: CheckedSum) {
        self.0 = match (self.0, other.0) {
            (Some(a), Some(b)) => a.checked_add(b),
            _ => None,
        };
    }

    /// The sum, `None` when it left the decimal range.
    pub fn value(self) -> Option<Decimal> {
        self.0
    }
}

/// `numerator / denominator × 100`, exact to the precision of [`Decimal`] and not rounded;
/// `None` when the denominator is zero or the ratio leaves the decimal range.
pub fn percent_of(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    if denominator.is_zero() {
        return None;
    }
    numerator
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|n| n.checked_div(denominator))
        .or_else(|| {
            numerator
                .checked_div(denominator)?
                .checked_mul(Decimal::ONE_HUNDRED)
        })
}

/// A decimal shown without trailing zeros (`12.50` → `12.5`, `100.00` → `100`).
pub fn show(value: Decimal) -> String {
    value.normalize().to_string()
}

/// What a sum, rate or difference that left the decimal range shows instead of a figure.
pub const OUT_OF_RANGE: &str = "超出范围 (out of range)";

/// A checked result shown as [`show`] does, or [`OUT_OF_RANGE`].
pub fn show_checked(value: Option<Decimal>) -> String {
    value.map_or_else(|| OUT_OF_RANGE.to_owned(), show)
}

/// A checked result as its exact text (a finding's number), or [`OUT_OF_RANGE`].
pub fn text_checked(value: Option<Decimal>) -> String {
    value.map_or_else(|| OUT_OF_RANGE.to_owned(), |d| d.to_string())
}

/// A decimal shown with exactly two decimals (`9.7` → `9.70`).
pub fn show2(value: Decimal) -> String {
    let mut v = round2(value);
    v.rescale(2);
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn parses_exact_decimals() {
        let cases: &[(&str, Option<Decimal>)] = &[
            ("2135.42", Some(dec!(2135.42))),
            (" 1,088.19 ", Some(dec!(1088.19))),
            ("２１３５．４２", Some(dec!(2135.42))),
            ("+3", Some(dec!(3))),
            ("-0.5", Some(dec!(-0.5))),
            ("207.60", Some(dec!(207.60))),
            ("", None),
            ("abc", None),
            ("1.2.3", None),
            (".5", None),
            ("5.", None),
            ("1e5", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_decimal(text).ok(), *expected, "{text}");
        }
        assert_eq!(parse_decimal("207.60").map(|d| d.scale()), Ok(2));
    }

    #[test]
    fn max_scale_is_enforced() {
        assert_eq!(parse_decimal_max_scale("1.2345", 4), Ok(dec!(1.2345)));
        assert_eq!(
            parse_decimal_max_scale("1.23456", 4),
            Err(DecimalError::TooManyDecimals { max: 4, found: 5 })
        );
    }

    #[test]
    fn round2_is_half_up() {
        let cases = [
            (dec!(9.745), dec!(9.75)),
            (dec!(9.744), dec!(9.74)),
            (dec!(-9.745), dec!(-9.75)),
            (dec!(0.005), dec!(0.01)),
            (dec!(9.74), dec!(9.74)),
        ];
        for (input, expected) in cases {
            assert_eq!(round2(input), expected, "{input}");
        }
    }

    #[test]
    fn tolerances_follow_precision() {
        assert_eq!(precision_of(&[dec!(2135.42), dec!(1393.76)]), dec!(0.01));
        assert_eq!(precision_of(&[dec!(24), dec!(12), dec!(12)]), dec!(1));
        assert_eq!(money_tolerance(&[dec!(7.2890), dec!(1)]), dec!(0.01));
        assert_eq!(money_tolerance(&[dec!(24), dec!(12)]), dec!(1));
    }

    #[test]
    fn sum_checks() {
        assert_eq!(
            check_sum(dec!(22.54), dec!(22.54), dec!(0.01)),
            SumCheck::Exact
        );
        assert_eq!(
            check_sum(dec!(22.54), dec!(22.55), dec!(0.01)),
            SumCheck::WithinRounding
        );
        assert_eq!(
            check_sum(dec!(22.54), dec!(22.56), dec!(0.01)),
            SumCheck::Mismatch
        );
    }

    #[test]
    fn stated_percentages() {
        assert_eq!(parse_percent("64%"), Some(dec!(64)));
        assert_eq!(parse_percent("６４％"), Some(dec!(64)));
        assert_eq!(
            percent_matches(dec!(64), dec!(1376.69), dec!(2135.42)),
            Some((true, dec!(64)))
        );
        assert_eq!(
            percent_matches(dec!(74), dec!(81), dec!(110)),
            Some((true, dec!(74)))
        );
        assert_eq!(
            percent_matches(dec!(73.6), dec!(81), dec!(110)),
            Some((true, dec!(73.6)))
        );
        assert_eq!(
            percent_matches(dec!(73), dec!(81), dec!(110)),
            Some((false, dec!(74)))
        );
        assert_eq!(percent_matches(dec!(1), dec!(1), dec!(0)), None);
    }

    #[test]
    fn shows_decimals() {
        assert_eq!(show(dec!(12.50)), "12.5");
        assert_eq!(show2(dec!(9.7)), "9.70");
    }
}
