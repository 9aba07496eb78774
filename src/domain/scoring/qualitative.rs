//! The scorer of qualitative targets (text such as `有效提升`): the actual names one of the three
//! achievement grades, whose band the claimed score must lie in.

use super::context::{RowBasis, RowContext};
use crate::domain::finding::{Finding, codes};
use crate::domain::target::{AchievementGrade, Actual, GradeWording};

/// Scores a qualitative target against the actual.
pub(super) fn score(ctx: &mut RowContext<'_>, text: &str, actual: &Actual) -> RowBasis {
    if text.trim().is_empty() {
        return RowBasis::NotComputed("not computed: no target".into(), "未计算：无指标值".into());
    }
    match actual {
        Actual::Grade { grade, wording } => {
            if matches!(
                wording,
                GradeWording::Informal | GradeWording::RepeatsTarget
            ) {
                informal(ctx, *grade);
            }
            RowBasis::Band(*grade)
        }
        Actual::Missing => RowBasis::no_actual(),
        Actual::Unrecognized { text } => unknown(ctx, text.clone()),
        _ => {
            let text = ctx.row.actual.trim().to_string();
            unknown(ctx, text)
        }
    }
}

/// A grade read from an informal wording (`完成`, or the target repeated).
fn informal(ctx: &mut RowContext<'_>, grade: AchievementGrade) {
    ctx.push(
        Finding::new(
            codes::GRADE_INFORMAL,
            ctx.pointer("actual"),
            format!(
                "“{}” read as {} ({}); write one of the three grades",
                ctx.row.actual.trim(),
                grade.label_en(),
                grade.label_zh()
            ),
            format!(
                "“{}”按“{}”处理；请使用规范的三档表述",
                ctx.row.actual.trim(),
                grade.label_zh()
            ),
        )
        .num("grade", grade.label_zh()),
    );
}

/// A wording the achievement vocabulary does not know: the claimed score stands for review.
fn unknown(ctx: &mut RowContext<'_>, text: String) -> RowBasis {
    let (a, p, n) = (
        AchievementGrade::Achieved.label_zh(),
        AchievementGrade::Partly.label_zh(),
        AchievementGrade::NotAchieved.label_zh(),
    );
    ctx.push(Finding::new(
        codes::GRADE_UNKNOWN,
        ctx.pointer("actual"),
        format!("“{text}” is not one of the three grades: {a}, {p}, {n}"),
        format!("“{text}”不是三档评价之一：{a}／{p}／{n}"),
    ));
    RowBasis::NotVerified(
        "a wording the achievement vocabulary does not know".into(),
        "实际完成值不在达成度词表中".into(),
    )
}
