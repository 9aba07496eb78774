//! Loading a file of departments, profiles, finances, projects and funds through the same
//! service functions the API uses, in one transaction: all of it, or nothing.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};

use crate::app::evaluations;
use crate::app::funds;
use crate::app::projects;
use crate::app::uow::UnitOfWork;
use crate::app::{department_years, departments};
use crate::domain::policy::Principal;
use crate::error::ApiError;
use crate::model::department_years::{FinanceInput, ProfileInput};
use crate::model::departments::DepartmentInput;
use crate::model::evaluation_dto::EvaluationInput;
use crate::model::funds::FundInput;
use crate::model::projects::ProjectInput;
use crate::store::documents::{FINANCE, PROFILE};

/// A department's profile of one year.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileEntry {
    /// Budget code or id of the department.
    pub department: String,
    pub year: i32,
    pub profile: ProfileInput,
}

/// A department's finances of one year.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinanceEntry {
    pub department: String,
    pub year: i32,
    pub finance: FinanceInput,
}

/// A project, with the name other entries use for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectEntry {
    #[serde(rename = "ref")]
    pub reference: String,
    pub project: ProjectInput,
}

/// A fund allocation; `project_ref` names a project of this file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundEntry {
    #[serde(default)]
    pub project_ref: Option<String>,
    pub fund: FundInput,
}

/// An evaluation; `project_ref` names a project of this file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationEntry {
    #[serde(default)]
    pub project_ref: Option<String>,
    pub evaluation: EvaluationInput,
}

/// The import file (`jixiao import FILE`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportFile {
    /// Free text: where the data comes from.
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub departments: Vec<DepartmentInput>,
    #[serde(default)]
    pub profiles: Vec<ProfileEntry>,
    #[serde(default)]
    pub projects: Vec<ProjectEntry>,
    #[serde(default)]
    pub funds: Vec<FundEntry>,
    #[serde(default)]
    pub finances: Vec<FinanceEntry>,
    /// Created as drafts.
    #[serde(default)]
    pub evaluations: Vec<EvaluationEntry>,
}

/// What an import wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub departments: usize,
    pub profiles: usize,
    pub projects: usize,
    pub funds: usize,
    pub finances: usize,
    pub evaluations: usize,
}

/// Prefixes every field pointer of an error with the item's place in the file.
fn at(prefix: String) -> impl FnOnce(ApiError) -> ApiError {
    move |mut e| {
        for f in e.errors.iter_mut() {
            if !f.in_query {
                f.pointer = format!("{prefix}{}", f.pointer);
            }
        }
        let detail = e.detail.clone();
        e.detail.en = format!("{prefix}: {}", detail.en);
        e.detail.zh = format!("{prefix}：{}", detail.zh);
        e
    }
}

/// The id of the project a file item refers to by its `ref`; a field error at `place` when
/// no project of the file has it.
fn referenced_project(
    project_ids: &HashMap<String, String>,
    reference: &str,
    place: String,
) -> Result<String, ApiError> {
    project_ids.get(reference).cloned().ok_or_else(|| {
        at(place)(ApiError::validation(vec![crate::error::FieldError::body(
            "/project_ref",
            "import.unknown_reference",
            crate::locale::Text::new(
                format!("No project of this file has the ref `{reference}`"),
                format!("本文件中没有 ref 为 `{reference}` 的项目"),
            ),
        )]))
    })
}

/// Loads the file as `principal`, in one transaction: departments and their profiles, then
/// projects and funds, then finances and evaluations.
pub async fn run(
    db: &DatabaseConnection,
    principal: &Principal,
    file: &ImportFile,
) -> Result<ImportSummary, ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let mut summary = ImportSummary::default();
    load_departments(uow.db(), principal, file, &mut summary).await?;
    let project_ids = load_projects_and_funds(uow.db(), principal, file, &mut summary).await?;
    load_finances(uow.db(), principal, file, &mut summary).await?;
    load_evaluations(uow.db(), principal, file, &project_ids, &mut summary).await?;
    uow.commit().await?;
    Ok(summary)
}

async fn load_departments(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    file: &ImportFile,
    summary: &mut ImportSummary,
) -> Result<(), ApiError> {
    for (i, d) in file.departments.iter().enumerate() {
        departments::create_in(txn, principal, d)
            .await
            .map_err(at(format!("/departments/{i}")))?;
        summary.departments += 1;
    }
    for (i, p) in file.profiles.iter().enumerate() {
        department_years::overwrite_in(txn, principal, &p.department, PROFILE, p.year, &p.profile)
            .await
            .map_err(at(format!("/profiles/{i}/profile")))?;
        summary.profiles += 1;
    }
    Ok(())
}

/// Creates the projects and the funds; the projects' ids by their `ref`.
async fn load_projects_and_funds(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    file: &ImportFile,
    summary: &mut ImportSummary,
) -> Result<HashMap<String, String>, ApiError> {
    let mut project_ids = HashMap::new();
    for (i, p) in file.projects.iter().enumerate() {
        let m = projects::create_in(txn, principal, &p.project)
            .await
            .map_err(at(format!("/projects/{i}/project")))?;
        project_ids.insert(p.reference.clone(), m.id);
        summary.projects += 1;
    }
    for (i, f) in file.funds.iter().enumerate() {
        let mut fund = f.fund.clone();
        if let Some(reference) = &f.project_ref {
            fund.project = Some(referenced_project(
                &project_ids,
                reference,
                format!("/funds/{i}"),
            )?);
        }
        funds::create_in(txn, principal, &fund)
            .await
            .map_err(at(format!("/funds/{i}/fund")))?;
        summary.funds += 1;
    }
    Ok(project_ids)
}

async fn load_finances(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    file: &ImportFile,
    summary: &mut ImportSummary,
) -> Result<(), ApiError> {
    for (i, f) in file.finances.iter().enumerate() {
        department_years::overwrite_in(txn, principal, &f.department, FINANCE, f.year, &f.finance)
            .await
            .map_err(at(format!("/finances/{i}/finance")))?;
        summary.finances += 1;
    }
    Ok(())
}

async fn load_evaluations(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    file: &ImportFile,
    project_ids: &HashMap<String, String>,
    summary: &mut ImportSummary,
) -> Result<(), ApiError> {
    for (i, e) in file.evaluations.iter().enumerate() {
        let mut evaluation = e.evaluation.clone();
        if let Some(reference) = &e.project_ref {
            evaluation.project = Some(referenced_project(
                project_ids,
                reference,
                format!("/evaluations/{i}"),
            )?);
        }
        evaluations::create_in(txn, principal, &evaluation)
            .await
            .map_err(at(format!("/evaluations/{i}/evaluation")))?;
        summary.evaluations += 1;
    }
    Ok(())
}

/// The seed report (衡阳市生态环境局衡东分局, 2024) as an import file.
pub const SEED: &str = include_str!("seed/hengdong-ecology-2024.json");

/// Parses an import file, with a JSON Pointer on the first problem.
pub fn parse(text: &str) -> Result<ImportFile, ApiError> {
    crate::model::body::parse_body::<ImportFile>(text.as_bytes())
}

impl crate::model::body::RequestBody for ImportFile {}

#[cfg(test)]
mod tests {
    //! The fixture is the seed report as transcribed in `domain::seed` (checked there finding
    //! by finding), plus what only the API needs: budget codes, regions and texts.
    use super::*;
    use crate::domain::finance::{ControlRow, FundScope, NamedControlRow};
    use crate::domain::seed;
    use crate::model::amount::Amount;
    use crate::model::department_years::*;

    fn amt(d: Option<rust_decimal::Decimal>) -> Option<Amount> {
        d.map(Amount)
    }

    fn row(r: &ControlRow) -> ControlRowInput {
        ControlRowInput {
            prior_final: amt(r.prior_final),
            budget: amt(r.budget),
            final_amount: amt(r.final_amount),
        }
    }

    fn named(r: &NamedControlRow) -> NamedControlRowInput {
        NamedControlRowInput {
            name: r.name.clone(),
            prior_final: amt(r.prior_final),
            budget: amt(r.budget),
            final_amount: amt(r.final_amount),
        }
    }

    fn expected_profile() -> ProfileInput {
        let p = seed::profile();
        let counts = |b: &crate::domain::finance::CountBreakdown| Breakdown {
            total: b.total,
            parts: b
                .parts
                .iter()
                .map(|n| NamedCount {
                    name: n.name.clone(),
                    count: n.count,
                })
                .collect(),
        };
        ProfileInput {
            establishment: counts(&p.establishment),
            in_service: p.in_service,
            retired: counts(&p.retired),
            other_staff: Vec::new(),
            vehicles: p.vehicles,
            assets: AssetsInput {
                total: amt(p.assets.total),
                current: amt(p.assets.current),
                non_current: amt(p.assets.non_current),
                fixed_net: amt(p.assets.fixed_net),
                intangible: amt(p.assets.intangible),
            },
        }
    }

    fn expected_finance() -> FinanceInput {
        let f = seed::finance();
        let t = seed::basic_table();
        let levels = seed::funds()
            .declared
            .iter()
            .filter_map(|d| match (&d.scope, d.executed) {
                (FundScope::Level { level }, Some(x)) => Some(LevelAmountInput {
                    level: (*level).into(),
                    amount: Amount(x),
                    label: d.label.clone(),
                }),
                _ => None,
            })
            .collect();
        FinanceInput {
            revenue: RevenueInput {
                total: Amount(f.revenue.total),
                by_source: f
                    .revenue
                    .by_source
                    .iter()
                    .map(|s| SourceAmountInput {
                        source: s.source.into(),
                        amount: Amount(s.amount),
                    })
                    .collect(),
            },
            expenditure: ExpenditureInput {
                total: Amount(f.expenditure.total),
                basic: amt(f.expenditure.basic),
                personnel: amt(f.expenditure.personnel),
                operating: amt(f.expenditure.operating),
                project: amt(f.expenditure.project),
                project_by_level: levels,
                basic_share: f.expenditure.basic_share.clone(),
                project_share: f.expenditure.project_share.clone(),
            },
            basic_data: Some(BasicDataInput {
                staffing: StaffingInput {
                    establishment: t.staffing.establishment,
                    in_service: t.staffing.in_service,
                    stated_control_rate: t.staffing.stated_control_rate.clone(),
                },
                three_public: ThreePublicInput {
                    total: row(&t.three_public.total),
                    vehicles: row(&t.three_public.vehicles),
                    vehicle_purchase: row(&t.three_public.vehicle_purchase),
                    vehicle_operation: row(&t.three_public.vehicle_operation),
                    overseas: row(&t.three_public.overseas),
                    reception: row(&t.three_public.reception),
                },
                project_total: t.project_total.as_ref().map(row),
                project_items: t.project_items.iter().map(named).collect(),
                operating_total: t.operating_total.as_ref().map(row),
                operating_items: t.operating_items.iter().map(named).collect(),
                procurement: t.procurement.as_ref().map(row),
                basic_expenditure: t.basic_expenditure.as_ref().map(row),
                buildings: None,
                thrift_measures: None,
            }),
        }
    }

    fn expected_funds() -> Vec<FundEntry> {
        seed::funds()
            .funds
            .iter()
            .map(|f| FundEntry {
                project_ref: f.project.as_ref().map(|p| {
                    if p == seed::PROJECT_MONITORING {
                        "monitoring".to_owned()
                    } else {
                        "black-water".to_owned()
                    }
                }),
                fund: FundInput {
                    department: "901424".into(),
                    year: seed::YEAR,
                    project: None,
                    name: f.name.clone(),
                    source: f.source.map(Into::into),
                    level: f.level.into(),
                    purpose: f.purpose.clone(),
                    initial: amt(f.initial),
                    full_year: amt(f.full_year),
                    executed: amt(f.executed),
                },
            })
            .collect()
    }

    fn expected_evaluation(
        e: crate::domain::evaluation::EvaluationInput,
        project: bool,
    ) -> EvaluationInput {
        use crate::model::amount::Figure;
        use crate::model::evaluation_dto::*;
        let b = &e.budget;
        EvaluationInput {
            kind: if project {
                EvaluationKind::Project
            } else {
                EvaluationKind::Department
            },
            department: "901424".into(),
            project: None,
            year: e.year,
            rule_set: Some(if project {
                "hengyang-2024-project".into()
            } else {
                "hengyang-2024-department".into()
            }),
            budget: Some(BudgetInput {
                amount_unit: AmountUnit::WanYuan,
                initial: amt(b.initial),
                full_year: Amount(b.full_year),
                executed: amt(b.executed),
                weight: b.weight.map(Figure),
                claimed_rate: b.claimed_rate.clone(),
                claimed_score: b.claimed_score.map(Figure),
                by_source: b
                    .by_source
                    .iter()
                    .map(|s| SourceAmountDto {
                        source: s.source.into(),
                        amount: Amount(s.amount),
                    })
                    .collect(),
                basic: amt(b.basic),
                project: amt(b.project),
            }),
            annual_goal: None,
            achievement: None,
            indicators: e
                .indicators
                .iter()
                .map(|i| IndicatorInputDto {
                    level1: i.level1.clone(),
                    level2: i.level2.clone(),
                    level3: i.level3.clone(),
                    target: i.target.clone(),
                    target_nature: i.target_nature.clone(),
                    target_unit: i.target_unit.clone(),
                    actual: i.actual.clone(),
                    weight: i.weight.map(Figure),
                    claimed_score: i.claimed_score.map(Figure),
                    deviation_explanation: i.deviation_explanation.clone(),
                    direction: i.direction.map(|d| match d {
                        crate::domain::target::Direction::Higher => Direction::Higher,
                        crate::domain::target::Direction::Lower => Direction::Lower,
                    }),
                })
                .collect(),
            claimed_total: e.claimed_total.map(Figure),
            narrative: Narrative::default(),
        }
    }

    fn expected_evaluations() -> Vec<EvaluationInput> {
        vec![
            expected_evaluation(seed::department_evaluation(), false),
            expected_evaluation(seed::monitoring_project_evaluation(), true),
            expected_evaluation(seed::black_water_project_evaluation(), true),
        ]
    }

    fn to_value<T: Serialize>(v: &T) -> serde_json::Value {
        serde_json::to_value(v).expect("serialisable")
    }

    #[test]
    fn seed_fixture_is_the_domain_transcription() {
        let file = parse(SEED).expect("the seed fixture parses");
        assert_eq!(file.departments.len(), 2);
        assert_eq!(file.departments[1].name, seed::DEPARTMENT);
        assert_eq!(file.departments[1].budget_code, "901424");
        assert_eq!(file.departments[1].region, "430424");
        assert_eq!(
            to_value(&file.profiles[0].profile.assets),
            to_value(&expected_profile().assets)
        );
        assert_eq!(
            to_value(&file.profiles[0].profile.establishment),
            to_value(&expected_profile().establishment)
        );
        assert_eq!(
            to_value(&file.profiles[0].profile.retired),
            to_value(&expected_profile().retired)
        );
        // The fixture adds what the engine does not check: 楼堂馆所 and 厉行节约保障措施.
        let mut finance = file.finances[0].finance.clone();
        let basic = finance.basic_data.as_mut().expect("basic data table");
        assert!(basic.buildings.take().is_some() && basic.thrift_measures.take().is_some());
        assert_eq!(to_value(&finance), to_value(&expected_finance()));
        assert_eq!(file.funds.len(), 25);
        assert_eq!(to_value(&file.funds), to_value(&expected_funds()));
        let names: Vec<&str> = file
            .projects
            .iter()
            .map(|p| p.project.name.as_str())
            .collect();
        assert_eq!(names, [seed::PROJECT_MONITORING, seed::PROJECT_BLACK_WATER]);
        // The evaluations' figures and rows are the transcription's; their texts are extra.
        assert_eq!(file.evaluations.len(), 3);
        for (entry, want) in file.evaluations.iter().zip(expected_evaluations()) {
            let mut got = entry.evaluation.clone();
            got.annual_goal = None;
            got.achievement = None;
            got.narrative = Default::default();
            assert_eq!(to_value(&got), to_value(&want));
        }
    }
}
