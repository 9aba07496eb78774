//! Test harness: a real server on a random port with a database of its own, on SQLite and,
//! when `TEST_DATABASE_URL` is set, on PostgreSQL too.

use std::future::Future;
use std::path::PathBuf;

use jixiao::config::Settings;
use jixiao::startup::Application;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The HS256 secret of every test server.
pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// A running server.
#[derive(Clone)]
pub struct TestApp {
    /// The bearer token sent by `get`, `post`, …: an admin of 湖南省 unless changed with `as_`.
    pub token: Option<String>,
    pub settings: Settings,
    pub base: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub database_url: String,
    handle: actix_web::dev::ServerHandle,
    cleanup: Cleanup,
}

#[derive(Clone)]
enum Cleanup {
    /// The directory is removed when the last clone is dropped.
    Sqlite {
        _dir: std::sync::Arc<tempfile::TempDir>,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another instance's database: its owner drops it.
    None,
}

/// The backends the suite runs on.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        b.push(Backend::Postgres);
    }
    b
}

/// A fresh, empty database URL for the backend, with what is needed to drop it afterwards.
async fn fresh_database(backend: Backend) -> (String, Cleanup) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path: PathBuf = dir.path().join("jixiao.db");
            (
                format!("sqlite://{}?mode=rwc", path.display()),
                Cleanup::Sqlite {
                    _dir: std::sync::Arc::new(dir),
                },
            )
        }
        Backend::Postgres => {
            let admin_url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
            let name = format!("jx_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            (
                format!("{base}/{name}"),
                Cleanup::Postgres { admin_url, name },
            )
        }
    }
}

/// A fresh, empty (unmigrated) database for tests of migrations.
pub async fn empty_database(backend: Backend) -> (String, impl Drop) {
    let (url, cleanup) = fresh_database(backend).await;
    (url, DropGuard(Some(cleanup)))
}

struct DropGuard(Option<Cleanup>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            drop_database(c);
        }
    }
}

/// With `JIXIAO_TEST_KEEP_DATABASES` set, PostgreSQL test databases are kept, to look into
/// after a run (and as the corpus of `scripts/train-dictionary.py`); drop them by hand.
fn drop_database(cleanup: Cleanup) {
    if std::env::var_os("JIXIAO_TEST_KEEP_DATABASES").is_some() {
        return;
    }
    if let Cleanup::Postgres { admin_url, name } = cleanup {
        // Runs on its own thread and runtime, so it works from Drop and after a panic.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = admin.close().await;
                }
            });
            Ok::<(), std::io::Error>(())
        })
        .join();
    }
}

/// Starts a server on a fresh database of the backend.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// Starts a server with adjusted settings.
pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (database_url, cleanup) = fresh_database(backend).await;
    start(database_url, cleanup, adjust).await
}

/// A second server on the database of `app` (as another instance behind a load balancer).
pub async fn second_instance(app: &TestApp) -> TestApp {
    let mut other = start(app.database_url.clone(), Cleanup::None, |_| {}).await;
    other.token = app.token.clone();
    other
}

async fn start(
    database_url: String,
    cleanup: Cleanup,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        jixiao::telemetry::init_logging("info", jixiao::config::LogFormat::Text);
    }
    let mut settings = Settings::for_database(&database_url);
    settings.workers = 1;
    settings.db_max_connections = 4;
    settings.auth.jwt_secret = Some(TEST_SECRET.to_owned());
    // Tests poll and loop; the rate limit has a test of its own.
    settings.rate_limit_per_minute = 0;
    adjust(&mut settings);
    let app = Application::build(&settings)
        .await
        .expect("build application");
    let base = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let admin = settings
        .auth
        .jwt_secret
        .is_some()
        .then(|| mint(&settings, "admin", "430000", &[]));
    TestApp {
        token: admin,
        settings,
        base,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        database_url,
        handle,
        cleanup,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn authed(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => builder.bearer_auth(t),
            None => builder,
        }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.authed(self.client.request(method, self.url(path)))
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::GET, path)
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, path)
    }

    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::DELETE, path)
    }

    /// The same server, called with another token (or none).
    pub fn as_(&self, token: Option<String>) -> TestApp {
        TestApp {
            token,
            ..self.clone()
        }
    }

    /// A token of this server for a role and region.
    pub fn token(&self, role: &str, region: &str) -> String {
        mint(&self.settings, role, region, &[])
    }

    /// Stops the server and drops its database.
    pub async fn finish(self) {
        self.handle.stop(true).await;
        self.db.clone().close().await.ok();
        drop_database(self.cleanup);
    }
}

/// Mints a one-hour HS256 token with the server's secret.
pub fn mint(settings: &Settings, role: &str, region: &str, departments: &[&str]) -> String {
    use jixiao::auth::token::{TokenRequest, mint as sign};
    use jixiao::domain::policy::Role;
    use jixiao::domain::region::RegionCode;
    let request = TokenRequest {
        subject: format!("{role}@{region}"),
        role: Role::parse(role).expect("role"),
        region: RegionCode::parse_scope(region).expect("region"),
        departments: departments.iter().map(|d| d.to_string()).collect(),
        ttl: std::time::Duration::from_secs(3600),
    };
    sign(
        &settings.auth,
        settings.auth.jwt_secret.as_deref().expect("secret"),
        &request,
    )
    .expect("token")
}

/// Runs `test` against a fresh server on every backend.
pub async fn on_each_db<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    on_each_db_with(|_| {}, test).await;
}

/// As [`on_each_db`], with adjusted settings.
pub async fn on_each_db_with<F, Fut>(adjust: impl Fn(&mut Settings), test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in backends() {
        let app = spawn_with(backend, &adjust).await;
        test(app.clone()).await;
        app.finish().await;
    }
}

/// Renames a department through the API (`PUT` with its current `ETag`).
pub async fn rename_department(app: &TestApp, id: &str, name: &str) {
    let res = app
        .get(&format!("/api/v1/departments/{id}"))
        .send()
        .await
        .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let (_, mut body) = json(res).await;
    body["name"] = serde_json::json!(name);
    for k in [
        "id",
        "version",
        "created_at",
        "updated_at",
        "kind_label_zh",
        "parent_id",
    ] {
        body.as_object_mut().unwrap().remove(k);
    }
    let res = app
        .put(&format!("/api/v1/departments/{id}"))
        .header("If-Match", etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    assert_eq!(status, 200, "{}", res.text().await.unwrap());
}

/// Reads a response as JSON, with the status.
pub async fn json(res: reqwest::Response) -> (u16, serde_json::Value) {
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(serde_json::Value::Null);
    (status, body)
}

/// Asserts a problem response and returns its body.
pub async fn problem(res: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "content type of a {status} answer"
    );
    let request_id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (got, body) = json(res).await;
    assert_eq!(got, status, "status; body: {body}");
    assert_eq!(body["code"], code, "code; body: {body}");
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], format!("/problems/{code}"));
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    assert_eq!(body["request_id"].as_str(), request_id.as_deref());
    body
}
