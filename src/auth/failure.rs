//! Why a request was not authenticated or not allowed, as problem documents.

use crate::error::{ApiError, ErrorCode, codes};
use crate::locale::Text;
use actix_web::http::header::{self, HeaderValue};

/// Why a request was not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    MissingToken,
    Malformed(String),
    Expired,
    NotYetValid,
    BadSignature,
    UnknownKey(String),
    AlgorithmNotAllowed(String),
    WrongIssuer,
    WrongAudience,
    MissingClaim(String),
    InvalidClaims(String),
}

impl AuthFailure {
    fn code(&self) -> ErrorCode {
        match self {
            Self::MissingToken => codes::AUTH_MISSING_TOKEN,
            Self::Malformed(_) => codes::AUTH_INVALID_TOKEN,
            Self::Expired => codes::AUTH_TOKEN_EXPIRED,
            Self::NotYetValid => codes::AUTH_TOKEN_NOT_YET_VALID,
            Self::BadSignature => codes::AUTH_INVALID_SIGNATURE,
            Self::UnknownKey(_) => codes::AUTH_UNKNOWN_KEY,
            Self::AlgorithmNotAllowed(_) => codes::AUTH_ALGORITHM_NOT_ALLOWED,
            Self::WrongIssuer => codes::AUTH_INVALID_ISSUER,
            Self::WrongAudience => codes::AUTH_INVALID_AUDIENCE,
            Self::MissingClaim(_) => codes::AUTH_MISSING_CLAIM,
            Self::InvalidClaims(_) => codes::AUTH_INVALID_CLAIMS,
        }
    }

    fn detail(&self) -> Text {
        match self {
            Self::MissingToken => Text::new(
                "Send `Authorization: Bearer <JWT>`",
                "请携带 `Authorization: Bearer <JWT>` 请求头",
            ),
            Self::Malformed(why) => Text::new(
                format!("The bearer token is not a valid JWT: {why}"),
                format!("Bearer 令牌不是合法的 JWT：{why}"),
            ),
            Self::Expired => Text::new("The token has expired", "令牌已过期"),
            Self::NotYetValid => {
                Text::new("The token is not valid yet (nbf)", "令牌尚未生效（nbf）")
            }
            Self::BadSignature => {
                Text::new("The token's signature does not verify", "令牌签名校验失败")
            }
            Self::UnknownKey(kid) => Text::new(
                format!("No configured key has the id `{kid}`"),
                format!("没有 id 为 `{kid}` 的已配置密钥"),
            ),
            Self::AlgorithmNotAllowed(alg) => Text::new(
                format!("No configured key verifies {alg} tokens"),
                format!("没有可校验 {alg} 令牌的已配置密钥"),
            ),
            Self::WrongIssuer => Text::new(
                "The token's issuer (iss) is not accepted",
                "令牌签发方（iss）不被接受",
            ),
            Self::WrongAudience => Text::new(
                "The token's audience (aud) is not this service",
                "令牌受众（aud）不是本服务",
            ),
            Self::MissingClaim(c) => Text::new(
                format!("The token lacks the required claim `{c}`"),
                format!("令牌缺少必需的声明 `{c}`"),
            ),
            Self::InvalidClaims(why) => Text::new(
                format!("The token's claims are not usable: {why}"),
                format!("令牌声明无效：{why}"),
            ),
        }
    }
}

impl From<AuthFailure> for ApiError {
    fn from(f: AuthFailure) -> Self {
        let challenge = match &f {
            AuthFailure::MissingToken => "Bearer realm=\"jixiao\"".to_owned(),
            other => format!(
                "Bearer realm=\"jixiao\", error=\"invalid_token\", error_description=\"{}\"",
                other.code().code
            ),
        };
        ApiError::new(f.code(), f.detail()).with_header(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_str(&challenge).unwrap_or(HeaderValue::from_static("Bearer")),
        )
    }
}

/// The 403 for a caller whose role may not do this.
pub fn forbidden(what: &str, what_zh: &str) -> ApiError {
    ApiError::new(
        codes::AUTH_FORBIDDEN,
        Text::new(
            format!("Your role may not {what}"),
            format!("您的角色无权{what_zh}"),
        ),
    )
}
