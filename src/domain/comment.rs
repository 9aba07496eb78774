//! Comments on an evaluation: the thread between a county unit and its reviewers, on the whole
//! evaluation or on one indicator row. Who may write one, and what a comment must be.

use crate::domain::policy::Role;

/// The longest comment, in characters (after trimming).
pub const MAX_CHARS: usize = 2000;

/// One problem of a comment, at a JSON Pointer into its body.
pub use super::body_problem::BodyProblem as Problem;

pub mod codes {
    pub const REQUIRED: &str = "field.required";
    pub const TOO_LONG: &str = "field.too_long";
    pub const UNKNOWN_ROW: &str = "comment.unknown_row";
}

/// Whether a role takes part in the thread: the unit (submitters) and the finance bureau
/// (reviewers, admins). Viewers read it and do not write.
pub fn may_write(role: Role) -> bool {
    matches!(role, Role::Submitter | Role::Reviewer | Role::Admin)
}

/// Every problem of a comment with `text` on `row` (if any) of an evaluation with `rows`
/// indicator rows.
pub fn check(text: &str, row: Option<usize>, rows: usize) -> Vec<Problem> {
    let mut problems = Vec::new();
    let n = text.trim().chars().count();
    if n == 0 {
        problems.push(Problem::new(
            "/text",
            codes::REQUIRED,
            "A comment needs text",
            "评论内容不能为空",
        ));
    } else if n > MAX_CHARS {
        problems.push(Problem::new(
            "/text",
            codes::TOO_LONG,
            format!("A comment has at most {MAX_CHARS} characters, this one {n}"),
            format!("评论最多 {MAX_CHARS} 个字符，当前 {n} 个"),
        ));
    }
    if let Some(r) = row
        && r >= rows
    {
        problems.push(Problem::new(
            "/row",
            codes::UNKNOWN_ROW,
            format!("The evaluation has {rows} indicator rows; there is no row {r}"),
            format!("该绩效自评共 {rows} 行指标，没有第 {r} 行（从 0 起）"),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn blank_long_and_unknown_rows_are_refused_at_their_pointers() {
        let got: Vec<(String, &str)> = check("  \n ", Some(9), 9)
            .into_iter()
            .map(|p| (p.pointer, p.code))
            .collect();
        assert_eq!(
            got,
            [
                ("/text".to_owned(), codes::REQUIRED),
                ("/row".to_owned(), codes::UNKNOWN_ROW)
            ]
        );
        let long = "评".repeat(MAX_CHARS + 1);
        assert_eq!(check(&long, None, 0)[0].code, codes::TOO_LONG);
        assert!(check(&"评".repeat(MAX_CHARS), Some(8), 9).is_empty());
    }

    #[test]
    fn viewers_read_the_thread_and_do_not_write() {
        assert!(!may_write(Role::Viewer));
        assert!(may_write(Role::Submitter) && may_write(Role::Reviewer) && may_write(Role::Admin));
    }

    proptest! {
        /// A comment is accepted exactly when its trimmed text has 1 to MAX_CHARS characters
        /// and its row exists.
        #[test]
        fn accepted_exactly_within_the_bounds(
            text in "\\PC{0,30}",
            pad in 0usize..3,
            row in proptest::option::of(0usize..12),
            rows in 0usize..12,
        ) {
            let padded = format!("{}{text}{}", " ".repeat(pad), "\n".repeat(pad));
            let ok = !text.trim().is_empty() && row.is_none_or(|r| r < rows);
            prop_assert_eq!(check(&padded, row, rows).is_empty(), ok);
        }
    }
}
