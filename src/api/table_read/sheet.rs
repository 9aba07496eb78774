//! One sheet read as an official table: title, kind and year, unit, project, the budget block,
//! 年度总体目标, the indicator header and rows, and 总分 — each located by its header text.

use std::collections::HashMap;

use super::grid::{Grid, key};
use super::read::{
    CellMapping, ReadParams, SheetRead, TableLayout, cell_name, cell_pointer, problem,
};
use crate::api::batch_csv::canonical;
use crate::error::FieldError;
use crate::locale::Text;
use crate::model::amount::{ABOVE_MAXIMUM, Amount, Figure};
use crate::model::evaluation_dto::{
    AmountUnit, BudgetInput, EvaluationInput, EvaluationKind, IndicatorInputDto, Narrative,
    SourceAmountDto,
};
use crate::model::funds::Source;

/// The indicator fields a column can hold.
const INDICATOR_FIELDS: [&str; 10] = [
    "level1",
    "level2",
    "level3",
    "target_nature",
    "target",
    "target_unit",
    "actual",
    "weight",
    "claimed_score",
    "deviation_explanation",
];

/// Reads a sheet; every cell that became a field is recorded, every bad cell reported.
pub(super) fn read_sheet(
    g: &Grid,
    name: &str,
    file: usize,
    params: &ReadParams<'_>,
) -> Result<SheetRead, Vec<FieldError>> {
    let Some((header_row, _)) = g.find(0..g.height(), |k| k.starts_with("一级指标")) else {
        return Err(vec![problem(
            cell_pointer(file, name, ""),
            "xlsx.unknown_layout",
            format!(
                "Sheet `{name}` is in no known layout: no 一级指标 header (附件4 部门整体支出绩效自评表 or 附件5 项目支出绩效自评表)"
            ),
            format!(
                "工作表“{name}”不是已知的表样：没有“一级指标”表头（附件4 部门整体支出绩效自评表或附件5 项目支出绩效自评表）"
            ),
        )]);
    };
    let mut s = SheetReader {
        g,
        name,
        file,
        header_row,
        errors: Vec::new(),
        mapping: Vec::new(),
    };
    let (kind, year) = s.kind_and_year(params);
    let amount_unit = s.amount_unit();
    let project = s.project();
    let budget = s.budget(amount_unit);
    let annual_goal = s.goal("预期目标", "/annual_goal");
    let achievement = s.goal("实际完成情况", "/achievement");
    let columns = s.indicator_columns();
    let (indicators, claimed_total) = s.indicators(&columns);
    if !s.errors.is_empty() {
        return Err(s.errors);
    }
    Ok(SheetRead {
        sheet: name.to_owned(),
        layout: match kind {
            EvaluationKind::Department => TableLayout::Attachment4Department,
            EvaluationKind::Project => TableLayout::Attachment5Project,
        },
        input: EvaluationInput {
            kind,
            department: params.department.to_owned(),
            project: project.filter(|_| kind == EvaluationKind::Project),
            year,
            rule_set: None,
            budget,
            annual_goal,
            achievement,
            indicators,
            claimed_total,
            narrative: Narrative::default(),
        },
        mapping: s.mapping,
        hidden_rows: Vec::new(),
        ignored_columns: columns.ignored,
    })
}

/// The columns of the budget block, by field, and its header row.
struct BudgetColumns {
    header_row: u32,
    cols: HashMap<&'static str, u32>,
}

/// The indicator columns: field, column and header as printed; the first data row.
struct IndicatorColumns {
    cols: Vec<(&'static str, u32, String)>,
    ignored: Vec<String>,
    first_row: u32,
}

impl IndicatorColumns {
    fn get(&self, f: &str) -> Option<(u32, String)> {
        self.cols
            .iter()
            .find(|(x, _, _)| *x == f)
            .map(|(_, c, h)| (*c, h.clone()))
    }
}

struct SheetReader<'a> {
    g: &'a Grid,
    name: &'a str,
    file: usize,
    /// The row of the 一级指标 header.
    header_row: u32,
    errors: Vec<FieldError>,
    mapping: Vec<CellMapping>,
}

impl SheetReader<'_> {
    fn at(&self, cell: &str) -> String {
        cell_pointer(self.file, self.name, cell)
    }

    /// Records that the cell (r, c) became `field`.
    fn map(&mut self, field: String, r: u32, c: u32, header: Option<String>) {
        let (cell, merged) = self.g.origin(r, c);
        self.mapping.push(CellMapping {
            field,
            cell,
            header,
            printed: self.g.get(r, c).to_owned(),
            merged,
        });
    }

    /// Reports a cell that does not read as what its column holds.
    fn bad(&mut self, r: u32, c: u32, e: Text) {
        let code = if e.en.contains(ABOVE_MAXIMUM) {
            "field.out_of_range"
        } else {
            "field.invalid"
        };
        let pointer = self.at(&self.g.origin(r, c).0);
        self.errors.push(problem(pointer, code, e.en, e.zh));
    }

    /// The cell (r, c) read as a figure, mapped to `field`.
    fn figure(&mut self, field: String, r: u32, c: u32, header: Option<String>) -> Option<Figure> {
        self.map(field, r, c, header);
        Figure::parse_printed(self.g.get(r, c))
            .map_err(|e| self.bad(r, c, e))
            .ok()
            .flatten()
    }

    /// The cell (r, c) read as an amount, mapped to `field`.
    fn amount(&mut self, field: String, r: u32, c: u32, header: Option<String>) -> Option<Amount> {
        self.map(field, r, c, header);
        Amount::parse_printed(self.g.get(r, c))
            .map_err(|e| self.bad(r, c, e))
            .ok()
            .flatten()
    }

    /// Kind from the title (部门整体 / 项目, or a 项目名称 label) and year from the title, else
    /// the request.
    fn kind_and_year(&mut self, params: &ReadParams<'_>) -> (EvaluationKind, i32) {
        let (g, name) = (self.g, self.name);
        let title = g.find(0..self.header_row, |k| {
            k.contains("自评表") || k.contains("评价表")
        });
        let title_text = title.map(|(r, c)| key(g.get(r, c))).unwrap_or_default();
        let has_project = g
            .find(0..self.header_row, |k| k.starts_with("项目名称"))
            .is_some();
        let kind = if title_text.contains("部门整体") {
            EvaluationKind::Department
        } else if title_text.contains("项目") || has_project {
            EvaluationKind::Project
        } else {
            EvaluationKind::Department
        };
        let year = match (year_in(&title_text), params.year, title) {
            (Some(y), _, Some((r, c))) => {
                self.map("/year".into(), r, c, None);
                y
            }
            (Some(y), _, None) | (None, Some(y), _) => y,
            (None, None, _) => {
                let pointer = self.at(&title.map(|(r, c)| cell_name(r, c)).unwrap_or_default());
                self.errors.push(problem(
                    pointer,
                    "xlsx.missing_year",
                    format!("Sheet `{name}`: the title gives no year (`2024年度…`); send `year`"),
                    format!("工作表“{name}”的标题中没有年度（“2024年度…”）；请提供 `year` 参数"),
                ));
                0
            }
        };
        (kind, year)
    }

    /// 单位：万元 / 单位：元 (万元 where the table says neither).
    fn amount_unit(&mut self) -> AmountUnit {
        match self.g.find(0..self.header_row, |k| unit_in(k).is_some()) {
            Some((r, c)) => {
                self.map("/budget/amount_unit".into(), r, c, None);
                unit_in(&self.g.key(r, c)).unwrap_or_default()
            }
            None => AmountUnit::WanYuan,
        }
    }

    /// 项目名称: in the label's own cell (`项目名称：…`), else the next cell to the right that is
    /// not the label itself.
    fn project(&mut self) -> Option<String> {
        let g = self.g;
        let (r, c) = g.find(0..self.header_row, |k| k.starts_with("项目名称"))?;
        let label = g.get(r, c).to_owned();
        let inline = key(&label)
            .strip_prefix("项目名称")
            .map(|s| s.trim_start_matches([':', '：']).to_owned())
            .filter(|s| !s.is_empty());
        if let Some(v) = inline {
            self.map("/project".into(), r, c, None);
            return Some(v);
        }
        let c2 = (c + 1..g.width())
            .find(|&c2| !g.get(r, c2).is_empty() && g.get(r, c2) != label)
            .filter(|&c2| !is_label(&g.key(r, c2)))?;
        self.map("/project".into(), r, c2, Some(label));
        Some(g.get(r, c2).to_owned())
    }

    /// The budget block's header: a row with 全年预算数 (or an alias) above the indicators.
    fn budget_columns(&self) -> Option<BudgetColumns> {
        let g = self.g;
        let header_row = (0..self.header_row)
            .find(|&r| (0..g.width()).any(|c| canonical(g.get(r, c)) == Some("full_year")))?;
        let mut cols = HashMap::new();
        for c in 0..g.width() {
            if let Some(
                f @ ("weight" | "claimed_score" | "initial" | "full_year" | "executed"
                | "claimed_rate"),
            ) = canonical(g.get(header_row, c))
            {
                cols.entry(f).or_insert(c);
            }
        }
        Some(BudgetColumns { header_row, cols })
    }

    /// 年度资金总额 (`总额`, `年度财政资金总额`, `财政资金小计`, …): the row so labelled, else the
    /// first row under the header, as every real table prints its total there (unless the block
    /// has no rows and 年度总体目标 follows).
    fn total_row(&self, hr: u32) -> Option<u32> {
        let g = self.g;
        let labelled = (hr + 1..self.header_row)
            .find(|&r| (0..g.width()).any(|c| g.key(r, c).starts_with("年度资金总额")));
        labelled.or(Some(hr + 1).filter(|&r| {
            r < self.header_row
                && !(0..g.width()).any(|c| {
                    let k = g.key(r, c);
                    k.starts_with("年度总体目标") || k == "预期目标" || k == "实际完成情况"
                })
        }))
    }

    /// The budget block: 年度资金总额's amounts, weight, rate and score, and its sub-rows by
    /// fund source.
    fn budget(&mut self, amount_unit: AmountUnit) -> Option<BudgetInput> {
        let b = self.budget_columns()?;
        let tr = self.total_row(b.header_row)?;
        let initial = self.budget_amount(&b, "initial", tr);
        let full_year = self.budget_amount(&b, "full_year", tr);
        let executed = self.budget_amount(&b, "executed", tr);
        let weight = self.budget_weight(&b, tr);
        let claimed_rate = self.claimed_rate(&b, tr);
        let claimed_score = self.budget_figure(&b, "claimed_score", tr);
        let by_source = self.by_source(&b, tr);
        let Some(full_year) = full_year else {
            self.blank_full_year(&b, tr);
            return None;
        };
        Some(BudgetInput {
            amount_unit,
            initial,
            full_year,
            executed,
            weight,
            claimed_rate,
            claimed_score,
            by_source,
            basic: None,
            project: None,
        })
    }

    fn budget_header(&self, b: &BudgetColumns, f: &str) -> Option<String> {
        b.cols
            .get(f)
            .map(|&c| self.g.get(b.header_row, c).to_owned())
    }

    fn budget_amount(&mut self, b: &BudgetColumns, f: &str, tr: u32) -> Option<Amount> {
        let &c = b.cols.get(f)?;
        self.amount(format!("/budget/{f}"), tr, c, self.budget_header(b, f))
    }

    fn budget_figure(&mut self, b: &BudgetColumns, f: &str, tr: u32) -> Option<Figure> {
        let &c = b.cols.get(f)?;
        self.figure(format!("/budget/{f}"), tr, c, self.budget_header(b, f))
    }

    /// 分值; without that column, the points a header such as `得分(20 分*执行率)` names.
    fn budget_weight(&mut self, b: &BudgetColumns, tr: u32) -> Option<Figure> {
        if b.cols.contains_key("weight") {
            return self.budget_figure(b, "weight", tr);
        }
        let &c = b.cols.get("claimed_score")?;
        let points = points_in(&self.g.key(b.header_row, c))?;
        let header = self.budget_header(b, "claimed_score");
        self.map("/budget/weight".into(), b.header_row, c, header);
        Figure::parse_printed(&points).ok().flatten()
    }

    /// 执行率 as printed (kept as text: the claim, whatever its form).
    fn claimed_rate(&mut self, b: &BudgetColumns, tr: u32) -> Option<String> {
        let &c = b.cols.get("claimed_rate")?;
        let header = self.budget_header(b, "claimed_rate");
        self.map("/budget/claimed_rate".into(), tr, c, header);
        Some(self.g.get(tr, c).to_owned()).filter(|t| !crate::domain::money::is_not_given(t))
    }

    /// Sub-rows by fund source (当年财政拨款 / 上年结转资金 / 其他资金): their 全年预算数.
    fn by_source(&mut self, b: &BudgetColumns, tr: u32) -> Vec<SourceAmountDto> {
        let g = self.g;
        let mut by_source = Vec::new();
        let Some(&c) = b.cols.get("full_year") else {
            return by_source;
        };
        for r in tr + 1..self.header_row {
            let Some(source) = (0..g.width()).find_map(|c| source_of(&g.key(r, c))) else {
                break;
            };
            match Amount::parse_printed(g.get(r, c)) {
                Ok(Some(amount)) => {
                    let field = format!("/budget/by_source/{}/amount", by_source.len());
                    self.map(field, r, c, self.budget_header(b, "full_year"));
                    by_source.push(SourceAmountDto { source, amount });
                }
                Ok(None) => {}
                Err(e) => self.bad(r, c, e),
            }
        }
        by_source
    }

    /// 年度资金总额 without 全年预算数: reported where the column exists (a bad value already is).
    fn blank_full_year(&mut self, b: &BudgetColumns, tr: u32) {
        let Some(&c) = b.cols.get("full_year") else {
            return;
        };
        if Amount::parse_printed(self.g.get(tr, c)).is_ok() {
            let name = self.name;
            let pointer = self.at(&cell_name(tr, c));
            self.errors.push(problem(
                pointer,
                "field.missing",
                format!("Sheet `{name}`: 全年预算数 of 年度资金总额 is blank"),
                format!("工作表“{name}”：年度资金总额的全年预算数为空"),
            ));
        }
    }

    /// 年度总体目标: the value on the row under its header (预期目标 | 实际完成情况).
    fn goal(&mut self, label: &str, field: &str) -> Option<String> {
        let g = self.g;
        let (r, c) = g.find(0..self.header_row, |k| k == label)?;
        let v = g.get(r + 1, c);
        if r + 1 >= self.header_row || v.is_empty() || key(v) == label {
            return None;
        }
        self.map(field.into(), r + 1, c, Some(label.into()));
        Some(v.to_owned())
    }

    /// The indicator header, with the three-cell target (指标性质 | 指标值 | 度量单位) on a second
    /// header row where the table prints one.
    fn indicator_columns(&self) -> IndicatorColumns {
        let (g, header_row) = (self.g, self.header_row);
        let sub = header_row + 1;
        let has_sub = (0..g.width()).any(|c| {
            matches!(
                canonical(g.get(sub, c)),
                Some("target_nature" | "target_unit")
            )
        });
        let mut cols: Vec<(&'static str, u32, String)> = Vec::new();
        let mut ignored = Vec::new();
        for c in 0..g.width() {
            let below = g.get(sub, c);
            let printed = if has_sub && !below.is_empty() && below != g.get(header_row, c) {
                below
            } else {
                g.get(header_row, c)
            };
            if printed.is_empty() {
                continue;
            }
            match canonical(printed).and_then(|f| INDICATOR_FIELDS.into_iter().find(|x| *x == f)) {
                Some(f) if !cols.iter().any(|(x, _, _)| *x == f) => {
                    cols.push((f, c, printed.to_owned()))
                }
                Some(_) => {}
                None if !ignored.iter().any(|i| i == printed) => ignored.push(printed.to_owned()),
                None => {}
            }
        }
        IndicatorColumns {
            cols,
            ignored,
            first_row: if has_sub { sub + 1 } else { sub },
        }
    }

    /// The indicator rows down to 总分 / 合计 (read as the claimed total) or a note.
    fn indicators(&mut self, cols: &IndicatorColumns) -> (Vec<IndicatorInputDto>, Option<Figure>) {
        let g = self.g;
        let mut indicators = Vec::new();
        for r in cols.first_row..g.height() {
            let row_key: String = (0..g.width())
                .map(|c| g.key(r, c))
                .find(|k| !k.is_empty())
                .unwrap_or_default();
            if row_key.starts_with("总分") || row_key.starts_with("合计") {
                return (indicators, self.claimed_total(cols, r, row_key));
            }
            if row_key.starts_with("注") || row_key.starts_with("填表") {
                break;
            }
            // A row printed with nothing in its own cells (only a merge passing through) is none.
            let own = cols
                .cols
                .iter()
                .any(|(_, c, _)| !g.get(r, *c).is_empty() && !g.merged_from.contains_key(&(r, *c)));
            if own {
                let row = self.indicator(cols, r, indicators.len());
                indicators.push(row);
            }
        }
        (indicators, None)
    }

    /// 总分: under 得分, else the last number printed on the row.
    fn claimed_total(
        &mut self,
        cols: &IndicatorColumns,
        r: u32,
        row_key: String,
    ) -> Option<Figure> {
        let g = self.g;
        let c = match cols.get("claimed_score") {
            Some((c, _)) => Some(c).filter(|&c| !g.get(r, c).is_empty()),
            None => (0..g.width()).rev().find(|&c| {
                let t = g.get(r, c);
                !t.is_empty() && !key(t).starts_with("总分") && !key(t).starts_with("合计")
            }),
        }?;
        self.figure("/claimed_total".into(), r, c, Some(row_key))
    }

    /// One indicator row, the `i`th.
    fn indicator(&mut self, cols: &IndicatorColumns, r: u32, i: usize) -> IndicatorInputDto {
        let mut text = |f: &str| -> Option<String> {
            let (c, h) = cols.get(f)?;
            self.map(format!("/indicators/{i}/{f}"), r, c, Some(h));
            Some(self.g.get(r, c).to_owned())
        };
        let level1 = text("level1").unwrap_or_default();
        let level2 = text("level2").unwrap_or_default();
        let level3 = text("level3").unwrap_or_default();
        let target = text("target").unwrap_or_default();
        let target_nature = text("target_nature");
        let target_unit = text("target_unit");
        let actual = text("actual").unwrap_or_default();
        let deviation = text("deviation_explanation");
        let mut figure = |f: &str| -> Option<Figure> {
            let (c, h) = cols.get(f)?;
            self.figure(format!("/indicators/{i}/{f}"), r, c, Some(h))
        };
        let weight = figure("weight");
        let claimed_score = figure("claimed_score");
        IndicatorInputDto {
            level1,
            level2,
            level3,
            target,
            target_nature: target_nature.filter(|t| !t.is_empty()),
            target_unit: target_unit.filter(|t| !t.is_empty()),
            actual,
            weight,
            claimed_score,
            deviation_explanation: deviation.filter(|d| !d.is_empty()),
            direction: None,
        }
    }
}

/// Sub-rows of the budget block and the fund source each stands for.
fn source_of(label: &str) -> Option<Source> {
    let l = label
        .trim_start_matches("其中")
        .trim_start_matches([':', '：']);
    if l.contains("财政拨款") {
        Some(Source::GeneralPublicBudget)
    } else if l.contains("上年结转") {
        Some(Source::CarryOver)
    } else if l.starts_with("其他资金") {
        Some(Source::Other)
    } else {
        None
    }
}

/// `20` from a header such as `得分(20分*执行率)` (read without spaces).
fn points_in(header: &str) -> Option<String> {
    let inside = header.split(['(', '（']).nth(1)?;
    let digits: String = inside.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty() && inside[digits.len()..].starts_with('分')).then_some(digits)
}

/// Labels of the header rows that are not values (`主管部门`, `实施单位`).
fn is_label(k: &str) -> bool {
    ["主管部门", "实施单位", "部门名称", "单位"]
        .iter()
        .any(|l| k.starts_with(l))
}

/// `2024` from `2024年度项目支出绩效自评表` or `（2022年度）`.
fn year_in(title: &str) -> Option<i32> {
    let t = crate::domain::money::normalize_width(title);
    let chars: Vec<char> = t.chars().collect();
    chars.windows(5).find_map(|w| {
        (w[..4].iter().all(char::is_ascii_digit) && w[4] == '年')
            .then(|| w[..4].iter().collect::<String>().parse().ok())
            .flatten()
    })
}

/// The unit of `单位：万元` / `金额单位：元` / `单位:元`.
fn unit_in(k: &str) -> Option<AmountUnit> {
    let i = k.find("单位")?;
    let rest = k[i + "单位".len()..].trim_start_matches([':', '：']);
    AmountUnit::parse(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_titles_units_and_points() {
        assert_eq!(year_in("2022年度项目支出绩效自评表"), Some(2022));
        assert_eq!(year_in("项目支出绩效自评表（２０２２年度）"), Some(2022));
        assert_eq!(unit_in("单位：元"), Some(AmountUnit::Yuan));
        assert_eq!(unit_in("金额单位:万元"), Some(AmountUnit::WanYuan));
        assert_eq!(points_in("得分(20分*执行率)").as_deref(), Some("20"));
        assert_eq!(points_in("执行率(B/A)"), None);
    }
}
