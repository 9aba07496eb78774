//! The finance bureau's overview page (绩效自评总览): counts and grades of evaluations by county
//! and year, execution rates, the 三级指标 most often missed and achievement by 一级指标, drawn
//! as inline SVG charts with the numbers in tables beside them.
//!
//! Like the report: plain HTML5 with inline CSS and SVG, no scripts and nothing external, so
//! it works offline and prints; every text from the data is escaped; same data, same bytes.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::escape_html as esc;

/// One region in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionYear {
    pub region: String,
    pub region_name: Option<String>,
    pub year: i32,
    pub count: u64,
    /// 优, 良, 中, 差.
    pub grades: [u64; 4],
    /// Σ executed / Σ full-year, in percent; `None` without budgets.
    pub execution_rate_percent: Option<Decimal>,
}

/// A 三级指标 that was scored as not achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missed {
    pub level1: String,
    pub level3: String,
    pub times: u64,
}

/// Achievement of the rows under one 一级指标.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level1Row {
    pub level1: String,
    pub achieved: u64,
    pub not_achieved: u64,
    pub unscored: u64,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// The caller's scope, as a title (`衡阳市（430400）`).
    pub scope: String,
    /// The year filter, if any.
    pub year: Option<i32>,
    pub generated_at: String,
    pub regions: Vec<RegionYear>,
    pub missed: Vec<Missed>,
    pub level1: Vec<Level1Row>,
}

const GRADES: [(&str, &str); 4] = [
    ("优", "#2e7d32"),
    ("良", "#7cb342"),
    ("中", "#f9a825"),
    ("差", "#c62828"),
];

const STYLE: &str = "body{font-family:\"WenQuanYi Micro Hei\",\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:24px;color:#222}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}\
.meta{color:#555;font-size:13px}table{border-collapse:collapse;font-size:13px;margin-top:8px}\
th,td{border:1px solid #bbb;padding:3px 8px}td.n{text-align:right}.legend span{display:inline-block;margin-right:14px;font-size:13px}\
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}.empty{color:#777}\
svg text{font-size:12px}@media print{h2{break-after:avoid}}";

fn region_label(r: &RegionYear) -> String {
    match &r.region_name {
        Some(n) => format!("{n}（{}）", r.region),
        None => r.region.clone(),
    }
}

/// The length of `value` on a bar `width` long whose full length is `max` (0 when `max` is 0).
fn bar(value: u64, max: u64, width: u64) -> u64 {
    if max == 0 {
        return 0;
    }
    value.saturating_mul(width) / max
}

const LABEL_W: u64 = 220;
const BAR_W: u64 = 440;
const ROW_H: u64 = 22;

fn svg_open(out: &mut String, rows: usize, title: &str) {
    let h = (rows as u64).saturating_mul(ROW_H).saturating_add(10);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\"><title>{t}</title>",
        w = LABEL_W + BAR_W + 60,
        t = esc(title)
    );
}

/// The label of row `i` of a chart; answers the row's top.
fn row_label(out: &mut String, i: usize, label: &str) -> u64 {
    let y = (i as u64) * ROW_H + 4;
    let _ = write!(out, "<text x=\"0\" y=\"{}\">{}</text>", y + 13, esc(label));
    y
}

/// A bar of stacked segments `(value, name, colour)` at `y`, scaled so that `max` fills it;
/// answers where it ends.
fn stacked(out: &mut String, y: u64, segments: &[(u64, &str, &str)], max: u64) -> u64 {
    let mut x = LABEL_W;
    for (n, label, colour) in segments {
        let w = bar(*n, max, BAR_W);
        if w > 0 {
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"{colour}\"><title>{label} {n}</title></rect>"
            );
        }
        x += w;
    }
    x
}

/// Stacked bars of grades, one per region of `year`.
fn grades_chart(out: &mut String, year: i32, rows: &[&RegionYear]) {
    let max = rows.iter().map(|r| r.count).max().unwrap_or(0);
    svg_open(out, rows.len(), &format!("{year} 年各地区自评数量与等级"));
    for (i, r) in rows.iter().enumerate() {
        let y = row_label(out, i, &region_label(r));
        let segments: Vec<(u64, &str, &str)> = r
            .grades
            .iter()
            .zip(GRADES)
            .map(|(n, (label, colour))| (*n, label, colour))
            .collect();
        let end = stacked(out, y, &segments, max);
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            end + 6,
            y + 13,
            r.count
        );
    }
    out.push_str("</svg>");
}

/// Bars of execution rates (0–100%, longer when over), one per region of `year`.
fn execution_chart(out: &mut String, year: i32, rows: &[&RegionYear]) {
    svg_open(out, rows.len(), &format!("{year} 年各地区预算执行率"));
    for (i, r) in rows.iter().enumerate() {
        let y = row_label(out, i, &region_label(r));
        let Some(rate) = r.execution_rate_percent else {
            let _ = write!(
                out,
                "<text x=\"{LABEL_W}\" y=\"{}\" fill=\"#777\">无预算数据</text>",
                y + 13
            );
            continue;
        };
        let capped = rate.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED);
        let w = (capped * Decimal::from(BAR_W) / Decimal::ONE_HUNDRED)
            .round()
            .to_string()
            .parse::<u64>()
            .unwrap_or(0);
        let colour = if rate >= Decimal::from(90) {
            "#2e7d32"
        } else {
            "#f9a825"
        };
        let _ = write!(
            out,
            "<rect x=\"{LABEL_W}\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\">{}%</text>",
            LABEL_W + w + 6,
            y + 13,
            rate.round_dp(2)
        );
    }
    out.push_str("</svg>");
}

fn missed_chart(out: &mut String, missed: &[Missed]) {
    let max = missed.iter().map(|m| m.times).max().unwrap_or(0);
    svg_open(out, missed.len(), "最常未达成的三级指标");
    for (i, m) in missed.iter().enumerate() {
        let y = (i as u64) * ROW_H + 4;
        let w = bar(m.times, max, BAR_W);
        let label: String = m.level3.chars().take(16).collect();
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{ty}\"><title>{full}</title>{label}</text><rect x=\"{LABEL_W}\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"#c62828\"/><text x=\"{tx}\" y=\"{ty}\">{n}</text>",
            ty = y + 13,
            full = esc(&format!("{} / {}", m.level1, m.level3)),
            label = esc(&label),
            tx = LABEL_W + w + 6,
            n = m.times
        );
    }
    out.push_str("</svg>");
}

fn level1_chart(out: &mut String, rows: &[Level1Row]) {
    let max = rows
        .iter()
        .map(|r| r.achieved + r.not_achieved + r.unscored)
        .max()
        .unwrap_or(0);
    svg_open(out, rows.len(), "一级指标达成情况");
    for (i, r) in rows.iter().enumerate() {
        let y = row_label(out, i, &r.level1);
        let segments = [
            (r.achieved, "达成", "#2e7d32"),
            (r.not_achieved, "未达成", "#c62828"),
            (r.unscored, "未评分", "#9e9e9e"),
        ];
        stacked(out, y, &segments, max);
    }
    out.push_str("</svg>");
}

fn legend(out: &mut String, items: &[(&str, &str)]) {
    out.push_str("<p class=\"legend\">");
    for (label, colour) in items {
        let _ = write!(
            out,
            "<span><i style=\"background:{colour}\"></i>{label}</span>"
        );
    }
    out.push_str("</p>");
}

fn region_table(out: &mut String, rows: &[&RegionYear]) {
    out.push_str("<table><thead><tr><th>地区</th><th>自评数</th><th>优</th><th>良</th><th>中</th><th>差</th><th>预算执行率</th></tr></thead><tbody>");
    for r in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&region_label(r)),
            r.count,
            r.grades[0],
            r.grades[1],
            r.grades[2],
            r.grades[3],
            r.execution_rate_percent
                .map_or_else(|| "—".to_owned(), |p| format!("{}%", p.round_dp(2)))
        );
    }
    out.push_str("</tbody></table>");
}

/// The years shown, newest first.
fn years(o: &Overview) -> Vec<i32> {
    let mut years: Vec<i32> = o.regions.iter().map(|r| r.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    years
}

/// The overview page.
pub fn render_html(o: &Overview) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>绩效自评总览 — {scope}</title><style>{STYLE}</style></head><body><h1>绩效自评总览</h1><p class=\"meta\">范围：{scope}{year}　生成时间：{at}</p>",
        scope = esc(&o.scope),
        year = o.year.map_or_else(String::new, |y| format!("　年度：{y}")),
        at = esc(&o.generated_at)
    );
    if o.regions.is_empty() {
        out.push_str("<p class=\"empty\">范围内暂无可查看的绩效自评。</p>");
    }
    for year in years(o) {
        let rows: Vec<&RegionYear> = o.regions.iter().filter(|r| r.year == year).collect();
        let _ = write!(out, "<h2>{year} 年：各地区自评数量与等级</h2>");
        legend(&mut out, &GRADES);
        grades_chart(&mut out, year, &rows);
        let _ = write!(out, "<h2>{year} 年：预算执行率</h2>");
        execution_chart(&mut out, year, &rows);
        region_table(&mut out, &rows);
    }
    out.push_str("<h2>最常未达成的三级指标</h2>");
    if o.missed.is_empty() {
        out.push_str("<p class=\"empty\">没有评为未达成的指标。</p>");
    } else {
        missed_chart(&mut out, &o.missed);
        out.push_str("<table><thead><tr><th>一级指标</th><th>三级指标</th><th>未达成次数</th></tr></thead><tbody>");
        for m in &o.missed {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                esc(&m.level1),
                esc(&m.level3),
                m.times
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("<h2>一级指标达成情况</h2>");
    if o.level1.is_empty() {
        out.push_str("<p class=\"empty\">暂无指标。</p>");
    } else {
        legend(
            &mut out,
            &[
                ("达成", "#2e7d32"),
                ("未达成", "#c62828"),
                ("未评分", "#9e9e9e"),
            ],
        );
        level1_chart(&mut out, &o.level1);
    }
    out.push_str("</body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Overview {
        Overview {
            scope: "衡阳市（430400）".into(),
            year: None,
            generated_at: "2026-12-01 10:00".into(),
            regions: vec![
                RegionYear {
                    region: "430424".into(),
                    region_name: Some("衡东县".into()),
                    year: 2024,
                    count: 3,
                    grades: [2, 1, 0, 0],
                    execution_rate_percent: Some(Decimal::from(100)),
                },
                RegionYear {
                    region: "430421".into(),
                    region_name: None,
                    year: 2023,
                    count: 1,
                    grades: [0, 0, 0, 1],
                    execution_rate_percent: None,
                },
            ],
            missed: vec![Missed {
                level1: "效益指标".into(),
                level3: "<script>alert(1)</script>".into(),
                times: 4,
            }],
            level1: vec![Level1Row {
                level1: "产出指标".into(),
                achieved: 5,
                not_achieved: 1,
                unscored: 2,
            }],
        }
    }

    #[test]
    fn the_page_draws_every_section_and_escapes_the_data() {
        let html = render_html(&sample());
        for text in [
            "2024 年：各地区自评数量与等级",
            "2023 年：预算执行率",
            "衡东县（430424）",
            "100%",
            "无预算数据",
            "最常未达成的三级指标",
            "&lt;script&gt;",
            "一级指标达成情况",
        ] {
            assert!(html.contains(text), "{text}");
        }
        assert!(!html.contains("<script"));
        // Nothing external: the only URL is the SVG namespace.
        assert!(
            !html
                .replace("http://www.w3.org/2000/svg", "")
                .contains("http")
        );
        assert!(html.find("2024 年").unwrap() < html.find("2023 年").unwrap());
    }

    #[test]
    fn an_empty_scope_says_so() {
        let o = Overview {
            regions: vec![],
            missed: vec![],
            level1: vec![],
            ..sample()
        };
        let html = render_html(&o);
        assert!(html.contains("范围内暂无可查看的绩效自评"));
    }

    proptest! {
        /// No data breaks out of its element, and bars never exceed their width.
        #[test]
        fn any_text_stays_escaped_and_bars_stay_in_bounds(
            name in "\\PC{0,20}",
            n in 0u64..1_000_000,
            max in 0u64..1_000_000,
        ) {
            let mut o = sample();
            o.missed[0].level3 = name.clone();
            let html = render_html(&o);
            prop_assert!(!html.contains("<script"));
            prop_assert!(bar(n.min(max), max, BAR_W) <= BAR_W);
        }
    }
}
