//! Indicator results across evaluations: one indicator row of one evaluation, flat, for
//! dashboards that compare, say, PM2.5 across counties.

use serde::Serialize;
use utoipa::ToSchema;

use crate::model::amount::Figure;
use crate::model::evaluation_dto::EvaluationKind;
use crate::model::vocab::EvaluationStatus;

/// One indicator row of one evaluation.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorResult {
    pub evaluation_id: String,
    pub index: i32,
    pub year: i32,
    pub region: String,
    pub department_id: String,
    pub kind: EvaluationKind,
    pub status: EvaluationStatus,
    pub level1: String,
    pub level2: String,
    pub level3: String,
    pub target: String,
    pub actual: String,
    pub weight: Option<Figure>,
    pub claimed: Option<Figure>,
    pub computed: Option<Figure>,
    pub achieved: Option<bool>,
}
