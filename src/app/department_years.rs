//! A department's year documents (profile, finances): created, or replaced under If-Match,
//! through the generic write path.

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::Serialize;

use crate::api::department_years::{Finance, FinanceInput, ProfileInput, finance_of};
use crate::api::departments::year_error;
use crate::api::feed;
use crate::api::http::{self, IfMatch};
use crate::app::departments;
use crate::app::uow::UnitOfWork;
use crate::app::write::{self, Row};
use crate::domain::policy::{Action, Principal};
use crate::error::{ApiError, codes};
use crate::store::departments::Model as Department;
use crate::store::documents::{self as store, FINANCE, PROFILE};

/// A year path segment out of 2000–2100 is a 400 of the path.
pub fn check_year(year: i32) -> Result<(), ApiError> {
    match year_error(year, "year") {
        None => Ok(()),
        Some(mut e) => {
            e.in_query = true;
            let mut err = ApiError::new(codes::INVALID_PATH, e.detail.clone());
            err.errors.push(e);
            Err(err)
        }
    }
}

/// A year document with the department it belongs to (its feed entry names the region).
#[derive(Clone)]
struct YearDocument {
    department: Department,
    row: store::Model,
}

impl Row for YearDocument {
    fn version(&self) -> i64 {
        self.row.version
    }

    async fn insert(db: &impl ConnectionTrait, doc: Self) -> Result<Self, ApiError> {
        let row = store::insert(db, doc.row).await?;
        Ok(Self {
            department: doc.department,
            row,
        })
    }

    async fn overwrite(
        db: &impl ConnectionTrait,
        current_version: i64,
        next: &Self,
    ) -> Result<bool, ApiError> {
        Ok(store::overwrite(db, current_version, &next.row).await?)
    }

    async fn feed(
        &self,
        db: &impl ConnectionTrait,
        op: &'static str,
        actor: &str,
    ) -> Result<(), ApiError> {
        let row = &self.row;
        feed::department_year(
            db,
            &self.department,
            &row.kind,
            row.year,
            row.version,
            op,
            actor,
        )
        .await
    }
}

/// Stores a document for a department year, in the caller's transaction: created when
/// absent, replaced (If-Match required) when present. Answers the department's id, the
/// stored row and whether it was created.
pub async fn put_in<T: Serialize>(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: &str,
    kind: &'static str,
    year: i32,
    if_match: Option<&IfMatch>,
    document: &T,
) -> Result<(String, store::Model, bool), ApiError> {
    check_year(year)?;
    let department = departments::resolve(db, principal, key, Action::Update).await?;
    let text = serde_json::to_string(document).map_err(ApiError::internal)?;
    let now = crate::clock::now();
    let actor = &principal.subject;
    match store::get(db, &department.id, kind, year).await? {
        None => {
            let row = store::Model {
                department_id: department.id.clone(),
                kind: kind.to_owned(),
                year,
                document: text,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            let doc = write::insert(db, YearDocument { department, row }, actor).await?;
            Ok((doc.department.id, doc.row, true))
        }
        Some(current) => {
            let if_match = if_match.ok_or_else(http::require_if_match_missing)?;
            write::check_if_match(Some(if_match), current.version)?;
            let row = store::Model {
                document: text,
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            let current = YearDocument {
                department: department.clone(),
                row: current,
            };
            let next = YearDocument { department, row };
            let doc = write::replace(db, &current, next, actor).await?;
            Ok((doc.department.id, doc.row, false))
        }
    }
}

/// Stores a document whatever version is there (the import), in the caller's transaction.
pub async fn overwrite_in<T: Serialize>(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: &str,
    kind: &'static str,
    year: i32,
    document: &T,
) -> Result<(String, store::Model, bool), ApiError> {
    put_in(
        db,
        principal,
        key,
        kind,
        year,
        Some(&IfMatch::Any),
        document,
    )
    .await
}

/// Creates or replaces a department's year profile, in a unit of work of its own; answers the
/// department's id, the stored row and whether it was created.
pub async fn put_profile(
    db: &DatabaseConnection,
    principal: &Principal,
    key: &str,
    year: i32,
    if_match: Option<&IfMatch>,
    input: &ProfileInput,
) -> Result<(String, store::Model, bool), ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let put = put_in(uow.db(), principal, key, PROFILE, year, if_match, input).await?;
    uow.commit().await?;
    Ok(put)
}

/// Creates or replaces a department's finances of a year, in a unit of work of its own;
/// answers them with the computed block as of the write, and whether they were created.
pub async fn put_finance(
    db: &DatabaseConnection,
    principal: &Principal,
    key: &str,
    year: i32,
    if_match: Option<&IfMatch>,
    input: FinanceInput,
) -> Result<(Finance, bool), ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let (id, row, created) =
        put_in(uow.db(), principal, key, FINANCE, year, if_match, &input).await?;
    let finance = finance_of(uow.db(), id, &row, input).await?;
    uow.commit().await?;
    Ok((finance, created))
}
