//! Builds the application: one `app` used by the server and (through [`crate::api::routes`])
//! by the OpenAPI document; the tests start it on port 0 with their own database.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::api::routing::RouteTable;
use crate::api::{self, state::AppState};
use crate::auth::guard::{Guard, Limiter};
use crate::auth::{KeySet, token};
use crate::config::Settings;
use crate::domain::policy::Role;
use crate::domain::region::RegionCode;
use crate::store;
use crate::telemetry::Metrics;

/// A bound, not yet running server.
pub struct Application {
    addr: SocketAddr,
    server: Server,
    db: DatabaseConnection,
    dev_token: Option<String>,
}

impl Application {
    /// Connects to the database, migrates it when configured, and binds the listener.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        // Keys first: a service that could not check tokens must not start at all.
        let (keys, dev_token) = load_keys(settings)?;
        let db = store::connect(&settings.database_url, settings.db_max_connections).await?;
        if settings.migrate {
            crate::app::migrate_up(&db).await?;
        }
        let mut app = Self::with_db(settings, db, keys)?;
        app.dev_token = dev_token;
        Ok(app)
    }

    /// Binds the listener and builds the server over an open database.
    pub fn with_db(
        settings: &Settings,
        db: DatabaseConnection,
        keys: KeySet,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.listen)
            .with_context(|| format!("cannot listen on {} (setting `listen`)", settings.listen))?;
        let addr = listener
            .local_addr()
            .context("cannot read the bound address")?;
        let doc = api::openapi();
        let table = web::Data::new(RouteTable::from_doc(&doc));
        // Serialised once for every worker: a copy of the document per worker costs megabytes.
        let doc_json = web::Bytes::from(
            serde_json::to_vec(&doc).context("cannot serialise the OpenAPI document")?,
        );
        drop(doc);
        let state = web::Data::new(state_of(settings, db.clone())?);
        let guard = web::Data::new(Guard {
            keys,
            limiter: Limiter::new(settings.rate_limit_per_minute, settings.rate_limit_burst),
        });
        let workers = match settings.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let bench = settings.bench.then(|| web::Data::new(BenchBody::default()));
        let cors_origins = settings.cors_allowed_origins.clone();
        let server = HttpServer::new(move || {
            let bench = bench.clone();
            let app = app(
                state.clone(),
                guard.clone(),
                table.clone(),
                doc_json.clone(),
                cors_origins.clone(),
            )
            .configure(|c| {
                if let Some(body) = bench {
                    c.app_data(body)
                        .route("/bench/static/{bytes}", web::get().to(bench_static));
                }
            });
            release_freed_memory();
            app
        })
        .workers(workers)
        .shutdown_timeout(settings.shutdown_timeout_secs)
        .listen(listener)
        .context("cannot start the HTTP server")?
        .run();
        tracing::info!(address = %addr, port = addr.port(), "listening");
        spawn_purge(db.clone());
        Ok(Self {
            addr,
            server,
            db,
            dev_token: None,
        })
    }

    /// With `--dev` and no key configured: an admin token for the generated secret.
    pub fn dev_token(&self) -> Option<&str> {
        self.dev_token.as_deref()
    }

    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM/SIGINT (or the handle) stops the server; in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Gives the memory freed by building a worker's routes back to the system. Each worker builds
/// the routes' OpenAPI paths and schemas while registering them (utoipa-actix-web) and drops
/// them at once; glibc keeps such memory in the worker thread's arena (megabytes each) unless
/// asked to trim it.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator's arenas to the system; it
    // takes the allocator's own locks and touches no memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The constant bodies of `/bench/static/{bytes}`, each made on its first request (at most
/// `BENCH_SIZES` sizes per process).
#[derive(Default)]
pub struct BenchBody(std::sync::Mutex<std::collections::HashMap<usize, web::Bytes>>);

/// How many body sizes one process keeps for `/bench/static`.
const BENCH_SIZES: usize = 8;

/// `GET /bench/static/{bytes}` (only with `serve --bench`): `bytes` bytes of JSON, the same
/// body every time, so benchmarks can compare a real answer with the framework's ceiling.
async fn bench_static(
    bodies: web::Data<BenchBody>,
    bytes: web::Path<usize>,
) -> actix_web::HttpResponse {
    let wanted = bytes.into_inner().clamp(2, 16 * 1024 * 1024);
    let body = {
        let Ok(mut bodies) = bodies.0.lock() else {
            return actix_web::HttpResponse::InternalServerError().finish();
        };
        if bodies.len() >= BENCH_SIZES && !bodies.contains_key(&wanted) {
            return actix_web::HttpResponse::BadRequest().body("too many sizes in one process");
        }
        bodies
            .entry(wanted)
            .or_insert_with(|| {
                let mut text = vec![b'x'; wanted];
                text[0] = b'"';
                text[wanted - 1] = b'"';
                web::Bytes::from(text)
            })
            .clone()
    };
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

/// The state every handler shares.
fn state_of(settings: &Settings, db: DatabaseConnection) -> anyhow::Result<AppState> {
    Ok(AppState {
        db,
        metrics: Arc::new(Metrics::new().context("cannot register metrics")?),
        max_body_bytes: settings.max_body_bytes,
        body_timeout: std::time::Duration::from_secs(settings.body_timeout_secs),
        max_page_size: settings.max_page_size,
        pages: Arc::new(tokio::sync::Semaphore::new(settings.max_concurrent_pages)),
        max_batch_items: settings.max_batch_items,
        max_batch_bytes: settings.max_batch_bytes,
        links: links_of(settings)?,
        read_cache: Arc::new(crate::app::read_cache::ReadCache::new(
            settings.read_cache_bytes,
        )),
    })
}

/// Removes expired idempotency keys once an hour (any instance may do it).
fn spawn_purge(db: DatabaseConnection) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match crate::store::idempotency::purge(&db).await {
                Ok(n) if n > 0 => {
                    tracing::info!(removed = n, "expired idempotency keys removed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not purge idempotency keys"),
            }
        }
    });
}

/// The key of page links, from the settings; a random one is said in the log.
fn links_of(settings: &Settings) -> anyhow::Result<crate::app::links::LinkKeys> {
    let auth = &settings.auth;
    let keys = crate::app::links::LinkKeys::new(
        auth.link_secret.as_deref(),
        auth.jwt_secret.as_deref(),
        auth.link_ttl,
    )?;
    if keys.source == crate::app::links::KeySource::Random {
        tracing::warn!(
            "page links are signed with a key made for this process: set `link_secret` (or \
             `jwt_secret`) so that every instance opens them"
        );
    }
    Ok(keys)
}

/// Loads the verification keys. With none configured, start-up stops unless `dev` is set, in
/// which case a random secret is made for this process, with an admin token to go with it.
pub fn load_keys(settings: &Settings) -> anyhow::Result<(KeySet, Option<String>)> {
    if settings.auth.has_keys() {
        return Ok((KeySet::load(&settings.auth)?, None));
    }
    if !settings.dev {
        anyhow::bail!(
            "no JWT key is configured: set `jwt_secret` (JIXIAO_JWT_SECRET), `jwt_public_keys` \
             (JIXIAO_JWT_PUBLIC_KEYS) or `jwt_jwks_file` (JIXIAO_JWT_JWKS_FILE), or start with \
             --dev to try the service with a generated secret"
        );
    }
    let mut auth = settings.auth.clone();
    let secret = token::random_secret();
    auth.jwt_secret = Some(secret.clone());
    let request = token::TokenRequest {
        subject: "dev-admin".into(),
        role: Role::Admin,
        region: RegionCode::parse("430000").map_err(|e| anyhow::anyhow!(e.message_en()))?,
        departments: Vec::new(),
        ttl: std::time::Duration::from_secs(12 * 3600),
    };
    let admin = token::mint(&auth, &secret, &request)?;
    Ok((KeySet::load(&auth)?, Some(admin)))
}

/// The application: state, extractor configuration, the one middleware, the API routes, the
/// docs, and the 404/405 answer for everything else.
pub fn app(
    state: web::Data<AppState>,
    guard: web::Data<Guard>,
    table: web::Data<RouteTable>,
    doc_json: web::Bytes,
    cors_origins: Vec<String>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, _) = App::new()
        .app_data(state)
        .app_data(guard)
        .app_data(table)
        .app_data(web::QueryConfig::default().error_handler(api::extract::query_error))
        .app_data(web::PathConfig::default().error_handler(api::extract::path_error))
        .wrap(middleware::from_fn(api::catch_panic::catch_panic))
        .wrap(middleware::from_fn(api::read_cache::read_cache))
        .wrap(middleware::from_fn(api::idempotency::idempotency))
        .wrap(middleware::from_fn(crate::auth::guard::guard))
        .wrap(middleware::from_fn(api::caching::caching))
        // A preflight is answered before the guard asks for a token.
        .wrap(middleware::Condition::new(
            !cors_origins.is_empty(),
            api::caching::cors(&cors_origins),
        ))
        .wrap(middleware::from_fn(api::middleware::observe))
        // Outermost, so that it compresses the final answer (problem documents included).
        .wrap(middleware::Compress::default())
        .into_utoipa_app()
        // The document of the routes is made once (`api::openapi`); this one is dropped.
        .openapi(utoipa::openapi::OpenApi::default())
        .configure(api::routes)
        .split_for_parts();
    app.route(
        "/docs",
        web::get().to(|| async {
            actix_web::HttpResponse::Found()
                .insert_header((actix_web::http::header::LOCATION, "/docs/"))
                .finish()
        }),
    )
    .route(
        "/openapi.json",
        web::get().to(move || {
            let body = doc_json.clone();
            async move {
                actix_web::HttpResponse::Ok()
                    .content_type("application/json")
                    .body(body)
            }
        }),
    )
    .service(
        SwaggerUi::new("/docs/{_:.*}").config(
            Config::new(["/openapi.json"])
                .validator_url("none")
                .try_it_out_enabled(true),
        ),
    )
    .default_service(web::to(api::routing::unmatched))
}
