//! Migrations run up, down and up again on both databases.

use jixiao::store;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{Backend, backends, empty_database};

async fn table_count(db: &sea_orm::DatabaseConnection, table: &str) -> Option<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .ok()??;
    row.try_get::<i64>("", "n").ok()
}

#[tokio::test]
async fn up_down_up() {
    for backend in backends() {
        let (url, _guard) = empty_database(backend).await;
        let db = store::connect(&url, 2).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        assert_eq!(table_count(&db, "regions").await, Some(14), "{backend:?}");
        let applied = Migrator::get_applied_migrations(&db).await.unwrap().len();
        Migrator::down(&db, Some(applied as u32)).await.unwrap();
        assert_eq!(
            table_count(&db, "regions").await,
            None,
            "{backend:?}: down drops the table"
        );
        assert_eq!(
            Migrator::get_pending_migrations(&db).await.unwrap().len(),
            applied
        );
        Migrator::up(&db, None).await.unwrap();
        assert_eq!(table_count(&db, "regions").await, Some(14), "{backend:?}");
        db.close().await.unwrap();
    }
}

/// How many migrations `down` reverts to undo the one named `…{name}` and those after it.
fn steps_back_to(name: &str) -> u32 {
    let migrations = Migrator::migrations();
    let at = migrations
        .iter()
        .position(|m| m.name().contains(name))
        .expect("a migration of that name");
    (migrations.len() - at) as u32
}

/// A small generated data set (one department, one year), written through the service.
async fn generated(db: &sea_orm::DatabaseConnection) {
    let options = jixiao::generate::Options {
        departments: 1,
        years: 1,
        last_year: 2024,
        seed: 7,
    };
    jixiao::generate::run(db, &options, |_, _| {})
        .await
        .unwrap();
}

/// The packed columns: (table, key, column).
const PACKED: [(&str, &str, &str); 3] = [
    ("evaluations", "id", "document"),
    ("evaluation_history", "id", "changes"),
    ("changes", "seq", "data"),
];

/// The values of a packed column, in key order, as stored (bytes, or the bytes of text: the
/// feed's column on PostgreSQL before `…000090`).
async fn stored(
    db: &sea_orm::DatabaseConnection,
    (table, key, column): (&str, &str, &str),
    phase: &str,
) -> Vec<Vec<u8>> {
    // The phase keeps the statements apart: PostgreSQL refuses a prepared statement whose
    // result type a migration changed.
    let sql = format!(
        "SELECT {column} AS v FROM {table} WHERE {column} IS NOT NULL ORDER BY {key} -- {phase}"
    );
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            r.try_get::<Vec<u8>>("", "v")
                .or_else(|_| r.try_get::<String>("", "v").map(String::into_bytes))
                .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn packed_values_take_the_dictionary_going_up_and_their_old_forms_going_down() {
    use migration::packing;
    for backend in backends() {
        let (url, _guard) = empty_database(backend).await;
        let db = store::connect(&url, 2).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let options = jixiao::generate::Options {
            departments: 1,
            years: 1,
            last_year: 2024,
            seed: 7,
        };
        jixiao::generate::run(&db, &options, |_, _| {})
            .await
            .unwrap();
        for column in PACKED {
            let values = stored(&db, column, "before").await;
            assert!(!values.is_empty(), "{backend:?} {column:?}");
            let texts: Vec<String> = values
                .iter()
                .map(|v| packing::unpack(v.clone()).unwrap())
                .collect();
            let formats = |values: &[Vec<u8>]| {
                values
                    .iter()
                    .map(|v| packing::format(v))
                    .collect::<std::collections::BTreeSet<_>>()
            };
            assert_eq!(
                formats(&values),
                [Some(packing::ZSTD)].into(),
                "{backend:?} {column:?}"
            );

            Migrator::down(&db, Some(steps_back_to("000090")))
                .await
                .unwrap();
            let down = stored(&db, column, "down").await;
            let old_form = if column.0 == "changes" {
                None
            } else {
                Some(packing::LZ4)
            };
            assert_eq!(
                formats(&down),
                [old_form].into(),
                "{backend:?} {column:?} down"
            );
            let down_texts: Vec<String> = down
                .into_iter()
                .map(|v| packing::unpack(v).unwrap())
                .collect();
            assert_eq!(down_texts, texts, "{backend:?} {column:?} down");

            Migrator::up(&db, None).await.unwrap();
            let up = stored(&db, column, "up").await;
            assert_eq!(
                formats(&up),
                [Some(packing::ZSTD)].into(),
                "{backend:?} {column:?} up"
            );
            let up_texts: Vec<String> = up
                .into_iter()
                .map(|v| packing::unpack(v).unwrap())
                .collect();
            assert_eq!(up_texts, texts, "{backend:?} {column:?} up");
        }
        db.close().await.unwrap();
    }
}

/// The indicator rows as text, in the order of `order` (an SQL `ORDER BY`).
async fn indicator_rows(db: &sea_orm::DatabaseConnection, order: &str) -> Vec<String> {
    let sql = format!(
        "SELECT evaluation_id, position, level3, actual, computed FROM indicator_results \
         ORDER BY {order}"
    );
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("", "evaluation_id").unwrap();
            let position: i32 = r.try_get("", "position").unwrap();
            let level3: String = r.try_get("", "level3").unwrap();
            let actual: String = r.try_get("", "actual").unwrap();
            let computed: Option<String> = r.try_get("", "computed").unwrap();
            format!("{id}:{position:04} {level3} {actual} {computed:?}")
        })
        .collect()
}

/// A database migrated up with a small generated data set, and its indicator rows as text in
/// key order.
async fn migrated_with_rows(
    backend: Backend,
) -> (sea_orm::DatabaseConnection, impl Drop, Vec<String>) {
    let (url, guard) = empty_database(backend).await;
    let db = store::connect(&url, 2).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    generated(&db).await;
    let rows = indicator_rows(&db, "evaluation_id, position").await;
    assert!(rows.len() >= 20, "{backend:?}: {}", rows.len());
    (db, guard, rows)
}

#[tokio::test]
async fn indicator_rows_keep_their_order_when_keyed_by_evaluation_and_position() {
    for backend in backends() {
        let (db, _guard, rows) = migrated_with_rows(backend).await;

        Migrator::down(&db, Some(steps_back_to("000100")))
            .await
            .unwrap();
        // Down, the text key is back, and its order is the pair's.
        assert_eq!(indicator_rows(&db, "key").await, rows, "{backend:?} down");
        let keys = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT key FROM indicator_results ORDER BY key -- down",
            ))
            .await
            .unwrap();
        let keys: Vec<String> = keys.iter().map(|r| r.try_get("", "key").unwrap()).collect();
        let expected: Vec<String> = rows.iter().map(|r| r[..41].to_owned()).collect();
        assert_eq!(keys, expected, "{backend:?}: the keys rebuilt");

        Migrator::up(&db, None).await.unwrap();
        assert_eq!(
            indicator_rows(&db, "evaluation_id, position -- up").await,
            rows,
            "{backend:?} up"
        );
        db.close().await.unwrap();
    }
}

/// The column `name` of every row of a catalogue query `sql`.
async fn names(db: &sea_orm::DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get("", "name").unwrap())
        .collect()
}

/// The names of the indexes on `indicator_results`.
async fn indicator_indexes(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'indicator_results' \
             ORDER BY name"
        }
        _ => {
            "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'indicator_results' \
              ORDER BY indexname"
        }
    };
    names(db, sql).await
}

#[tokio::test]
async fn indicator_rows_are_found_through_evaluations_without_a_department_index() {
    for backend in backends() {
        let (db, _guard, rows) = migrated_with_rows(backend).await;
        let up = indicator_indexes(&db).await;
        assert!(
            !up.iter().any(|n| n == "idx_indicator_results_department"),
            "{backend:?}: {up:?}"
        );
        if backend == Backend::Sqlite {
            // WITHOUT ROWID: the key is the table, and has no index of its own.
            assert!(
                !up.iter().any(|n| n.starts_with("sqlite_autoindex")),
                "{up:?}"
            );
        }

        Migrator::down(&db, Some(steps_back_to("000110")))
            .await
            .unwrap();
        let down = indicator_indexes(&db).await;
        assert!(
            down.iter().any(|n| n == "idx_indicator_results_department"),
            "{backend:?} down: {down:?}"
        );
        assert_eq!(
            indicator_rows(&db, "evaluation_id, position -- down").await,
            rows,
            "{backend:?} down"
        );

        Migrator::up(&db, None).await.unwrap();
        assert_eq!(indicator_indexes(&db).await, up, "{backend:?} up again");
        assert_eq!(
            indicator_rows(&db, "evaluation_id, position -- up").await,
            rows,
            "{backend:?} up again"
        );
        db.close().await.unwrap();
    }
}

/// Each indicator row with the department it names: its own column where it has one, else
/// its evaluation's.
async fn rows_with_departments(db: &sea_orm::DatabaseConnection, own: bool) -> Vec<String> {
    let department = if own {
        "r.department_id"
    } else {
        "e.department_id"
    };
    let sql = format!(
        "SELECT r.evaluation_id, r.position, {department} AS department_id, r.level3 \
         FROM indicator_results r JOIN evaluations e ON e.id = r.evaluation_id \
         ORDER BY r.evaluation_id, r.position"
    );
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("", "evaluation_id").unwrap();
            let position: i32 = r.try_get("", "position").unwrap();
            let department: String = r.try_get("", "department_id").unwrap();
            let level3: String = r.try_get("", "level3").unwrap();
            format!("{id}:{position:04} {department} {level3}")
        })
        .collect()
}

/// The names of the columns of `indicator_results`.
async fn indicator_columns(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            "SELECT name FROM pragma_table_info('indicator_results') ORDER BY name"
        }
        _ => {
            "SELECT column_name AS name FROM information_schema.columns \
             WHERE table_name = 'indicator_results' ORDER BY column_name"
        }
    };
    names(db, sql).await
}

#[tokio::test]
async fn indicator_rows_leave_their_department_to_their_evaluation() {
    for backend in backends() {
        let (db, _guard, rows) = migrated_with_rows(backend).await;
        let up_columns = indicator_columns(&db).await;
        assert!(
            !up_columns.iter().any(|c| c == "department_id"),
            "{backend:?}: {up_columns:?}"
        );
        let up_indexes = indicator_indexes(&db).await;
        let departments = rows_with_departments(&db, false).await;
        assert_eq!(departments.len(), rows.len(), "{backend:?}");

        Migrator::down(&db, Some(steps_back_to("000130")))
            .await
            .unwrap();
        // Down, every row names its evaluation's department again, in its own column.
        assert_eq!(
            rows_with_departments(&db, true).await,
            departments,
            "{backend:?} down"
        );
        assert_eq!(
            indicator_rows(&db, "evaluation_id, position -- down").await,
            rows,
            "{backend:?} down"
        );

        Migrator::up(&db, None).await.unwrap();
        assert_eq!(indicator_columns(&db).await, up_columns, "{backend:?} up");
        assert_eq!(indicator_indexes(&db).await, up_indexes, "{backend:?} up");
        assert_eq!(
            indicator_rows(&db, "evaluation_id, position -- up").await,
            rows,
            "{backend:?} up again"
        );
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn cells_get_whole_number_sums_from_their_summaries() {
    use jixiao::domain::stats::Dimension;
    use jixiao::store::evaluations::cells;
    let every_key = [
        Dimension::Region,
        Dimension::Year,
        Dimension::Kind,
        Dimension::Grade,
        Dimension::Status,
        Dimension::Basis,
    ];
    for backend in backends() {
        let (db, _guard, _rows) = migrated_with_rows(backend).await;
        // On PostgreSQL the writes left debts; a read settles them first.
        jixiao::app::cells::settle(&db).await.unwrap();
        let before = cells::stored(&db).await.unwrap();
        assert!(!before.is_empty(), "{backend:?}");
        // One group a cell: the sums the service wrote are the summaries'.
        let expected: Vec<_> = before.iter().map(|c| c.summary.sums()).collect();
        let written = cells::summed(&db, &Default::default(), &every_key)
            .await
            .unwrap()
            .expect("exact sums");
        let mut written: Vec<_> = written.into_iter().map(|r| Some(r.sums)).collect();
        written.sort_by_key(|s| format!("{s:?}"));
        let mut sorted = expected.clone();
        sorted.sort_by_key(|s| format!("{s:?}"));
        assert_eq!(written, sorted, "{backend:?}");

        Migrator::down(&db, Some(steps_back_to("000120")))
            .await
            .unwrap();
        // Down, the cells keep their summaries and lose the sums.
        assert_eq!(
            table_count(&db, "evaluation_cells").await,
            Some(before.len() as i64)
        );
        let columns = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT sum_total FROM evaluation_cells",
            ))
            .await;
        assert!(columns.is_err(), "{backend:?}: the sums are gone");

        // Up, the migration reads each cell's summary into the same sums.
        Migrator::up(&db, None).await.unwrap();
        assert_eq!(cells::stored(&db).await.unwrap(), before, "{backend:?}");
        let migrated = cells::summed(&db, &Default::default(), &every_key)
            .await
            .unwrap()
            .expect("every cell exact again");
        let mut migrated: Vec<_> = migrated.into_iter().map(|r| Some(r.sums)).collect();
        migrated.sort_by_key(|s| format!("{s:?}"));
        assert_eq!(migrated, sorted, "{backend:?}: the migration's sums");
        db.close().await.unwrap();
    }
}
