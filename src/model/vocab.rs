//! The closed vocabularies of the API: each is one enum, declared as an `enum` in the contract,
//! and used by every field that carries it. Values read back from the database as text are
//! parsed into them with [`Vocabulary::from_stored`]: an unknown stored value is an internal
//! error (logged with its context, answered 500), never a made-up value.

use std::fmt::Display;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::workflow::Status;

/// A word read back from the database that is not one of its vocabulary's words: an internal
/// error (the caller's `?` turns it into a logged 500), never a made-up value.
#[derive(Debug)]
pub struct UnknownStored(pub anyhow::Error);

impl std::fmt::Display for UnknownStored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A closed set of snake_case words.
pub trait Vocabulary: Sized + Copy + 'static {
    /// What the words name, for messages (`evaluation status`).
    const WHAT: &'static str;
    /// Every word, in the contract's order.
    const ALL: &'static [Self];

    fn as_str(self) -> &'static str;

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }

    /// A value read back as text from the database; `context` says where it was read
    /// (`evaluation 0193…`), for the log.
    fn from_stored(text: &str, context: impl Display) -> Result<Self, UnknownStored> {
        Self::parse(text).ok_or_else(|| {
            UnknownStored(anyhow::anyhow!(
                "{context}: the stored {} `{text}` is not one of {}",
                Self::WHAT,
                Self::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident ($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl Vocabulary for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }
    };
}

vocabulary! {
    /// Where an evaluation stands: draft, submitted, returned or approved. A withdrawn
    /// evaluation is a draft again.
    EvaluationStatus ("evaluation status") {
        /// 草稿
        Draft => "draft",
        /// 已提交
        Submitted => "submitted",
        /// 已退回
        Returned => "returned",
        /// 已通过
        Approved => "approved",
    }
}

impl From<Status> for EvaluationStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Draft => Self::Draft,
            Status::Submitted => Self::Submitted,
            Status::Returned => Self::Returned,
            Status::Approved => Self::Approved,
        }
    }
}

impl EvaluationStatus {
    pub fn domain(self) -> Status {
        match self {
            Self::Draft => Status::Draft,
            Self::Submitted => Status::Submitted,
            Self::Returned => Status::Returned,
            Self::Approved => Status::Approved,
        }
    }

    pub fn label_zh(self) -> &'static str {
        self.domain().label_zh()
    }
}

vocabulary! {
    /// What a caller may do with an evaluation (`allowed_actions`, `blocked_actions`).
    WorkflowAction ("workflow action") {
        Update => "update",
        Delete => "delete",
        Submit => "submit",
        Withdraw => "withdraw",
        Return => "return",
        Approve => "approve",
    }
}

vocabulary! {
    /// What an entry of an evaluation's history records.
    HistoryAction ("history action") {
        Created => "created",
        Updated => "updated",
        IndicatorAdded => "indicator_added",
        IndicatorChanged => "indicator_changed",
        IndicatorRemoved => "indicator_removed",
        Submitted => "submitted",
        Withdrawn => "withdrawn",
        Returned => "returned",
        Approved => "approved",
        Deleted => "deleted",
        /// The finance bureau's review (复核) was saved.
        ReviewSaved => "review_saved",
        /// One approval level (not the last) approved; the evaluation stays submitted.
        LevelApproved => "level_approved",
        /// A comment was added to the evaluation's thread.
        Commented => "commented",
    }
}

vocabulary! {
    /// What a change did: created, updated, state_changed or deleted (a tombstone).
    ChangeOp ("change op") {
        Created => "created",
        Updated => "updated",
        StateChanged => "state_changed",
        Deleted => "deleted",
    }
}

vocabulary! {
    /// What kind of object a change is about.
    ChangeEntity ("change entity") {
        Department => "department",
        Profile => "profile",
        Finance => "finance",
        Fund => "fund",
        Project => "project",
        Evaluation => "evaluation",
        /// A comment in an evaluation's thread (scoped as its evaluation).
        Comment => "comment",
    }
}

vocabulary! {
    /// What happened to one batch item: created, replaced, failed, or not_applied (valid, but
    /// the atomic batch failed).
    ItemOutcome ("batch item outcome") {
        Created => "created",
        Replaced => "replaced",
        Failed => "failed",
        NotApplied => "not_applied",
    }
}

vocabulary! {
    /// Where an evaluation's budget comes from: `given` (as sent) or `funds` (summed from the
    /// project's funds).
    BudgetSource ("budget source") {
        Given => "given",
        Funds => "funds",
    }
}

vocabulary! {
    /// 一级指标: the level-1 group of an indicator row, in rule sets and wherever a level-1
    /// name is a code (the Chinese name is beside it where people read it).
    Level1Code ("level-1 name") {
        /// 成本指标
        Cost => "cost",
        /// 产出指标
        Output => "output",
        /// 效益指标
        Benefit => "benefit",
        /// 满意度指标
        Satisfaction => "satisfaction",
    }
}

impl From<crate::domain::tree::Level1> for Level1Code {
    fn from(l: crate::domain::tree::Level1) -> Self {
        use crate::domain::tree::Level1;
        match l {
            Level1::Cost => Self::Cost,
            Level1::Output => Self::Output,
            Level1::Benefit => Self::Benefit,
            Level1::Satisfaction => Self::Satisfaction,
        }
    }
}

impl Level1Code {
    /// The code of a level-1 name as a table prints it (`产出指标（60分）`, `产出`), when the
    /// rules know the name; `None` for one they do not.
    pub fn of_name(text: &str) -> Option<Self> {
        crate::domain::tree::recognise_level1(text).map(|n| n.level1.into())
    }
}

vocabulary! {
    /// What an evaluation's final total and grade rest on: `computed` (the engine's scores
    /// from the rules), `reviewed` (a reviewer's 复核 scores) or `claimed` (the unit's own
    /// scores, unverified). Every evaluation written with new data is `computed`.
    ScoreBasis ("score basis") {
        /// 自评
        Claimed => "claimed",
        /// 计算
        Computed => "computed",
        /// 复核
        Reviewed => "reviewed",
    }
}

impl ScoreBasis {
    /// 自评, 计算 or 复核.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Claimed => "自评",
            Self::Computed => "计算",
            Self::Reviewed => "复核",
        }
    }
}

vocabulary! {
    /// Who wrote a comment: the unit (`submitter`), the finance bureau (`reviewer`) or an
    /// `admin`.
    CommentRole ("comment role") {
        /// 填报单位
        Submitter => "submitter",
        /// 复核
        Reviewer => "reviewer",
        /// 管理员
        Admin => "admin",
    }
}

impl CommentRole {
    /// 填报单位, 复核 or 管理员.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Submitter => "填报单位",
            Self::Reviewer => "复核",
            Self::Admin => "管理员",
        }
    }
}

vocabulary! {
    /// How much of each evaluation a list answers: `summary` (the default: ids, names, codes,
    /// figures) or `full` (the whole document with its computed block).
    EvaluationView ("evaluation view") {
        Summary => "summary",
        Full => "full",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_level1_name_has_the_rule_sets_code() {
        assert_eq!(
            Level1Code::of_name("产出指标（60分）"),
            Some(Level1Code::Output)
        );
        assert_eq!(
            Level1Code::of_name("满意度指标"),
            Some(Level1Code::Satisfaction)
        );
        assert_eq!(
            Level1Code::of_name("成本指标(20分)"),
            Some(Level1Code::Cost)
        );
        assert_eq!(Level1Code::of_name("产出类指标"), None);
        assert_eq!(Level1Code::of_name(""), None);
        for l in crate::domain::tree::Level1::ALL {
            assert_eq!(Level1Code::from(l).as_str(), l.label_en());
        }
    }

    fn serialises_as_str<T: Vocabulary + Serialize>() {
        for v in T::ALL {
            assert_eq!(
                serde_json::to_value(v).unwrap(),
                serde_json::Value::from(v.as_str()),
                "{}",
                T::WHAT
            );
            assert_eq!(T::parse(v.as_str()).map(|p| p.as_str()), Some(v.as_str()));
        }
    }

    #[test]
    fn vocabularies_serialise_as_their_words() {
        serialises_as_str::<EvaluationStatus>();
        serialises_as_str::<WorkflowAction>();
        serialises_as_str::<HistoryAction>();
        serialises_as_str::<ChangeOp>();
        serialises_as_str::<ChangeEntity>();
        serialises_as_str::<ItemOutcome>();
        serialises_as_str::<BudgetSource>();
        serialises_as_str::<ScoreBasis>();
        serialises_as_str::<Level1Code>();
        serialises_as_str::<EvaluationView>();
        serialises_as_str::<crate::model::evaluation_dto::GradeDto>();
        serialises_as_str::<crate::model::evaluation_dto::EvaluationKind>();
    }

    #[test]
    fn statuses_match_the_domain() {
        for s in Status::ALL {
            assert_eq!(EvaluationStatus::from(s).as_str(), s.as_str());
            assert_eq!(EvaluationStatus::from(s).domain(), s);
        }
    }

    #[test]
    fn an_unknown_stored_word_is_an_internal_error() {
        let e = EvaluationStatus::from_stored("withdrawn", "evaluation x").unwrap_err();
        let cause = e.to_string();
        assert!(cause.contains("evaluation x"), "{cause}");
        assert!(cause.contains("`withdrawn`"), "{cause}");
    }
}
