//! A department's year documents (profile, finances): created, or replaced under If-Match,
//! through the generic write path.

use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::departments;
use crate::app::feed;
use crate::app::precondition::{self as http, IfMatch};
use crate::app::uow::UnitOfWork;
use crate::app::write::{self, Row, year_error};
use crate::domain::finance::{self as fin, FundSet};
use crate::domain::money;
use crate::domain::policy::{Action, Principal};
use crate::domain::validate;
use crate::error::{ApiError, codes};
use crate::locale::Text;
use crate::model::amount::{Amount, dec, sum_known};
use crate::model::department_years::{
    Finance, FinanceComputed, FinanceInput, FundsSummary, ProfileInput,
};
use crate::model::findings::convert;
use crate::model::funds::{rate, to_domain};
use crate::model::vocab::{ChangeEntity, Vocabulary};
use crate::store::departments::Model as Department;
use crate::store::documents as store;
pub use crate::store::documents::{FINANCE, PROFILE};
use crate::store::{funds as fund_store, projects as project_store};

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
        op: crate::model::vocab::ChangeOp,
        actor: &str,
    ) -> Result<(), ApiError> {
        let row = &self.row;
        let kind = ChangeEntity::from_stored(
            &row.kind,
            format!("document {}:{}:{}", row.department_id, row.kind, row.year),
        )?;
        feed::department_year(db, &self.department, kind, row.year, row.version, op, actor).await
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
    UnitOfWork::run(db, async |txn| {
        put_in(txn, principal, key, PROFILE, year, if_match, input).await
    })
    .await
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

async fn finance_computed(
    db: &impl ConnectionTrait,
    department_id: &str,
    year: i32,
    input: &FinanceInput,
) -> Result<FinanceComputed, ApiError> {
    let (fund_ids, funds) = funds_of_year(db, department_id, year).await?;
    let profile = match store::get(db, department_id, PROFILE, year).await? {
        Some(doc) => serde_json::from_str::<ProfileInput>(&doc.document)
            .ok()
            .map(|p| p.to_domain(year)),
        None => None,
    };
    let report = fin::DepartmentReport {
        finance: input.finance(year),
        basic_table: input.basic_table(year),
        funds: Some(FundSet {
            funds: funds.clone(),
            declared: input.declarations(),
        }),
        profile,
    };
    let findings = convert(
        fin::reconcile_report(&report),
        &[
            ("/finance", ""),
            ("/basic_table", "/basic_data"),
            ("/funds/funds", "/computed/funds/fund_ids"),
            ("/funds/declared", "/expenditure/declared"),
        ],
    );
    let e = &input.expenditure;
    let basic_data = input.basic_data.as_ref();
    Ok(FinanceComputed {
        revenue_by_source_sum: money::sum_checked(
            input.revenue.by_source.iter().map(|s| s.amount.0),
        )
        .map(Amount),
        expenditure_sum: validate::sum_of_both(dec(e.basic), dec(e.project)).map(Amount),
        basic_sum: validate::sum_of_both(dec(e.personnel), dec(e.operating)).map(Amount),
        basic_share_percent: rate(dec(e.basic), Some(e.total.0)),
        project_share_percent: rate(dec(e.project), Some(e.total.0)),
        staffing_control_rate_percent: basic_data.and_then(|b| {
            rate(
                b.staffing.in_service.map(Decimal::from),
                b.staffing.establishment.map(Decimal::from),
            )
        }),
        funds: funds_summary(fund_ids, &funds, input),
        findings,
    })
}

/// The ids and the domain view of a department's funds of a year (with their projects'
/// names).
async fn funds_of_year(
    db: &impl ConnectionTrait,
    department_id: &str,
    year: i32,
) -> Result<(Vec<String>, Vec<fin::Fund>), ApiError> {
    let rows = fund_store::of_department_year(db, department_id, year).await?;
    let projects = project_store::of_department_year(db, department_id, year).await?;
    let project_name = |id: &Option<String>| {
        id.as_ref().and_then(|id| {
            projects
                .iter()
                .find(|p| &p.id == id)
                .map(|p| p.name.clone())
        })
    };
    let funds = rows
        .iter()
        .map(|m| to_domain(m, project_name(&m.project_id)))
        .collect::<Result<_, _>>()?;
    Ok((rows.into_iter().map(|r| r.id).collect(), funds))
}

/// The funds' sums against the declared project expenditure.
fn funds_summary(fund_ids: Vec<String>, funds: &[fin::Fund], input: &FinanceInput) -> FundsSummary {
    let total_of = |f: fn(&fin::Fund) -> Option<Decimal>| sum_known(funds.iter().map(f));
    let executed = total_of(|f| f.executed);
    let full_year = total_of(|f| f.full_year);
    let declared = input.expenditure.project;
    let (adds_up, difference) = validate::funds_agreement(dec(executed), dec(declared));
    FundsSummary {
        count: fund_ids.len(),
        fund_ids,
        initial: total_of(|f| f.initial),
        execution_rate_percent: rate(executed.map(|a| a.0), full_year.map(|a| a.0)),
        full_year,
        executed,
        declared_project_expenditure: declared,
        adds_up,
        difference: difference.map(|d| d.to_string()),
    }
}

/// Builds the finance response.
pub async fn finance_of(
    db: &impl ConnectionTrait,
    department_id: String,
    row: &store::Model,
    data: FinanceInput,
) -> Result<Finance, ApiError> {
    Ok(Finance {
        computed: finance_computed(db, &department_id, row.year, &data).await?,
        department_id,
        year: row.year,
        data,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn not_found(kind: &str, key: &str, year: i32) -> ApiError {
    let (en, zh) = if kind == PROFILE {
        ("profile", "年度概况")
    } else {
        ("finances", "年度财务")
    };
    ApiError::new(
        codes::DOCUMENT_NOT_FOUND,
        Text::new(
            format!("Department {key} has no {en} for {year}"),
            format!("部门 {key} 没有 {year} 年的{zh}"),
        ),
    )
}

/// A department year's stored document, in the caller's scope (404 otherwise).
pub async fn read_document<T: DeserializeOwned>(
    db: &impl ConnectionTrait,
    principal: &Principal,
    key: &str,
    kind: &'static str,
    year: i32,
) -> Result<(String, store::Model, T), ApiError> {
    check_year(year)?;
    let department = departments::resolve(db, principal, key, Action::Read).await?;
    let row = store::get(db, &department.id, kind, year)
        .await?
        .ok_or_else(|| not_found(kind, key, year))?;
    let data = serde_json::from_str(&row.document).map_err(ApiError::internal)?;
    Ok((department.id, row, data))
}
