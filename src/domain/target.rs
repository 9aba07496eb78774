//! Target (年度指标值) and actual value (实际完成值) parsing.
//!
//! Text as people write it in real tables becomes one of:
//!
//! * **quantitative**: comparator (≥ > = ≤ <), exact decimal value, optional unit and an
//!   optional label written before the number (`优良率100%` → label `优良率`, ≥ 100 %);
//! * **period**: a real date range (`2024.1.1-2024.12.31`, `2024年全年`, `2024年`);
//! * **duration**: a bare time span such as `1年`, `6个月`, `30天`, `1年内`.
//!   Choice: a bare time span with no comparator and no indicator direction is a *time limit*
//!   ("done within one year"), scored like `≤`; written with a comparator (`≥3年`, a service
//!   life) or with an indicator direction it is an ordinary quantity with unit 年/月/天;
//! * **qualitative** (定性): everything else, kept as written. Anything that is not understood
//!   is qualitative, never a guess (two numbers, a number followed by words that are not a known
//!   unit, approximate wording such as `左右`, …).
//!
//! Units are normalised: `万`, `万元`, `元`, `千元`, `亿元` are money and convert to 万元
//! (`72890元` → 7.289 万元); `%` stays `%`; `年`/`月`/`天` are time units; a closed list of measure
//! words (条, 个, 次, 人, 吨, μg/m³, …) is kept as written. Full-width digits and punctuation
//! and the comparator variants `>=`, `≧`, `﹦`, `不低于`, `不高于`, `以上`, `以内`… are accepted.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money;

/// A comparison written in a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// ≥
    Ge,
    /// >
    Gt,
    /// =
    Eq,
    /// ≤
    Le,
    /// <
    Lt,
}

impl Comparator {
    /// The mathematical symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Ge => "≥",
            Comparator::Gt => ">",
            Comparator::Eq => "=",
            Comparator::Le => "≤",
            Comparator::Lt => "<",
        }
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Comparator::Ge => "不低于",
            Comparator::Gt => "高于",
            Comparator::Eq => "等于",
            Comparator::Le => "不高于",
            Comparator::Lt => "低于",
        }
    }

    /// Whether the comparator means "lower is better".
    pub fn is_lower_better(self) -> bool {
        matches!(self, Comparator::Le | Comparator::Lt)
    }
}

/// Which way an indicator improves; a bare number in a target takes its comparator from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is better (正向指标): a bare number means `≥`.
    Higher,
    /// Lower is better (反向指标): a bare number means `≤`.
    Lower,
}

impl Direction {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Direction::Higher => "正向指标（越高越好）",
            Direction::Lower => "反向指标（越低越好）",
        }
    }

    fn comparator(self) -> Comparator {
        match self {
            Direction::Higher => Comparator::Ge,
            Direction::Lower => Comparator::Le,
        }
    }
}

/// A normalised unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// %
    Percent,
    /// 万元 (every money unit converts to it)
    WanYuan,
    /// 年
    Year,
    /// 月 / 个月
    Month,
    /// 天 / 日
    Day,
    /// Another measure word from the accepted list, as normalised text (条, 个, μg/m³, 次/年, …).
    Other(String),
}

impl Unit {
    /// The unit as displayed.
    pub fn symbol(&self) -> &str {
        match self {
            Unit::Percent => "%",
            Unit::WanYuan => "万元",
            Unit::Year => "年",
            Unit::Month => "个月",
            Unit::Day => "天",
            Unit::Other(s) => s,
        }
    }

    /// Chinese label (the symbol itself for measure words).
    pub fn label_zh(&self) -> &str {
        match self {
            Unit::Percent => "百分比",
            Unit::WanYuan => "万元",
            Unit::Year => "年",
            Unit::Month => "月",
            Unit::Day => "天",
            Unit::Other(s) => s,
        }
    }

    /// Whether this is a time unit (年, 月, 天).
    pub fn is_time(&self) -> bool {
        matches!(self, Unit::Year | Unit::Month | Unit::Day)
    }
}

/// A parsed target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Parsed {
    /// A number with a comparator.
    Quantitative {
        comparator: Comparator,
        /// true when the comparator was not written and came from the direction (or the `≥` default).
        implicit_comparator: bool,
        value: Decimal,
        unit: Option<Unit>,
        label: Option<String>,
    },
    /// A real date range (inclusive).
    Period { start: NaiveDate, end: NaiveDate },
    /// A time limit (`1年`, `6个月`, `30天`): done within this span.
    Duration { value: Decimal, unit: Unit },
    /// Text shaped like a date or date range that is not a real calendar date (`2024.2.30`).
    InvalidDate { text: String },
    /// Free text (定性).
    Qualitative { text: String },
}

/// `label comparator value unit`, each part that is there, separated by spaces.
fn quantity_text(
    label: Option<&str>,
    comparator: Option<Comparator>,
    value: Decimal,
    unit: Option<&Unit>,
) -> String {
    let value = money::show(value);
    [
        label,
        comparator.map(Comparator::symbol),
        Some(value.as_str()),
        unit.map(Unit::symbol),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

impl Parsed {
    /// The normalised parsed form, e.g. `≥ 95 %`, `优良率 ≥ 100 %`, `2024-01-01 – 2024-12-31`.
    pub fn display(&self) -> String {
        match self {
            Parsed::Quantitative {
                comparator,
                value,
                unit,
                label,
                ..
            } => quantity_text(label.as_deref(), Some(*comparator), *value, unit.as_ref()),
            Parsed::Period { start, end } => format!("{start} – {end}"),
            Parsed::Duration { value, unit } => {
                format!("≤ {} {} (time limit)", money::show(*value), unit.symbol())
            }
            Parsed::InvalidDate { text } => format!("invalid date “{text}”"),
            Parsed::Qualitative { text } => format!("qualitative “{text}”"),
        }
    }

    /// Kind label in Chinese.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Parsed::Quantitative { .. } => "定量",
            Parsed::Period { .. } => "时间段",
            Parsed::Duration { .. } => "时限",
            Parsed::InvalidDate { .. } => "无效日期",
            Parsed::Qualitative { .. } => "定性",
        }
    }
}

/// The three achievement grades of a qualitative indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AchievementGrade {
    /// 达成年度指标
    Achieved,
    /// 部分达成年度指标并具有一定效果
    Partly,
    /// 未达成年度指标且效果较差
    NotAchieved,
}

impl AchievementGrade {
    /// The official Chinese wording.
    pub fn label_zh(self) -> &'static str {
        match self {
            AchievementGrade::Achieved => "达成年度指标",
            AchievementGrade::Partly => "部分达成年度指标并具有一定效果",
            AchievementGrade::NotAchieved => "未达成年度指标且效果较差",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            AchievementGrade::Achieved => "achieved",
            AchievementGrade::Partly => "partly achieved",
            AchievementGrade::NotAchieved => "not achieved",
        }
    }
}

/// How a grade was worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeWording {
    /// The official wording (达成年度指标 …).
    Formal,
    /// The short form (达成 / 部分达成 / 未达成).
    Short,
    /// The 预期 wording (达到预期 / 部分达到预期 / 未达到预期).
    Expected,
    /// Everyday wording from the rule set's achievement vocabulary (已完成, 达标, 通过, 满意, 有效改善,
    /// 未完成 …), accepted with a note.
    Informal,
    /// The actual repeats the target as written: read as achieved.
    RepeatsTarget,
}

/// One entry of an achievement vocabulary: a wording real tables use and the grade a reviewer
/// reads it as. The vocabulary is data: every rule set carries one, and administrators extend it
/// by adding a rule-set version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Wording {
    pub text: String,
    pub grade: AchievementGrade,
}

/// The wordings reviewers accept (formats.md, "Achievement wordings"), the vocabulary of the
/// built-in rule sets and of any rule set that does not give its own.
pub fn default_vocabulary() -> Vec<Wording> {
    use AchievementGrade::*;
    let entry = |grade: AchievementGrade| {
        move |text: &&str| Wording {
            text: (*text).to_string(),
            grade,
        }
    };
    ACHIEVED_WORDS
        .iter()
        .map(entry(Achieved))
        .chain(PARTLY_WORDS.iter().map(entry(Partly)))
        .chain(NOT_ACHIEVED_WORDS.iter().map(entry(NotAchieved)))
        .collect()
}

/// The default wordings of achieved (达成).
const ACHIEVED_WORDS: &[&str] = &[
    "完成",
    "已完成",
    "全部完成",
    "已全部完成",
    "全面完成",
    "按时完成",
    "按期完成",
    "如期完成",
    "达标",
    "已达标",
    "通过",
    "已通过",
    "合格",
    "满意",
    "较满意",
    "非常满意",
    "有效",
    "有效改善",
    "有效提升",
    "有效提高",
    "明显提升",
    "明显提高",
    "明显改善",
    "效果明显",
    "效果显著",
    "显著",
    "合规",
    "良好",
    "较好",
    "好",
    "是",
    "符合",
    "符合要求",
    "达到",
    "达到要求",
    "已落实",
    "落实",
    "持续",
    "长期",
    "提升",
    "提高",
    "改善",
    "逐步提升",
    "逐步提高",
    "逐步改善",
];

/// The default wordings of partly achieved (部分达成).
const PARTLY_WORDS: &[&str] = &[
    "部分完成",
    "基本完成",
    "基本满意",
    "基本达标",
    "基本达到",
    "基本合格",
    "部分达标",
    "一般",
];

/// The default wordings of not achieved (未达成).
const NOT_ACHIEVED_WORDS: &[&str] = &[
    "未完成",
    "未达标",
    "不满意",
    "不合格",
    "未通过",
    "未达到",
    "否",
    "无效",
];

/// A parsed actual value (实际完成值), interpreted against its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actual {
    /// Nothing written.
    Missing,
    /// A measured number (money converted to 万元).
    Measured {
        value: Decimal,
        unit: Option<Unit>,
        label: Option<String>,
    },
    /// A real date range.
    Period { start: NaiveDate, end: NaiveDate },
    /// A time span.
    Duration { value: Decimal, unit: Unit },
    /// Shaped like a date but not a real calendar date.
    InvalidDate { text: String },
    /// One of the three achievement grades (qualitative targets).
    Grade {
        grade: AchievementGrade,
        wording: GradeWording,
    },
    /// Not a measured value for a quantitative or time target (`已达标`, `已完成`, `≥`, `≥90%`,
    /// free text). `implied_grade` is the grade the words claim, if any.
    NotMeasured {
        text: String,
        implied_grade: Option<AchievementGrade>,
    },
    /// Free text for a qualitative target that is not one of the three grades (`有效节约`).
    Unrecognized { text: String },
}

impl Actual {
    /// The normalised parsed form.
    pub fn display(&self) -> String {
        match self {
            Actual::Missing => "(missing)".to_string(),
            Actual::Measured { value, unit, label } => {
                quantity_text(label.as_deref(), None, *value, unit.as_ref())
            }
            Actual::Period { start, end } => format!("{start} – {end}"),
            Actual::Duration { value, unit } => {
                format!("{} {}", money::show(*value), unit.symbol())
            }
            Actual::InvalidDate { text } => format!("invalid date “{text}”"),
            Actual::Grade { grade, .. } => format!("{} ({})", grade.label_zh(), grade.label_en()),
            Actual::NotMeasured { text, .. } => format!("not a measured value “{text}”"),
            Actual::Unrecognized { text } => format!("not a grade “{text}”"),
        }
    }
}

/// Normalises width, comparator variants and removes whitespace.
fn normalize(text: &str) -> String {
    let s = money::normalize_width(&super::text::to_simplified(text));
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let mapped = match c {
            '≧' | '⩾' => '≥',
            '≦' | '⩽' => '≤',
            '﹦' | '＝' | '═' | '〓' => '=',
            '＞' | '﹥' => '>',
            '＜' | '﹤' => '<',
            '％' => '%',
            '：' => ':',
            '～' => '~',
            '／' => '/',
            other => other,
        };
        if mapped.is_whitespace() {
            continue;
        }
        out.push(mapped);
    }
    // Most texts hold neither an `=` nor a unit to rewrite: they skip the five passes.
    if !out.contains('=') && !out.contains("g/m3") {
        return out;
    }
    out.replace(">=", "≥")
        .replace("g/m3", "g/m³")
        .replace("=>", "≥")
        .replace("<=", "≤")
        .replace("=<", "≤")
}

fn symbol_comparator(c: char) -> Option<Comparator> {
    match c {
        '≥' => Some(Comparator::Ge),
        '>' => Some(Comparator::Gt),
        '=' => Some(Comparator::Eq),
        '≤' => Some(Comparator::Le),
        '<' => Some(Comparator::Lt),
        _ => None,
    }
}

/// Comparator words written before the number (longest first).
const PREFIX_WORDS: &[(&str, Comparator)] = &[
    ("大于或等于", Comparator::Ge),
    ("小于或等于", Comparator::Le),
    ("大于等于", Comparator::Ge),
    ("小于等于", Comparator::Le),
    ("不低于", Comparator::Ge),
    ("不少于", Comparator::Ge),
    ("不小于", Comparator::Ge),
    ("不高于", Comparator::Le),
    ("不超过", Comparator::Le),
    ("不多于", Comparator::Le),
    ("不大于", Comparator::Le),
    ("控制在", Comparator::Le),
    ("至少", Comparator::Ge),
    ("达到", Comparator::Ge),
    ("超过", Comparator::Gt),
    ("高于", Comparator::Gt),
    ("大于", Comparator::Gt),
    ("多于", Comparator::Gt),
    ("低于", Comparator::Lt),
    ("小于", Comparator::Lt),
    ("少于", Comparator::Lt),
    ("等于", Comparator::Eq),
    ("至多", Comparator::Le),
    ("达", Comparator::Ge),
];

/// Comparator words written after the unit (longest first). `within` marks 内 / 以内.
const SUFFIX_WORDS: &[(&str, Comparator, bool)] = &[
    ("及以上", Comparator::Ge, false),
    ("及以下", Comparator::Le, false),
    ("以上", Comparator::Ge, false),
    ("以下", Comparator::Le, false),
    ("以内", Comparator::Le, true),
    ("之内", Comparator::Le, true),
    ("内", Comparator::Le, true),
];

/// Measure words accepted as units (besides money, %, and time units).
const MEASURE_WORDS: &[&str] = &[
    "条",
    "个",
    "项",
    "次",
    "人",
    "人次",
    "台",
    "台次",
    "辆",
    "家",
    "户",
    "户次",
    "座",
    "处",
    "件",
    "份",
    "套",
    "批",
    "批次",
    "吨",
    "千克",
    "公斤",
    "kg",
    "t",
    "公里",
    "km",
    "千米",
    "米",
    "m",
    "平方米",
    "m²",
    "㎡",
    "亩",
    "公顷",
    "株",
    "棵",
    "场",
    "期",
    "篇",
    "本",
    "册",
    "张",
    "所",
    "名",
    "位",
    "起",
    "宗",
    "例",
    "个百分点",
    "百分点",
    "小时",
    "分钟",
    "周",
    "季度",
    "μg/m³",
    "mg/m³",
    "mg/L",
    "立方米",
    "m³",
    "千瓦",
    "kW",
    "兆瓦",
    "千瓦时",
    "度",
    "分",
    "工作日",
    "类",
    "级",
    "倍",
    "种",
    "个月",
];

fn unit_from_text(unit: &str) -> Option<(Option<Unit>, Decimal)> {
    // Returns the unit and the multiplier to convert the value into it.
    let one = Decimal::ONE;
    let result = match unit {
        "" => (None, one),
        "%" => (Some(Unit::Percent), one),
        "万" | "万元" => (Some(Unit::WanYuan), one),
        "元" => (Some(Unit::WanYuan), Decimal::new(1, 4)),
        "千元" => (Some(Unit::WanYuan), Decimal::new(1, 1)),
        "亿" | "亿元" => (Some(Unit::WanYuan), Decimal::new(10_000, 0)),
        "年" => (Some(Unit::Year), one),
        "月" | "个月" => (Some(Unit::Month), one),
        "天" | "日" => (Some(Unit::Day), one),
        "μg/m³" | "µg/m³" | "ug/m³" | "微克/立方米" => {
            (Some(Unit::Other("μg/m³".to_string())), one)
        }
        "mg/m³" | "毫克/立方米" => (Some(Unit::Other("mg/m³".to_string())), one),
        "百分比" | "百分率" => (Some(Unit::Percent), one),
        other => {
            let known =
                |w: &str| MEASURE_WORDS.contains(&w) || matches!(w, "年" | "月" | "天" | "日");
            if let Some(canonical) = synonym(other) {
                (Some(Unit::Other(canonical.to_string())), one)
            } else if MEASURE_WORDS.contains(&other) {
                (Some(Unit::Other(other.to_string())), one)
            } else if let Some(base) = other.strip_prefix('万')
                && let Some((Some(unit), factor)) = unit_from_text(base)
                && !matches!(unit, Unit::Percent | Unit::WanYuan)
                && !unit.is_time()
            {
                // 万人, 万亩, 万平方米, 万吨: ten thousand of the base unit.
                (Some(unit), factor.checked_mul(Decimal::new(10_000, 0))?)
            } else if let Some((a, b)) = other.split_once('/') {
                if known(a) && known(b) {
                    (Some(Unit::Other(other.to_string())), one)
                } else {
                    return None;
                }
            } else {
                return None;
            }
        }
    };
    Some(result)
}

/// Spellings of one measure that convert 1:1 (`km` = `公里` = `千米`), with the spelling used.
fn synonym(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "公里" | "km" | "千米" => "公里",
        "平方米" | "m²" | "㎡" | "m2" => "平方米",
        "立方米" | "m³" | "m3" => "立方米",
        "吨" | "t" => "吨",
        "千克" | "公斤" | "kg" => "千克",
        "千瓦" | "kW" | "kw" => "千瓦",
        "米" | "m" => "米",
        _ => return None,
    })
}

/// The pieces of a quantity found in text.
#[derive(Debug, Clone, PartialEq)]
struct Quantity {
    label: Option<String>,
    comparator: Option<Comparator>,
    within: bool,
    value: Decimal,
    unit: Option<Unit>,
    /// The unit as written, before conversion.
    unit_text: Option<String>,
}

/// Reads a number at `i` (digits, one optional `.`, thousands commas followed by 3 digits).
fn read_number(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut i = start;
    let mut text = String::new();
    let mut seen_dot = false;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            text.push(c);
            i += 1;
        } else if c == '.'
            && !seen_dot
            && i + 1 < chars.len()
            && chars[i + 1].is_ascii_digit()
            && !text.is_empty()
        {
            seen_dot = true;
            text.push(c);
            i += 1;
        } else if c == ','
            && !seen_dot
            && !text.is_empty()
            && chars
                .get(i + 1..i + 4)
                .is_some_and(|s| s.iter().all(|c| c.is_ascii_digit()))
            && !chars.get(i + 4).is_some_and(|c| c.is_ascii_digit())
        {
            i += 1;
        } else {
            break;
        }
    }
    if text.is_empty() {
        None
    } else {
        Some((text, i))
    }
}

fn strip_prefix_comparator(label: &str) -> (String, Option<Comparator>) {
    for (word, comparator) in PREFIX_WORDS {
        if let Some(rest) = label.strip_suffix(word) {
            return (rest.to_string(), Some(*comparator));
        }
    }
    (label.to_string(), None)
}

fn clean_label(label: &str) -> Option<String> {
    let trimmed = label.trim_end_matches([':', '为', '是']).trim();
    if trimmed.is_empty() {
        None
    } else {
        Some(trimmed.to_string())
    }
}

fn parse_quantity(s: &str) -> Option<Quantity> {
    let chars: Vec<char> = s.chars().collect();
    let (label_raw, symbol_cmp, number, after) = split_number(&chars)?;
    let rest: String = chars[after..].iter().collect();
    if rest.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let (label_text, word_cmp) = strip_prefix_comparator(&label_raw);
    let (unit_text, suffix_cmp, within) = strip_suffix_word(&rest);
    let comparator = agreed_comparator([symbol_cmp, word_cmp, suffix_cmp])?;
    if within && comparator != Some(Comparator::Le) {
        return None;
    }
    let (unit, factor) = unit_from_text(&unit_text)?;
    let value = money::parse_decimal(&number).ok()?.checked_mul(factor)?;
    Some(Quantity {
        label: clean_label(&label_text),
        comparator,
        within,
        value: value.normalize(),
        unit,
        unit_text: Some(unit_text),
    })
}

/// The text before the one number (the label), the comparator symbol right before it, the
/// number, and where the text after it begins. `None` when there is not exactly one number.
fn split_number(chars: &[char]) -> Option<(String, Option<Comparator>, String, usize)> {
    let symbols: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| symbol_comparator(**c).is_some())
        .map(|(i, _)| i)
        .collect();
    match symbols.as_slice() {
        [] => {
            let (start, num, end) = lone_number(chars)?;
            Some((chars[..start].iter().collect(), None, num, end))
        }
        [pos] => {
            let (num, end) = read_number(chars, pos + 1)?;
            Some((
                chars[..*pos].iter().collect(),
                symbol_comparator(chars[*pos]),
                num,
                end,
            ))
        }
        _ => None,
    }
}

/// The one number (start, text, end) that is not part of an ASCII name such as PM10 / PM2.5.
fn lone_number(chars: &[char]) -> Option<(usize, String, usize)> {
    let mut found: Vec<(usize, String, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let (num, end) = read_number(chars, i)?;
            let in_name = i > 0 && chars[i - 1].is_ascii_alphabetic();
            if !in_name {
                found.push((i, num, end));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The unit text with a trailing comparator word (`以上`, `以内`…) cut off, that word's
/// comparator, and whether it was a "within" word.
fn strip_suffix_word(rest: &str) -> (String, Option<Comparator>, bool) {
    for (word, comparator, is_within) in SUFFIX_WORDS {
        if let Some(stripped) = rest.strip_suffix(word) {
            return (stripped.to_string(), Some(*comparator), *is_within);
        }
    }
    (rest.to_string(), None, false)
}

/// The comparator the written ones agree on (`不低于95%以上` and the like: accept only when
/// they agree); `None` when they disagree, `Some(None)` when none is written.
fn agreed_comparator(written: [Option<Comparator>; 3]) -> Option<Option<Comparator>> {
    let written: Vec<Comparator> = written.into_iter().flatten().collect();
    match written.as_slice() {
        [] => Some(None),
        [c] => Some(Some(*c)),
        [a, rest @ ..] if rest.iter().all(|c| c == a) => Some(Some(*a)),
        _ => None,
    }
}

/// What a date-shaped text turned out to be.
#[derive(Debug, Clone, PartialEq)]
enum DateShape {
    Range(NaiveDate, NaiveDate),
    Invalid,
}

/// A date token: year, month, optional day, end index, and whether it is a plausible date
/// (a year of at least 3 digits; a day, or a 4-digit year, or the 年月 form).
struct DateToken {
    y: i32,
    m: u32,
    d: Option<u32>,
    end: usize,
    year_digits: usize,
    chinese: bool,
}

/// Reads `y sep m [sep d] [日]`.
fn read_date(chars: &[char], start: usize) -> Option<DateToken> {
    let t = read_date_raw(chars, start)?;
    let (y, m, d, end) = t;
    let year_digits = chars[start..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if year_digits < 3 || (d.is_none() && year_digits != 4) {
        return None;
    }
    Some(DateToken {
        y,
        m,
        d,
        end,
        year_digits,
        chinese: chars.get(start + year_digits) == Some(&'年'),
    })
}

fn read_date_raw(chars: &[char], start: usize) -> Option<(i32, u32, Option<u32>, usize)> {
    let digits = |from: usize, max: usize| -> Option<(u32, usize)> {
        let mut i = from;
        let mut v: u32 = 0;
        while i < chars.len() && chars[i].is_ascii_digit() && i - from < max {
            v = v * 10 + chars[i].to_digit(10)?;
            i += 1;
        }
        if i == from { None } else { Some((v, i)) }
    };
    let (y, i) = digits(start, 4)?;
    let sep1 = *chars.get(i)?;
    if !matches!(sep1, '.' | '/' | '-' | '年') {
        return None;
    }
    let (m, mut i) = digits(i + 1, 2)?;
    if sep1 == '年' {
        if chars.get(i) == Some(&'月') {
            i += 1;
        } else {
            return None;
        }
        if let Some((d, j)) = digits(i, 2) {
            let mut j = j;
            if matches!(chars.get(j), Some('日') | Some('号')) {
                j += 1;
                return Some((y as i32, m, Some(d), j));
            }
            return None;
        }
        return Some((y as i32, m, None, i));
    }
    if chars.get(i) == Some(&sep1)
        && let Some((d, j)) = digits(i + 1, 2)
    {
        let mut j = j;
        if matches!(chars.get(j), Some('日') | Some('号')) {
            j += 1;
        }
        return Some((y as i32, m, Some(d), j));
    }
    Some((y as i32, m, None, i))
}

fn month_end(y: i32, m: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

fn date_bounds(y: i32, m: u32, d: Option<u32>) -> Option<(NaiveDate, NaiveDate)> {
    match d {
        Some(d) => {
            let date = NaiveDate::from_ymd_opt(y, m, d)?;
            Some((date, date))
        }
        None => Some((NaiveDate::from_ymd_opt(y, m, 1)?, month_end(y, m)?)),
    }
}

fn is_range_separator(c: char) -> bool {
    matches!(c, '-' | '—' | '–' | '~' | '至' | '到' | '－')
}

fn parse_dates(s: &str) -> Option<DateShape> {
    let chars: Vec<char> = s.chars().collect();
    // Whole years: 2024年全年, 2024全年, 2024年度, 2024年.
    for suffix in ["年全年", "全年", "年度", "年"] {
        if let Some(year) = s.strip_suffix(suffix)
            && year.len() == 4
            && year.chars().all(|c| c.is_ascii_digit())
        {
            let y: i32 = year.parse().ok()?;
            return Some(
                match (
                    NaiveDate::from_ymd_opt(y, 1, 1),
                    NaiveDate::from_ymd_opt(y, 12, 31),
                ) {
                    (Some(a), Some(b)) => DateShape::Range(a, b),
                    _ => DateShape::Invalid,
                },
            );
        }
    }
    let first = read_date(&chars, 0)?;
    let (y1, m1, d1) = (first.y, first.m, first.d);
    let mut i = first.end;
    let rest: String = chars[i..].iter().collect();
    if i == chars.len() || matches!(rest.as_str(), "前" | "之前" | "底前" | "底") {
        // A single date, or a month written 2024年6月; a deadline when followed by 前.
        if d1.is_none() && !first.chinese {
            return None;
        }
        let deadline = i < chars.len();
        return Some(match date_bounds(y1, m1, d1) {
            Some((a, b)) if deadline => match NaiveDate::from_ymd_opt(y1, 1, 1) {
                Some(jan1) => DateShape::Range(jan1.min(a), b),
                None => DateShape::Invalid,
            },
            Some((a, b)) => DateShape::Range(a, b),
            None => DateShape::Invalid,
        });
    }
    if !is_range_separator(chars[i]) {
        return None;
    }
    while i < chars.len() && is_range_separator(chars[i]) {
        i += 1;
    }
    let second = read_date(&chars, i)?;
    if second.end != chars.len() || (first.year_digits != 4 && second.year_digits != 4) {
        return None;
    }
    Some(
        match (
            date_bounds(y1, m1, d1),
            date_bounds(second.y, second.m, second.d),
        ) {
            (Some((a, _)), Some((_, b))) => DateShape::Range(a, b),
            _ => DateShape::Invalid,
        },
    )
}

/// Dates written without a year (`9月前`, `11月底前`, `7月`, `12月31日前`) are in the fiscal
/// year: the year is put in front, so they parse as dates of that year.
pub fn with_year(text: &str, year: i32) -> String {
    let s = normalize(text);
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    let month_first = (1..=2).contains(&digits) && s[digits..].starts_with('月');
    if month_first && !s.contains('年') {
        format!("{year}年{s}")
    } else {
        text.to_string()
    }
}

/// Parses a target as written. `direction` gives a bare number its comparator (`≥` by default).
pub fn parse_target(text: &str, direction: Option<Direction>) -> Parsed {
    let s = normalize(text);
    if let Some(shape) = parse_dates(&s) {
        return match shape {
            DateShape::Range(start, end) => Parsed::Period { start, end },
            DateShape::Invalid => Parsed::InvalidDate {
                text: text.trim().to_string(),
            },
        };
    }
    if let Some(q) = parse_quantity(&s) {
        let time_limit = q.unit.as_ref().is_some_and(Unit::is_time)
            && (q.comparator.is_none() || q.within)
            && direction.is_none()
            && q.label.is_none();
        if time_limit && let Some(unit) = q.unit {
            return Parsed::Duration {
                value: q.value,
                unit,
            };
        }
        let (comparator, implicit) = match q.comparator {
            Some(c) => (c, false),
            None => (
                direction.map_or(Comparator::Ge, Direction::comparator),
                true,
            ),
        };
        return Parsed::Quantitative {
            comparator,
            implicit_comparator: implicit,
            value: q.value,
            unit: q.unit,
            label: q.label,
        };
    }
    Parsed::Qualitative {
        text: text.trim().to_string(),
    }
}

fn grade_key(text: &str) -> String {
    normalize(text)
        .trim_end_matches(['。', '.', '!', '！', ';', '；', ','])
        .to_string()
}

/// Recognises the three achievement grades: the official wordings (年度 and 预期 forms) and
/// their short forms, then the rule set's `vocabulary` of everyday wordings.
pub fn parse_grade(text: &str, vocabulary: &[Wording]) -> Option<(AchievementGrade, GradeWording)> {
    let s = grade_key(text);
    use AchievementGrade::*;
    use GradeWording::*;
    let table: &[(&str, AchievementGrade, GradeWording)] = &[
        ("达成年度指标", Achieved, Formal),
        ("部分达成年度指标并具有一定效果", Partly, Formal),
        ("部分达成年度指标", Partly, Formal),
        ("未达成年度指标且效果较差", NotAchieved, Formal),
        ("未达成年度指标", NotAchieved, Formal),
        ("达成", Achieved, Short),
        ("已达成", Achieved, Short),
        ("部分达成", Partly, Short),
        ("未达成", NotAchieved, Short),
        ("达成预期指标", Achieved, Expected),
        ("部分达成预期指标并具有一定效果", Partly, Expected),
        ("部分达成预期指标", Partly, Expected),
        ("未达成预期指标且效果较差", NotAchieved, Expected),
        ("未达成预期指标", NotAchieved, Expected),
        ("达到预期", Achieved, Expected),
        ("已达到预期", Achieved, Expected),
        ("达成预期", Achieved, Expected),
        ("达到预期目标", Achieved, Expected),
        ("达到预期指标", Achieved, Expected),
        ("符合预期", Achieved, Expected),
        ("部分达到预期", Partly, Expected),
        ("部分达成预期", Partly, Expected),
        ("未达到预期", NotAchieved, Expected),
        ("未达预期", NotAchieved, Expected),
    ];
    table
        .iter()
        .find(|(word, _, _)| *word == s)
        .map(|(_, g, w)| (*g, *w))
        .or_else(|| {
            vocabulary
                .iter()
                .find(|w| grade_key(&w.text) == s)
                .map(|w| (w.grade, Informal))
        })
}

/// What an actual is read against: its target as written and parsed, the unit of the target
/// (a bare actual number takes it), and the rule set's achievement vocabulary.
#[derive(Debug, Clone, Copy)]
pub struct ActualContext<'a> {
    pub target_text: &'a str,
    pub target: &'a Parsed,
    /// The target's unit as written (`元`, `万元`, `%`, `个`), from its own cell in the
    /// three-cell form or from the target text.
    pub unit: Option<&'a str>,
    pub vocabulary: &'a [Wording],
}

/// Whether `actual` repeats `target` as written (width, spaces and comparator spellings aside).
pub fn repeats_target(actual: &str, target: &str) -> bool {
    let a = grade_key(actual);
    !a.is_empty() && a == grade_key(target)
}

/// The unit of a quantitative target as written (`72890元` → `元`), when it has one.
pub fn unit_text(text: &str) -> Option<String> {
    let s = normalize(text);
    parse_quantity(&s)
        .and_then(|q| q.unit_text)
        .filter(|u| !u.is_empty())
}

/// Builds the target text from the three cells of the target-setting layout
/// (指标性质 | 指标值 | 度量单位): `≥` | `95` | `%` → `≥95%`. `定性` (or an empty 指标性质 with a
/// non-numeric value) keeps the value as qualitative text; `正向`/`反向` give no comparator.
pub fn compose_target(nature: &str, value: &str, unit: &str) -> String {
    let nature = normalize(nature);
    let value = value.trim();
    if nature.contains("定性") {
        return value.to_string();
    }
    let comparator = match nature.as_str() {
        "正向" | "正向指标" | "反向" | "反向指标" | "定量" => "",
        other => other,
    };
    format!("{comparator}{value}{}", clean_unit(unit))
}

/// A unit cell as printed (`%(百分比)`, `百分比`, `元/人`, `个`) reduced to the unit itself.
pub fn clean_unit(unit: &str) -> String {
    let u = normalize(unit);
    let u = match u.find('(') {
        Some(i) if i > 0 => u[..i].to_string(),
        _ => u,
    };
    match u.as_str() {
        "百分比" | "百分率" | "百分之" => "%".to_string(),
        "/" | "无" | "—" | "——" | "-" => String::new(),
        _ => u,
    }
}

/// Which way a three-cell 指标性质 says the indicator improves, when it says.
pub fn nature_direction(nature: &str) -> Option<Direction> {
    match normalize(nature).as_str() {
        "正向" | "正向指标" => Some(Direction::Higher),
        "反向" | "反向指标" => Some(Direction::Lower),
        _ => None,
    }
}

/// Parses an actual value against its target (see [`ActualContext`]).
///
/// A bare number takes the target's unit (`50000` against `72890` 元 is 5 万元); an actual that
/// repeats the target of a qualitative row reads as achieved.
pub fn parse_actual(text: &str, ctx: &ActualContext<'_>) -> Actual {
    let s = normalize(text);
    if s.is_empty() {
        return Actual::Missing;
    }
    let trimmed = text.trim().to_string();
    let vocabulary = ctx.vocabulary;
    let not_measured = |implied: Option<AchievementGrade>| Actual::NotMeasured {
        text: trimmed.clone(),
        implied_grade: implied,
    };
    match ctx.target {
        Parsed::Qualitative { .. } => match parse_grade(&s, vocabulary) {
            Some((grade, wording)) => Actual::Grade { grade, wording },
            None if repeats_target(text, ctx.target_text) => Actual::Grade {
                grade: AchievementGrade::Achieved,
                wording: GradeWording::RepeatsTarget,
            },
            None => Actual::Unrecognized { text: trimmed },
        },
        Parsed::Quantitative { .. } => {
            if parse_dates(&s).is_some() {
                return not_measured(None);
            }
            match parse_quantity(&s) {
                Some(q) if q.comparator.is_none() => {
                    if q.unit.is_none()
                        && q.unit_text.as_deref().is_none_or(str::is_empty)
                        && let Some((unit, factor)) =
                            ctx.unit.and_then(|u| unit_from_text(&clean_unit(u)))
                        && let Some(value) = q.value.checked_mul(factor)
                    {
                        return Actual::Measured {
                            value: value.normalize(),
                            unit,
                            label: q.label,
                        };
                    }
                    Actual::Measured {
                        value: q.value,
                        unit: q.unit,
                        label: q.label,
                    }
                }
                Some(_) => not_measured(None),
                None => not_measured(parse_grade(&s, vocabulary).map(|(g, _)| g)),
            }
        }
        Parsed::Period { .. } | Parsed::Duration { .. } | Parsed::InvalidDate { .. } => {
            if let Some(shape) = parse_dates(&s) {
                return match shape {
                    DateShape::Range(start, end) => Actual::Period { start, end },
                    DateShape::Invalid => Actual::InvalidDate { text: trimmed },
                };
            }
            match parse_quantity(&s) {
                Some(q)
                    if q.unit.as_ref().is_some_and(Unit::is_time)
                        && (q.comparator.is_none() || q.within)
                        && q.label.is_none() =>
                {
                    match q.unit {
                        Some(unit) => Actual::Duration {
                            value: q.value,
                            unit,
                        },
                        None => not_measured(None),
                    }
                }
                _ => not_measured(parse_grade(&s, vocabulary).map(|(g, _)| g)),
            }
        }
    }
}

/// The day after a span of `value` `unit`s starting on `start` (exclusive end), for integer
/// spans only. `1 年` from 2024-01-01 → 2025-01-01.
pub fn span_end_exclusive(start: NaiveDate, value: Decimal, unit: &Unit) -> Option<NaiveDate> {
    if value.fract() != Decimal::ZERO || value.is_sign_negative() {
        return None;
    }
    let n: u32 = value.trunc().to_string().parse().ok()?;
    match unit {
        Unit::Year => start.checked_add_months(Months::new(n.checked_mul(12)?)),
        Unit::Month => start.checked_add_months(Months::new(n)),
        Unit::Day => start.checked_add_days(chrono::Days::new(u64::from(n))),
        _ => None,
    }
}

/// Number of days of an inclusive date range.
pub fn days_inclusive(start: NaiveDate, end: NaiveDate) -> i64 {
    (end - start).num_days() + 1
}

/// Whether a date range is a real range inside the fiscal `year` (start ≤ end, both in the year).
pub fn period_in_year(start: NaiveDate, end: NaiveDate, year: i32) -> bool {
    start <= end && start.year() == year && end.year() == year
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn q(
        comparator: Comparator,
        implicit: bool,
        value: Decimal,
        unit: Option<Unit>,
        label: Option<&str>,
    ) -> Parsed {
        Parsed::Quantitative {
            comparator,
            implicit_comparator: implicit,
            value,
            unit,
            label: label.map(str::to_string),
        }
    }

    fn other(s: &str) -> Option<Unit> {
        Some(Unit::Other(s.to_string()))
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date in test")
    }

    #[test]
    fn target_forms() {
        use Comparator::*;
        let pct = Some(Unit::Percent);
        let wan = Some(Unit::WanYuan);
        let cases: Vec<(&str, Option<Direction>, Parsed)> = vec![
            ("≥95%", None, q(Ge, false, dec!(95), pct.clone(), None)),
            (">=95%", None, q(Ge, false, dec!(95), pct.clone(), None)),
            ("≧90%", None, q(Ge, false, dec!(90), pct.clone(), None)),
            ("＞90％", None, q(Gt, false, dec!(90), pct.clone(), None)),
            ("不低于95%", None, q(Ge, false, dec!(95), pct.clone(), None)),
            ("≤31", None, q(Le, false, dec!(31), None, None)),
            ("<=31", None, q(Le, false, dec!(31), None, None)),
            ("不高于35", None, q(Le, false, dec!(35), None, None)),
            ("=100%", None, q(Eq, false, dec!(100), pct.clone(), None)),
            ("﹦100%", None, q(Eq, false, dec!(100), pct.clone(), None)),
            ("100%", None, q(Ge, true, dec!(100), pct.clone(), None)),
            ("１００％", None, q(Ge, true, dec!(100), pct.clone(), None)),
            ("24条", None, q(Ge, true, dec!(24), other("条"), None)),
            ("1个", None, q(Ge, true, dec!(1), other("个"), None)),
            ("40万", None, q(Ge, true, dec!(40), wan.clone(), None)),
            ("40万元", None, q(Ge, true, dec!(40), wan.clone(), None)),
            ("72890元", None, q(Ge, true, dec!(7.289), wan.clone(), None)),
            (
                "1,088.19万元",
                None,
                q(Ge, true, dec!(1088.19), wan.clone(), None),
            ),
            (
                "优良率100%",
                None,
                q(Ge, true, dec!(100), pct.clone(), Some("优良率")),
            ),
            (
                "优良率达到100%",
                None,
                q(Ge, false, dec!(100), pct.clone(), Some("优良率")),
            ),
            ("95%以上", None, q(Ge, false, dec!(95), pct.clone(), None)),
            (
                "30天以内",
                Some(Direction::Higher),
                q(Le, false, dec!(30), Some(Unit::Day), None),
            ),
            (
                "49",
                Some(Direction::Lower),
                q(Le, true, dec!(49), None, None),
            ),
            (
                "49",
                Some(Direction::Higher),
                q(Ge, true, dec!(49), None, None),
            ),
            ("49", None, q(Ge, true, dec!(49), None, None)),
            (
                "PM10≤49μg/m³",
                None,
                q(Le, false, dec!(49), other("μg/m³"), Some("PM10")),
            ),
            (
                "PM2.5平均浓度31ug/m3",
                Some(Direction::Lower),
                q(Le, true, dec!(31), other("μg/m³"), Some("PM2.5平均浓度")),
            ),
            ("≥3年", None, q(Ge, false, dec!(3), Some(Unit::Year), None)),
            (
                "≥ 2 次/年",
                None,
                q(Ge, false, dec!(2), other("次/年"), None),
            ),
            (
                "1年",
                None,
                Parsed::Duration {
                    value: dec!(1),
                    unit: Unit::Year,
                },
            ),
            (
                "6个月",
                None,
                Parsed::Duration {
                    value: dec!(6),
                    unit: Unit::Month,
                },
            ),
            (
                "1年内",
                None,
                Parsed::Duration {
                    value: dec!(1),
                    unit: Unit::Year,
                },
            ),
            (
                "2024年全年",
                None,
                Parsed::Period {
                    start: date(2024, 1, 1),
                    end: date(2024, 12, 31),
                },
            ),
            (
                "2024年度",
                None,
                Parsed::Period {
                    start: date(2024, 1, 1),
                    end: date(2024, 12, 31),
                },
            ),
            (
                "2024.1.1-2024.12.31",
                None,
                Parsed::Period {
                    start: date(2024, 1, 1),
                    end: date(2024, 12, 31),
                },
            ),
            (
                "２０２４．１．１－２０２４．１２．３１",
                None,
                Parsed::Period {
                    start: date(2024, 1, 1),
                    end: date(2024, 12, 31),
                },
            ),
            (
                "2024年1月1日至2024年12月31日",
                None,
                Parsed::Period {
                    start: date(2024, 1, 1),
                    end: date(2024, 12, 31),
                },
            ),
            (
                "2024-01-01~2024-06-30",
                None,
                Parsed::Period {
                    start: date(2024, 1, 1),
                    end: date(2024, 6, 30),
                },
            ),
            (
                "2024.1-2024.12",
                None,
                Parsed::Period {
                    start: date(2024, 1, 1),
                    end: date(2024, 12, 31),
                },
            ),
            (
                "2024年12月31日前",
                None,
                Parsed::Period {
                    start: date(2024, 1, 1),
                    end: date(2024, 12, 31),
                },
            ),
            (
                "2024.1.1-204.12.31",
                None,
                Parsed::Period {
                    start: date(2024, 1, 1),
                    end: date(204, 12, 31),
                },
            ),
            (
                "2024.2.30",
                None,
                Parsed::InvalidDate {
                    text: "2024.2.30".into(),
                },
            ),
            (
                "年均II类水质",
                None,
                Parsed::Qualitative {
                    text: "年均II类水质".into(),
                },
            ),
            (
                "财政预算内",
                None,
                Parsed::Qualitative {
                    text: "财政预算内".into(),
                },
            ),
            (
                "60吨左右",
                None,
                Parsed::Qualitative {
                    text: "60吨左右".into(),
                },
            ),
            (
                "90-95%",
                None,
                Parsed::Qualitative {
                    text: "90-95%".into(),
                },
            ),
            (
                "完成2024年度任务",
                None,
                Parsed::Qualitative {
                    text: "完成2024年度任务".into(),
                },
            ),
            ("1.5", None, q(Ge, true, dec!(1.5), None, None)),
            ("98.5%", None, q(Ge, true, dec!(98.5), pct.clone(), None)),
            (
                "100.5万元",
                None,
                q(Ge, true, dec!(100.5), wan.clone(), None),
            ),
            (
                "≤0.5亿元",
                None,
                q(Le, false, dec!(5000), wan.clone(), None),
            ),
            (
                "≥180台次",
                None,
                q(Ge, false, dec!(180), other("台次"), None),
            ),
            (
                "重度污染天数不超过2天",
                None,
                q(Le, false, dec!(2), Some(Unit::Day), Some("重度污染天数")),
            ),
            (
                "2024年6月",
                None,
                Parsed::Period {
                    start: date(2024, 6, 1),
                    end: date(2024, 6, 30),
                },
            ),
            (
                "3类标准",
                None,
                Parsed::Qualitative {
                    text: "3类标准".into(),
                },
            ),
            ("≥", None, Parsed::Qualitative { text: "≥".into() }),
            ("", None, Parsed::Qualitative { text: "".into() }),
        ];
        for (text, direction, expected) in cases {
            assert_eq!(parse_target(text, direction), expected, "{text}");
        }
    }

    #[test]
    fn displays() {
        assert_eq!(parse_target("≥95%", None).display(), "≥ 95 %");
        assert_eq!(parse_target("72890元", None).display(), "≥ 7.289 万元");
        assert_eq!(parse_target("优良率100%", None).display(), "优良率 ≥ 100 %");
        assert_eq!(
            parse_target("2024年全年", None).display(),
            "2024-01-01 – 2024-12-31"
        );
        assert_eq!(parse_target("1年", None).display(), "≤ 1 年 (time limit)");
        assert_eq!(
            parse_target("财政预算内", None).display(),
            "qualitative “财政预算内”"
        );
    }

    #[test]
    fn grades() {
        use AchievementGrade::*;
        use GradeWording::*;
        let cases = [
            ("达成年度指标", Some((Achieved, Formal))),
            ("部分达成年度指标并具有一定效果", Some((Partly, Formal))),
            ("未达成年度指标且效果较差", Some((NotAchieved, Formal))),
            ("达成", Some((Achieved, Short))),
            ("部分达成", Some((Partly, Short))),
            ("未达成", Some((NotAchieved, Short))),
            ("达到预期", Some((Achieved, Expected))),
            ("部分达到预期", Some((Partly, Expected))),
            ("未达到预期", Some((NotAchieved, Expected))),
            ("已完成", Some((Achieved, Informal))),
            ("已达标。", Some((Achieved, Informal))),
            ("有效节约", None),
            ("有效改善", Some((Achieved, Informal))),
            ("满意", Some((Achieved, Informal))),
            ("通过", Some((Achieved, Informal))),
            ("达成预期指标", Some((Achieved, Expected))),
            ("基本完成", Some((Partly, Informal))),
            ("不满意", Some((NotAchieved, Informal))),
            ("财政预算内", None),
        ];
        let vocabulary = default_vocabulary();
        for (text, expected) in cases {
            assert_eq!(parse_grade(text, &vocabulary), expected, "{text}");
        }
        // The vocabulary is data: a wording an administrator adds is read, one not added is not.
        assert_eq!(parse_grade("有效节约", &vocabulary), None);
        let mut extended = vocabulary.clone();
        extended.push(Wording {
            text: "有效节约".into(),
            grade: Achieved,
        });
        assert_eq!(
            parse_grade("有效节约", &extended),
            Some((Achieved, Informal))
        );
        assert_eq!(parse_grade("完成", &[]), None);
    }

    fn act(text: &str, target: &Parsed) -> Actual {
        act_in(text, target, "", None)
    }

    fn act_in(text: &str, target: &Parsed, target_text: &str, unit: Option<&str>) -> Actual {
        parse_actual(
            text,
            &ActualContext {
                target_text,
                target,
                unit,
                vocabulary: &default_vocabulary(),
            },
        )
    }

    #[test]
    fn dates_without_a_year_are_in_the_fiscal_year() {
        assert_eq!(with_year("9月前", 2023), "2023年9月前");
        assert_eq!(with_year("7月", 2023), "2023年7月");
        assert_eq!(with_year("2024年全年", 2023), "2024年全年");
        assert_eq!(with_year("95%", 2023), "95%");
        assert_eq!(with_year("12个月", 2023), "12个月");
        assert_eq!(
            parse_target(&with_year("9月前", 2023), None),
            Parsed::Period {
                start: date(2023, 1, 1),
                end: date(2023, 9, 30)
            }
        );
    }

    #[test]
    fn bare_actuals_take_the_target_unit() {
        // 72890 元 in its own cell; the bare actual 50000 is 元 too, not 万元.
        let text = compose_target("﹦", "72890", "元");
        let target = parse_target(&text, None);
        assert_eq!(
            act_in("50000", &target, &text, Some("元")),
            Actual::Measured {
                value: dec!(5),
                unit: Some(Unit::WanYuan),
                label: None
            }
        );
        let pct = parse_target("≥95%", None);
        assert_eq!(
            act_in("96", &pct, "≥95%", unit_text("≥95%").as_deref()),
            Actual::Measured {
                value: dec!(96),
                unit: Some(Unit::Percent),
                label: None
            }
        );
        assert_eq!(unit_text("72890元").as_deref(), Some("元"));
        assert_eq!(unit_text("≥95%").as_deref(), Some("%"));
        assert_eq!(unit_text("49"), None);
    }

    #[test]
    fn three_cell_targets_and_units() {
        assert_eq!(compose_target("≥", "95", "%(百分比)"), "≥95%");
        assert_eq!(compose_target("定性", "有效改善", ""), "有效改善");
        assert_eq!(compose_target("正向", "100", "个"), "100个");
        assert_eq!(nature_direction("反向指标"), Some(Direction::Lower));
        assert_eq!(
            parse_target(&compose_target("═", "100", "%"), None),
            q(Comparator::Eq, false, dec!(100), Some(Unit::Percent), None)
        );
        // Counting units convert: 万 of a measure word, and spellings of one measure.
        assert_eq!(
            parse_target("2万人", None),
            q(Comparator::Ge, true, dec!(20000), other("人"), None)
        );
        assert_eq!(
            parse_target("≥1.5万平方米", None),
            q(Comparator::Ge, false, dec!(15000), other("平方米"), None)
        );
        assert_eq!(
            parse_target("30km", None),
            q(Comparator::Ge, true, dec!(30), other("公里"), None)
        );
    }

    #[test]
    fn an_actual_that_repeats_the_target_is_achieved() {
        let text = "群众生活环境得到有效改善，满意度提高";
        let target = parse_target(text, None);
        assert_eq!(
            act_in("群众生活环境得到有效改善,满意度提高", &target, text, None),
            Actual::Grade {
                grade: AchievementGrade::Achieved,
                wording: GradeWording::RepeatsTarget
            }
        );
        assert_eq!(
            act_in("情况不明", &target, text, None),
            Actual::Unrecognized {
                text: "情况不明".into()
            }
        );
    }

    #[test]
    fn actual_forms() {
        let pct = parse_target("≥95%", None);
        let cases: Vec<(&str, &Parsed, Actual)> = vec![
            (
                "96%",
                &pct,
                Actual::Measured {
                    value: dec!(96),
                    unit: Some(Unit::Percent),
                    label: None,
                },
            ),
            (
                "96",
                &pct,
                Actual::Measured {
                    value: dec!(96),
                    unit: None,
                    label: None,
                },
            ),
            (
                "优良率98%",
                &pct,
                Actual::Measured {
                    value: dec!(98),
                    unit: Some(Unit::Percent),
                    label: Some("优良率".into()),
                },
            ),
            (
                "已达标",
                &pct,
                Actual::NotMeasured {
                    text: "已达标".into(),
                    implied_grade: Some(AchievementGrade::Achieved),
                },
            ),
            (
                "已完成",
                &pct,
                Actual::NotMeasured {
                    text: "已完成".into(),
                    implied_grade: Some(AchievementGrade::Achieved),
                },
            ),
            (
                "≥90%",
                &pct,
                Actual::NotMeasured {
                    text: "≥90%".into(),
                    implied_grade: None,
                },
            ),
            (
                "≥",
                &pct,
                Actual::NotMeasured {
                    text: "≥".into(),
                    implied_grade: None,
                },
            ),
            ("", &pct, Actual::Missing),
        ];
        for (text, target, expected) in cases {
            assert_eq!(act(text, target), expected, "{text}");
        }
        let money = parse_target("40万", None);
        assert_eq!(
            act("130.9万", &money),
            Actual::Measured {
                value: dec!(130.9),
                unit: Some(Unit::WanYuan),
                label: None
            }
        );
        assert_eq!(
            act("1309000元", &money),
            Actual::Measured {
                value: dec!(130.9),
                unit: Some(Unit::WanYuan),
                label: None
            }
        );
        let year = parse_target("1年", None);
        assert_eq!(
            act("1年", &year),
            Actual::Duration {
                value: dec!(1),
                unit: Unit::Year
            }
        );
        assert_eq!(
            act("2024.1.1-204.12.31", &year),
            Actual::Period {
                start: date(2024, 1, 1),
                end: date(204, 12, 31)
            }
        );
        assert_eq!(
            act("已完成", &year),
            Actual::NotMeasured {
                text: "已完成".into(),
                implied_grade: Some(AchievementGrade::Achieved)
            }
        );
        let qual = parse_target("化解环境风险，消除环境隐患", None);
        assert_eq!(
            act("已完成", &qual),
            Actual::Grade {
                grade: AchievementGrade::Achieved,
                wording: GradeWording::Informal
            }
        );
        assert_eq!(
            act("有效节约", &qual),
            Actual::Unrecognized {
                text: "有效节约".into()
            }
        );
    }

    #[test]
    fn spans() {
        assert_eq!(
            span_end_exclusive(date(2024, 1, 1), dec!(1), &Unit::Year),
            Some(date(2025, 1, 1))
        );
        assert_eq!(
            span_end_exclusive(date(2024, 1, 1), dec!(6), &Unit::Month),
            Some(date(2024, 7, 1))
        );
        assert_eq!(
            span_end_exclusive(date(2024, 1, 1), dec!(30), &Unit::Day),
            Some(date(2024, 1, 31))
        );
        assert_eq!(
            span_end_exclusive(date(2024, 1, 1), dec!(1.5), &Unit::Year),
            None
        );
        assert_eq!(days_inclusive(date(2024, 1, 1), date(2024, 12, 31)), 366);
        assert!(period_in_year(date(2024, 1, 1), date(2024, 12, 31), 2024));
        assert!(!period_in_year(date(2024, 1, 1), date(204, 12, 31), 2024));
    }

    mod quantity_props {
        use super::*;
        use proptest::prelude::*;

        fn symbol() -> impl Strategy<Value = (&'static str, Comparator)> {
            prop_oneof![
                Just(("≥", Comparator::Ge)),
                Just((">", Comparator::Gt)),
                Just(("=", Comparator::Eq)),
                Just(("≤", Comparator::Le)),
                Just(("<", Comparator::Lt)),
            ]
        }

        proptest! {
            /// `label symbol value unit [suffix]` reads back its parts; a suffix word that
            /// contradicts the symbol makes it no quantity, one that agrees changes nothing.
            #[test]
            fn written_quantity_reads_back(
                label in prop_oneof![Just(""), Just("优良率"), Just("覆盖人数")],
                (symbol, comparator) in symbol(),
                cents in 0i64..=100_000_000,
                unit in prop_oneof![Just("%"), Just("人"), Just("个"), Just("项")],
                suffix in prop_oneof![Just(""), Just("以上"), Just("以下"), Just("以内")],
            ) {
                let value = Decimal::new(cents, 2).normalize();
                let text = format!("{label}{symbol}{value}{unit}{suffix}");
                let suffix_cmp = SUFFIX_WORDS.iter().find(|(w, ..)| *w == suffix).map(|(_, c, _)| *c);
                let within = suffix == "以内";
                let agrees = suffix_cmp.is_none_or(|c| c == comparator)
                    && (!within || comparator == Comparator::Le);
                let parsed = parse_quantity(&text);
                prop_assert_eq!(parsed.is_some(), agrees, "{}", text);
                if let Some(q) = parsed {
                    prop_assert_eq!(q.value, value);
                    prop_assert_eq!(q.comparator, Some(comparator));
                    prop_assert_eq!(q.within, within);
                    prop_assert_eq!(q.unit_text.as_deref(), Some(unit));
                    prop_assert_eq!(q.label.as_deref(), (!label.is_empty()).then_some(label));
                }
            }
        }
    }
}
