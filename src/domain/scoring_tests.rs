//! Table-driven tests of every scoring and review rule, and property tests.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::evaluation::{BudgetBlock, EvaluationInput, EvaluationKind, IndicatorInput};
use super::finance::{FundSource, SourceAmount};
use super::review::Policy;
use super::review::{Severity, codes};
use super::rules::{
    self, CodePolicy, Grade, GradeBand, ReverseFormula, RuleSet, Strictness, rule_set_by_id,
};
use super::scoring::Basis;
use super::scoring::{Outcome, evaluate, grade_band, in_band, score_quantitative};
use super::target::{AchievementGrade, Comparator};

fn project_rules() -> RuleSet {
    rule_set_by_id(rules::HENGYANG_2024_PROJECT).expect("builtin")
}

fn row(
    l1: &str,
    l2: &str,
    l3: &str,
    t: &str,
    a: &str,
    w: Decimal,
    c: Option<Decimal>,
) -> IndicatorInput {
    IndicatorInput {
        level1: l1.into(),
        level2: l2.into(),
        level3: l3.into(),
        target: t.into(),
        actual: a.into(),
        weight: Some(w),
        claimed_score: c,
        ..IndicatorInput::default()
    }
}

/// A clean project evaluation: every rule passes, total 98.
fn clean() -> EvaluationInput {
    let mut qualitative = row(
        "效益指标",
        "生态效益指标",
        "改善水质",
        "水质持续改善",
        "达成年度指标",
        dec!(20),
        Some(dec!(18)),
    );
    qualitative.deviation_explanation = Some("部分河段仍需治理".into());
    EvaluationInput {
        kind: EvaluationKind::Project,
        year: 2024,
        budget: BudgetBlock {
            initial: Some(dec!(100)),
            full_year: dec!(100),
            executed: Some(dec!(100)),
            weight: Some(dec!(10)),
            claimed_rate: Some("100%".into()),
            claimed_score: Some(dec!(10)),
            by_source: vec![SourceAmount {
                source: FundSource::GeneralPublicBudget,
                amount: dec!(100),
            }],
            basic: None,
            project: None,
        },
        indicators: vec![
            row(
                "产出指标",
                "数量指标",
                "设备数量",
                "≥10台",
                "10台",
                dec!(10),
                Some(dec!(10)),
            ),
            row(
                "产出指标",
                "质量指标",
                "合格率",
                "≥95%",
                "96%",
                dec!(10),
                Some(dec!(10)),
            ),
            row(
                "效益指标",
                "社会效益指标",
                "受益人数",
                "≥1000人",
                "1000人",
                dec!(20),
                Some(dec!(20)),
            ),
            qualitative,
            row(
                "成本指标",
                "经济成本指标",
                "成本控制",
                "≤100万元",
                "98万元",
                dec!(20),
                Some(dec!(20)),
            ),
            row(
                "满意度指标",
                "服务对象满意度指标",
                "满意度",
                "≥90%",
                "95%",
                dec!(10),
                Some(dec!(10)),
            ),
        ],
        claimed_total: Some(dec!(98)),
    }
}

fn codes_of(outcome: &Outcome) -> Vec<(String, String)> {
    outcome
        .findings
        .iter()
        .map(|f| (f.pointer.clone(), f.code.clone()))
        .collect()
}

fn run(input: &EvaluationInput) -> Vec<(String, String)> {
    codes_of(&evaluate(input, &project_rules()))
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

#[test]
fn clean_evaluation_raises_nothing() {
    let outcome = evaluate(&clean(), &project_rules());
    assert_eq!(codes_of(&outcome), Vec::new());
    assert_eq!(outcome.total, dec!(98));
    assert_eq!(outcome.grade, Grade::You);
    assert_eq!(
        outcome.rows.iter().map(|r| r.computed).collect::<Vec<_>>(),
        [dec!(10), dec!(10), dec!(20), dec!(18), dec!(20), dec!(10)].map(Some)
    );
    assert_eq!(
        outcome.rows[3].explanation_en,
        "grade achieved: claimed 18 within [16.00, 20.00] → 18.00"
    );
}

#[test]
fn quantitative_formulas() {
    use Comparator::*;
    use ReverseFormula::*;
    let cases: Vec<(
        Comparator,
        ReverseFormula,
        Decimal,
        Decimal,
        Decimal,
        Decimal,
        bool,
    )> = vec![
        // (comparator, formula, w, t, a, score, achieved)
        (Ge, Ratio, dec!(10), dec!(500), dec!(487), dec!(9.74), false),
        (Ge, Ratio, dec!(10), dec!(500), dec!(500), dec!(10), true),
        (Ge, Ratio, dec!(10), dec!(500), dec!(900), dec!(10), true),
        (Gt, Ratio, dec!(10), dec!(500), dec!(250), dec!(5), false),
        (Ge, Ratio, dec!(10), dec!(0), dec!(0), dec!(10), true),
        (Ge, Ratio, dec!(10), dec!(95), dec!(-5), dec!(0), false),
        (Ge, Ratio, dec!(1), dec!(8), dec!(1), dec!(0.13), false), // 0.125 rounds half up
        (Le, Ratio, dec!(10), dec!(31), dec!(35), dec!(8.86), false),
        (Le, Ratio, dec!(10), dec!(31), dec!(31), dec!(10), true),
        (Lt, Ratio, dec!(10), dec!(31), dec!(20), dec!(10), true),
        (Le, Ratio, dec!(10), dec!(0), dec!(5), dec!(0), false),
        (Le, Linear, dec!(10), dec!(31), dec!(35), dec!(8.71), false),
        (Le, Linear, dec!(10), dec!(10), dec!(25), dec!(0), false),
        (Le, Linear, dec!(10), dec!(10), dec!(10), dec!(10), true),
        (Eq, Ratio, dec!(10), dec!(100), dec!(98), dec!(9.8), false),
        (Eq, Ratio, dec!(10), dec!(100), dec!(100), dec!(10), true),
        (Eq, Ratio, dec!(10), dec!(0), dec!(0), dec!(10), true),
        (Eq, Ratio, dec!(10), dec!(0), dec!(1), dec!(0), false),
    ];
    for (comparator, formula, w, t, a, score, achieved) in cases {
        let result = score_quantitative(w, comparator, t, a, formula).expect("no overflow");
        assert_eq!(
            result.score, score,
            "{comparator:?} {formula:?} w={w} t={t} a={a}"
        );
        assert_eq!(
            result.achieved, achieved,
            "{comparator:?} w={w} t={t} a={a}"
        );
    }
    let r = score_quantitative(dec!(10), Ge, dec!(500), dec!(487), Ratio).expect("ok");
    assert_eq!(r.explanation_en, "487 < 500: 10 × 487 / 500 = 9.74");
    assert_eq!(r.explanation_zh, "487 未达到 500：10 × 487 ÷ 500 = 9.74");
    let r = score_quantitative(dec!(10), Le, dec!(31), dec!(35), Linear).expect("ok");
    assert_eq!(
        r.explanation_en,
        "35 > 31: max(0, 10 × (1 − (35 − 31) / 31)) = 8.71"
    );
}

#[test]
fn qualitative_bands() {
    use AchievementGrade::*;
    let cases = [
        (Achieved, dec!(10), true),
        (Achieved, dec!(8), true),
        (Achieved, dec!(7.99), false),
        (Achieved, dec!(10.01), false),
        (Partly, dec!(8), false),
        (Partly, dec!(7.99), true),
        (Partly, dec!(6), true),
        (Partly, dec!(5.99), false),
        (NotAchieved, dec!(6), false),
        (NotAchieved, dec!(5.99), true),
        (NotAchieved, dec!(0), true),
        (NotAchieved, dec!(-1), false),
    ];
    for (grade, claimed, inside) in cases {
        assert_eq!(
            in_band(dec!(10), grade, claimed),
            inside,
            "{grade:?} {claimed}"
        );
    }
    assert_eq!(grade_band(dec!(5), Achieved), (dec!(4.0), dec!(5), true));
}

#[test]
fn structure_rules() {
    type Mutation = fn(&mut EvaluationInput);
    type Case = (&'static str, Mutation, Vec<(&'static str, &'static str)>);
    let cases: Vec<Case> = vec![
        (
            "unknown level 1",
            |e| e.indicators[0].level1 = "产出类指标".into(),
            vec![
                ("/indicators/0/level1", codes::UNKNOWN_LEVEL1),
                ("/indicators/1/level1", codes::GROUP_WEIGHT),
            ],
        ),
        (
            "unknown level 2",
            |e| e.indicators[0].level2 = "数目指标".into(),
            vec![("/indicators/0/level2", codes::UNKNOWN_LEVEL2)],
        ),
        (
            "cost under output in a cost-as-level-1 rule set",
            |e| {
                e.indicators[4].level1 = "产出指标".into();
                e.indicators[4].level2 = "成本指标".into();
            },
            vec![
                ("/indicators/0/level1", codes::GROUP_WEIGHT),
                ("/indicators/4/level2", codes::TREE_SHAPE),
                ("/indicators", codes::GROUP_WEIGHT),
            ],
        ),
        (
            "header weight",
            |e| e.indicators[0].level1 = "产出指标（30分）".into(),
            vec![("/indicators/0/level1", codes::HEADER_WEIGHT)],
        ),
        (
            "missing level 3",
            |e| e.indicators[0].level3 = " ".into(),
            vec![("/indicators/0/level3", codes::MISSING_LEVEL3)],
        ),
        (
            "weight not positive",
            |e| {
                e.indicators[0].weight = Some(dec!(0));
                e.indicators[1].weight = Some(dec!(20));
                e.indicators[1].claimed_score = Some(dec!(20));
                e.indicators[0].claimed_score = Some(dec!(0));
            },
            vec![("/indicators/0/weight", codes::WEIGHT_NOT_POSITIVE)],
        ),
        (
            "duplicate level 3",
            |e| {
                e.indicators[1].level2 = "数量指标".into();
                e.indicators[1].level3 = "设备 数量".into();
            },
            vec![("/indicators/1/level3", codes::DUPLICATE_LEVEL3)],
        ),
        (
            "total weight",
            |e| {
                e.indicators[0].weight = Some(dec!(15));
                e.indicators[0].claimed_score = Some(dec!(15));
                e.claimed_total = Some(dec!(103));
            },
            vec![
                ("/indicators/0/level1", codes::GROUP_WEIGHT),
                ("/indicators", codes::TOTAL_WEIGHT),
                ("/claimed_total", codes::TOTAL_MISMATCH),
            ],
        ),
        (
            "target without unit",
            |e| {
                e.indicators[0].target = "≥10".into();
                e.indicators[0].actual = "10".into();
            },
            vec![("/indicators/0/target", codes::TARGET_NO_UNIT)],
        ),
        (
            "unit mismatch",
            |e| e.indicators[0].actual = "10个".into(),
            // Not verifiable: the claimed score stands for the reviewer, so the total agrees.
            vec![("/indicators/0/actual", codes::ACTUAL_UNIT_MISMATCH)],
        ),
        (
            "target period outside the year",
            |e| {
                e.indicators[0].target = "2025年全年".into();
                e.indicators[0].actual = "2024.1.1-2024.12.31".into();
            },
            vec![
                ("/indicators/0/target", codes::TARGET_INVALID_DATE),
                ("/claimed_total", codes::TOTAL_MISMATCH),
            ],
        ),
        (
            "target not a real date",
            |e| {
                e.indicators[0].target = "2024.2.30".into();
                e.indicators[0].actual = "2024.2.28".into();
            },
            vec![
                ("/indicators/0/target", codes::TARGET_INVALID_DATE),
                ("/claimed_total", codes::TOTAL_MISMATCH),
            ],
        ),
        (
            "actual not a real date",
            |e| {
                e.indicators[0].target = "2024年全年".into();
                e.indicators[0].actual = "2024.2.30".into();
            },
            vec![
                ("/indicators/0/actual", codes::ACTUAL_INVALID_DATE),
                ("/claimed_total", codes::TOTAL_MISMATCH),
            ],
        ),
        (
            "actual missing",
            |e| e.indicators[0].actual = String::new(),
            vec![("/indicators/0/actual", codes::ACTUAL_MISSING)],
        ),
        (
            "claimed above weight",
            |e| e.indicators[0].claimed_score = Some(dec!(11)),
            vec![
                ("/indicators/0/claimed_score", codes::CLAIM_OUT_OF_RANGE),
                ("/indicators/0/claimed_score", codes::CLAIM_MISMATCH),
                ("/claimed_total", codes::CLAIMED_TOTAL_NOT_SUM),
            ],
        ),
        (
            "qualitative outside band",
            |e| {
                e.indicators[3].claimed_score = Some(dec!(15));
                e.claimed_total = Some(dec!(95));
            },
            vec![
                ("/indicators/3/claimed_score", codes::OUTSIDE_BAND),
                ("/claimed_total", codes::TOTAL_MISMATCH),
            ],
        ),
        (
            "qualitative without claim",
            |e| {
                e.indicators[3].claimed_score = None;
                e.claimed_total = Some(dec!(80));
            },
            vec![("/indicators/3/claimed_score", codes::QUALITATIVE_UNCLAIMED)],
        ),
        (
            "partly achieved within its band",
            |e| {
                e.indicators[3].actual = "部分达到预期".into();
                e.indicators[3].claimed_score = Some(dec!(12));
                e.claimed_total = Some(dec!(92));
            },
            vec![],
        ),
        (
            "claimed differs from computed, no explanation",
            |e| e.indicators[1].actual = "90%".into(),
            vec![
                ("/indicators/1/claimed_score", codes::CLAIM_MISMATCH),
                (
                    "/indicators/1/deviation_explanation",
                    codes::MISSING_DEVIATION,
                ),
                ("/claimed_total", codes::TOTAL_MISMATCH),
            ],
        ),
        (
            "claimed total not the sum of claims",
            |e| e.claimed_total = Some(dec!(97)),
            vec![
                ("/claimed_total", codes::TOTAL_MISMATCH),
                ("/claimed_total", codes::CLAIMED_TOTAL_NOT_SUM),
            ],
        ),
        (
            "over-achievement",
            |e| e.indicators[2].actual = "1400人".into(),
            vec![(
                "/indicators/2/deviation_explanation",
                codes::OVER_ACHIEVEMENT,
            )],
        ),
        (
            "over-achievement explained",
            |e| {
                e.indicators[2].actual = "1400人".into();
                e.indicators[2].deviation_explanation = Some("新增受益村".into());
            },
            vec![],
        ),
        (
            "placeholder row",
            |e| {
                e.indicators.push(IndicatorInput {
                    level1: "成本指标".into(),
                    level2: "社会成本指标".into(),
                    ..IndicatorInput::default()
                })
            },
            vec![],
        ),
        (
            "budget executed missing",
            |e| e.budget.executed = None,
            vec![
                ("/budget/executed", codes::BUDGET_EXECUTED_MISSING),
                ("/budget/claimed_score", codes::CLAIM_MISMATCH),
                ("/claimed_total", codes::TOTAL_MISMATCH),
            ],
        ),
        (
            "budget over-executed",
            |e| e.budget.executed = Some(dec!(120)),
            vec![
                ("/budget/executed", codes::BUDGET_OVER_EXECUTED),
                ("/budget/claimed_rate", codes::BUDGET_RATE),
            ],
        ),
        (
            "budget rate mismatch",
            |e| e.budget.claimed_rate = Some("90%".into()),
            vec![("/budget/claimed_rate", codes::BUDGET_RATE)],
        ),
        (
            "budget weight",
            |e| e.budget.weight = Some(dec!(20)),
            vec![
                ("/budget/weight", codes::BUDGET_WEIGHT),
                ("/indicators", codes::TOTAL_WEIGHT),
            ],
        ),
        (
            "budget sources (integers: precision 1)",
            |e| e.budget.by_source[0].amount = dec!(98),
            vec![("/budget/by_source", codes::BUDGET_SOURCES)],
        ),
        (
            "budget sources within rounding",
            |e| {
                e.budget.by_source[0].amount = dec!(99.99);
            },
            vec![("/budget/by_source", codes::ROUNDING)],
        ),
        (
            "budget split",
            |e| {
                e.budget.basic = Some(dec!(40));
                e.budget.project = Some(dec!(50));
            },
            vec![("/budget/project", codes::BUDGET_SPLIT)],
        ),
        (
            "budget adjusted down to exactly the spend",
            |e| {
                e.budget.initial = Some(dec!(120));
            },
            vec![("/budget/full_year", codes::BUDGET_ADJUSTED_TO_SPEND)],
        ),
        (
            "budget row all zero",
            |e| {
                e.budget.initial = Some(dec!(0));
                e.budget.full_year = dec!(0);
                e.budget.executed = Some(dec!(0));
                e.budget.by_source.clear();
            },
            // Execution scores 0: the claimed 10 and the claimed total no longer hold.
            vec![
                ("/budget/claimed_score", codes::CLAIM_MISMATCH),
                ("/budget/full_year", codes::BUDGET_EMPTY),
                ("/claimed_total", codes::TOTAL_MISMATCH),
            ],
        ),
        (
            "budget claimed score",
            |e| {
                e.budget.claimed_score = Some(dec!(9));
                e.claimed_total = Some(dec!(97));
            },
            vec![
                ("/budget/claimed_score", codes::CLAIM_MISMATCH),
                ("/claimed_total", codes::TOTAL_MISMATCH),
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (name, mutate, expected) in cases {
        let mut input = clean();
        mutate(&mut input);
        let got = run(&input);
        if got != pairs(&expected) {
            failures.push(format!("{name}: got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unverifiable_actuals_keep_the_claim_for_review_or_block_by_policy() {
    let mut input = clean();
    input.indicators[1].actual = "已达标".into();
    // Default policy: review. The claimed score stands, on basis `claimed`.
    let reviewed = evaluate(&input, &project_rules());
    let finding = &reviewed.findings[0];
    assert_eq!(finding.code, codes::ACTUAL_NOT_MEASURED);
    assert_eq!(finding.policy, Policy::Review);
    assert_eq!(finding.severity, Severity::Warning);
    assert!(!reviewed.has_errors());
    assert_eq!(reviewed.rows[1].computed, Some(dec!(10)));
    assert_eq!(reviewed.rows[1].basis, Basis::Claimed);
    assert_eq!(reviewed.total, dec!(98));
    assert_eq!(reviewed.points.claimed, dec!(10));
    assert_eq!(reviewed.points.measured, dec!(88) - reviewed.points.graded);

    // A province that wants a number there blocks submission through its rule set.
    let mut strict = project_rules();
    strict.policies.push(CodePolicy {
        code: codes::ACTUAL_NOT_MEASURED.into(),
        policy: Policy::Block,
    });
    let blocked = evaluate(&input, &strict);
    assert_eq!(blocked.findings[0].policy, Policy::Block);
    assert_eq!(blocked.findings[0].severity, Severity::Error);
    assert!(blocked.has_errors());
    assert_eq!(blocked.total, dec!(98));

    // The older setting still means the same.
    let mut legacy = project_rules();
    legacy.non_numeric_actual = Strictness::Error;
    assert_eq!(evaluate(&input, &legacy).findings[0].policy, Policy::Block);

    // An informational code can be raised to block, and a blocking one lowered to inform.
    let mut quiet = project_rules();
    quiet.policies.push(CodePolicy {
        code: codes::ACTUAL_NOT_MEASURED.into(),
        policy: Policy::Inform,
    });
    let informed = evaluate(&input, &quiet);
    assert_eq!(informed.findings[0].policy, Policy::Inform);
    assert!(!informed.has_errors());
}

#[test]
fn time_rows() {
    let cases: Vec<(&str, &str, Option<Decimal>, Option<bool>)> = vec![
        (
            "2024年全年",
            "2024.1.1-2024.12.31",
            Some(dec!(10)),
            Some(true),
        ),
        (
            "2024.1.1-2024.6.30",
            "2024.1.1-2024.6.30",
            Some(dec!(10)),
            Some(true),
        ),
        // 182 days allowed, 274 taken: 10 × 182 / 274 = 6.64.
        (
            "2024.1.1-2024.6.30",
            "2024.1.1-2024.9.30",
            Some(dec!(6.64)),
            Some(false),
        ),
        ("2024年全年", "1年", Some(dec!(10)), Some(true)),
        ("6个月", "2024.1.1-2024.6.30", Some(dec!(10)), Some(true)),
        // 182 days allowed, 213 taken: 10 × 182 / 213 = 8.54.
        ("6个月", "2024.1.1-2024.7.31", Some(dec!(8.54)), Some(false)),
        ("1年", "12个月", Some(dec!(10)), Some(true)),
        ("6个月", "1年", Some(dec!(5)), Some(false)),
        // Units that do not convert: not verified, the claimed 10 stands for the reviewer.
        ("30天", "1年", Some(dec!(10)), None),
        ("1年", "2024.1.1-204.12.31", None, None),
    ];
    for (target, actual, score, achieved) in cases {
        let mut input = clean();
        input.indicators[0].target = target.into();
        input.indicators[0].actual = actual.into();
        input.indicators[0].deviation_explanation = Some("说明".into());
        let outcome = evaluate(&input, &project_rules());
        assert_eq!(outcome.rows[0].computed, score, "{target} / {actual}");
        assert_eq!(outcome.rows[0].achieved, achieved, "{target} / {actual}");
    }
}

#[test]
fn reverse_rows_use_the_rule_set_formula() {
    let mut input = clean();
    input.indicators[4].actual = "125万元".into();
    input.indicators[4].deviation_explanation = Some("材料涨价".into());
    let ratio = evaluate(&input, &project_rules());
    assert_eq!(ratio.rows[4].computed, Some(dec!(16)));
    let mut linear = project_rules();
    linear.reverse_formula = ReverseFormula::Linear;
    let outcome = evaluate(&input, &linear);
    assert_eq!(outcome.rows[4].computed, Some(dec!(15)));
    assert_eq!(
        outcome.rows[4].explanation_en,
        "125 > 100: max(0, 20 × (1 − (125 − 100) / 100)) = 15.00"
    );
}

#[test]
fn mof_default_accepts_cost_under_output_only() {
    let rules = rule_set_by_id(rules::MOF_PROJECT_DEFAULT).expect("builtin");
    let mut input = clean();
    let codes: Vec<(String, String)> = codes_of(&evaluate(&input, &rules));
    assert!(codes.contains(&(
        "/indicators/4/level1".to_string(),
        codes::TREE_SHAPE.to_string()
    )));
    input.indicators[4].level1 = "产出指标".into();
    input.indicators[4].level2 = "成本指标".into();
    let codes: Vec<String> = evaluate(&input, &rules)
        .findings
        .into_iter()
        .map(|f| f.code)
        .collect();
    assert!(!codes.contains(&codes::TREE_SHAPE.to_string()), "{codes:?}");
}

#[test]
fn total_is_capped_at_100() {
    let mut input = clean();
    input.indicators.push(row(
        "效益指标",
        "可持续影响指标",
        "长效机制",
        "≥1项",
        "2项",
        dec!(20),
        Some(dec!(20)),
    ));
    input.indicators[3].claimed_score = Some(dec!(20));
    input.claimed_total = None;
    let outcome = evaluate(&input, &project_rules());
    assert_eq!(outcome.total, dec!(100));
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.code == codes::TOTAL_WEIGHT)
    );
}

#[test]
fn absurd_numbers_do_not_panic() {
    let huge = "79228162514264337593543950335";
    let mut input = clean();
    for row in &mut input.indicators {
        row.target = format!("≥{huge}亿元");
        row.actual = huge.to_string();
        row.weight = Some(Decimal::MAX);
        row.claimed_score = Some(Decimal::MAX);
    }
    input.indicators[1].target = format!("≥{huge}");
    input.indicators[2].target = "≤0.0000000000000000000000000001".into();
    input.indicators[3].target = "1年".into();
    input.indicators[3].actual = format!("{huge}年");
    input.budget.full_year = dec!(0.0000000000000000000000000001);
    input.budget.executed = Some(Decimal::MAX);
    input.budget.claimed_rate = Some(format!("{huge}%"));
    input.budget.by_source[0].amount = Decimal::MAX;
    input
        .budget
        .by_source
        .push(input.budget.by_source[0].clone());
    input.claimed_total = Some(Decimal::MAX);
    let outcome = evaluate(&input, &project_rules());
    assert!(outcome.total <= dec!(100));
    assert!(outcome.has_errors());
}

fn decimal(max_cents: i64) -> impl Strategy<Value = Decimal> {
    (0..=max_cents).prop_map(|c| Decimal::new(c, 2))
}

fn comparator() -> impl Strategy<Value = Comparator> {
    prop_oneof![
        Just(Comparator::Ge),
        Just(Comparator::Gt),
        Just(Comparator::Eq),
        Just(Comparator::Le),
        Just(Comparator::Lt),
    ]
}

fn formula() -> impl Strategy<Value = ReverseFormula> {
    prop_oneof![Just(ReverseFormula::Ratio), Just(ReverseFormula::Linear)]
}

proptest! {
    #[test]
    fn row_score_within_weight(
        w in (1i64..=10_000).prop_map(|c| Decimal::new(c, 2)),
        t in decimal(100_000_000),
        a in decimal(100_000_000),
        c in comparator(),
        f in formula(),
    ) {
        let r = score_quantitative(w, c, t, a, f).expect("no overflow");
        prop_assert!(r.score >= Decimal::ZERO);
        prop_assert!(r.score <= w);
        prop_assert_eq!(r.score, r.score.round_dp(2));
    }

    #[test]
    fn row_score_is_monotone(
        w in (1i64..=10_000).prop_map(|c| Decimal::new(c, 2)),
        t in (1i64..=10_000_000).prop_map(|c| Decimal::new(c, 2)),
        a1 in decimal(20_000_000),
        a2 in decimal(20_000_000),
        f in formula(),
    ) {
        let (lo, hi) = if a1 <= a2 { (a1, a2) } else { (a2, a1) };
        for c in [Comparator::Ge, Comparator::Gt, Comparator::Eq] {
            let s_lo = score_quantitative(w, c, t, lo, f).expect("ok").score;
            let s_hi = score_quantitative(w, c, t, hi, f).expect("ok").score;
            prop_assert!(s_lo <= s_hi, "{:?}: {} at {} > {} at {}", c, s_lo, lo, s_hi, hi);
        }
        for c in [Comparator::Le, Comparator::Lt] {
            let s_lo = score_quantitative(w, c, t, lo, f).expect("ok").score;
            let s_hi = score_quantitative(w, c, t, hi, f).expect("ok").score;
            prop_assert!(s_lo >= s_hi, "{:?}: {} at {} < {} at {}", c, s_lo, lo, s_hi, hi);
        }
    }

    #[test]
    fn total_is_sum_of_rows_and_at_most_100(
        executed in decimal(20_000),
        actuals in proptest::collection::vec(decimal(20_000), 6),
        claims in proptest::collection::vec(0u8..=4, 6),
        extra_weight in 0i64..=3,
    ) {
        let mut input = clean();
        input.budget.executed = Some(executed);
        input.budget.claimed_rate = None;
        input.budget.claimed_score = None;
        input.claimed_total = None;
        let units = ["台", "%", "人", "", "万元", "%"];
        for (i, row) in input.indicators.iter_mut().enumerate() {
            if i == 3 {
                // Qualitative row: any claim between 0 and the weight, in steps of a quarter.
                row.claimed_score = Some(Decimal::from(claims[i]) * dec!(5));
                row.actual = match claims[i] {
                    4 | 5 => "达成",
                    3 => "部分达成",
                    _ => "未达成",
                }.into();
            } else {
                row.actual = format!("{}{}", actuals[i], units[i]);
            }
        }
        input.indicators[0].weight = Some(dec!(10) + Decimal::from(extra_weight * 10));
        let outcome = evaluate(&input, &project_rules());
        let sum: Decimal = outcome.execution.score
            + outcome.rows.iter().filter_map(|r| r.computed).sum::<Decimal>();
        prop_assert_eq!(outcome.total, sum.min(dec!(100)));
        prop_assert!(outcome.total <= dec!(100));
        prop_assert!(outcome.total >= Decimal::ZERO);
        if extra_weight == 0 {
            prop_assert_eq!(outcome.total, sum);
        }
        for r in &outcome.rows {
            if let (Some(c), Some(w)) = (r.computed, r.weight) {
                prop_assert!(c >= Decimal::ZERO && c <= w);
            }
        }
        prop_assert_eq!(outcome.grade, project_rules().grade_for(outcome.total));
    }

    #[test]
    fn grade_bounds_are_inclusive(
        cuts in proptest::collection::btree_set(1i64..=9_999, 3),
        total in decimal(10_000),
    ) {
        let cuts: Vec<Decimal> = cuts.into_iter().map(|c| Decimal::new(c, 2)).collect();
        let mut rules = project_rules();
        rules.grade_bands = vec![
            GradeBand { grade: Grade::Zhong, min: cuts[0] },
            GradeBand { grade: Grade::You, min: cuts[2] },
            GradeBand { grade: Grade::Liang, min: cuts[1] },
        ];
        prop_assert_eq!(rules.grade_for(cuts[0]), Grade::Zhong);
        prop_assert_eq!(rules.grade_for(cuts[1]), Grade::Liang);
        prop_assert_eq!(rules.grade_for(cuts[2]), Grade::You);
        prop_assert_eq!(rules.grade_for(cuts[0] - dec!(0.01)), Grade::Cha);
        prop_assert_eq!(rules.grade_for(cuts[1] - dec!(0.01)), Grade::Zhong);
        prop_assert_eq!(rules.grade_for(cuts[2] - dec!(0.01)), Grade::Liang);
        let expected = if total >= cuts[2] { Grade::You }
            else if total >= cuts[1] { Grade::Liang }
            else if total >= cuts[0] { Grade::Zhong }
            else { Grade::Cha };
        prop_assert_eq!(rules.grade_for(total), expected);
    }
}
