//! What a list of evaluations answers for each item: a summary by default ([`EvaluationSummaryItem`],
//! read from columns, no stored document), the whole document with `view=full`, and with
//! `fields=` the chosen fields of either. The change feed's evaluation entries are summaries too.

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError, codes};
use crate::locale::Text;
pub use crate::model::evaluation_summary::{EvaluationSummaryItem, EvaluationSummaryPage};
use crate::model::vocab::{EvaluationView, Vocabulary};

/// The top-level fields of a summary, in the contract's order.
pub const SUMMARY_FIELDS: &[&str] = &[
    "id",
    "kind",
    "kind_label_zh",
    "year",
    "status",
    "status_label_zh",
    "version",
    "department_id",
    "department_name",
    "department_budget_code",
    "region",
    "region_name",
    "project_id",
    "project_name",
    "budget_full_year",
    "budget_executed",
    "total",
    "grade",
    "grade_label_zh",
    "basis",
    "error_count",
    "warning_count",
    "updated_at",
    "href",
];

/// The top-level fields of a whole evaluation (`Evaluation`).
pub const FULL_FIELDS: &[&str] = &[
    "id",
    "kind",
    "kind_label_zh",
    "department_id",
    "project_id",
    "region",
    "year",
    "rule_set",
    "status",
    "status_label_zh",
    "version",
    "budget",
    "budget_source",
    "annual_goal",
    "achievement",
    "indicators",
    "claimed_total",
    "narrative",
    "computed",
    "allowed_actions",
    "blocked_actions",
    "created_by",
    "submitted_by",
    "created_at",
    "updated_at",
];

/// The fields a list answers for each item: all of the view's (`None`), or those `fields`
/// names (a comma list; each must be a field of the view, else 400 naming it).
pub fn chosen_fields(
    view: EvaluationView,
    fields: Option<&str>,
) -> Result<Option<Vec<&'static str>>, ApiError> {
    let Some(fields) = fields else {
        return Ok(None);
    };
    let known = match view {
        EvaluationView::Summary => SUMMARY_FIELDS,
        EvaluationView::Full => FULL_FIELDS,
    };
    let mut chosen = Vec::new();
    for name in fields.split(',').map(str::trim) {
        match known.iter().find(|k| **k == name) {
            Some(k) if !chosen.contains(k) => chosen.push(*k),
            Some(_) => {}
            None => return Err(unknown_field(view, name, known)),
        }
    }
    Ok(Some(chosen))
}

fn unknown_field(view: EvaluationView, name: &str, known: &[&str]) -> ApiError {
    let list = known.join(", ");
    let view = view.as_str();
    let (en, zh) = if name.is_empty() {
        (
            format!("fields names an empty field; the {view} view has: {list}"),
            format!("fields 含有空字段名；{view} 视图的字段为：{list}"),
        )
    } else {
        (
            format!("`{name}` is not a field of the {view} view; it has: {list}"),
            format!("`{name}` 不是 {view} 视图的字段；可用字段：{list}"),
        )
    };
    let mut e = ApiError::new(codes::INVALID_QUERY, Text::new(en.clone(), zh.clone()));
    e.errors.push(FieldError::query(
        "fields",
        "parameter.invalid",
        Text::new(en, zh),
    ));
    e
}

/// Writes one list item: all of it, or only the chosen fields.
pub fn write_item<T: Serialize>(
    body: &mut Vec<u8>,
    item: &T,
    fields: Option<&[&str]>,
) -> Result<(), ApiError> {
    match fields {
        None => serde_json::to_writer(body, item).map_err(ApiError::internal),
        Some(fields) => {
            let value = serde_json::to_value(item).map_err(ApiError::internal)?;
            let mut chosen = serde_json::Map::new();
            if let serde_json::Value::Object(mut all) = value {
                for f in fields {
                    if let Some(v) = all.remove(*f) {
                        chosen.insert((*f).to_owned(), v);
                    }
                }
            }
            serde_json::to_writer(body, &chosen).map_err(ApiError::internal)
        }
    }
}

/// A page of `GET /api/v1/evaluations`: summaries by default, whole evaluations with
/// `view=full`. With `fields=` each item has only the fields named (of the view's).
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Only the contract names it: the list writes its pages item by item.
pub enum EvaluationListPage {
    Summaries(EvaluationSummaryPage),
    Full(crate::model::evaluation_dto::EvaluationPage),
}
