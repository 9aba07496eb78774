//! The seed report's tables, transcribed in `seed.rs`, checked finding by finding.
//!
//! Every expectation below was checked by hand against
//! `shared/seed/hengdong-ecology-2024-self-evaluation.txt` (附件3, 附件4, the two 附件5 tables
//! and section 二). Figures that add up raise nothing; the lists are exhaustive.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::finance::{
    self, reconcile_basic_table, reconcile_finance, reconcile_funds, reconcile_profile,
};
use super::review::{Severity, catalogue_entry, codes};
use super::rules::{self, Grade, rule_set_by_id};
use super::scoring::Basis;
use super::scoring::{Outcome, evaluate};
use super::seed;

fn department_rules() -> rules::RuleSet {
    rule_set_by_id(rules::HENGYANG_2024_DEPARTMENT).expect("builtin rule set")
}

fn project_rules() -> rules::RuleSet {
    rule_set_by_id(rules::HENGYANG_2024_PROJECT).expect("builtin rule set")
}

fn pairs(outcome: &Outcome) -> Vec<(String, String)> {
    outcome
        .findings
        .iter()
        .map(|f| (f.pointer.clone(), f.code.clone()))
        .collect()
}

fn expected(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

fn computed(outcome: &Outcome) -> Vec<Option<Decimal>> {
    outcome.rows.iter().map(|r| r.computed).collect()
}

fn assert_well_formed(findings: &[super::review::Finding]) {
    for f in findings {
        let entry = catalogue_entry(&f.code).expect("every emitted code is catalogued");
        if !entry.rule_set_dependent {
            assert_eq!(f.severity, entry.severity, "{}", f.code);
        }
        assert!(f.pointer.starts_with('/'), "{}", f.pointer);
        assert!(!f.message_en.is_empty() && !f.message_zh.is_empty());
    }
}

/// 附件4, rule set hengyang-2024-department.
#[test]
fn department_table_findings() {
    let outcome = evaluate(&seed::department_evaluation(), &department_rules());
    assert_well_formed(&outcome.findings);
    assert_eq!(
        pairs(&outcome),
        expected(&[
            // 成本控制: 财政预算内 repeats the target: read as achieved, noted.
            ("/indicators/0/actual", codes::GRADE_INFORMAL),
            // 生态环境指标 is not a child of 成本指标 (生态环境成本指标 is suggested).
            ("/indicators/2/level2", codes::UNKNOWN_LEVEL2),
            // 优良率100% measured as 已达标.
            ("/indicators/3/actual", codes::ACTUAL_NOT_MEASURED),
            // PM10 49 (lower is better): no unit (μg/m³), and 已达标 is not a measurement.
            ("/indicators/4/target", codes::TARGET_NO_UNIT),
            ("/indicators/4/actual", codes::ACTUAL_NOT_MEASURED),
            // PM2.5 31: same.
            ("/indicators/5/target", codes::TARGET_NO_UNIT),
            ("/indicators/5/actual", codes::ACTUAL_NOT_MEASURED),
            // 年均II类水质 is qualitative; 已达标 read as achieved, with a warning.
            ("/indicators/6/actual", codes::GRADE_INFORMAL),
            ("/indicators/7/actual", codes::ACTUAL_NOT_MEASURED),
            ("/indicators/8/actual", codes::ACTUAL_NOT_MEASURED),
            // 2024.1.1-204.12.31: the end date is in the year 204.
            ("/indicators/9/actual", codes::ACTUAL_INVALID_DATE),
            // 130.9万 against 40万 is 327% of the target, unexplained.
            (
                "/indicators/10/deviation_explanation",
                codes::OVER_ACHIEVEMENT
            ),
            // 效益指标 (20分) has one scored row of 10.
            ("/indicators/10/level1", codes::GROUP_WEIGHT),
            // Three level-3 rows with a name and nothing else.
            ("/indicators/11/target", codes::MISSING_TARGET),
            ("/indicators/11/weight", codes::MISSING_WEIGHT),
            ("/indicators/12/target", codes::MISSING_TARGET),
            ("/indicators/12/weight", codes::MISSING_WEIGHT),
            ("/indicators/13/target", codes::MISSING_TARGET),
            ("/indicators/13/weight", codes::MISSING_WEIGHT),
            // 满意度: target 95 without unit, actual `≥`, weight 20 in a group of 10.
            ("/indicators/14/target", codes::TARGET_NO_UNIT),
            ("/indicators/14/actual", codes::ACTUAL_NOT_MEASURED),
            ("/indicators/14/level1", codes::GROUP_WEIGHT),
            // The table prints no total: the sum of its claims (100) is its claimed total.
            ("/claimed_total", codes::TOTAL_MISMATCH),
        ])
    );
    let f = &outcome.findings[1];
    assert_eq!(
        f.numbers.get("suggestion").map(String::as_str),
        Some("生态环境成本指标")
    );
    let benefit = outcome
        .findings
        .iter()
        .find(|f| f.pointer == "/indicators/10/level1")
        .expect("benefit group");
    assert_eq!(benefit.numbers["sum"], "10");
    assert_eq!(benefit.numbers["rule_set_weight"], "20");
    let satisfaction = outcome
        .findings
        .iter()
        .find(|f| f.pointer == "/indicators/14/level1")
        .expect("satisfaction group");
    assert_eq!(satisfaction.numbers["sum"], "20");
    assert_eq!(satisfaction.numbers["rule_set_weight"], "10");
    let over = outcome
        .findings
        .iter()
        .find(|f| f.code == codes::OVER_ACHIEVEMENT)
        .expect("over-achievement");
    assert_eq!(over.numbers["percent_of_target"], "327.25");
    assert_eq!(over.severity, Severity::Warning);
    // Budget block: 2135.42 / 2135.42 = 100%, score 10; sources and split add up.
    assert_eq!(outcome.execution.score, dec!(10));
    assert_eq!(outcome.execution.rate, Some(dec!(1)));
    assert_eq!(
        outcome.execution.explanation_en,
        "10 × min(2135.42 / 2135.42, 1) = 10.00"
    );
    // Measured or graded: the 湘江 row (6, graded) and 非税收入 (10, measured). Rows that cannot
    // be verified (已达标 against numbers, `≥` as the satisfaction result) keep their claims for
    // the reviewer; the date in the year 204 (9) and the empty rows score nothing.
    let rows = vec![
        Some(dec!(20)),
        None,
        None,
        Some(dec!(5)),
        Some(dec!(5)),
        Some(dec!(5)),
        Some(dec!(5)),
        Some(dec!(5)),
        Some(dec!(5)),
        None,
        Some(dec!(10)),
        None,
        None,
        None,
        Some(dec!(20)),
    ];
    assert_eq!(computed(&outcome), rows);
    let basis: Vec<Basis> = outcome.rows.iter().map(|r| r.basis).collect();
    use Basis::{Claimed as C, Graded as G, Measured as M, None as N};
    assert_eq!(basis, [G, N, N, C, C, C, G, C, C, N, M, N, N, N, C]);
    assert_eq!(outcome.points.measured, dec!(20));
    assert_eq!(outcome.points.graded, dec!(25));
    assert_eq!(outcome.points.claimed, dec!(45));
    assert_eq!(outcome.rows[4].target.display, "≤ 49");
    assert_eq!(outcome.rows[10].target.display, "≥ 40 万元");
    assert_eq!(outcome.rows[10].actual.display, "130.9 万元");
    assert_eq!(outcome.rows[3].target.display, "优良率 ≥ 100 %");
    assert!(outcome.rows[1].placeholder && outcome.rows[2].placeholder);
    // 90 of which 45 rest on claims only: a dashboard can tell this from a verified 90.
    assert_eq!(outcome.total, dec!(90));
    assert_eq!(outcome.grade, Grade::You);
    assert_eq!(outcome.claimed_total, Some(dec!(100)));
    assert!(outcome.has_errors());
}

/// 附件5 污染源监控系统改造项目运营费用（续费）, rule set hengyang-2024-project.
#[test]
fn monitoring_project_findings() {
    let outcome = evaluate(&seed::monitoring_project_evaluation(), &project_rules());
    assert_well_formed(&outcome.findings);
    assert_eq!(
        pairs(&outcome),
        expected(&[
            // 24条 / 已达标, 100% / 已完成: not measured values.
            ("/indicators/0/actual", codes::ACTUAL_NOT_MEASURED),
            ("/indicators/1/actual", codes::ACTUAL_NOT_MEASURED),
            // 1年 / 2024.1.1-204.12.31.
            ("/indicators/2/actual", codes::ACTUAL_INVALID_DATE),
            // 已完成 on a qualitative target: read as achieved, warned.
            ("/indicators/3/actual", codes::GRADE_INFORMAL),
            // 有效节约 is not in the vocabulary (to review); 有效改善 reads as achieved.
            ("/indicators/4/actual", codes::GRADE_UNKNOWN),
            ("/indicators/5/actual", codes::GRADE_INFORMAL),
            ("/indicators/6/actual", codes::GRADE_INFORMAL),
            // 成本控制率 100% / 已达标.
            ("/indicators/7/actual", codes::ACTUAL_NOT_MEASURED),
            // 满意度 ≥90% / ≥90%: the actual restates the target.
            ("/indicators/10/actual", codes::ACTUAL_NOT_MEASURED),
            // Claimed 100 (= the sum of the claims), computed 30.
            ("/claimed_total", codes::TOTAL_MISMATCH),
        ])
    );
    let rows = vec![
        Some(dec!(10)),
        Some(dec!(5)),
        None,
        Some(dec!(10)),
        Some(dec!(10)),
        Some(dec!(10)),
        Some(dec!(10)),
        Some(dec!(20)),
        None,
        None,
        Some(dec!(10)),
    ];
    assert_eq!(computed(&outcome), rows);
    assert_eq!(outcome.execution.score, dec!(10));
    assert_eq!(outcome.rows[4].basis, Basis::Claimed);
    assert_eq!(outcome.rows[5].basis, Basis::Graded);
    assert_eq!(outcome.total, dec!(95));
    assert_eq!(outcome.claimed_total, Some(dec!(100)));
    assert_eq!(outcome.grade, Grade::You);
    let total = outcome.findings.last().expect("total mismatch");
    assert_eq!(total.numbers["claimed"], "100");
    assert_eq!(total.numbers["computed"], "95");
}

/// 附件5 农村黑臭水体奖补资金, rule set hengyang-2024-project.
#[test]
fn black_water_project_findings() {
    let outcome = evaluate(&seed::black_water_project_evaluation(), &project_rules());
    assert_well_formed(&outcome.findings);
    assert_eq!(
        pairs(&outcome),
        expected(&[
            ("/indicators/0/actual", codes::ACTUAL_NOT_MEASURED),
            // 产出指标（20分）: 10 + 10 + 10 = 30.
            ("/indicators/0/level1", codes::GROUP_WEIGHT),
            ("/indicators/1/actual", codes::ACTUAL_NOT_MEASURED),
            // 90% / 已完成.
            ("/indicators/3/actual", codes::ACTUAL_NOT_MEASURED),
            // 效益指标（40分）: 10 + 10 + 10 = 30.
            ("/indicators/3/level1", codes::GROUP_WEIGHT),
            // 有效提升 / 有效提升: in the vocabulary, and repeats the target.
            ("/indicators/4/actual", codes::GRADE_INFORMAL),
            // 1年 / 已完成.
            ("/indicators/5/actual", codes::ACTUAL_NOT_MEASURED),
            ("/indicators/7/actual", codes::ACTUAL_NOT_MEASURED),
            ("/indicators/10/actual", codes::ACTUAL_NOT_MEASURED),
        ])
    );
    // 治理时效性 1年 / 1年 is the only measured row: within the limit, full weight. Every
    // other row keeps its claim for the reviewer, so the total agrees with the claimed 100.
    assert_eq!(outcome.rows[2].computed, Some(dec!(10)));
    assert_eq!(outcome.rows[2].basis, Basis::Measured);
    assert_eq!(outcome.points.measured, dec!(20));
    assert_eq!(outcome.rows[2].achieved, Some(true));
    assert_eq!(outcome.execution.score, dec!(10));
    assert_eq!(
        outcome.execution.explanation_en,
        "10 × min(19.87 / 19.87, 1) = 10.00"
    );
    assert_eq!(outcome.total, dec!(100));
    assert_eq!(outcome.points.claimed, dec!(70));
}

/// Section 二: revenue and expenditure add up; the stated shares round correctly.
#[test]
fn finance_adds_up() {
    assert_eq!(reconcile_finance(&seed::finance()), Vec::new());
}

/// Section 二 (三): 6 市本级 funds = 235.54, 19 县级 funds = 523.19, all = 758.73, and each
/// 附件5 project's budget block.
#[test]
fn funds_add_up() {
    let set = seed::funds();
    assert_eq!(set.funds.len(), 25);
    assert_eq!(
        set.funds
            .iter()
            .filter(|f| f.level == finance::FundLevel::County)
            .count(),
        19
    );
    assert_eq!(reconcile_funds(&set), Vec::new());
}

/// 附件3: the 2023 三公 total is 0.01 off its items (rounding, warned); overspends; a vehicle
/// purchase without budget.
#[test]
fn basic_table_findings() {
    let findings = reconcile_basic_table(&seed::basic_table());
    assert_well_formed(&findings);
    let got: Vec<(String, String)> = findings
        .iter()
        .map(|f| (f.pointer.clone(), f.code.clone()))
        .collect();
    assert_eq!(
        got,
        expected(&[
            ("/three_public/total/prior_final", codes::ROUNDING),
            ("/three_public/total/final_amount", codes::BASIC_OVERSPEND),
            (
                "/three_public/vehicles/final_amount",
                codes::BASIC_OVERSPEND
            ),
            (
                "/three_public/vehicle_purchase/final_amount",
                codes::VEHICLE_NO_BUDGET
            ),
            (
                "/three_public/vehicle_operation/final_amount",
                codes::BASIC_OVERSPEND
            ),
            ("/operating_items/0/final_amount", codes::BASIC_OVERSPEND),
            ("/operating_items/1/final_amount", codes::BASIC_OVERSPEND),
            ("/operating_items/2/final_amount", codes::BASIC_OVERSPEND),
        ])
    );
    assert!(findings.iter().all(|f| f.severity == Severity::Warning));
    let rounding = &findings[0];
    assert_eq!(rounding.numbers["stated"], "22.54");
    assert_eq!(rounding.numbers["sum"], "22.55");
    assert_eq!(rounding.numbers["tolerance"], "0.01");
    let overspend: Vec<&str> = findings[1..]
        .iter()
        .filter_map(|f| f.numbers.get("overspend").map(String::as_str))
        .collect();
    assert_eq!(
        overspend,
        ["16.95", "18.5", "0.86", "15.62", "14.83", "0.95"]
    );
}

/// Section 一 (三): 编制 10 + 56 + 33 + 10 + 1 = 110; 退休 21 + 13 = 34;
/// 总资产 466.59 + 621.6 = 1088.19; 600.23 + 21.37 ≤ 621.6.
#[test]
fn profile_adds_up() {
    assert_eq!(reconcile_profile(&seed::profile()), Vec::new());
}

/// The whole department year: the basic table's 项目支出 (235.54, only the 市本级 funds)
/// disagrees with the statement's 758.73.
#[test]
fn report_cross_checks() {
    let findings = finance::reconcile_report(&seed::report());
    assert_well_formed(&findings);
    let cross: Vec<&str> = findings
        .iter()
        .filter(|f| f.code == codes::CROSS_TABLE)
        .map(|f| f.pointer.as_str())
        .collect();
    assert_eq!(cross, ["/basic_table/project_total/final_amount"]);
    assert_eq!(findings.len(), 9);
    assert!(
        findings
            .iter()
            .all(|f| f.pointer.starts_with("/basic_table/"))
    );
}

/// The seed inputs survive a JSON round trip (snake_case, decimals as strings).
#[test]
fn seed_round_trips_through_json() {
    let input = seed::department_evaluation();
    let json = serde_json::to_value(&input).expect("serialise");
    assert_eq!(json["budget"]["full_year"], "2135.42");
    assert_eq!(json["indicators"][4]["direction"], "lower");
    let back: super::evaluation::EvaluationInput =
        serde_json::from_value(json).expect("deserialise");
    assert_eq!(back, input);
    let report = seed::report();
    let json = serde_json::to_string(&report).expect("serialise");
    let back: finance::DepartmentReport = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, report);
    let outcome = evaluate(&input, &department_rules());
    let json = serde_json::to_value(&outcome).expect("serialise outcome");
    assert_eq!(json["grade"], "you");
    assert_eq!(json["total"], "90");
    assert_eq!(json["points"]["claimed"], "45");
}
