//! The data version behind the read cache (`app::read_cache`): it moves with every committed
//! write, the feed's and the regions', and on PostgreSQL it is unknown (nothing may be kept or
//! served) while a writer is under way, so an answer computed then is never kept under a
//! version that a later commit of that writer would not move.

use jixiao::app::read_cache::{ReadCache, data_changed, data_version};
use jixiao::store::changes;
use sea_orm::{Database, DatabaseConnection, TransactionTrait};

use crate::helpers::{Backend, backends, empty_database};

fn change(id: &str) -> changes::Change<'_> {
    changes::Change {
        entity: "evaluation",
        entity_id: id,
        op: "created",
        version: 1,
        region_code: "430424",
        department_id: None,
        status: None,
        actor: "data-version-test",
        data: None,
    }
}

async fn migrated(url: &str) -> DatabaseConnection {
    let db = Database::connect(url).await.expect("connect");
    jixiao::app::migrate_up(&db).await.expect("migrate");
    db
}

#[tokio::test]
async fn the_version_moves_with_every_commit_and_is_unknown_while_a_writer_runs() {
    for backend in backends() {
        let (url, _guard) = empty_database(backend).await;
        let db = migrated(&url).await;
        let v0 = data_version(&db).await.expect("read").expect("quiet");

        // A feed entry moves it once committed; one rolled back does not.
        let txn = db.begin().await.expect("begin");
        changes::record(&txn, change("a")).await.expect("record");
        txn.commit().await.expect("commit");
        let v1 = data_version(&db).await.expect("read").expect("quiet");
        assert_ne!(v1, v0);
        let txn = db.begin().await.expect("begin");
        changes::record(&txn, change("b")).await.expect("record");
        txn.rollback().await.expect("rollback");
        assert_eq!(data_version(&db).await.expect("read"), Some(v1));

        // A region write moves it too (regions are not in the feed).
        let txn = db.begin().await.expect("begin");
        data_changed(&txn, "regions").await.expect("bump");
        txn.commit().await.expect("commit");
        let v2 = data_version(&db).await.expect("read").expect("quiet");
        assert_ne!(v2, v1);

        if backend == Backend::Postgres {
            // A writer that drew a lower feed number commits after one with a higher number:
            // while it runs, the version is unknown, so no answer is kept at the higher one.
            let slow = db.begin().await.expect("begin");
            changes::record(&slow, change("slow"))
                .await
                .expect("record");
            let fast = db.begin().await.expect("begin");
            changes::record(&fast, change("fast"))
                .await
                .expect("record");
            fast.commit().await.expect("commit");
            assert_eq!(data_version(&db).await.expect("read"), None);
            slow.commit().await.expect("commit");
            let v3 = data_version(&db).await.expect("read").expect("quiet");
            assert_ne!(v3, v2);
            // A transaction that has written nothing holds no id and stops nothing.
            let idle = db.begin().await.expect("begin");
            assert_eq!(data_version(&db).await.expect("read"), Some(v3));
            idle.rollback().await.expect("rollback");
        }
        db.close().await.ok();
    }
}

#[tokio::test]
async fn a_shared_reading_of_the_version_always_begins_after_the_request() {
    for backend in backends() {
        let (url, _guard) = empty_database(backend).await;
        let db = migrated(&url).await;
        let cache = std::sync::Arc::new(ReadCache::new(1 << 20));
        // Readers keep asking all along, so there is always a reading under way to share.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut background = Vec::new();
        for _ in 0..4 {
            let (cache, db, stop) = (cache.clone(), db.clone(), stop.clone());
            background.push(tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    cache.version(&db).await.expect("read");
                }
            }));
        }
        for round in 0..20 {
            let txn = db.begin().await.expect("begin");
            changes::record(&txn, change("r")).await.expect("record");
            txn.commit().await.expect("commit");
            let now = data_version(&db).await.expect("read").expect("quiet");
            let asks = (0..8).map(|_| {
                let (cache, db) = (cache.clone(), db.clone());
                tokio::spawn(async move { cache.version(&db).await.expect("read") })
            });
            for ask in asks {
                assert_eq!(ask.await.expect("task"), Some(now), "round {round}");
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for b in background {
            b.await.expect("reader");
        }
        db.close().await.ok();
    }
}
