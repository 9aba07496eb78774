//! Exports: the seed's evaluations and indicator rows as CSV and XLSX, read back (the XLSX
//! with calamine) to the same figures.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_decimal::Decimal;

use crate::helpers::{TestApp, json, on_each_db, problem};
use crate::seed::load_seed;

const EVALUATION_HEADERS: [&str; 22] = [
    "年度",
    "行政区划",
    "部门",
    "预算单位编码",
    "类型",
    "项目",
    "状态",
    "规则集",
    "年初预算数（万元）",
    "全年预算数（万元）",
    "全年执行数（万元）",
    "执行率",
    "自评总分",
    "计算总分",
    "最终总分",
    "等级",
    "得分依据",
    "错误数",
    "警告数",
    "更新时间（北京时间 UTC+8）",
    "行政区划名称",
    "评价ID",
];

const INDICATOR_HEADERS: [&str; 17] = [
    "年度",
    "行政区划",
    "部门",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "自评得分",
    "计算得分",
    "是否达成",
    "行政区划名称",
    "预算单位编码",
    "类型",
    "项目",
    "评价ID",
];

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An RFC 4180 reader: quoted fields, doubled quotes, CRLF records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => record.push(std::mem::take(&mut field)),
                '\r' => {
                    assert_eq!(chars.next(), Some('\n'), "CRLF line ends");
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                _ => field.push(c),
            }
        }
    }
    assert!(field.is_empty() && record.is_empty(), "ends with CRLF");
    records
}

struct Download {
    content_type: String,
    disposition: String,
    body: Vec<u8>,
}

async fn download(app: &TestApp, path: &str) -> Download {
    let res = app.get(path).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "{path}");
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let content_type = header("content-type");
    let disposition = header("content-disposition");
    let body = res.bytes().await.unwrap().to_vec();
    Download {
        content_type,
        disposition,
        body,
    }
}

/// The CSV's records (header first), checking the type and the byte-order mark.
async fn csv(app: &TestApp, path: &str) -> (Download, Vec<Vec<String>>) {
    let d = download(app, path).await;
    assert_eq!(d.content_type, "text/csv; charset=utf-8");
    let text = std::str::from_utf8(&d.body).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("UTF-8 byte-order mark");
    let records = parse_csv(text);
    (d, records)
}

/// The sheet's rows as text: numbers as the CSV writes them (the header says which are
/// percentages, integers or two-decimal figures).
fn xlsx(body: &[u8], sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(body.to_vec())).unwrap();
    assert_eq!(wb.sheet_names(), vec![sheet.to_owned()]);
    let range = wb.worksheet_range(sheet).unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(col, cell)| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) if i > 0 => match header[col].as_str() {
                        "执行率" => format!("{:.2}%", f * 100.0),
                        "年度" | "错误数" | "警告数" => format!("{f:.0}"),
                        _ => format!("{f:.2}"),
                    },
                    Data::Int(n) => n.to_string(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect()
}

fn column(records: &[Vec<String>], name: &str) -> Vec<String> {
    let i = records[0].iter().position(|h| h == name).unwrap();
    records[1..].iter().map(|r| r[i].clone()).collect()
}

fn sum(values: &[String]) -> Decimal {
    values
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse::<Decimal>().unwrap())
        .sum()
}

#[tokio::test]
async fn evaluations_export_as_csv_and_xlsx() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let (d, records) = csv(&app, "/api/v1/exports/evaluations.csv?year=2024").await;
        assert!(
            d.disposition
                .starts_with("attachment; filename=\"evaluations-2024.csv\"; filename*=UTF-8''"),
            "{}",
            d.disposition
        );
        assert_eq!(records[0], EVALUATION_HEADERS);
        assert_eq!(records.len(), 1 + 3);
        for r in &records[1..] {
            assert_eq!(r.len(), EVALUATION_HEADERS.len());
            assert_eq!(r[0], "2024");
            assert_eq!(r[1], "430424");
            assert!(r[2].contains("衡东"), "{r:?}");
            assert_eq!(r[3], "901424");
            assert_eq!(r[6], "草稿");
            assert_eq!(r[15], "优");
            assert_eq!(r[16], "计算");
        }
        let full_year = column(&records, "全年预算数（万元）");
        let mut sorted = full_year.clone();
        sorted.sort();
        assert_eq!(sorted, ["19.87", "2135.42", "38.20"]);
        assert_eq!(sum(&full_year).to_string(), "2193.49");
        assert_eq!(
            sum(&column(&records, "全年执行数（万元）")).to_string(),
            "2193.49"
        );
        assert!(
            column(&records, "执行率").iter().all(|r| r == "100.00%"),
            "{records:?}"
        );
        let mut totals = column(&records, "计算总分");
        totals.sort();
        assert_eq!(totals, ["100.00", "90.00", "95.00"]);
        // Nothing is reviewed: the final totals are the computed ones, and say so.
        let mut finals = column(&records, "最终总分");
        finals.sort();
        assert_eq!(finals, totals);
        assert!(column(&records, "得分依据").iter().all(|b| b == "计算"));
        let department = records[1..]
            .iter()
            .find(|r| r[4] == "部门整体支出")
            .unwrap();
        assert_eq!(department[9], "2135.42");
        assert_eq!(department[13], "90.00");
        assert_eq!(department[5], "", "no project");
        let projects: Vec<&Vec<String>> =
            records[1..].iter().filter(|r| r[4] == "项目支出").collect();
        assert_eq!(projects.len(), 2);
        for p in projects {
            assert!(!p[5].is_empty(), "the project's name: {p:?}");
            assert_eq!(p[12], "100.00", "claimed total");
        }

        // The workbook holds the same figures.
        let d = download(&app, "/api/v1/exports/evaluations.xlsx?year=2024").await;
        assert_eq!(d.content_type, XLSX);
        assert!(
            d.disposition
                .starts_with("attachment; filename=\"evaluations-2024.xlsx\""),
            "{}",
            d.disposition
        );
        let rows = xlsx(&d.body, "绩效自评");
        assert_eq!(rows, records);
        assert_eq!(
            sum(&column(&rows, "全年预算数（万元）")).to_string(),
            "2193.49"
        );
    })
    .await;
}

#[tokio::test]
async fn the_evaluation_export_filters_as_the_list_does() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        // Filters as on the list.
        let (_, records) = csv(&app, "/api/v1/exports/evaluations.csv?kind=project").await;
        assert_eq!(records.len(), 1 + 2);
        let (d, records) = csv(&app, "/api/v1/exports/evaluations.csv?region=430424").await;
        assert!(
            d.disposition
                .contains("filename=\"evaluations-430424.csv\"")
        );
        assert_eq!(records.len(), 1 + 3);
        let (d, _) = csv(&app, "/api/v1/exports/evaluations.csv").await;
        assert!(d.disposition.contains("filename=\"evaluations.csv\""));
        let res = app
            .get("/api/v1/exports/evaluations.csv?status=done")
            .send()
            .await
            .unwrap();
        let body = problem(res, 400, "request.invalid_query").await;
        assert_eq!(body["errors"][0]["parameter"], "status");
        let res = app
            .get("/api/v1/exports/evaluations.xlsx?page_size=10")
            .send()
            .await
            .unwrap();
        problem(res, 400, "request.invalid_query").await;
    })
    .await;
}

#[tokio::test]
async fn indicator_results_export_as_csv_and_xlsx() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let (s, listed) = json(
            app.get("/api/v1/indicator-results?page_size=500")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 200);
        let listed = listed["items"].as_array().unwrap().clone();
        let (d, records) = csv(&app, "/api/v1/exports/indicator-results.csv?year=2024").await;
        assert!(
            d.disposition.starts_with(
                "attachment; filename=\"indicator-results-2024.csv\"; filename*=UTF-8''"
            ),
            "{}",
            d.disposition
        );
        assert_eq!(records[0], INDICATOR_HEADERS);
        assert_eq!(records.len(), 1 + listed.len());
        // Row by row, in the list's order, with two-decimal figures.
        let two = |v: &serde_json::Value| {
            v.as_str().map_or(String::new(), |s| {
                format!("{:.2}", s.parse::<Decimal>().unwrap())
            })
        };
        for (r, item) in records[1..].iter().zip(&listed) {
            assert_eq!(r[3], item["level1"].as_str().unwrap());
            assert_eq!(r[4], item["level2"].as_str().unwrap());
            assert_eq!(r[8], two(&item["weight"]), "{item}");
            assert_eq!(r[9], two(&item["claimed"]));
            assert_eq!(r[10], two(&item["computed"]));
            let achieved = match item["achieved"].as_bool() {
                Some(true) => "是",
                Some(false) => "否",
                None => "",
            };
            assert_eq!(r[11], achieved);
        }
        let computed: Decimal = listed
            .iter()
            .filter_map(|i| i["computed"].as_str())
            .map(|s| s.parse::<Decimal>().unwrap())
            .sum();
        assert_eq!(sum(&column(&records, "计算得分")), computed);

        let d = download(&app, "/api/v1/exports/indicator-results.xlsx?year=2024").await;
        assert_eq!(d.content_type, XLSX);
        let rows = xlsx(&d.body, "绩效指标");
        assert_eq!(rows, records);

        let (_, records) = csv(
            &app,
            "/api/v1/exports/indicator-results.csv?achieved=true&kind=department",
        )
        .await;
        let wanted = listed
            .iter()
            .filter(|i| i["achieved"] == true && i["kind"] == "department")
            .count();
        assert_eq!(records.len(), 1 + wanted);
    })
    .await;
}

/// The indicator export joins to the evaluation export by 评价ID, and both name the region,
/// the budget code and the project as the lists do; times are Beijing time.
#[tokio::test]
async fn the_exports_join_and_name_what_they_hold() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let (_, evaluations) = csv(&app, "/api/v1/exports/evaluations.csv").await;
        let (_, indicators) = csv(&app, "/api/v1/exports/indicator-results.csv").await;
        let (_, listed) = json(app.get("/api/v1/evaluations").send().await.unwrap()).await;
        let listed = listed["items"].as_array().unwrap().clone();
        let ids = column(&evaluations, "评价ID");
        assert_eq!(ids.len(), listed.len());
        let offset = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        for item in &listed {
            let id = item["id"].as_str().unwrap();
            let row = evaluations[1..]
                .iter()
                .find(|r| r.last().map(String::as_str) == Some(id))
                .unwrap_or_else(|| panic!("{id} not exported"));
            let at =
                |name: &str| row[evaluations[0].iter().position(|h| h == name).unwrap()].clone();
            assert_eq!(at("行政区划名称"), item["region_name"].as_str().unwrap());
            assert_eq!(
                at("预算单位编码"),
                item["department_budget_code"].as_str().unwrap()
            );
            assert_eq!(at("项目"), item["project_name"].as_str().unwrap_or(""));
            let updated: chrono::DateTime<chrono::Utc> =
                item["updated_at"].as_str().unwrap().parse().unwrap();
            assert_eq!(
                at("更新时间（北京时间 UTC+8）"),
                updated
                    .with_timezone(&offset)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            );
        }
        // Every indicator row names an exported evaluation, and the same names as it.
        assert!(indicators.len() > 10);
        let header = &indicators[0];
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        for r in &indicators[1..] {
            let id = &r[col("评价ID")];
            let e = evaluations[1..]
                .iter()
                .find(|e| e.last() == Some(id))
                .unwrap_or_else(|| panic!("indicator row of {id}: no such evaluation exported"));
            let e_col =
                |name: &str| e[evaluations[0].iter().position(|h| h == name).unwrap()].clone();
            for name in [
                "行政区划名称",
                "预算单位编码",
                "类型",
                "项目",
                "部门",
                "年度",
            ] {
                assert_eq!(r[col(name)], e_col(name), "{name}");
            }
        }
        // The XLSX has the same columns.
        let d = download(&app, "/api/v1/exports/indicator-results.xlsx").await;
        assert_eq!(xlsx(&d.body, "绩效指标"), indicators);
    })
    .await;
}

#[tokio::test]
async fn exports_are_scoped() {
    on_each_db(|app| async move {
        load_seed(&app).await;
        let viewer = app.as_(Some(app.token("viewer", "430000")));
        let sibling = app.as_(Some(app.token("admin", "430426")));
        for who in [&viewer, &sibling] {
            let (_, records) = csv(who, "/api/v1/exports/evaluations.csv").await;
            assert_eq!(
                records,
                vec![EVALUATION_HEADERS.map(str::to_owned).to_vec()]
            );
            let (_, records) = csv(who, "/api/v1/exports/indicator-results.csv").await;
            assert_eq!(records, vec![INDICATOR_HEADERS.map(str::to_owned).to_vec()]);
            let d = download(who, "/api/v1/exports/evaluations.xlsx").await;
            assert_eq!(xlsx(&d.body, "绩效自评").len(), 1, "the header only");
            let d = download(who, "/api/v1/exports/indicator-results.xlsx").await;
            assert_eq!(xlsx(&d.body, "绩效指标").len(), 1, "the header only");
        }
        // A department outside the scope: the header only, as the list answers empty.
        let (_, records) = csv(
            &sibling,
            "/api/v1/exports/evaluations.csv?department_id=901424",
        )
        .await;
        assert_eq!(records.len(), 1);
        // Without a token: a 401 problem, not a file.
        let res = app
            .as_(None)
            .get("/api/v1/exports/evaluations.csv")
            .send()
            .await
            .unwrap();
        problem(res, 401, "auth.missing_token").await;
    })
    .await;
}

#[tokio::test]
async fn exports_stream_page_by_page() {
    // One row a query: every row after the first comes from a later page of the stream.
    for backend in crate::helpers::backends() {
        let app = crate::helpers::spawn_with(backend, |s| s.max_page_size = 1).await;
        load_seed(&app).await;
        let (_, records) = csv(&app, "/api/v1/exports/evaluations.csv").await;
        assert_eq!(records.len(), 1 + 3);
        let ids: Vec<String> = {
            let mut all = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let path = match &token {
                    Some(t) => format!("/api/v1/indicator-results?page_size=1&page_token={t}"),
                    None => "/api/v1/indicator-results?page_size=1".to_owned(),
                };
                let (s, v) = json(app.get(&path).send().await.unwrap()).await;
                assert_eq!(s, 200);
                for i in v["items"].as_array().unwrap() {
                    all.push(i["level3"].as_str().unwrap().to_owned());
                }
                match v["next_page_token"].as_str() {
                    Some(t) => token = Some(t.to_owned()),
                    None => break,
                }
            }
            all
        };
        let (_, records) = csv(&app, "/api/v1/exports/indicator-results.csv").await;
        assert_eq!(column(&records, "三级指标"), ids);
        let d = download(&app, "/api/v1/exports/indicator-results.xlsx").await;
        assert_eq!(xlsx(&d.body, "绩效指标"), records);
        app.finish().await;
    }
}
