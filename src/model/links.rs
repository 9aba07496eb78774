//! The contract type of a short-lived link to a page.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A link that opens a page in a browser without a bearer header, for a few minutes, as the
/// caller who asked for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "url": "/reports/0193a1b2-0000-7000-8000-000000000030?link=eyJ0eXAiOiJKV1Qi…",
    "expires_at": "2026-12-01T10:05:00.000000Z"
}))]
pub struct PageLink {
    /// The page, relative to this service, with its `link` parameter.
    pub url: String,
    #[serde(serialize_with = "crate::clock::micros")]
    pub expires_at: DateTime<Utc>,
}

impl From<crate::app::links::Link> for PageLink {
    fn from(l: crate::app::links::Link) -> Self {
        PageLink {
            url: l.url,
            expires_at: l.expires_at,
        }
    }
}
