//! The seed report as data: 衡阳市生态环境局衡东分局, 2024 部门整体支出绩效自评报告
//! (`shared/seed/hengdong-ecology-2024-self-evaluation.txt`), transcribed as written, typos
//! included (`2024.1.1-204.12.31`, `生态环境指标`). Merged level-1 cells are filled down with
//! their header (`成本指标（20分）`); blank cells are empty strings or `None`. The only addition is
//! the direction of PM10 / PM2.5 (lower is better), which the table implies but does not write.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::evaluation::{BudgetBlock, EvaluationInput, EvaluationKind, IndicatorInput};
use super::finance::{
    Assets, BasicDataTable, ControlRow, CountBreakdown, DepartmentFinance, DepartmentProfile,
    DepartmentReport, Expenditure, Fund, FundDeclaration, FundLevel, FundScope, FundSet,
    FundSource, NamedControlRow, NamedCount, Revenue, SourceAmount, Staffing, ThreePublic,
};
use super::target::Direction;

/// Fiscal year of the seed report.
pub const YEAR: i32 = 2024;
/// Name of the department.
pub const DEPARTMENT: &str = "衡阳市生态环境局衡东分局";
/// First project of 附件5.
pub const PROJECT_MONITORING: &str = "污染源监控系统改造项目运营费用（续费）";
/// Second project of 附件5.
pub const PROJECT_BLACK_WATER: &str = "农村黑臭水体奖补资金";

/// 附件4 部门整体支出绩效自评表 (rule set `hengyang-2024-department`).
pub fn department_evaluation() -> EvaluationInput {
    EvaluationInput {
        kind: EvaluationKind::Department,
        year: YEAR,
        budget: BudgetBlock {
            initial: Some(dec!(1409.2)),
            full_year: dec!(2135.42),
            executed: Some(dec!(2135.42)),
            weight: Some(dec!(10)),
            claimed_rate: Some("100%".into()),
            claimed_score: Some(dec!(10)),
            by_source: vec![
                SourceAmount {
                    source: FundSource::GeneralPublicBudget,
                    amount: dec!(1393.76),
                },
                SourceAmount {
                    source: FundSource::Other,
                    amount: dec!(741.66),
                },
            ],
            basic: Some(dec!(1376.69)),
            project: Some(dec!(758.73)),
        },
        indicators: department_indicators(),
        claimed_total: None,
    }
}

/// A scored row as printed: 一级, 二级, 三级指标, 年度指标值, 实际完成值, 分值, 得分.
fn row(
    level1: &str,
    level2: &str,
    level3: &str,
    target: &str,
    actual: &str,
    weight: Decimal,
    claimed_score: Decimal,
) -> IndicatorInput {
    IndicatorInput {
        target: target.into(),
        actual: actual.into(),
        weight: Some(weight),
        claimed_score: Some(claimed_score),
        ..heading(level1, level2, level3)
    }
}

/// A row that names its groups (and at most an indicator) and holds nothing else.
fn heading(level1: &str, level2: &str, level3: &str) -> IndicatorInput {
    IndicatorInput {
        level1: level1.into(),
        level2: level2.into(),
        level3: level3.into(),
        ..IndicatorInput::default()
    }
}

/// The row, lower being better (PM10, PM2.5).
fn lower(row: IndicatorInput) -> IndicatorInput {
    IndicatorInput {
        direction: Some(Direction::Lower),
        ..row
    }
}

#[rustfmt::skip]
fn department_indicators() -> Vec<IndicatorInput> {
    vec![
        row("成本指标（20分）", "经济成本指标", "成本控制", "财政预算内", "财政预算内", dec!(20), dec!(20)),
        heading("成本指标（20分）", "社会成本指标", ""),
        heading("成本指标（20分）", "生态环境指标", ""),
        row("产出指标（40分）", "数量 指标", "饮用水水源地水质", "优良率100%", "已达标", dec!(5), dec!(5)),
        lower(row("产出指标（40分）", "数量 指标", "PM10平均浓度", "49", "已达标", dec!(5), dec!(5))),
        lower(row("产出指标（40分）", "数量 指标", "PM2.5平均浓度", "31", "已达标", dec!(5), dec!(5))),
        row("产出指标（40分）", "数量 指标", "湘江干流断面水质", "年均II类水质", "已达标", dec!(5), dec!(5)),
        row("产出指标（40分）", "数量 指标", "水质标准", "优良率达到100%", "已达标", dec!(5), dec!(5)),
        row("产出指标（40分）", "数量 指标", "空气优良率", "95%", "已达标", dec!(5), dec!(5)),
        row("产出指标（40分）", "时效 指标", "执行时限", "2024年全年", "2024.1.1-204.12.31", dec!(10), dec!(10)),
        row("效益指标（20分）", "经济效益指标", "罚没收入等非税收入", "40万", "130.9万", dec!(10), dec!(10)),
        heading("效益指标（20分）", "社会效益指标", "提升居民生活质量"),
        heading("效益指标（20分）", "生态效益指标", "控制污染源、提高环境监测、监察能力"),
        heading("效益指标（20分）", "可持续影响指标", "自然资源合理适度开发"),
        row("满意度指标（10分）", "服务对象满意度指标", "公众、企业满意度", "95", "≥", dec!(20), dec!(20)),
    ]
}

/// A table of 附件5: the budget line (initial, then full-year and executed alike, 10 of 10
/// claimed at 100%), the rows, and a claimed total of 100.
fn project_evaluation(
    initial: Decimal,
    amount: Decimal,
    indicators: Vec<IndicatorInput>,
) -> EvaluationInput {
    let budget = BudgetBlock {
        initial: Some(initial),
        full_year: amount,
        executed: Some(amount),
        weight: Some(dec!(10)),
        claimed_rate: Some("100%".into()),
        claimed_score: Some(dec!(10)),
        by_source: Vec::new(),
        basic: None,
        project: None,
    };
    EvaluationInput {
        kind: EvaluationKind::Project,
        year: YEAR,
        budget,
        indicators,
        claimed_total: Some(dec!(100)),
    }
}

/// 附件5 first table: 污染源监控系统改造项目运营费用（续费） (rule set `hengyang-2024-project`).
pub fn monitoring_project_evaluation() -> EvaluationInput {
    project_evaluation(dec!(38.2), dec!(38.2), monitoring_indicators())
}

#[rustfmt::skip]
fn monitoring_indicators() -> Vec<IndicatorInput> {
    vec![
        row("产出指标（20分）", "数量指标", "光纤、服务器、网速", "24条", "已达标", dec!(10), dec!(10)),
        row("产出指标（20分）", "质量指标", "数据准确性、联网成功率", "100%", "已完成", dec!(5), dec!(5)),
        row("产出指标（20分）", "时效指标", "执行时间", "1年", "2024.1.1-204.12.31", dec!(5), dec!(5)),
        row("效益指标（40分）", "社会效益指标", "环境监管能力水平提高", "化解环境风险，消除环境隐患", "已完成", dec!(10), dec!(10)),
        row("效益指标（40分）", "经济效益指标", "运行成本节约", "通过自动化监控减少人工成本及设备维护费用", "有效节约", dec!(10), dec!(10)),
        row("效益指标（40分）", "生态效益指标", "污染事件减少", "通过实时监控，减少突发污染事件的频率和影响。", "有效改善", dec!(10), dec!(10)),
        row("效益指标（40分）", "可持续影响指标", "可持续发展", "促进环境保护与经济发展的协调", "已完成", dec!(10), dec!(10)),
        row("成本指标（20分）", "经济成本指标", "成本控制率", "100%", "已达标", dec!(20), dec!(20)),
        heading("成本指标（20分）", "社会成本指标", ""),
        heading("成本指标（20分）", "生态环境成本指标", ""),
        row("满意度指标（10分）", "服务对象满意度指标", "企业满意度", "≥90%", "≥90%", dec!(10), dec!(10)),
    ]
}

/// 附件5 second table: 农村黑臭水体奖补资金 (rule set `hengyang-2024-project`).
pub fn black_water_project_evaluation() -> EvaluationInput {
    project_evaluation(dec!(0), dec!(19.87), black_water_indicators())
}

#[rustfmt::skip]
fn black_water_indicators() -> Vec<IndicatorInput> {
    vec![
        row("产出指标（20分）", "数量指标", "治理水体数量", "1个", "已完成", dec!(10), dec!(10)),
        row("产出指标（20分）", "质量指标", "水质达标率", "100%", "已达标", dec!(10), dec!(10)),
        row("产出指标（20分）", "时效指标", "治理时效性", "1年", "1年", dec!(10), dec!(10)),
        row("效益指标（40分）", "社会效益指标", "污染投诉案件减少率", "90%", "已完成", dec!(10), dec!(10)),
        row("效益指标（40分）", "经济效益指标", "周边环境质量提升", "有效提升", "有效提升", dec!(10), dec!(10)),
        row("效益指标（40分）", "生态效益指标", "生态恢复周期缩短", "1年", "已完成", dec!(10), dec!(10)),
        heading("效益指标（40分）", "可持续影响指标", ""),
        row("成本指标（20分）", "经济成本指标", "成本控制率", "100%", "已达标", dec!(20), dec!(20)),
        heading("成本指标（20分）", "社会成本指标", ""),
        heading("成本指标（20分）", "生态环境成本指标", ""),
        row("满意度指标（10分）", "服务对象满意度指标", "周边居民满意度", "≥90%", "≥90%", dec!(10), dec!(10)),
    ]
}

/// Section 二: 2024 revenue and expenditure (万元).
pub fn finance() -> DepartmentFinance {
    DepartmentFinance {
        year: YEAR,
        revenue: Revenue {
            total: dec!(2135.42),
            by_source: vec![
                SourceAmount {
                    source: FundSource::GeneralPublicBudget,
                    amount: dec!(1393.76),
                },
                SourceAmount {
                    source: FundSource::NonSameLevel,
                    amount: dec!(577.44),
                },
                SourceAmount {
                    source: FundSource::Other,
                    amount: dec!(164.22),
                },
            ],
        },
        expenditure: Expenditure {
            total: dec!(2135.42),
            basic: Some(dec!(1376.69)),
            personnel: Some(dec!(1169.09)),
            operating: Some(dec!(207.60)),
            project: Some(dec!(758.73)),
            basic_share: Some("64%".into()),
            project_share: Some("36%".into()),
        },
    }
}

/// Section 二 (三): the 6 市本级 and 19 县级 project funds, and the figures they must add up to.
pub fn funds() -> FundSet {
    FundSet {
        funds: fund_list(),
        declared: vec![
            FundDeclaration {
                scope: FundScope::Level {
                    level: FundLevel::City,
                },
                label: Some("市本级财政下达资金".into()),
                initial: None,
                full_year: None,
                executed: Some(dec!(235.54)),
            },
            FundDeclaration {
                scope: FundScope::Level {
                    level: FundLevel::County,
                },
                label: Some("其他（县级财政）收入项目资金共".into()),
                initial: None,
                full_year: None,
                executed: Some(dec!(523.19)),
            },
            FundDeclaration {
                scope: FundScope::All,
                label: Some("本年项目支出共计".into()),
                initial: None,
                full_year: None,
                executed: Some(dec!(758.73)),
            },
            FundDeclaration {
                scope: FundScope::Project {
                    name: PROJECT_MONITORING.into(),
                },
                label: Some("附件5 项目资金".into()),
                initial: Some(dec!(38.2)),
                full_year: Some(dec!(38.2)),
                executed: Some(dec!(38.2)),
            },
            FundDeclaration {
                scope: FundScope::Project {
                    name: PROJECT_BLACK_WATER.into(),
                },
                label: Some("附件5 项目资金".into()),
                initial: Some(dec!(0)),
                full_year: Some(dec!(19.87)),
                executed: Some(dec!(19.87)),
            },
        ],
    }
}

fn fund_list() -> Vec<Fund> {
    vec![
        Fund {
            name: "污染源监控系统改造项目运营费用（续费）".into(),
            source: None,
            level: FundLevel::City,
            project: Some("污染源监控系统改造项目运营费用（续费）".into()),
            purpose: Some(
                "主要用于污染源在线监控的24条光纤的运行及维护以及本项目发生的交通费用等开支".into(),
            ),
            initial: Some(dec!(38.2)),
            full_year: Some(dec!(38.2)),
            executed: Some(dec!(38.2)),
        },
        Fund {
            name: "农村黑臭水体奖补资金".into(),
            source: None,
            level: FundLevel::City,
            project: Some("农村黑臭水体奖补资金".into()),
            purpose: Some("主要用于污水处理设施建设及整治工程".into()),
            initial: Some(dec!(0)),
            full_year: Some(dec!(19.87)),
            executed: Some(dec!(19.87)),
        },
        Fund {
            name: "排污权有偿使用收入".into(),
            source: None,
            level: FundLevel::City,
            project: None,
            purpose: Some("主要用于环保能力建设所发生的差旅费、专用设备购置、委托业务费等".into()),
            initial: None,
            full_year: None,
            executed: Some(dec!(67.78)),
        },
        Fund {
            name: "补助经费".into(),
            source: None,
            level: FundLevel::City,
            project: None,
            purpose: Some("主要用于环境污染治理所发生的差旅费、办公费、委托业务费等".into()),
            initial: None,
            full_year: None,
            executed: Some(dec!(70.06)),
        },
        Fund {
            name: "非税罚没收入".into(),
            source: None,
            level: FundLevel::City,
            project: None,
            purpose: Some("主要用于环境污染治理所发生的办公费等".into()),
            initial: None,
            full_year: None,
            executed: Some(dec!(23)),
        },
        Fund {
            name: "2024年增人增资".into(),
            source: None,
            level: FundLevel::City,
            project: None,
            purpose: Some("主要用于在职人员的正常增资、住房公积金及社保缴费".into()),
            initial: None,
            full_year: None,
            executed: Some(dec!(16.63)),
        },
        Fund {
            name: "县级事权所有监测监察经费".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(67.01)),
        },
        Fund {
            name: "《衡东县突发环境事件应急预案》、《衡东县重污染天气应急预案》编制修订费用".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(31.08)),
        },
        Fund {
            name: "省控空气自动监测站部分监测仪器更换费用".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(73.13)),
        },
        Fund {
            name: "石岩嘴尾矿库水处理站运维费".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(60)),
        },
        Fund {
            name: "水利局付2020年河长制工作先进单位".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(0.87)),
        },
        Fund {
            name: "衡东县金龙矿区环境整治暨乡村振兴常态工作组付暂借资金".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(0.8)),
        },
        Fund {
            name: "生态环境相关工作经费".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(26.22)),
        },
        Fund {
            name: "2023年长江流域（鄂湘段）生态保护补偿资金".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(77)),
        },
        Fund {
            name: "石岩嘴2023年废水处理站改造运营费用（环保治理）".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(64.23)),
        },
        Fund {
            name: "编制《暂不开发利用污染地块风险管控方案》经费".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(4)),
        },
        Fund {
            name: "霞流尾矿废水处理站运行、维护".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(5)),
        },
        Fund {
            name: "甘溪东岗山铅锌矿废水处理站运营费".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(10)),
        },
        Fund {
            name: "县生环委办工作经费".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(10)),
        },
        Fund {
            name: "2023年机动车尾气检测经费".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(28.5)),
        },
        Fund {
            name: "2022年度全县部分重点工作考核奖励资金（环保局）".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(0.06)),
        },
        Fund {
            name: "2023年服务项目建设先进单位奖励".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(0.04)),
        },
        Fund {
            name: "2023年度全县部分重点工作考核奖励制度".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(2.64)),
        },
        Fund {
            name: "2023年服务项目建设先进单位奖励".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(0.41)),
        },
        Fund {
            name: "往来资金项目".into(),
            source: None,
            level: FundLevel::County,
            project: None,
            purpose: None,
            initial: None,
            full_year: None,
            executed: Some(dec!(62.2)),
        },
    ]
}

fn control(
    prior_final: Option<rust_decimal::Decimal>,
    budget: Option<rust_decimal::Decimal>,
    final_amount: Option<rust_decimal::Decimal>,
) -> ControlRow {
    ControlRow {
        prior_final,
        budget,
        final_amount,
    }
}

fn named(
    name: &str,
    prior_final: Option<rust_decimal::Decimal>,
    budget: Option<rust_decimal::Decimal>,
    final_amount: Option<rust_decimal::Decimal>,
) -> NamedControlRow {
    NamedControlRow {
        name: name.into(),
        prior_final,
        budget,
        final_amount,
    }
}

/// 附件3 部门整体支出绩效评价基础数据表.
pub fn basic_table() -> BasicDataTable {
    BasicDataTable {
        year: YEAR,
        staffing: Staffing {
            establishment: Some(110),
            in_service: Some(81),
            stated_control_rate: Some("74%".into()),
        },
        three_public: ThreePublic {
            total: control(Some(dec!(22.54)), Some(dec!(24)), Some(dec!(40.95))),
            vehicles: control(Some(dec!(11.78)), Some(dec!(12)), Some(dec!(30.5))),
            vehicle_purchase: control(Some(dec!(0)), Some(dec!(0)), Some(dec!(17.64))),
            vehicle_operation: control(Some(dec!(11.78)), Some(dec!(12)), Some(dec!(12.86))),
            overseas: control(Some(dec!(0)), Some(dec!(0)), Some(dec!(0))),
            reception: control(Some(dec!(10.77)), Some(dec!(12)), Some(dec!(10.45))),
        },
        project_total: Some(control(
            Some(dec!(38.2)),
            Some(dec!(38.2)),
            Some(dec!(235.54)),
        )),
        project_items: vec![
            named("业务工作经费", None, Some(dec!(0)), Some(dec!(16.63))),
            named("运行维护经费", None, Some(dec!(0)), Some(dec!(160.84))),
            named(
                PROJECT_MONITORING,
                Some(dec!(38.2)),
                Some(dec!(38.2)),
                Some(dec!(38.2)),
            ),
            named(
                PROJECT_BLACK_WATER,
                Some(dec!(0)),
                Some(dec!(0)),
                Some(dec!(19.87)),
            ),
        ],
        operating_total: None,
        operating_items: vec![
            named(
                "办公经费",
                Some(dec!(36.18)),
                Some(dec!(11.24)),
                Some(dec!(26.86)),
            ),
            named(
                "水费、电费、差旅费",
                Some(dec!(81.75)),
                Some(dec!(28)),
                Some(dec!(42.83)),
            ),
            named(
                "会议费、培训费",
                Some(dec!(2.2)),
                Some(dec!(1)),
                Some(dec!(1.95)),
            ),
        ],
        procurement: Some(control(
            Some(dec!(576.28)),
            Some(dec!(695.14)),
            Some(dec!(695.14)),
        )),
        basic_expenditure: Some(control(
            Some(dec!(1845.58)),
            Some(dec!(1180.17)),
            Some(dec!(1376.69)),
        )),
    }
}

/// Section 一 (三): staffing, vehicles and assets.
pub fn profile() -> DepartmentProfile {
    let count = |name: &str, count: u32| NamedCount {
        name: name.into(),
        count,
    };
    DepartmentProfile {
        year: YEAR,
        establishment: CountBreakdown {
            total: Some(110),
            parts: vec![
                count("行政编制", 10),
                count("两个综合执法大队编制", 56),
                count("监测站编制", 33),
                count("事务中心编制", 10),
                count("机关工勤编", 1),
            ],
        },
        in_service: Some(81),
        retired: CountBreakdown {
            total: Some(34),
            parts: vec![count("县级退休人员", 21), count("市级退休人员", 13)],
        },
        vehicles: Some(3),
        assets: Assets {
            total: Some(dec!(1088.19)),
            current: Some(dec!(466.59)),
            non_current: Some(dec!(621.6)),
            fixed_net: Some(dec!(600.23)),
            intangible: Some(dec!(21.37)),
        },
    }
}

/// All the department-year figures of the seed report.
pub fn report() -> DepartmentReport {
    DepartmentReport {
        finance: finance(),
        basic_table: Some(basic_table()),
        funds: Some(funds()),
        profile: Some(profile()),
    }
}
