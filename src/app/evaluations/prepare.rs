//! Preparing an input: resolve its references in the caller's scope, validate it, derive its
//! budget, score it. The same code for every caller: create, replace, the dry run, the
//! workflow, the indicator rows, the batch and the import.

use sea_orm::ConnectionTrait;

use super::field;
use crate::app::departments;
use crate::app::write::year_error;
use crate::app::{access, projects, rule_sets};
use crate::domain::evaluation as ev;
use crate::domain::finance::{FundDeclaration, FundScope, FundSet};
use crate::domain::policy::{Action, Kind, Principal};
use crate::domain::region::RegionCode;
use crate::domain::rules::RuleSet;
use crate::domain::scoring;
use crate::error::{ApiError, FieldError, codes};
use crate::model::amount::sum_known;
use crate::model::evaluation_dto::{
    AmountUnit, BudgetInput, ComputedDto, EvaluationInput, EvaluationKind,
};
use crate::model::findings::{FindingDto, FindingSeverity, convert};
use crate::model::vocab::{BudgetSource, UnknownStored};
use crate::store::departments as department_store;
use crate::store::funds as fund_store;
use crate::store::projects as project_store;

/// An input resolved, validated and scored.
pub struct Prepared {
    pub department: department_store::Model,
    pub project: Option<project_store::Model>,
    pub rule_set: RuleSet,
    pub input: EvaluationInput,
    pub budget_source: BudgetSource,
    pub computed: ComputedDto,
}

impl Prepared {
    pub fn has_errors(&self) -> bool {
        self.computed.error_count > 0
    }

    pub fn blocking(&self) -> Vec<&FindingDto> {
        self.computed
            .findings
            .iter()
            .filter(|f| f.severity == FindingSeverity::Error)
            .collect()
    }
}

/// Resolves, validates and scores an input.
pub async fn prepare(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &EvaluationInput,
    action: Action,
) -> Result<Prepared, ApiError> {
    access::require_role(principal, Kind::Evaluation, action)?;
    let department = department_of(db, principal, input).await?;
    let mut errors = shape_errors(input);
    let project = project_of(db, principal, input, &department, &mut errors).await?;
    let region = RegionCode::parse(&department.region_code)
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e.message_en())))?;
    let rule_set = rule_set_of(db, input, &region, &mut errors).await?;
    let funds = funds_of(db, input, &department, project.as_ref()).await?;
    let (budget, budget_source) = derive_budget(input, &funds);
    budget_errors(input, budget.is_some(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let (Some(rule_set), Some(budget)) = (rule_set, budget) else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "validated evaluation lacks rule set or budget"
        )));
    };
    let domain = input.domain(&budget);
    let outcome = scoring::evaluate(&domain, &rule_set);
    // The budget block against the funds, when they are there and it was given.
    let extra = match budget_source {
        BudgetSource::Given => reconcile(input.kind, &domain.budget, &funds)?,
        BudgetSource::Funds => Vec::new(),
    };
    let mut normalised = input.clone();
    normalised.department = department.id.clone();
    normalised.rule_set = Some(format!("{}@{}", rule_set.id, rule_set.version));
    normalised.budget = Some(budget);
    Ok(Prepared {
        computed: ComputedDto::from_outcome(outcome, extra),
        department,
        project,
        rule_set,
        input: normalised,
        budget_source,
    })
}

/// The department named, in the caller's scope; outside it, a field error.
async fn department_of(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &EvaluationInput,
) -> Result<department_store::Model, ApiError> {
    departments::resolve(db, principal, input.department.trim(), Action::Read)
        .await
        .map_err(|e| {
            if e.code == codes::DEPARTMENT_NOT_FOUND {
                ApiError::validation(vec![field(
                    "/department",
                    "evaluation.unknown_department",
                    format!("No department {} in your scope", input.department),
                    format!("您的数据范围内不存在部门 {}", input.department),
                )])
            } else {
                e
            }
        })
}

/// The year range and the number of rows.
fn shape_errors(input: &EvaluationInput) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = year_error(input.year, "/year").into_iter().collect();
    let count = input.indicators.len();
    if ev::too_many_indicators(count) {
        errors.push(field(
            "/indicators",
            "evaluation.too_many_indicators",
            format!(
                "An evaluation holds at most {} indicator rows; this one has {count}",
                ev::MAX_INDICATORS,
            ),
            format!(
                "一份绩效自评最多包含 {} 行指标，本自评有 {count} 行",
                ev::MAX_INDICATORS,
            ),
        ));
    }
    errors
}

/// The project of a project evaluation: of the department and year, in the caller's scope.
async fn project_of(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &EvaluationInput,
    department: &department_store::Model,
    errors: &mut Vec<FieldError>,
) -> Result<Option<project_store::Model>, ApiError> {
    let named = match (input.kind, &input.project) {
        (EvaluationKind::Project, Some(named)) => named,
        (EvaluationKind::Department, None) => return Ok(None),
        (EvaluationKind::Project, None) => {
            errors.push(field(
                "/project",
                "field.missing",
                "A project evaluation names its project".into(),
                "项目支出绩效自评必须指明项目".into(),
            ));
            return Ok(None);
        }
        (EvaluationKind::Department, Some(_)) => {
            errors.push(field(
                "/project",
                "evaluation.project_not_allowed",
                "A department evaluation has no project".into(),
                "部门整体支出绩效自评不对应具体项目".into(),
            ));
            return Ok(None);
        }
    };
    let id = project_id(db, department, input.year, named).await?;
    match projects::resolve(db, principal, &id, Action::Read).await {
        Ok(p) if p.department_id == department.id && p.year == input.year => Ok(Some(p)),
        Ok(_) => {
            errors.push(field(
                "/project",
                "evaluation.project_mismatch",
                "The project belongs to another department or year".into(),
                "该项目属于其他部门或年度".into(),
            ));
            Ok(None)
        }
        Err(_) => {
            errors.push(field(
                "/project",
                "evaluation.unknown_project",
                format!("No project {id} in your scope"),
                format!("您的数据范围内不存在项目 {id}"),
            ));
            Ok(None)
        }
    }
}

/// An id, or the name of one of the department's projects of the year (so scripts need no
/// look-ups): the id to resolve.
async fn project_id(
    db: &impl ConnectionTrait,
    department: &department_store::Model,
    year: i32,
    named: &str,
) -> Result<String, ApiError> {
    if uuid::Uuid::parse_str(named).is_ok() {
        return Ok(named.to_owned());
    }
    let by_name = project_store::of_department_year(db, &department.id, year)
        .await?
        .into_iter()
        .find(|p| p.name.trim() == named.trim())
        .map(|p| p.id);
    Ok(by_name.unwrap_or_else(|| named.to_owned()))
}

/// The rule set named, or the default of the nearest region above the department's for the
/// year and kind (national-2021 where none is configured). Either way it must apply to the
/// department's region.
async fn rule_set_of(
    db: &impl ConnectionTrait,
    input: &EvaluationInput,
    region: &RegionCode,
    errors: &mut Vec<FieldError>,
) -> Result<Option<RuleSet>, ApiError> {
    let (wanted, by_default) = match &input.rule_set {
        Some(name) => (name.clone(), false),
        None => {
            let kind = input.kind.domain();
            let default =
                crate::app::rule_set_defaults::default_for(db, region, input.year, kind).await?;
            (default.key(), true)
        }
    };
    let found = match rule_sets::find(db, &wanted).await? {
        Some(r) if r.applies_to(region) => return Ok(Some(r)),
        found => found,
    };
    let known = rule_sets::ids_applying_to(db, region).await?;
    let (en, zh) = rule_set_problem(&wanted, found.as_ref(), by_default, region, &known);
    errors.push(field("/rule_set", "evaluation.unknown_rule_set", en, zh));
    Ok(None)
}

/// Why the rule set wanted cannot be used, in English and Chinese.
fn rule_set_problem(
    wanted: &str,
    found: Option<&RuleSet>,
    by_default: bool,
    region: &RegionCode,
    known: &[String],
) -> (String, String) {
    match (found, by_default) {
        (Some(r), _) => (
            format!(
                "Rule set `{wanted}` belongs to region {} and does not apply to {}; use one of: {}",
                r.region,
                region,
                known.join(", ")
            ),
            format!(
                "规则集 `{wanted}` 属于行政区划 {}，不适用于 {}；可用：{}",
                r.region,
                region,
                known.join("，")
            ),
        ),
        (None, true) => (
            format!(
                "The default rule set `{wanted}` of region {region} is missing; name one of: {}",
                known.join(", ")
            ),
            format!(
                "行政区划 {region} 的默认规则集 `{wanted}` 不存在；请指定：{}",
                known.join("，")
            ),
        ),
        (None, false) => (
            format!("No rule set `{wanted}`; known: {}", known.join(", ")),
            format!("不存在规则集 `{wanted}`；可用：{}", known.join("，")),
        ),
    }
}

/// Funds: a project's own, or the department's for its 项目支出.
async fn funds_of(
    db: &impl ConnectionTrait,
    input: &EvaluationInput,
    department: &department_store::Model,
    project: Option<&project_store::Model>,
) -> Result<Vec<fund_store::Model>, ApiError> {
    Ok(match (project, input.kind) {
        (Some(p), _) => fund_store::of_projects(db, std::slice::from_ref(&p.id)).await?,
        (None, EvaluationKind::Department) => {
            fund_store::of_department_year(db, &department.id, input.year).await?
        }
        _ => Vec::new(),
    })
}

/// The budget block: as given, or for a project from its funds when they give every
/// full-year amount.
fn derive_budget(
    input: &EvaluationInput,
    funds: &[fund_store::Model],
) -> (Option<BudgetInput>, BudgetSource) {
    match (&input.budget, input.kind) {
        (Some(b), _) => (Some(b.clone()), BudgetSource::Given),
        (None, EvaluationKind::Project) if !funds.is_empty() => {
            let initial = sum_known(funds.iter().map(|f| f.initial.map(|d| d.0)));
            let full_year = sum_known(funds.iter().map(|f| f.full_year.map(|d| d.0)));
            let executed = sum_known(funds.iter().map(|f| f.executed.map(|d| d.0)));
            let budget = full_year.map(|full_year| BudgetInput {
                amount_unit: AmountUnit::WanYuan,
                initial,
                full_year,
                executed,
                weight: None,
                claimed_rate: None,
                claimed_score: None,
                by_source: Vec::new(),
                basic: None,
                project: None,
            });
            (budget, BudgetSource::Funds)
        }
        _ => (None, BudgetSource::Given),
    }
}

/// The budget block's scale problems, and its absence.
fn budget_errors(input: &EvaluationInput, has_budget: bool, errors: &mut Vec<FieldError>) {
    if let Some(b) = &input.budget {
        for (pointer, en, zh) in b.scale_problems() {
            errors.push(field(&format!("/budget{pointer}"), "field.invalid", en, zh));
        }
    }
    if !has_budget {
        errors.push(field(
            "/budget",
            "field.missing",
            "Send the budget block (initial, full-year, executed); for a project it can come from its funds when they give every amount".into(),
            "请提供预算信息（年初、全年、执行数）；项目的预算可由其资金给出（需各项金额齐全）".into(),
        ));
    }
}

/// The findings of a given budget block against the funds (none without funds).
fn reconcile(
    kind: EvaluationKind,
    b: &ev::BudgetBlock,
    funds: &[fund_store::Model],
) -> Result<Vec<FindingDto>, UnknownStored> {
    let declaration = match kind {
        EvaluationKind::Project => Some(FundDeclaration {
            scope: FundScope::All,
            label: Some("budget block".into()),
            initial: b.initial,
            full_year: Some(b.full_year),
            executed: b.executed,
        }),
        EvaluationKind::Department => b.project.map(|p| FundDeclaration {
            scope: FundScope::All,
            label: Some("项目支出".into()),
            initial: None,
            full_year: None,
            executed: Some(p),
        }),
    };
    let Some(declaration) = declaration.filter(|_| !funds.is_empty()) else {
        return Ok(Vec::new());
    };
    let set = FundSet {
        funds: funds
            .iter()
            .map(|m| crate::model::funds::to_domain(m, None))
            .collect::<Result<_, _>>()?,
        declared: vec![declaration],
    };
    let declared_at = match kind {
        EvaluationKind::Project => "/budget",
        EvaluationKind::Department => "/budget/project",
    };
    Ok(convert(
        crate::domain::finance::reconcile_funds(&set)
            .into_iter()
            .filter(|f| f.pointer.starts_with("/declared/"))
            .collect(),
        &[
            ("/declared/0/project", declared_at),
            ("/declared/0", declared_at),
        ],
    ))
}
