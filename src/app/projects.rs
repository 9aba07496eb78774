//! Projects: create, replace and delete, through the generic write path.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::api::departments::year_error;
use crate::api::http::IfMatch;
use crate::api::projects::ProjectInput;
use crate::api::{access, feed};
use crate::app::departments;
use crate::app::uow::UnitOfWork;
use crate::app::write::{self, Owned, Row, SoftDelete};
use crate::domain::policy::{Action, Kind, Principal};
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::store::funds as fund_store;
use crate::store::projects::{self as store, Model};

pub fn not_found(id: &str) -> ApiError {
    ApiError::new(
        codes::PROJECT_NOT_FOUND,
        Text::new(
            format!("No project has the id {id}"),
            format!("不存在 id 为 {id} 的项目"),
        ),
    )
}

impl Row for Model {
    fn version(&self) -> i64 {
        self.version
    }

    async fn insert(db: &impl ConnectionTrait, row: Self) -> Result<Self, ApiError> {
        Ok(store::insert(db, row).await?)
    }

    async fn overwrite(
        db: &impl ConnectionTrait,
        current_version: i64,
        next: &Self,
    ) -> Result<bool, ApiError> {
        Ok(store::overwrite(db, current_version, next).await?)
    }

    async fn feed(
        &self,
        db: &impl ConnectionTrait,
        op: &'static str,
        actor: &str,
    ) -> Result<(), ApiError> {
        feed::project(db, self, op, actor).await
    }
}

impl SoftDelete for Model {
    fn tombstone(&self, now: DateTime<Utc>) -> Self {
        Model {
            version: self.version + 1,
            updated_at: now,
            deleted_at: Some(now),
            ..self.clone()
        }
    }
}

impl Owned for Model {
    const KIND: Kind = Kind::Project;

    async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<Self>, ApiError> {
        Ok(store::get(db, id).await?)
    }

    fn not_found(id: &str) -> ApiError {
        not_found(id)
    }

    fn owner(&self) -> (&str, &str) {
        (&self.department_id, &self.region_code)
    }
}

/// A live project the caller may act on.
pub async fn resolve(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
    action: Action,
) -> Result<Model, ApiError> {
    write::resolve_owned(db, principal, id, action).await
}

async fn build(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &ProjectInput,
    action: Action,
) -> Result<Model, ApiError> {
    access::require_role(principal, Kind::Project, action)?;
    let department = departments::resolve(db, principal, input.department.trim(), action)
        .await
        .map_err(|e| {
            if e.code == codes::DEPARTMENT_NOT_FOUND {
                ApiError::validation(vec![FieldError::body(
                    "/department",
                    "project.unknown_department",
                    Text::new(
                        format!("No department {} in your scope", input.department),
                        format!("您的数据范围内不存在部门 {}", input.department),
                    ),
                )])
            } else {
                e
            }
        })?;
    let mut errors = Vec::new();
    errors.extend(year_error(input.year, "/year"));
    let n = input.name.trim().chars().count();
    if n == 0 || n > 300 {
        errors.push(FieldError::body(
            "/name",
            "field.invalid_length",
            Text::new(
                "Must have 1 to 300 characters",
                "长度必须为 1 到 300 个字符",
            ),
        ));
    }
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

/// Creates a project.
/// Creates a project, in a unit of work of its own.
pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: &ProjectInput,
) -> Result<Model, ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let m = create_in(uow.db(), principal, input).await?;
    uow.commit().await?;
    Ok(m)
}

/// Creates a project, in the caller's transaction.
pub async fn create_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &ProjectInput,
) -> Result<Model, ApiError> {
    let mut m = build(db, principal, input, Action::Create).await?;
    m.id = uuid::Uuid::now_v7().to_string();
    write::insert(db, m, &principal.subject).await
}

/// Replaces a project, in a unit of work of its own.
pub async fn replace(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: &IfMatch,
    input: &ProjectInput,
) -> Result<Model, ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let current = resolve(uow.db(), principal, id, Action::Update).await?;
    write::check_if_match(Some(if_match), current.version)?;
    let built = build(uow.db(), principal, input, Action::Update).await?;
    let next = Model {
        id: current.id.clone(),
        version: current.version + 1,
        created_at: current.created_at,
        ..built
    };
    let m = write::replace(uow.db(), &current, next, &principal.subject).await?;
    uow.commit().await?;
    Ok(m)
}

/// Deletes a project (a tombstone), in a unit of work of its own; refused while live funds
/// finance it. `if_match`, when given, must name its version.
pub async fn delete(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: Option<&IfMatch>,
) -> Result<(), ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let current = resolve(uow.db(), principal, id, Action::Delete).await?;
    write::check_if_match(if_match, current.version)?;
    let funds = fund_store::of_projects(uow.db(), std::slice::from_ref(&current.id)).await?;
    if !funds.is_empty() {
        return Err(ApiError::new(
            codes::PROJECT_HAS_FUNDS,
            Text::new(
                format!(
                    "{} fund allocation(s) still finance this project",
                    funds.len()
                ),
                format!("仍有 {} 笔资金属于该项目", funds.len()),
            ),
        ));
    }
    write::delete(uow.db(), &current, &principal.subject).await?;
    uow.commit().await
}
