//! Verification keys and token verification.

use std::path::Path;

use anyhow::{Context, bail};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::failure::AuthFailure;
use crate::config::AuthSettings;
use crate::domain::policy::Principal;
use crate::domain::policy::Role;
use crate::domain::region::RegionCode;

/// One key, pinned to one algorithm.
struct VerifyKey {
    kid: Option<String>,
    algorithm: Algorithm,
    key: DecodingKey,
}

/// The configured keys and claim rules.
pub struct KeySet {
    keys: Vec<VerifyKey>,
    settings: AuthSettings,
}

fn algorithm_of_jwk(jwk: &jsonwebtoken::jwk::Jwk) -> anyhow::Result<Algorithm> {
    if let Some(alg) = jwk.common.key_algorithm {
        return Ok(match alg {
            KeyAlgorithm::HS256 => Algorithm::HS256,
            KeyAlgorithm::RS256 => Algorithm::RS256,
            KeyAlgorithm::ES256 => Algorithm::ES256,
            other => bail!("algorithm {other:?} is not supported (use RS256, ES256 or HS256)"),
        });
    }
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Ok(Algorithm::RS256),
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            Ok(Algorithm::ES256)
        }
        _ => bail!("key type not supported (use RSA or EC P-256)"),
    }
}

impl KeySet {
    /// Loads every configured key; a key that cannot be read stops start-up.
    pub fn load(settings: &AuthSettings) -> anyhow::Result<KeySet> {
        let mut keys = Vec::new();
        if let Some(secret) = &settings.jwt_secret {
            keys.push(VerifyKey {
                kid: None,
                algorithm: Algorithm::HS256,
                key: DecodingKey::from_secret(secret.as_bytes()).context("jwt_secret")?,
            });
        }
        for (kid, path) in &settings.jwt_public_keys {
            keys.push(load_pem(kid, path).with_context(|| {
                format!(
                    "invalid setting `jwt_public_keys`: key `{kid}` from {}",
                    path.display()
                )
            })?);
        }
        if let Some(path) = &settings.jwt_jwks_file {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!(
                    "invalid setting `jwt_jwks_file`: cannot read {}",
                    path.display()
                )
            })?;
            let set: JwkSet = serde_json::from_str(&text).with_context(|| {
                format!(
                    "invalid setting `jwt_jwks_file`: {} is not a JWKS",
                    path.display()
                )
            })?;
            for jwk in &set.keys {
                let kid = jwk.common.key_id.clone();
                let algorithm = algorithm_of_jwk(jwk).with_context(|| {
                    format!(
                        "invalid setting `jwt_jwks_file`: key {}",
                        kid.as_deref().unwrap_or("without kid")
                    )
                })?;
                keys.push(VerifyKey {
                    kid,
                    algorithm,
                    key: DecodingKey::from_jwk(jwk).context("invalid setting `jwt_jwks_file`")?,
                });
            }
        }
        Ok(KeySet {
            keys,
            settings: settings.clone(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Verifies a bearer token and reads its principal.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthFailure> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| AuthFailure::Malformed(e.to_string()))?;
        let alg_name = format!("{:?}", header.alg);
        let candidates: Vec<&VerifyKey> = match &header.kid {
            Some(kid) => {
                let by_kid: Vec<&VerifyKey> = self
                    .keys
                    .iter()
                    .filter(|k| k.kid.as_deref() == Some(kid))
                    .collect();
                if by_kid.is_empty() {
                    // A shared secret has no kid; tokens may still name one.
                    let unnamed: Vec<&VerifyKey> =
                        self.keys.iter().filter(|k| k.kid.is_none()).collect();
                    if unnamed.is_empty() {
                        return Err(AuthFailure::UnknownKey(kid.clone()));
                    }
                    unnamed
                } else {
                    by_kid
                }
            }
            None => self.keys.iter().collect(),
        };
        // The key decides the algorithm: a token claiming another one is refused, whatever
        // it was signed with.
        let pinned: Vec<&VerifyKey> = candidates
            .into_iter()
            .filter(|k| k.algorithm == header.alg)
            .collect();
        if pinned.is_empty() {
            return Err(AuthFailure::AlgorithmNotAllowed(alg_name));
        }
        let mut last = AuthFailure::BadSignature;
        for key in pinned {
            let mut validation = Validation::new(key.algorithm);
            validation.algorithms = vec![key.algorithm];
            validation.leeway = self.settings.jwt_leeway_secs;
            validation.validate_nbf = true;
            validation.set_required_spec_claims(&["exp"]);
            match &self.settings.jwt_issuer {
                Some(iss) => validation.set_issuer(&[iss]),
                None => validation.iss = None,
            }
            match &self.settings.jwt_audience {
                Some(aud) => validation.set_audience(&[aud]),
                None => validation.validate_aud = false,
            }
            match jsonwebtoken::decode::<Value>(token, &key.key, &validation) {
                Ok(data) => return self.principal(&data.claims),
                Err(e) => {
                    last = match e.kind() {
                        ErrorKind::InvalidSignature => AuthFailure::BadSignature,
                        ErrorKind::ExpiredSignature => return Err(AuthFailure::Expired),
                        ErrorKind::ImmatureSignature => return Err(AuthFailure::NotYetValid),
                        ErrorKind::InvalidIssuer => return Err(AuthFailure::WrongIssuer),
                        ErrorKind::InvalidAudience => return Err(AuthFailure::WrongAudience),
                        ErrorKind::MissingRequiredClaim(c) => {
                            return Err(AuthFailure::MissingClaim(c.clone()));
                        }
                        ErrorKind::InvalidAlgorithm => {
                            AuthFailure::AlgorithmNotAllowed(alg_name.clone())
                        }
                        other => AuthFailure::Malformed(format!("{other:?}")),
                    };
                }
            }
        }
        Err(last)
    }

    fn principal(&self, claims: &Value) -> Result<Principal, AuthFailure> {
        let s = &self.settings;
        let text = |name: &str| -> Result<String, AuthFailure> {
            match claims.get(name) {
                Some(Value::String(v)) if !v.is_empty() => Ok(v.clone()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                Some(_) => Err(AuthFailure::InvalidClaims(format!(
                    "`{name}` must be a string"
                ))),
                None => Err(AuthFailure::MissingClaim(name.to_owned())),
            }
        };
        let subject = text(&s.claim_subject)?;
        let role_text = text(&s.claim_role)?;
        let role = Role::parse(&role_text).ok_or_else(|| {
            AuthFailure::InvalidClaims(format!(
                "`{}` is `{role_text}`; expected admin, reviewer, submitter or viewer",
                s.claim_role
            ))
        })?;
        let region_text = text(&s.claim_region)?;
        let region = RegionCode::parse_scope(&region_text).map_err(|e| {
            AuthFailure::InvalidClaims(format!(
                "`{}` = `{region_text}`: {}",
                s.claim_region,
                e.message_en()
            ))
        })?;
        let departments = match claims.get(&s.claim_departments) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|i| match i {
                        Value::String(v) => Ok(v.clone()),
                        Value::Number(n) => Ok(n.to_string()),
                        _ => Err(AuthFailure::InvalidClaims(format!(
                            "`{}` must list strings",
                            s.claim_departments
                        ))),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(Value::String(v)) => Some(v.split(',').map(|d| d.trim().to_owned()).collect()),
            Some(_) => {
                return Err(AuthFailure::InvalidClaims(format!(
                    "`{}` must be a list",
                    s.claim_departments
                )));
            }
        };
        Ok(Principal {
            subject,
            role,
            region,
            departments,
        })
    }
}

fn load_pem(kid: &str, path: &Path) -> anyhow::Result<VerifyKey> {
    let pem = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if let Ok(key) = DecodingKey::from_rsa_pem(&pem) {
        return Ok(VerifyKey {
            kid: Some(kid.to_owned()),
            algorithm: Algorithm::RS256,
            key,
        });
    }
    if let Ok(key) = DecodingKey::from_ec_pem(&pem) {
        return Ok(VerifyKey {
            kid: Some(kid.to_owned()),
            algorithm: Algorithm::ES256,
            key,
        });
    }
    bail!("not an RSA or EC public key in PEM form")
}
