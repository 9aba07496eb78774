//! Evaluations: create and delete land whole or not at all.

use jixiao::app::evaluations;
use jixiao::domain::policy::{Principal, Role};
use jixiao::domain::region::RegionCode;
use jixiao::model::evaluation_dto::EvaluationInput;
use jixiao::store::{
    self, changes,
    evaluations::{cells as evaluation_cells, indicator_results},
    history,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::helpers::{Backend, backends, empty_database};

/// A migrated database holding the seed's departments, projects and funds (no evaluation
/// yet), an admin of 湖南省, and the seed's department evaluation to write.
struct Fixture<D> {
    db: DatabaseConnection,
    url: String,
    principal: Principal,
    input: EvaluationInput,
    _database: D,
}

async fn fixture(backend: Backend) -> Fixture<impl Drop> {
    let (url, database) = empty_database(backend).await;
    let db = store::connect(&url, 0).await.expect("connect");
    jixiao::app::migrate_up(&db).await.expect("migrate");
    let principal = Principal {
        subject: "app-test".into(),
        role: Role::Admin,
        region: RegionCode::parse("430000").expect("region"),
        departments: None,
    };
    let mut file = jixiao::import::parse(jixiao::import::SEED).expect("seed");
    let entries = std::mem::take(&mut file.evaluations);
    jixiao::import::run(&db, &principal, &file)
        .await
        .expect("import the seed's departments, projects and funds");
    let input = entries
        .into_iter()
        .find(|e| e.project_ref.is_none())
        .expect("the seed's department evaluation")
        .evaluation;
    Fixture {
        db,
        url,
        principal,
        input,
        _database: database,
    }
}

/// What an evaluation's writes leave behind: its live rows, flat indicator results, history
/// entries and feed entries.
#[derive(Debug, PartialEq, Eq)]
struct Traces {
    live: u64,
    indicator_results: u64,
    history: u64,
    feed: u64,
}

async fn traces(db: &DatabaseConnection, id: Option<&str>) -> Traces {
    use jixiao::store::evaluations as rows;
    let live = match id {
        Some(id) => rows::get(db, id).await.unwrap().into_iter().count() as u64,
        None => rows::Entity::find()
            .filter(rows::Column::DeletedAt.is_null())
            .count(db)
            .await
            .unwrap(),
    };
    let results = indicator_results::Entity::find();
    let entries = history::Entity::find();
    let feed = changes::Entity::find().filter(changes::Column::Entity.eq("evaluation"));
    let (results, entries, feed) = match id {
        Some(id) => (
            results.filter(indicator_results::Column::EvaluationId.eq(id)),
            entries.filter(history::Column::EvaluationId.eq(id)),
            feed.filter(changes::Column::EntityId.eq(id)),
        ),
        None => (results, entries, feed),
    };
    Traces {
        live,
        indicator_results: results.count(db).await.unwrap(),
        history: entries.count(db).await.unwrap(),
        feed: feed.count(db).await.unwrap(),
    }
}

/// The aggregate cells as stored, after checking that they are what the live evaluations
/// sum to: (evaluations counted in evaluation cells, indicator rows counted in indicator cells).
async fn cells(db: &DatabaseConnection) -> (i64, i64) {
    let (stored, recount) = jixiao::app::cells::evaluation_cells_and_recount(db)
        .await
        .unwrap();
    assert_eq!(stored, recount);
    let (indicators, expected) = jixiao::app::cells::indicator_cells_and_recount(db)
        .await
        .unwrap();
    assert_eq!(indicators, expected);
    let evaluations = evaluation_cells::Entity::find().all(db).await.unwrap();
    (
        evaluations.iter().map(|c| c.count).sum(),
        indicators.values().sum(),
    )
}

/// Renames a table away and back, so that writes to it fail in between.
async fn rename(db: &DatabaseConnection, from: &str, to: &str) {
    db.execute_unprepared(&format!("ALTER TABLE {from} RENAME TO {to}"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_create_leaves_its_row_history_feed_entry_and_cells() {
    for backend in backends() {
        let f = fixture(backend).await;
        let rows = f.input.indicators.len() as u64;
        assert!(rows > 0);
        let m = evaluations::create(&f.db, &f.principal, &f.input)
            .await
            .expect("create");
        let expected = Traces {
            live: 1,
            indicator_results: rows,
            history: 1,
            feed: 1,
        };
        assert_eq!(traces(&f.db, Some(&m.id)).await, expected, "{backend:?}");
        assert_eq!(cells(&f.db).await, (1, rows as i64), "{backend:?}");
        let cell = evaluation_cells::Entity::find_by_id((
            m.region_code.clone(),
            m.year,
            m.kind.clone(),
            m.grade.clone(),
            m.status.clone(),
            m.score_basis.clone(),
        ))
        .one(&f.db)
        .await
        .unwrap()
        .expect("the evaluation's cell");
        assert_eq!(cell.count, 1, "{backend:?}");
    }
}

/// A create whose write fails at `table` (after its rows, as every step but the first
/// writes), with the table renamed away for the attempt: nothing of it remains.
async fn a_create_failing_at(table: &str) {
    for backend in backends() {
        let f = fixture(backend).await;
        // On PostgreSQL a write owes the cells (`pending_cells`) rather than changing them.
        let table = match (backend, table) {
            (Backend::Postgres, "evaluation_cells") => "pending_cells",
            _ => table,
        };
        let away = format!("{table}_away");
        rename(&f.db, table, &away).await;
        let failed = evaluations::create(&f.db, &f.principal, &f.input).await;
        rename(&f.db, &away, table).await;
        assert!(
            failed.is_err(),
            "{backend:?}: the create succeeded without {table}"
        );
        let none = Traces {
            live: 0,
            indicator_results: 0,
            history: 0,
            feed: 0,
        };
        assert_eq!(traces(&f.db, None).await, none, "{backend:?}, {table}");
        assert_eq!(cells(&f.db).await, (0, 0), "{backend:?}, {table}");
        // And the same create then lands whole.
        let m = evaluations::create(&f.db, &f.principal, &f.input)
            .await
            .expect("create");
        assert_eq!(traces(&f.db, Some(&m.id)).await.feed, 1, "{backend:?}");
    }
}

#[tokio::test]
async fn a_create_whose_feed_entry_fails_leaves_nothing() {
    a_create_failing_at("changes").await;
}

#[tokio::test]
async fn a_create_whose_cells_fail_leaves_nothing() {
    a_create_failing_at("evaluation_cells").await;
}

#[tokio::test]
async fn a_create_whose_history_fails_leaves_nothing() {
    a_create_failing_at("evaluation_history").await;
}

#[tokio::test]
async fn a_delete_whose_feed_entry_fails_leaves_the_evaluation_as_it_was() {
    for backend in backends() {
        let f = fixture(backend).await;
        let m = evaluations::create(&f.db, &f.principal, &f.input)
            .await
            .expect("create");
        let before = (traces(&f.db, Some(&m.id)).await, cells(&f.db).await);
        rename(&f.db, "changes", "changes_away").await;
        let failed = evaluations::delete(&f.db, &f.principal, &m.id, None).await;
        rename(&f.db, "changes_away", "changes").await;
        assert!(
            failed.is_err(),
            "{backend:?}: the delete succeeded without a feed"
        );
        let after = (traces(&f.db, Some(&m.id)).await, cells(&f.db).await);
        assert_eq!(after, before, "{backend:?}");
        // Then it deletes whole: a tombstone, its rows gone, a history and a feed entry more.
        evaluations::delete(&f.db, &f.principal, &m.id, None)
            .await
            .expect("delete");
        let deleted = Traces {
            live: 0,
            indicator_results: 0,
            history: 2,
            feed: 2,
        };
        assert_eq!(traces(&f.db, Some(&m.id)).await, deleted, "{backend:?}");
        assert_eq!(cells(&f.db).await, (0, 0), "{backend:?}");
    }
}

/// The stored bytes of every evaluation document and history entry: (packed, plain) counts,
/// and the total of their sizes.
async fn stored_bytes(db: &DatabaseConnection) -> (usize, usize, usize) {
    use migration::packing;
    let mut found = (0, 0, 0);
    for sql in [
        "SELECT document AS v FROM evaluations",
        "SELECT changes AS v FROM evaluation_history",
    ] {
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                sql,
            ))
            .await
            .unwrap();
        for row in rows {
            // Bytes; text on PostgreSQL below the migration that packs.
            let v: Vec<u8> = row
                .try_get("", "v")
                .or_else(|_| row.try_get::<String>("", "v").map(String::into_bytes))
                .unwrap();
            found.2 += v.len();
            if packing::is_packed(&v) {
                found.0 += 1;
            } else {
                found.1 += 1;
            }
        }
    }
    found
}

/// Documents and history are stored packed, at a fraction of their text; the migration that
/// packs them unpacks them going down (the earlier migrations read text) and packs them again
/// going up, and the evaluation reads the same throughout.
#[tokio::test]
async fn documents_and_history_are_stored_packed_and_the_migration_round_trips() {
    use jixiao::store::evaluations as rows;
    use migration::{Migrator, MigratorTrait};
    for backend in backends() {
        let f = fixture(backend).await;
        let m = evaluations::create(&f.db, &f.principal, &f.input)
            .await
            .expect("create");
        let text = rows::get(&f.db, &m.id).await.unwrap().unwrap().document;
        let (packed, plain, bytes) = stored_bytes(&f.db).await;
        assert_eq!((packed, plain), (2, 0), "{backend:?}");
        let history = history::Entity::find().one(&f.db).await.unwrap().unwrap();
        let texts = text.as_str().len() + history.changes.as_str().len();
        assert!(bytes * 3 < texts, "{backend:?}: {bytes} bytes for {texts}");

        // A column that changes type invalidates the statements PostgreSQL cached for it: each
        // step reads through a connection of its own.
        let fresh = async || store::connect(&f.url, 1).await.expect("connect");
        // Down to before the packing migration (and the ones after it).
        let packing = Migrator::migrations()
            .iter()
            .position(|m| m.name().ends_with("_pack_documents"))
            .expect("the packing migration");
        let steps = u32::try_from(Migrator::migrations().len() - packing).expect("steps");
        Migrator::down(&fresh().await, Some(steps))
            .await
            .expect("down");
        let db = fresh().await;
        assert_eq!(stored_bytes(&db).await.0, 0, "{backend:?}: unpacked");
        let raw = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT document AS v FROM evaluations",
            ))
            .await
            .unwrap()
            .unwrap();
        let v: String = raw.try_get("", "v").expect("text again");
        assert_eq!(v, text.as_str(), "{backend:?}");

        Migrator::up(&fresh().await, None).await.expect("up");
        let db = fresh().await;
        assert_eq!(
            stored_bytes(&db).await,
            (packed, plain, bytes),
            "{backend:?}"
        );
        let again = rows::get(&db, &m.id).await.unwrap().unwrap().document;
        assert_eq!(again, text, "{backend:?}");
    }
}
