//! A page of evaluation summaries is read on SQLite as one JSON value
//! (`store::query::json_page`); it holds exactly the rows, in the order and with the values,
//! that reading them a row at a time gives, on every database.

use jixiao::store::evaluations::{self as evaluation_store, summaries};
use sea_orm::Database;

use crate::helpers::{backends, empty_database};

#[tokio::test]
async fn a_page_read_as_json_equals_the_rows_read_one_by_one() {
    for backend in backends() {
        let (url, _guard) = empty_database(backend).await;
        let db = Database::connect(url.as_str()).await.expect("connect");
        jixiao::app::migrate_up(&db).await.expect("migrate");
        let options = jixiao::generate::Options {
            departments: 3,
            years: 2,
            last_year: 2024,
            seed: 7,
        };
        jixiao::generate::run(&db, &options, |_, _| {})
            .await
            .expect("generate");
        let filter = evaluation_store::Filter {
            scope_prefix: "43".to_owned(),
            ..evaluation_store::Filter::default()
        };
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut page = Vec::new();
            let more = summaries::page_each(&db, &filter, after.as_deref(), 7, |row| {
                page.push(row);
                Ok::<(), sea_orm::DbErr>(())
            })
            .await
            .expect("page");
            let ids: Vec<String> = page.iter().map(|r| r.id.clone()).collect();
            let mut sorted = ids.clone();
            sorted.sort();
            assert_eq!(ids, sorted, "{backend:?}: in id order");
            let one_by_one = summaries::by_ids(&db, &ids).await.expect("rows");
            assert_eq!(page, one_by_one, "{backend:?}: page {pages}");
            assert!(page.iter().any(|r| r.project_name.is_some()), "{backend:?}");
            assert!(
                page.iter().any(|r| r.budget_full_year.is_some()),
                "{backend:?}"
            );
            pages += 1;
            after = ids.last().cloned();
            if !more {
                assert!(page.len() <= 7);
                break;
            }
            assert_eq!(page.len(), 7, "{backend:?}: a full page before the last");
        }
        // 3 departments × 2 years × 3 evaluations, 7 to a page.
        assert_eq!(pages, 3, "{backend:?}");
    }
}
