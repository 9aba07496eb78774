//! Applies the policy of [`crate::domain::policy`] to a request: hidden objects answer the
//! resource's own 404, forbidden actions 403.

use sea_orm::ConnectionTrait;

use crate::domain::policy::{self, Action, Decision, Kind, Principal, Refusal, Scope};
use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;

fn action_words(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Read => ("read this", "读取此对象"),
        Action::Create => ("create this", "创建此对象"),
        Action::Update => ("change this", "修改此对象"),
        Action::Delete => ("delete this", "删除此对象"),
        Action::Submit => ("submit this", "提交此对象"),
        Action::Withdraw => ("withdraw this", "撤回此对象"),
        Action::Return => ("return this", "退回此对象"),
        Action::Approve => ("approve this", "审核通过此对象"),
    }
}

/// The 403 for a role that may not do `action` on `kind` at all.
pub fn forbidden(action: Action) -> ApiError {
    let (en, zh) = action_words(action);
    crate::auth::forbidden(en, zh)
}

/// Decides a request on an existing object.
pub fn authorize(
    principal: &Principal,
    kind: Kind,
    action: Action,
    scope: &Scope<'_>,
    not_found: impl FnOnce() -> ApiError,
) -> Result<(), ApiError> {
    match policy::check(principal, kind, action, scope) {
        Decision::Allowed => Ok(()),
        Decision::Hidden => Err(not_found()),
        Decision::Forbidden(refusal) => Err(refused(action, refusal)),
    }
}

/// The 403 for a refusal, with the code a client can act on.
pub fn refused(action: Action, refusal: Refusal) -> ApiError {
    let (en, zh) = refusal.reason();
    match refusal {
        Refusal::Role => forbidden(action),
        Refusal::OwnSubmission => ApiError::new(codes::AUTH_FORBIDDEN, Text::new(en, zh)),
        Refusal::NotSubmitter => ApiError::new(codes::EVALUATION_NOT_SUBMITTER, Text::new(en, zh)),
    }
}

/// Requires the role to allow `action` on `kind`, before anything is looked at.
pub fn require_role(principal: &Principal, kind: Kind, action: Action) -> Result<(), ApiError> {
    if policy::role_allows(principal.role, kind, action) {
        Ok(())
    } else {
        Err(forbidden(action))
    }
}

/// A new object must be placed inside the caller's scope; `pointer` names the field that
/// placed it.
pub fn require_region_in_scope(
    principal: &Principal,
    region: &str,
    pointer: &str,
) -> Result<(), ApiError> {
    if principal.covers_region(region) {
        return Ok(());
    }
    let mut e = ApiError::new(
        codes::AUTH_OUT_OF_SCOPE,
        Text::new(
            format!(
                "Region {region} is outside your scope ({})",
                principal.region
            ),
            format!("行政区划 {region} 超出您的数据范围（{}）", principal.region),
        ),
    );
    e.errors.push(FieldError::body(
        pointer,
        "auth.out_of_scope",
        Text::new("outside your scope", "超出您的数据范围"),
    ));
    Err(e)
}

/// Checks `action` on an object a department owns (a fund, a project): the object answers
/// `not_found` when it, or its department, is outside the caller's scope.
pub async fn authorize_owned(
    db: &impl ConnectionTrait,
    principal: &Principal,
    kind: Kind,
    action: Action,
    department_id: &str,
    region: &str,
    not_found: impl Fn() -> ApiError,
) -> Result<(), ApiError> {
    let department = crate::store::departments::get(db, department_id)
        .await?
        .ok_or_else(&not_found)?;
    let ids = [department.id.as_str(), department.budget_code.as_str()];
    let scope = Scope {
        region,
        department: &ids,
        ..Scope::default()
    };
    authorize(principal, kind, action, &scope, not_found)
}
