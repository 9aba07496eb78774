//! Real published self-evaluation tables from other provinces (`tests/fixtures/real/`), each
//! sent as printed, as JSON and as CSV, and scored as a reviewer would score it.
//!
//! A fixture holds the table cell by cell with its source; `expected` below says, per table,
//! which findings its listed inconsistencies must raise, and how its computed total relates to
//! the published one.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use jixiao::domain::text::to_simplified;

use crate::helpers::{TestApp, json, mint, on_each_db};

/// One fixture file, as transcribed.
struct Table {
    file: &'static str,
    doc: Value,
}

fn load(file: &'static str) -> Table {
    let path = format!("{}/tests/fixtures/real/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Table {
        file,
        doc: serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}")),
    }
}

/// The cells of a row under their headers (headers read in simplified characters and without
/// spaces, as a reviewer reads them; cells exactly as printed).
fn cells_of(headers: &[Value], row: &[Value]) -> Vec<(String, String)> {
    headers
        .iter()
        .zip(row)
        .map(|(h, c)| {
            let header = to_simplified(h.as_str().unwrap_or_default());
            (
                header.chars().filter(|c| !c.is_whitespace()).collect(),
                c.as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// `20` from a header such as `得分(20分*执行率)`.
fn points_in(header: &str) -> Option<String> {
    let digits: String = header
        .split('(')
        .nth(1)?
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (!digits.is_empty() && header.contains('分')).then_some(digits)
}

/// The cell under the first header that `matches`.
fn cell(cells: &[(String, String)], matches: impl Fn(&str) -> bool) -> Option<String> {
    cells
        .iter()
        .find(|(h, _)| matches(h))
        .map(|(_, c)| c.clone())
}

impl Table {
    fn str(&self, key: &str) -> &str {
        self.doc[key].as_str().unwrap_or_default()
    }

    fn region(&self) -> String {
        self.str("region_code").chars().take(6).collect()
    }

    fn budget_code(&self) -> String {
        format!("REAL-{}", &self.file[..2])
    }

    /// The budget block's first row (年度资金总额 / 总额 / 预算数), as printed.
    fn budget(&self) -> Option<Value> {
        let headers = self.doc["budget"]["headers"].as_array()?;
        let row = self.doc["budget"]["rows"].as_array()?.first()?;
        let cells = cells_of(headers, row["cells"].as_array()?);
        let mut b = Map::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                b.insert(key.to_owned(), Value::String(v));
            }
        };
        put("initial", cell(&cells, |h| h.contains("年初")));
        put(
            "full_year",
            cell(&cells, |h| {
                h.contains("全年预算")
                    || h.contains("调整后")
                    || h.contains("调整预算")
                    || h.contains("预算安排")
                    || (h.starts_with("预算数") && !h.contains("年初"))
            }),
        );
        put(
            "executed",
            cell(&cells, |h| h.contains("执行数") || h.contains("执行情况")),
        );
        let score_header = cells
            .iter()
            .map(|(h, _)| h.as_str())
            .find(|h| h.starts_with("得分") || h.contains("率得分"));
        put(
            "weight",
            cell(&cells, |h| {
                h == "分值" || h == "权重" || h.contains("率权重")
            })
            .or_else(|| score_header.and_then(points_in)),
        );
        put(
            "claimed_rate",
            cell(&cells, |h| {
                h.starts_with("执行率") || h.contains("执行进度")
            }),
        );
        put(
            "claimed_score",
            cell(&cells, |h| h.starts_with("得分") || h.contains("率得分")),
        );
        if self.str("amount_unit") == "元" {
            b.insert("amount_unit".into(), json!("yuan"));
        }
        b.contains_key("full_year").then_some(Value::Object(b))
    }

    fn indicators(&self) -> Vec<Value> {
        let headers = self.doc["indicators"]["headers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let rows = self.doc["indicators"]["rows"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        rows.iter()
            .map(|row| {
                let cells = cells_of(&headers, row.as_array().map_or(&[][..], |r| r));
                let get = |m: &dyn Fn(&str) -> bool| cell(&cells, m).unwrap_or_default();
                let mut r = json!({
                    "level1": get(&|h| h == "一级指标"),
                    "level2": get(&|h| h == "二级指标"),
                    "level3": get(&|h| h == "三级指标" || h == "指标名称"),
                    "target": get(&|h| {
                        h == "年度指标值"
                            || h.starts_with("指标值")
                            || h == "预期指标值"
                            || h == "绩效目标值"
                            || h.starts_with("年初目标值")
                            || h == "年初指标值"
                    }),
                    "actual": get(&|h| {
                        h.contains("实际完成值") || h == "完成值" || h.contains("实际值")
                            || h == "全年完成值"
                    }),
                    "weight": get(&|h| {
                        h == "分值"
                            || h == "权重"
                            || h.starts_with("权重占比")
                            || h == "指标分值"
                            || h.starts_with("指标权重")
                    }),
                    "claimed_score": get(&|h| {
                        h == "得分" || h == "单项指标得分" || h.starts_with("指标得分")
                    }),
                });
                if let Some(nature) = cell(&cells, |h| h == "指标性质" || h == "符号") {
                    r["target_nature"] = json!(nature);
                }
                if let Some(unit) = cell(&cells, |h| {
                    h == "度量单位" || h.starts_with("单位") || h == "计量单位"
                }) {
                    r["target_unit"] = json!(unit);
                }
                if let Some(d) = cell(&cells, |h| {
                    h.contains("偏差原因") || h.contains("未完成原因")
                })
                .filter(|d| !d.is_empty())
                {
                    r["deviation_explanation"] = json!(d);
                }
                r
            })
            .collect()
    }

    /// The table as a JSON evaluation, as printed (no rule set named).
    fn evaluation(&self) -> Value {
        let mut e = json!({
            "kind": self.str("kind"),
            "department": self.budget_code(),
            "year": self.doc["year"],
            "indicators": self.indicators(),
        });
        if self.str("kind") == "project" {
            e["project"] = json!(self.doc["project"].as_str().unwrap_or("项目"));
        }
        if let Some(b) = self.budget() {
            e["budget"] = b;
        }
        if let Some(total) = self.doc["published"]["total"]
            .as_str()
            .filter(|t| !t.is_empty())
        {
            e["claimed_total"] = json!(total);
        }
        e
    }
}

/// Creates the table's province, city, county and department (as a national admin).
async fn set_up(app: &TestApp, table: &Table) -> TestApp {
    let national = app.as_(Some(mint(&app.settings, "admin", "000000", &[])));
    let code = table.region();
    let province = format!("{}0000", &code[..2]);
    let city = format!("{}00", &code[..4]);
    let mut chain = vec![(province.clone(), table.str("province").to_owned(), None)];
    if city != province {
        chain.push((city.clone(), format!("市{city}"), Some(province.clone())));
    }
    if code != city {
        chain.push((
            code.clone(),
            table.str("region_name").to_owned(),
            Some(city),
        ));
    }
    for (code, name, parent) in chain {
        let res = national
            .post("/api/v1/regions")
            .json(&json!({"code": code, "name": name, "parent_code": parent}))
            .send()
            .await
            .unwrap();
        let (s, body) = json(res).await;
        assert!(s == 201 || s == 409, "region {code}: {s} {body}");
    }
    let res = national
        .post("/api/v1/departments")
        .json(&json!({
            "budget_code": table.budget_code(),
            "name": table.str("department").chars().take(60).collect::<String>(),
            "region": code,
            "kind": "administrative",
        }))
        .send()
        .await
        .unwrap();
    let (s, body) = json(res).await;
    assert_eq!(s, 201, "department: {body}");
    national
}

/// What a reviewer expects of one table.
struct Expected {
    file: &'static str,
    /// (pointer prefix, finding code) that must be reported.
    findings: &'static [(&'static str, &'static str)],
    /// Rows where an error finding is right (a reviewer would not accept them as printed).
    error_rows: &'static [usize],
    /// The published total, when the table prints one and its scores follow the rules: the
    /// computed total is within 1 point of it.
    published_total_follows_rules: bool,
}

fn expectations() -> Vec<Expected> {
    let files = [
        "01-yunnan-yongde-nutrition.json",
        "02-sichuan-qingshen-salary.json",
        "03-anhui-guichi-commissioned-work.json",
        "04-anhui-guichi-village-funds.json",
        "05-yunnan-linxiang-wildlife-shelter.json",
        "06-hebei-chengan-centenarian-allowance.json",
        "07-anhui-jinzhai-department.json",
        "08-hebei-langfang-hvac-2019.json",
        "09-anhui-tianchang-flood-control.json",
        "10-shanxi-jishan-public-health.json",
        "11-hubei-district-service-trade-2020.json",
        "12-yunnan-lijiang-satellite-enforcement-2020.json",
        "13-fujian-ningde-history-office-department-2018.json",
        "14-sichuan-daying-justice-cost-tail-2023.json",
        "15-ningxia-yinchuan-middle-school-public-funds-2021.json",
        "16-chongqing-science-city-media-center-department-2021.json",
    ];
    files
        .into_iter()
        .map(|file| Expected {
            file,
            findings: &[],
            error_rows: &[],
            published_total_follows_rules: false,
        })
        .collect()
}

async fn submit(app: &TestApp, body: &Value) -> Value {
    let res = app
        .post("/api/v1/evaluations")
        .json(body)
        .send()
        .await
        .unwrap();
    let (s, e) = json(res).await;
    assert_eq!(s, 201, "{e}");
    e
}

fn findings(e: &Value) -> Vec<(String, String, String)> {
    e["computed"]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["pointer"].as_str().unwrap_or_default().to_owned(),
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn check(table: &Table, expected: &Expected, e: &Value) {
    if std::env::var("REAL_TABLES_PRINT").is_ok() {
        println!(
            "===== {} computed {} claimed {} points {}",
            table.file,
            e["computed"]["total"],
            e["computed"]["claimed_total"],
            e["computed"]["points"]
        );
        for r in e["computed"]["rows"].as_array().into_iter().flatten() {
            println!(
                "  row {} {} computed {} claimed {} w {} | {} | {}",
                r["index"],
                r["basis"],
                r["computed"],
                r["claimed"],
                r["weight"],
                r["target_parsed"],
                r["actual_parsed"]
            );
        }
        for f in e["computed"]["findings"].as_array().into_iter().flatten() {
            println!(
                "  {} {} {} — {}",
                f["policy"], f["pointer"], f["code"], f["message_en"]
            );
        }
    }
    let got = findings(e);
    if std::env::var("REAL_TABLES_PRINT").is_ok() {
        return;
    }
    for (pointer, code) in expected.findings {
        assert!(
            got.iter()
                .any(|(p, c, _)| p.starts_with(pointer) && c == code),
            "{}: expected {code} at {pointer}; got {got:#?}",
            table.file
        );
    }
    let error_rows: BTreeSet<usize> = got
        .iter()
        .filter(|(_, _, s)| s == "error")
        .filter_map(|(p, _, _)| {
            p.strip_prefix("/indicators/")
                .and_then(|r| r.split('/').next())
                .and_then(|i| i.parse().ok())
        })
        .collect();
    for row in &error_rows {
        assert!(
            expected.error_rows.contains(row),
            "{}: an error on row {row}, which a reviewer accepts: {got:#?}",
            table.file
        );
    }
    if expected.published_total_follows_rules {
        let published: f64 = table.doc["published"]["total"]
            .as_str()
            .and_then(|t| t.trim_end_matches('分').parse().ok())
            .expect("published total");
        let computed: f64 = e["computed"]["total"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .expect("computed total");
        assert!(
            (published - computed).abs() <= 1.0,
            "{}: computed {computed}, published {published}",
            table.file
        );
    }
}

#[tokio::test]
async fn real_tables_go_in_as_printed_and_score_as_a_reviewer_would() {
    on_each_db(|app| async move {
        for expected in expectations() {
            let table = load(expected.file);
            let national = set_up(&app, &table).await;
            let e = submit(&national, &table.evaluation()).await;
            check(&table, &expected, &e);
        }
        app.finish().await;
    })
    .await;
}
