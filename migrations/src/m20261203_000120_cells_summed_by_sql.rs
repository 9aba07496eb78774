//! Each evaluation cell keeps its sums as whole numbers beside its summary, so that the
//! database adds cells up (`SUM`, `MIN`, `MAX` by the groups a stats request asks for) instead
//! of the service decoding every cell's summary and adding it in Rust (issue #17: the
//! all-years aggregate read 533 cells at 1M indicator results against 43 at 10k):
//! - totals and amounts in hundredths (`sum_total`, `min_total`, `max_total`, `sum_full_year`,
//!   `sum_executed`, `sum_rate_full_year`, `sum_rate_executed`), the counts by band
//!   (`band0` … `band3`, in band order) and of evaluations with a budget (`with_budget`);
//! - `exact`: 1 when those numbers are the summary's (every figure with at most two decimals,
//!   within 64 bits), 0 otherwise; a request whose cells are not all exact reads the summaries.
//!
//! Up adds the columns and fills them from each cell's stored summary (a cell it cannot read
//! exactly keeps `exact` 0). It does not empty the table for the service to fill it again at
//! start-up, which would read every evaluation at once (111 MiB resident on the 1M set against
//! 37 MiB). Down drops the columns; the summaries stay as they were.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, Value};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EvaluationCells {
    Table,
}

/// The columns.
const COLUMNS: [&str; 13] = [
    "sum_total",
    "min_total",
    "max_total",
    "band0",
    "band1",
    "band2",
    "band3",
    "with_budget",
    "sum_full_year",
    "sum_executed",
    "sum_rate_full_year",
    "sum_rate_executed",
    "exact",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters one at a time.
        for name in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(EvaluationCells::Table)
                        .add_column(
                            ColumnDef::new(Alias::new(name))
                                .big_integer()
                                .not_null()
                                .default(0),
                        )
                        .to_owned(),
                )
                .await?;
        }
        fill(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(EvaluationCells::Table)
                        .drop_column(Alias::new(name))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// The key columns of a cell, in the order [`fill`] reads and matches them.
const KEY: [&str; 6] = [
    "region_code",
    "year",
    "kind",
    "grade",
    "status",
    "score_basis",
];

/// Writes every cell's sums from its stored summary, one `UPDATE` a cell (a cell per region,
/// year, kind, grade, status and basis: hundreds on the 1M set).
async fn fill(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT {}, summary FROM evaluation_cells", KEY.join(", ")),
        ))
        .await?;
    let placeholder = |i: usize| match backend {
        sea_orm_migration::sea_orm::DbBackend::Postgres => format!("${i}"),
        _ => "?".to_owned(),
    };
    let set: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = {}", placeholder(i + 1)))
        .collect();
    let matches: Vec<String> = KEY
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = {}", placeholder(COLUMNS.len() + i + 1)))
        .collect();
    let update = format!(
        "UPDATE evaluation_cells SET {} WHERE {}",
        set.join(", "),
        matches.join(" AND ")
    );
    for row in rows {
        let summary: String = row.try_get("", "summary")?;
        let Some(sums) = sums_of(&summary) else {
            continue;
        };
        let mut values: Vec<Value> = sums.iter().map(|n| Value::from(*n)).collect();
        values.push(Value::from(1i64));
        for (i, column) in KEY.iter().enumerate() {
            values.push(if i == 1 {
                Value::from(row.try_get::<i32>("", column)?)
            } else {
                Value::from(row.try_get::<String>("", column)?)
            });
        }
        db.execute_raw(Statement::from_sql_and_values(backend, &update, values))
            .await?;
    }
    Ok(())
}

/// A stored summary's sums in the order of [`COLUMNS`] (without `exact`), when every figure
/// is exact in hundredths: the service's `Summary::sums`, read from the summary's JSON.
fn sums_of(summary: &str) -> Option<[i64; 12]> {
    let v: serde_json::Value = serde_json::from_str(summary).ok()?;
    let count = v.get("count")?.as_i64()?;
    let grades = v.get("grades")?.as_object()?;
    let known = ["excellent", "good", "fair", "poor"];
    if count <= 0 || grades.keys().any(|g| !known.contains(&g.as_str())) {
        return None;
    }
    let whole = |key: &str| v.get(key)?.as_i64();
    let cents = |key: &str| hundredths(v.get(key)?.as_str()?);
    let bands = v.get("bands")?.as_array()?;
    let band = |i: usize| bands.get(i)?.as_i64();
    Some([
        cents("total_sum")?,
        cents("min_total")?,
        cents("max_total")?,
        band(0)?,
        band(1)?,
        band(2)?,
        band(3)?,
        whole("with_budget")?,
        cents("full_year")?,
        cents("executed")?,
        cents("rate_full_year")?,
        cents("rate_executed")?,
    ])
}

/// A decimal as written (`-12.5`, `100`, `37410.10`) in hundredths, when it has at most two
/// decimals and fits in 64 bits.
fn hundredths(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || fraction.len() > 2 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    let n = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)?;
    Some(if negative { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::{hundredths, sums_of};

    #[test]
    fn decimals_in_hundredths() {
        assert_eq!(hundredths("37410.10"), Some(3_741_010));
        assert_eq!(hundredths("1.5"), Some(150));
        assert_eq!(hundredths("100"), Some(10_000));
        assert_eq!(hundredths("-0.25"), Some(-25));
        assert_eq!(hundredths("1.500"), None);
        assert_eq!(hundredths("92233720368547758.07"), Some(i64::MAX));
        assert_eq!(hundredths("92233720368547758.08"), None);
        assert_eq!(hundredths(""), None);
        assert_eq!(hundredths("1e3"), None);
    }

    #[test]
    fn a_stored_summary_read_as_sums() {
        let stored = r#"{"count":13,"total_sum":"1255.42","min_total":"92.46","max_total":"99.47","bands":[0,0,1,12],"grades":{"excellent":13},"with_budget":13,"full_year":"37410.10","executed":"37006.46","rate_full_year":"37410.10","rate_executed":"37006.46"}"#;
        assert_eq!(
            sums_of(stored),
            Some([
                125_542, 9_246, 9_947, 0, 0, 1, 12, 13, 3_741_010, 3_700_646, 3_741_010, 3_700_646
            ])
        );
        assert_eq!(sums_of(&stored.replace("37006.46", "37006.465")), None);
        assert_eq!(sums_of(&stored.replace("excellent", "A")), None);
        assert_eq!(sums_of(&stored.replace(r#""1255.42""#, "null")), None);
    }
}
