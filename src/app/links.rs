//! Short-lived signed links to the pages a browser opens (the printable report, the overview):
//! a finance officer opens them from a link, without a bearer header and without a long-lived
//! token in the URL.
//!
//! A link carries a token of its own: HS256 under a key used for nothing else (the setting
//! `link_secret`, else derived from `jwt_secret`, else random for this process), audience
//! `jixiao-page`, the caller's subject, role, region and departments, the one page it opens and
//! an expiry a few minutes ahead (`link_ttl`, default 5 minutes). It is not an API token: the
//! API refuses it (another key), and a page refuses a link made for another page. The page then
//! answers exactly what the caller who asked for the link may read.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::policy::{Principal, Role};
use crate::domain::region::RegionCode;
use crate::error::{ApiError, codes};
use crate::locale::Text;

const AUDIENCE: &str = "jixiao-page";

/// Where the signing key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The `link_secret` setting.
    Configured,
    /// Derived from `jwt_secret` (every instance with the same secret accepts the links).
    Derived,
    /// Random for this process: links open only on the instance that issued them.
    Random,
}

/// The key that signs and checks page links, and how long a link lives.
#[derive(Clone)]
pub struct LinkKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: Duration,
    pub source: KeySource,
}

impl std::fmt::Debug for LinkKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkKeys")
            .field("ttl", &self.ttl)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// A link to a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The page with its `link` parameter, relative to the service (`/reports/…?link=…`).
    pub url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    aud: String,
    sub: String,
    role: String,
    region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    departments: Option<Vec<String>>,
    /// The path of the one page the link opens.
    page: String,
    iat: i64,
    exp: i64,
}

fn derive(secret: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"jixiao page links\0");
    h.update(secret.as_bytes());
    h.finalize().to_vec()
}

impl LinkKeys {
    /// The keys from the settings: `link_secret` when set, else derived from `jwt_secret`, else
    /// a random key for this process.
    pub fn new(
        link_secret: Option<&str>,
        jwt_secret: Option<&str>,
        ttl: Duration,
    ) -> anyhow::Result<LinkKeys> {
        let (bytes, source) = match (link_secret, jwt_secret) {
            (Some(s), _) => (s.as_bytes().to_vec(), KeySource::Configured),
            (None, Some(s)) => (derive(s), KeySource::Derived),
            (None, None) => (
                derive(&crate::auth::token::random_secret()),
                KeySource::Random,
            ),
        };
        Ok(LinkKeys {
            encoding: EncodingKey::from_secret(&bytes)
                .map_err(|e| anyhow::anyhow!("page link key: {e}"))?,
            decoding: DecodingKey::from_secret(&bytes)
                .map_err(|e| anyhow::anyhow!("page link key: {e}"))?,
            ttl,
            source,
        })
    }

    /// A link to `page` (a path such as `/reports/{id}`) for the caller, valid for the TTL.
    pub fn issue(&self, principal: &Principal, page: &str) -> Result<Link, ApiError> {
        let now = crate::clock::now();
        let ttl = chrono::Duration::from_std(self.ttl).map_err(ApiError::internal)?;
        let expires_at = now + ttl;
        let claims = Claims {
            aud: AUDIENCE.to_owned(),
            sub: principal.subject.clone(),
            role: principal.role.as_str().to_owned(),
            region: principal.region.as_str().to_owned(),
            departments: principal.departments.clone(),
            page: page.to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)?;
        Ok(Link {
            url: format!("{page}?link={token}"),
            expires_at,
        })
    }

    /// The caller a link to `page` was issued to; 401 when the link is not one (expired,
    /// altered, signed with another key, or made for another page).
    pub fn open(&self, token: &str, page: &str) -> Result<Principal, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| refused(&e.to_string()))?;
        let c = data.claims;
        if c.page != page {
            return Err(refused("the link was made for another page"));
        }
        let role = Role::parse(&c.role).ok_or_else(|| refused("unknown role"))?;
        let region = RegionCode::parse_scope(&c.region).map_err(|_| refused("unknown region"))?;
        Ok(Principal {
            subject: c.sub,
            role,
            region,
            departments: c.departments,
        })
    }
}

fn refused(why: &str) -> ApiError {
    ApiError::new(
        codes::AUTH_INVALID_LINK,
        Text::new(
            format!("The link does not open this page ({why}); ask the service for a new one"),
            format!("链接无法打开此页面（{why}），请重新获取链接"),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> Principal {
        Principal {
            subject: "reviewer@430400".into(),
            role: Role::Reviewer,
            region: RegionCode::parse_scope("430400").unwrap(),
            departments: None,
        }
    }

    fn token_of(link: &Link) -> &str {
        link.url.split_once("?link=").unwrap().1
    }

    #[test]
    fn a_link_opens_its_page_as_its_caller_and_nothing_else() {
        let keys = LinkKeys::new(
            None,
            Some("a-secret-of-at-least-thirty-two-bytes"),
            Duration::from_secs(300),
        )
        .unwrap();
        assert_eq!(keys.source, KeySource::Derived);
        let link = keys.issue(&caller(), "/reports/e1").unwrap();
        assert!(link.url.starts_with("/reports/e1?link="));
        let p = keys.open(token_of(&link), "/reports/e1").unwrap();
        assert_eq!(
            (p.subject.as_str(), p.role, p.region.as_str()),
            ("reviewer@430400", Role::Reviewer, "430400")
        );
        assert!(keys.open(token_of(&link), "/reports/e2").is_err());
        assert!(keys.open(token_of(&link), "/overview").is_err());
        // Altered, or signed by another key (another secret; the API's own secret).
        let mut bad = token_of(&link).to_owned();
        bad.push('x');
        assert!(keys.open(&bad, "/reports/e1").is_err());
        let other = LinkKeys::new(
            None,
            Some("another-secret-of-at-least-32-bytes!"),
            Duration::from_secs(300),
        )
        .unwrap();
        assert!(other.open(token_of(&link), "/reports/e1").is_err());
        let raw = LinkKeys::new(
            Some("a-secret-of-at-least-thirty-two-bytes"),
            None,
            Duration::from_secs(300),
        )
        .unwrap();
        assert!(
            raw.open(token_of(&link), "/reports/e1").is_err(),
            "derived, not the secret itself"
        );
    }

    #[test]
    fn an_expired_link_is_refused() {
        let keys =
            LinkKeys::new(Some("k".repeat(32).as_str()), None, Duration::from_secs(1)).unwrap();
        let mut claims_link = keys.issue(&caller(), "/overview").unwrap();
        // Re-sign the same claims in the past.
        let past = crate::clock::now() - chrono::Duration::seconds(120);
        let claims = Claims {
            aud: AUDIENCE.into(),
            sub: "x".into(),
            role: "reviewer".into(),
            region: "430400".into(),
            departments: None,
            page: "/overview".into(),
            iat: past.timestamp(),
            exp: past.timestamp() + 60,
        };
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap();
        claims_link.url = format!("/overview?link={token}");
        assert!(keys.open(token_of(&claims_link), "/overview").is_err());
    }
}
