//! Real published self-evaluation tables from other provinces (`tests/fixtures/real/`), each
//! sent as printed, as JSON and as CSV, and scored as a reviewer would score it.
//!
//! A fixture holds the table cell by cell with its source; `expected` below says, per table,
//! which findings its listed inconsistencies must raise, and how its computed total relates to
//! the published one.

use serde_json::{Map, Value, json};

use jixiao::domain::text::to_simplified;

use crate::helpers::{TestApp, json, mint, on_each_db};

/// One fixture file, as transcribed.
pub(crate) struct Table {
    pub(crate) file: &'static str,
    pub(crate) doc: Value,
}

pub(crate) fn load(file: &'static str) -> Table {
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
    pub(crate) fn str(&self, key: &str) -> &str {
        self.doc[key].as_str().unwrap_or_default()
    }

    pub(crate) fn project(&self) -> String {
        match self.doc["project"].as_str() {
            Some(p) if !p.is_empty() => p.to_owned(),
            _ => format!("项目{}", &self.file[..2]),
        }
    }

    fn region(&self) -> String {
        self.str("region_code").chars().take(6).collect()
    }

    pub(crate) fn budget_code(&self) -> String {
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
                !h.contains("年初")
                    && (h.contains("全年预算")
                        || h.contains("调整后")
                        || h.contains("调整预算")
                        || h.contains("预算安排")
                        || h.starts_with("预算数")
                        || h.starts_with("小计"))
            }),
        );
        put(
            "executed",
            cell(&cells, |h| {
                h.contains("执行数") || h.contains("执行情况") || h.contains("拨付金额")
            }),
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
                h.starts_with("执行率") || h.starts_with("预算执行率") || h.contains("执行进度")
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
    pub(crate) fn evaluation(&self) -> Value {
        let mut e = json!({
            "kind": self.str("kind"),
            "department": self.budget_code(),
            "year": self.doc["year"],
            "indicators": self.indicators(),
        });
        if self.str("kind") == "project" {
            e["project"] = json!(self.project());
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

impl Table {
    /// The same table as a CSV batch in the official layout (Chinese headers), one row per
    /// indicator, the budget block repeated on each row as the layout prints it.
    fn csv(&self) -> String {
        let e = self.evaluation();
        let b = &e["budget"];
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let header = [
            "类型",
            "预算单位编码",
            "年度",
            "项目名称",
            "金额单位",
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "执行分值",
            "执行率",
            "执行得分",
            "自评总分",
            "一级指标",
            "二级指标",
            "三级指标",
            "指标性质",
            "年度指标值",
            "度量单位",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ];
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(header).expect("header");
        for r in e["indicators"].as_array().into_iter().flatten() {
            let kind = if self.str("kind") == "project" {
                "项目支出"
            } else {
                "部门整体"
            };
            let unit = if b["amount_unit"] == "yuan" {
                "元"
            } else {
                "万元"
            };
            let row = [
                kind.to_owned(),
                text(&e["department"]),
                e["year"].to_string(),
                text(&e["project"]),
                unit.to_owned(),
                text(&b["initial"]),
                text(&b["full_year"]),
                text(&b["executed"]),
                text(&b["weight"]),
                text(&b["claimed_rate"]),
                text(&b["claimed_score"]),
                text(&e["claimed_total"]),
                text(&r["level1"]),
                text(&r["level2"]),
                text(&r["level3"]),
                text(&r["target_nature"]),
                text(&r["target"]),
                text(&r["target_unit"]),
                text(&r["actual"]),
                text(&r["weight"]),
                text(&r["claimed_score"]),
                text(&r["deviation_explanation"]),
            ];
            out.write_record(row).expect("row");
        }
        String::from_utf8(out.into_inner().expect("csv")).expect("utf-8")
    }
}

/// Creates the table's province, city, county and department (as a national admin).
pub(crate) async fn set_up(app: &TestApp, table: &Table) -> TestApp {
    let national = app.as_(Some(mint(&app.settings, "admin", "000000", &[])));
    let code = table.region();
    let province = format!("{}0000", &code[..2]);
    let city = format!("{}00", &code[..4]);
    // Each region's parent follows from its code.
    let mut chain = vec![(province.clone(), table.str("province").to_owned())];
    if city != province {
        chain.push((city.clone(), format!("市{city}")));
    }
    if code != city {
        chain.push((code.clone(), table.str("region_name").to_owned()));
    }
    for (code, name) in chain {
        let res = national
            .post("/api/v1/regions")
            .json(&json!({"code": code, "name": name}))
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
    if table.str("kind") == "project" {
        let res = national
            .post("/api/v1/projects")
            .json(&json!({
                "department": table.budget_code(),
                "year": table.doc["year"],
                "name": table.project(),
                "annual_goal": table.doc["goal"]["target"],
            }))
            .send()
            .await
            .unwrap();
        let (s, body) = json(res).await;
        assert_eq!(s, 201, "project: {body}");
    }
    national
}

/// What a reviewer expects of one table. The findings each listed inconsistency must raise are
/// in the fixture itself (`inconsistencies[].finding`).
enum Expected {
    /// The table goes in (201). Error findings only on `error_rows` (rows a reviewer would not
    /// accept as printed); with `total_check`, the printed total equals the computed one once
    /// the differences on flagged rows are taken out (within 1 point).
    Scored {
        error_rows: &'static [usize],
        total_check: bool,
    },
    /// The transcription lacks something the table needs (a budget block whose amounts could
    /// not be read, a cell damaged by OCR): refused with a pointer to it, nothing written.
    Refused { pointer: &'static str },
}

fn expectations() -> Vec<(&'static str, Expected)> {
    use Expected::{Refused, Scored};
    vec![
        (
            "01-yunnan-yongde-nutrition.json",
            Scored {
                error_rows: &[2, 5],
                total_check: true,
            },
        ),
        (
            "02-sichuan-qingshen-salary.json",
            Scored {
                error_rows: &[0, 1],
                total_check: false,
            },
        ),
        (
            "03-anhui-guichi-commissioned-work.json",
            Scored {
                error_rows: &[],
                total_check: false,
            },
        ),
        (
            "04-anhui-guichi-village-funds.json",
            Scored {
                error_rows: &[],
                total_check: false,
            },
        ),
        (
            "05-yunnan-linxiang-wildlife-shelter.json",
            Scored {
                error_rows: &[],
                total_check: false,
            },
        ),
        (
            "06-hebei-chengan-centenarian-allowance.json",
            Scored {
                error_rows: &[],
                total_check: false,
            },
        ),
        (
            "07-anhui-jinzhai-department.json",
            Scored {
                error_rows: &[],
                total_check: false,
            },
        ),
        (
            "08-hebei-langfang-hvac-2019.json",
            Scored {
                error_rows: &[],
                total_check: false,
            },
        ),
        (
            "09-anhui-tianchang-flood-control.json",
            Scored {
                error_rows: &[3, 6, 9, 12, 15, 21],
                total_check: true,
            },
        ),
        // Transcribed without its budget amounts (they could not be placed).
        (
            "10-shanxi-jishan-public-health.json",
            Refused { pointer: "/budget" },
        ),
        (
            "11-hubei-district-service-trade-2020.json",
            Scored {
                error_rows: &[],
                total_check: false,
            },
        ),
        (
            "12-yunnan-lijiang-satellite-enforcement-2020.json",
            Scored {
                error_rows: &[0, 1, 2, 3],
                total_check: false,
            },
        ),
        (
            "13-fujian-ningde-history-office-department-2018.json",
            Scored {
                error_rows: &[],
                total_check: false,
            },
        ),
        // Only the tail of the table survives: no budget block.
        (
            "14-sichuan-daying-justice-cost-tail-2023.json",
            Refused { pointer: "/budget" },
        ),
        // OCR damage: a weight printed as `IO`.
        (
            "15-ningxia-yinchuan-middle-school-public-funds-2021.json",
            Refused {
                pointer: "/indicators/",
            },
        ),
        // The budget amounts are unreadable in the OCR; only the rate and score survive.
        (
            "16-chongqing-science-city-media-center-department-2021.json",
            Refused { pointer: "/budget" },
        ),
    ]
}

pub(crate) fn findings(e: &Value) -> Vec<(String, String, String)> {
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

fn print(table: &Table, e: &Value) {
    println!(
        "===== {} computed {} claimed {} points {}",
        table.file, e["computed"]["total"], e["computed"]["claimed_total"], e["computed"]["points"]
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

fn decimal(v: &Value) -> Option<f64> {
    v.as_str()?.trim_end_matches('分').parse().ok()
}

fn check(table: &Table, error_rows: &[usize], total_check: bool, e: &Value) {
    let got = findings(e);
    // Every listed inconsistency the rules can check is reported where it is.
    for x in table.doc["inconsistencies"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let Some(code) = x["finding"]["code"].as_str() else {
            assert!(
                x["finding"]["why"].is_string(),
                "{}: say why an inconsistency is not checked: {x}",
                table.file
            );
            continue;
        };
        let pointer = x["finding"]["pointer"].as_str().unwrap_or_default();
        assert!(
            got.iter().any(|(p, c, _)| p == pointer && c == code),
            "{}: “{}” should be reported as {code} at {pointer}; got {got:#?}",
            table.file,
            x["what"]
        );
    }
    // No error on a row a reviewer accepts.
    for (pointer, code, severity) in &got {
        let row = pointer
            .strip_prefix("/indicators/")
            .and_then(|r| r.split('/').next())
            .and_then(|i| i.parse::<usize>().ok());
        if let (Some(row), "error") = (row, severity.as_str()) {
            assert!(
                error_rows.contains(&row),
                "{}: error {code} at {pointer}, on a row a reviewer accepts",
                table.file
            );
        }
    }
    // The printed total follows from the computed one once the differences on rows that carry
    // a finding (a claim that is not what the rules give) are taken out.
    if total_check {
        let published = decimal(&table.doc["published"]["total"]).expect("published total");
        let mut explained = decimal(&e["computed"]["total"]).expect("computed total");
        let rows = e["computed"]["rows"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for r in &rows {
            if let (Some(c), Some(claimed)) = (decimal(&r["computed"]), decimal(&r["claimed"]))
                && (c - claimed).abs() > 0.005
            {
                let prefix = format!("/indicators/{}/", r["index"]);
                assert!(
                    got.iter().any(|(p, _, _)| p.starts_with(&prefix)),
                    "{}: row {} differs from its claim with no finding",
                    table.file,
                    r["index"]
                );
                explained -= c - claimed;
            }
        }
        assert!(
            (published - explained).abs() <= 1.0,
            "{}: published {published}, computed less the flagged differences {explained}",
            table.file
        );
    }
}

/// Sends one table as printed (JSON, then CSV) and checks it as `expected` says.
async fn run_table(app: &TestApp, file: &'static str, expected: Expected) {
    let table = load(file);
    let national = set_up(app, &table).await;
    let res = national
        .post("/api/v1/evaluations")
        .json(&table.evaluation())
        .send()
        .await
        .unwrap();
    let (status, e) = json(res).await;
    match expected {
        Expected::Scored {
            error_rows,
            total_check,
        } => {
            assert_eq!(status, 201, "{file}: {e}");
            if std::env::var("REAL_TABLES_PRINT").is_ok() {
                print(&table, &e);
            }
            check(&table, error_rows, total_check, &e);
            // The same table as CSV replaces it and reads the same (the CSV layout
            // has one line per indicator: a table without any has no CSV form).
            if table.doc["indicators"]["rows"]
                .as_array()
                .is_none_or(Vec::is_empty)
            {
                return;
            }
            let res = national
                .post("/api/v1/evaluations/batch")
                .header("Content-Type", "text/csv")
                .body(table.csv())
                .send()
                .await
                .unwrap();
            let (s, batch) = json(res).await;
            assert_eq!(s, 200, "{file} as CSV: {batch}");
            assert_eq!(batch["items"][0]["outcome"], "replaced", "{file}: {batch}");
            let id = e["id"].as_str().expect("id");
            let res = national
                .get(&format!("/api/v1/evaluations/{id}"))
                .send()
                .await;
            let (_, again) = json(res.unwrap()).await;
            assert_eq!(
                findings(&again),
                findings(&e),
                "{file}: CSV and JSON differ"
            );
            assert_eq!(again["computed"]["total"], e["computed"]["total"], "{file}");
        }
        Expected::Refused { pointer } => {
            assert_eq!(status, 422, "{file}: {e}");
            assert!(
                e["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|f| f["pointer"]
                        .as_str()
                        .is_some_and(|p| p.starts_with(pointer))),
                "{file}: {e}"
            );
        }
    }
}

/// One test per table, on each database.
async fn run(prefix: &str) {
    let prefix = prefix.to_owned();
    on_each_db(|app| {
        let prefix = prefix.clone();
        async move {
            let (file, expected) = expectations()
                .into_iter()
                .find(|(f, _)| f.starts_with(&prefix))
                .expect("a fixture with that number");
            run_table(&app, file, expected).await;
            app.finish().await;
        }
    })
    .await;
}

macro_rules! real_table_tests {
    ($($name:ident => $prefix:literal,)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                run($prefix).await;
            }
        )*
        /// Every fixture file has its test.
        #[test]
        fn every_fixture_has_a_test() {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/real");
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .expect("fixtures")
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|f| f.ends_with(".json"))
                .collect();
            files.sort();
            let tested = [$($prefix),*];
            assert_eq!(files.len(), tested.len(), "{files:?}");
            for (file, prefix) in files.iter().zip(tested) {
                assert!(file.starts_with(prefix), "{file} has no test");
            }
            assert_eq!(expectations().len(), files.len());
        }
    };
}

real_table_tests! {
    yunnan_yongde_2022_project_yuan_three_cell => "01",
    sichuan_qingshen_2023_project_blank_cells => "02",
    anhui_guichi_2022_project_points_in_level1 => "03",
    anhui_guichi_2022_project_budget_cut_to_spend => "04",
    yunnan_linxiang_2023_project_truncated_rate => "05",
    hebei_chengan_2020_project_weight_shares => "06",
    anhui_jinzhai_2023_department_overspend => "07",
    hebei_langfang_2019_project_template_rows => "08",
    anhui_tianchang_2022_project_missing_level1 => "09",
    shanxi_jishan_2021_project_without_budget => "10",
    hubei_2020_project_execution_20 => "11",
    yunnan_lijiang_2020_project_traditional => "12",
    fujian_ningde_2018_department_budget_only => "13",
    sichuan_daying_2023_project_tail => "14",
    ningxia_yinchuan_2021_project_ocr => "15",
    chongqing_2021_department_ocr => "16",
}
