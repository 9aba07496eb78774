//! A synthetic, deterministic data set for benchmarks (`jixiao demo --departments N --years
//! Y`): departments spread over the counties of 衡阳市, and per department and year a handful
//! of funds, two projects, a department evaluation and two project evaluations of 20
//! indicator rows each. Everything is written through the service functions the API uses
//! (scores, flat indicator results, history and change feed included), one transaction per
//! department.

use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde_json::{Value, json};

use crate::app::departments;
use crate::app::evaluations;
use crate::app::uow::UnitOfWork;
use crate::app::{funds, projects};
use crate::domain::policy::{Principal, Role};
use crate::domain::region::RegionCode;
use crate::error::ApiError;
use crate::model::departments::DepartmentInput;
use crate::model::funds::FundInput;
use crate::model::projects::ProjectInput;

/// The county-level regions of 衡阳市 that the migrations seed.
pub const COUNTIES: &[(&str, &str)] = &[
    ("430405", "衡阳市珠晖区"),
    ("430406", "衡阳市雁峰区"),
    ("430407", "衡阳市石鼓区"),
    ("430408", "衡阳市蒸湘区"),
    ("430412", "衡阳市南岳区"),
    ("430421", "衡阳县"),
    ("430422", "衡南县"),
    ("430423", "衡山县"),
    ("430424", "衡东县"),
    ("430426", "祁东县"),
    ("430481", "耒阳市"),
    ("430482", "常宁市"),
];

const AGENCIES: &[&str] = &[
    "教育局",
    "财政局",
    "农业农村局",
    "水利局",
    "卫生健康局",
    "民政局",
    "交通运输局",
    "住房和城乡建设局",
    "自然资源局",
    "文化旅游广电体育局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "应急管理局",
    "林业局",
    "城市管理和综合执法局",
    "司法局",
    "统计局",
    "审计局",
    "医疗保障局",
    "退役军人事务局",
];

const UNITS: &[&str] = &[
    "",
    "机关服务中心",
    "综合执法大队",
    "事务中心",
    "信息中心",
    "监测站",
    "培训中心",
    "档案馆",
];

const PROJECTS: &[&str] = &[
    "农村饮水安全巩固提升工程",
    "义务教育薄弱环节改善与能力提升",
    "高标准农田建设",
    "城乡环境综合整治",
    "信息化系统运行维护",
    "乡村道路养护",
    "防汛抗旱物资储备",
    "食品安全监督抽检",
    "困难群众救助补助",
    "基层医疗卫生机构能力建设",
    "公共文化服务体系建设",
    "森林防火及林业有害生物防治",
    "安全生产专项整治",
    "就业创业补助",
    "老旧小区改造",
    "河湖长制工作经费",
];

const COMPANIES: &[&str] = &[
    "中国联合网络通信有限公司衡阳市分公司",
    "湖南建工集团有限公司",
    "衡阳市城市建设投资有限公司",
    "湖南省水利水电勘测设计规划研究总院有限公司",
    "衡阳市第一建筑工程公司",
];

const PEOPLE_GROUPS: &[&str] = &["群众", "学生家长", "服务对象", "受益农户", "企业"];

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub departments: usize,
    pub years: usize,
    /// The last year generated; the data covers `last_year - years + 1 ..= last_year`.
    pub last_year: i32,
    pub seed: u64,
}

/// What was written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub departments: usize,
    pub projects: usize,
    pub funds: usize,
    pub evaluations: usize,
    pub indicator_results: usize,
}

/// A small deterministic generator (xorshift64*), enough for plausible variety.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng((seed ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }
}

/// An amount in 万元 with two decimals, between `low` and `high` (in 万元).
fn amount(rng: &mut Rng, low: u64, high: u64) -> u64 {
    // In hundredths of 万元.
    low * 100 + rng.below((high - low) * 100)
}

fn money(hundredths: u64) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// One indicator row: (level1, level2, level3, target, actual, weight, claimed score).
fn row(
    level1: &str,
    level2: &str,
    level3: &str,
    target: String,
    actual: String,
    weight: u32,
    claimed: Option<u32>,
) -> Value {
    json!({
        "level1": level1,
        "level2": level2,
        "level3": level3,
        "target": target,
        "actual": actual,
        "weight": weight.to_string(),
        "claimed_score": claimed.map(|c| c.to_string()),
    })
}

/// A quantitative or qualitative target and what was reached, mostly achieved; with a small
/// chance the claimed score is full although the target was missed (a finding).
fn indicator(rng: &mut Rng, level1: &str, level2: &str, level3: &str, weight: u32) -> Value {
    let achieved = rng.chance(85);
    let (target, actual) = match rng.below(5) {
        0 => {
            let t = 90 + rng.below(10);
            let a = if achieved {
                t + rng.below(100 - t + 1)
            } else {
                t - 1 - rng.below(10)
            };
            (format!("≥{t}%"), format!("{a}%"))
        }
        1 => {
            let t = 10 + rng.below(40);
            let a = if achieved {
                t - rng.below(t / 2 + 1)
            } else {
                t + 1 + rng.below(10)
            };
            (format!("≤{t}"), format!("{a}"))
        }
        2 => {
            let t = 5 + rng.below(50);
            let a = if achieved {
                t
            } else {
                t - 1 - rng.below(t / 2)
            };
            (format!("{t}条"), format!("{a}条"))
        }
        3 => (
            "100%".to_owned(),
            if achieved {
                "100%".to_owned()
            } else {
                format!("{}%", 80 + rng.below(19))
            },
        ),
        _ => (
            "达成年度指标".to_owned(),
            if achieved {
                "已完成".to_owned()
            } else {
                "部分完成".to_owned()
            },
        ),
    };
    let claimed = if achieved || rng.chance(30) {
        // Full marks, rightly or (when missed) wrongly.
        weight
    } else {
        weight / 2
    };
    row(
        level1,
        level2,
        level3,
        target,
        actual,
        weight,
        Some(claimed),
    )
}

/// 20 rows in the department rule set's shape (成本 20, 产出 40, 效益 20, 满意度 10).
fn department_indicators(rng: &mut Rng, group: &str) -> Vec<Value> {
    let mut rows = Vec::with_capacity(20);
    for (l2, l3) in [
        ("经济成本指标", "公用经费控制"),
        ("经济成本指标", "“三公”经费控制"),
        ("社会成本指标", "社会成本控制"),
        ("生态环境成本指标", "生态环境成本控制"),
    ] {
        rows.push(indicator(rng, "成本指标", l2, l3, 5));
    }
    for (l2, l3) in [
        ("数量指标", "重点工作完成数"),
        ("数量指标", "政策文件制定数"),
        ("数量指标", "督查检查次数"),
        ("质量指标", "项目验收合格率"),
        ("质量指标", "资金支付准确率"),
        ("质量指标", "信息公开及时率"),
        ("时效指标", "资金拨付及时率"),
        ("时效指标", "任务完成时限"),
    ] {
        rows.push(indicator(rng, "产出指标", l2, l3, 5));
    }
    for (l2, l3) in [
        ("经济效益指标", "带动社会投入"),
        ("社会效益指标", "公共服务水平提升"),
        ("社会效益指标", "群众办事便利度"),
        ("生态效益指标", "生态环境质量改善"),
        ("可持续影响指标", "长效管理机制建立"),
    ] {
        rows.push(indicator(rng, "效益指标", l2, l3, 4));
    }
    for (l3, w) in [
        (format!("{group}满意度"), 4),
        ("服务对象满意度".to_owned(), 3),
        ("社会公众满意度".to_owned(), 3),
    ] {
        rows.push(indicator(rng, "满意度指标", "服务对象满意度指标", &l3, w));
    }
    rows
}

/// 20 rows in the project rule set's shape (产出 20, 效益 40, 成本 20, 满意度 10).
fn project_indicators(rng: &mut Rng, group: &str) -> Vec<Value> {
    let mut rows = Vec::with_capacity(20);
    for (l2, l3) in [
        ("数量指标", "完成工程量"),
        ("数量指标", "覆盖乡镇数"),
        ("质量指标", "工程验收合格率"),
        ("质量指标", "设备完好率"),
        ("时效指标", "项目完成及时率"),
    ] {
        rows.push(indicator(rng, "产出指标", l2, l3, 4));
    }
    for (l2, l3) in [
        ("社会效益指标", "受益人口"),
        ("社会效益指标", "投诉案件减少率"),
        ("社会效益指标", "群众知晓率"),
        ("生态效益指标", "水质达标率"),
        ("生态效益指标", "植被恢复面积"),
        ("经济效益指标", "带动就业人数"),
        ("可持续影响指标", "运行维护机制"),
        ("可持续影响指标", "设施使用年限"),
    ] {
        rows.push(indicator(rng, "效益指标", l2, l3, 5));
    }
    for (l2, l3) in [
        ("经济成本指标", "项目总成本"),
        ("经济成本指标", "单位成本控制"),
        ("社会成本指标", "社会成本控制"),
        ("生态环境成本指标", "生态环境影响"),
    ] {
        rows.push(indicator(rng, "成本指标", l2, l3, 5));
    }
    for (l3, w) in [
        (format!("{group}满意度"), 4),
        ("受益对象满意度".to_owned(), 3),
        ("实施单位满意度".to_owned(), 3),
    ] {
        rows.push(indicator(rng, "满意度指标", "服务对象满意度指标", &l3, w));
    }
    rows
}

fn execution_claim(full_year: u64, executed: u64) -> (String, String) {
    let rate = executed * 100 / full_year.max(1);
    let score = (rate.min(100) / 10).to_string();
    (format!("{rate}%"), score)
}

fn parse<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, ApiError> {
    serde_json::from_value(v).map_err(ApiError::internal)
}

/// The admin the generator acts as: 湖南省.
pub fn principal() -> Result<Principal, ApiError> {
    Ok(Principal {
        subject: "cli-generate".into(),
        role: Role::Admin,
        region: RegionCode::parse("430000")
            .map_err(|e| ApiError::internal(anyhow::anyhow!(e.message_en())))?,
        departments: None,
    })
}

/// The budget code of the `i`-th generated department.
pub fn budget_code(i: usize) -> String {
    format!("G{i:06}")
}

/// Generates the data set; `progress` is called after each department with the totals so far
/// and the time spent.
pub async fn run(
    db: &DatabaseConnection,
    options: &Options,
    mut progress: impl FnMut(&Summary, Duration),
) -> Result<Summary, ApiError> {
    let principal = principal()?;
    let started = Instant::now();
    let mut summary = Summary::default();
    let first_year = options.last_year - i32::try_from(options.years).unwrap_or(1) + 1;
    for d in 0..options.departments {
        let mut rng = Rng::new(
            options
                .seed
                .wrapping_add(d as u64)
                .wrapping_mul(0x100_0000_01B3),
        );
        let dept = Dept::new(d, &mut rng);
        let uow = UnitOfWork::begin(db).await?;
        let mut writer = Writer {
            txn: uow.db(),
            principal: &principal,
            rng: &mut rng,
            summary: &mut summary,
        };
        writer.department(&dept).await?;
        for year in first_year..=options.last_year {
            writer.year(&dept, year).await?;
        }
        uow.commit().await?;
        progress(&summary, started.elapsed());
    }
    Ok(summary)
}

/// The `d`-th generated department: its county, agency, name and the people it serves.
struct Dept {
    code: String,
    name: String,
    region: &'static str,
    region_name: &'static str,
    agency: &'static str,
    unit: &'static str,
    group: &'static str,
}

impl Dept {
    fn new(d: usize, rng: &mut Rng) -> Self {
        let (region, region_name) = COUNTIES[d % COUNTIES.len()];
        let agency = AGENCIES[(d / COUNTIES.len()) % AGENCIES.len()];
        let round = d / (COUNTIES.len() * AGENCIES.len());
        let unit = UNITS[round % UNITS.len()];
        let mut name = format!("{region_name}{agency}{unit}");
        if round >= UNITS.len() {
            name.push_str(&format!("（{}）", round / UNITS.len() + 1));
        }
        Dept {
            code: budget_code(d),
            name,
            region,
            region_name,
            agency,
            unit,
            group: rng.pick(PEOPLE_GROUPS),
        }
    }
}

/// A project written for a year, with the sum of its funds (initial, full year, executed).
type ProjectBudget = (String, &'static str, (u64, u64, u64));

/// Writes one department's data in its transaction, drawing from its generator.
struct Writer<'a> {
    txn: &'a DatabaseTransaction,
    principal: &'a Principal,
    rng: &'a mut Rng,
    summary: &'a mut Summary,
}

impl Writer<'_> {
    /// The department itself.
    async fn department(&mut self, dept: &Dept) -> Result<(), ApiError> {
        let (region_name, agency) = (dept.region_name, dept.agency);
        let department: DepartmentInput = parse(json!({
            "budget_code": dept.code,
            "name": dept.name,
            "region": dept.region,
            "kind": if dept.unit.is_empty() { "administrative" } else { "public_institution" },
            "responsibilities": [format!("负责{region_name}{}相关工作的统筹协调和监督管理。", agency.trim_end_matches('局'))],
        }))?;
        departments::create_in(self.txn, self.principal, &department).await?;
        self.summary.departments += 1;
        Ok(())
    }

    /// A year of the department: two projects with their funds, the operating fund, and three
    /// evaluations.
    async fn year(&mut self, dept: &Dept, year: i32) -> Result<(), ApiError> {
        let first = self.rng.below(PROJECTS.len() as u64) as usize;
        let second =
            (first + 1 + self.rng.below(PROJECTS.len() as u64 - 1) as usize) % PROJECTS.len();
        let mut project_budgets = Vec::new();
        for (p, title) in [first, second].into_iter().enumerate() {
            project_budgets.push(self.project(dept, year, p, PROJECTS[title]).await?);
        }
        let operating = self.operating_fund(dept, year).await?;
        self.department_evaluation(dept, year, &project_budgets, operating)
            .await?;
        for (id, title, totals) in project_budgets {
            self.project_evaluation(dept, year, &id, title, totals)
                .await?;
        }
        Ok(())
    }

    /// The `p`-th project of the year and its funds: one fund for the first project, two
    /// (city and province) for the second.
    async fn project(
        &mut self,
        dept: &Dept,
        year: i32,
        p: usize,
        title: &'static str,
    ) -> Result<ProjectBudget, ApiError> {
        let (code, region_name, agency, group) =
            (&dept.code, dept.region_name, dept.agency, dept.group);
        let project: ProjectInput = parse(json!({
            "department": code,
            "year": year,
            "name": format!("{year}年{title}"),
            "competent_department": format!("{region_name}{agency}"),
            "implementing_organisation": self.rng.pick(COMPANIES),
            "description": format!("{year}年{region_name}{title}，由{}财政支出。", if p == 0 { "县级" } else { "市级" }),
            "annual_goal": format!("按期完成{title}年度任务，提升{group}满意度"),
        }))?;
        let project = projects::create_in(self.txn, self.principal, &project).await?;
        self.summary.projects += 1;
        let mut totals = (0, 0, 0);
        for (f, level) in ["county", "city", "provincial"]
            .into_iter()
            .enumerate()
            .skip(p)
            .take(p + 1)
        {
            let full_year = amount(self.rng, 10, 500);
            let initial = full_year - self.rng.below(full_year / 5 + 1);
            let executed = if self.rng.chance(80) {
                full_year
            } else {
                full_year - self.rng.below(full_year / 4 + 1)
            };
            totals = (
                totals.0 + initial,
                totals.1 + full_year,
                totals.2 + executed,
            );
            let fund: FundInput = parse(json!({
                "department": code,
                "year": year,
                "project": project.id,
                "name": format!("{title}资金（{}）", ["县级", "市级", "省级"][f]),
                "level": level,
                "source": "general_public_budget",
                "purpose": format!("主要用于{title}"),
                "initial": money(initial),
                "full_year": money(full_year),
                "executed": money(executed),
            }))?;
            funds::create_in(self.txn, self.principal, &fund).await?;
            self.summary.funds += 1;
        }
        Ok((project.id, title, totals))
    }

    /// The department's own operating fund, tied to no project; its amount.
    async fn operating_fund(&mut self, dept: &Dept, year: i32) -> Result<u64, ApiError> {
        let operating = amount(self.rng, 50, 800);
        let fund: FundInput = parse(json!({
            "department": dept.code,
            "year": year,
            "name": "公用经费",
            "level": "county",
            "source": "general_public_budget",
            "purpose": "保障机关日常运转",
            "initial": money(operating),
            "full_year": money(operating),
            "executed": money(operating),
        }))?;
        funds::create_in(self.txn, self.principal, &fund).await?;
        self.summary.funds += 1;
        Ok(operating)
    }

    /// The 附件4 部门整体 evaluation of the year.
    async fn department_evaluation(
        &mut self,
        dept: &Dept,
        year: i32,
        project_budgets: &[ProjectBudget],
        operating: u64,
    ) -> Result<(), ApiError> {
        let rng = &mut *self.rng;
        let basic = amount(rng, 200, 3000);
        let project_total: u64 = project_budgets.iter().map(|p| p.2.2).sum::<u64>() + operating;
        let full_year = basic + project_total;
        let executed = if rng.chance(85) {
            full_year
        } else {
            full_year - rng.below(full_year / 10 + 1)
        };
        let (rate, score) = execution_claim(full_year, executed);
        let name = &dept.name;
        let evaluation: crate::model::evaluation_dto::EvaluationInput = parse(json!({
            "kind": "department",
            "department": dept.code,
            "year": year,
            // The demo is 衡阳市's: its tables follow the 衡阳 rule sets.
            "rule_set": crate::domain::rules::HENGYANG_2024_DEPARTMENT,
            "budget": {
                "initial": money(full_year - rng.below(full_year / 5 + 1)),
                "full_year": money(full_year),
                "executed": money(executed),
                "weight": "10",
                "claimed_rate": rate,
                "claimed_score": score,
                "basic": money(basic),
                "project": money(project_total),
            },
            "annual_goal": format!("保障{name}正常运转，完成{year}年度重点工作任务"),
            "achievement": "已完成年度绩效目标",
            "indicators": department_indicators(rng, dept.group),
            "narrative": {
                "achievements": "部门预算整体绩效完成良好，资金支出符合财经法规和财务管理制度。",
                "problems": "资金压力较大，部分项目预算编制精细化程度有待提高。",
                "improvements": "加强预算绩效管理，严格财务审核，加快资金支付进度。",
            },
        }))?;
        self.evaluation(&evaluation).await
    }

    /// The 附件5 项目支出 evaluation of one project.
    async fn project_evaluation(
        &mut self,
        dept: &Dept,
        year: i32,
        id: &str,
        title: &str,
        (initial, full_year, executed): (u64, u64, u64),
    ) -> Result<(), ApiError> {
        let rng = &mut *self.rng;
        let (rate, score) = execution_claim(full_year, executed);
        let evaluation: crate::model::evaluation_dto::EvaluationInput = parse(json!({
            "kind": "project",
            "department": dept.code,
            "project": id,
            "year": year,
            "rule_set": crate::domain::rules::HENGYANG_2024_PROJECT,
            "budget": {
                "initial": money(initial),
                "full_year": money(full_year),
                "executed": money(executed),
                "weight": "10",
                "claimed_rate": rate,
                "claimed_score": score,
            },
            "annual_goal": format!("按期完成{title}年度任务"),
            "achievement": "已完成年度总体目标",
            "indicators": project_indicators(rng, dept.group),
            "claimed_total": if rng.chance(70) { Some((85 + rng.below(16)).to_string()) } else { None },
            "narrative": {
                "achievements": "项目按计划实施，社会效益和生态效益明显。",
                "problems": "建设成本上涨，部分设施运行维护经费不足。",
                "suggestions": "建议上级财政继续加大支持力度。",
            },
        }))?;
        self.evaluation(&evaluation).await
    }

    /// Creates an evaluation and counts it.
    async fn evaluation(
        &mut self,
        evaluation: &crate::model::evaluation_dto::EvaluationInput,
    ) -> Result<(), ApiError> {
        evaluations::create_in(self.txn, self.principal, evaluation).await?;
        self.summary.evaluations += 1;
        self.summary.indicator_results += evaluation.indicators.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        let mut r = Rng::new(1);
        assert_eq!(department_indicators(&mut r, "群众").len(), 20);
        assert_eq!(project_indicators(&mut r, "群众").len(), 20);
        let weights = |rows: &[Value]| -> u32 {
            rows.iter()
                .map(|r| r["weight"].as_str().unwrap().parse::<u32>().unwrap())
                .sum()
        };
        assert_eq!(weights(&department_indicators(&mut r, "群众")), 90);
        assert_eq!(weights(&project_indicators(&mut r, "群众")), 90);
        assert_eq!(money(12345), "123.45");
        assert_eq!(money(5), "0.05");
    }
}
