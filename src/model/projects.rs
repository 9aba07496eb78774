//! Projects (项目): as sent and as answered, with the budget block derived from their funds.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::amount::{Amount, Figure};
use crate::model::body::RequestBody;
use crate::store::projects::Model;

/// The budget block of a project, summed from its funds.
#[derive(Debug, Serialize, ToSchema, Default)]
pub struct ProjectBudget {
    /// 年初预算数 (万元).
    pub initial: Option<Amount>,
    /// 全年预算数 (万元).
    pub full_year: Option<Amount>,
    /// 全年执行数 (万元).
    pub executed: Option<Amount>,
    /// executed / full-year.
    pub execution_rate_percent: Option<Figure>,
    /// How many fund allocations finance the project.
    pub fund_count: usize,
}

/// A project.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-0000-7000-8000-000000000020", "department_id": "0193a1b2-0000-7000-8000-000000000001",
    "region": "430424", "year": 2024, "name": "农村黑臭水体奖补资金",
    "competent_department": "衡阳市生态环境局机关",
    "implementing_organisation": "中泓建筑有限公司洣水分公司",
    "description": "农村黑臭水体治理项目于2024年1月份施工，2024年2月完成项目验收",
    "annual_goal": "清理黑臭水体，改善当地生态环境",
    "budget": {"initial": "0", "full_year": "19.87", "executed": "19.87", "execution_rate_percent": "100.00", "fund_count": 1},
    "version": 1, "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z"
}))]
pub struct Project {
    pub id: String,
    pub department_id: String,
    pub region: String,
    pub year: i32,
    pub name: String,
    /// 主管部门.
    pub competent_department: Option<String>,
    /// 项目实施单位 as written.
    pub implementing_organisation: Option<String>,
    pub description: Option<String>,
    /// 预期目标.
    pub annual_goal: Option<String>,
    /// Derived from the project's funds; never sent by clients.
    pub budget: ProjectBudget,
    pub version: i64,
    #[serde(serialize_with = "crate::clock::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::micros")]
    pub updated_at: DateTime<Utc>,
}

/// A new project, or the full replacement of one.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "department": "901001", "year": 2024, "name": "农村黑臭水体奖补资金",
    "competent_department": "衡阳市生态环境局机关",
    "implementing_organisation": "中泓建筑有限公司洣水分公司",
    "annual_goal": "清理黑臭水体，改善当地生态环境"
}))]
pub struct ProjectInput {
    /// The implementing department: id or budget code.
    pub department: String,
    pub year: i32,
    pub name: String,
    #[serde(default)]
    pub competent_department: Option<String>,
    #[serde(default)]
    pub implementing_organisation: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub annual_goal: Option<String>,
}

impl RequestBody for ProjectInput {
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "region",
        "budget",
        "department_id",
    ];
}

/// The `GET /projects/{id}` shape of a stored project and its budget block.
pub fn to_dto(m: Model, budget: ProjectBudget) -> Project {
    Project {
        id: m.id,
        department_id: m.department_id,
        region: m.region_code,
        year: m.year,
        name: m.name,
        competent_department: m.competent_department,
        implementing_organisation: m.implementing_organisation,
        description: m.description,
        annual_goal: m.annual_goal,
        budget,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}
