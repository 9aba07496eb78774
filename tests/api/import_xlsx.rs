//! `POST /api/v1/evaluations/import` and `GET /api/v1/evaluations/{id}/table.xlsx`: official
//! tables as .xlsx, built here with rust_xlsxwriter in the layout of real fixtures (merged
//! level-1 cells, `单位：元`, three-cell targets), each read in one request and compared with what
//! the JSON of the same table gives; bad workbooks; the export → import round trip.

use rust_xlsxwriter::{Format, Formula, Workbook};
use serde_json::{Value, json};

use jixiao::domain::text::to_simplified;

use crate::helpers::{Backend, TestApp, json, on_each_db, spawn_with};
use crate::real_tables::{Table, findings, load, set_up};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The fixture as its published table: title, unit, 项目名称 / 主管部门 / 实施单位, the budget block
/// with its sub-rows (the label merged down the block), 年度总体目标, the indicator block (a
/// two-row header for three-cell targets; 一级指标 and 二级指标 merged over their runs) and 总分.
fn table_xlsx(table: &Table) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("自评表").unwrap();
    let f = Format::new();
    // A cell, or cells merged (a narrow table has no room to merge).
    let put = |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c0: u16, c1: u16, v: &str| {
        if c1 > c0 {
            sheet.merge_range(r, c0, r, c1, v, &f).unwrap();
        } else {
            sheet.write_string(r, c0, v).unwrap();
        }
    };
    let doc = &table.doc;
    let headers: Vec<String> = doc["indicators"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    // The headers as matched (a traditional-character table prints 指標性質).
    let simple: Vec<String> = headers.iter().map(|h| to_simplified(h)).collect();
    // Two header rows when the target is printed as 指标性质 | 指标值 | 度量单位.
    let three = simple
        .windows(3)
        .any(|w| w[0] == "指标性质" && w[1] == "指标值" && w[2] == "度量单位");
    let group = if simple == headers {
        "年度指标值"
    } else {
        "年度指標值"
    };
    let last = headers.len() as u16 - 1;
    // A table that survives only in part (14) has no title or unit.
    if let Some(title) = doc["title"].as_str() {
        sheet.merge_range(0, 0, 0, last, title, &f).unwrap();
    }
    if let Some(unit) = doc["amount_unit"].as_str() {
        sheet
            .write_string(1, last, format!("单位：{unit}"))
            .unwrap();
    }
    if table.str("kind") == "project" {
        sheet.write_string(2, 0, "项目名称").unwrap();
        put(sheet, 2, 1, last, &table.project());
    } else {
        sheet.write_string(2, 0, "部门名称").unwrap();
        put(sheet, 2, 1, last, table.str("department"));
    }
    sheet.write_string(3, 0, "主管部门").unwrap();
    sheet.merge_range(3, 1, 3, 3, "", &f).unwrap();
    sheet.write_string(3, 4, "实施单位").unwrap();
    put(sheet, 3, 5, last, "某实施单位");
    // The budget block.
    let mut row = 4u32;
    let budget_rows = doc["budget"]["rows"].as_array().unwrap();
    if budget_rows.is_empty() {
        sheet.write_string(row, 0, "项目资金").unwrap();
    } else {
        sheet
            .merge_range(row, 0, row + budget_rows.len() as u32, 0, "项目资金", &f)
            .unwrap();
    }
    for (i, h) in doc["budget"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        sheet.write_string(row, 2 + i as u16, s(h)).unwrap();
    }
    for r in budget_rows {
        row += 1;
        sheet.write_string(row, 1, s(&r["label"])).unwrap();
        for (i, c) in r["cells"].as_array().unwrap().iter().enumerate() {
            sheet.write_string(row, 2 + i as u16, s(c)).unwrap();
        }
    }
    row += 1;
    sheet
        .merge_range(row, 0, row + 1, 0, "年度总体目标", &f)
        .unwrap();
    sheet.merge_range(row, 1, row, 4, "预期目标", &f).unwrap();
    put(sheet, row, 5, last, "实际完成情况");
    sheet
        .merge_range(row + 1, 1, row + 1, 4, &s(&doc["goal"]["target"]), &f)
        .unwrap();
    put(sheet, row + 1, 5, last, &s(&doc["goal"]["actual"]));
    row += 2;
    // The indicator header.
    if three {
        for (c, (h, simple)) in headers.iter().zip(&simple).enumerate() {
            let c = c as u16;
            match simple.as_str() {
                "指标性质" => {
                    sheet.merge_range(row, c, row, c + 2, group, &f).unwrap();
                    sheet.write_string(row + 1, c, h).unwrap();
                }
                "指标值" | "度量单位" => {
                    sheet.write_string(row + 1, c, h).unwrap();
                }
                _ => {
                    sheet.merge_range(row, c, row + 1, c, h, &f).unwrap();
                }
            }
        }
        row += 2;
    } else {
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string(row, c as u16, h).unwrap();
        }
        row += 1;
    }
    let rows: Vec<Vec<String>> = doc["indicators"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(s).collect())
        .collect();
    let first = row;
    // A hidden row is read all the same (and reported).
    sheet.set_row_hidden(first).unwrap();
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate().skip(2) {
            sheet.write_string(first + i as u32, c as u16, v).unwrap();
        }
    }
    // 一级指标 and 二级指标 printed once per run, merged over it.
    for col in [0usize, 1] {
        let mut start = 0;
        for i in 1..=rows.len() {
            let same = i < rows.len() && rows[i][..=col] == rows[start][..=col];
            if !same {
                let v = &rows[start][col];
                if i - start > 1 {
                    sheet
                        .merge_range(
                            first + start as u32,
                            col as u16,
                            first + i as u32 - 1,
                            col as u16,
                            v,
                            &f,
                        )
                        .unwrap();
                } else {
                    sheet
                        .write_string(first + start as u32, col as u16, v)
                        .unwrap();
                }
                start = i;
            }
        }
    }
    let total_row = first + rows.len() as u32;
    // 总分 under the indicators' 得分 (`单项指标得分`, `指标得分(分)`).
    let score_col = simple
        .iter()
        .position(|h| h == "得分" || h == "单项指标得分" || h.starts_with("指标得分"))
        .expect("a 得分 column") as u16;
    sheet
        .merge_range(total_row, 0, total_row, score_col - 1, "总分", &f)
        .unwrap();
    sheet
        .write_string(total_row, score_col, s(&doc["published"]["total"]))
        .unwrap();
    book.save_to_buffer().unwrap()
}

/// Without null, blank and empty-list members: how a table's cells compare, however sent.
fn compact(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| {
                    !(v.is_null()
                        || v.as_str() == Some("")
                        || v.as_array().is_some_and(Vec::is_empty))
                })
                .map(|(k, v)| (k.clone(), compact(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(compact).collect()),
        other => other.clone(),
    }
}

async fn import(app: &TestApp, query: &str, body: Vec<u8>) -> (u16, Value) {
    let res = app
        .post(&format!("/api/v1/evaluations/import{query}"))
        .header("Content-Type", XLSX)
        .body(body)
        .send()
        .await
        .unwrap();
    json(res).await
}

/// The row number (1-based) of the cell a field was read from.
fn mapping_row(sheet: &Value, field: &str) -> u32 {
    let cell = sheet["mapping"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["field"] == field)
        .map(|m| s(&m["cell"]))
        .unwrap_or_default();
    cell.trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .unwrap()
}

/// A fixture's table as .xlsx in one request: the same indicators, amounts and claimed scores
/// as its JSON, the same findings and total; then written with `apply=true`.
async fn fixture_goes_in(app: TestApp, file: &'static str) {
    let table = load(file);
    let admin = set_up(&app, &table).await;
    let bytes = table_xlsx(&table);
    let (status, body) = import(
        &admin,
        &format!("?department={}", table.budget_code()),
        bytes.clone(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["dry_run"], true);
    let sheet = &body["sheets"][0];
    let layout = if table.str("kind") == "project" {
        "attachment5_project"
    } else {
        "attachment4_department"
    };
    assert_eq!(sheet["layout"], layout, "{sheet}");
    reads_as_printed(&table, sheet);
    scores_as_its_json(&admin, &table, sheet).await;
    applies(&admin, &table, bytes).await;
}

/// The dry run read the indicators, the budget and the claimed total as the JSON has them,
/// said that it read the hidden first row, and named the merged cells it read.
fn reads_as_printed(table: &Table, sheet: &Value) {
    let expected = table.evaluation();
    let input = &sheet["input"];
    assert_eq!(input["year"], expected["year"]);
    assert_eq!(input["project"], expected["project"]);
    assert_eq!(
        compact(&input["indicators"]),
        compact(&expected["indicators"]),
        "indicators as read"
    );
    let mut budget = compact(&input["budget"]);
    budget.as_object_mut().unwrap().remove("by_source");
    assert_eq!(budget, compact(&expected["budget"]), "budget as read");
    assert_eq!(input["claimed_total"], expected["claimed_total"]);
    let mapping = sheet["mapping"].as_array().unwrap();
    let rows = expected["indicators"].as_array().unwrap();
    if !rows.is_empty() {
        // The first indicator row is hidden: read, and said so.
        let first = mapping_row(sheet, "/indicators/0/level3");
        assert_eq!(sheet["hidden_rows"], json!([first]), "{sheet}");
        // The mapping names the cells: the level-1 of the last row comes from its merge when
        // the row before shares it.
        let n = rows.len() - 1;
        let level1 = mapping
            .iter()
            .find(|m| m["field"] == format!("/indicators/{n}/level1"))
            .expect("level1 mapped");
        if n > 0 && rows[n]["level1"] == rows[n - 1]["level1"] {
            assert!(level1["merged"].is_string(), "{level1}");
        }
    }
}

/// The same findings and total as the JSON of the same table.
async fn scores_as_its_json(admin: &TestApp, table: &Table, sheet: &Value) {
    // The JSON carries only the 年度资金总额 row; the sheet's sub-rows by fund source
    // (其中:当年财政拨款 …) are read too, each a 全年预算数 printed under its label, and go into the
    // JSON compared with.
    let mut expected = table.evaluation();
    let input = &sheet["input"];
    let mapping = sheet["mapping"].as_array().unwrap();
    let sources = input["budget"]["by_source"].as_array().cloned();
    for (i, source) in sources.iter().flatten().enumerate() {
        let printed = mapping
            .iter()
            .find(|m| m["field"] == format!("/budget/by_source/{i}/amount"))
            .map(|m| s(&m["printed"]))
            .expect("by_source mapped");
        assert!(
            table.doc["budget"]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .skip(1)
                .any(|r| r["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| s(c) == printed)),
            "{source} is not a sub-row of the table"
        );
    }
    if let Some(sources) = sources {
        expected["budget"]["by_source"] = json!(sources);
    }
    let res = admin
        .post("/api/v1/evaluations/validate")
        .json(&expected)
        .send()
        .await
        .unwrap();
    let (s2, validated) = json(res).await;
    assert_eq!(s2, 200, "{validated}");
    let mut from_json = findings(&validated);
    let mut from_xlsx = findings(sheet);
    from_json.sort();
    from_xlsx.sort();
    assert_eq!(from_xlsx, from_json);
    assert_eq!(sheet["computed"]["total"], validated["computed"]["total"]);
}

/// Written with `apply=true`: an evaluation that exists.
async fn applies(admin: &TestApp, table: &Table, bytes: Vec<u8>) {
    let (status, body) = import(
        admin,
        &format!("?department={}&apply=true", table.budget_code()),
        bytes,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["applied"], true);
    assert_eq!(body["sheets"][0]["outcome"], "created");
    let id = s(&body["sheets"][0]["id"]);
    let res = admin
        .get(&format!("/api/v1/evaluations/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

macro_rules! fixtures_go_in {
    ($($name:ident => $file:literal,)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                on_each_db(|app| fixture_goes_in(app, $file)).await;
            }
        )*
    };
}

// Every fixture that real_tables.rs scores (`Expected::Scored`).
fixtures_go_in! {
    import_xlsx_01_yongde_yuan_three_cell_targets => "01-yunnan-yongde-nutrition.json",
    import_xlsx_02_qingshen_weight_and_reason_columns => "02-sichuan-qingshen-salary.json",
    import_xlsx_03_guichi_commissioned_work => "03-anhui-guichi-commissioned-work.json",
    import_xlsx_04_guichi_village_funds => "04-anhui-guichi-village-funds.json",
    import_xlsx_05_linxiang_wildlife_shelter => "05-yunnan-linxiang-wildlife-shelter.json",
    import_xlsx_06_chengan_sign_expected_value_unit => "06-hebei-chengan-centenarian-allowance.json",
    import_xlsx_07_jinzhai_department => "07-anhui-jinzhai-department.json",
    import_xlsx_08_langfang_hvac => "08-hebei-langfang-hvac-2019.json",
    import_xlsx_09_tianchang_merged_level1_cells => "09-anhui-tianchang-flood-control.json",
    import_xlsx_11_hubei_no_weight_column => "11-hubei-district-service-trade-2020.json",
    import_xlsx_12_lijiang_traditional_characters => "12-yunnan-lijiang-satellite-enforcement-2020.json",
    import_xlsx_13_ningde_department_without_indicators => "13-fujian-ningde-history-office-department-2018.json",
}

/// A fixture that real_tables.rs refuses as JSON (`Expected::Refused`): its table as .xlsx is
/// refused too, with a problem at `at` (under the sheet: a cell, `/evaluation/…` for what the
/// sheet lacks, or the sheet itself), and nothing is written.
async fn fixture_refused(app: TestApp, file: &'static str, at: &'static str, code: &'static str) {
    let table = load(file);
    let admin = set_up(&app, &table).await;
    let (status, body) = import(
        &admin,
        &format!(
            "?department={}&year={}&apply=true",
            table.budget_code(),
            table.doc["year"]
        ),
        table_xlsx(&table),
    )
    .await;
    assert_eq!(status, 422, "{file}: {body}");
    let errors = body["errors"].as_array().unwrap();
    let pointer = format!("/files/0/sheets/自评表{at}");
    assert!(
        errors
            .iter()
            .any(|e| s(&e["pointer"]) == pointer && e["code"] == code),
        "{file}: {code} at {pointer}: {body}"
    );
    let res = admin.get("/api/v1/evaluations").send().await.unwrap();
    let (_, list) = json(res).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
}

macro_rules! fixtures_refused {
    ($($name:ident => $file:literal at $at:literal, $code:literal,)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                on_each_db(|app| fixture_refused(app, $file, $at, $code)).await;
            }
        )*
    };
}

// Every fixture that real_tables.rs refuses (`Expected::Refused`).
fixtures_refused! {
    // A budget header with no 年度资金总额 row (its amounts could not be placed): no budget.
    import_xlsx_10_jishan_refused_without_budget_amounts =>
        "10-shanxi-jishan-public-health.json" at "/evaluation/budget", "field.missing",
    // Only the tail of the table: no budget block.
    import_xlsx_14_daying_refused_tail_only =>
        "14-sichuan-daying-justice-cost-tail-2023.json" at "/evaluation/budget", "field.missing",
    // OCR damage: the weight cell printed as `IO`.
    import_xlsx_15_yinchuan_refused_ocr_weight =>
        "15-ningxia-yinchuan-middle-school-public-funds-2021.json" at "/G18", "field.invalid",
    // Indicators under 指标名称 with no 一级指标 / 二级指标 columns: a layout the importer does
    // not know (its JSON is refused for the unreadable budget amounts).
    import_xlsx_16_chongqing_refused_unknown_layout =>
        "16-chongqing-science-city-media-center-department-2021.json" at "", "xlsx.unknown_layout",
}

/// Export → import (dry run) gives the same evaluation input.
#[tokio::test]
async fn import_xlsx_round_trip_of_the_exported_table() {
    on_each_db(|app| async move {
        for file in [
            "01-yunnan-yongde-nutrition.json",
            "09-anhui-tianchang-flood-control.json",
            // A department table (附件4).
            "07-anhui-jinzhai-department.json",
        ] {
            let table = load(file);
            let admin = set_up(&app, &table).await;
            let res = admin
                .post("/api/v1/evaluations")
                .json(&table.evaluation())
                .send()
                .await
                .unwrap();
            let (status, created) = json(res).await;
            assert_eq!(status, 201, "{created}");
            let id = s(&created["id"]);
            let res = admin
                .get(&format!("/api/v1/evaluations/{id}/table.xlsx"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["content-type"], XLSX);
            let bytes = res.bytes().await.unwrap().to_vec();
            let (status, body) = import(
                &admin,
                &format!("?department={}", table.budget_code()),
                bytes,
            )
            .await;
            assert_eq!(status, 200, "{body}");
            let sheet = &body["sheets"][0];
            let layout = if table.str("kind") == "project" {
                "attachment5_project"
            } else {
                "attachment4_department"
            };
            assert_eq!(sheet["layout"], layout, "{file}");
            assert_eq!(sheet["outcome"], "replaced", "{file}");
            assert_eq!(sheet["id"], created["id"]);
            let input = &sheet["input"];
            for key in ["kind", "year", "budget", "indicators", "claimed_total"] {
                assert_eq!(
                    compact(&input[key]),
                    compact(&created[key]),
                    "{file}: {key} after export and import"
                );
            }
            assert_eq!(sheet["computed"]["total"], created["computed"]["total"]);
        }
    })
    .await;
}

fn sheet_with(build: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("表1").unwrap();
    build(sheet);
    book.save_to_buffer().unwrap()
}

/// Bad input: each a problem with its location, nothing written.
#[tokio::test]
async fn import_xlsx_bad_inputs() {
    let app = spawn_with(Backend::Sqlite, |s| s.max_batch_bytes = 64 * 1024).await;
    let table = load("01-yunnan-yongde-nutrition.json");
    let admin = set_up(&app, &table).await;
    let q = format!("?department={}", table.budget_code());
    // Not a workbook: 422 at the file; another media type: 415.
    let (status, body) = import(&admin, &q, b"not a workbook".to_vec()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/files/0");
    assert_eq!(body["errors"][0]["code"], "xlsx.not_xlsx");
    let res = admin
        .post(&format!("/api/v1/evaluations/import{q}"))
        .header("Content-Type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    // A sheet in no known layout: named.
    let (status, body) = import(
        &admin,
        &q,
        sheet_with(|s| {
            s.write_string(0, 0, "采购清单").unwrap();
        }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/files/0/sheets/表1");
    assert_eq!(body["errors"][0]["code"], "xlsx.unknown_layout");
    // A formula without a saved value: the cell.
    let (status, body) = import(
        &admin,
        &q,
        sheet_with(|s| {
            s.write_string(0, 0, "2022年度项目支出绩效自评表").unwrap();
            s.write_string(1, 0, "一级指标").unwrap();
            s.write_string(1, 1, "二级指标").unwrap();
            s.write_string(1, 2, "分值").unwrap();
            s.write_string(2, 0, "产出指标").unwrap();
            s.write_string(2, 1, "数量指标").unwrap();
            // Saved without a calculated value, as some generators write formulas.
            s.set_formula_result_default("");
            s.write_formula(2, 2, Formula::new("=5+5")).unwrap();
        }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let pointers: Vec<String> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["pointer"]))
        .collect();
    assert!(
        pointers.contains(&"/files/0/sheets/表1/C3".to_owned()),
        "{body}"
    );
    // A bad cell: its address.
    let mut bytes = table_xlsx(&table);
    let (status, _) = import(&admin, &q, bytes.clone()).await;
    assert_eq!(status, 200);
    bytes = {
        let mut t = load("01-yunnan-yongde-nutrition.json");
        t.doc["indicators"]["rows"][0][7] = json!("十分");
        table_xlsx(&t)
    };
    let (status, body) = import(&admin, &q, bytes).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        s(&body["errors"][0]["pointer"]).starts_with("/files/0/sheets/自评表/H"),
        "{body}"
    );
    // Too large: 413.
    let (status, body) = import(&admin, &q, vec![b'P'; 70 * 1024]).await;
    assert_eq!(status, 413, "{body}");
    // Nothing was written by any of these.
    let res = admin.get("/api/v1/evaluations").send().await.unwrap();
    let (_, list) = json(res).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
}

/// Several files in one multipart request, the department as a form field.
#[tokio::test]
async fn import_xlsx_multipart_several_files() {
    on_each_db(|app| async move {
        let a = load("01-yunnan-yongde-nutrition.json");
        let admin = set_up(&app, &a).await;
        let bytes = table_xlsx(&a);
        let boundary = "XyZzy0123";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"department\"\r\n\r\n{}\r\n", a.budget_code())
                .as_bytes(),
        );
        for name in ["a.xlsx", "b.xlsx"] {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {XLSX}\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(&bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let res = admin
            .post("/api/v1/evaluations/import")
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, body) = json(res).await;
        assert_eq!(status, 200, "{body}");
        let sheets = body["sheets"].as_array().unwrap();
        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[1]["filename"], "b.xlsx");
        assert_eq!(sheets[1]["file"], 1);
    })
    .await;
}
