//! One error type, one code table, and the RFC 9457 `application/problem+json` rendering.
//!
//! Handlers return [`ApiError`]. Its response carries the problem in the response extensions;
//! the `problem` middleware (see `api::middleware`) renders the final body once it
//! knows the request's language, path and request id, and turns any other error response the
//! framework produces (404, 405, 413, …) into a problem too, so no plain-text error escapes.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use utoipa::ToSchema;

use crate::domain::body_problem::BodyProblem;
use crate::locale::{Lang, Text};

/// One row of the error code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorCode {
    /// Stable code, e.g. `region.not_found`.
    pub code: &'static str,
    #[serde(serialize_with = "ser_status")]
    #[schema(value_type = u16)]
    pub status: StatusCode,
    pub title_en: &'static str,
    pub title_zh: &'static str,
}

fn ser_status<S: serde::Serializer>(s: &StatusCode, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_u16(s.as_u16())
}

macro_rules! codes {
    ($($name:ident = ($code:literal, $status:ident, $en:literal, $zh:literal);)*) => {
        /// The error code table: every code the API can answer with.
        pub mod codes {
            use super::ErrorCode;
            use actix_web::http::StatusCode;
            $(pub const $name: ErrorCode = ErrorCode {
                code: $code, status: StatusCode::$status, title_en: $en, title_zh: $zh,
            };)*
            /// All codes, in table order.
            pub const ALL: &[ErrorCode] = &[$($name),*];
        }
    };
}

codes! {
    BAD_REQUEST = ("request.bad_request", BAD_REQUEST, "Bad request", "请求无效");
    MALFORMED_JSON = ("request.malformed_json", BAD_REQUEST, "Malformed JSON body", "请求体不是合法的 JSON");
    INVALID_QUERY = ("request.invalid_query", BAD_REQUEST, "Invalid query parameters", "查询参数无效");
    INVALID_PATH = ("request.invalid_path", BAD_REQUEST, "Invalid path parameter", "路径参数无效");
    INVALID_PAGE_TOKEN = ("request.invalid_page_token", BAD_REQUEST, "Invalid page token", "分页令牌无效");
    INVALID_HEADER = ("request.invalid_header", BAD_REQUEST, "Invalid header", "请求头无效");
    NOT_FOUND = ("request.not_found", NOT_FOUND, "Not found", "未找到");
    METHOD_NOT_ALLOWED = ("request.method_not_allowed", METHOD_NOT_ALLOWED, "Method not allowed", "不允许的请求方法");
    NOT_ACCEPTABLE = ("request.not_acceptable", NOT_ACCEPTABLE, "Not acceptable", "无法提供所要求的格式");
    REQUEST_TIMEOUT = ("request.timeout", REQUEST_TIMEOUT, "The request did not arrive in time", "请求未能按时送达");
    BODY_TOO_LARGE = ("request.body_too_large", PAYLOAD_TOO_LARGE, "Request body too large", "请求体过大");
    HEADERS_TOO_LARGE = ("request.headers_too_large", REQUEST_HEADER_FIELDS_TOO_LARGE, "Request headers too large", "请求头过大");
    UNSUPPORTED_MEDIA_TYPE = ("request.unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported media type", "不支持的媒体类型");
    VALIDATION_FAILED = ("request.validation_failed", UNPROCESSABLE_ENTITY, "The request has invalid fields", "请求包含无效字段");
    PRECONDITION_REQUIRED = ("request.precondition_required", PRECONDITION_REQUIRED, "If-Match header required", "需要 If-Match 请求头");
    PRECONDITION_FAILED = ("request.precondition_failed", PRECONDITION_FAILED, "The resource has changed", "资源已被修改");
    REGION_NOT_FOUND = ("region.not_found", NOT_FOUND, "Region not found", "行政区划不存在");
    REGION_EXISTS = ("region.exists", CONFLICT, "Region already exists", "行政区划已存在");
    REGION_HAS_CHILDREN = ("region.has_children", CONFLICT, "Region still has subordinate regions", "该行政区划仍有下级区划");
    AUTH_MISSING_TOKEN = ("auth.missing_token", UNAUTHORIZED, "Authentication required", "需要身份认证");
    AUTH_INVALID_TOKEN = ("auth.invalid_token", UNAUTHORIZED, "Invalid token", "令牌无效");
    AUTH_TOKEN_EXPIRED = ("auth.token_expired", UNAUTHORIZED, "Token expired", "令牌已过期");
    AUTH_TOKEN_NOT_YET_VALID = ("auth.token_not_yet_valid", UNAUTHORIZED, "Token not yet valid", "令牌尚未生效");
    AUTH_INVALID_SIGNATURE = ("auth.invalid_signature", UNAUTHORIZED, "Invalid token signature", "令牌签名无效");
    AUTH_UNKNOWN_KEY = ("auth.unknown_key", UNAUTHORIZED, "Unknown signing key", "未知的签名密钥");
    AUTH_ALGORITHM_NOT_ALLOWED = ("auth.algorithm_not_allowed", UNAUTHORIZED, "Token algorithm not allowed", "不允许的令牌算法");
    AUTH_INVALID_ISSUER = ("auth.invalid_issuer", UNAUTHORIZED, "Token issuer not accepted", "令牌签发方不被接受");
    AUTH_INVALID_AUDIENCE = ("auth.invalid_audience", UNAUTHORIZED, "Token audience not accepted", "令牌受众不被接受");
    AUTH_MISSING_CLAIM = ("auth.missing_claim", UNAUTHORIZED, "Token lacks a required claim", "令牌缺少必需的声明");
    AUTH_INVALID_CLAIMS = ("auth.invalid_claims", UNAUTHORIZED, "Token claims not usable", "令牌声明无效");
    AUTH_INVALID_LINK = ("auth.invalid_link", UNAUTHORIZED, "The page link is not valid", "页面链接无效");
    AUTH_FORBIDDEN = ("auth.forbidden", FORBIDDEN, "Not allowed for your role", "您的角色无权执行此操作");
    AUTH_OUT_OF_SCOPE = ("auth.out_of_scope", FORBIDDEN, "Outside your scope", "超出您的数据范围");
    RATE_LIMITED = ("request.rate_limited", TOO_MANY_REQUESTS, "Too many requests", "请求过于频繁");
    DEPARTMENT_NOT_FOUND = ("department.not_found", NOT_FOUND, "Department not found", "部门不存在");
    DEPARTMENT_EXISTS = ("department.exists", CONFLICT, "Department already exists", "部门已存在");
    DEPARTMENT_BUDGET_CODE_TAKEN = ("department.budget_code_taken", CONFLICT, "Budget code used by another department", "预算单位编码已被其他部门使用");
    DEPARTMENT_AMBIGUOUS = ("department.ambiguous", CONFLICT, "Budget code is ambiguous", "预算单位编码不唯一");
    DEPARTMENT_HAS_CHILDREN = ("department.has_children", CONFLICT, "Department still has subordinate departments", "该部门仍有下属部门");
    FUND_NOT_FOUND = ("fund.not_found", NOT_FOUND, "Fund not found", "资金不存在");
    PROJECT_NOT_FOUND = ("project.not_found", NOT_FOUND, "Project not found", "项目不存在");
    PROJECT_HAS_FUNDS = ("project.has_funds", CONFLICT, "Project still has funds", "该项目仍有资金");
    DOCUMENT_NOT_FOUND = ("department_year.not_found", NOT_FOUND, "No data for that year", "该年度没有数据");
    EVALUATION_NOT_FOUND = ("evaluation.not_found", NOT_FOUND, "Evaluation not found", "绩效自评不存在");
    EVALUATION_EXISTS = ("evaluation.exists", CONFLICT, "Evaluation already exists", "绩效自评已存在");
    EVALUATION_READ_ONLY = ("evaluation.read_only", CONFLICT, "Evaluation is read-only in its state", "绩效自评在当前状态下不可修改");
    EVALUATION_ILLEGAL_TRANSITION = ("evaluation.illegal_transition", CONFLICT, "Not allowed in the current state", "当前状态下不允许此操作");
    EVALUATION_NOT_SUBMITTER = ("evaluation.not_submitter", FORBIDDEN, "Only the submitter who submitted it, or an admin, may withdraw it", "只有提交人本人或管理员可以撤回");
    EVALUATION_NOT_SUBMITTABLE = ("evaluation.not_submittable", CONFLICT, "Errors remain: the evaluation cannot be submitted", "仍有错误，绩效自评不能提交");
    REVIEW_NOT_FOUND = ("review.not_found", NOT_FOUND, "No review to show", "没有可查看的复核");
    REVIEW_NOT_OPEN = ("review.not_open", CONFLICT, "Only a submitted evaluation is reviewed", "只有已提交的绩效自评可以复核");
    REVIEW_LOWER_LEVEL_PENDING = ("review.lower_level_pending", CONFLICT, "A lower approval level has not approved yet", "下一级审批尚未通过");
    REVIEW_LEVEL_DONE = ("review.level_done", CONFLICT, "Your approval level has approved already", "本级审批已通过");
    COMMENT_NOT_FOUND = ("comment.not_found", NOT_FOUND, "Comment not found", "评论不存在");
    INDICATOR_NOT_FOUND = ("indicator.not_found", NOT_FOUND, "Indicator row not found", "指标行不存在");
    RULE_SET_NOT_FOUND = ("rule_set.not_found", NOT_FOUND, "Rule set not found", "规则集不存在");
    RULE_SET_EXISTS = ("rule_set.version_exists", CONFLICT, "Rule set version exists", "规则集版本已存在");
    RULE_SET_DEFAULT_NOT_FOUND = ("rule_set_default.not_found", NOT_FOUND, "No default rule set here", "未设置默认规则集");
    IDEMPOTENCY_KEY_REUSED = ("idempotency.key_reused", UNPROCESSABLE_ENTITY, "Idempotency-Key used for another request", "Idempotency-Key 已用于其他请求");
    IDEMPOTENCY_IN_PROGRESS = ("idempotency.in_progress", CONFLICT, "A request with this Idempotency-Key is still running", "使用该 Idempotency-Key 的请求仍在处理中");
    BATCH_CONFLICTING_FLAGS = ("batch.conflicting_flags", BAD_REQUEST, "The body and the query string disagree", "请求体与查询参数相互矛盾");
    BATCH_FAILED = ("batch.failed", UNPROCESSABLE_ENTITY, "The batch failed", "批量请求失败");
    SERVICE_UNAVAILABLE = ("service.unavailable", SERVICE_UNAVAILABLE, "Service unavailable", "服务暂不可用");
    INTERNAL = ("internal", INTERNAL_SERVER_ERROR, "Internal server error", "服务器内部错误");
}

impl ErrorCode {
    /// The code for a bare HTTP status, used when the framework answers on its own.
    pub fn for_status(status: StatusCode) -> ErrorCode {
        match status.as_u16() {
            401 => codes::AUTH_MISSING_TOKEN,
            403 => codes::AUTH_FORBIDDEN,
            404 => codes::NOT_FOUND,
            429 => codes::RATE_LIMITED,
            405 => codes::METHOD_NOT_ALLOWED,
            406 => codes::NOT_ACCEPTABLE,
            408 => codes::REQUEST_TIMEOUT,
            413 => codes::BODY_TOO_LARGE,
            431 => codes::HEADERS_TOO_LARGE,
            415 => codes::UNSUPPORTED_MEDIA_TYPE,
            412 => codes::PRECONDITION_FAILED,
            428 => codes::PRECONDITION_REQUIRED,
            503 => codes::SERVICE_UNAVAILABLE,
            s if (400..500).contains(&s) => ErrorCode {
                status,
                ..codes::BAD_REQUEST
            },
            _ => codes::INTERNAL,
        }
    }

    pub fn type_uri(&self) -> String {
        format!("/problems/{}", self.code)
    }
}

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// JSON Pointer into the request body (`/indicators/3/weight`), or the query parameter name
    /// when `in_query` is set.
    pub pointer: String,
    pub code: &'static str,
    pub detail: Text,
    pub in_query: bool,
}

impl FieldError {
    pub fn body(pointer: impl Into<String>, code: &'static str, detail: Text) -> Self {
        Self {
            pointer: pointer.into(),
            code,
            detail,
            in_query: false,
        }
    }

    pub fn query(name: impl Into<String>, code: &'static str, detail: Text) -> Self {
        Self {
            pointer: name.into(),
            code,
            detail,
            in_query: true,
        }
    }
}

/// The error every handler returns (boxed: errors travel through many `Result`s).
#[derive(Clone)]
pub struct ApiError(Box<ApiErrorData>);

/// What an [`ApiError`] holds.
#[derive(Clone)]
pub struct ApiErrorData {
    pub code: ErrorCode,
    pub detail: Text,
    pub errors: Vec<FieldError>,
    /// Extra members of the problem object (e.g. `current_state`).
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The internal cause: logged with the request id, never sent.
    pub cause: Option<Arc<anyhow::Error>>,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: Text) -> Self {
        Self(Box::new(ApiErrorData {
            code,
            detail,
            errors: Vec::new(),
            extra: serde_json::Map::new(),
            headers: Vec::new(),
            cause: None,
        }))
    }

    /// A 422 listing every field problem at once.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let n = errors.len();
        let mut e = Self::new(
            codes::VALIDATION_FAILED,
            Text::new(
                format!("{n} field(s) are invalid; see `errors`"),
                format!("{n} 个字段无效，详见 `errors`"),
            ),
        );
        e.errors = errors;
        e
    }

    /// `Ok` when a domain check found nothing in a body; otherwise the 422 that names every
    /// problem at its pointer.
    pub fn unless_any(problems: Vec<BodyProblem>) -> Result<(), ApiError> {
        if problems.is_empty() {
            return Ok(());
        }
        Err(Self::validation(
            problems
                .into_iter()
                .map(|p| FieldError::body(p.pointer, p.code, Text::new(p.en, p.zh)))
                .collect(),
        ))
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn with_extra(mut self, key: &str, value: serde_json::Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    /// A 500 whose cause is logged and not shown.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(
            codes::INTERNAL,
            Text::new(
                "The server could not complete the request; the cause is logged under the request id",
                "服务器无法完成请求；原因已按请求编号记录在日志中",
            ),
        );
        e.cause = Some(Arc::new(cause.into()));
        e
    }

    /// A 503 for a database that cannot be reached, or any other internal failure.
    pub fn from_db(err: sea_orm::DbErr) -> Self {
        use sea_orm::DbErr;
        match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                let mut e = Self::new(
                    codes::SERVICE_UNAVAILABLE,
                    Text::new(
                        "The database is not reachable; try again shortly",
                        "数据库暂时无法连接，请稍后重试",
                    ),
                )
                .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"));
                e.cause = Some(Arc::new(err.into()));
                e
            }
            _ => Self::internal(err),
        }
    }

    /// The problem document in the given language.
    pub fn to_problem(&self, lang: Lang, instance: &str, request_id: &str) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        body.insert("type".into(), self.code.type_uri().into());
        let title = match lang {
            Lang::En => self.code.title_en,
            Lang::Zh => self.code.title_zh,
        };
        body.insert("title".into(), title.into());
        body.insert("status".into(), self.code.status.as_u16().into());
        body.insert("detail".into(), self.detail.get(lang).into());
        body.insert("instance".into(), instance.into());
        body.insert("code".into(), self.code.code.into());
        body.insert("request_id".into(), request_id.into());
        if !self.errors.is_empty() {
            let errors = self
                .errors
                .iter()
                .map(|f| {
                    let key = if f.in_query { "parameter" } else { "pointer" };
                    serde_json::json!({ key: f.pointer, "code": f.code, "detail": f.detail.get(lang) })
                })
                .collect();
            body.insert("errors".into(), serde_json::Value::Array(errors));
        }
        for (k, v) in &self.extra {
            body.insert(k.clone(), v.clone());
        }
        serde_json::Value::Object(body)
    }
}

impl std::ops::Deref for ApiError {
    type Target = ApiErrorData;

    fn deref(&self) -> &ApiErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ApiErrorData {
        &mut self.0
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("code", &self.code.code)
            .field("detail", &self.detail.en)
            .field("cause", &self.cause)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.code, self.detail.en)?;
        if let Some(cause) = &self.cause {
            write!(f, " (cause: {cause:#})")?;
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status
    }

    fn error_response(&self) -> HttpResponse {
        // The body is rendered by the problem middleware, which knows the language, the path
        // and the request id; an English body is the fallback should it not run.
        let mut res = HttpResponse::build(self.code.status);
        for (name, value) in &self.headers {
            res.insert_header((name.clone(), value.clone()));
        }
        res.content_type(PROBLEM_JSON);
        let mut res = res.body(self.to_problem(Lang::En, "", "").to_string());
        res.extensions_mut().insert(self.clone());
        res
    }
}

impl From<crate::model::vocab::UnknownStored> for ApiError {
    fn from(e: crate::model::vocab::UnknownStored) -> Self {
        ApiError::internal(e.0)
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::from_db(err)
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The problem document (RFC 9457) as documented in the contract.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/region.not_found",
    "title": "Region not found",
    "status": 404,
    "detail": "No region has the code 430499",
    "instance": "/api/v1/regions/430499",
    "code": "region.not_found",
    "request_id": "0f9d5c1e-7a39-4b52-9a4e-3c8d2f5a6b71"
}))]
pub struct Problem {
    /// URI reference identifying the problem type: `/problems/{code}`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request path.
    pub instance: String,
    /// Stable machine-readable code from the code table (`GET /problems`).
    pub code: String,
    /// The request id, also sent as `X-Request-Id` and written to the log.
    pub request_id: String,
    /// Field problems, for input errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
    /// The state the evaluation is in, when a workflow action or a write is refused because
    /// of it (`evaluation.invalid_transition`, `evaluation.read_only`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::model::vocab::EvaluationStatus>)]
    pub current_state: Option<String>,
    /// The error findings that block a submission (`evaluation.not_submittable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = schema_array_of_findings)]
    pub blocking_findings: Option<Vec<serde_json::Value>>,
    /// The path of the object that is already there (`*.exists`, `evaluation.read_only`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing: Option<String>,
    /// The natural key that is taken (`evaluation.exists`): budget code, year, kind and project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub natural_key: Option<String>,
    /// The counts of a failed batch (`batch.failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = schema_ref_batch_summary)]
    pub summary: Option<serde_json::Value>,
    /// Each item's outcome in a failed batch (`batch.failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = schema_array_of_items)]
    pub items: Option<Vec<serde_json::Value>>,
}

fn schema_ref_batch_summary() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::Ref::from_schema_name("BatchSummary").into()
}

fn schema_array_of(name: &str) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(utoipa::openapi::Ref::from_schema_name(name))
        .into()
}

fn schema_array_of_findings() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    schema_array_of("FindingDto")
}

fn schema_array_of_items() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    schema_array_of("ItemResult")
}

/// One field problem inside a problem document.
#[derive(Serialize, ToSchema)]
pub struct ProblemField {
    /// JSON Pointer into the request body (for body errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Query parameter name (for query errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    pub code: String,
    pub detail: String,
}
