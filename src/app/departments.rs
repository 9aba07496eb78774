//! Departments: create (or bring back a deleted one), replace and delete, and resolving a
//! department by id or budget code in the caller's scope.

use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::app::access;
use crate::app::feed;
use crate::app::precondition::IfMatch;
use crate::app::uow::UnitOfWork;
use crate::app::write::{self, Row};
use crate::domain::policy::{Action, Kind, Principal, Scope};
use crate::domain::region::RegionCode;
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
use crate::model::departments::{Department, DepartmentInput};
use crate::store::departments::{self as store, Model};
use crate::store::regions as region_store;

pub fn not_found(key: &str) -> ApiError {
    ApiError::new(
        codes::DEPARTMENT_NOT_FOUND,
        Text::new(
            format!("No department has the id or budget code {key}"),
            format!("不存在 id 或预算单位编码为 {key} 的部门"),
        ),
    )
}

/// Checks `action` on a department for the caller.
pub fn authorize(
    principal: &Principal,
    m: &Model,
    action: Action,
    key: &str,
) -> Result<(), ApiError> {
    let ids = [m.id.as_str(), m.budget_code.as_str()];
    let scope = Scope {
        region: &m.region_code,
        department: &ids,
        ..Scope::default()
    };
    access::authorize(principal, Kind::Department, action, &scope, || {
        not_found(key)
    })
}

/// The department an owned row (a fund, a project) names, within the caller's scope; one it
/// cannot see is a field error `code` at `/department` of the input.
pub async fn resolve_owner(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: &str,
    action: Action,
    code: &'static str,
) -> Result<Model, ApiError> {
    resolve(db, principal, key.trim(), action)
        .await
        .map_err(|e| {
            if e.code == codes::DEPARTMENT_NOT_FOUND {
                ApiError::validation(vec![FieldError::body(
                    "/department",
                    code,
                    Text::new(
                        format!("No department {key} in your scope"),
                        format!("您的数据范围内不存在部门 {key}"),
                    ),
                )])
            } else {
                e
            }
        })
}

/// What a row owned by a department (a fund, a project) is checked for first.
pub struct OwnedInput<'a> {
    /// The resource, for the caller's role.
    pub kind: Kind,
    /// The owning department, by id or budget code, as the input names it.
    pub department: &'a str,
    /// The field error's code when the caller cannot see that department.
    pub unknown: &'static str,
    pub year: i32,
    pub name: &'a str,
}

/// The checks a department-owned row starts with: the caller's role, the owning department
/// in the caller's scope, the year and the name. Answers the department and the problems of
/// the year and name, for the caller to add its own to.
pub async fn owned_input(
    db: &impl ConnectionTrait,
    principal: &Principal,
    action: Action,
    input: OwnedInput<'_>,
) -> Result<(Model, Vec<FieldError>), ApiError> {
    access::require_role(principal, input.kind, action)?;
    let department = resolve_owner(db, principal, input.department, action, input.unknown).await?;
    let mut errors = Vec::new();
    errors.extend(write::year_error(input.year, "/year"));
    write::text_error("/name", 300, input.name, &mut errors);
    Ok((department, errors))
}

/// Finds a live department by id or budget code within the caller's scope.
pub async fn resolve(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: &str,
    action: Action,
) -> Result<Model, ApiError> {
    let model = if uuid::Uuid::parse_str(key).is_ok() {
        store::get(db, key).await?.ok_or_else(|| not_found(key))?
    } else {
        let mut found = store::by_budget_code_under(db, key, principal.region_prefix()).await?;
        found.retain(|m| principal.covers_department(&[m.id.as_str(), m.budget_code.as_str()]));
        match found.len() {
            0 => return Err(not_found(key)),
            1 => found.remove(0),
            _ => {
                let ids: Vec<String> = found
                    .iter()
                    .map(|m| format!("{} ({})", m.id, m.region_code))
                    .collect();
                return Err(ApiError::new(
                    codes::DEPARTMENT_AMBIGUOUS,
                    Text::new(
                        format!(
                            "Several departments have the budget code {key}: use an id: {}",
                            ids.join(", ")
                        ),
                        format!(
                            "多个部门使用预算单位编码 {key}，请改用 id：{}",
                            ids.join("，")
                        ),
                    ),
                ));
            }
        }
    };
    authorize(principal, &model, action, key)?;
    Ok(model)
}

/// The 409 for a budget code another live department holds. The other department may be
/// outside the caller's scope, so it is not named.
fn budget_code_taken(code: &str) -> ApiError {
    let mut e = ApiError::new(
        codes::DEPARTMENT_BUDGET_CODE_TAKEN,
        Text::new(
            format!(
                "Another department already has the budget code {code}; budget codes are unique across the service"
            ),
            format!("预算单位编码 {code} 已被其他部门使用；预算单位编码在全系统内唯一"),
        ),
    );
    e.errors.push(FieldError::body(
        "/budget_code",
        "department.budget_code_taken",
        Text::new(format!("{code} is taken"), format!("{code} 已被使用")),
    ));
    e
}

/// Refuses a budget code that a live department other than `own_id` holds in another region
/// (the same region answers `department.exists`, naming the department).
async fn check_budget_code_free(
    db: &impl ConnectionTrait,
    code: &str,
    region: &str,
    own_id: Option<&str>,
) -> Result<(), ApiError> {
    match store::live_with_budget_code(db, code, own_id).await? {
        Some(other) if other.region_code != region => Err(budget_code_taken(code)),
        _ => Ok(()),
    }
}

/// Checks an input and resolves its region and parent; every problem is reported at once.
async fn validate(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &DepartmentInput,
    own_id: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let mut errors = text_errors(input);
    let region = region_of(db, principal, input, &mut errors).await?;
    let mut parent_id = None;
    if let (Some(parent), Some(region)) = (input.parent.as_deref(), &region) {
        parent_id = parent_of(db, parent, region, own_id, &mut errors).await?;
    }
    if errors.is_empty() {
        Ok(parent_id)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The lengths of the texts and the characters of the budget code.
fn text_errors(input: &DepartmentInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    write::text_error("/name", 200, &input.name, &mut errors);
    write::text_error("/budget_code", 64, &input.budget_code, &mut errors);
    if !crate::domain::validate::budget_code_chars_ok(&input.budget_code) {
        errors.push(FieldError::body(
            "/budget_code",
            "department.invalid_budget_code",
            Text::new(
                "A budget code holds letters, digits, `-`, `_` and `.` only",
                "预算单位编码只能包含字母、数字、`-`、`_` 和 `.`",
            ),
        ));
    }
    for (field, list) in [
        ("responsibilities", &input.responsibilities),
        ("internal_bodies", &input.internal_bodies),
        ("subordinate_units", &input.subordinate_units),
    ] {
        for (i, item) in list.iter().enumerate() {
            write::text_error(&format!("/{field}/{i}"), 2000, item, &mut errors);
        }
    }
    errors
}

/// The region of the input: a code in the caller's scope (403 outside it) of a live region.
async fn region_of(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &DepartmentInput,
    errors: &mut Vec<FieldError>,
) -> Result<Option<RegionCode>, ApiError> {
    match RegionCode::parse(input.region.trim()) {
        Err(e) => {
            errors.push(FieldError::body(
                "/region",
                "region.invalid_code",
                Text::new(e.message_en(), e.message_zh()),
            ));
            Ok(None)
        }
        Ok(code) => {
            access::require_region_in_scope(principal, code.as_str(), "/region")?;
            if region_store::get(db, code.as_str()).await?.is_none() {
                errors.push(FieldError::body(
                    "/region",
                    "department.unknown_region",
                    Text::new(
                        format!("No region has the code {code}"),
                        format!("不存在代码为 {code} 的行政区划"),
                    ),
                ));
            }
            Ok(Some(code))
        }
    }
}

/// The id of the parent the input names, in the region or above it, that makes no cycle.
async fn parent_of(
    db: &impl ConnectionTrait,
    parent: &str,
    region: &RegionCode,
    own_id: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Result<Option<String>, ApiError> {
    let cycle = |en: &str, zh: &str| {
        FieldError::body("/parent", "department.parent_cycle", Text::new(en, zh))
    };
    match find_parent(db, parent, region).await? {
        Some(p) if Some(p.id.as_str()) == own_id => errors.push(cycle(
            "A department cannot be its own parent",
            "部门不能是自己的主管部门",
        )),
        Some(p) => {
            if let Some(own) = own_id
                && is_ancestor(db, own, &p).await?
            {
                errors.push(cycle(
                    "The parent is below this department: that would make a cycle",
                    "所选主管部门是本部门的下级，会形成循环",
                ));
            } else {
                return Ok(Some(p.id));
            }
        }
        None => errors.push(FieldError::body(
            "/parent",
            "department.unknown_parent",
            Text::new(
                format!("No department {parent} exists in region {region} or above it"),
                format!("在 {region} 及其上级区划中不存在部门 {parent}"),
            ),
        )),
    }
    Ok(None)
}

/// The parent, by id or budget code, in the region or one above it.
async fn find_parent(
    db: &impl ConnectionTrait,
    key: &str,
    region: &RegionCode,
) -> Result<Option<Model>, ApiError> {
    let mut chain = vec![region.as_str().to_owned()];
    let mut up = region.parent();
    while let Some(code) = up {
        chain.push(code.as_str().to_owned());
        up = code.parent();
    }
    if uuid::Uuid::parse_str(key).is_ok() {
        return Ok(store::get(db, key)
            .await?
            .filter(|m| chain.contains(&m.region_code)));
    }
    let found = store::by_budget_code(db, key, &chain).await?;
    // The nearest region wins.
    Ok(chain
        .iter()
        .find_map(|r| found.iter().find(|m| &m.region_code == r).cloned()))
}

async fn is_ancestor(db: &impl ConnectionTrait, id: &str, of: &Model) -> Result<bool, ApiError> {
    let mut current = of.parent_id.clone();
    let mut hops = 0;
    while let Some(pid) = current {
        if pid == id {
            return Ok(true);
        }
        hops += 1;
        if hops > 32 {
            return Ok(true);
        }
        current = store::get(db, &pid).await?.and_then(|m| m.parent_id);
    }
    Ok(false)
}

fn to_json(list: &[String]) -> String {
    serde_json::to_string(&list.iter().map(|s| s.trim()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

impl Row for Model {
    fn version(&self) -> i64 {
        self.version
    }

    /// A unique violation (a concurrent writer took the budget code, in this region or
    /// another one) answers `department.budget_code_taken`.
    async fn insert(db: &impl ConnectionTrait, row: Self) -> Result<Self, ApiError> {
        let code = row.budget_code.clone();
        match store::insert(db, row).await {
            Err(e) if crate::store::is_unique_violation(&e) => Err(budget_code_taken(&code)),
            other => Ok(other?),
        }
    }

    async fn overwrite(
        db: &impl ConnectionTrait,
        current_version: i64,
        next: &Self,
    ) -> Result<bool, ApiError> {
        match store::overwrite(db, current_version, next).await {
            Err(e) if crate::store::is_unique_violation(&e) => {
                Err(budget_code_taken(&next.budget_code))
            }
            other => Ok(other?),
        }
    }

    async fn feed(
        &self,
        db: &impl ConnectionTrait,
        op: crate::model::vocab::ChangeOp,
        actor: &str,
    ) -> Result<(), ApiError> {
        feed::department(db, self, op, actor).await
    }
}

write::soft_delete!(Model);

fn exists(region: &str, budget_code: &str) -> ApiError {
    ApiError::new(
        codes::DEPARTMENT_EXISTS,
        Text::new(
            format!("Region {region} already has a department with budget code {budget_code}"),
            format!("行政区划 {region} 已有预算单位编码为 {budget_code} 的部门"),
        ),
    )
}

/// Creates a department (or brings back a deleted one with the same region and budget code),
/// in a unit of work of its own.
pub async fn create(
    db: &DatabaseConnection,
    principal: &Principal,
    input: &DepartmentInput,
) -> Result<Model, ApiError> {
    UnitOfWork::run(db, async |txn| create_in(txn, principal, input).await).await
}

/// Creates a department (or brings back a deleted one with the same region and budget code),
/// in the caller's transaction.
pub async fn create_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &DepartmentInput,
) -> Result<Model, ApiError> {
    access::require_role(principal, Kind::Department, Action::Create)?;
    let parent_id = validate(db, principal, input, None).await?;
    let budget_code = input.budget_code.trim().to_owned();
    let region = input.region.trim().to_owned();
    let ids = [budget_code.as_str()];
    if !principal.covers_department(&ids) {
        return Err(access::forbidden(Action::Create));
    }
    let now = crate::clock::now();
    let model = Model {
        id: uuid::Uuid::now_v7().to_string(),
        budget_code,
        name: input.name.trim().to_owned(),
        region_code: region,
        parent_id,
        kind: input.kind.as_str().to_owned(),
        responsibilities: to_json(&input.responsibilities),
        internal_bodies: to_json(&input.internal_bodies),
        subordinate_units: to_json(&input.subordinate_units),
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    check_budget_code_free(db, &model.budget_code, &model.region_code, None).await?;
    let actor = &principal.subject;
    match store::by_natural_key(db, &model.region_code, &model.budget_code).await? {
        Some(existing) if existing.deleted_at.is_none() => {
            Err(exists(&model.region_code, &model.budget_code).with_extra(
                "existing",
                format!("/api/v1/departments/{}", existing.id).into(),
            ))
        }
        Some(deleted) => {
            let revived = Model {
                id: deleted.id.clone(),
                created_at: deleted.created_at,
                version: deleted.version + 1,
                ..model
            };
            write::overwrite(db, deleted.version, revived, feed::CREATED, actor).await
        }
        None => write::insert(db, model, actor).await,
    }
}

/// Replaces a department's data (its region is fixed), in a unit of work of its own.
pub async fn replace(
    db: &DatabaseConnection,
    principal: &Principal,
    key: &str,
    if_match: &IfMatch,
    input: &DepartmentInput,
) -> Result<Model, ApiError> {
    UnitOfWork::run(db, async |txn| {
        replace_in(txn, principal, key, if_match, input).await
    })
    .await
}

async fn replace_in(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: &str,
    if_match: &IfMatch,
    input: &DepartmentInput,
) -> Result<Model, ApiError> {
    let current = resolve(db, principal, key, Action::Update).await?;
    write::check_if_match(Some(if_match), current.version)?;
    if input.region.trim() != current.region_code {
        return Err(ApiError::validation(vec![FieldError::body(
            "/region",
            "field.immutable",
            Text::new(
                format!(
                    "A department's region cannot change (it is {})",
                    current.region_code
                ),
                format!("部门所属行政区划不能修改（当前为 {}）", current.region_code),
            ),
        )]));
    }
    let parent_id = validate(db, principal, input, Some(&current.id)).await?;
    let next = Model {
        budget_code: input.budget_code.trim().to_owned(),
        name: input.name.trim().to_owned(),
        parent_id,
        kind: input.kind.as_str().to_owned(),
        responsibilities: to_json(&input.responsibilities),
        internal_bodies: to_json(&input.internal_bodies),
        subordinate_units: to_json(&input.subordinate_units),
        version: current.version + 1,
        updated_at: crate::clock::now(),
        ..current.clone()
    };
    if next.budget_code != current.budget_code {
        check_budget_code_free(db, &next.budget_code, &next.region_code, Some(&current.id)).await?;
        if store::by_natural_key(db, &next.region_code, &next.budget_code)
            .await?
            .is_some()
        {
            return Err(exists(&next.region_code, &next.budget_code));
        }
    }
    write::replace(db, &current, next, &principal.subject).await
}

/// Deletes a department (a tombstone), in a unit of work of its own; refused while live
/// departments name it as their parent. `if_match`, when given, must name its version.
pub async fn delete(
    db: &DatabaseConnection,
    principal: &Principal,
    key: &str,
    if_match: Option<&IfMatch>,
) -> Result<(), ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let current = resolve(uow.db(), principal, key, Action::Delete).await?;
    write::check_if_match(if_match, current.version)?;
    let children = store::count_children(uow.db(), &current.id).await?;
    if children > 0 {
        return Err(ApiError::new(
            codes::DEPARTMENT_HAS_CHILDREN,
            Text::new(
                format!("{children} department(s) name this one as their parent"),
                format!("仍有 {children} 个部门以其为主管部门"),
            ),
        ));
    }
    write::delete(uow.db(), &current, &principal.subject).await?;
    uow.commit().await
}

/// The filters of the department list.
#[derive(Debug, Default, Clone)]
pub struct DepartmentFilters {
    /// Region subtree, as its code prefix (as the `region` query filter is parsed).
    pub region_prefix: Option<String>,
    /// Only the departments under this competent department (id).
    pub parent_id: Option<String>,
    /// Name contains.
    pub q: Option<String>,
}

/// A page of the departments the caller may see under `filters`, oldest first after the id
/// `after`, and whether more follow.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filters: &DepartmentFilters,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<Department>, bool), ApiError> {
    let filter = store::Filter {
        scope_prefix: principal.region_prefix().to_owned(),
        scope_departments: principal.departments.clone(),
        region_prefix: filters.region_prefix.clone(),
        parent_id: filters.parent_id.clone(),
        name_contains: filters.q.clone().filter(|q| !q.trim().is_empty()),
    };
    let (rows, more) = store::list(db, &filter, after, limit).await?;
    let items = rows
        .into_iter()
        .map(Department::try_from)
        .collect::<Result<_, _>>()?;
    Ok((items, more))
}
