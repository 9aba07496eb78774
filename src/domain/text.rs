//! Text as tables print it: traditional characters in otherwise standard labels.
//!
//! Some published tables (or the copies counties work from) are in traditional characters
//! (`產出指標`, `服務對象滿意度指標`, `已完成`). A reviewer reads them as the standard labels; so
//! does the service, through this map of the characters that occur in indicator names, units
//! and achievement wordings. It is deliberately small: a character not listed stays as written.

/// The simplified form of a traditional character used in indicator tables.
fn simplified(c: char) -> char {
    match c {
        '產' => '产',
        '標' => '标',
        '數' => '数',
        '質' => '质',
        '時' => '时',
        '會' => '会',
        '經' => '经',
        '濟' => '济',
        '態' => '态',
        '滿' => '满',
        '務' => '务',
        '對' => '对',
        '響' => '响',
        '續' => '续',
        '環' => '环',
        '境' => '境',
        '個' => '个',
        '條' => '条',
        '項' => '项',
        '驗' => '验',
        '達' => '达',
        '預' => '预',
        '現' => '现',
        '實' => '实',
        '際' => '际',
        '資' => '资',
        '護' => '护',
        '規' => '规',
        '範' => '范',
        '評' => '评',
        '價' => '价',
        '績' => '绩',
        '計' => '计',
        '劃' => '划',
        '發' => '发',
        '證' => '证',
        '專' => '专',
        '與' => '与',
        '關' => '关',
        '開' => '开',
        '業' => '业',
        '農' => '农',
        '養' => '养',
        '備' => '备',
        '設' => '设',
        '術' => '术',
        '協' => '协',
        '調' => '调',
        '為' => '为',
        '違' => '违',
        '責' => '责',
        '執' => '执',
        '費' => '费',
        '補' => '补',
        '衛' => '卫',
        '萬' => '万',
        '億' => '亿',
        '東' => '东',
        '戶' => '户',
        '辦' => '办',
        '區' => '区',
        '縣' => '县',
        '鄉' => '乡',
        '鎮' => '镇',
        '村' => '村',
        '學' => '学',
        '醫' => '医',
        '療' => '疗',
        '衆' | '眾' => '众',
        '綜' => '综',
        '總' => '总',
        '極' => '极',
        '顯' => '显',
        '著' => '著',
        '較' => '较',
        '傳' => '传',
        '統' => '统',
        '處' => '处',
        '間' => '间',
        '內' => '内',
        '應' => '应',
        '歲' => '岁',
        '齡' => '龄',
        '級' => '级',
        '結' => '结',
        '轉' => '转',
        '撥' => '拨',
        '額' => '额',
        '當' => '当',
        '單' => '单',
        '進' => '进',
        '況' => '况',
        '維' => '维',
        '狀' => '状',
        '據' => '据',
        '說' => '说',
        '義' => '义',
        '幣' => '币',
        '場' => '场',
        '構' => '构',
        '歷' => '历',
        '餘' => '余',
        '來' => '来',
        '後' => '后',
        '於' => '于',
        '獲' => '获',
        '隊' => '队',
        '員' => '员',
        '將' => '将',
        other => other,
    }
}

/// `text` with the traditional characters of indicator tables in their simplified form.
pub fn to_simplified(text: &str) -> String {
    text.chars().map(simplified).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_labels_read_as_standard() {
        assert_eq!(to_simplified("產出指標"), "产出指标");
        assert_eq!(to_simplified("服務對象滿意度指標"), "服务对象满意度指标");
        assert_eq!(to_simplified("社會效益指標"), "社会效益指标");
        assert_eq!(to_simplified("已達標"), "已达标");
        assert_eq!(to_simplified("萬元"), "万元");
        assert_eq!(to_simplified("一級指標"), "一级指标");
        assert_eq!(
            to_simplified("偏差原因分析及改進措施"),
            "偏差原因分析及改进措施"
        );
        assert_eq!(to_simplified("产出指标"), "产出指标");
    }
}
