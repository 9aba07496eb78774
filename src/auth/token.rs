//! Minting HS256 tokens for development and trying the API out.

use std::time::Duration;

use anyhow::Context;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Map, Value, json};

use crate::config::AuthSettings;
use crate::domain::policy::Role;
use crate::domain::region::RegionCode;

/// What a token says.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub subject: String,
    pub role: Role,
    pub region: RegionCode,
    pub departments: Vec<String>,
    pub ttl: Duration,
}

/// Signs a token with the shared secret, using the configured claim names, issuer and audience.
pub fn mint(
    settings: &AuthSettings,
    secret: &str,
    request: &TokenRequest,
) -> anyhow::Result<String> {
    let now = chrono::Utc::now().timestamp();
    let mut claims = Map::new();
    claims.insert(settings.claim_subject.clone(), json!(request.subject));
    claims.insert(settings.claim_role.clone(), json!(request.role.as_str()));
    claims.insert(
        settings.claim_region.clone(),
        json!(request.region.as_str()),
    );
    if !request.departments.is_empty() {
        claims.insert(
            settings.claim_departments.clone(),
            json!(request.departments),
        );
    }
    claims.insert("iat".into(), json!(now));
    let exp = i64::try_from(request.ttl.as_secs())
        .ok()
        .and_then(|ttl| now.checked_add(ttl))
        .context("the token's lifetime reaches past the end of time")?;
    claims.insert("exp".into(), json!(exp));
    if let Some(iss) = &settings.jwt_issuer {
        claims.insert("iss".into(), json!(iss));
    }
    if let Some(aud) = &settings.jwt_audience {
        claims.insert("aud".into(), json!(aud));
    }
    let key = EncodingKey::from_secret(secret.as_bytes()).context("cannot use the secret")?;
    jsonwebtoken::encode(&Header::default(), &Value::Object(claims), &key)
        .context("cannot sign the token")
}

/// A random secret for `--dev` (256 bits from the OS generator, via UUID v4).
pub fn random_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lifetime_past_the_end_of_time_is_an_error_not_an_overflow() {
        let settings = crate::config::Settings::resolve(&[]).unwrap().auth;
        let request = TokenRequest {
            subject: "t".into(),
            role: Role::Admin,
            region: RegionCode::parse("430000").unwrap(),
            departments: Vec::new(),
            ttl: Duration::from_secs(u64::MAX / 2),
        };
        let secret = "a-secret-of-at-least-32-bytes-long-0123";
        assert!(mint(&settings, secret, &request).is_err());
        let request = TokenRequest {
            ttl: Duration::from_secs(3600),
            ..request
        };
        assert!(mint(&settings, secret, &request).is_ok());
    }
}
