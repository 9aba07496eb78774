//! A page of evaluation summaries, or of indicator results, is read on SQLite as one JSON value
//! (`store::query::json_page`); it holds exactly the rows, in the order and with the values,
//! that reading them a row at a time gives, on every database.

use crate::helpers::backends;
use jixiao::store::evaluations::{self as evaluation_store, summaries};

/// A database of 3 departments × 2 years (18 evaluations, 360 indicator results).
async fn generated(backend: crate::helpers::Backend) -> (sea_orm::DatabaseConnection, impl Drop) {
    crate::generated_database(backend, 3).await
}

#[tokio::test]
async fn indicator_pages_read_as_json_equal_the_rows_read_one_by_one() {
    use jixiao::store::evaluations::indicator_results as rows;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    for backend in backends() {
        let (db, _guard) = generated(backend).await;
        let filter = rows::Filter {
            place: jixiao::store::query::Placement {
                scope_prefix: "43".to_owned(),
                ..Default::default()
            },
            ..rows::Filter::default()
        };
        let (mut after, mut seen, mut outcomes) = (None::<String>, 0, Vec::new());
        loop {
            let (page, more) = rows::list(&db, &filter, after.as_deref(), 50)
                .await
                .expect("page");
            let keys: Vec<String> = page.iter().map(|r| r.cursor()).collect();
            let page: Vec<(rows::Model, Option<String>)> =
                page.into_iter().map(rows::Listed::into_parts).collect();
            // Each row with its evaluation's department, read in the page's statement.
            for (row, department) in &page {
                let evaluation =
                    jixiao::store::evaluations::Entity::find_by_id(row.evaluation_id.clone())
                        .one(&db)
                        .await
                        .expect("evaluation")
                        .expect("the row's evaluation");
                assert_eq!(
                    department.as_deref(),
                    Some(evaluation.department_id.as_str())
                );
            }
            let page: Vec<rows::Model> = page.into_iter().map(|(row, _)| row).collect();
            let evaluations: std::collections::BTreeSet<&str> =
                page.iter().map(|r| r.evaluation_id.as_str()).collect();
            let one_by_one: Vec<rows::Model> = rows::Entity::find()
                .filter(rows::Column::EvaluationId.is_in(evaluations))
                .order_by_asc(rows::Column::EvaluationId)
                .order_by_asc(rows::Column::Position)
                .all(&db)
                .await
                .expect("rows")
                .into_iter()
                .filter(|r| keys.contains(&r.cursor()))
                .collect();
            assert_eq!(page, one_by_one, "{backend:?}: after {after:?}");
            outcomes.extend(page.iter().map(|r| r.achieved));
            seen += page.len();
            after = keys.last().cloned();
            if !more {
                break;
            }
            assert_eq!(page.len(), 50, "{backend:?}");
        }
        assert_eq!(seen, 360, "{backend:?}");
        assert!(outcomes.contains(&Some(true)) && outcomes.contains(&Some(false)));
    }
}

#[tokio::test]
async fn a_page_read_as_json_equals_the_rows_read_one_by_one() {
    for backend in backends() {
        let (db, _guard) = generated(backend).await;
        let filter = evaluation_store::Filter {
            place: jixiao::store::query::Placement {
                scope_prefix: "43".to_owned(),
                ..Default::default()
            },
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
