//! Request bodies: what a body type declares, and the JSON parse that answers every bad input
//! at once, each problem with a JSON Pointer to the offending field. Used by the HTTP
//! extractors (`api::extract`), the batch and the CLI import alike.

use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;

/// A request body type: JSON, with the server-owned fields it must refuse.
pub trait RequestBody: DeserializeOwned {
    /// Top-level fields only the server writes (ids, versions, timestamps, status, scores).
    const READ_ONLY: &'static [&'static str] = &[];
}

/// Parses a JSON body: syntax errors are 400; type and field errors 422, every one of them at
/// once, each with its pointer (see [`parse_value`]).
pub fn parse_body<T: RequestBody>(bytes: &[u8]) -> Result<T, ApiError> {
    // A body that reads as `T` at once and sets no server-owned field is the common case: one
    // pass over the bytes. Anything else takes the path that finds every problem.
    if let Ok(t) = serde_json::from_slice::<T>(bytes)
        && !sets_any(bytes, T::READ_ONLY)
    {
        return Ok(t);
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            codes::MALFORMED_JSON,
            Text::new(
                format!("The body is not valid JSON: {e}"),
                format!(
                    "请求体不是合法的 JSON：第 {} 行第 {} 列{}",
                    e.line(),
                    e.column(),
                    match e.classify() {
                        serde_json::error::Category::Eof => "处内容提前结束",
                        _ => "处有语法错误",
                    }
                ),
            ),
        )
    })?;
    let Some(object) = value.as_object_mut() else {
        return Err(ApiError::validation(vec![FieldError::body(
            "",
            "field.invalid_type",
            Text::new("The body must be a JSON object", "请求体必须是 JSON 对象"),
        )]));
    };
    let mut errors = Vec::new();
    for f in T::READ_ONLY {
        if object.remove(*f).is_some() {
            errors.push(FieldError::body(
                format!("/{}", escape_pointer(f)),
                "field.read_only",
                Text::new(
                    format!("`{f}` is set by the server and cannot be sent"),
                    format!("`{f}` 由服务器写入，请求中不能设置"),
                ),
            ));
        }
    }
    collect(value, errors)
}

/// Whether the top level of a JSON object (`bytes`) has any of these fields; true when it
/// cannot be read as an object, so that the caller takes the careful path.
fn sets_any(bytes: &[u8], fields: &[&str]) -> bool {
    struct Keys<'f>(&'f [&'f str]);
    impl<'de> serde::de::Visitor<'de> for Keys<'_> {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut found = false;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                found |= self.0.contains(&key.as_ref());
                map.next_value::<serde::de::IgnoredAny>()?;
            }
            Ok(found)
        }
    }
    if fields.is_empty() {
        return false;
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde::Deserializer::deserialize_map(&mut de, Keys(fields)).unwrap_or(true)
}

/// Deserialises a JSON value, answering every problem at once as a 422 with pointers.
pub fn parse_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, ApiError> {
    collect(value, Vec::new())
}

/// At most this many problems are listed (a body of garbage would list thousands).
const MAX_ERRORS: usize = 100;

/// How much re-reading the search for further problems may cost, in bytes of JSON read: a
/// large body with many problems lists fewer of them rather than costing seconds.
const REREAD_BUDGET_BYTES: usize = 32 << 20;

/// Serde stops at the first problem. To find them all, the value is deserialised again and
/// again: each problem is recorded with its pointer, then the offending place is repaired
/// (an unknown field removed, a bad value removed or replaced by a placeholder, a missing one
/// filled in) and marked, so that what the repair causes beneath it is not reported. When
/// nothing more is wrong, the problems found are answered together.
fn collect<T: serde::de::DeserializeOwned>(
    mut value: serde_json::Value,
    mut errors: Vec<FieldError>,
) -> Result<T, ApiError> {
    let mut repaired: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let size = serde_json::to_vec(&value).map_or(1, |v| v.len().max(1));
    let mut budget = (REREAD_BUDGET_BYTES / size).clamp(8, MAX_ERRORS * 8);
    while budget > 0 {
        budget -= 1;
        let e = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(t) if errors.is_empty() => return Ok(t),
            Ok(_) => break,
            Err(e) => Problem::of(&e),
        };
        let first_time = seen.insert((e.pointer.clone(), e.message.clone()));
        if !repaired.iter().any(|r| is_within(&e.pointer, r)) && first_time {
            errors.push(e.field_error());
            if errors.len() >= MAX_ERRORS {
                break;
            }
        }
        if !first_time || !repair::<T>(&mut value, &e, &mut budget) {
            break;
        }
        repaired.push(e.pointer);
    }
    if errors.is_empty() {
        // Unreachable in practice: a problem is always recorded before giving up.
        errors.push(FieldError::body(
            "",
            "field.invalid",
            Text::new("The body is invalid", "请求体无效"),
        ));
    }
    Err(ApiError::validation(errors))
}

/// `pointer` is `root` or inside it.
fn is_within(pointer: &str, root: &str) -> bool {
    pointer == root
        || (pointer.starts_with(root) && pointer.as_bytes().get(root.len()) == Some(&b'/'))
}

/// What kind of problem serde reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProblemKind {
    Unknown,
    Missing,
    Invalid,
}

/// One problem serde reported, with its pointer.
struct Problem {
    pointer: String,
    kind: ProblemKind,
    message: String,
}

impl Problem {
    fn of(e: &serde_path_to_error::Error<serde_json::Error>) -> Problem {
        let mut pointer = path_to_pointer(e.path());
        let message = e.inner().to_string();
        let (kind, field) = if let Some(f) = backticked_after(&message, "unknown field `") {
            (ProblemKind::Unknown, Some(f))
        } else if let Some(f) = backticked_after(&message, "missing field `") {
            (ProblemKind::Missing, Some(f))
        } else {
            (ProblemKind::Invalid, None)
        };
        if let Some(field) = field {
            let suffix = format!("/{}", escape_pointer(&field));
            if !pointer.ends_with(&suffix) {
                pointer.push_str(&suffix);
            }
        }
        Problem {
            pointer,
            kind,
            message,
        }
    }

    fn field_error(&self) -> FieldError {
        let (code, text) = describe(&self.message);
        FieldError::body(self.pointer.clone(), code, text)
    }
}

/// Repairs the value at the problem's place so that deserialising can go on past it; false
/// when it cannot.
fn repair<T: serde::de::DeserializeOwned>(
    value: &mut serde_json::Value,
    p: &Problem,
    budget: &mut usize,
) -> bool {
    let Some((parent, key)) = p.pointer.rsplit_once('/') else {
        return false;
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    let Some(parent) = value.pointer_mut(parent) else {
        return false;
    };
    match (p.kind, parent) {
        (ProblemKind::Unknown, serde_json::Value::Object(map)) => map.remove(&key).is_some(),
        // A bad value of a field with a default goes; a required one is then missing.
        (ProblemKind::Invalid, serde_json::Value::Object(map)) if map.contains_key(&key) => {
            map.remove(&key);
            true
        }
        (ProblemKind::Unknown, _) => false,
        _ => fill::<T>(value, &p.pointer, &p.message, budget),
    }
}

/// Puts the first placeholder that deserialises past `pointer` there.
fn fill<T: serde::de::DeserializeOwned>(
    value: &mut serde_json::Value,
    pointer: &str,
    message: &str,
    budget: &mut usize,
) -> bool {
    use serde_json::{Value, json};
    let mut candidates: Vec<Value> = Vec::new();
    if let Some(variant) = first_expected(message) {
        candidates.push(Value::String(variant));
    }
    candidates.extend([
        json!("0"),
        json!(0),
        json!({}),
        json!([]),
        json!(false),
        json!(null),
    ]);
    let mut tried = 0;
    while tried < candidates.len() && tried < 12 && *budget > 0 {
        *budget -= 1;
        let candidate = candidates[tried].clone();
        tried += 1;
        if !set_at(value, pointer, candidate) {
            return false;
        }
        match serde_path_to_error::deserialize::<_, T>(&*value) {
            Ok(_) => return true,
            Err(e) => {
                let next = Problem::of(&e);
                if next.pointer != pointer {
                    return true;
                }
                if let Some(variant) = first_expected(&next.message) {
                    let variant = Value::String(variant);
                    if !candidates.contains(&variant) {
                        candidates.insert(tried, variant);
                    }
                }
            }
        }
    }
    false
}

/// The first value an `unknown variant` message lists.
fn first_expected(message: &str) -> Option<String> {
    if !message.starts_with("unknown variant `") {
        return None;
    }
    let rest = message
        .split_once(", expected one of `")
        .or_else(|| message.split_once(", expected `"))?
        .1;
    Some(rest.split_once('`')?.0.to_owned())
}

/// Sets (or adds) the value at a pointer whose parent exists.
fn set_at(value: &mut serde_json::Value, pointer: &str, new: serde_json::Value) -> bool {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return false;
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(serde_json::Value::Object(map)) => {
            map.insert(key, new);
            true
        }
        Some(serde_json::Value::Array(items)) => match key.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items[i] = new;
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// The code and the message, in both languages, of a serde error message.
pub fn describe(message: &str) -> (&'static str, Text) {
    if let Some(described) = describe_field(message) {
        return described;
    }
    let en = format!("Invalid value: {message}");
    if let Some((code, zh)) = describe_shape(message) {
        return (code, Text::new(en, zh));
    }
    (
        "field.invalid",
        Text::new(en, "取值无效，请对照此字段的说明"),
    )
}

/// Messages about a field as a whole: our own two-language ones, an unknown or a missing
/// field.
fn describe_field(message: &str) -> Option<(&'static str, Text)> {
    if let Some((en, zh)) = message.split_once(crate::model::amount::LANG_SEPARATOR) {
        let code = if en.contains(crate::model::amount::ABOVE_MAXIMUM) {
            "field.out_of_range"
        } else {
            "field.invalid"
        };
        return Some((code, Text::new(en, zh)));
    }
    if let Some(f) = backticked_after(message, "unknown field `") {
        let expected = message
            .split_once(", expected ")
            .map(|(_, list)| list_zh(list))
            .map(|l| format!("；可用的字段：{l}"))
            .unwrap_or_default();
        return Some((
            "field.unknown",
            Text::new(
                format!("Unknown field: {message}"),
                format!("未知字段 `{f}`{expected}"),
            ),
        ));
    }
    if backticked_after(message, "missing field `").is_some() {
        return Some((
            "field.missing",
            Text::new("This field is required", "此字段为必填项"),
        ));
    }
    None
}

/// The Chinese message of a value of the wrong variant, type, value or length, a duplicate
/// field or an untagged value that matches no variant.
fn describe_shape(message: &str) -> Option<(&'static str, String)> {
    let invalid = |zh: String| Some(("field.invalid", zh));
    if let Some(v) = backticked_after(message, "unknown variant `") {
        let expected = message
            .split_once(", expected ")
            .map(|(_, list)| list_zh(list))
            .map(|l| format!("；可选值：{l}"))
            .unwrap_or_default();
        return invalid(format!("取值 `{v}` 不是可选值{expected}"));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (got, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
        return invalid(format!(
            "类型不符：收到{}，应为{}",
            unexpected_zh(got),
            expected_zh(expected)
        ));
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (got, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
        let code = if got.starts_with("integer") {
            "field.out_of_range"
        } else {
            "field.invalid"
        };
        return Some((
            code,
            format!(
                "取值无效：收到{}，应为{}",
                unexpected_zh(got),
                expected_zh(expected)
            ),
        ));
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        let (n, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
        return invalid(format!(
            "长度无效：收到 {n} 项，应为{}",
            expected_zh(expected)
        ));
    }
    if let Some(f) = backticked_after(message, "duplicate field `") {
        return invalid(format!("字段 `{f}` 重复出现"));
    }
    if message.starts_with("data did not match any variant") {
        return invalid("取值的类型或格式不符合此字段的说明".to_owned());
    }
    None
}

/// `` `a`, `b` `` or `` `a` or `b` `` as a Chinese list.
fn list_zh(list: &str) -> String {
    if list.starts_with("there are no") {
        return "无".to_owned();
    }
    let names: Vec<&str> = list.split('`').skip(1).step_by(2).collect();
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join("、")
}

/// Serde's description of what it got (`string "x"`, `integer `5``, `null`), in Chinese; the
/// value itself stays quoted as the client sent it.
fn unexpected_zh(got: &str) -> String {
    let got = got.trim();
    for (prefix, zh) in [
        ("string ", "字符串"),
        ("integer ", "整数"),
        ("floating point ", "小数"),
        ("boolean ", "布尔值"),
        ("character ", "字符"),
    ] {
        if let Some(v) = got.strip_prefix(prefix) {
            return format!("{zh} {v}");
        }
    }
    match got {
        "null" | "unit value" | "unit" => "空值 `null`".to_owned(),
        "map" => "对象".to_owned(),
        "sequence" => "数组".to_owned(),
        _ => "其他类型的值".to_owned(),
    }
}

/// Serde's description of what was expected, in Chinese.
fn expected_zh(expected: &str) -> String {
    let e = expected.trim();
    let range = |lo: &str, hi: &str| format!("整数（{lo} 至 {hi}）");
    match e {
        "i8" => return range("-128", "127"),
        "i16" => return range("-32768", "32767"),
        "i32" => return range("-2147483648", "2147483647"),
        "u8" => return range("0", "255"),
        "u16" => return range("0", "65535"),
        "u32" => return range("0", "4294967295"),
        "i64" | "i128" | "isize" => return "整数".to_owned(),
        "u64" | "u128" | "usize" => return "非负整数".to_owned(),
        "f32" | "f64" => return "数字".to_owned(),
        "a string" | "a borrowed string" | "a character" => return "字符串".to_owned(),
        "a boolean" => return "布尔值（`true` 或 `false`）".to_owned(),
        "a sequence" => return "数组".to_owned(),
        "a map" => return "对象".to_owned(),
        _ => {}
    }
    if e.contains("decimal amount") {
        "十进制数字字符串（如 \"2135.42\"）".to_owned()
    } else if e.starts_with("struct ") {
        "对象".to_owned()
    } else if e.contains("variant") || e.starts_with("enum ") || e.starts_with("one of") {
        "可选值之一".to_owned()
    } else if e.contains("date") || e.contains("time") {
        "日期或时间（如 2024-12-31）".to_owned()
    } else if e.to_ascii_lowercase().contains("uuid") {
        "标识（36 位字符串）".to_owned()
    } else if e.contains("string") {
        "字符串".to_owned()
    } else if e.contains("integer") {
        "整数".to_owned()
    } else {
        "符合此字段说明的值".to_owned()
    }
}

pub fn backticked_after(message: &str, prefix: &str) -> Option<String> {
    let rest = message.split_once(prefix)?.1;
    Some(rest.split_once('`')?.0.to_owned())
}

/// Escapes a JSON Pointer reference token (RFC 6901).
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{}", escape_pointer(key))),
            Segment::Enum { variant } => out.push_str(&format!("/{}", escape_pointer(variant))),
            Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        weight: u32,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        rows: Vec<Inner>,
    }

    impl RequestBody for Outer {
        const READ_ONLY: &'static [&'static str] = &["version"];
    }

    fn pointer_of(body: &str) -> (u16, String, String) {
        let e = parse_body::<Outer>(body.as_bytes()).unwrap_err();
        let f = e
            .errors
            .first()
            .map(|f| (f.pointer.clone(), f.code.to_owned()));
        let (p, c) = f.unwrap_or_default();
        (e.code.status.as_u16(), p, c)
    }

    #[test]
    fn pointers() {
        assert_eq!(pointer_of("{"), (400, String::new(), String::new()));
        assert_eq!(
            pointer_of(r#"{"name":"a","rows":[{"weight":1},{"weight":"x"}]}"#),
            (422, "/rows/1/weight".into(), "field.invalid".into())
        );
        assert_eq!(
            pointer_of(r#"{"name":"a","rows":[{"weight":1,"w":2}]}"#),
            (422, "/rows/0/w".into(), "field.unknown".into())
        );
        assert_eq!(
            pointer_of(r#"{"rows":[]}"#),
            (422, "/name".into(), "field.missing".into())
        );
        assert_eq!(
            pointer_of(r#"{"name":"a","rows":[],"version":3}"#),
            (422, "/version".into(), "field.read_only".into())
        );
        assert_eq!(
            pointer_of("[1]"),
            (422, String::new(), "field.invalid_type".into())
        );
        assert!(parse_body::<Outer>(br#"{"name":"a","rows":[{"weight":1}]}"#).is_ok());
    }

    /// A type that ignores unknown fields: it reads a body with a server-owned field at once,
    /// and the field must still be refused.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Lenient {
        name: String,
    }

    impl RequestBody for Lenient {
        const READ_ONLY: &'static [&'static str] = &["version", "id"];
    }

    #[test]
    fn a_server_owned_field_is_refused_when_the_type_would_read_it() {
        for body in [
            r#"{"name":"a","version":3}"#,
            r#"{"id":{"nested":[1,2]},"name":"a"}"#,
            r#"{"name":"a","\u0076ersion":3}"#,
        ] {
            let e = parse_body::<Lenient>(body.as_bytes()).unwrap_err();
            assert_eq!(e.code.status.as_u16(), 422, "{body}");
            assert_eq!(e.errors[0].code, "field.read_only", "{body}");
        }
        assert!(parse_body::<Lenient>(br#"{"name":"a","other":{"version":1}}"#).is_ok());
        assert!(!sets_any(
            br#"{"name":"a","rows":[{"version":1}]}"#,
            &["version"]
        ));
        assert!(sets_any(b"[1]", &["version"]));
        assert!(!sets_any(br#"{"version":1}"#, &[]));
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields, rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Kind {
        Department,
        Project,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Many {
        kind: Kind,
        name: String,
        year: i32,
        #[serde(default)]
        note: Option<String>,
        rows: Vec<Inner>,
        amount: crate::model::amount::Amount,
    }

    impl RequestBody for Many {
        const READ_ONLY: &'static [&'static str] = &["version"];
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Money {
        amount: crate::model::amount::Amount,
    }

    impl RequestBody for Money {}

    /// The one-pass parse and the careful path read a JSON number as written, to the last
    /// digit (no detour through a double).
    #[test]
    fn both_paths_keep_a_numbers_digits() {
        for written in ["2135.42", "0.1", "12345678901.123456", "1e2"] {
            let body = format!(r#"{{"amount":{written}}}"#);
            let fast = parse_body::<Money>(body.as_bytes()).map(|m| m.amount.0);
            let value: serde_json::Value = serde_json::from_str(&body).unwrap();
            let careful = parse_value::<Money>(value).map(|m| m.amount.0);
            assert_eq!(fast.is_ok(), careful.is_ok(), "{written}");
            if let (Ok(fast), Ok(careful)) = (fast, careful) {
                assert_eq!(fast, careful, "{written}");
                assert_eq!(fast.to_string(), written, "{written}");
            }
        }
    }

    #[test]
    fn every_problem_at_once() {
        let body = r#"{"kind":"county","year":"2024x","note":5,"version":1,"extra":true,
            "rows":[{"weight":"x"},"row",{"weight":2,"w":1},{}],"amount":"abc"}"#;
        let e = parse_body::<Many>(body.as_bytes()).unwrap_err();
        let mut found: Vec<(String, &str)> = e
            .errors
            .iter()
            .map(|f| (f.pointer.clone(), f.code))
            .collect();
        found.sort();
        let mut expected = vec![
            ("/version".to_owned(), "field.read_only"),
            ("/kind".to_owned(), "field.invalid"),
            ("/year".to_owned(), "field.invalid"),
            ("/note".to_owned(), "field.invalid"),
            ("/extra".to_owned(), "field.unknown"),
            ("/rows/0/weight".to_owned(), "field.invalid"),
            ("/rows/1".to_owned(), "field.invalid"),
            ("/rows/2/w".to_owned(), "field.unknown"),
            ("/rows/3/weight".to_owned(), "field.missing"),
            ("/amount".to_owned(), "field.invalid"),
            ("/name".to_owned(), "field.missing"),
        ];
        expected.sort();
        assert_eq!(found, expected);
        for f in &e.errors {
            let outside_quotes: String = f
                .detail
                .zh
                .split('`')
                .step_by(2)
                .flat_map(|s| s.split('"').step_by(2))
                .collect();
            assert!(
                !outside_quotes.chars().any(|c| c.is_ascii_alphabetic()),
                "{}: {}",
                f.pointer,
                f.detail.zh
            );
        }
    }

    #[test]
    fn a_large_body_with_many_problems_is_answered_quickly() {
        let rows: Vec<String> = (0..5000)
            .map(|i| {
                if i % 10 == 0 {
                    r#"{"weight":"x","extra":1}"#.to_owned()
                } else {
                    r#"{"weight":1}"#.to_owned()
                }
            })
            .collect();
        let body = format!(r#"{{"name":"a","rows":[{}]}}"#, rows.join(","));
        let started = std::time::Instant::now();
        let e = parse_body::<Outer>(body.as_bytes()).unwrap_err();
        assert!(!e.errors.is_empty() && e.errors.len() <= MAX_ERRORS);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
}
