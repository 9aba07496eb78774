//! Pages of indicator results are read in key order from an index and stop after a page: no
//! filter the API offers makes SQLite sort the rows it selects. Before migration `…000080`,
//! a filter on 一级指标 alone sorted 400,000 rows of the 1M set for one page (3.8 s), a filter on
//! the year alone every row of the year (190–410 ms). SQLite only: the storage figure is
//! SQLite's, and PostgreSQL plans by its statistics.
//!
//! A department's rows (a department's own caller, or a filter on one) are found through an
//! index, never by reading every row: before, one department's page read all 1M rows (2.2 s)
//! and its counts all of the achievement index (1.2 s). Since migration `…000110` they are
//! found through the department's evaluations, each a range of the rows' key; never by
//! reading the rows of a year (a tenth of the 1M set) from another index.

use jixiao::store::evaluations::indicator_results::{self as rows, Filter, Selection};
use jixiao::store::query::Placement;
use sea_orm::{ConnectionTrait, Database, DbBackend, QuerySelect, QueryTrait, Statement};

use crate::helpers::{Backend, empty_database};

fn filters() -> Vec<(&'static str, Filter)> {
    let base = Filter {
        place: Placement {
            scope_prefix: "43".to_owned(),
            ..Placement::default()
        },
        ..Filter::default()
    };
    let year = Filter {
        place: Placement {
            year: Some(2024),
            ..base.place.clone()
        },
        ..base.clone()
    };
    vec![
        ("no filter", base.clone()),
        ("year", year.clone()),
        (
            "year and region",
            Filter {
                place: Placement {
                    region_prefix: Some("4304".to_owned()),
                    ..year.place.clone()
                },
                ..year.clone()
            },
        ),
        (
            "year, level 1 and achieved",
            Filter {
                level1: Some("产出指标".to_owned()),
                achieved: Some(false),
                ..year.clone()
            },
        ),
        (
            "level 1",
            Filter {
                level1: Some("产出指标".to_owned()),
                ..base.clone()
            },
        ),
        (
            "levels 1 and 2",
            Filter {
                level1: Some("产出指标".to_owned()),
                level2: Some("数量指标".to_owned()),
                ..base.clone()
            },
        ),
        (
            "status and year",
            Filter {
                place: Placement {
                    statuses: Some(vec!["submitted".to_owned(), "approved".to_owned()]),
                    ..year.place.clone()
                },
                ..year
            },
        ),
    ]
}

/// The steps of SQLite's plan for `select`.
async fn plan<S: QueryTrait>(db: &impl ConnectionTrait, select: &S) -> Vec<String> {
    let statement = select.build(DbBackend::Sqlite);
    let plan = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!("EXPLAIN QUERY PLAN {}", statement.sql),
            statement.values.map(|v| v.0).unwrap_or_default(),
        ))
        .await
        .expect("plan");
    plan.iter()
        .map(|row| row.try_get::<String>("", "detail").expect("detail"))
        .collect()
}

async fn migrated() -> (sea_orm::DatabaseConnection, impl Drop) {
    let (url, guard) = empty_database(Backend::Sqlite).await;
    let db = Database::connect(url.as_str()).await.expect("connect");
    jixiao::app::migrate_up(&db).await.expect("migrate");
    (db, guard)
}

#[tokio::test]
async fn a_departments_rows_are_found_by_index() {
    let (db, _guard) = migrated().await;
    let departments = [
        Some(vec!["01a2370d-c35d-7198-a541-0d25b5f5c53d".to_owned()]),
        Some(vec!["a".to_owned(), "b".to_owned()]),
    ];
    let narrowed = [(None, None), (Some("产出指标"), Some(false))];
    for (scope, (year, (level1, achieved))) in departments.iter().flat_map(|scope| {
        [None, Some(2024)]
            .into_iter()
            .flat_map(move |year| narrowed.map(|n| (scope, (year, n))))
    }) {
        let filter = Filter {
            place: Placement {
                scope_prefix: "43".to_owned(),
                scope_department_ids: scope.clone(),
                year,
                ..Placement::default()
            },
            level1: level1.map(str::to_owned),
            achieved,
            ..Filter::default()
        };
        let page = rows::in_order(rows::condition(&filter), None).limit(101);
        let by_scope = Selection {
            filter: filter.clone(),
            ..Selection::default()
        };
        let by_filter = Selection {
            filter: Filter {
                place: Placement {
                    scope_department_ids: None,
                    ..filter.place.clone()
                },
                ..filter.clone()
            },
            department_id: Some("01a2370d-c35d-7198-a541-0d25b5f5c53d".to_owned()),
            ..Selection::default()
        };
        for (what, steps) in [
            ("page", plan(&db, &page).await),
            (
                "counts",
                plan(&db, &rows::achievement_counts_select(&by_scope)).await,
            ),
            (
                "counts of one department",
                plan(&db, &rows::achievement_counts_select(&by_filter)).await,
            ),
            (
                "page of one department",
                plan(&db, &rows::in_order(by_filter.condition(), None).limit(101)).await,
            ),
        ] {
            let reads = steps.iter().filter(|s| s.contains(" indicator_results "));
            for step in reads {
                assert!(
                    step.starts_with("SEARCH") && step.contains("evaluation_id=?"),
                    "{what} of departments {scope:?}, year {year:?}, level 1 {level1:?}: \
                     `{step}` does not read by the evaluations' keys: {steps:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn indicator_pages_are_never_sorted() {
    let (db, _guard) = migrated().await;
    for (name, filter) in filters() {
        for after in [None, Some("0199:0001")] {
            let select = rows::in_order(rows::condition(&filter), after).limit(101);
            let steps = plan(&db, &select).await;
            assert!(
                steps.iter().all(|s| !s.contains("TEMP B-TREE")),
                "{name} (after {after:?}) sorts its rows: {steps:?}"
            );
        }
    }
}

#[tokio::test]
async fn evaluation_summary_pages_are_never_sorted() {
    use jixiao::store::evaluations::{Filter as EvaluationFilter, summaries};
    let (db, _guard) = migrated().await;
    let year_and_region = Placement {
        scope_prefix: "43".to_owned(),
        year: Some(2024),
        region_prefix: Some("4304".to_owned()),
        ..Placement::default()
    };
    let filters = [
        ("national scope", EvaluationFilter::default()),
        (
            "year, region and kind",
            EvaluationFilter {
                place: year_and_region,
                kind: Some("project".to_owned()),
                ..EvaluationFilter::default()
            },
        ),
    ];
    for (name, filter) in filters {
        let steps = plan(&db, &summaries::page_select(&filter, None, 100)).await;
        // With the region as a range of codes, SQLite read the region's rows of every year
        // from the region index and sorted them (1 s a page at 1M, against 10 ms).
        assert!(
            steps.iter().all(|s| !s.contains("TEMP B-TREE")),
            "{name} sorts its rows: {steps:?}"
        );
    }
}
