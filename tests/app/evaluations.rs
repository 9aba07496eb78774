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

impl<D> Fixture<D> {
    /// Creates the seed's department evaluation.
    async fn create(&self) -> jixiao::store::evaluations::Model {
        evaluations::create(&self.db, &self.principal, &self.input)
            .await
            .expect("create")
    }

    /// The stored history entries of evaluation `id`, and whether each is still derived from
    /// the document (`app::evaluations::created`).
    async fn stored_history(&self, id: &str) -> Vec<bool> {
        history::of(&self.db, id)
            .await
            .expect("history")
            .iter()
            .map(|h| h.changes.as_str() == "\"from_document\"")
            .collect()
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
        let m = f.create().await;
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
        let m = f.create().await;
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
        let m = f.create().await;
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
        let m = f.create().await;
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

/// The history as the API reads it: each entry's seq, action, statuses and changes.
async fn history_read<D>(
    f: &Fixture<D>,
    id: &str,
) -> Vec<(i64, String, Option<String>, String, serde_json::Value)> {
    use jixiao::domain::policy::Action;
    let (m, stored) = evaluations::resolve(&f.db, &f.principal, id, Action::Read)
        .await
        .expect("resolve");
    evaluations::history_of(&f.db, &m, &stored)
        .await
        .expect("history")
        .into_iter()
        .map(|h| {
            let changes = serde_json::from_str(h.changes.as_str()).expect("changes are JSON");
            (h.seq, h.action, h.status_before, h.status_after, changes)
        })
        .collect()
}

/// A creation's history entry is the whole input, which the document holds already: it is
/// stored once (derived from the document) until a write changes the document, which writes
/// it out first. The history reads the same before and after, on both databases.
#[tokio::test]
async fn the_creation_entry_is_stored_once_and_reads_the_same_after_changes() {
    use jixiao::app::precondition::IfMatch;
    use jixiao::domain::workflow::Transition;
    for backend in backends() {
        let f = fixture(backend).await;
        let m = f.create().await;
        assert_eq!(f.stored_history(&m.id).await, [true], "{backend:?}");

        let created = history_read(&f, &m.id).await;
        let (seq, action, before, after, changes) = &created[0];
        assert_eq!(
            (*seq, action.as_str(), before, after.as_str()),
            (1, "created", &None, "draft")
        );
        let change = |pointer: &str| {
            changes
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["pointer"] == pointer)
                .cloned()
                .unwrap_or_else(|| panic!("{backend:?}: no change at {pointer}: {changes}"))
        };
        // Every field of the input, from nothing, and the status.
        assert_eq!(change("/year")["after"], f.input.year, "{backend:?}");
        assert!(change("/year")["before"].is_null(), "{backend:?}");
        assert_eq!(
            change("/indicators")["after"][0]["actual"],
            f.input.indicators[0].actual.as_str(),
            "{backend:?}"
        );
        assert_eq!(change("/status")["after"], "draft", "{backend:?}");

        // A change of the data: the creation entry is written out as it read, then the update.
        let mut edited = f.input.clone();
        edited.indicators[0].actual = "1个".into();
        let m = evaluations::replace(
            &f.db,
            &f.principal,
            &m.id,
            &IfMatch::parse("\"1\""),
            &edited,
        )
        .await
        .expect("replace");
        assert_eq!(f.stored_history(&m.id).await, [false, false], "{backend:?}");
        let now = history_read(&f, &m.id).await;
        assert_eq!(
            now[0], created[0],
            "{backend:?}: the creation entry reads as before"
        );
        let update = now[1].4.as_array().unwrap();
        assert_eq!(update.len(), 1, "{backend:?}: {update:?}");
        assert_eq!(update[0]["pointer"], "/indicators/0/actual", "{backend:?}");
        assert_eq!(update[0]["after"], "1个", "{backend:?}");

        // A state change after that reads the same again; a failed write leaves it as it was.
        evaluations::transition(&f.db, &f.principal, &m.id, Transition::Withdraw, None)
            .await
            .expect_err("a draft is not withdrawn");
        let again = history_read(&f, &m.id).await;
        assert_eq!(again, now, "{backend:?}");
    }
}

/// A creation's entry still derived from the document is written out even when the first
/// write after it changes only the state (a comment), and reads the same after; a refused
/// write (a submission with errors left) leaves it derived.
#[tokio::test]
async fn a_write_that_leaves_the_data_writes_the_creation_entry_out() {
    use jixiao::domain::workflow::Transition;
    use jixiao::model::comment_dto::CommentInput;
    for backend in backends() {
        let f = fixture(backend).await;
        let m = f.create().await;
        let created = history_read(&f, &m.id).await;
        // The seed's evaluation has errors: the submission is refused, nothing is written.
        evaluations::transition(&f.db, &f.principal, &m.id, Transition::Submit, None)
            .await
            .expect_err("errors remain");
        assert_eq!(f.stored_history(&m.id).await, [true], "{backend:?}");

        let comment = CommentInput {
            text: "请补充佐证材料".into(),
            row: Some(0),
        };
        jixiao::app::comments::add(&f.db, &f.principal, &m.id, comment)
            .await
            .expect("comment");
        assert_eq!(f.stored_history(&m.id).await, [false, false], "{backend:?}");
        assert_eq!(history_read(&f, &m.id).await[0], created[0], "{backend:?}");
    }
}
