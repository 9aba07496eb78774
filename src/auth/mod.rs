//! Authentication: JWT verification (HS256, RS256, ES256; keys selected by `kid`, the
//! algorithm pinned by the key), claims → [`Principal`], developer tokens, and the request
//! guard that protects everything under `/api`. The rules of who may do what live in
//! [`crate::domain::policy`].

pub mod failure;
pub mod guard;
pub mod keys;
pub mod token;

pub use crate::domain::policy::Principal;
pub use failure::{AuthFailure, forbidden};
pub use keys::KeySet;
