//! Departments, funds, projects and a department's year documents: a write lands whole (its
//! row and its feed entry) or, when its feed entry fails, not at all.

use jixiao::app::{department_years, departments, funds, projects};
use jixiao::domain::policy::{Principal, Role};
use jixiao::domain::region::RegionCode;
use jixiao::model::departments::DepartmentInput;
use jixiao::model::funds::FundInput;
use jixiao::model::projects::ProjectInput;
use jixiao::store::{self, changes, documents};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::de::DeserializeOwned;

use crate::helpers::{Backend, backends, empty_database};

/// A migrated database with no data, and an admin of 湖南省.
struct Fixture<D> {
    db: DatabaseConnection,
    principal: Principal,
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
    Fixture {
        db,
        principal,
        _database: database,
    }
}

fn input<T: DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("input")
}

fn department() -> DepartmentInput {
    input(serde_json::json!({
        "budget_code": "901001", "name": "衡阳市生态环境局衡东分局", "region": "430424",
        "kind": "administrative",
    }))
}

/// The feed entries of `entity`.
async fn feed(db: &DatabaseConnection, entity: &str) -> u64 {
    changes::Entity::find()
        .filter(changes::Column::Entity.eq(entity))
        .count(db)
        .await
        .unwrap()
}

/// Runs `write` with the feed table renamed away (it must fail), then again with it back.
async fn without_then_with_feed<T, F: Future<Output = Result<T, jixiao::error::ApiError>>>(
    db: &DatabaseConnection,
    mut write: impl FnMut() -> F,
) -> T {
    let rename = |from: &str, to: &str| format!("ALTER TABLE {from} RENAME TO {to}");
    db.execute_unprepared(&rename("changes", "changes_away"))
        .await
        .unwrap();
    let failed = write().await;
    db.execute_unprepared(&rename("changes_away", "changes"))
        .await
        .unwrap();
    assert!(failed.is_err(), "the write succeeded without a feed");
    write().await.expect("the write, with its feed")
}

/// What a write of one owned row leaves: (rows of the table, feed entries of the entity).
async fn traces<E: EntityTrait>(db: &DatabaseConnection, entity: &str) -> (u64, u64)
where
    E::Model: Sync,
{
    (E::find().count(db).await.unwrap(), feed(db, entity).await)
}

#[tokio::test]
async fn a_department_create_lands_with_its_feed_entry_or_not_at_all() {
    use jixiao::store::departments as rows;
    for backend in backends() {
        let f = fixture(backend).await;
        let before = traces::<rows::Entity>(&f.db, "department").await;
        let input = department();
        let m = without_then_with_feed(&f.db, || departments::create(&f.db, &f.principal, &input))
            .await;
        let after = traces::<rows::Entity>(&f.db, "department").await;
        assert_eq!(after, (before.0 + 1, before.1 + 1), "{backend:?}");
        // And a delete the same way: the tombstone and its entry, or the department as it was.
        without_then_with_feed(&f.db, || {
            departments::delete(&f.db, &f.principal, &m.id, None)
        })
        .await;
        let gone = rows::Entity::find_by_id(m.id.clone())
            .one(&f.db)
            .await
            .unwrap();
        assert!(
            gone.expect("the tombstone").deleted_at.is_some(),
            "{backend:?}"
        );
        assert_eq!(feed(&f.db, "department").await, before.1 + 2, "{backend:?}");
    }
}

#[tokio::test]
async fn a_fund_create_lands_with_its_feed_entry_or_not_at_all() {
    use jixiao::store::funds as rows;
    for backend in backends() {
        let f = fixture(backend).await;
        departments::create(&f.db, &f.principal, &department())
            .await
            .expect("department");
        let fund: FundInput = input(serde_json::json!({
            "department": "901001", "year": 2024, "name": "排污权有偿使用收入",
            "level": "city", "full_year": "67.78", "executed": "67.78",
        }));
        let m = without_then_with_feed(&f.db, || funds::create(&f.db, &f.principal, &fund)).await;
        assert_eq!(
            traces::<rows::Entity>(&f.db, "fund").await,
            (1, 1),
            "{backend:?}"
        );
        without_then_with_feed(&f.db, || funds::delete(&f.db, &f.principal, &m.id, None)).await;
        assert_eq!(
            traces::<rows::Entity>(&f.db, "fund").await,
            (1, 2),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_project_create_lands_with_its_feed_entry_or_not_at_all() {
    use jixiao::store::projects as rows;
    for backend in backends() {
        let f = fixture(backend).await;
        departments::create(&f.db, &f.principal, &department())
            .await
            .expect("department");
        let project: ProjectInput = input(serde_json::json!({
            "department": "901001", "year": 2024, "name": "污染源监控系统改造项目",
        }));
        let m =
            without_then_with_feed(&f.db, || projects::create(&f.db, &f.principal, &project)).await;
        assert_eq!(
            traces::<rows::Entity>(&f.db, "project").await,
            (1, 1),
            "{backend:?}"
        );
        without_then_with_feed(&f.db, || projects::delete(&f.db, &f.principal, &m.id, None)).await;
        assert_eq!(
            traces::<rows::Entity>(&f.db, "project").await,
            (1, 2),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_department_profile_put_lands_with_its_feed_entry_or_not_at_all() {
    for backend in backends() {
        let f = fixture(backend).await;
        departments::create(&f.db, &f.principal, &department())
            .await
            .expect("department");
        let profile = input(serde_json::json!({ "in_service": 12 }));
        let (_, row, created) = without_then_with_feed(&f.db, || {
            department_years::put_profile(&f.db, &f.principal, "901001", 2024, None, &profile)
        })
        .await;
        assert!(created, "{backend:?}");
        assert_eq!(row.version, 1, "{backend:?}");
        let traces = traces::<documents::Entity>(&f.db, documents::PROFILE).await;
        assert_eq!(traces, (1, 1), "{backend:?}");
    }
}
