//! The evaluation aggregates that cells answer are added up by the database
//! (`store::evaluations::cells::summed`, migration `…000120`): the answers are the same as
//! the evaluations' own sums, figure for figure and decimal for decimal, for every grouping
//! and region level; a cell without exact sums sends the request back to the summaries.

use jixiao::app::stats::{self, Grouping};
use jixiao::domain::region::RegionLevel;
use jixiao::domain::stats::{self as domain_stats, Dimension, Facts};
use jixiao::store::evaluations::{self as evaluation_store, cells};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::helpers::backends;

/// The aggregates from the evaluations themselves, as the contract shows them.
async fn recount(db: &DatabaseConnection, grouping: &Grouping) -> serde_json::Value {
    let rows = evaluation_store::stats_rows(db, &evaluation_store::Filter::default())
        .await
        .expect("stats rows");
    let facts: Vec<Facts> = rows.into_iter().map(Facts::from).collect();
    let a = domain_stats::aggregate(&facts, &grouping.dims, grouping.level);
    let groups: Vec<_> = a.groups.values().map(stats::summary_dto).collect();
    serde_json::json!({ "overall": stats::summary_dto(&a.overall), "groups": groups })
}

/// The aggregates as the service answers them (the summed cells, when they can).
async fn answered(db: &DatabaseConnection, grouping: &Grouping) -> serde_json::Value {
    let principal = jixiao::generate::principal().expect("principal");
    let a = stats::evaluation_aggregates(db, &principal, &Default::default(), grouping)
        .await
        .expect("aggregates");
    let groups: Vec<_> = a.groups.values().map(stats::summary_dto).collect();
    serde_json::json!({ "overall": stats::summary_dto(&a.overall), "groups": groups })
}

#[tokio::test]
async fn the_database_adds_cells_up_as_the_evaluations_sum() {
    for backend in backends() {
        let (db, _guard) = crate::generated_database(backend, 12).await;
        let groupings = [
            (vec![], RegionLevel::County),
            (
                vec![Dimension::Region, Dimension::Year],
                RegionLevel::County,
            ),
            (vec![Dimension::Region], RegionLevel::City),
            (vec![Dimension::Kind, Dimension::Grade], RegionLevel::County),
            (
                vec![Dimension::Status, Dimension::Basis, Dimension::Year],
                RegionLevel::Province,
            ),
        ];
        for (dims, level) in groupings {
            let grouping = Grouping { dims, level };
            let summed = cells::summed(&db, &Default::default(), &grouping.dims)
                .await
                .expect("summed");
            assert!(
                summed.is_some(),
                "{backend:?} {grouping:?}: the generated cells have exact sums"
            );
            assert_eq!(
                answered(&db, &grouping).await,
                recount(&db, &grouping).await,
                "{backend:?} {grouping:?}"
            );
        }

        // One cell without exact sums: the summaries answer, the same.
        db.execute_unprepared(
            "UPDATE evaluation_cells SET exact = 0 WHERE region_code = \
             (SELECT MIN(region_code) FROM evaluation_cells)",
        )
        .await
        .expect("mark a cell");
        let grouping = Grouping {
            dims: vec![Dimension::Region, Dimension::Year],
            level: RegionLevel::County,
        };
        let summed = cells::summed(&db, &Default::default(), &grouping.dims)
            .await
            .expect("summed");
        assert!(
            summed.is_none(),
            "{backend:?}: an inexact cell is not summed"
        );
        assert_eq!(
            answered(&db, &grouping).await,
            recount(&db, &grouping).await,
            "{backend:?}: the summaries answer"
        );
    }
}
