//! Each money rule of finance.rs, on the seed figures with one figure changed.

use rust_decimal_macros::dec;

use super::finance::{
    FundScope, reconcile_basic_table, reconcile_finance, reconcile_funds, reconcile_profile,
    reconcile_report,
};
use super::review::{Severity, codes};
use super::seed;

fn pairs(findings: &[super::review::Finding]) -> Vec<(&str, &str)> {
    findings
        .iter()
        .map(|f| (f.pointer.as_str(), f.code.as_str()))
        .collect()
}

#[test]
fn finance_rules() {
    let mut f = seed::finance();
    f.revenue.by_source[1].amount = dec!(577.40);
    f.expenditure.basic = Some(dec!(1376.60));
    f.expenditure.basic_share = Some("65%".into());
    f.expenditure.project_share = Some("35.6%".into());
    let findings = reconcile_finance(&f);
    assert_eq!(
        pairs(&findings),
        [
            ("/revenue/total", codes::REVENUE_SOURCES),
            ("/expenditure/total", codes::EXPENDITURE_SPLIT),
            ("/expenditure/basic", codes::BASIC_SPLIT),
            ("/expenditure/basic_share", codes::PERCENTAGE),
            ("/expenditure/project_share", codes::PERCENTAGE),
        ]
    );
    assert_eq!(findings[0].numbers["sum"], "2135.38");
    assert_eq!(findings[0].numbers["difference"], "-0.04");
    assert_eq!(findings[3].numbers["computed_percent"], "64");
    // 758.73 / 2135.42 = 35.53…% → 35.5% at one decimal.
    assert_eq!(findings[4].numbers["computed_percent"], "35.5");
    assert_eq!(findings[4].numbers["stated_percent"], "35.6");
    let mut f = seed::finance();
    f.expenditure.project_share = Some("35.53%".into());
    assert_eq!(reconcile_finance(&f), Vec::new());
    f.expenditure.basic_share = Some("about two thirds".into());
    assert_eq!(
        pairs(&reconcile_finance(&f)),
        [("/expenditure/basic_share", codes::PERCENTAGE)]
    );
}

#[test]
fn fund_rules() {
    let mut set = seed::funds();
    // A county fund off by 0.1, and the black-water fund over-executed.
    set.funds[7].executed = Some(dec!(60.1));
    set.funds[1].executed = Some(dec!(20.87));
    let findings = reconcile_funds(&set);
    assert_eq!(
        pairs(&findings),
        [
            ("/funds/1/executed", codes::FUND_OVER_EXECUTED),
            ("/declared/0/executed", codes::FUND_TOTAL),
            ("/declared/1/executed", codes::FUND_TOTAL),
            ("/declared/2/executed", codes::FUND_TOTAL),
            ("/declared/4/executed", codes::FUND_TOTAL),
        ]
    );
    // A declared project with no funds at all.
    let mut set = seed::funds();
    if let Some(d) = set.declared.get_mut(3) {
        d.scope = FundScope::Project {
            name: "不存在的项目".into(),
        };
    }
    assert_eq!(
        pairs(&reconcile_funds(&set)),
        [
            ("/declared/3/initial", codes::FUND_TOTAL),
            ("/declared/3/full_year", codes::FUND_TOTAL),
            ("/declared/3/executed", codes::FUND_TOTAL),
        ]
    );
}

#[test]
fn basic_table_rules() {
    let mut t = seed::basic_table();
    t.three_public.total.prior_final = Some(dec!(22.55)); // now exact
    t.three_public.total.budget = Some(dec!(25)); // 12 + 0 + 12 = 24
    t.three_public.vehicle_purchase.budget = Some(dec!(18)); // budgeted: no finding
    t.three_public.vehicles.budget = Some(dec!(30));
    t.three_public.reception.final_amount = Some(dec!(12.45)); // overspend, and 三公 final off
    t.project_items[1].final_amount = Some(dec!(160.80));
    t.staffing.in_service = Some(111);
    t.staffing.stated_control_rate = Some("100%".into());
    t.operating_total = Some(super::finance::ControlRow {
        prior_final: None,
        budget: Some(dec!(40)),
        final_amount: Some(dec!(70)),
    });
    let findings = reconcile_basic_table(&t);
    assert_eq!(
        pairs(&findings),
        [
            // 三公 budget: 30 (vehicles) + 0 + 12 = 42 ≠ 25; final: 30.5 + 0 + 12.45 = 42.95 ≠ 40.95.
            ("/three_public/total/budget", codes::BASIC_SUM),
            ("/three_public/total/final_amount", codes::BASIC_SUM),
            // vehicles budget 30 = 18 + 12: nothing. 项目 final 235.50 ≠ 235.54.
            ("/project_total/final_amount", codes::BASIC_SUM),
            // 公用经费 of-which items: budget 40.24 > 40, final 71.64 > 70.
            ("/operating_total/budget", codes::BASIC_SUM),
            ("/operating_total/final_amount", codes::BASIC_SUM),
            ("/operating_total/final_amount", codes::BASIC_OVERSPEND),
            ("/three_public/total/final_amount", codes::BASIC_OVERSPEND),
            (
                "/three_public/vehicles/final_amount",
                codes::BASIC_OVERSPEND
            ),
            (
                "/three_public/vehicle_operation/final_amount",
                codes::BASIC_OVERSPEND
            ),
            (
                "/three_public/reception/final_amount",
                codes::BASIC_OVERSPEND
            ),
            ("/operating_items/0/final_amount", codes::BASIC_OVERSPEND),
            ("/operating_items/1/final_amount", codes::BASIC_OVERSPEND),
            ("/operating_items/2/final_amount", codes::BASIC_OVERSPEND),
            ("/staffing/in_service", codes::STAFF_OVER),
            ("/staffing/stated_control_rate", codes::PERCENTAGE),
        ]
    );
    let rate = findings.last().expect("control rate");
    assert_eq!(rate.numbers["computed_percent"], "101");
    assert_eq!(rate.severity, Severity::Error);
}

#[test]
fn profile_rules() {
    let mut p = seed::profile();
    p.establishment.total = Some(111);
    p.assets.total = Some(dec!(1088.20));
    p.assets.fixed_net = Some(dec!(610.23));
    assert_eq!(
        pairs(&reconcile_profile(&p)),
        [
            ("/establishment/total", codes::PROFILE_STAFFING),
            ("/assets/total", codes::ROUNDING),
            ("/assets/non_current", codes::PROFILE_ASSETS),
        ]
    );
    p.assets.total = Some(dec!(1088.29));
    let findings = reconcile_profile(&p);
    assert_eq!(findings[1].code, codes::PROFILE_ASSETS);
}

#[test]
fn report_cross_table() {
    let mut report = seed::report();
    if let Some(t) = report.basic_table.as_mut() {
        t.basic_expenditure = Some(super::finance::ControlRow {
            prior_final: None,
            budget: None,
            final_amount: Some(dec!(1376.6)),
        });
        if let Some(p) = t.project_total.as_mut() {
            p.final_amount = Some(dec!(758.73));
        }
        t.project_items.clear();
    }
    let findings = reconcile_report(&report);
    let cross: Vec<&str> = findings
        .iter()
        .filter(|f| f.code == codes::CROSS_TABLE)
        .map(|f| f.pointer.as_str())
        .collect();
    assert_eq!(cross, ["/basic_table/basic_expenditure/final_amount"]);
}
