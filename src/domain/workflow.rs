//! The evaluation workflow: draft → submitted → approved, with returned (by a reviewer, with a
//! reason) → edit → submitted again, and withdrawn (back to draft) by the submitter before
//! review. Only drafts and returned evaluations can be changed.

use super::policy::{self, Action, Decision, Kind, Principal, Scope};

/// Where an evaluation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Draft,
    Submitted,
    Returned,
    Approved,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Approved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Approved => "approved",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Submitted => "已提交",
            Status::Returned => "已退回",
            Status::Approved => "已通过",
        }
    }

    /// Whether the data may change (drafts and returned evaluations only).
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }

    /// Whether viewers (dashboards) may see it: submitted and approved only.
    pub fn published(self) -> bool {
        matches!(self, Status::Submitted | Status::Approved)
    }
}

/// A change of state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    Submit,
    Withdraw,
    Return,
    Approve,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Submit => "submit",
            Transition::Withdraw => "withdraw",
            Transition::Return => "return",
            Transition::Approve => "approve",
        }
    }

    /// The action the policy knows it by.
    pub fn action(self) -> Action {
        match self {
            Transition::Submit => Action::Submit,
            Transition::Withdraw => Action::Withdraw,
            Transition::Return => Action::Return,
            Transition::Approve => Action::Approve,
        }
    }
}

/// A transition the current state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Illegal {
    pub from: Status,
    pub transition: Transition,
}

/// The state a transition leads to.
pub fn next(from: Status, transition: Transition) -> Result<Status, Illegal> {
    use Status::*;
    use Transition::*;
    match (from, transition) {
        (Draft | Returned, Submit) => Ok(Submitted),
        (Submitted, Withdraw) => Ok(Draft),
        (Submitted, Return) => Ok(Returned),
        (Submitted, Approve) => Ok(Approved),
        _ => Err(Illegal { from, transition }),
    }
}

/// What the caller may do next with an evaluation in `status`, in a stable order.
pub fn allowed_actions(
    principal: &Principal,
    status: Status,
    scope: &Scope<'_>,
) -> Vec<&'static str> {
    let allowed = |action: Action| {
        policy::check(principal, Kind::Evaluation, action, scope) == Decision::Allowed
    };
    let mut out = Vec::new();
    if status.editable() && allowed(Action::Update) {
        out.push("update");
    }
    if status.editable() && allowed(Action::Delete) {
        out.push("delete");
    }
    for t in [
        Transition::Submit,
        Transition::Withdraw,
        Transition::Return,
        Transition::Approve,
    ] {
        if next(status, t).is_ok() && allowed(t.action()) {
            out.push(t.as_str());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Role;
    use crate::domain::region::RegionCode;

    fn who(role: Role) -> Principal {
        Principal {
            subject: role.as_str().into(),
            role,
            region: RegionCode::parse("430400").unwrap(),
            departments: None,
        }
    }

    #[test]
    fn every_transition() {
        use Status::*;
        use Transition::*;
        let legal = [
            (Draft, Submit, Submitted),
            (Returned, Submit, Submitted),
            (Submitted, Withdraw, Draft),
            (Submitted, Return, Returned),
            (Submitted, Approve, Approved),
        ];
        for from in Status::ALL {
            for t in [Submit, Withdraw, Return, Approve] {
                let want = legal
                    .iter()
                    .find(|(f, tr, _)| *f == from && *tr == t)
                    .map(|l| l.2);
                assert_eq!(next(from, t).ok(), want, "{from:?} {t:?}");
            }
        }
    }

    #[test]
    fn actions_follow_role_and_state() {
        let scope = Scope {
            region: "430424",
            ..Scope::default()
        };
        assert_eq!(
            allowed_actions(&who(Role::Submitter), Status::Draft, &scope),
            ["update", "delete", "submit"]
        );
        assert_eq!(
            allowed_actions(&who(Role::Submitter), Status::Submitted, &scope),
            ["withdraw"]
        );
        assert_eq!(
            allowed_actions(&who(Role::Reviewer), Status::Submitted, &scope),
            ["return", "approve"]
        );
        assert!(allowed_actions(&who(Role::Reviewer), Status::Draft, &scope).is_empty());
        assert!(allowed_actions(&who(Role::Viewer), Status::Submitted, &scope).is_empty());
        assert!(allowed_actions(&who(Role::Admin), Status::Approved, &scope).is_empty());
        let own = Scope {
            region: "430424",
            submitted_by: Some("admin"),
            ..Scope::default()
        };
        assert_eq!(
            allowed_actions(&who(Role::Admin), Status::Submitted, &own),
            ["withdraw"]
        );
    }
}
