//! Minting HS256 tokens for development and trying the API out.

use std::time::Duration;

use anyhow::{Context, bail};
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

/// Parses a lifetime such as `90s`, `30m`, `1h`, `7d` (a bare number is seconds).
pub fn parse_ttl(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .with_context(|| format!("`{text}` is not a duration such as 1h"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => bail!("`{text}`: use s, m, h or d"),
    };
    if secs == 0 {
        bail!("the lifetime must be positive");
    }
    Ok(Duration::from_secs(secs))
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
    claims.insert("exp".into(), json!(now + request.ttl.as_secs() as i64));
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
    fn ttls() {
        assert_eq!(parse_ttl("1h").unwrap().as_secs(), 3600);
        assert_eq!(parse_ttl("30m").unwrap().as_secs(), 1800);
        assert_eq!(parse_ttl("2d").unwrap().as_secs(), 172_800);
        assert_eq!(parse_ttl("45").unwrap().as_secs(), 45);
        assert!(parse_ttl("1w").is_err());
        assert!(parse_ttl("0s").is_err());
        assert!(parse_ttl("h").is_err());
    }
}
