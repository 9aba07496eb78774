//! Many writers at once (PostgreSQL runs them truly concurrently; SQLite one after another):
//! every reader that follows the change feed's cursor reads exactly the committed feed, in
//! order, and the aggregate cells equal a recount, whatever the interleaving.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use jixiao::app::evaluations;
use jixiao::domain::policy::{Principal, Role};
use jixiao::domain::region::RegionCode;
use jixiao::model::evaluation_dto::EvaluationInput;
use jixiao::store::{self, changes};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder, TransactionTrait};

use crate::helpers::{backends, empty_database};

const WRITERS: usize = 6;
const PER_WRITER: usize = 8;
const READERS: usize = 3;

fn admin() -> Principal {
    Principal {
        subject: "app-test".into(),
        role: Role::Admin,
        region: RegionCode::parse("430000").expect("region"),
        departments: None,
    }
}

/// The seed's departments, projects and funds, and its department evaluation to write.
async fn seeded(db: &DatabaseConnection) -> EvaluationInput {
    let mut file = jixiao::import::parse(jixiao::import::SEED).expect("seed");
    let entries = std::mem::take(&mut file.evaluations);
    jixiao::import::run(db, &admin(), &file)
        .await
        .expect("import the seed's departments, projects and funds");
    entries
        .into_iter()
        .find(|e| e.project_ref.is_none())
        .expect("the seed's department evaluation")
        .evaluation
}

/// One writer: creates its evaluations (one fiscal year each), deletes every third, and
/// between them appends a feed entry in a transaction it rolls back.
async fn write(db: DatabaseConnection, input: EvaluationInput, writer: usize) {
    for i in 0..PER_WRITER {
        let mut e = input.clone();
        e.year = 2001 + i32::try_from(writer * PER_WRITER + i).expect("year");
        let m = evaluations::create(&db, &admin(), &e)
            .await
            .expect("create");
        if i % 3 == 0 {
            evaluations::delete(&db, &admin(), &m.id, None)
                .await
                .expect("delete");
        }
        let txn = db.begin().await.expect("begin");
        changes::record(
            &txn,
            changes::Change {
                entity: "evaluation",
                entity_id: "never-committed",
                op: "created",
                version: 1,
                region_code: "430424",
                department_id: None,
                status: None,
                actor: "rolled-back",
                data: None,
            },
        )
        .await
        .expect("record");
        txn.rollback().await.expect("rollback");
    }
}

/// One reader: follows the cursor, a few changes at a time, until the writers are done and a
/// read after that finds nothing new. Returns the numbers it read, in order.
async fn follow(db: DatabaseConnection, done: Arc<AtomicBool>) -> Vec<i64> {
    let filter = changes::Filter::default();
    let mut seen = Vec::new();
    let mut cursor = 0;
    loop {
        let finished = done.load(Ordering::SeqCst);
        let page = jixiao::app::changes::committed_after(&db, &filter, cursor, 7)
            .await
            .expect("read the feed");
        if page.is_empty() && finished {
            return seen;
        }
        for c in page {
            assert!(
                c.seq > cursor,
                "the feed went backwards: {} after {cursor}",
                c.seq
            );
            cursor = c.seq;
            seen.push(c.seq);
        }
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_of_the_feed_read_exactly_what_committed_and_cells_equal_a_recount() {
    for backend in backends() {
        let (url, _database) = empty_database(backend).await;
        let db = store::connect(&url, 0).await.expect("connect");
        jixiao::app::migrate_up(&db).await.expect("migrate");
        let input = seeded(&db).await;
        let done = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..READERS)
            .map(|_| tokio::spawn(follow(db.clone(), done.clone())))
            .collect();
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| tokio::spawn(write(db.clone(), input.clone(), w)))
            .collect();
        for w in writers {
            w.await.expect("writer");
        }
        done.store(true, Ordering::SeqCst);
        let committed: Vec<i64> = changes::Entity::find()
            .order_by_asc(changes::Column::Seq)
            .all(&db)
            .await
            .expect("the feed")
            .into_iter()
            .map(|c| c.seq)
            .collect();
        assert!(committed.len() > WRITERS * PER_WRITER, "{backend:?}");
        for r in readers {
            let seen = r.await.expect("reader");
            assert_eq!(seen, committed, "{backend:?}: a reader's feed");
        }
        let (stored, recount) = jixiao::app::cells::evaluation_cells_and_recount(&db)
            .await
            .expect("cells");
        assert_eq!(stored, recount, "{backend:?}");
        let (stored, expected) = jixiao::app::cells::indicator_cells_and_recount(&db)
            .await
            .expect("indicator cells");
        assert_eq!(stored, expected, "{backend:?}");
        // Nothing is left owed once the cells were read.
        let owed = store::evaluations::pending_cells::Entity::find()
            .all(&db)
            .await
            .expect("pending");
        assert!(owed.is_empty(), "{backend:?}: {owed:?}");
    }
}

/// On PostgreSQL a write does not wait for another write still running: an evaluation is
/// created and committed while another one, in the same cells, is written but not yet
/// committed. (Under a writers' lock the second create would wait for the first commit, which
/// here comes only after it: the test would time out.) SQLite has one writer by design.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_does_not_wait_for_another_write_still_running() {
    use jixiao::store::evaluations::Entity as Evaluations;
    use sea_orm::PaginatorTrait;
    if !backends().contains(&crate::helpers::Backend::Postgres) {
        return;
    }
    let (url, _database) = empty_database(crate::helpers::Backend::Postgres).await;
    let db = store::connect(&url, 0).await.expect("connect");
    jixiao::app::migrate_up(&db).await.expect("migrate");
    let input = seeded(&db).await;
    let open = db.begin().await.expect("begin");
    let mut first = input.clone();
    first.year = 2030;
    evaluations::create_in(&open, &admin(), &first)
        .await
        .expect("the first create, not committed");
    let mut second = input.clone();
    second.year = 2031;
    let created = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        evaluations::create(&db, &admin(), &second),
    )
    .await
    .expect("the second create waited for the first one's commit")
    .expect("the second create");
    assert_eq!(created.year, 2031);
    open.commit().await.expect("commit the first");
    assert_eq!(Evaluations::find().count(&db).await.expect("count"), 2);
    let (stored, recount) = jixiao::app::cells::evaluation_cells_and_recount(&db)
        .await
        .expect("cells");
    assert_eq!(stored, recount);
}

/// Batches of two evaluations and single writes of the second, at once and over and over: no
/// write fails for anything but a lost race (PostgreSQL aborts neither side as a deadlock).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batches_and_single_writes_of_the_same_evaluations_do_not_deadlock() {
    use jixiao::app::evaluations::{Mode, upsert_many};
    for backend in backends() {
        let (url, _database) = empty_database(backend).await;
        let db = store::connect(&url, 0).await.expect("connect");
        jixiao::app::migrate_up(&db).await.expect("migrate");
        let input = seeded(&db).await;
        let (mut a, mut b) = (input.clone(), input.clone());
        a.year = 2040;
        b.year = 2041;
        let atomic = Mode {
            atomic: true,
            dry_run: false,
        };
        let each = Mode {
            atomic: false,
            dry_run: false,
        };
        let mut tasks = Vec::new();
        for t in 0..6 {
            let (db, a, b) = (db.clone(), a.clone(), b.clone());
            tasks.push(tokio::spawn(async move {
                let mut failures = Vec::new();
                for _ in 0..5 {
                    let items: Vec<&EvaluationInput> =
                        if t % 2 == 0 { vec![&a, &b] } else { vec![&b] };
                    let mode = if t % 2 == 0 { atomic } else { each };
                    let outcomes = upsert_many(&db, &admin(), items, mode)
                        .await
                        .expect("the database failed the whole call");
                    failures.extend(outcomes.into_iter().filter_map(Result::err));
                }
                failures
            }));
        }
        for task in tasks {
            for e in task.await.expect("task") {
                let status = e.code.status.as_u16();
                // 409 (created meanwhile) and 412 (changed meanwhile) are lost races.
                assert!(
                    status == 409 || status == 412,
                    "{backend:?}: {status} {}",
                    e.detail.en
                );
            }
        }
        let (stored, recount) = jixiao::app::cells::evaluation_cells_and_recount(&db)
            .await
            .expect("cells");
        assert_eq!(stored, recount, "{backend:?}");
    }
}
