//! What a row's score rests on: a measured result, a grade's band with the claimed score inside
//! it, the unit's claim kept until a reviewer decides, or nothing ([`Basis`]).

use rust_decimal::Decimal;

use super::context::{RowBasis, RowContext, TableShape};
use super::formula::{grade_band, in_band};
use super::{Basis, RowScore};
use crate::domain::evaluation::IndicatorInput;
use crate::domain::finding::{Finding, codes};
use crate::domain::money::{round2, show, show2};
use crate::domain::target::AchievementGrade;

fn explain(score: &mut RowScore, en: String, zh: String) {
    score.explanation_en = en;
    score.explanation_zh = zh;
}

/// A row with no positive weight: a table that prints no weights keeps the claimed score.
pub(super) fn unweighted(score: &mut RowScore, row: &IndicatorInput, table: TableShape) {
    match row
        .claimed_score
        .filter(|c| !table.weights_printed && *c >= Decimal::ZERO)
    {
        Some(claimed) => {
            score.computed = Some(round2(claimed));
            score.basis = Basis::Claimed;
            explain(
                score,
                format!("no weight printed: the claimed {} is kept", show(claimed)),
                format!("未列分值：按自评得分 {} 计", show(claimed)),
            );
        }
        None => explain(
            score,
            "not computed: no positive weight".into(),
            "未计算：无有效分值".into(),
        ),
    }
}

/// Records the score a row's basis gives (of weight `w`).
pub(super) fn settle(ctx: &mut RowContext<'_>, score: &mut RowScore, w: Decimal, basis: RowBasis) {
    match basis {
        RowBasis::Computed(result) => {
            score.computed = Some(result.score);
            score.basis = Basis::Measured;
            score.achieved = Some(result.achieved);
            explain(score, result.explanation_en, result.explanation_zh);
        }
        RowBasis::Band(grade) => band(ctx, score, w, grade),
        RowBasis::NotVerified(en, zh) => match ctx.row.claimed_score {
            Some(claimed) if claimed >= Decimal::ZERO && claimed <= w => {
                score.computed = Some(round2(claimed));
                score.basis = Basis::Claimed;
                explain(
                    score,
                    format!(
                        "not verified ({en}): the claimed {} stands until a reviewer decides",
                        show(claimed)
                    ),
                    format!(
                        "无法核实（{zh}）：暂按自评得分 {} 计，待复核认定",
                        show(claimed)
                    ),
                );
            }
            _ => explain(
                score,
                format!("not computed: {en}, and no claimed score in [0, w]"),
                format!("未计算：{zh}，且无有效自评得分"),
            ),
        },
        RowBasis::NotComputed(en, zh) => explain(score, en, zh),
    }
}

/// A qualitative grade: the claimed score, when inside the grade's band, is the score.
fn band(ctx: &mut RowContext<'_>, score: &mut RowScore, w: Decimal, grade: AchievementGrade) {
    let (low, high, inclusive) = grade_band(w, grade);
    let band = format!(
        "[{}, {}{}",
        show2(low),
        show2(high),
        if inclusive { "]" } else { ")" }
    );
    match ctx.row.claimed_score {
        None => {
            ctx.push(Finding::new(
                codes::QUALITATIVE_UNCLAIMED,
                ctx.pointer("claimed_score"),
                format!("grade {} needs a claimed score in {band}", grade.label_en()),
                format!("“{}”需填写 {band} 内的自评得分", grade.label_zh()),
            ));
            explain(
                score,
                format!("not computed: grade {}, no claimed score", grade.label_en()),
                format!("未计算：{}，未填写自评得分", grade.label_zh()),
            );
        }
        Some(claimed) if in_band(w, grade, claimed) => {
            let computed = round2(claimed);
            score.computed = Some(computed);
            score.basis = Basis::Graded;
            score.achieved = Some(grade == AchievementGrade::Achieved);
            explain(
                score,
                format!(
                    "grade {}: claimed {} within {band} → {}",
                    grade.label_en(),
                    show(claimed),
                    show2(computed)
                ),
                format!(
                    "{}：自评得分 {} 在区间 {band} 内，得分 {}",
                    grade.label_zh(),
                    show(claimed),
                    show2(computed)
                ),
            );
        }
        Some(claimed) => {
            ctx.push(
                Finding::new(
                    codes::OUTSIDE_BAND,
                    ctx.pointer("claimed_score"),
                    format!(
                        "claimed {} is outside the band {band} of grade {}",
                        show(claimed),
                        grade.label_en()
                    ),
                    format!(
                        "自评得分 {} 不在“{}”对应区间 {band} 内",
                        show(claimed),
                        grade.label_zh()
                    ),
                )
                .num("claimed", claimed)
                .num("band_low", low)
                .num("band_high", high),
            );
            explain(
                score,
                format!("not computed: claimed {} outside {band}", show(claimed)),
                format!("未计算：自评得分 {} 不在区间 {band} 内", show(claimed)),
            );
        }
    }
}
