//! GB/T 2260 administrative division codes (行政区划代码) and the subtree logic used for scoping.
//!
//! A code has six digits `PPCCNN`: `PP0000` is a province, `PPCC00` a city (prefecture level),
//! `PPCCNN` a county (county level). A province covers every code that starts with `PP`, a city
//! every code that starts with `PPCC`. `000000` is the national scope (全国): it is no region
//! of its own (no stored region has it), but callers (ministry-level admins and viewers), rule
//! sets and rule-set defaults may sit there, above every province.

use std::fmt;

/// The three levels of the GB/T 2260 hierarchy the service deals with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionLevel {
    /// `000000`: the whole country, above every province (a scope, never a stored region).
    National,
    Province,
    City,
    County,
}

impl RegionLevel {
    /// The levels a stored region can have (the national scope is none of them).
    pub const ALL: [RegionLevel; 3] = [Self::Province, Self::City, Self::County];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::National => "national",
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::National => "全国",
            Self::Province => "省级",
            Self::City => "地级",
            Self::County => "县级",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == text)
    }

    /// Number of leading digits that identify a region of this level (its subtree prefix).
    pub fn prefix_len(self) -> usize {
        match self {
            Self::National => 0,
            Self::Province => 2,
            Self::City => 4,
            Self::County => 6,
        }
    }
}

/// Why a text is not a valid region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// Not exactly six ASCII digits.
    NotSixDigits,
    /// The province part is `00`.
    NoProvince,
    /// A county part under a `00` city part (e.g. `430024`): no such level exists.
    NotARealLevel,
}

impl CodeError {
    pub fn message_en(self) -> &'static str {
        match self {
            Self::NotSixDigits => "a region code is exactly six digits (GB/T 2260)",
            Self::NoProvince => "the first two digits (the province) cannot be 00",
            Self::NotARealLevel => {
                "digits 5-6 must be 00 when digits 3-4 are 00: the code is neither a province, a city nor a county"
            }
        }
    }

    pub fn message_zh(self) -> &'static str {
        match self {
            Self::NotSixDigits => "行政区划代码必须是 6 位数字（GB/T 2260）",
            Self::NoProvince => "前两位（省级）不能为 00",
            Self::NotARealLevel => {
                "第 3–4 位为 00 时第 5–6 位也必须为 00：该代码既不是省级、地级，也不是县级"
            }
        }
    }
}

/// A syntactically valid six-digit region code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    /// The code of the national scope.
    pub const NATIONAL: &'static str = "000000";

    /// The national scope (`000000`).
    pub fn national() -> Self {
        Self(Self::NATIONAL.to_owned())
    }

    /// A scope: a region code as [`RegionCode::parse`] accepts it, or `000000` (national).
    /// Tokens, rule sets, rule-set defaults and region filters take scopes; stored regions and
    /// departments take real codes only.
    pub fn parse_scope(text: &str) -> Result<Self, CodeError> {
        if text == Self::NATIONAL {
            return Ok(Self::national());
        }
        Self::parse(text)
    }

    /// Whether this is the national scope.
    pub fn is_national(&self) -> bool {
        self.0 == Self::NATIONAL
    }

    /// A real region code (`parse`), not the national scope.
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let bytes = text.as_bytes();
        if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(CodeError::NotSixDigits);
        }
        if &text[0..2] == "00" {
            return Err(CodeError::NoProvince);
        }
        if &text[2..4] == "00" && &text[4..6] != "00" {
            return Err(CodeError::NotARealLevel);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        if self.is_national() {
            RegionLevel::National
        } else if &self.0[2..6] == "0000" {
            RegionLevel::Province
        } else if &self.0[4..6] == "00" {
            RegionLevel::City
        } else {
            RegionLevel::County
        }
    }

    /// The code of the region directly above this one, if any (a province has none: the
    /// national scope is no stored region; see [`RegionCode::up_to_national`]).
    pub fn parent(&self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::National | RegionLevel::Province => None,
            RegionLevel::City => Some(Self(format!("{}0000", &self.0[0..2]))),
            RegionLevel::County => Some(Self(format!("{}00", &self.0[0..4]))),
        }
    }

    /// This code and every scope above it, nearest first, ending with the national scope:
    /// `430424` → `430424`, `430400`, `430000`, `000000`.
    pub fn up_to_national(&self) -> Vec<RegionCode> {
        let mut chain = vec![self.clone()];
        let mut up = self.parent();
        while let Some(code) = up {
            up = code.parent();
            chain.push(code);
        }
        if !self.is_national() {
            chain.push(Self::national());
        }
        chain
    }

    /// The leading digits every code in this region's subtree starts with.
    pub fn subtree_prefix(&self) -> &str {
        &self.0[..self.level().prefix_len()]
    }

    /// Whether `other` lies in this region's subtree (a region covers itself).
    pub fn covers(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.subtree_prefix())
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Turns a subtree filter as callers write it into the code prefix to match.
///
/// Accepts a full code (`430400` → `4304`), a bare prefix of 2 or 4 digits (`4304`, `43`), or
/// the national scope `000000` (everything: the empty prefix).
pub fn subtree_filter_prefix(filter: &str) -> Result<String, CodeError> {
    let filter = filter.trim();
    if filter == RegionCode::NATIONAL {
        return Ok(String::new());
    }
    match filter.len() {
        2 | 4 if filter.bytes().all(|b| b.is_ascii_digit()) => {
            // A bare prefix is padded to a full code so that the same rules apply.
            let padded = format!("{filter:0<6}");
            RegionCode::parse(&padded).map(|c| c.subtree_prefix().to_owned())
        }
        _ => RegionCode::parse(filter).map(|c| c.subtree_prefix().to_owned()),
    }
}

/// Why a region's declared level or parent does not fit its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeError {
    LevelMismatch {
        declared: RegionLevel,
        implied: RegionLevel,
    },
    ParentMismatch {
        declared: Option<String>,
        implied: Option<String>,
    },
}

/// Checks that a declared level and parent agree with what the code implies.
///
/// `None` for a declared value means "not given": the implied one is used.
pub fn check_shape(
    code: &RegionCode,
    declared_level: Option<RegionLevel>,
    declared_parent: Option<&str>,
) -> Vec<ShapeError> {
    let mut problems = Vec::new();
    let implied = code.level();
    if let Some(declared) = declared_level
        && declared != implied
    {
        problems.push(ShapeError::LevelMismatch { declared, implied });
    }
    let implied_parent = code.parent().map(|p| p.0);
    if let Some(declared) = declared_parent
        && Some(declared) != implied_parent.as_deref()
    {
        problems.push(ShapeError::ParentMismatch {
            declared: Some(declared.to_owned()),
            implied: implied_parent,
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn levels_and_parents() {
        let cases = [
            ("430000", RegionLevel::Province, None),
            ("430400", RegionLevel::City, Some("430000")),
            ("430424", RegionLevel::County, Some("430400")),
            ("429004", RegionLevel::County, Some("429000")),
        ];
        for (code, level, parent) in cases {
            let c = RegionCode::parse(code).unwrap();
            assert_eq!(c.level(), level, "{code}");
            assert_eq!(
                c.parent().as_ref().map(RegionCode::as_str),
                parent,
                "{code}"
            );
        }
    }

    #[test]
    fn rejects_bad_codes() {
        let cases = [
            ("43042", CodeError::NotSixDigits),
            ("4304245", CodeError::NotSixDigits),
            ("43042a", CodeError::NotSixDigits),
            ("４３０４２４", CodeError::NotSixDigits),
            ("", CodeError::NotSixDigits),
            ("000424", CodeError::NoProvince),
            ("430024", CodeError::NotARealLevel),
        ];
        for (code, err) in cases {
            assert_eq!(RegionCode::parse(code), Err(err), "{code}");
        }
    }

    #[test]
    fn subtree_covers() {
        let city = RegionCode::parse("430400").unwrap();
        let county = RegionCode::parse("430424").unwrap();
        let other_city_county = RegionCode::parse("430102").unwrap();
        let province = RegionCode::parse("430000").unwrap();
        assert!(city.covers(&county));
        assert!(city.covers(&city));
        assert!(!city.covers(&other_city_county));
        assert!(province.covers(&other_city_county));
        assert!(!county.covers(&city));
    }

    #[test]
    fn subtree_filters() {
        assert_eq!(subtree_filter_prefix("4304").unwrap(), "4304");
        assert_eq!(subtree_filter_prefix("430400").unwrap(), "4304");
        assert_eq!(subtree_filter_prefix("43").unwrap(), "43");
        assert_eq!(subtree_filter_prefix("430424").unwrap(), "430424");
        assert!(subtree_filter_prefix("430").is_err());
        assert!(subtree_filter_prefix("0004").is_err());
        assert_eq!(subtree_filter_prefix("000000").unwrap(), "");
        assert!(subtree_filter_prefix("00").is_err());
    }

    #[test]
    fn the_national_scope() {
        let national = RegionCode::parse_scope("000000").unwrap();
        assert!(national.is_national());
        assert_eq!(national.level(), RegionLevel::National);
        assert_eq!(national.subtree_prefix(), "");
        assert_eq!(national.parent(), None);
        assert!(national.covers(&RegionCode::parse("420102").unwrap()));
        assert!(national.covers(&national));
        assert!(!RegionCode::parse("430000").unwrap().covers(&national));
        // Stored regions never take it.
        assert_eq!(RegionCode::parse("000000"), Err(CodeError::NoProvince));
        assert!(RegionCode::parse_scope("000424").is_err());
        let chain: Vec<String> = RegionCode::parse("430424")
            .unwrap()
            .up_to_national()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(chain, ["430424", "430400", "430000", "000000"]);
        assert_eq!(national.up_to_national(), vec![national.clone()]);
    }

    #[test]
    fn shape_checks() {
        let c = RegionCode::parse("430424").unwrap();
        assert!(check_shape(&c, Some(RegionLevel::County), Some("430400")).is_empty());
        assert!(check_shape(&c, None, None).is_empty());
        assert_eq!(
            check_shape(&c, Some(RegionLevel::City), Some("430000")).len(),
            2
        );
    }

    proptest! {
        #[test]
        fn parent_covers_child(p in 11u32..=82, c in 1u32..=99, n in 1u32..=99) {
            let code = RegionCode::parse(&format!("{p:02}{c:02}{n:02}")).unwrap();
            let parent = code.parent().unwrap();
            let grand = parent.parent().unwrap();
            prop_assert!(parent.covers(&code));
            prop_assert!(grand.covers(&parent) && grand.covers(&code));
            prop_assert!(grand.parent().is_none());
            prop_assert_eq!(grand.level(), RegionLevel::Province);
        }
    }
}
