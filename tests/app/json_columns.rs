//! `store::query::json_columns`: the rows of a select read as one row of JSON arrays, one per
//! column. Every array lists the rows in one order, text of any kind comes back as it was,
//! a column of JSON is placed as it is, and no rows is empty arrays (not an error).

use jixiao::store::query::{json_column, json_columns};
use jixiao::store::regions;
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter};

use crate::helpers::{backends, empty_database};

#[tokio::test]
async fn columns_line_up_and_keep_their_text() {
    for backend in backends() {
        let (url, _guard) = empty_database(backend).await;
        let db = Database::connect(url.as_str()).await.expect("connect");
        jixiao::app::migrate_up(&db).await.expect("migrate");
        let awkward = ["引号\"与\\反斜杠", "tab\tand\nnewline", "逗号,与]括号["];
        for (i, name) in awkward.iter().enumerate() {
            db.execute_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                match db.get_database_backend() {
                    sea_orm::DbBackend::Postgres => {
                        "INSERT INTO regions (code, name, level, parent_code, version, created_at, updated_at) \
                         VALUES ($1, $2, 'county', NULL, $3, now(), now())"
                    }
                    _ => {
                        "INSERT INTO regions (code, name, level, parent_code, version, created_at, updated_at) \
                         VALUES (?, ?, 'county', NULL, ?, '2026-12-02T00:00:00Z', '2026-12-02T00:00:00Z')"
                    }
                },
                [format!("99000{i}").into(), (*name).into(), (100 + i as i64).into()],
            ))
            .await
            .expect("insert");
        }
        let select = regions::Entity::find().filter(regions::Column::Code.starts_with("99000"));
        let columns = json_columns(&db, select, &["code", "name", "json(version)"])
            .await
            .expect("read");
        let codes: Vec<String> = json_column(&columns[0]).expect("codes");
        let names: Vec<String> = json_column(&columns[1]).expect("names");
        let levels: Vec<serde_json::Value> = json_column(&columns[2]).expect("json column");
        assert_eq!(codes.len(), 3, "{backend:?}");
        for ((code, name), level) in codes.iter().zip(&names).zip(&levels) {
            let i: usize = code[5..].parse().expect("code");
            assert_eq!(name, awkward[i], "{backend:?}: text comes back as it was");
            assert_eq!(
                *level,
                100 + i,
                "{backend:?}: the arrays list the rows in one order"
            );
        }

        let none = regions::Entity::find().filter(regions::Column::Code.eq("no such code"));
        let columns = json_columns(&db, none, &["code", "json(version)"])
            .await
            .expect("read");
        assert_eq!(columns, ["[]", "[]"], "{backend:?}: no rows, empty arrays");
    }
}
