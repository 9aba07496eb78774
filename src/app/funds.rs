//! Fund allocations: create, replace and delete, through the generic write path.

use sea_orm::ConnectionTrait;

use crate::app::departments;
use crate::app::feed;
use crate::app::scope;
use crate::app::write;
use crate::domain::policy::{Action, Kind, Principal};
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::amount::dec;
use crate::model::funds::{Fund, FundInput, Level, Source, wire};
use crate::store::funds::{self as store, Model};
use crate::store::money::StoredDecimal;
use crate::store::projects as project_store;

write::owned_row!(
    Model,
    crate::store::funds,
    feed::fund,
    Kind::Fund,
    codes::FUND_NOT_FOUND,
    "fund",
    "资金"
);

impl write::Built for Model {
    type Input = FundInput;

    /// Validates an input into the row it describes (id and audit fields left to the caller).
    async fn build(
        db: &impl ConnectionTrait,
        principal: &Principal,
        input: &FundInput,
        action: Action,
    ) -> Result<Model, ApiError> {
        let owned = departments::OwnedInput {
            kind: Kind::Fund,
            department: &input.department,
            unknown: "fund.unknown_department",
            year: input.year,
            name: &input.name,
        };
        let (department, mut errors) =
            departments::owned_input(db, principal, action, owned).await?;
        if let Some(project_id) = &input.project {
            match project_store::get(db, project_id).await? {
                Some(p) if p.department_id == department.id && p.year == input.year => {}
                Some(_) => errors.push(FieldError::body(
                    "/project",
                    "fund.project_mismatch",
                    Text::new(
                        "The project belongs to another department or year",
                        "该项目属于其他部门或年度",
                    ),
                )),
                None => errors.push(FieldError::body(
                    "/project",
                    "fund.unknown_project",
                    Text::new(
                        format!("No project has the id {project_id}"),
                        format!("不存在 id 为 {project_id} 的项目"),
                    ),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let now = crate::clock::now();
        Ok(Model {
            id: String::new(),
            department_id: department.id,
            region_code: department.region_code,
            year: input.year,
            project_id: input.project.clone(),
            name: input.name.trim().to_owned(),
            source: input.source.as_ref().map(wire),
            level: wire(&input.level),
            purpose: input.purpose.as_ref().map(|p| p.trim().to_owned()),
            initial: dec(input.initial).map(StoredDecimal),
            full_year: dec(input.full_year).map(StoredDecimal),
            executed: dec(input.executed).map(StoredDecimal),
            version: 1,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    write::built_fields!();
}

write::use_cases!(Model, FundInput, "fund allocation");

/// The filters of the fund list.
#[derive(Debug, Default, Clone)]
pub struct FundFilters {
    /// Department id or budget code.
    pub department_id: Option<String>,
    pub year: Option<i32>,
    pub project_id: Option<String>,
    pub level: Option<Level>,
    pub source: Option<Source>,
}

/// A page of the funds the caller may see under `filters`, oldest first after the id
/// `after`, and whether more follow.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filters: &FundFilters,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<Fund>, bool), ApiError> {
    let Some((caller, department_id)) =
        scope::with_department(db, principal, filters.department_id.as_deref()).await?
    else {
        return Ok((Vec::new(), false));
    };
    let filter = store::Filter {
        place: caller.placing(None, filters.year, None),
        department_id,
        project_id: filters.project_id.clone(),
        level: filters.level.as_ref().map(wire),
        source: filters.source.as_ref().map(wire),
    };
    let (rows, more) = store::list(db, &filter, after, limit).await?;
    let items = rows
        .into_iter()
        .map(Fund::try_from)
        .collect::<Result<_, _>>()?;
    Ok((items, more))
}
