//! Decimal amounts in JSON: strings (`"2135.42"`), or numbers, taken digit for digit as the
//! client wrote them (serde_json keeps number text with `arbitrary_precision`). Money never
//! passes through a float.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, Type};

use crate::domain::money::{self, RangeError};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// The most decimal places an amount may have.
pub const MAX_SCALE: u32 = 4;

/// Starts the message of a value above its maximum, so that the body parser can give it the
/// code `field.out_of_range` (the message then names the value and the maximum).
pub const ABOVE_MAXIMUM: &str = "above the maximum";

fn above_maximum(text: &str, max: Decimal, what: &str) -> String {
    format!("{ABOVE_MAXIMUM} {max}: `{text}` is larger than {what}")
}

/// A non-negative amount in 万元 (unless a field says otherwise), with at most four decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Decimal);

impl Amount {
    /// Parses text exactly, keeping its scale (`12.3400` stays `12.3400`).
    pub fn parse(text: &str) -> Result<Amount, String> {
        let text = text.trim();
        let value = Decimal::from_str_exact(text)
            .map_err(|_| format!("`{text}` is not a decimal number such as \"2135.42\""))?;
        if value.scale() > MAX_SCALE {
            return Err(format!(
                "`{text}` has {} decimal places; at most {MAX_SCALE} are kept",
                value.scale()
            ));
        }
        match money::check_amount(value) {
            Ok(value) => Ok(Amount(value)),
            Err(RangeError::Negative) => {
                Err(format!("`{text}` is negative; amounts are never below 0"))
            }
            Err(RangeError::AboveMaximum { max }) => {
                Err(above_maximum(text, max, "any amount may be (10^12 万元)"))
            }
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

/// Reads a decimal from a JSON string or number; `signed` allows values below zero.
struct DecimalVisitor {
    signed: bool,
}

impl DecimalVisitor {
    fn parse(&self, text: &str) -> Result<Amount, String> {
        if self.signed {
            Figure::parse(text).map(|f| Amount(f.0))
        } else {
            Amount::parse(text)
        }
    }
}

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal amount as a string such as \"2135.42\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
        self.parse(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
        self.parse(&v.to_string()).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
        self.parse(&v.to_string()).map_err(E::custom)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Amount, E> {
        self.parse(&v.to_string()).map_err(E::custom)
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Amount, E> {
        self.parse(&v.to_string()).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
        // serde_json (arbitrary_precision) calls this only when the double's shortest text is
        // exactly what the client wrote; other numbers arrive as their text in `visit_map`.
        self.parse(&format!("{v}")).map_err(E::custom)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Amount, A::Error> {
        // A JSON number kept as written (serde_json's arbitrary-precision representation).
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom("expected a decimal amount"));
        };
        if key != "$serde_json::private::Number" {
            return Err(de::Error::custom(
                "expected a decimal amount, not an object",
            ));
        }
        let text: String = map.next_value()?;
        self.parse(&text).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        d.deserialize_any(DecimalVisitor { signed: false })
    }
}

/// A decimal figure that may be negative (scores as claimed, differences), at most four
/// decimals, as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure(pub Decimal);

impl Figure {
    pub fn parse(text: &str) -> Result<Figure, String> {
        let text = text.trim();
        let value = Decimal::from_str_exact(text)
            .map_err(|_| format!("`{text}` is not a decimal number such as \"9.74\""))?;
        if value.scale() > MAX_SCALE {
            return Err(format!(
                "`{text}` has {} decimal places; at most {MAX_SCALE} are kept",
                value.scale()
            ));
        }
        money::check_figure(value).map(Figure).map_err(|_| {
            above_maximum(
                text,
                money::MAX_FIGURE,
                "any weight or score may be in magnitude",
            )
        })
    }
}

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Figure {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Figure, D::Error> {
        d.deserialize_any(DecimalVisitor { signed: true })
            .map(|a| Figure(a.0))
    }
}

impl PartialSchema for Figure {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^-?[0-9]+(\.[0-9]{1,4})?$"))
            .description(Some(
                "Exact decimal as a string (a weight, score or difference), at most 4 decimal places, \
                 at most 1000000 (10^6) in magnitude. JSON numbers are accepted too and read digit \
                 for digit.",
            ))
            .examples(["9.74"])
            .into()
    }
}

impl ToSchema for Figure {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Figure")
    }
}

/// Optional figures map to optional decimals.
pub fn fig(f: Option<Figure>) -> Option<Decimal> {
    f.map(|f| f.0)
}

impl FromStr for Amount {
    type Err = String;

    fn from_str(s: &str) -> Result<Amount, String> {
        Amount::parse(s)
    }
}

impl PartialSchema for Amount {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[0-9]+(\.[0-9]{1,4})?$"))
            .description(Some(
                "Exact decimal amount as a string (万元 unless the field says otherwise), at most 4 \
                 decimal places, never negative, at most 1000000000000 (10^12 万元; larger values \
                 are refused with 422 `field.out_of_range`). JSON numbers are accepted too and read \
                 digit for digit.",
            ))
            .examples(["2135.42"])
            .into()
    }
}

impl ToSchema for Amount {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Amount")
    }
}

/// The sum of amounts that must all be known: `None` when there are none or any is missing
/// (a total of partly unknown figures would look exact and be wrong), and when the sum leaves
/// the decimal range (only possible for data stored before amounts were bounded).
pub fn sum_known(values: impl IntoIterator<Item = Option<Decimal>>) -> Option<Amount> {
    let values: Option<Vec<Decimal>> = values.into_iter().collect();
    values
        .filter(|v| !v.is_empty())
        .and_then(money::sum_checked)
        .map(Amount)
}

/// Optional amounts map to optional decimals.
pub fn dec(a: Option<Amount>) -> Option<Decimal> {
    a.map(|a| a.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn de(json: &str) -> Result<Amount, String> {
        serde_json::from_str::<Amount>(json).map_err(|e| e.to_string())
    }

    #[test]
    fn sums_only_known_figures() {
        let d = |t: &str| Some(Decimal::from_str_exact(t).unwrap());
        assert_eq!(sum_known(Vec::new()), None);
        assert_eq!(sum_known(vec![d("38.2"), None]), None);
        assert_eq!(
            sum_known(vec![d("38.2"), d("19.87")]).unwrap().to_string(),
            "58.07"
        );
    }

    #[test]
    fn strings_and_exact_numbers() {
        assert_eq!(de("\"12.3400\"").unwrap().to_string(), "12.3400");
        assert_eq!(
            de("\"999999999999.9999\"").unwrap().to_string(),
            "999999999999.9999"
        );
        assert_eq!(de("\"0.0001\"").unwrap().to_string(), "0.0001");
        assert_eq!(de("2135.42").unwrap().to_string(), "2135.42");
        assert_eq!(de("0.1").unwrap().to_string(), "0.1");
        assert_eq!(de("40").unwrap().to_string(), "40");
        assert_eq!(
            de("999999999999.9999").unwrap().to_string(),
            "999999999999.9999"
        );
        assert_eq!(de("12.3400").unwrap().to_string(), "12.3400");
        assert!(de("{\"a\": 1}").is_err());
        assert!(de("\"-1\"").unwrap_err().contains("negative"));
        assert!(de("-1").unwrap_err().contains("negative"));
        assert!(de("\"1.23456\"").unwrap_err().contains("decimal places"));
        assert!(de("\"abc\"").is_err());
        assert_eq!(
            de("\"1000000000000\"").unwrap().to_string(),
            "1000000000000"
        );
        assert_eq!(
            de("1000000000000.0000").unwrap().to_string(),
            "1000000000000.0000"
        );
        for above in [
            "\"1000000000000.0001\"",
            "1000000000000.0001",
            "1000000000001",
            "\"800000000000000000000000000\"",
            "800000000000000000000000000",
            "18446744073709551615",
        ] {
            assert!(de(above).unwrap_err().contains(ABOVE_MAXIMUM), "{above}");
        }
        assert!(de("8e26").is_err());
        let fig = |json: &str| serde_json::from_str::<Figure>(json).map_err(|e| e.to_string());
        assert_eq!(fig("\"-1000000\"").unwrap().0.to_string(), "-1000000");
        assert!(fig("\"1000000.0001\"").unwrap_err().contains(ABOVE_MAXIMUM));
        assert!(fig("-1000001").unwrap_err().contains(ABOVE_MAXIMUM));
        assert!(de("true").is_err());
        assert_eq!(
            serde_json::to_string(&Amount::parse("0").unwrap()).unwrap(),
            "\"0\""
        );
    }
}
