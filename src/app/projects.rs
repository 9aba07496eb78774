//! Projects: create, replace and delete, through the generic write path.

use sea_orm::ConnectionTrait;

use crate::app::budgets::project_answers;
use crate::app::departments;
use crate::app::feed;
use crate::app::scope;
use crate::app::write;
use crate::domain::policy::{Action, Kind, Principal};
use crate::error::{ApiError, codes};
use crate::locale::Text;
use crate::model::projects::{Project, ProjectInput};
use crate::store::funds as fund_store;
use crate::store::projects::{self as store, Model};

write::owned_row!(
    Model,
    crate::store::projects,
    feed::project,
    Kind::Project,
    codes::PROJECT_NOT_FOUND,
    "project",
    "项目"
);

impl write::Built for Model {
    type Input = ProjectInput;

    async fn build(
        db: &impl ConnectionTrait,
        principal: &Principal,
        input: &ProjectInput,
        action: Action,
    ) -> Result<Model, ApiError> {
        let owned = departments::OwnedInput {
            kind: Kind::Project,
            department: &input.department,
            unknown: "project.unknown_department",
            year: input.year,
            name: &input.name,
        };
        let (department, errors) = departments::owned_input(db, principal, action, owned).await?;
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let trim = |s: &Option<String>| {
            s.as_ref()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let now = crate::clock::now();
        Ok(Model {
            id: String::new(),
            department_id: department.id,
            region_code: department.region_code,
            year: input.year,
            name: input.name.trim().to_owned(),
            competent_department: trim(&input.competent_department),
            implementing_organisation: trim(&input.implementing_organisation),
            description: trim(&input.description),
            annual_goal: trim(&input.annual_goal),
            version: 1,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
    }

    write::built_fields!();

    /// Refused while live funds finance the project.
    async fn check_delete(&self, db: &impl ConnectionTrait) -> Result<(), ApiError> {
        let funds = fund_store::of_projects(db, std::slice::from_ref(&self.id)).await?;
        if funds.is_empty() {
            return Ok(());
        }
        Err(ApiError::new(
            codes::PROJECT_HAS_FUNDS,
            Text::new(
                format!(
                    "{} fund allocation(s) still finance this project",
                    funds.len()
                ),
                format!("仍有 {} 笔资金属于该项目", funds.len()),
            ),
        ))
    }
}

write::use_cases!(Model, ProjectInput, "project");

/// The filters of the project list.
#[derive(Debug, Default, Clone)]
pub struct ProjectFilters {
    /// Department id or budget code.
    pub department_id: Option<String>,
    pub year: Option<i32>,
    /// Region subtree.
    pub region: Option<String>,
    /// Name contains.
    pub q: Option<String>,
}

/// A page of the projects the caller may see under `filters`, oldest first after the id
/// `after`, with their budget blocks, and whether more follow.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filters: &ProjectFilters,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<Project>, bool), ApiError> {
    let Some((caller, department_id)) =
        scope::with_department(db, principal, filters.department_id.as_deref()).await?
    else {
        return Ok((Vec::new(), false));
    };
    let filter = store::Filter {
        place: caller.placing(
            None,
            filters.year,
            scope::region_filter(filters.region.as_deref())?,
        ),
        department_id,
        name_contains: filters.q.clone().filter(|q| !q.trim().is_empty()),
    };
    let (rows, more) = store::list(db, &filter, after, limit).await?;
    Ok((project_answers(db, rows).await?, more))
}
