//! Authentication and scoped authorization: the JWT attack set, the role × scope matrix,
//! mass assignment and rate limits.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, TEST_SECRET, backends, json, on_each_db, problem, spawn_app, spawn_with,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(role: &str, region: &str) -> Value {
    json!({"sub": format!("{role}@{region}"), "role": role, "region": region, "exp": now() + 600})
}

fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn hs(claims: &Value) -> String {
    sign(
        Algorithm::HS256,
        None,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()).unwrap(),
        claims,
    )
}

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

async fn expect_401(app: &crate::helpers::TestApp, token: Option<&str>, code: &str) {
    let mut req = app.as_(None).get("/api/v1/regions/430424");
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let res = req.send().await.unwrap();
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer realm=\"jixiao\""),
        "{challenge}"
    );
    if code != "auth.missing_token" {
        assert!(
            challenge.contains(&format!("error_description=\"{code}\"")),
            "{challenge}"
        );
    }
    problem(res, 401, code).await;
}

async fn expect_200(app: &crate::helpers::TestApp, token: &str) {
    let res = app
        .as_(Some(token.to_owned()))
        .get("/api/v1/regions/430424")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn hs256_attack_set() {
    let app = spawn_app(Backend::Sqlite).await;
    expect_200(&app, &hs(&claims("viewer", "430424"))).await;
    expect_401(&app, None, "auth.missing_token").await;
    expect_401(&app, Some("not-a-jwt"), "auth.invalid_token").await;
    let res = app
        .as_(None)
        .get("/api/v1/regions")
        .header("Authorization", "Basic dXNlcjpwdw==")
        .send()
        .await
        .unwrap();
    problem(res, 401, "auth.invalid_token").await;

    let mut expired = claims("viewer", "430424");
    expired["exp"] = json!(now() - 3600);
    expect_401(&app, Some(&hs(&expired)), "auth.token_expired").await;
    let mut no_exp = claims("viewer", "430424");
    no_exp.as_object_mut().unwrap().remove("exp");
    expect_401(&app, Some(&hs(&no_exp)), "auth.missing_claim").await;
    let mut early = claims("viewer", "430424");
    early["nbf"] = json!(now() + 3600);
    expect_401(&app, Some(&hs(&early)), "auth.token_not_yet_valid").await;

    let other = EncodingKey::from_secret(b"another-secret-another-secret-0123456").unwrap();
    let forged = sign(Algorithm::HS256, None, &other, &claims("admin", "430000"));
    expect_401(&app, Some(&forged), "auth.invalid_signature").await;
    // A valid signature with a tampered payload.
    let good = hs(&claims("viewer", "430424"));
    let parts: Vec<&str> = good.split('.').collect();
    let tampered_payload = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(claims("admin", "430000").to_string())
    };
    let tampered = format!("{}.{}.{}", parts[0], tampered_payload, parts[2]);
    expect_401(&app, Some(&tampered), "auth.invalid_signature").await;

    // alg: none, with and without a signature.
    let none_header = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
    };
    expect_401(
        &app,
        Some(&format!("{none_header}.{tampered_payload}.")),
        "auth.invalid_token",
    )
    .await;
    expect_401(
        &app,
        Some(&format!("{none_header}.{tampered_payload}.{}", parts[2])),
        "auth.invalid_token",
    )
    .await;
    // Another algorithm than the key's, even with the right secret.
    let hs384 = sign(
        Algorithm::HS384,
        None,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()).unwrap(),
        &claims("admin", "430000"),
    );
    expect_401(&app, Some(&hs384), "auth.algorithm_not_allowed").await;

    let mut bad_role = claims("viewer", "430424");
    bad_role["role"] = json!("superuser");
    expect_401(&app, Some(&hs(&bad_role)), "auth.invalid_claims").await;
    let mut bad_region = claims("viewer", "430424");
    bad_region["region"] = json!("4304");
    expect_401(&app, Some(&hs(&bad_region)), "auth.invalid_claims").await;
    let mut no_role = claims("viewer", "430424");
    no_role.as_object_mut().unwrap().remove("role");
    expect_401(&app, Some(&hs(&no_role)), "auth.missing_claim").await;
    let mut no_sub = claims("viewer", "430424");
    no_sub.as_object_mut().unwrap().remove("sub");
    expect_401(&app, Some(&hs(&no_sub)), "auth.missing_claim").await;
    app.finish().await;
}

#[tokio::test]
async fn public_keys_by_kid_and_jwks() {
    let rsa = EncodingKey::from_rsa_pem(&pem("rsa-private.pem")).unwrap();
    let ec = EncodingKey::from_ec_pem(&pem("ec-private.pem")).unwrap();
    let rsa_public = pem("rsa-public.pem");
    let c = claims("reviewer", "430400");

    // PEM files, two keys at once (rotation), no shared secret.
    let app = spawn_with(Backend::Sqlite, |s| {
        s.auth.jwt_secret = None;
        s.auth.jwt_public_keys = vec![
            ("rsa-1".into(), format!("{FIXTURES}/rsa-public.pem").into()),
            ("ec-1".into(), format!("{FIXTURES}/ec-public.pem").into()),
        ];
    })
    .await;
    expect_200(&app, &sign(Algorithm::RS256, Some("rsa-1"), &rsa, &c)).await;
    expect_200(&app, &sign(Algorithm::ES256, Some("ec-1"), &ec, &c)).await;
    expect_200(&app, &sign(Algorithm::RS256, None, &rsa, &c)).await;
    expect_401(
        &app,
        Some(&sign(Algorithm::RS256, Some("rsa-9"), &rsa, &c)),
        "auth.unknown_key",
    )
    .await;
    // The key pins the algorithm: an RS256 token under the EC key's kid is refused.
    expect_401(
        &app,
        Some(&sign(Algorithm::RS256, Some("ec-1"), &rsa, &c)),
        "auth.algorithm_not_allowed",
    )
    .await;
    // The classic confusion: HS256 signed with the RSA public key as the secret.
    let confused = EncodingKey::from_secret(&rsa_public).unwrap();
    expect_401(
        &app,
        Some(&sign(Algorithm::HS256, Some("rsa-1"), &confused, &c)),
        "auth.algorithm_not_allowed",
    )
    .await;
    expect_401(
        &app,
        Some(&sign(Algorithm::HS256, None, &confused, &c)),
        "auth.algorithm_not_allowed",
    )
    .await;
    // An ES256 token signed by another EC key.
    let stranger = EncodingKey::from_ec_pem(&pem("ec-other-private.pem")).unwrap();
    expect_401(
        &app,
        Some(&sign(Algorithm::ES256, Some("ec-1"), &stranger, &c)),
        "auth.invalid_signature",
    )
    .await;
    app.finish().await;

    // The same keys from a JWKS file.
    let app = spawn_with(Backend::Sqlite, |s| {
        s.auth.jwt_secret = None;
        s.auth.jwt_jwks_file = Some(format!("{FIXTURES}/jwks.json").into());
    })
    .await;
    expect_200(&app, &sign(Algorithm::RS256, Some("rsa-2026"), &rsa, &c)).await;
    expect_200(&app, &sign(Algorithm::ES256, Some("ec-2026"), &ec, &c)).await;
    expect_401(
        &app,
        Some(&sign(Algorithm::ES256, Some("rsa-2026"), &ec, &c)),
        "auth.algorithm_not_allowed",
    )
    .await;
    expect_401(&app, Some(&hs(&c)), "auth.algorithm_not_allowed").await;
    app.finish().await;
}

#[tokio::test]
async fn issuer_audience_and_claim_names() {
    let app = spawn_with(Backend::Sqlite, |s| {
        s.auth.jwt_issuer = Some("https://idp.example".into());
        s.auth.jwt_audience = Some("jixiao".into());
        s.auth.claim_role = "jx_role".into();
        s.auth.claim_region = "jx_region".into();
        s.auth.claim_subject = "uid".into();
    })
    .await;
    let mut c = json!({"uid": "u1", "jx_role": "viewer", "jx_region": "430424", "exp": now() + 600,
                       "iss": "https://idp.example", "aud": "jixiao"});
    expect_200(&app, &hs(&c)).await;
    c["iss"] = json!("https://evil.example");
    expect_401(&app, Some(&hs(&c)), "auth.invalid_issuer").await;
    c["iss"] = json!("https://idp.example");
    c["aud"] = json!("someone-else");
    expect_401(&app, Some(&hs(&c)), "auth.invalid_audience").await;
    c["aud"] = json!("jixiao");
    c.as_object_mut().unwrap().remove("jx_role");
    c["role"] = json!("admin");
    expect_401(&app, Some(&hs(&c)), "auth.missing_claim").await;
    // Tokens the service mints use the configured names.
    expect_200(&app, &app.token("viewer", "430424")).await;
    app.finish().await;
}

#[tokio::test]
async fn nothing_under_api_answers_without_a_token() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc = serde_json::to_value(jixiao::api::openapi()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/") {
            continue;
        }
        let concrete = path
            .replace("{code}", "430424")
            .replace("{id}", "00000000-0000-0000-0000-000000000000");
        for method in item.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = app
                .as_(None)
                .request(method.clone(), &concrete)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 401, "{method} {concrete}");
            checked += 1;
        }
    }
    assert!(checked >= 5);
    // Unknown paths under /api too.
    let res = app
        .as_(None)
        .get("/api/v1/nothing-here")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // The open endpoints stay open.
    for open in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/docs/",
        "/problems",
    ] {
        let res = app.as_(None).get(open).send().await.unwrap();
        assert_eq!(res.status(), 200, "{open}");
    }
    app.finish().await;
}

/// One cell of the matrix: what a caller gets.
fn expected(role: &str, caller: &str, target: &str, write: bool) -> u16 {
    let prefix = match caller {
        c if c.ends_with("0000") => &c[..2],
        c if c.ends_with("00") => &c[..4],
        c => c,
    };
    if !target.starts_with(prefix) {
        return 404;
    }
    if write && role != "admin" {
        return 403;
    }
    if write { 412 } else { 200 }
}

#[tokio::test]
async fn role_scope_matrix_for_regions() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        for role in ["admin", "reviewer", "submitter", "viewer"] {
            for caller in ["430424", "430400", "430000"] {
                let who = app.as_(Some(app.token(role, caller)));
                // own county, sibling county, parent city
                for target in ["430424", "430426", "430400"] {
                    let path = format!("/api/v1/regions/{target}");
                    let got = who.get(&path).send().await.unwrap().status().as_u16();
                    assert_eq!(
                        got,
                        expected(role, caller, target, false),
                        "{role}@{caller} GET {target}"
                    );
                    // A stale If-Match proves the write got past the policy without changing anything.
                    let got = who
                        .put(&path)
                        .header("If-Match", "\"999\"")
                        .json(&json!({"name": "x"}))
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16();
                    assert_eq!(
                        got,
                        expected(role, caller, target, true),
                        "{role}@{caller} PUT {target}"
                    );
                    let got = who
                        .delete(&path)
                        .header("If-Match", "\"999\"")
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16();
                    assert_eq!(
                        got,
                        expected(role, caller, target, true),
                        "{role}@{caller} DELETE {target}"
                    );
                }
                // Creating: a new county of 衡阳市, with an empty name so nothing is written.
                let res = who
                    .post("/api/v1/regions")
                    .json(&json!({"code": "430498", "name": ""}))
                    .send()
                    .await
                    .unwrap();
                let want = match (role, caller) {
                    ("admin", "430424") => 403, // outside a county's subtree
                    ("admin", _) => 422,        // allowed: the empty name is what is refused
                    _ => 403,
                };
                assert_eq!(res.status().as_u16(), want, "{role}@{caller} POST");
                // Lists hold the caller's subtree only.
                let (_, body) = json(
                    who.get("/api/v1/regions?page_size=500")
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                let n = body["items"].as_array().unwrap().len();
                let want = match caller {
                    "430424" => 1,
                    "430400" => 13,
                    _ => 14,
                };
                assert_eq!(n, want, "{role}@{caller} list");
                let (_, body) = json(
                    who.get("/api/v1/regions?under=430426")
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                let leaked = body["items"].as_array().unwrap().len();
                assert_eq!(
                    leaked,
                    usize::from(caller != "430424"),
                    "{role}@{caller} list under a sibling"
                );
            }
        }
        // Nothing changed.
        let (_, body) = json(app.get("/api/v1/regions/430424").send().await.unwrap()).await;
        assert_eq!(
            (body["name"].as_str(), body["version"].as_i64()),
            (Some("衡东县"), Some(1))
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn outside_scope_writes_reveal_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let county_admin = app.as_(Some(app.token("admin", "430424")));
    // 430426 exists; the answer is the same as for a code that does not.
    let res = county_admin
        .put("/api/v1/regions/430426")
        .header("If-Match", "*")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    problem(res, 404, "region.not_found").await;
    let res = county_admin
        .post("/api/v1/regions")
        .json(&json!({"code": "430426", "name": "x"}))
        .send()
        .await
        .unwrap();
    let p = problem(res, 403, "auth.out_of_scope").await;
    assert_eq!(p["errors"][0]["pointer"], "/code");
    let city_admin = app.as_(Some(app.token("admin", "430400")));
    for field in ["version", "created_at", "updated_at", "deleted_at"] {
        let mut body = json!({"code": "430497", "name": "x"});
        body[field] = json!(1);
        let res = city_admin
            .post("/api/v1/regions")
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(res, 422, "request.validation_failed").await;
        assert_eq!(p["errors"][0]["pointer"], format!("/{field}"));
        assert_eq!(p["errors"][0]["code"], "field.read_only");
    }
    let res = city_admin
        .put("/api/v1/regions/430424")
        .header("If-Match", "*")
        .json(&json!({"name": "x", "code": "430499"}))
        .send()
        .await
        .unwrap();
    let p = problem(res, 422, "request.validation_failed").await;
    assert_eq!(p["errors"][0]["code"], "field.read_only");
    app.finish().await;
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let app = spawn_with(Backend::Sqlite, |s| {
        s.rate_limit_per_minute = 6;
        s.rate_limit_burst = 3;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            app.get("/api/v1/regions/430424")
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let res = app.get("/api/v1/regions/430424").send().await.unwrap();
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
    problem(res, 429, "request.rate_limited").await;
    // Another subject has its own allowance; open endpoints are not limited.
    let other = app.as_(Some(app.token("viewer", "430424")));
    assert_eq!(
        other
            .get("/api/v1/regions/430424")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    for _ in 0..5 {
        assert_eq!(app.get("/healthz").send().await.unwrap().status(), 200);
    }
    // Requests without a token are limited by address.
    for _ in 0..3 {
        assert_eq!(
            app.as_(None)
                .get("/api/v1/regions")
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
    }
    assert_eq!(
        app.as_(None)
            .get("/api/v1/regions")
            .send()
            .await
            .unwrap()
            .status(),
        429
    );
    app.finish().await;
}

/// A token for `subject` with the given role and region.
fn token_of(app: &crate::helpers::TestApp, subject: &str, role: &str, region: &str) -> String {
    use jixiao::auth::token::{TokenRequest, mint};
    use jixiao::domain::policy::Role;
    use jixiao::domain::region::RegionCode;
    let request = TokenRequest {
        subject: subject.to_owned(),
        role: Role::parse(role).unwrap(),
        region: RegionCode::parse(region).unwrap(),
        departments: Vec::new(),
        ttl: std::time::Duration::from_secs(3600),
    };
    mint(&app.settings.auth, TEST_SECRET, &request).unwrap()
}

#[tokio::test]
async fn idempotency_keys_are_bound_to_the_whole_scope() {
    on_each_db(|app| async move {
        let body =
            json!({"budget_code": "IK-1", "name": "幂等局", "region": "430424", "kind": "other"});
        let post = |token: String| {
            let app = app.as_(Some(token));
            let body = body.clone();
            async move {
                app.post("/api/v1/departments")
                    .header("Idempotency-Key", "same-key")
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let county = token_of(&app, "same-subject", "admin", "430424");
        let first = post(county.clone()).await;
        assert_eq!(first.status(), 201);
        // The same subject with another region, then another role: not the first caller, so
        // no replay of its answer; the request runs (and finds the department exists).
        for other in [
            token_of(&app, "same-subject", "admin", "430400"),
            token_of(&app, "same-subject", "reviewer", "430424"),
        ] {
            let res = post(other).await;
            assert!(res.headers().get("idempotent-replayed").is_none());
            assert_ne!(res.status(), 201);
        }
        // The first caller itself still gets its answer replayed.
        let again = post(county).await;
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
    })
    .await;
}
