//! The finance bureau's review in the official table (.xlsx): 复核得分 and 扣分原因 beside the
//! 自评 and 计算 columns, the execution score's review and the opinion.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::domain::review_score::{Review, row_score};

/// Writes the review columns after column `last`: headers on the row above `first` (the first
/// indicator row), one line per indicator row, then the execution score and the opinion under
/// the 总分 row.
pub fn write_columns(
    sheet: &mut Worksheet,
    review: &Review,
    first: u32,
    last: u16,
    rows: usize,
) -> Result<(), XlsxError> {
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let head = cell.clone().set_bold().set_align(FormatAlign::Center);
    let (score_col, reason_col) = (last + 1, last + 2);
    let header = first.saturating_sub(1);
    sheet.write_string_with_format(header, score_col, "复核得分", &head)?;
    sheet.write_string_with_format(header, reason_col, "扣分原因", &head)?;
    for i in 0..rows {
        let at = first + u32::try_from(i).unwrap_or(u32::MAX - first);
        let scored = row_score(review, i);
        let score = scored.map(|s| s.score.to_string()).unwrap_or_default();
        let reason = scored.and_then(|s| s.reason.clone()).unwrap_or_default();
        sheet.write_string_with_format(at, score_col, score, &cell)?;
        sheet.write_string_with_format(at, reason_col, reason, &cell)?;
    }
    let below = first + u32::try_from(rows).unwrap_or(0) + 1;
    if let Some(e) = &review.execution {
        sheet.write_string_with_format(below, score_col - 1, "预算执行率复核得分", &head)?;
        sheet.write_string_with_format(below, score_col, e.score.to_string(), &cell)?;
        sheet.write_string_with_format(
            below,
            reason_col,
            e.reason.clone().unwrap_or_default(),
            &cell,
        )?;
    }
    if let Some(opinion) = &review.opinion {
        sheet.write_string_with_format(below + 1, score_col - 1, "复核意见", &head)?;
        sheet.write_string_with_format(below + 1, score_col, opinion, &cell)?;
    }
    sheet.set_column_width(reason_col, 28)?;
    Ok(())
}
