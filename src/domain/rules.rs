//! Rule sets: versioned, named scoring parameters. Evaluations reference one by id.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

use super::finding::Policy;
use super::target::{Wording, default_vocabulary};
use super::tree::Level1;

/// Formula for lower-is-better (reverse) indicators when the actual is above the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReverseFormula {
    /// `w × t / a`
    Ratio,
    /// `w × (1 − (a − t) / t)`, floored at 0
    Linear,
}

impl ReverseFormula {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            ReverseFormula::Ratio => "比例法（分值×目标值÷实际值）",
            ReverseFormula::Linear => "线性扣分法（分值×(1−(实际值−目标值)÷目标值)）",
        }
    }
}

/// How strictly a non-numeric actual value of a quantitative target is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strictness {
    /// A finding of severity error; the row gets no computed score.
    Error,
    /// A finding of severity warning; the row is scored like a qualitative row from the grade
    /// its words imply (已达标 → achieved), when they imply one.
    Warning,
}

impl Strictness {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Strictness::Error => "错误（阻止提交）",
            Strictness::Warning => "警告（仅提示）",
        }
    }
}

/// Where the points of the level-1 groups and of budget execution come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightSource {
    /// The rule set's `level1_weights` and `execution_weight`; a table that prints others is
    /// told so.
    #[default]
    Fixed,
    /// What the table prints: the points after a level-1 name (`产出指标（40分）`) are that
    /// group's weight, the budget block's 分值 is the execution weight (10 or 20), and a group
    /// without printed points is checked only through the total of 100.
    Table,
}

impl WeightSource {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            WeightSource::Fixed => "规则集固定分值",
            WeightSource::Table => "按表格所列分值",
        }
    }
}

/// The policy of one finding code in a rule set.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CodePolicy {
    pub code: String,
    pub policy: Policy,
}

/// Where 成本指标 may sit in the indicator tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreeShape {
    /// 成本指标 is a level-1 name (2021 and later tables).
    CostAsLevel1,
    /// 成本指标 is a level-2 name under 产出指标 (older tables).
    CostUnderOutput,
    /// Both shapes are accepted.
    Either,
}

impl TreeShape {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            TreeShape::CostAsLevel1 => "成本指标为一级指标",
            TreeShape::CostUnderOutput => "成本指标为产出指标下的二级指标",
            TreeShape::Either => "两种结构均可",
        }
    }

    /// Whether 成本指标 may be a level-1 name.
    pub fn allows_cost_level1(self) -> bool {
        matches!(self, TreeShape::CostAsLevel1 | TreeShape::Either)
    }

    /// Whether 成本指标 may be a level-2 name under 产出指标.
    pub fn allows_cost_under_output(self) -> bool {
        matches!(self, TreeShape::CostUnderOutput | TreeShape::Either)
    }
}

/// Overall grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 优 (`excellent` in the API, which also reads the pinyin words)
    #[serde(alias = "excellent")]
    You,
    /// 良
    #[serde(alias = "good")]
    Liang,
    /// 中
    #[serde(alias = "fair")]
    Zhong,
    /// 差
    #[serde(alias = "poor")]
    Cha,
}

impl Grade {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Grade::You => "优",
            Grade::Liang => "良",
            Grade::Zhong => "中",
            Grade::Cha => "差",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Grade::You => "excellent",
            Grade::Liang => "good",
            Grade::Zhong => "fair",
            Grade::Cha => "poor",
        }
    }
}

/// A grade band: totals at or above `min` (inclusive) get `grade`, unless a higher band applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeBand {
    pub grade: Grade,
    pub min: Decimal,
}

/// The weight of one level-1 group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level1Weight {
    pub level1: Level1,
    pub weight: Decimal,
}

/// The region of rule sets that do not say theirs (those stored before rule sets had regions).
pub fn national_region() -> String {
    super::region::RegionCode::NATIONAL.to_owned()
}

/// A versioned, named set of scoring parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    /// Stable id, e.g. `hengyang-2024-project`.
    pub id: String,
    pub version: u32,
    /// The region (GB/T 2260 code, `000000` = national) the rule set belongs to: it applies to
    /// that region's subtree. Every version of an id keeps the id's region.
    #[serde(default = "national_region")]
    pub region: String,
    pub name: String,
    pub name_zh: String,
    pub level1_weights: Vec<Level1Weight>,
    /// Weight of budget execution (预算执行率).
    pub execution_weight: Decimal,
    pub reverse_formula: ReverseFormula,
    /// Above `target × threshold` a higher-is-better row needs an explanation (1.30 = 130%).
    pub over_achievement_threshold: Decimal,
    pub non_numeric_actual: Strictness,
    /// Bands, any order; the highest `min` not above the total wins; below all → 差.
    pub grade_bands: Vec<GradeBand>,
    pub tree_shape: TreeShape,
    /// Fixed weights, or the weights the table prints.
    #[serde(default)]
    pub weight_source: WeightSource,
    /// The everyday wordings of qualitative actuals and the grade each is read as.
    #[serde(default = "default_vocabulary")]
    pub vocabulary: Vec<Wording>,
    /// Per finding code: block, review or inform (codes not listed keep the catalogue's
    /// default policy).
    #[serde(default)]
    pub policies: Vec<CodePolicy>,
    /// How many levels of finance review approve an evaluation (county finance, then city
    /// finance, …): 1 to 4, default 1 (`domain::review_score`).
    #[serde(default = "one_level")]
    pub approval_levels: u8,
}

fn one_level() -> u8 {
    1
}

impl RuleSet {
    /// Whether the rule set applies to a region (its own region's subtree covers it).
    pub fn applies_to(&self, region: &super::region::RegionCode) -> bool {
        super::region::RegionCode::parse_scope(&self.region).is_ok_and(|own| own.covers(region))
    }

    /// The weight of a level-1 group, if the rule set has that group.
    pub fn weight_of(&self, level1: Level1) -> Option<Decimal> {
        self.level1_weights
            .iter()
            .find(|w| w.level1 == level1)
            .map(|w| w.weight)
    }

    /// The policy for a finding code: the rule set's own, else (for `actual.not_measured`) the
    /// legacy `non_numeric_actual` setting when it is `error`, else the catalogue default.
    pub fn policy_for(&self, code: &str) -> Option<Policy> {
        if let Some(p) = self.policies.iter().find(|p| p.code == code) {
            return Some(p.policy);
        }
        (code == super::finding::codes::ACTUAL_NOT_MEASURED
            && self.non_numeric_actual == Strictness::Error)
            .then_some(Policy::Block)
    }

    /// The rule set as it applies to a table: with [`WeightSource::Table`], the execution
    /// weight is the 分值 the budget block prints (when it prints one).
    pub fn adapted_to(&self, printed_execution_weight: Option<Decimal>) -> RuleSet {
        let mut rules = self.clone();
        if self.weight_source == WeightSource::Table
            && let Some(w) = printed_execution_weight.filter(|w| *w > Decimal::ZERO)
        {
            rules.execution_weight = w;
        }
        rules
    }

    /// The grade of a total (lower bounds inclusive).
    pub fn grade_for(&self, total: Decimal) -> Grade {
        let mut bands: Vec<&GradeBand> = self.grade_bands.iter().collect();
        bands.sort_by_key(|band| std::cmp::Reverse(band.min));
        bands
            .into_iter()
            .find(|band| total >= band.min)
            .map_or(Grade::Cha, |band| band.grade)
    }

    /// Problems with the parameters themselves (for rule sets defined by administrators).
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.id.trim().is_empty() {
            problems.push("id is empty".to_string());
        }
        let sum = super::money::sum_checked(
            self.level1_weights
                .iter()
                .map(|w| w.weight)
                .chain(std::iter::once(self.execution_weight)),
        );
        if self.weight_source == WeightSource::Fixed && sum != Some(Decimal::ONE_HUNDRED) {
            problems.push(format!(
                "level-1 weights plus execution weight add up to {}, not 100",
                super::money::text_checked(sum)
            ));
        }
        if self
            .level1_weights
            .iter()
            .chain(std::iter::once(&Level1Weight {
                level1: Level1::Output,
                weight: self.execution_weight,
            }))
            .any(|w| w.weight.is_sign_negative())
        {
            problems.push("negative weight".to_string());
        }
        for (i, w) in self.level1_weights.iter().enumerate() {
            if self.level1_weights[..i]
                .iter()
                .any(|o| o.level1 == w.level1)
            {
                problems.push(format!(
                    "level-1 group {} listed twice",
                    w.level1.label_en()
                ));
            }
        }
        if self.weight_of(Level1::Cost).is_some() && !self.tree_shape.allows_cost_level1() {
            problems.push("a weight for 成本指标 but the tree shape puts cost under output".into());
        }
        if super::region::RegionCode::parse_scope(&self.region).is_err() {
            problems.push(format!(
                "region `{}` is not a GB/T 2260 code (000000 for national)",
                self.region
            ));
        }
        if self.over_achievement_threshold < Decimal::ONE {
            problems.push("over-achievement threshold below 1".to_string());
        }
        problems
    }
}

fn hundred_bands() -> Vec<GradeBand> {
    vec![
        GradeBand {
            grade: Grade::You,
            min: dec!(90),
        },
        GradeBand {
            grade: Grade::Liang,
            min: dec!(80),
        },
        GradeBand {
            grade: Grade::Zhong,
            min: dec!(60),
        },
    ]
}

fn weights(list: &[(Level1, Decimal)]) -> Vec<Level1Weight> {
    list.iter()
        .map(|(level1, weight)| Level1Weight {
            level1: *level1,
            weight: *weight,
        })
        .collect()
}

/// Id of the Ministry of Finance project default.
pub const MOF_PROJECT_DEFAULT: &str = "mof-project-default";
/// Id of the 2024 Hengyang department table (附件4).
pub const HENGYANG_2024_DEPARTMENT: &str = "hengyang-2024-department";
/// Id of the 2024 Hengyang project table (附件5).
pub const HENGYANG_2024_PROJECT: &str = "hengyang-2024-project";

/// 衡阳市, the region of the Hengyang rule sets.
pub const HENGYANG: &str = "430400";

/// Id of the national template (财预〔2021〕101号), adapted to the weights each table prints.
pub const NATIONAL_2021: &str = "national-2021";

/// The rule sets shipped with the service.
pub fn builtin_rule_sets() -> Vec<RuleSet> {
    vec![
        builtin(
            NATIONAL_2021,
            national_region(),
            "National self-evaluation template (Cai Yu [2021] No. 101), adapted to the weights the table prints",
            "全国绩效自评模板（财预〔2021〕101号），按表格所列分值",
            (Vec::new(), TreeShape::Either, WeightSource::Table),
        ),
        builtin(
            MOF_PROJECT_DEFAULT,
            national_region(),
            "Ministry of Finance project self-evaluation default",
            "财政部项目支出绩效自评默认规则",
            (
                weights(&[
                    (Level1::Output, dec!(50)),
                    (Level1::Benefit, dec!(30)),
                    (Level1::Satisfaction, dec!(10)),
                ]),
                TreeShape::CostUnderOutput,
                WeightSource::Fixed,
            ),
        ),
        builtin(
            HENGYANG_2024_DEPARTMENT,
            HENGYANG.to_string(),
            "Hengyang 2024 department overall expenditure self-evaluation",
            "衡阳市2024年部门整体支出绩效自评表",
            (
                weights(&[
                    (Level1::Cost, dec!(20)),
                    (Level1::Output, dec!(40)),
                    (Level1::Benefit, dec!(20)),
                    (Level1::Satisfaction, dec!(10)),
                ]),
                TreeShape::CostAsLevel1,
                WeightSource::Fixed,
            ),
        ),
        builtin(
            HENGYANG_2024_PROJECT,
            HENGYANG.to_string(),
            "Hengyang 2024 project expenditure self-evaluation",
            "衡阳市2024年项目支出绩效自评表",
            (
                weights(&[
                    (Level1::Output, dec!(20)),
                    (Level1::Benefit, dec!(40)),
                    (Level1::Cost, dec!(20)),
                    (Level1::Satisfaction, dec!(10)),
                ]),
                TreeShape::CostAsLevel1,
                WeightSource::Fixed,
            ),
        ),
    ]
}

/// A built-in rule set (version 1): its own id, region, names, group weights, tree shape and
/// weight source; execution weight 10, ratio formula, over-achievement at 130%, non-numeric
/// actuals a warning, the hundred-point grade bands and the default vocabulary.
fn builtin(
    id: &str,
    region: String,
    name: &str,
    name_zh: &str,
    (level1_weights, tree_shape, weight_source): (Vec<Level1Weight>, TreeShape, WeightSource),
) -> RuleSet {
    RuleSet {
        id: id.to_string(),
        version: 1,
        region,
        name: name.to_string(),
        name_zh: name_zh.to_string(),
        level1_weights,
        execution_weight: dec!(10),
        reverse_formula: ReverseFormula::Ratio,
        over_achievement_threshold: dec!(1.30),
        non_numeric_actual: Strictness::Warning,
        grade_bands: hundred_bands(),
        tree_shape,
        weight_source,
        vocabulary: default_vocabulary(),
        policies: Vec::new(),
        approval_levels: 1,
    }
}

/// A built-in rule set by id.
pub fn rule_set_by_id(id: &str) -> Option<RuleSet> {
    builtins().iter().find(|r| r.id == id).cloned()
}

/// The built-in rule sets, built once: they are constants of the code, and every write asks
/// for the one it is scored by.
pub fn builtins() -> &'static [RuleSet] {
    static BUILTIN: std::sync::OnceLock<Vec<RuleSet>> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(builtin_rule_sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_valid_and_unique() {
        let sets = builtin_rule_sets();
        assert_eq!(sets.len(), 4);
        for set in &sets {
            assert_eq!(set.validate(), Vec::<String>::new(), "{}", set.id);
            assert_eq!(sets.iter().filter(|s| s.id == set.id).count(), 1);
        }
        let department = rule_set_by_id(HENGYANG_2024_DEPARTMENT).expect("builtin");
        assert_eq!(department.weight_of(Level1::Cost), Some(dec!(20)));
        assert_eq!(department.weight_of(Level1::Output), Some(dec!(40)));
        let project = rule_set_by_id(HENGYANG_2024_PROJECT).expect("builtin");
        assert_eq!(project.weight_of(Level1::Benefit), Some(dec!(40)));
        let mof = rule_set_by_id(MOF_PROJECT_DEFAULT).expect("builtin");
        assert_eq!(mof.weight_of(Level1::Output), Some(dec!(50)));
        assert_eq!(mof.weight_of(Level1::Cost), None);
        assert!(rule_set_by_id("nope").is_none());
        let national = rule_set_by_id(NATIONAL_2021).expect("builtin");
        assert_eq!(national.region, "000000");
        assert_eq!(department.region, "430400");
        let county = crate::domain::region::RegionCode::parse("430424").unwrap();
        let hubei = crate::domain::region::RegionCode::parse("420102").unwrap();
        assert!(department.applies_to(&county) && !department.applies_to(&hubei));
        assert!(national.applies_to(&county) && national.applies_to(&hubei));
    }

    #[test]
    fn grade_bands_are_inclusive() {
        let rules = rule_set_by_id(MOF_PROJECT_DEFAULT).expect("builtin");
        let cases = [
            (dec!(100), Grade::You),
            (dec!(90), Grade::You),
            (dec!(89.99), Grade::Liang),
            (dec!(80), Grade::Liang),
            (dec!(79.99), Grade::Zhong),
            (dec!(60), Grade::Zhong),
            (dec!(59.99), Grade::Cha),
            (dec!(0), Grade::Cha),
        ];
        for (total, grade) in cases {
            assert_eq!(rules.grade_for(total), grade, "{total}");
        }
    }

    #[test]
    fn validation_catches_bad_weights() {
        let mut rules = rule_set_by_id(MOF_PROJECT_DEFAULT).expect("builtin");
        rules.execution_weight = dec!(20);
        rules.level1_weights.push(Level1Weight {
            level1: Level1::Cost,
            weight: dec!(0),
        });
        let problems = rules.validate();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn stored_rule_sets_without_a_region_are_national() {
        let mut json = serde_json::to_value(rule_set_by_id(HENGYANG_2024_PROJECT)).expect("json");
        json.as_object_mut().expect("object").remove("region");
        let back: RuleSet = serde_json::from_value(json).expect("deserialise");
        assert_eq!(back.region, "000000");
        let mut bad = back.clone();
        bad.region = "4304".into();
        assert_eq!(bad.validate().len(), 1);
    }

    #[test]
    fn round_trips_through_json() {
        for set in builtin_rule_sets() {
            let json = serde_json::to_string(&set).expect("serialise");
            let back: RuleSet = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, set);
        }
        let json = serde_json::to_value(rule_set_by_id(HENGYANG_2024_PROJECT)).expect("json");
        assert_eq!(json["tree_shape"], "cost_as_level1");
        assert_eq!(json["level1_weights"][0]["weight"], "20");
    }
}
