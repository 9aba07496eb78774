//! The evaluation workflow: draft → submitted → approved, with returned (by a reviewer, with a
//! reason) → edit → submitted again, and withdrawn (back to draft) before review by whoever
//! submitted it (the same `sub`) or an admin. Only drafts and returned evaluations can be changed.

use super::policy::{self, Action, Decision, Kind, Principal, Refusal, Scope};

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

/// Why an action the caller's role could take is refused now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// Error findings remain (this many): submission needs none.
    ErrorsRemain(usize),
    /// The policy refuses it to this caller (its own submission, someone else's, …).
    Refused(Refusal),
}

/// An action that is refused now, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocked {
    pub action: Action,
    pub block: Block,
}

/// What the caller may do next with an evaluation, and what it may not although its role
/// and the state would allow it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actions {
    /// Only what would succeed now, in a stable order: update, delete, submit, withdraw,
    /// return, approve.
    pub allowed: Vec<&'static str>,
    pub blocked: Vec<Blocked>,
}

/// What the caller may do next with an evaluation in `status` that has `error_count` error
/// findings. Actions the role never has, or the state does not offer, are in neither list.
pub fn actions(
    principal: &Principal,
    status: Status,
    scope: &Scope<'_>,
    error_count: usize,
) -> Actions {
    let mut out = Actions::default();
    let mut consider =
        |action: Action| match policy::check(principal, Kind::Evaluation, action, scope) {
            Decision::Allowed if action == Action::Submit && error_count > 0 => {
                out.blocked.push(Blocked {
                    action,
                    block: Block::ErrorsRemain(error_count),
                })
            }
            Decision::Allowed => out.allowed.push(action.as_str()),
            Decision::Forbidden(Refusal::Role) | Decision::Hidden => {}
            Decision::Forbidden(refusal) => out.blocked.push(Blocked {
                action,
                block: Block::Refused(refusal),
            }),
        };
    if status.editable() {
        consider(Action::Update);
        consider(Action::Delete);
    }
    for t in [
        Transition::Submit,
        Transition::Withdraw,
        Transition::Return,
        Transition::Approve,
    ] {
        if next(status, t).is_ok() {
            consider(t.action());
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

    fn allowed(p: &Principal, status: Status, scope: &Scope<'_>) -> Vec<&'static str> {
        actions(p, status, scope, 0).allowed
    }

    #[test]
    fn actions_follow_role_and_state() {
        let scope = Scope {
            region: "430424",
            ..Scope::default()
        };
        assert_eq!(
            allowed(&who(Role::Submitter), Status::Draft, &scope),
            ["update", "delete", "submit"]
        );
        let submitted = Scope {
            region: "430424",
            submitted_by: Some("submitter"),
            ..Scope::default()
        };
        assert_eq!(
            allowed(&who(Role::Submitter), Status::Submitted, &submitted),
            ["withdraw"]
        );
        assert_eq!(
            allowed(&who(Role::Reviewer), Status::Submitted, &submitted),
            ["return", "approve"]
        );
        assert!(allowed(&who(Role::Reviewer), Status::Draft, &scope).is_empty());
        assert!(allowed(&who(Role::Viewer), Status::Submitted, &scope).is_empty());
        assert!(allowed(&who(Role::Admin), Status::Approved, &scope).is_empty());
        let own = Scope {
            region: "430424",
            submitted_by: Some("admin"),
            ..Scope::default()
        };
        let admin = actions(&who(Role::Admin), Status::Submitted, &own, 0);
        assert_eq!(admin.allowed, ["withdraw"]);
        assert_eq!(
            admin.blocked,
            [
                Blocked {
                    action: Action::Return,
                    block: Block::Refused(Refusal::OwnSubmission)
                },
                Blocked {
                    action: Action::Approve,
                    block: Block::Refused(Refusal::OwnSubmission)
                },
            ]
        );
    }

    #[test]
    fn errors_block_submission_and_say_so() {
        let scope = Scope {
            region: "430424",
            ..Scope::default()
        };
        let a = actions(&who(Role::Submitter), Status::Draft, &scope, 3);
        assert_eq!(a.allowed, ["update", "delete"]);
        assert_eq!(
            a.blocked,
            [Blocked {
                action: Action::Submit,
                block: Block::ErrorsRemain(3)
            }]
        );
        // Someone else's submission: withdrawing it is blocked, not offered.
        let theirs = Scope {
            region: "430424",
            submitted_by: Some("another-clerk"),
            ..Scope::default()
        };
        let a = actions(&who(Role::Submitter), Status::Submitted, &theirs, 0);
        assert!(a.allowed.is_empty());
        assert_eq!(
            a.blocked,
            [Blocked {
                action: Action::Withdraw,
                block: Block::Refused(Refusal::NotSubmitter)
            }]
        );
    }
}
