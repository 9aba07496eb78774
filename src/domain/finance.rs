//! Department finances, fund allocations, the basic data table (基础数据表) and the department
//! year profile, with their reconciliations.
//!
//! Tolerance: a sum is compared with its stated total at the figures' own precision
//! (`money::money_tolerance`: 10^-(max scale), never finer than 0.01 万元). Exactly equal raises
//! nothing; a difference of at most the tolerance (e.g. 22.54 stated vs 11.78 + 0 + 10.77 = 22.55)
//! is explainable by rounding each figure separately and raises the warning
//! `money.rounding_difference`; a larger difference is an error. Stated percentages are compared
//! after rounding the exact ratio half up to the stated precision (64% vs 64.47% is fine).
//!
//! Overspend (`basic.overspend`) is checked for the controlled items of the basic data table:
//! 三公经费 (total, vehicles, vehicle operation, overseas, reception) and 公用经费 items. It is not
//! checked for 项目支出 lines or 基本支出: their budget column is the initial budget, and money
//! allocated during the year is legitimate (the fund reconciliation checks executed ≤ full-year
//! budget instead).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::finding::{Finding, codes, percent_finding, sum_finding};
use super::money::{self, show};

/// 资金来源.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundSource {
    /// 一般公共预算财政拨款
    GeneralPublicBudget,
    /// 政府性基金
    GovernmentFund,
    /// 纳入专户管理的非税收入
    SpecialAccountNonTax,
    /// 国有资本经营预算
    StateCapital,
    /// 非同级财政拨款
    NonSameLevel,
    /// 上年结转
    CarryOver,
    /// 其他资金
    Other,
}

impl FundSource {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            FundSource::GeneralPublicBudget => "一般公共预算财政拨款",
            FundSource::GovernmentFund => "政府性基金",
            FundSource::SpecialAccountNonTax => "纳入专户管理的非税收入",
            FundSource::StateCapital => "国有资本经营预算",
            FundSource::NonSameLevel => "非同级财政拨款",
            FundSource::CarryOver => "上年结转",
            FundSource::Other => "其他资金",
        }
    }
}

/// An amount from one fund source (万元).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceAmount {
    pub source: FundSource,
    pub amount: Decimal,
}

/// 资金级次.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundLevel {
    /// 中央
    Central,
    /// 省级
    Provincial,
    /// 市本级
    City,
    /// 县级
    County,
}

impl FundLevel {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            FundLevel::Central => "中央",
            FundLevel::Provincial => "省级",
            FundLevel::City => "市本级",
            FundLevel::County => "县级",
        }
    }
}

/// Revenue (收入) of a department year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revenue {
    pub total: Decimal,
    #[serde(default)]
    pub by_source: Vec<SourceAmount>,
}

/// Expenditure (支出) of a department year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expenditure {
    pub total: Decimal,
    /// 基本支出
    #[serde(default)]
    pub basic: Option<Decimal>,
    /// 人员经费
    #[serde(default)]
    pub personnel: Option<Decimal>,
    /// 公用经费
    #[serde(default)]
    pub operating: Option<Decimal>,
    /// 项目支出
    #[serde(default)]
    pub project: Option<Decimal>,
    /// Stated share of 基本支出 in the total, e.g. `64%`.
    #[serde(default)]
    pub basic_share: Option<String>,
    /// Stated share of 项目支出 in the total, e.g. `36%`.
    #[serde(default)]
    pub project_share: Option<String>,
}

/// Department finances of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentFinance {
    pub year: i32,
    pub revenue: Revenue,
    pub expenditure: Expenditure,
}

/// One fund allocation (资金).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fund {
    pub name: String,
    #[serde(default)]
    pub source: Option<FundSource>,
    pub level: FundLevel,
    /// The project it finances, by name.
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub initial: Option<Decimal>,
    #[serde(default)]
    pub full_year: Option<Decimal>,
    #[serde(default)]
    pub executed: Option<Decimal>,
}

/// Which funds a declared figure covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FundScope {
    /// Every fund (e.g. the department's 项目支出).
    All,
    /// The funds of one level (e.g. 市本级财政下达资金).
    Level { level: FundLevel },
    /// The funds of one project (e.g. a project evaluation's budget block).
    Project { name: String },
}

/// A figure the funds must add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundDeclaration {
    pub scope: FundScope,
    /// Where the figure comes from, e.g. `项目支出共计` or `附件5 年度资金总额`.
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub initial: Option<Decimal>,
    #[serde(default)]
    pub full_year: Option<Decimal>,
    #[serde(default)]
    pub executed: Option<Decimal>,
}

/// Fund allocations of a department year and the figures they must add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundSet {
    pub funds: Vec<Fund>,
    #[serde(default)]
    pub declared: Vec<FundDeclaration>,
}

/// One line of the basic data table: prior-year final, budget, final (万元).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ControlRow {
    /// 上年决算数
    #[serde(default)]
    pub prior_final: Option<Decimal>,
    /// 本年预算数
    #[serde(default)]
    pub budget: Option<Decimal>,
    /// 本年决算数
    #[serde(default)]
    pub final_amount: Option<Decimal>,
}

/// A named line of the basic data table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NamedControlRow {
    pub name: String,
    #[serde(default)]
    pub prior_final: Option<Decimal>,
    #[serde(default)]
    pub budget: Option<Decimal>,
    #[serde(default)]
    pub final_amount: Option<Decimal>,
}

impl NamedControlRow {
    fn row(&self) -> ControlRow {
        ControlRow {
            prior_final: self.prior_final,
            budget: self.budget,
            final_amount: self.final_amount,
        }
    }
}

/// 三公经费 with its items.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ThreePublic {
    /// 三公经费 total
    pub total: ControlRow,
    /// 公务用车购置和运行维护经费
    pub vehicles: ControlRow,
    /// 其中：公车购置
    pub vehicle_purchase: ControlRow,
    /// 其中：公车运行维护
    pub vehicle_operation: ControlRow,
    /// 因公出国（境）经费
    pub overseas: ControlRow,
    /// 公务接待
    pub reception: ControlRow,
}

/// 财政供养人员情况.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Staffing {
    /// 编制数
    #[serde(default)]
    pub establishment: Option<u32>,
    /// 在职人数
    #[serde(default)]
    pub in_service: Option<u32>,
    /// 控制率 as written, e.g. `74%`.
    #[serde(default)]
    pub stated_control_rate: Option<String>,
}

/// 部门整体支出绩效评价基础数据表 (附件3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BasicDataTable {
    pub year: i32,
    pub staffing: Staffing,
    pub three_public: ThreePublic,
    /// 项目支出 total
    #[serde(default)]
    pub project_total: Option<ControlRow>,
    #[serde(default)]
    pub project_items: Vec<NamedControlRow>,
    /// 公用经费 total (often left blank)
    #[serde(default)]
    pub operating_total: Option<ControlRow>,
    /// 公用经费 其中 items (not exhaustive)
    #[serde(default)]
    pub operating_items: Vec<NamedControlRow>,
    /// 政府采购金额
    #[serde(default)]
    pub procurement: Option<ControlRow>,
    /// 部门基本支出（预算调整）
    #[serde(default)]
    pub basic_expenditure: Option<ControlRow>,
}

/// A count with named parts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CountBreakdown {
    #[serde(default)]
    pub total: Option<u32>,
    #[serde(default)]
    pub parts: Vec<NamedCount>,
}

/// A named count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedCount {
    pub name: String,
    pub count: u32,
}

/// Assets (万元).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Assets {
    #[serde(default)]
    pub total: Option<Decimal>,
    /// 流动资产
    #[serde(default)]
    pub current: Option<Decimal>,
    /// 非流动资产
    #[serde(default)]
    pub non_current: Option<Decimal>,
    /// 固定资产净值
    #[serde(default)]
    pub fixed_net: Option<Decimal>,
    /// 无形资产
    #[serde(default)]
    pub intangible: Option<Decimal>,
}

/// Department year profile: staffing, vehicles, assets.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DepartmentProfile {
    pub year: i32,
    /// 编制数 by category
    #[serde(default)]
    pub establishment: CountBreakdown,
    /// 在职人员
    #[serde(default)]
    pub in_service: Option<u32>,
    /// 退休人员 by category
    #[serde(default)]
    pub retired: CountBreakdown,
    /// 公务用车 (vehicles)
    #[serde(default)]
    pub vehicles: Option<u32>,
    #[serde(default)]
    pub assets: Assets,
}

/// Everything about one department year that can be reconciled across tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentReport {
    pub finance: DepartmentFinance,
    #[serde(default)]
    pub basic_table: Option<BasicDataTable>,
    #[serde(default)]
    pub funds: Option<FundSet>,
    #[serde(default)]
    pub profile: Option<DepartmentProfile>,
}

/// Revenue by source, 基本支出 + 项目支出, 人员经费 + 公用经费, and the stated shares.
/// Pointers are relative to the [`DepartmentFinance`].
pub fn reconcile_finance(finance: &DepartmentFinance) -> Vec<Finding> {
    let mut findings = Vec::new();
    let revenue = &finance.revenue;
    if !revenue.by_source.is_empty() {
        let parts: Vec<Decimal> = revenue.by_source.iter().map(|s| s.amount).collect();
        findings.extend(sum_finding(
            codes::REVENUE_SOURCES,
            "/revenue/total",
            "revenue by fund source vs total revenue",
            "各资金来源收入之和与收入总计",
            revenue.total,
            &parts,
            None,
        ));
    }
    let e = &finance.expenditure;
    if let (Some(basic), Some(project)) = (e.basic, e.project) {
        findings.extend(sum_finding(
            codes::EXPENDITURE_SPLIT,
            "/expenditure/total",
            "基本支出 + 项目支出 vs total expenditure",
            "基本支出＋项目支出与支出总计",
            e.total,
            &[basic, project],
            None,
        ));
    }
    if let (Some(basic), Some(personnel), Some(operating)) = (e.basic, e.personnel, e.operating) {
        findings.extend(sum_finding(
            codes::BASIC_SPLIT,
            "/expenditure/basic",
            "人员经费 + 公用经费 vs 基本支出",
            "人员经费＋公用经费与基本支出",
            basic,
            &[personnel, operating],
            None,
        ));
    }
    if let (Some(stated), Some(basic)) = (&e.basic_share, e.basic) {
        findings.extend(percent_finding(
            codes::PERCENTAGE,
            "/expenditure/basic_share",
            "share of 基本支出 in total expenditure",
            "基本支出占支出总额的比例",
            stated,
            basic,
            e.total,
        ));
    }
    if let (Some(stated), Some(project)) = (&e.project_share, e.project) {
        findings.extend(percent_finding(
            codes::PERCENTAGE,
            "/expenditure/project_share",
            "share of 项目支出 in total expenditure",
            "项目支出占支出总额的比例",
            stated,
            project,
            e.total,
        ));
    }
    findings
}

fn in_scope(fund: &Fund, scope: &FundScope) -> bool {
    match scope {
        FundScope::All => true,
        FundScope::Level { level } => fund.level == *level,
        FundScope::Project { name } => fund.project.as_deref().map(str::trim) == Some(name.trim()),
    }
}

fn scope_label(scope: &FundScope) -> (String, String) {
    match scope {
        FundScope::All => ("all funds".into(), "全部资金".into()),
        FundScope::Level { level } => (
            format!("{} funds", level.label_zh()),
            format!("{}资金", level.label_zh()),
        ),
        FundScope::Project { name } => (
            format!("funds of project {name}"),
            format!("项目“{name}”的资金"),
        ),
    }
}

/// Executed ≤ full-year per fund, and every declared figure against the sum of its funds.
/// A column is reconciled only when every fund in scope has it. Pointers are relative to the
/// [`FundSet`].
pub fn reconcile_funds(set: &FundSet) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (i, fund) in set.funds.iter().enumerate() {
        if let (Some(full_year), Some(executed)) = (fund.full_year, fund.executed)
            && executed > full_year
        {
            findings.push(
                Finding::new(
                    codes::FUND_OVER_EXECUTED,
                    format!("/funds/{i}/executed"),
                    format!(
                        "{}: executed {} above the full-year budget {}",
                        fund.name,
                        show(executed),
                        show(full_year)
                    ),
                    format!(
                        "{}：执行数 {} 超过全年预算数 {}",
                        fund.name,
                        show(executed),
                        show(full_year)
                    ),
                )
                .num("executed", executed)
                .num("full_year", full_year),
            );
        }
    }
    type Column = fn(&Fund) -> Option<Decimal>;
    for (j, declaration) in set.declared.iter().enumerate() {
        let funds: Vec<&Fund> = set
            .funds
            .iter()
            .filter(|f| in_scope(f, &declaration.scope))
            .collect();
        let (label_en, label_zh) = scope_label(&declaration.scope);
        let checks: [(&str, &str, Option<Decimal>, Column); 3] = [
            ("initial", "年初预算数", declaration.initial, |f| {
                f.initial
            }),
            ("full_year", "全年预算数", declaration.full_year, |f| {
                f.full_year
            }),
            ("executed", "执行数", declaration.executed, |f| {
                f.executed
            }),
        ];
        for (field, field_zh, declared, column) in checks {
            let Some(declared) = declared else { continue };
            let values: Option<Vec<Decimal>> = funds.iter().map(|f| column(f)).collect();
            let Some(values) = values else { continue };
            findings.extend(sum_finding(
                codes::FUND_TOTAL,
                &format!("/declared/{j}/{field}"),
                &format!("{label_en} ({field})"),
                &format!("{label_zh}（{field_zh}）"),
                declared,
                &values,
                None,
            ));
        }
    }
    findings
}

fn columns(row: &ControlRow) -> [(&'static str, &'static str, Option<Decimal>); 3] {
    [
        ("prior_final", "上年决算数", row.prior_final),
        ("budget", "预算数", row.budget),
        ("final_amount", "决算数", row.final_amount),
    ]
}

fn column_of(row: &ControlRow, field: &str) -> Option<Decimal> {
    match field {
        "prior_final" => row.prior_final,
        "budget" => row.budget,
        _ => row.final_amount,
    }
}

/// `total` = Σ items per column; blank items count 0 when at least one item has a figure.
fn section_sum(
    findings: &mut Vec<Finding>,
    pointer: &str,
    what_en: &str,
    what_zh: &str,
    total: &ControlRow,
    items: &[ControlRow],
) {
    for (field, field_zh, stated) in columns(total) {
        let Some(stated) = stated else { continue };
        let values: Vec<Option<Decimal>> = items.iter().map(|r| column_of(r, field)).collect();
        if values.iter().all(Option::is_none) {
            continue;
        }
        let parts: Vec<Decimal> = values.into_iter().map(|v| v.unwrap_or_default()).collect();
        findings.extend(sum_finding(
            codes::BASIC_SUM,
            &format!("{pointer}/{field}"),
            &format!("{what_en} ({field})"),
            &format!("{what_zh}（{field_zh}）"),
            stated,
            &parts,
            None,
        ));
    }
}

fn overspend(findings: &mut Vec<Finding>, pointer: &str, name: &str, row: &ControlRow) {
    if let (Some(budget), Some(final_amount)) = (row.budget, row.final_amount)
        && final_amount > budget
    {
        let overspent = final_amount.checked_sub(budget);
        findings.push(
            Finding::new(
                codes::BASIC_OVERSPEND,
                format!("{pointer}/final_amount"),
                format!(
                    "{name}: final {} above budget {} (overspent by {})",
                    show(final_amount),
                    show(budget),
                    money::show_checked(overspent)
                ),
                format!(
                    "{name}：决算数 {} 超过预算数 {}（超支 {}）",
                    show(final_amount),
                    show(budget),
                    money::show_checked(overspent)
                ),
            )
            .num("budget", budget)
            .num("final", final_amount)
            .num("overspend", money::text_checked(overspent)),
        );
    }
}

/// The basic data table: 三公经费 sums, vehicles, project and 公用经费 sections, overspends,
/// vehicle purchases without budget, staffing and its stated 控制率. Pointers are relative to the
/// [`BasicDataTable`].
pub fn reconcile_basic_table(table: &BasicDataTable) -> Vec<Finding> {
    let mut findings = Vec::new();
    three_public_sums(&mut findings, &table.three_public);
    project_sum(&mut findings, table);
    operating_sum(&mut findings, table);
    three_public_overspends(&mut findings, &table.three_public);
    for (i, item) in table.operating_items.iter().enumerate() {
        overspend(
            &mut findings,
            &format!("/operating_items/{i}"),
            &item.name,
            &item.row(),
        );
    }
    staffing_checks(&mut findings, &table.staffing);
    findings
}

/// 三公经费 and 公务用车 against their parts.
fn three_public_sums(findings: &mut Vec<Finding>, tp: &ThreePublic) {
    section_sum(
        findings,
        "/three_public/total",
        "三公经费 = 公务用车 + 出国 + 公务接待",
        "三公经费＝公务用车购置和运行维护＋因公出国（境）＋公务接待",
        &tp.total,
        &[
            tp.vehicles.clone(),
            tp.overseas.clone(),
            tp.reception.clone(),
        ],
    );
    section_sum(
        findings,
        "/three_public/vehicles",
        "公务用车 = 购置 + 运行维护",
        "公务用车经费＝公车购置＋公车运行维护",
        &tp.vehicles,
        &[tp.vehicle_purchase.clone(), tp.vehicle_operation.clone()],
    );
}

/// 项目支出 against its project lines.
fn project_sum(findings: &mut Vec<Finding>, table: &BasicDataTable) {
    if let Some(total) = &table.project_total
        && !table.project_items.is_empty()
    {
        let items: Vec<ControlRow> = table
            .project_items
            .iter()
            .map(NamedControlRow::row)
            .collect();
        section_sum(
            findings,
            "/project_total",
            "项目支出 = Σ project lines",
            "项目支出＝各项目之和",
            total,
            &items,
        );
    }
}

/// 公用经费: its of-which items may not add up above the total, nor the total be overspent.
fn operating_sum(findings: &mut Vec<Finding>, table: &BasicDataTable) {
    if let Some(total) = &table.operating_total {
        for (field, field_zh, stated) in columns(total) {
            let Some(stated) = stated else { continue };
            // Amounts are never negative: a sum beyond the decimal range is above the total.
            let sum = money::sum_checked(
                table
                    .operating_items
                    .iter()
                    .filter_map(|r| column_of(&r.row(), field)),
            );
            if sum.is_none_or(|s| s > stated) {
                findings.push(
                    Finding::new(
                        codes::BASIC_SUM,
                        format!("/operating_total/{field}"),
                        format!(
                            "公用经费 of-which items add up to {} above the total {} ({field})",
                            money::show_checked(sum),
                            show(stated)
                        ),
                        format!(
                            "公用经费“其中”各项之和 {} 超过合计 {}（{field_zh}）",
                            money::show_checked(sum),
                            show(stated)
                        ),
                    )
                    .num("sum", money::text_checked(sum))
                    .num("stated", stated),
                );
            }
        }
        overspend(findings, "/operating_total", "公用经费", total);
    }
}

/// Each 三公经费 line against its budget; a vehicle purchased without a budget.
fn three_public_overspends(findings: &mut Vec<Finding>, tp: &ThreePublic) {
    overspend(findings, "/three_public/total", "三公经费", &tp.total);
    overspend(
        findings,
        "/three_public/vehicles",
        "公务用车购置和运行维护经费",
        &tp.vehicles,
    );
    match (tp.vehicle_purchase.budget, tp.vehicle_purchase.final_amount) {
        (budget, Some(purchased))
            if purchased > Decimal::ZERO && budget.is_none_or(|b| b.is_zero()) =>
        {
            findings.push(
                Finding::new(
                    codes::VEHICLE_NO_BUDGET,
                    "/three_public/vehicle_purchase/final_amount",
                    format!(
                        "vehicles purchased for {} with a budget of {}",
                        show(purchased),
                        budget.map_or("none".to_string(), show)
                    ),
                    format!(
                        "公车购置决算 {}，预算 {}：无预算购车",
                        show(purchased),
                        budget.map_or("未列".to_string(), show)
                    ),
                )
                .num("final", purchased)
                .num("budget", budget.unwrap_or_default()),
            );
        }
        _ => overspend(
            findings,
            "/three_public/vehicle_purchase",
            "公车购置",
            &tp.vehicle_purchase,
        ),
    }
    overspend(
        findings,
        "/three_public/vehicle_operation",
        "公车运行维护",
        &tp.vehicle_operation,
    );
    overspend(
        findings,
        "/three_public/overseas",
        "因公出国（境）经费",
        &tp.overseas,
    );
    overspend(
        findings,
        "/three_public/reception",
        "公务接待费",
        &tp.reception,
    );
}

/// In-service staff against the establishment, and the stated control rate.
fn staffing_checks(findings: &mut Vec<Finding>, staffing: &Staffing) {
    if let (Some(establishment), Some(in_service)) = (staffing.establishment, staffing.in_service) {
        if in_service > establishment {
            findings.push(
                Finding::new(
                    codes::STAFF_OVER,
                    "/staffing/in_service",
                    format!("{in_service} in service above the establishment of {establishment}"),
                    format!("在职人数 {in_service} 超过编制数 {establishment}"),
                )
                .num("in_service", in_service)
                .num("establishment", establishment),
            );
        }
        if let Some(stated) = &staffing.stated_control_rate {
            findings.extend(percent_finding(
                codes::PERCENTAGE,
                "/staffing/stated_control_rate",
                "control rate 在职人数 / 编制数",
                "控制率（在职人数÷编制数）",
                stated,
                Decimal::from(in_service),
                Decimal::from(establishment),
            ));
        }
    }
}

fn count_sum(
    findings: &mut Vec<Finding>,
    pointer: &str,
    what_en: &str,
    what_zh: &str,
    b: &CountBreakdown,
) {
    if let Some(total) = b.total
        && !b.parts.is_empty()
    {
        let parts: Vec<Decimal> = b.parts.iter().map(|p| Decimal::from(p.count)).collect();
        findings.extend(sum_finding(
            codes::PROFILE_STAFFING,
            pointer,
            what_en,
            what_zh,
            Decimal::from(total),
            &parts,
            Some(Decimal::ZERO),
        ));
    }
}

/// Staffing by category and assets. Pointers are relative to the [`DepartmentProfile`].
pub fn reconcile_profile(profile: &DepartmentProfile) -> Vec<Finding> {
    let mut findings = Vec::new();
    count_sum(
        &mut findings,
        "/establishment/total",
        "编制数 by category",
        "分类编制数之和与编制总数",
        &profile.establishment,
    );
    count_sum(
        &mut findings,
        "/retired/total",
        "retired by category",
        "分类退休人数之和与退休总数",
        &profile.retired,
    );
    let a = &profile.assets;
    if let (Some(total), Some(current), Some(non_current)) = (a.total, a.current, a.non_current) {
        findings.extend(sum_finding(
            codes::PROFILE_ASSETS,
            "/assets/total",
            "总资产 = 流动资产 + 非流动资产",
            "总资产＝流动资产＋非流动资产",
            total,
            &[current, non_current],
            None,
        ));
    }
    if let Some(non_current) = a.non_current {
        let parts: Vec<Decimal> = [a.fixed_net, a.intangible].into_iter().flatten().collect();
        // Amounts are never negative: a sum beyond the decimal range is above any amount.
        let sum = money::sum_checked(parts.iter().copied());
        if !parts.is_empty() && sum.is_none_or(|s| s > non_current) {
            findings.push(
                Finding::new(
                    codes::PROFILE_ASSETS,
                    "/assets/non_current",
                    format!(
                        "固定资产净值 + 无形资产 = {} is above 非流动资产 {}",
                        money::show_checked(sum),
                        show(non_current)
                    ),
                    format!(
                        "固定资产净值＋无形资产 = {}，超过非流动资产 {}",
                        money::show_checked(sum),
                        show(non_current)
                    ),
                )
                .num("sum", money::text_checked(sum))
                .num("non_current", non_current),
            );
        }
    }
    findings
}

fn prefixed(prefix: &str, findings: Vec<Finding>) -> impl Iterator<Item = Finding> + '_ {
    findings.into_iter().map(move |mut f| {
        f.pointer = format!("{prefix}{}", f.pointer);
        f
    })
}

fn cross(
    findings: &mut Vec<Finding>,
    pointer: &str,
    what_en: &str,
    what_zh: &str,
    here: Decimal,
    there: Decimal,
) {
    if here != there {
        findings.push(
            Finding::new(
                codes::CROSS_TABLE,
                pointer,
                format!(
                    "{what_en}: {} here but {} in the finance statement",
                    show(here),
                    show(there)
                ),
                format!(
                    "{what_zh}：此处为 {}，收支决算中为 {}",
                    show(here),
                    show(there)
                ),
            )
            .num("here", here)
            .num("finance", there),
        );
    }
}

/// Every reconciliation of a department year, with pointers into the [`DepartmentReport`],
/// plus the cross-table checks (basic data table against the finance statement).
pub fn reconcile_report(report: &DepartmentReport) -> Vec<Finding> {
    let mut findings: Vec<Finding> =
        prefixed("/finance", reconcile_finance(&report.finance)).collect();
    if let Some(table) = &report.basic_table {
        findings.extend(prefixed("/basic_table", reconcile_basic_table(table)));
        let e = &report.finance.expenditure;
        if let (Some(row), Some(basic)) = (&table.basic_expenditure, e.basic)
            && let Some(final_amount) = row.final_amount
        {
            cross(
                &mut findings,
                "/basic_table/basic_expenditure/final_amount",
                "基本支出 final in the basic data table",
                "基础数据表基本支出决算数",
                final_amount,
                basic,
            );
        }
        if let (Some(row), Some(project)) = (&table.project_total, e.project)
            && let Some(final_amount) = row.final_amount
        {
            cross(
                &mut findings,
                "/basic_table/project_total/final_amount",
                "项目支出 final in the basic data table",
                "基础数据表项目支出决算数",
                final_amount,
                project,
            );
        }
    }
    if let Some(funds) = &report.funds {
        findings.extend(prefixed("/funds", reconcile_funds(funds)));
    }
    if let Some(profile) = &report.profile {
        findings.extend(prefixed("/profile", reconcile_profile(profile)));
    }
    findings
}
