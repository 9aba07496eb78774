//! The finance bureau's review (复核) of a self-evaluation: a review score per indicator row
//! and for budget execution, a deduction reason where the review score is below the claim,
//! the reviewed total and grade, and the approval levels.
//!
//! Rules (domain.md "Review by the finance bureau"):
//!
//! * `0 ≤ review score ≤ weight` (a row without a weight takes 0 only), at most 2 decimals;
//! * the claim of a row is the unit's claimed score, else the engine's computed score, else
//!   the weight; a review score below it is a deduction and needs a reason;
//! * the reviewed total is the execution review score (else the computed execution score) plus,
//!   per row, its review score (else its computed score, else 0), at most 100; its grade comes
//!   from the rule set's bands;
//! * approval levels: a reviewer's level is the rank of its scope's region (county 1, city 2,
//!   province 3, national 4), capped at the number of levels the rule set requires; levels
//!   approve in order, and the last approval approves the evaluation.

use rust_decimal::Decimal;

use super::rules::{Grade, RuleSet};

/// Longest deduction reason, in characters.
pub const MAX_REASON_CHARS: usize = 2000;
/// Longest overall opinion, in characters.
pub const MAX_OPINION_CHARS: usize = 10_000;
/// Most approval levels a rule set may require.
pub const MAX_APPROVAL_LEVELS: u8 = 4;

/// What the engine knows of one scored line (a row, or budget execution).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineFacts {
    pub weight: Option<Decimal>,
    pub claimed: Option<Decimal>,
    pub computed: Option<Decimal>,
}

impl LineFacts {
    /// What a review score is compared with: the claim, else the computed score, else the weight.
    pub fn claim(&self) -> Option<Decimal> {
        self.claimed.or(self.computed).or(self.weight)
    }

    /// The score a line keeps when no review score is given.
    pub fn unreviewed(&self) -> Decimal {
        self.computed.unwrap_or(Decimal::ZERO)
    }
}

/// The engine's facts of a whole evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub execution: LineFacts,
    pub rows: Vec<LineFacts>,
}

/// A review score with its deduction reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub score: Decimal,
    pub reason: Option<String>,
}

/// The review score of indicator row `index`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReview {
    pub index: usize,
    pub scored: Scored,
}

/// A reviewer's review.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    pub execution: Option<Scored>,
    pub rows: Vec<RowReview>,
    pub opinion: Option<String>,
}

/// One problem of a review, at a JSON Pointer into the review body.
pub use super::body_problem::BodyProblem as Problem;

pub mod codes {
    pub const SCORE_OUT_OF_RANGE: &str = "review.score_out_of_range";
    pub const SCORE_PRECISION: &str = "review.score_precision";
    pub const REASON_REQUIRED: &str = "review.reason_required";
    pub const UNKNOWN_ROW: &str = "review.unknown_row";
    pub const DUPLICATE_ROW: &str = "review.duplicate_row";
    pub const TOO_LONG: &str = "field.too_long";
}

fn problem(pointer: String, code: &'static str, en: String, zh: String) -> Problem {
    Problem {
        pointer,
        code,
        en,
        zh,
    }
}

/// The deduction a review score makes from the claim (0 when it is not below).
pub fn deduction(score: Decimal, facts: &LineFacts) -> Decimal {
    match facts.claim() {
        Some(claim) if score < claim => claim.checked_sub(score).unwrap_or(Decimal::ZERO),
        _ => Decimal::ZERO,
    }
}

fn blank(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.trim().is_empty())
}

/// Problems of one review score at `base` (`/execution`, `/rows/3`).
fn check_scored(base: &str, scored: &Scored, facts: &LineFacts, out: &mut Vec<Problem>) {
    let weight = facts.weight.unwrap_or(Decimal::ZERO);
    let score = scored.score;
    if score < Decimal::ZERO || score > weight {
        out.push(problem(
            format!("{base}/score"),
            codes::SCORE_OUT_OF_RANGE,
            format!("A review score lies between 0 and the weight {weight}"),
            format!("复核得分须在 0 到分值 {weight} 之间"),
        ));
    } else if score.normalize().scale() > 2 {
        out.push(problem(
            format!("{base}/score"),
            codes::SCORE_PRECISION,
            "A review score has at most 2 decimals".into(),
            "复核得分最多保留 2 位小数".into(),
        ));
    } else if deduction(score, facts) > Decimal::ZERO && blank(scored.reason.as_deref()) {
        let claim = facts.claim().unwrap_or(Decimal::ZERO);
        out.push(problem(
            format!("{base}/reason"),
            codes::REASON_REQUIRED,
            format!("The review score {score} is below the claim {claim}: say why (扣分原因)"),
            format!("复核得分 {score} 低于自评得分 {claim}，须填写扣分原因"),
        ));
    }
    if let Some(reason) = &scored.reason {
        check_length(&format!("{base}/reason"), reason, MAX_REASON_CHARS, out);
    }
}

fn check_length(pointer: &str, text: &str, max: usize, out: &mut Vec<Problem>) {
    if text.chars().count() > max {
        out.push(problem(
            pointer.to_owned(),
            codes::TOO_LONG,
            format!("At most {max} characters"),
            format!("最多 {max} 个字符"),
        ));
    }
}

/// Every problem of a review against the engine's facts, each with its pointer.
pub fn check(review: &Review, facts: &Facts) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(execution) = &review.execution {
        check_scored("/execution", execution, &facts.execution, &mut out);
    }
    for (k, row) in review.rows.iter().enumerate() {
        let base = format!("/rows/{k}");
        let Some(row_facts) = facts.rows.get(row.index) else {
            out.push(problem(
                format!("{base}/index"),
                codes::UNKNOWN_ROW,
                format!("The evaluation has no indicator row {}", row.index),
                format!("绩效自评没有第 {} 行指标", row.index),
            ));
            continue;
        };
        if review.rows[..k].iter().any(|o| o.index == row.index) {
            out.push(problem(
                format!("{base}/index"),
                codes::DUPLICATE_ROW,
                format!("Row {} is reviewed twice", row.index),
                format!("第 {} 行指标重复复核", row.index),
            ));
            continue;
        }
        check_scored(&base, &row.scored, row_facts, &mut out);
    }
    if let Some(opinion) = &review.opinion {
        check_length("/opinion", opinion, MAX_OPINION_CHARS, &mut out);
    }
    out
}

/// The review score of row `index`, when the review gives one.
pub fn row_score(review: &Review, index: usize) -> Option<&Scored> {
    review
        .rows
        .iter()
        .find(|r| r.index == index)
        .map(|r| &r.scored)
}

/// The reviewed total: reviewed scores where given, the computed ones elsewhere, at most 100.
/// `None` only when the sum overflows (it cannot for checked reviews).
pub fn reviewed_total(review: &Review, facts: &Facts) -> Option<Decimal> {
    let execution = review
        .execution
        .as_ref()
        .map_or_else(|| facts.execution.unreviewed(), |s| s.score);
    let mut total = execution;
    for (i, row) in facts.rows.iter().enumerate() {
        let score = row_score(review, i).map_or_else(|| row.unreviewed(), |s| s.score);
        total = total.checked_add(score)?;
    }
    Some(total.min(Decimal::ONE_HUNDRED))
}

/// The reviewed total and its grade under `rules`.
pub fn reviewed_grade(review: &Review, facts: &Facts, rules: &RuleSet) -> Option<(Decimal, Grade)> {
    let total = reviewed_total(review, facts)?;
    Some((total, rules.grade_for(total)))
}

/// Whether the unit (and dashboards) see the review of an evaluation in `status`: once it is
/// returned or approved, never while the reviewers are at work.
pub fn unit_sees(status: super::workflow::Status) -> bool {
    use super::workflow::Status;
    matches!(status, Status::Returned | Status::Approved)
}

/// The rank of a scope region's level: county 1, city 2, province 3, national 4.
pub fn region_rank(code: &str) -> u8 {
    if code == "000000" {
        4
    } else if code.ends_with("0000") {
        3
    } else if code.ends_with("00") {
        2
    } else {
        1
    }
}

/// The approval level a reviewer of scope `region` acts at when `required` levels approve.
pub fn reviewer_level(region: &str, required: u8) -> u8 {
    region_rank(region).min(required.max(1))
}

/// What an approval at `level` does, given the levels approved so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// This level approves; more levels follow.
    Level(u8),
    /// The last level approves: the evaluation is approved.
    Final(u8),
    /// A lower level has not approved yet.
    LowerPending { next: u8 },
    /// This level (or a higher one) has approved already.
    AlreadyApproved { approved: u8 },
}

/// The approval a reviewer at `level` gives after `approved` levels of `required`.
pub fn approve(level: u8, approved: u8, required: u8) -> Approval {
    let required = required.max(1);
    let next = approved.saturating_add(1);
    if level <= approved {
        Approval::AlreadyApproved { approved }
    } else if level > next {
        Approval::LowerPending { next }
    } else if level >= required {
        Approval::Final(level)
    } else {
        Approval::Level(level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::prelude::FromPrimitive;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn line(w: &str, c: Option<&str>, k: Option<&str>) -> LineFacts {
        LineFacts {
            weight: Some(d(w)),
            claimed: c.map(d),
            computed: k.map(d),
        }
    }

    fn scored(s: &str, reason: Option<&str>) -> Scored {
        Scored {
            score: d(s),
            reason: reason.map(str::to_owned),
        }
    }

    fn facts() -> Facts {
        Facts {
            execution: line("10", Some("10"), Some("10")),
            rows: vec![
                line("20", Some("20"), Some("20")),
                line("10", None, Some("8")),
                line("10", Some("9"), None),
            ],
        }
    }

    #[test]
    fn bounds_and_reasons_have_pointers() {
        let review = Review {
            execution: Some(scored("11", None)),
            rows: vec![
                RowReview {
                    index: 0,
                    scored: scored("15", None),
                },
                RowReview {
                    index: 1,
                    scored: scored("-1", Some("x")),
                },
                RowReview {
                    index: 0,
                    scored: scored("20", None),
                },
                RowReview {
                    index: 7,
                    scored: scored("1", None),
                },
                RowReview {
                    index: 2,
                    scored: scored("9.125", None),
                },
            ],
            opinion: None,
        };
        let got: Vec<(String, &str)> = check(&review, &facts())
            .into_iter()
            .map(|p| (p.pointer, p.code))
            .collect();
        assert_eq!(
            got,
            [
                ("/execution/score".to_owned(), codes::SCORE_OUT_OF_RANGE),
                ("/rows/0/reason".to_owned(), codes::REASON_REQUIRED),
                ("/rows/1/score".to_owned(), codes::SCORE_OUT_OF_RANGE),
                ("/rows/2/index".to_owned(), codes::DUPLICATE_ROW),
                ("/rows/3/index".to_owned(), codes::UNKNOWN_ROW),
                ("/rows/4/score".to_owned(), codes::SCORE_PRECISION),
            ]
        );
    }

    #[test]
    fn the_claim_falls_back_to_computed_then_weight() {
        let f = facts();
        // Row 1 claims nothing: 7 is below its computed 8.
        assert_eq!(deduction(d("7"), &f.rows[1]), d("1"));
        assert_eq!(deduction(d("9"), &f.rows[2]), Decimal::ZERO);
        let no_score = LineFacts {
            weight: Some(d("5")),
            ..LineFacts::default()
        };
        assert_eq!(deduction(d("4"), &no_score), d("1"));
        // A blank reason is no reason.
        let review = Review {
            rows: vec![RowReview {
                index: 2,
                scored: scored("8", Some("  ")),
            }],
            ..Review::default()
        };
        assert_eq!(check(&review, &f)[0].code, codes::REASON_REQUIRED);
    }

    #[test]
    fn reviewed_total_keeps_computed_scores_of_rows_not_reviewed() {
        let f = facts();
        let review = Review {
            execution: Some(scored("8", Some("执行率偏低"))),
            rows: vec![RowReview {
                index: 0,
                scored: scored("15", Some("数据不实")),
            }],
            opinion: Some("ok".into()),
        };
        assert!(check(&review, &f).is_empty());
        // 8 + 15 + 8 + 0 (row 2 has no computed score).
        assert_eq!(reviewed_total(&review, &f), Some(d("31")));
        let rules = super::super::rules::builtin_rule_sets().remove(0);
        assert_eq!(
            reviewed_grade(&review, &f, &rules).map(|g| g.1),
            Some(Grade::Cha)
        );
    }

    #[test]
    fn levels_approve_in_order() {
        assert_eq!(region_rank("430424"), 1);
        assert_eq!(region_rank("430400"), 2);
        assert_eq!(region_rank("430000"), 3);
        assert_eq!(region_rank("000000"), 4);
        // One level: every reviewer acts at level 1.
        assert_eq!(reviewer_level("430000", 1), 1);
        assert_eq!(approve(1, 0, 1), Approval::Final(1));
        // Two levels: county then city.
        assert_eq!(reviewer_level("430424", 2), 1);
        assert_eq!(reviewer_level("430000", 2), 2);
        assert_eq!(approve(2, 0, 2), Approval::LowerPending { next: 1 });
        assert_eq!(approve(1, 0, 2), Approval::Level(1));
        assert_eq!(approve(1, 1, 2), Approval::AlreadyApproved { approved: 1 });
        assert_eq!(approve(2, 1, 2), Approval::Final(2));
    }

    fn cents(c: i64) -> Decimal {
        Decimal::new(c, 2)
    }

    proptest! {
        #[test]
        fn a_score_is_accepted_iff_within_bounds_with_a_reason_for_a_deduction(
            weight in 0i64..10_000, score in -100i64..11_000, claim in 0i64..10_000,
            reason in any::<bool>(),
        ) {
            let facts = Facts {
                execution: LineFacts::default(),
                rows: vec![LineFacts { weight: Some(cents(weight)), claimed: Some(cents(claim)), computed: None }],
            };
            let review = Review {
                rows: vec![RowReview { index: 0, scored: Scored {
                    score: cents(score), reason: reason.then(|| "扣分".to_owned()) } }],
                ..Review::default()
            };
            let ok = check(&review, &facts).is_empty();
            let in_bounds = score >= 0 && score <= weight;
            prop_assert_eq!(ok, in_bounds && (score >= claim || reason));
        }

        #[test]
        fn the_total_is_the_sum_capped_at_100_and_never_negative(
            rows in proptest::collection::vec((0i64..3_000, 0i64..3_000, any::<bool>()), 0..12),
            exec in 0i64..1_000,
        ) {
            let facts = Facts {
                execution: LineFacts { weight: Some(cents(1_000)), claimed: None, computed: Some(cents(exec)) },
                rows: rows.iter().map(|(w, k, _)| LineFacts {
                    weight: Some(cents(*w)), claimed: None, computed: Some(cents(*k.min(w))) }).collect(),
            };
            let review = Review {
                rows: rows.iter().enumerate().filter(|(_, r)| r.2).map(|(i, (w, _, _))| RowReview {
                    index: i, scored: Scored { score: cents(w / 2), reason: Some("r".into()) } }).collect(),
                ..Review::default()
            };
            let want: Decimal = rows.iter().map(|(w, k, r)| if *r { cents(w / 2) } else { cents(*k.min(w)) })
                .sum::<Decimal>() + cents(exec);
            let total = reviewed_total(&review, &facts).unwrap();
            prop_assert_eq!(total, want.min(Decimal::from_u8(100).unwrap()));
            prop_assert!(total >= Decimal::ZERO);
        }
    }
}
