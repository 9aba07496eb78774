//! The indicator tree (一级 / 二级 指标) and the recognition of names as people write them.
//!
//! Accepted variants: whitespace anywhere (`数量 指标`), full-width characters, a group weight
//! written after a level-1 name (`成本指标（20分）`, `效益指标(20分)`), the name without the
//! trailing `指标` (`数量`), and the snake_case enum names (`quantity`). Anything else is unknown
//! and reported with the list of allowed names and, where one is close, a suggestion
//! (`生态环境指标` → `生态环境成本指标`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money;

/// 一级指标.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level1 {
    /// 成本指标
    Cost,
    /// 产出指标
    Output,
    /// 效益指标
    Benefit,
    /// 满意度指标
    Satisfaction,
}

impl Level1 {
    /// Every level-1 name.
    pub const ALL: [Level1; 4] = [
        Level1::Cost,
        Level1::Output,
        Level1::Benefit,
        Level1::Satisfaction,
    ];

    /// Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            Level1::Cost => "成本指标",
            Level1::Output => "产出指标",
            Level1::Benefit => "效益指标",
            Level1::Satisfaction => "满意度指标",
        }
    }

    /// English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Level1::Cost => "cost",
            Level1::Output => "output",
            Level1::Benefit => "benefit",
            Level1::Satisfaction => "satisfaction",
        }
    }

    /// The level-2 names allowed under this level-1 name (成本指标 under 产出 included; whether
    /// it is accepted depends on the rule set's tree shape).
    pub fn children(self) -> &'static [Level2] {
        match self {
            Level1::Cost => &[
                Level2::EconomicCost,
                Level2::SocialCost,
                Level2::EcologicalCost,
            ],
            Level1::Output => &[
                Level2::Quantity,
                Level2::Quality,
                Level2::Timeliness,
                Level2::OutputCost,
            ],
            Level1::Benefit => &[
                Level2::EconomicBenefit,
                Level2::SocialBenefit,
                Level2::EcologicalBenefit,
                Level2::Sustainability,
            ],
            Level1::Satisfaction => &[Level2::ServiceSatisfaction],
        }
    }
}

/// 二级指标.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level2 {
    /// 经济成本指标
    EconomicCost,
    /// 社会成本指标
    SocialCost,
    /// 生态环境成本指标
    EcologicalCost,
    /// 数量指标
    Quantity,
    /// 质量指标
    Quality,
    /// 时效指标
    Timeliness,
    /// 成本指标 (as a child of 产出指标, the older shape)
    OutputCost,
    /// 经济效益指标
    EconomicBenefit,
    /// 社会效益指标
    SocialBenefit,
    /// 生态效益指标
    EcologicalBenefit,
    /// 可持续影响指标
    Sustainability,
    /// 服务对象满意度指标
    ServiceSatisfaction,
}

impl Level2 {
    /// Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            Level2::EconomicCost => "经济成本指标",
            Level2::SocialCost => "社会成本指标",
            Level2::EcologicalCost => "生态环境成本指标",
            Level2::Quantity => "数量指标",
            Level2::Quality => "质量指标",
            Level2::Timeliness => "时效指标",
            Level2::OutputCost => "成本指标",
            Level2::EconomicBenefit => "经济效益指标",
            Level2::SocialBenefit => "社会效益指标",
            Level2::EcologicalBenefit => "生态效益指标",
            Level2::Sustainability => "可持续影响指标",
            Level2::ServiceSatisfaction => "服务对象满意度指标",
        }
    }

    /// The snake_case name.
    pub fn label_en(self) -> &'static str {
        match self {
            Level2::EconomicCost => "economic_cost",
            Level2::SocialCost => "social_cost",
            Level2::EcologicalCost => "ecological_cost",
            Level2::Quantity => "quantity",
            Level2::Quality => "quality",
            Level2::Timeliness => "timeliness",
            Level2::OutputCost => "output_cost",
            Level2::EconomicBenefit => "economic_benefit",
            Level2::SocialBenefit => "social_benefit",
            Level2::EcologicalBenefit => "ecological_benefit",
            Level2::Sustainability => "sustainability",
            Level2::ServiceSatisfaction => "service_satisfaction",
        }
    }
}

/// A level-1 name as written: the name and the group weight written after it, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level1Name {
    pub level1: Level1,
    /// `20` from `成本指标（20分）`.
    pub header_weight: Option<Decimal>,
}

/// An unknown name with the allowed ones and the closest suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownName {
    pub written: String,
    pub allowed: Vec<String>,
    pub suggestion: Option<String>,
}

fn squash(text: &str) -> String {
    money::normalize_width(&super::text::to_simplified(text))
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

/// Splits `成本指标(20分)` into (`成本指标`, Some(20)).
fn split_header_weight(text: &str) -> (String, Option<Decimal>) {
    if let Some(open) = text.find('(')
        && let Some(inner) = text[open + 1..].strip_suffix(')')
    {
        let number = inner.strip_suffix('分').unwrap_or(inner);
        if let Ok(weight) = money::parse_decimal(number) {
            return (text[..open].to_string(), Some(weight));
        }
    }
    (text.to_string(), None)
}

fn same_name(written: &str, zh: &str, en: &str) -> bool {
    written == zh
        || written.eq_ignore_ascii_case(en)
        || zh
            .strip_suffix("指标")
            .is_some_and(|short| written == short)
}

/// Longest common subsequence length, to suggest the closest allowed name.
fn lcs(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            table[i][j] = if a[i - 1] == b[j - 1] {
                table[i - 1][j - 1] + 1
            } else {
                table[i - 1][j].max(table[i][j - 1])
            };
        }
    }
    table[a.len()][b.len()]
}

fn suggest(written: &str, allowed: &[&'static str]) -> Option<String> {
    let core = written.trim_end_matches("指标");
    let best = allowed
        .iter()
        .map(|name| (lcs(core, name.trim_end_matches("指标")), *name))
        .max_by_key(|(score, _)| *score)?;
    // A suggestion only when most of the written name is found in the allowed one.
    let written_len = core.chars().count();
    (best.0 >= 2 && best.0 * 3 >= written_len * 2).then(|| best.1.to_string())
}

/// The level-1 group a name is (with the points a header prints), without suggesting anything
/// for a name it is not: for reads, where only the answer matters.
pub fn recognise_level1(text: &str) -> Option<Level1Name> {
    let (name, header_weight) = split_header_weight(&squash(text));
    Level1::ALL
        .into_iter()
        .find(|l| same_name(&name, l.label_zh(), l.label_en()))
        .map(|level1| Level1Name {
            level1,
            header_weight,
        })
}

/// Recognises a level-1 name; for one it does not, the closest allowed name.
pub fn parse_level1(text: &str) -> Result<Level1Name, UnknownName> {
    if let Some(known) = recognise_level1(text) {
        return Ok(known);
    }
    let (name, _) = split_header_weight(&squash(text));
    let allowed: Vec<&'static str> = Level1::ALL.iter().map(|l| l.label_zh()).collect();
    Err(UnknownName {
        written: text.trim().to_string(),
        suggestion: suggest(&name, &allowed),
        allowed: allowed.into_iter().map(str::to_string).collect(),
    })
}

/// Recognises a level-2 name under a level-1 name.
pub fn parse_level2(text: &str, level1: Level1) -> Result<Level2, UnknownName> {
    let (name, _) = split_header_weight(&squash(text));
    for level2 in level1.children() {
        if same_name(&name, level2.label_zh(), level2.label_en()) {
            return Ok(*level2);
        }
    }
    let allowed: Vec<&'static str> = level1.children().iter().map(|l| l.label_zh()).collect();
    Err(UnknownName {
        written: text.trim().to_string(),
        suggestion: suggest(&name, &allowed),
        allowed: allowed.into_iter().map(str::to_string).collect(),
    })
}

/// A level-1 name in a variant form real tables use (`效果指标` for 效益指标), read as the
/// standard node.
pub fn level1_variant(text: &str) -> Option<Level1Name> {
    let (name, header_weight) = split_header_weight(&squash(text));
    let level1 = match name.as_str() {
        "效果指标" | "效果" | "效益" => Level1::Benefit,
        "产出" | "产出数量指标" => Level1::Output,
        "满意度" | "满意指标" | "服务对象满意度指标" => Level1::Satisfaction,
        _ => return None,
    };
    Some(Level1Name {
        level1,
        header_weight,
    })
}

/// A level-1 cell that prints only the group's points (`(50分)`) or nothing: the name is read
/// from the level-2 name, when exactly one level-1 group has that child.
pub fn level1_from_level2(level1_text: &str, level2_text: &str) -> Option<Level1Name> {
    let (name, header_weight) = split_header_weight(&squash(level1_text));
    if !name.is_empty() {
        return None;
    }
    let mut found = Level1::ALL.iter().filter(|l1| {
        parse_level2(level2_text, **l1).is_ok() || level2_variant(level2_text, **l1).is_some()
    });
    let level1 = *found.next()?;
    found.next().is_none().then_some(Level1Name {
        level1,
        header_weight,
    })
}

/// A level-2 name in a variant form real tables use, read as the standard node under `level1`:
/// any 满意度 label under 满意度指标 (`满意度指标`, `群众满意度指标`, `社会公众满意度指标`), typos and
/// near-forms such as `日效性指标` / `时效性指标` for 时效指标.
pub fn level2_variant(text: &str, level1: Level1) -> Option<Level2> {
    let (name, _) = split_header_weight(&squash(text));
    let core = name.trim_end_matches('等');
    match level1 {
        Level1::Satisfaction if core.contains("满意") => Some(Level2::ServiceSatisfaction),
        Level1::Output => match core {
            "时效性指标" | "日效性指标" | "时效性" | "日效指标" | "时限指标" | "进度指标" => {
                Some(Level2::Timeliness)
            }
            "数量性指标" | "产出数量指标" => Some(Level2::Quantity),
            "质量性指标" | "产出质量指标" => Some(Level2::Quality),
            "产出成本指标" | "经济成本指标" | "社会成本指标" | "生态环境成本指标" | "成本" => {
                Some(Level2::OutputCost)
            }
            _ => None,
        },
        Level1::Benefit => match core {
            "生态环境效益指标" | "环境效益指标" | "生态效益" | "生态环境效益" => {
                Some(Level2::EcologicalBenefit)
            }
            "可持续发展指标" | "可持续影响" | "可持续性影响指标" | "可持续指标" => {
                Some(Level2::Sustainability)
            }
            "社会效应指标" => Some(Level2::SocialBenefit),
            "经济效应指标" => Some(Level2::EconomicBenefit),
            _ => None,
        },
        Level1::Cost => match core {
            "生态成本指标" | "环境成本指标" => Some(Level2::EcologicalCost),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn level1_names() {
        let cases = [
            ("成本指标", Some((Level1::Cost, None))),
            ("成本指标\n\n（20分）", Some((Level1::Cost, Some(dec!(20))))),
            ("效益指标(20分)", Some((Level1::Benefit, Some(dec!(20))))),
            (
                "满意度指标（10分）",
                Some((Level1::Satisfaction, Some(dec!(10)))),
            ),
            ("产出", Some((Level1::Output, None))),
            ("output", Some((Level1::Output, None))),
            ("绩效指标", None),
        ];
        for (text, expected) in cases {
            let got = parse_level1(text).ok().map(|n| (n.level1, n.header_weight));
            assert_eq!(got, expected, "{text}");
        }
    }

    #[test]
    fn label_variants_map_to_their_node() {
        for (text, level1, expected) in [
            (
                "满意度指标",
                Level1::Satisfaction,
                Level2::ServiceSatisfaction,
            ),
            (
                "群众满意度指标",
                Level1::Satisfaction,
                Level2::ServiceSatisfaction,
            ),
            (
                "服务对象满意度指标等",
                Level1::Satisfaction,
                Level2::ServiceSatisfaction,
            ),
            ("日效性指标", Level1::Output, Level2::Timeliness),
            ("时效性 指标", Level1::Output, Level2::Timeliness),
            (
                "生态环境效益指标",
                Level1::Benefit,
                Level2::EcologicalBenefit,
            ),
        ] {
            assert!(
                parse_level2(text, level1).is_err(),
                "{text} is not standard"
            );
            assert_eq!(level2_variant(text, level1), Some(expected), "{text}");
        }
        assert_eq!(level2_variant("数量指标", Level1::Benefit), None);
        assert_eq!(level2_variant("满意度指标", Level1::Output), None);
        assert_eq!(
            level1_variant("效果指标（30分）").map(|n| (n.level1, n.header_weight)),
            Some((Level1::Benefit, Some(dec!(30))))
        );
        assert!(level1_variant("绩效指标").is_none());
    }

    #[test]
    fn level1_is_read_from_level2_when_only_points_are_printed() {
        let name = level1_from_level2("(50分)", "数量指标").map(|n| (n.level1, n.header_weight));
        assert_eq!(name, Some((Level1::Output, Some(dec!(50)))));
        let name = level1_from_level2("（30分）", "可持续影响指标").map(|n| n.level1);
        assert_eq!(name, Some(Level1::Benefit));
        assert_eq!(
            level1_from_level2("", "服务对象满意度指标").map(|n| n.level1),
            Some(Level1::Satisfaction)
        );
        // A printed name is not guessed over, and an unknown level 2 gives nothing.
        assert!(level1_from_level2("产出指标", "数量指标").is_none());
        assert!(level1_from_level2("(50分)", "其他").is_none());
    }

    #[test]
    fn level2_names() {
        assert_eq!(
            parse_level2("数量 指标", Level1::Output),
            Ok(Level2::Quantity)
        );
        assert_eq!(
            parse_level2("时效 指标", Level1::Output),
            Ok(Level2::Timeliness)
        );
        assert_eq!(
            parse_level2("成本指标", Level1::Output),
            Ok(Level2::OutputCost)
        );
        assert_eq!(
            parse_level2("服务对象满意度指标", Level1::Satisfaction),
            Ok(Level2::ServiceSatisfaction)
        );
        assert_eq!(parse_level2("quality", Level1::Output), Ok(Level2::Quality));
        let err = parse_level2("生态环境指标", Level1::Cost).err();
        assert_eq!(
            err.as_ref().and_then(|e| e.suggestion.clone()),
            Some("生态环境成本指标".to_string())
        );
        assert_eq!(err.map(|e| e.allowed.len()), Some(3));
        // A level-2 name of another group is unknown here.
        assert!(parse_level2("数量指标", Level1::Benefit).is_err());
        assert_eq!(
            parse_level2("完全不相干", Level1::Benefit)
                .err()
                .and_then(|e| e.suggestion),
            None
        );
    }
}
