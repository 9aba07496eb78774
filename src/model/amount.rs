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

use crate::domain::money::{self, PrintedKind, RangeError};
use crate::locale::Text;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// The most decimal places an amount may have.
pub const MAX_SCALE: u32 = 4;

/// Starts the message of a value above its maximum, so that the body parser can give it the
/// code `field.out_of_range` (the message then names the value and the maximum).
pub const ABOVE_MAXIMUM: &str = "above the maximum";

fn above_maximum(text: &str, max: Decimal, what: &str, what_zh: &str) -> Text {
    Text::new(
        format!("{ABOVE_MAXIMUM} {max}: `{text}` is larger than {what}"),
        format!("`{text}` 超出上限 {max}（{what_zh}）"),
    )
}

/// Separates the English and the Chinese message inside a serde error raised by this module's
/// visitors, so that the body parser can answer in either language (see
/// `api::extract`).
pub const LANG_SEPARATOR: char = '\u{1f}';

/// A bilingual message as the text of a serde error.
pub fn bilingual(text: &Text) -> String {
    format!("{}{LANG_SEPARATOR}{}", text.en, text.zh)
}

/// A non-negative amount in 万元 (unless a field says otherwise), with at most four decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Decimal);

impl Amount {
    /// Parses text exactly, keeping its scale (`12.3400` stays `12.3400`). Cells as printed
    /// are read ([`money::parse_printed`]: full-width digits, `1,088.19`); a cell that is not
    /// given (blank, `——`, `/`, `无`) is an error here: see [`Amount::parse_printed`].
    pub fn parse(text: &str) -> Result<Amount, Text> {
        Amount::parse_printed(text)?.ok_or_else(|| not_given(text))
    }

    /// Parses an amount cell as printed: `None` when it is not given.
    pub fn parse_printed(text: &str) -> Result<Option<Amount>, Text> {
        let text = text.trim();
        let Some(value) = money::parse_printed(text, PrintedKind::Amount).map_err(|_| {
            Text::new(
                format!("`{text}` is not a decimal number such as \"2135.42\""),
                format!("`{text}` 不是十进制数字（应如 2135.42）"),
            )
        })?
        else {
            return Ok(None);
        };
        if value.scale() > MAX_SCALE {
            return Err(too_many_places(text, value.scale()));
        }
        match money::check_amount(value) {
            Ok(value) => Ok(Some(Amount(value))),
            Err(RangeError::Negative) => Err(Text::new(
                format!("`{text}` is negative; amounts are never below 0"),
                format!("`{text}` 是负数；金额不能小于 0"),
            )),
            Err(RangeError::AboveMaximum { max }) => Err(above_maximum(
                text,
                max,
                "any amount may be (10^12 万元)",
                "金额至多 10^12 万元",
            )),
        }
    }
}

fn too_many_places(text: &str, scale: u32) -> Text {
    Text::new(
        format!("`{text}` has {scale} decimal places; at most {MAX_SCALE} are kept"),
        format!("`{text}` 有 {scale} 位小数；至多保留 {MAX_SCALE} 位"),
    )
}

/// The message of a required figure left blank (or printed `——`, `/`, `无`).
fn not_given(text: &str) -> Text {
    if text.trim().is_empty() {
        Text::new(
            "a number is required here; the cell is blank",
            "此处必须填写数字；该单元格为空",
        )
    } else {
        Text::new(
            format!(
                "a number is required here; `{}` means not given",
                text.trim()
            ),
            format!("此处必须填写数字；`{}` 表示未填写", text.trim()),
        )
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

/// Reads a decimal from a JSON string or number; `signed` allows values below zero (and a
/// `分` suffix: weights and scores). Strings are read as printed ([`money::parse_printed`]);
/// a cell that is not given (`""`, `——`, `/`, `无`) and `null` read as `None`.
struct DecimalVisitor {
    signed: bool,
}

impl DecimalVisitor {
    fn parse(&self, text: &str) -> Result<Option<Amount>, Text> {
        if self.signed {
            Figure::parse_printed(text).map(|f| f.map(|f| Amount(f.0)))
        } else {
            Amount::parse_printed(text)
        }
    }

    /// A JSON number: never "not given".
    fn number(&self, text: &str) -> Result<Option<Amount>, Text> {
        self.parse(text)?.map(Some).ok_or_else(|| not_given(text))
    }
}

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Option<Amount>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal amount as a string such as \"2135.42\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Amount>, E> {
        self.parse(v).map_err(|t| E::custom(bilingual(&t)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Amount>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<Amount>, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Amount>, E> {
        self.number(&v.to_string())
            .map_err(|t| E::custom(bilingual(&t)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Amount>, E> {
        self.number(&v.to_string())
            .map_err(|t| E::custom(bilingual(&t)))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Option<Amount>, E> {
        self.number(&v.to_string())
            .map_err(|t| E::custom(bilingual(&t)))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Option<Amount>, E> {
        self.number(&v.to_string())
            .map_err(|t| E::custom(bilingual(&t)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<Amount>, E> {
        // serde_json (arbitrary_precision) calls this only when the double's shortest text is
        // exactly what the client wrote; other numbers arrive as their text in `visit_map`.
        self.number(&format!("{v}"))
            .map_err(|t| E::custom(bilingual(&t)))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Option<Amount>, A::Error> {
        // A JSON number kept as written (serde_json's arbitrary-precision representation).
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom(bilingual(&Text::new(
                "expected a decimal amount",
                "应为十进制数字字符串（如 \"2135.42\"）",
            ))));
        };
        if key != "$serde_json::private::Number" {
            return Err(de::Error::custom(bilingual(&Text::new(
                "expected a decimal amount, not an object",
                "应为十进制数字字符串（如 \"2135.42\"），而不是对象",
            ))));
        }
        let text: String = map.next_value()?;
        self.number(&text)
            .map_err(|t| de::Error::custom(bilingual(&t)))
    }
}

/// A required amount or figure: "not given" is an error.
fn required<'de, D: Deserializer<'de>>(d: D, signed: bool) -> Result<Amount, D::Error> {
    d.deserialize_any(DecimalVisitor { signed })?
        .ok_or_else(|| {
            de::Error::custom(bilingual(&Text::new(
                "a number is required here, not a blank or `——` cell",
                "此处必须填写数字，不能为空或 `——`",
            )))
        })
}

/// `deserialize_with` for an optional amount given as printed: `""`, `——`, `—`, `-`, `/`,
/// `无` and `null` are `None` (use with `#[serde(default)]`).
pub fn printed_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Amount>, D::Error> {
    d.deserialize_any(DecimalVisitor { signed: false })
}

/// `deserialize_with` for an optional weight or score given as printed (`99.55分` too).
pub fn printed_figure<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Figure>, D::Error> {
    Ok(d.deserialize_any(DecimalVisitor { signed: true })?
        .map(|a| Figure(a.0)))
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        required(d, false)
    }
}

/// A decimal figure that may be negative (scores as claimed, differences), at most four
/// decimals, as a string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figure(pub Decimal);

impl Figure {
    /// Parses a weight or score, as printed too (`20.00`, `99.55分`, `９５`); a cell that is
    /// not given is an error here: see [`Figure::parse_printed`].
    pub fn parse(text: &str) -> Result<Figure, Text> {
        Figure::parse_printed(text)?.ok_or_else(|| not_given(text))
    }

    /// Parses a weight or score cell as printed: `None` when it is not given.
    pub fn parse_printed(text: &str) -> Result<Option<Figure>, Text> {
        let text = text.trim();
        let Some(value) = money::parse_printed(text, PrintedKind::Score).map_err(|_| {
            Text::new(
                format!("`{text}` is not a decimal number such as \"9.74\""),
                format!("`{text}` 不是十进制数字（应如 9.74）"),
            )
        })?
        else {
            return Ok(None);
        };
        if value.scale() > MAX_SCALE {
            return Err(too_many_places(text, value.scale()));
        }
        money::check_figure(value)
            .map(|v| Some(Figure(v)))
            .map_err(|_| {
                above_maximum(
                    text,
                    money::MAX_FIGURE,
                    "any weight or score may be in magnitude",
                    "分值、得分的绝对值至多 10^6",
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
        required(d, true).map(|a| Figure(a.0))
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

/// The contract of an amount an evaluation's input accepts as printed (schema only: the field
/// is an [`Amount`] read by [`printed_amount`]).
pub struct PrintedAmount;

impl PartialSchema for PrintedAmount {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(40))
            .description(Some(
                "An amount as the table prints it (万元, or 元 where the budget block says \
                 `amount_unit: yuan`). Read exactly: `2135.42`, `20.00` (the scale is kept), \
                 full-width digits (`２１３５．４２`), thousands separators (`1,088.19`). A blank \
                 cell or `——`, `—`, `-`, `/`, `无` means not given (`null`); where the amount is \
                 required that is refused. Anything else (`abc`, `12.3.4`) is refused with 422 at \
                 the field's pointer. At most 4 decimal places (2 in 元), never negative, at most \
                 10^12. JSON numbers are accepted too, digit for digit; `GET` answers the \
                 normalised decimal string (`\"1088.19\"`).",
            ))
            .examples(["2135.42", "1,088.19", "——"])
            .into()
    }
}

impl ToSchema for PrintedAmount {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PrintedAmount")
    }
}

/// The contract of a weight or score an evaluation's input accepts as printed (schema only:
/// the field is a [`Figure`] read by [`printed_figure`]).
pub struct PrintedFigure;

impl PartialSchema for PrintedFigure {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(40))
            .description(Some(
                "A weight or score as the table prints it, read exactly: `20`, `20.00` (the scale \
                 is kept), `99.55分`, full-width digits (`９５`), thousands separators. A blank cell \
                 or `——`, `—`, `-`, `/`, `无` means not given (`null`). Anything else (`abc`, \
                 `12.3.4`, `95%`) is refused with 422 at the field's pointer. At most 4 decimal \
                 places, at most 10^6 in magnitude. JSON numbers are accepted too, digit for \
                 digit; `GET` answers the normalised decimal string (`\"99.55\"`).",
            ))
            .examples(["20", "99.55分", "——"])
            .into()
    }
}

impl ToSchema for PrintedFigure {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PrintedFigure")
    }
}

/// Optional figures map to optional decimals.
pub fn fig(f: Option<Figure>) -> Option<Decimal> {
    f.map(|f| f.0)
}

impl FromStr for Amount {
    type Err = String;

    fn from_str(s: &str) -> Result<Amount, String> {
        Amount::parse(s).map_err(|t| t.en)
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
    crate::domain::validate::sum_known(values).map(Amount)
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

    #[derive(serde::Deserialize)]
    struct Cells {
        #[serde(default, deserialize_with = "printed_amount")]
        amount: Option<Amount>,
        #[serde(default, deserialize_with = "printed_figure")]
        score: Option<Figure>,
    }

    #[test]
    fn cells_as_printed() {
        let cells = |json: &str| {
            serde_json::from_str::<Cells>(json)
                .map(|c| {
                    (
                        c.amount.map(|a| a.to_string()),
                        c.score.map(|f| f.0.to_string()),
                    )
                })
                .map_err(|e| e.to_string())
        };
        for blank in [
            "\"\"",
            "\"——\"",
            "\"—\"",
            "\"-\"",
            "\"/\"",
            "\"无\"",
            "null",
        ] {
            let json = format!(r#"{{"amount": {blank}, "score": {blank}}}"#);
            assert_eq!(cells(&json).unwrap(), (None, None), "{blank}");
        }
        assert_eq!(cells("{}").unwrap(), (None, None));
        assert_eq!(
            cells(r#"{"amount": "1,088.19", "score": "99.55分"}"#).unwrap(),
            (Some("1088.19".into()), Some("99.55".into()))
        );
        assert_eq!(
            cells(r#"{"amount": "２０.００", "score": "９５"}"#).unwrap(),
            (Some("20.00".into()), Some("95".into()))
        );
        assert_eq!(
            cells(r#"{"amount": 12.5, "score": 20}"#).unwrap(),
            (Some("12.5".into()), Some("20".into()))
        );
        assert!(cells(r#"{"amount": "abc"}"#).is_err());
        assert!(cells(r#"{"score": "12.3.4"}"#).is_err());
        assert!(cells(r#"{"amount": "99分"}"#).is_err());
        // A required amount refuses a cell that is not given.
        assert!(de("\"——\"").unwrap_err().contains("required"));
        assert!(de("\"\"").unwrap_err().contains("required"));
        assert!(de("null").is_err());
        assert_eq!(de("\"１，０８８．１９\"").unwrap().to_string(), "1088.19");
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
