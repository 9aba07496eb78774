//! The department's year documents: the profile (staffing, vehicles, assets) and the finances
//! (revenue, expenditure, the basic data table), as sent, and as answered with what the
//! server computes.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::finance::{self as fin, FundDeclaration, FundScope};
use crate::model::amount::{Amount, Figure, dec};
use crate::model::body::RequestBody;
use crate::model::findings::{FindingDto, convert};
use crate::model::funds::{Level, Source, rate};
use crate::store::documents as store;

/// A count with named parts (e.g. 编制数 by category).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Breakdown {
    #[serde(default)]
    pub total: Option<u32>,
    #[serde(default)]
    pub parts: Vec<NamedCount>,
}

/// A named count.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedCount {
    pub name: String,
    pub count: u32,
}

/// Assets (万元): 总资产 = 流动资产 + 非流动资产; 非流动资产 ⊇ 固定资产净值 + 无形资产.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetsInput {
    #[serde(default)]
    pub total: Option<Amount>,
    #[serde(default)]
    pub current: Option<Amount>,
    #[serde(default)]
    pub non_current: Option<Amount>,
    #[serde(default)]
    pub fixed_net: Option<Amount>,
    #[serde(default)]
    pub intangible: Option<Amount>,
}

/// A department's year profile.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "establishment": {"total": 110, "parts": [{"name": "行政编制", "count": 10}, {"name": "两个综合执法大队编制", "count": 56},
        {"name": "监测站编制", "count": 33}, {"name": "事务中心编制", "count": 10}, {"name": "机关工勤编", "count": 1}]},
    "in_service": 81,
    "retired": {"total": 34, "parts": [{"name": "县级退休人员", "count": 21}, {"name": "市级退休人员", "count": 13}]},
    "other_staff": [{"name": "劳务派遣人员", "count": 5}],
    "vehicles": 3,
    "assets": {"total": "1088.19", "current": "466.59", "non_current": "621.6", "fixed_net": "600.23", "intangible": "21.37"}
}))]
pub struct ProfileInput {
    /// 编制数 by category.
    #[serde(default)]
    pub establishment: Breakdown,
    /// 在职人员.
    #[serde(default)]
    pub in_service: Option<u32>,
    /// 退休人员 by category.
    #[serde(default)]
    pub retired: Breakdown,
    /// Other people (劳务派遣, 遗属 …).
    #[serde(default)]
    pub other_staff: Vec<NamedCount>,
    /// 公务用车.
    #[serde(default)]
    pub vehicles: Option<u32>,
    #[serde(default)]
    pub assets: AssetsInput,
}

impl RequestBody for ProfileInput {
    const READ_ONLY: &'static [&'static str] = &[
        "department_id",
        "year",
        "computed",
        "version",
        "created_at",
        "updated_at",
    ];
}

fn breakdown(b: &Breakdown) -> fin::CountBreakdown {
    fin::CountBreakdown {
        total: b.total,
        parts: b
            .parts
            .iter()
            .map(|p| fin::NamedCount {
                name: p.name.clone(),
                count: p.count,
            })
            .collect(),
    }
}

impl ProfileInput {
    pub fn to_domain(&self, year: i32) -> fin::DepartmentProfile {
        let a = &self.assets;
        fin::DepartmentProfile {
            year,
            establishment: breakdown(&self.establishment),
            in_service: self.in_service,
            retired: breakdown(&self.retired),
            vehicles: self.vehicles,
            assets: fin::Assets {
                total: dec(a.total),
                current: dec(a.current),
                non_current: dec(a.non_current),
                fixed_net: dec(a.fixed_net),
                intangible: dec(a.intangible),
            },
        }
    }
}

/// What the server computes from a profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileComputed {
    /// 在职人员控制率 = 在职 / 编制.
    pub in_service_control_rate_percent: Option<Figure>,
    /// 流动资产 + 非流动资产.
    pub assets_sum: Option<Amount>,
    pub findings: Vec<FindingDto>,
}

/// A department's year profile with its computed block.
#[derive(Debug, Serialize, ToSchema)]
pub struct Profile {
    pub department_id: String,
    pub year: i32,
    #[serde(flatten)]
    pub data: ProfileInput,
    pub computed: ProfileComputed,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

pub fn profile_computed(input: &ProfileInput, year: i32) -> ProfileComputed {
    let domain = input.to_domain(year);
    ProfileComputed {
        in_service_control_rate_percent: rate(
            input.in_service.map(Decimal::from),
            input.establishment.total.map(Decimal::from),
        ),
        assets_sum: match (input.assets.current, input.assets.non_current) {
            (Some(c), Some(n)) => c.0.checked_add(n.0).map(Amount),
            _ => None,
        },
        findings: convert(fin::reconcile_profile(&domain), &[]),
    }
}

// ---------------------------------------------------------------- finance

/// Revenue from one fund source.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceAmountInput {
    pub source: Source,
    pub amount: Amount,
}

/// 收入.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevenueInput {
    pub total: Amount,
    #[serde(default)]
    pub by_source: Vec<SourceAmountInput>,
}

/// 项目支出 from one fund level, as the report states it (e.g. 市本级财政下达资金 235.54).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelAmountInput {
    pub level: Level,
    pub amount: Amount,
    /// The wording of the report.
    #[serde(default)]
    pub label: Option<String>,
}

/// 支出.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpenditureInput {
    pub total: Amount,
    /// 基本支出.
    #[serde(default)]
    pub basic: Option<Amount>,
    /// 人员经费.
    #[serde(default)]
    pub personnel: Option<Amount>,
    /// 公用经费.
    #[serde(default)]
    pub operating: Option<Amount>,
    /// 项目支出.
    #[serde(default)]
    pub project: Option<Amount>,
    /// 项目支出 by 资金级次, where the report gives it.
    #[serde(default)]
    pub project_by_level: Vec<LevelAmountInput>,
    /// The stated share of 基本支出, as written (`64%`).
    #[serde(default)]
    pub basic_share: Option<String>,
    /// The stated share of 项目支出, as written (`36%`).
    #[serde(default)]
    pub project_share: Option<String>,
}

/// One line of the basic data table: prior-year final, budget, final (万元).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlRowInput {
    /// 上年决算数.
    #[serde(default)]
    pub prior_final: Option<Amount>,
    /// 本年预算数.
    #[serde(default)]
    pub budget: Option<Amount>,
    /// 本年决算数.
    #[serde(default)]
    pub final_amount: Option<Amount>,
}

/// A named line of the basic data table.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedControlRowInput {
    pub name: String,
    #[serde(default)]
    pub prior_final: Option<Amount>,
    #[serde(default)]
    pub budget: Option<Amount>,
    #[serde(default)]
    pub final_amount: Option<Amount>,
}

/// 三公经费.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreePublicInput {
    #[serde(default)]
    pub total: ControlRowInput,
    /// 公务用车购置和维护经费.
    #[serde(default)]
    pub vehicles: ControlRowInput,
    /// 其中：公车购置.
    #[serde(default)]
    pub vehicle_purchase: ControlRowInput,
    /// 其中：公车运行维护.
    #[serde(default)]
    pub vehicle_operation: ControlRowInput,
    /// 出国经费.
    #[serde(default)]
    pub overseas: ControlRowInput,
    /// 公务接待.
    #[serde(default)]
    pub reception: ControlRowInput,
}

/// 财政供养人员情况.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffingInput {
    /// 编制数.
    #[serde(default)]
    pub establishment: Option<u32>,
    /// 在职人数.
    #[serde(default)]
    pub in_service: Option<u32>,
    /// 控制率 as written (`74%`).
    #[serde(default)]
    pub stated_control_rate: Option<String>,
}

/// 楼堂馆所控制情况.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildingsInput {
    /// 批复规模 (㎡).
    #[serde(default)]
    pub approved_area_m2: Option<Amount>,
    /// 实际规模 (㎡).
    #[serde(default)]
    pub actual_area_m2: Option<Amount>,
    /// 预算投资 (万元).
    #[serde(default)]
    pub budget_investment: Option<Amount>,
    /// 实际投资 (万元).
    #[serde(default)]
    pub actual_investment: Option<Amount>,
}

/// 部门整体支出绩效评价基础数据表 (附件3).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicDataInput {
    #[serde(default)]
    pub staffing: StaffingInput,
    #[serde(default)]
    pub three_public: ThreePublicInput,
    /// 项目支出 total.
    #[serde(default)]
    pub project_total: Option<ControlRowInput>,
    #[serde(default)]
    pub project_items: Vec<NamedControlRowInput>,
    /// 公用经费 total.
    #[serde(default)]
    pub operating_total: Option<ControlRowInput>,
    /// 公用经费 其中 items.
    #[serde(default)]
    pub operating_items: Vec<NamedControlRowInput>,
    /// 政府采购金额.
    #[serde(default)]
    pub procurement: Option<ControlRowInput>,
    /// 部门基本支出预算调整.
    #[serde(default)]
    pub basic_expenditure: Option<ControlRowInput>,
    #[serde(default)]
    pub buildings: Option<BuildingsInput>,
    /// 厉行节约保障措施.
    #[serde(default)]
    pub thrift_measures: Option<String>,
}

/// A department's finances of one year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "revenue": {"total": "2135.42", "by_source": [
        {"source": "general_public_budget", "amount": "1393.76"},
        {"source": "non_same_level", "amount": "577.44"},
        {"source": "other", "amount": "164.22"}]},
    "expenditure": {"total": "2135.42", "basic": "1376.69", "personnel": "1169.09", "operating": "207.60",
        "project": "758.73", "basic_share": "64%", "project_share": "36%",
        "project_by_level": [{"level": "city", "amount": "235.54", "label": "市本级财政下达资金"},
                             {"level": "county", "amount": "523.19", "label": "其他（县级财政）收入项目资金共"}]},
    "basic_data": {"staffing": {"establishment": 110, "in_service": 81, "stated_control_rate": "74%"},
        "three_public": {"total": {"prior_final": "22.54", "budget": "24", "final_amount": "40.95"}}}
}))]
pub struct FinanceInput {
    pub revenue: RevenueInput,
    pub expenditure: ExpenditureInput,
    #[serde(default)]
    pub basic_data: Option<BasicDataInput>,
}

impl RequestBody for FinanceInput {
    const READ_ONLY: &'static [&'static str] = &[
        "department_id",
        "year",
        "computed",
        "version",
        "created_at",
        "updated_at",
    ];
}

fn row(r: &ControlRowInput) -> fin::ControlRow {
    fin::ControlRow {
        prior_final: dec(r.prior_final),
        budget: dec(r.budget),
        final_amount: dec(r.final_amount),
    }
}

fn named(r: &NamedControlRowInput) -> fin::NamedControlRow {
    fin::NamedControlRow {
        name: r.name.clone(),
        prior_final: dec(r.prior_final),
        budget: dec(r.budget),
        final_amount: dec(r.final_amount),
    }
}

impl FinanceInput {
    pub fn finance(&self, year: i32) -> fin::DepartmentFinance {
        let e = &self.expenditure;
        fin::DepartmentFinance {
            year,
            revenue: fin::Revenue {
                total: self.revenue.total.0,
                by_source: self
                    .revenue
                    .by_source
                    .iter()
                    .map(|s| fin::SourceAmount {
                        source: s.source.into(),
                        amount: s.amount.0,
                    })
                    .collect(),
            },
            expenditure: fin::Expenditure {
                total: e.total.0,
                basic: dec(e.basic),
                personnel: dec(e.personnel),
                operating: dec(e.operating),
                project: dec(e.project),
                basic_share: e.basic_share.clone(),
                project_share: e.project_share.clone(),
            },
        }
    }

    pub fn basic_table(&self, year: i32) -> Option<fin::BasicDataTable> {
        let b = self.basic_data.as_ref()?;
        let t = &b.three_public;
        Some(fin::BasicDataTable {
            year,
            staffing: fin::Staffing {
                establishment: b.staffing.establishment,
                in_service: b.staffing.in_service,
                stated_control_rate: b.staffing.stated_control_rate.clone(),
            },
            three_public: fin::ThreePublic {
                total: row(&t.total),
                vehicles: row(&t.vehicles),
                vehicle_purchase: row(&t.vehicle_purchase),
                vehicle_operation: row(&t.vehicle_operation),
                overseas: row(&t.overseas),
                reception: row(&t.reception),
            },
            project_total: b.project_total.as_ref().map(row),
            project_items: b.project_items.iter().map(named).collect(),
            operating_total: b.operating_total.as_ref().map(row),
            operating_items: b.operating_items.iter().map(named).collect(),
            procurement: b.procurement.as_ref().map(row),
            basic_expenditure: b.basic_expenditure.as_ref().map(row),
        })
    }

    /// The figures the department's funds must add up to.
    pub fn declarations(&self) -> Vec<FundDeclaration> {
        let e = &self.expenditure;
        let mut declared: Vec<FundDeclaration> = e
            .project_by_level
            .iter()
            .map(|l| FundDeclaration {
                scope: FundScope::Level {
                    level: l.level.into(),
                },
                label: l.label.clone(),
                initial: None,
                full_year: None,
                executed: Some(l.amount.0),
            })
            .collect();
        if let Some(project) = e.project {
            declared.push(FundDeclaration {
                scope: FundScope::All,
                label: Some("项目支出".into()),
                initial: None,
                full_year: None,
                executed: Some(project.0),
            });
        }
        declared
    }
}

/// How the department's fund allocations compare with its declared 项目支出.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundsSummary {
    /// The live fund allocations of the department year, in the order findings point into.
    pub fund_ids: Vec<String>,
    pub count: usize,
    pub initial: Option<Amount>,
    pub full_year: Option<Amount>,
    pub executed: Option<Amount>,
    pub execution_rate_percent: Option<Figure>,
    /// The declared 项目支出.
    pub declared_project_expenditure: Option<Amount>,
    /// Whether the executed amounts add up to the declared 项目支出 (within the figures' precision).
    pub adds_up: Option<bool>,
    /// executed − declared.
    pub difference: Option<String>,
}

/// What the server computes from a department's finances.
#[derive(Debug, Serialize, ToSchema)]
pub struct FinanceComputed {
    /// Sum of revenue by source; null only if it left the decimal range (data stored before
    /// amounts were bounded to 10^12 万元).
    pub revenue_by_source_sum: Option<Amount>,
    /// 基本支出 + 项目支出.
    pub expenditure_sum: Option<Amount>,
    /// 人员经费 + 公用经费.
    pub basic_sum: Option<Amount>,
    /// 基本支出 / total, exact to two decimals.
    pub basic_share_percent: Option<Figure>,
    /// 项目支出 / total.
    pub project_share_percent: Option<Figure>,
    /// 在职人数 / 编制数 from the basic data table.
    pub staffing_control_rate_percent: Option<Figure>,
    pub funds: FundsSummary,
    /// Findings. Pointers: into this document; `/computed/funds/fund_ids/N/…` for the N-th
    /// fund allocation; `/profile/…` for the department's profile of the year.
    pub findings: Vec<FindingDto>,
}

/// A department's finances of one year with the computed block.
#[derive(Debug, Serialize, ToSchema)]
pub struct Finance {
    pub department_id: String,
    pub year: i32,
    #[serde(flatten)]
    pub data: FinanceInput,
    pub computed: FinanceComputed,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

/// Builds the profile response.
pub fn profile_of(department_id: String, row: &store::Model, data: ProfileInput) -> Profile {
    Profile {
        computed: profile_computed(&data, row.year),
        department_id,
        year: row.year,
        data,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}
