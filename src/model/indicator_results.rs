//! Indicator results across evaluations: one indicator row of one evaluation, flat, for
//! dashboards that compare, say, PM2.5 across counties.

use serde::Serialize;
use utoipa::ToSchema;

use crate::model::amount::Figure;
use crate::model::evaluation_dto::EvaluationKind;
use crate::model::vocab::{EvaluationStatus, Level1Code};

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
    /// 一级指标 as the table printed it.
    pub level1: String,
    /// The same as a code of the vocabulary rule sets use (`output`, `benefit`, …); null when
    /// the rules do not know the name.
    pub level1_code: Option<Level1Code>,
    pub level2: String,
    pub level3: String,
    pub target: String,
    pub actual: String,
    pub weight: Option<Figure>,
    pub claimed: Option<Figure>,
    pub computed: Option<Figure>,
    pub achieved: Option<bool>,
}
