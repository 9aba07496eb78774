//! The one write path of the resources that are a single versioned row (departments, funds,
//! projects, a department's year documents): resolve an owned row in the caller's scope,
//! If-Match, overwrite-or-stale, soft delete with a tombstone, and the feed entry, landed by
//! [`uow::land`] (the row, then the feed; these resources keep no history and move no cells).

use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::app::feed;
use crate::app::precondition::{self as http, IfMatch};
use crate::app::uow::{self, UnitOfWork, Write};
use crate::domain::policy::{Action, Kind, Principal};
use crate::domain::validate;
use crate::error::{ApiError, FieldError};
use crate::locale::Text;

/// A row written whole, under optimistic concurrency on its version.
pub trait Row: Clone + Send + Sync {
    fn version(&self) -> i64;

    /// Inserts the row; answers it as stored.
    fn insert(
        db: &impl ConnectionTrait,
        row: Self,
    ) -> impl Future<Output = Result<Self, ApiError>> + Send;

    /// Writes `next` over the row while its version is still `current_version`; false when
    /// another writer got there first.
    fn overwrite(
        db: &impl ConnectionTrait,
        current_version: i64,
        next: &Self,
    ) -> impl Future<Output = Result<bool, ApiError>> + Send;

    /// The change-feed entry of the row as written.
    fn feed(
        &self,
        db: &impl ConnectionTrait,
        op: crate::model::vocab::ChangeOp,
        actor: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// A row deleted by a tombstone: the row kept, marked deleted.
pub trait SoftDelete: Row {
    /// The row deleted at `now`: the next version, updated and deleted at `now`.
    fn tombstone(&self, now: DateTime<Utc>) -> Self;
}

/// `SoftDelete` for a model with `version`, `updated_at` and `deleted_at` columns.
macro_rules! soft_delete {
    ($model:ty) => {
        impl $crate::app::write::SoftDelete for $model {
            fn tombstone(&self, now: chrono::DateTime<chrono::Utc>) -> Self {
                Self {
                    version: self.version + 1,
                    updated_at: now,
                    deleted_at: Some(now),
                    ..self.clone()
                }
            }
        }
    };
}
pub(crate) use soft_delete;

/// `Row`, `Owned` and `SoftDelete` for a department-owned model whose store module has
/// `insert`, `overwrite` and `get`, announced in the feed by `$feed` (funds and projects), and
/// the module's `resolve`. A missing row is `$code`, named by its English and Chinese nouns.
macro_rules! owned_row {
    ($model:ty, $store:path, $feed:path, $kind:expr, $code:path, $en:literal, $zh:literal) => {
        $crate::app::write::soft_delete!($model);

        #[doc = concat!("A live ", $en, " the caller may act on.")]
        pub async fn resolve(
            db: &impl sea_orm::ConnectionTrait,
            principal: &$crate::domain::policy::Principal,
            id: &str,
            action: $crate::domain::policy::Action,
        ) -> Result<$model, $crate::error::ApiError> {
            $crate::app::write::resolve_owned(db, principal, id, action).await
        }

        impl $crate::app::write::Row for $model {
            fn version(&self) -> i64 {
                self.version
            }

            async fn insert(
                db: &impl sea_orm::ConnectionTrait,
                row: Self,
            ) -> Result<Self, $crate::error::ApiError> {
                use $store as store;
                Ok(store::insert(db, row).await?)
            }

            async fn overwrite(
                db: &impl sea_orm::ConnectionTrait,
                current_version: i64,
                next: &Self,
            ) -> Result<bool, $crate::error::ApiError> {
                use $store as store;
                Ok(store::overwrite(db, current_version, next).await?)
            }

            async fn feed(
                &self,
                db: &impl sea_orm::ConnectionTrait,
                op: crate::model::vocab::ChangeOp,
                actor: &str,
            ) -> Result<(), $crate::error::ApiError> {
                $feed(db, self, op, actor).await
            }
        }

        impl $crate::app::write::Owned for $model {
            const KIND: $crate::domain::policy::Kind = $kind;

            async fn get(
                db: &impl sea_orm::ConnectionTrait,
                id: &str,
            ) -> Result<Option<Self>, $crate::error::ApiError> {
                use $store as store;
                Ok(store::get(db, id).await?)
            }

            fn not_found(id: &str) -> $crate::error::ApiError {
                $crate::error::ApiError::new(
                    $code,
                    $crate::locale::Text::new(
                        format!(concat!("No ", $en, " has the id {}"), id),
                        format!(concat!("不存在 id 为 {} 的", $zh), id),
                    ),
                )
            }

            fn owner(&self) -> (&str, &str) {
                (&self.department_id, &self.region_code)
            }
        }
    };
}
pub(crate) use owned_row;

/// Checks a fiscal year ([`validate::YEARS`]), reporting at `pointer`.
pub fn year_error(year: i32, pointer: &str) -> Option<FieldError> {
    (!validate::year_in_range(year)).then(|| {
        let (first, last) = (validate::YEARS.start(), validate::YEARS.end());
        FieldError::body(
            pointer,
            "field.out_of_range",
            Text::new(
                format!("The year must be between {first} and {last} (got {year})"),
                format!("年度必须在 {first} 到 {last} 之间（收到 {year}）"),
            ),
        )
    })
}

/// A text field of 1 to `max` characters (trimmed), else an error at `pointer`.
pub fn text_error(pointer: &str, max: usize, value: &str, errors: &mut Vec<FieldError>) {
    if !validate::length_ok(value, max) {
        errors.push(FieldError::body(
            pointer,
            "field.invalid_length",
            Text::new(
                format!("Must have 1 to {max} characters"),
                format!("长度必须为 1 到 {max} 个字符"),
            ),
        ));
    }
}

/// A row a department owns, addressed by its id, in scope when its department is.
pub trait Owned: Row {
    const KIND: Kind;

    fn get(
        db: &impl ConnectionTrait,
        id: &str,
    ) -> impl Future<Output = Result<Option<Self>, ApiError>> + Send;

    fn not_found(id: &str) -> ApiError;

    /// The owning department's id and the row's region code.
    fn owner(&self) -> (&str, &str);
}

/// A live owned row the caller may act on; outside the caller's scope it does not exist.
pub async fn resolve_owned<R: Owned>(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: &str,
    action: Action,
) -> Result<R, ApiError> {
    let m = R::get(db, id).await?.ok_or_else(|| R::not_found(id))?;
    let (department, region) = m.owner();
    crate::app::access::authorize_owned(db, principal, R::KIND, action, department, region, || {
        R::not_found(id)
    })
    .await?;
    Ok(m)
}

/// If-Match, when given, must name `version`; otherwise a 412 naming the current version.
pub fn check_if_match(if_match: Option<&IfMatch>, version: i64) -> Result<(), ApiError> {
    match if_match {
        Some(m) if !m.matches(version) => Err(http::stale(version)),
        _ => Ok(()),
    }
}

/// One row written (inserted, or over the version `current`), then its feed entry.
struct RowWrite<'a, R> {
    current: Option<i64>,
    next: R,
    op: crate::model::vocab::ChangeOp,
    actor: &'a str,
}

impl<R: Row> Write for RowWrite<'_, R> {
    type Output = R;

    async fn rows(&mut self, db: &impl ConnectionTrait) -> Result<(), ApiError> {
        match self.current {
            None => self.next = R::insert(db, self.next.clone()).await?,
            Some(version) => {
                if !R::overwrite(db, version, &self.next).await? {
                    return Err(http::stale(version));
                }
            }
        }
        Ok(())
    }

    async fn history(&mut self, _: &impl ConnectionTrait) -> Result<(), ApiError> {
        Ok(())
    }

    async fn cells(&mut self, _: &impl ConnectionTrait) -> Result<(), ApiError> {
        Ok(())
    }

    async fn feed(&mut self, db: &impl ConnectionTrait) -> Result<(), ApiError> {
        self.next.feed(db, self.op, self.actor).await
    }

    fn into_output(self) -> R {
        self.next
    }
}

/// Inserts a new row and its `created` feed entry, in the caller's transaction.
pub async fn insert<R: Row>(db: &impl ConnectionTrait, row: R, actor: &str) -> Result<R, ApiError> {
    let write = RowWrite {
        current: None,
        next: row,
        op: feed::CREATED,
        actor,
    };
    uow::land(db, write).await
}

/// Writes `next` over the version `current_version` (412 when another writer got there
/// first) with an `op` feed entry, in the caller's transaction.
pub async fn overwrite<R: Row>(
    db: &impl ConnectionTrait,
    current_version: i64,
    next: R,
    op: crate::model::vocab::ChangeOp,
    actor: &str,
) -> Result<R, ApiError> {
    let write = RowWrite {
        current: Some(current_version),
        next,
        op,
        actor,
    };
    uow::land(db, write).await
}

/// Replaces `current` by `next` (an `updated` feed entry), in the caller's transaction.
pub async fn replace<R: Row>(
    db: &impl ConnectionTrait,
    current: &R,
    next: R,
    actor: &str,
) -> Result<R, ApiError> {
    overwrite(db, current.version(), next, feed::UPDATED, actor).await
}

/// Deletes `current` by a tombstone (a `deleted` feed entry), in the caller's transaction.
pub async fn delete<R: SoftDelete>(
    db: &impl ConnectionTrait,
    current: &R,
    actor: &str,
) -> Result<R, ApiError> {
    let next = current.tombstone(crate::clock::now());
    overwrite(db, current.version(), next, feed::DELETED, actor).await
}

/// A department-owned row built whole from its input (funds, projects): created, replaced and
/// deleted the same way, each in a unit of work of its own (or, to create, in the caller's
/// transaction).
pub trait Built: Owned + SoftDelete {
    /// What a client sends.
    type Input: Sync;

    /// Validates an input into the row it describes (id and audit fields left to the caller).
    fn build(
        db: &impl ConnectionTrait,
        principal: &Principal,
        input: &Self::Input,
        action: Action,
    ) -> impl Future<Output = Result<Self, ApiError>> + Send;

    /// The row with its id.
    fn with_id(self, id: String) -> Self;

    /// The row as the next version of `current`: its id, version + 1 and creation time.
    fn succeeding(self, current: &Self) -> Self;

    /// What must hold before the row is deleted (nothing, unless a resource says otherwise).
    fn check_delete(
        &self,
        _db: &impl ConnectionTrait,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        async { Ok(()) }
    }
}

/// `Built::with_id` and `Built::succeeding` for a model with `id`, `version` and `created_at`.
macro_rules! built_fields {
    () => {
        fn with_id(self, id: String) -> Self {
            Self { id, ..self }
        }

        fn succeeding(self, current: &Self) -> Self {
            Self {
                id: current.id.clone(),
                version: current.version + 1,
                created_at: current.created_at,
                ..self
            }
        }
    };
}
pub(crate) use built_fields;

/// Creates a row, in a unit of work of its own.
pub async fn create<R: Built>(
    db: &DatabaseConnection,
    principal: &Principal,
    input: &R::Input,
) -> Result<R, ApiError> {
    UnitOfWork::run(db, async |txn| create_in(txn, principal, input).await).await
}

/// Creates a row with a new id, in the caller's transaction.
pub async fn create_in<R: Built>(
    db: &impl ConnectionTrait,
    principal: &Principal,
    input: &R::Input,
) -> Result<R, ApiError> {
    let m = R::build(db, principal, input, Action::Create)
        .await?
        .with_id(uuid::Uuid::now_v7().to_string());
    insert(db, m, &principal.subject).await
}

/// Replaces the row `id` from an input, under If-Match, in a unit of work of its own.
pub async fn replace_by_id<R: Built>(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: &IfMatch,
    input: &R::Input,
) -> Result<R, ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let current: R = resolve_owned(uow.db(), principal, id, Action::Update).await?;
    check_if_match(Some(if_match), current.version())?;
    let next = R::build(uow.db(), principal, input, Action::Update)
        .await?
        .succeeding(&current);
    let m = replace(uow.db(), &current, next, &principal.subject).await?;
    uow.commit().await?;
    Ok(m)
}

/// Deletes the row `id` (a tombstone), in a unit of work of its own; `if_match`, when given,
/// must name its version.
pub async fn delete_by_id<R: Built>(
    db: &DatabaseConnection,
    principal: &Principal,
    id: &str,
    if_match: Option<&IfMatch>,
) -> Result<(), ApiError> {
    let uow = UnitOfWork::begin(db).await?;
    let current: R = resolve_owned(uow.db(), principal, id, Action::Delete).await?;
    check_if_match(if_match, current.version())?;
    current.check_delete(uow.db()).await?;
    delete(uow.db(), &current, &principal.subject).await?;
    uow.commit().await
}

/// The four write use cases of a [`Built`] resource, as functions of its module: `create`,
/// `create_in` (in the caller's transaction), `replace` and `delete`.
macro_rules! use_cases {
    ($model:ty, $input:ty, $noun:literal) => {
        #[doc = concat!("Creates a ", $noun, ", in a unit of work of its own.")]
        pub async fn create(
            db: &sea_orm::DatabaseConnection,
            principal: &$crate::domain::policy::Principal,
            input: &$input,
        ) -> Result<$model, $crate::error::ApiError> {
            $crate::app::write::create(db, principal, input).await
        }

        #[doc = concat!("Creates a ", $noun, ", in the caller's transaction.")]
        pub async fn create_in(
            db: &impl sea_orm::ConnectionTrait,
            principal: &$crate::domain::policy::Principal,
            input: &$input,
        ) -> Result<$model, $crate::error::ApiError> {
            $crate::app::write::create_in(db, principal, input).await
        }

        #[doc = concat!("Replaces a ", $noun, " under If-Match, in a unit of work of its own.")]
        pub async fn replace(
            db: &sea_orm::DatabaseConnection,
            principal: &$crate::domain::policy::Principal,
            id: &str,
            if_match: &$crate::app::precondition::IfMatch,
            input: &$input,
        ) -> Result<$model, $crate::error::ApiError> {
            $crate::app::write::replace_by_id(db, principal, id, if_match, input).await
        }

        #[doc = concat!(
            "Deletes a ", $noun, " (a tombstone), in a unit of work of its own; `if_match`, ",
            "when given, must name its version."
        )]
        pub async fn delete(
            db: &sea_orm::DatabaseConnection,
            principal: &$crate::domain::policy::Principal,
            id: &str,
            if_match: Option<&$crate::app::precondition::IfMatch>,
        ) -> Result<(), $crate::error::ApiError> {
            $crate::app::write::delete_by_id::<$model>(db, principal, id, if_match).await
        }
    };
}
pub(crate) use use_cases;
