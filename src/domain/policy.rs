//! Who may do what, and on which objects: the one place the authorization rules live.
//!
//! A caller (principal) has a role and a scope: a region subtree and, optionally, a list of
//! departments. [`check`] decides each request: allowed, hidden (the object is outside the
//! scope: answer 404, so its existence does not leak), or forbidden (inside the scope, but the
//! role may not do this: 403).

use super::region::RegionCode;

/// The four roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Manages regions, rule sets and everything else within its scope.
    Admin,
    /// City or province finance: reviews, returns and approves evaluations; reads the rest.
    Reviewer,
    /// A county department or system: writes its own data and submits its evaluations.
    Submitter,
    /// Dashboards: read-only, and never sees drafts.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Reviewer, Role::Submitter, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Submitter => "submitter",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    Submit,
    Withdraw,
    Return,
    Approve,
}

impl Action {
    /// The name answers use (`allowed_actions`, `blocked_actions`).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Submit => "submit",
            Action::Withdraw => "withdraw",
            Action::Return => "return",
            Action::Approve => "approve",
        }
    }
}

/// The kinds of objects the service holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Region,
    /// Departments and their year profiles and finances.
    Department,
    Fund,
    Project,
    Evaluation,
    RuleSet,
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub role: Role,
    /// The caller's region: its scope is this region's subtree.
    pub region: RegionCode,
    /// When present, the caller is further limited to these departments (budget codes or ids).
    pub departments: Option<Vec<String>>,
}

/// Where an object sits, for scope checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    /// The region code the object belongs to.
    pub region: &'a str,
    /// The department's identifiers (id and budget code), for department-owned objects.
    pub department: &'a [&'a str],
    /// For evaluations: whether it is a draft (or returned/withdrawn), which viewers never see.
    pub unpublished: bool,
    /// For evaluations: the subject that submitted it, when any.
    pub submitted_by: Option<&'a str>,
}

/// The verdict on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Outside the caller's scope (or invisible to it): answer 404.
    Hidden,
    /// Visible, but the caller may not do this: answer 403.
    Forbidden(Refusal),
}

/// Why a visible object refuses an action to a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The role may not do this at all.
    Role,
    /// Nobody approves or returns their own submission.
    OwnSubmission,
    /// Only the submitter who submitted an evaluation (the same `sub`), or an admin,
    /// withdraws it.
    NotSubmitter,
}

impl Refusal {
    /// Why, in English and Chinese.
    pub fn reason(self) -> (&'static str, &'static str) {
        match self {
            Refusal::Role => ("Your role may not do this", "您的角色无权执行此操作"),
            Refusal::OwnSubmission => (
                "Nobody approves or returns their own submission",
                "不能审核或退回本人提交的绩效自评",
            ),
            Refusal::NotSubmitter => (
                "Only the submitter who submitted it, or an admin, may withdraw it",
                "只有提交人本人或管理员可以撤回",
            ),
        }
    }
}

/// The role table: whether a role may perform an action on a kind at all.
pub fn role_allows(role: Role, kind: Kind, action: Action) -> bool {
    use Action::*;
    match (role, kind) {
        (_, _) if action == Read => true,
        (Role::Admin, _) => true,
        (Role::Viewer, _) => false,
        (_, Kind::Region | Kind::RuleSet) => false,
        // Reviewers never edit a submitter's data; they act on submitted evaluations.
        (Role::Reviewer, Kind::Evaluation) => matches!(action, Return | Approve),
        (Role::Reviewer, _) => false,
        (Role::Submitter, Kind::Evaluation) => {
            matches!(action, Create | Update | Delete | Submit | Withdraw)
        }
        (Role::Submitter, Kind::Department | Kind::Fund | Kind::Project) => {
            matches!(action, Create | Update | Delete)
        }
    }
}

impl Principal {
    /// The code prefix of every region in the caller's scope.
    pub fn region_prefix(&self) -> &str {
        self.region.subtree_prefix()
    }

    /// Whether a region code lies in the caller's subtree.
    pub fn covers_region(&self, code: &str) -> bool {
        code.starts_with(self.region_prefix())
    }

    /// Whether a department (given by any of its identifiers) is within the department list.
    pub fn covers_department(&self, identifiers: &[&str]) -> bool {
        match &self.departments {
            None => true,
            Some(allowed) => identifiers.iter().any(|id| allowed.iter().any(|a| a == id)),
        }
    }

    /// Whether the object is visible to the caller at all.
    pub fn sees(&self, kind: Kind, scope: &Scope<'_>) -> bool {
        if kind == Kind::RuleSet {
            return true;
        }
        if !self.covers_region(scope.region) {
            return false;
        }
        let department_owned = matches!(
            kind,
            Kind::Department | Kind::Fund | Kind::Project | Kind::Evaluation
        );
        if department_owned && !self.covers_department(scope.department) {
            return false;
        }
        kind != Kind::Evaluation || self.sees_evaluation_in_state(!scope.unpublished)
    }

    /// Whether the role sees an evaluation in a state that is (or is not) published: viewers
    /// see submitted and approved ones only. An evaluation that leaves this view (withdrawn,
    /// returned) reaches the caller's change feed as a tombstone.
    pub fn sees_evaluation_in_state(&self, published: bool) -> bool {
        published || self.role != Role::Viewer
    }
}

/// Decides one request on one object.
pub fn check(principal: &Principal, kind: Kind, action: Action, scope: &Scope<'_>) -> Decision {
    if !principal.sees(kind, scope) {
        return Decision::Hidden;
    }
    if !role_allows(principal.role, kind, action) {
        return Decision::Forbidden(Refusal::Role);
    }
    let own = scope.submitted_by == Some(principal.subject.as_str());
    // Nobody approves or returns their own submission.
    if matches!(action, Action::Approve | Action::Return) && own {
        return Decision::Forbidden(Refusal::OwnSubmission);
    }
    // A submission is withdrawn by whoever submitted it, or by an admin: not by another
    // submitter of the same county.
    if kind == Kind::Evaluation
        && action == Action::Withdraw
        && principal.role != Role::Admin
        && !own
    {
        return Decision::Forbidden(Refusal::NotSubmitter);
    }
    Decision::Allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, region: &str) -> Principal {
        Principal {
            subject: format!("{}-{region}", role.as_str()),
            role,
            region: RegionCode::parse(region).unwrap(),
            departments: None,
        }
    }

    fn at(region: &str) -> Scope<'_> {
        Scope {
            region,
            ..Scope::default()
        }
    }

    #[test]
    fn scope_is_the_subtree() {
        let county = who(Role::Admin, "430424");
        assert_eq!(
            check(&county, Kind::Region, Action::Read, &at("430424")),
            Decision::Allowed
        );
        assert_eq!(
            check(&county, Kind::Region, Action::Read, &at("430426")),
            Decision::Hidden
        );
        assert_eq!(
            check(&county, Kind::Region, Action::Read, &at("430400")),
            Decision::Hidden
        );
        let city = who(Role::Viewer, "430400");
        assert_eq!(
            check(&city, Kind::Region, Action::Read, &at("430426")),
            Decision::Allowed
        );
        assert_eq!(
            check(&city, Kind::Region, Action::Read, &at("430102")),
            Decision::Hidden
        );
        assert_eq!(
            check(&city, Kind::Region, Action::Update, &at("430426")),
            Decision::Forbidden(Refusal::Role)
        );
    }

    #[test]
    fn role_table() {
        use Action::*;
        let cases = [
            (Role::Admin, Kind::Region, Create, true),
            (Role::Reviewer, Kind::Region, Create, false),
            (Role::Submitter, Kind::Region, Update, false),
            (Role::Submitter, Kind::Fund, Create, true),
            (Role::Reviewer, Kind::Fund, Update, false),
            (Role::Reviewer, Kind::Evaluation, Update, false),
            (Role::Reviewer, Kind::Evaluation, Approve, true),
            (Role::Submitter, Kind::Evaluation, Approve, false),
            (Role::Submitter, Kind::Evaluation, Submit, true),
            (Role::Viewer, Kind::Evaluation, Read, true),
            (Role::Viewer, Kind::Evaluation, Create, false),
            (Role::Admin, Kind::RuleSet, Create, true),
            (Role::Reviewer, Kind::RuleSet, Create, false),
        ];
        for (role, kind, action, want) in cases {
            assert_eq!(
                role_allows(role, kind, action),
                want,
                "{role:?} {kind:?} {action:?}"
            );
        }
    }

    #[test]
    fn viewers_never_see_drafts() {
        let viewer = who(Role::Viewer, "430400");
        let draft = Scope {
            region: "430424",
            unpublished: true,
            ..Scope::default()
        };
        assert_eq!(
            check(&viewer, Kind::Evaluation, Action::Read, &draft),
            Decision::Hidden
        );
        let reviewer = who(Role::Reviewer, "430400");
        assert_eq!(
            check(&reviewer, Kind::Evaluation, Action::Read, &draft),
            Decision::Allowed
        );
    }

    #[test]
    fn departments_narrow_the_scope() {
        let mut p = who(Role::Submitter, "430424");
        p.departments = Some(vec!["901001".into()]);
        let mine = Scope {
            region: "430424",
            department: &["901001", "d-1"],
            ..Scope::default()
        };
        let other = Scope {
            region: "430424",
            department: &["901002"],
            ..Scope::default()
        };
        assert_eq!(
            check(&p, Kind::Fund, Action::Update, &mine),
            Decision::Allowed
        );
        assert_eq!(
            check(&p, Kind::Fund, Action::Read, &other),
            Decision::Hidden
        );
        // Regions are not department-owned.
        assert_eq!(
            check(&p, Kind::Region, Action::Read, &at("430424")),
            Decision::Allowed
        );
    }

    #[test]
    fn nobody_approves_their_own_work() {
        let admin = who(Role::Admin, "430400");
        let own = Scope {
            region: "430424",
            submitted_by: Some(admin.subject.as_str()),
            ..Scope::default()
        };
        assert_eq!(
            check(&admin, Kind::Evaluation, Action::Approve, &own),
            Decision::Forbidden(Refusal::OwnSubmission)
        );
        let theirs = Scope {
            region: "430424",
            submitted_by: Some("someone-else"),
            ..Scope::default()
        };
        assert_eq!(
            check(&admin, Kind::Evaluation, Action::Approve, &theirs),
            Decision::Allowed
        );
    }

    #[test]
    fn only_the_submitter_or_an_admin_withdraws() {
        let mine = who(Role::Submitter, "430424");
        let submitted = Scope {
            region: "430424",
            submitted_by: Some(mine.subject.as_str()),
            ..Scope::default()
        };
        assert_eq!(
            check(&mine, Kind::Evaluation, Action::Withdraw, &submitted),
            Decision::Allowed
        );
        let mut colleague = who(Role::Submitter, "430424");
        colleague.subject = "another-clerk".into();
        assert_eq!(
            check(&colleague, Kind::Evaluation, Action::Withdraw, &submitted),
            Decision::Forbidden(Refusal::NotSubmitter)
        );
        assert_eq!(
            check(
                &who(Role::Admin, "430400"),
                Kind::Evaluation,
                Action::Withdraw,
                &submitted
            ),
            Decision::Allowed
        );
        assert_eq!(
            check(
                &who(Role::Reviewer, "430400"),
                Kind::Evaluation,
                Action::Withdraw,
                &submitted
            ),
            Decision::Forbidden(Refusal::Role)
        );
    }
}
