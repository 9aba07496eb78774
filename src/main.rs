//! The `jixiao` command: `serve` (default), `migrate up|down|status`, `openapi`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jixiao::config::{self, Layer, Settings};
use jixiao::startup::Application;
use migration::{Migrator, MigratorTrait};

#[derive(Parser)]
#[command(
    name = "jixiao",
    version,
    about = "Budget performance self-evaluation service (预算绩效自评)"
)]
struct Cli {
    /// TOML file with settings (below environment variables and flags in precedence).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL (sqlite://FILE?mode=rwc or postgres://…).
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<String>,
    /// Do not apply pending migrations at start-up.
    #[arg(long, global = true)]
    no_migrate: bool,
    /// Log filter (error, warn, info, debug, …).
    #[arg(long, global = true, value_name = "FILTER")]
    log_level: Option<String>,
    /// Shared secret for HS256 tokens (also JIXIAO_JWT_SECRET).
    #[arg(long, global = true, value_name = "SECRET")]
    jwt_secret: Option<String>,
    /// Development mode: with no key configured, generate a secret and print an admin token.
    #[arg(long, global = true)]
    dev: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply, revert or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Mint an HS256 token with the configured secret, for trying the API out.
    Token {
        /// admin, reviewer, submitter or viewer.
        #[arg(long)]
        role: String,
        /// GB/T 2260 code of the caller's scope (its subtree).
        #[arg(long)]
        region: String,
        /// Limit the token to these departments (budget codes or ids); repeatable.
        #[arg(long = "department", value_name = "CODE")]
        departments: Vec<String>,
        /// Lifetime: 90s, 30m, 1h, 7d.
        #[arg(long, default_value = "1h")]
        ttl: String,
        /// The `sub` claim (defaults to ROLE@REGION).
        #[arg(long)]
        subject: Option<String>,
    },
    /// Exit 0 when the service on the configured `listen` address answers `/healthz` (for
    /// container health checks).
    Healthcheck,
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the last applied migration.
    Down,
    /// List migrations and whether each is applied.
    Status,
}

fn settings(cli: &Cli) -> Result<Settings, config::ConfigError> {
    let mut layers = Vec::new();
    if let Some(path) = &cli.config {
        layers.push(config::file_layer(path)?);
    }
    layers.push(config::env_layer(|k| std::env::var(k).ok()));
    let mut flags = Layer::new("command line");
    if let Some(v) = &cli.listen {
        flags.set("listen", v);
    }
    if let Some(v) = &cli.database {
        flags.set("database_url", v);
    }
    if cli.no_migrate {
        flags.set("migrate", "false");
    }
    if let Some(v) = &cli.log_level {
        flags.set("log_level", v);
    }
    if let Some(v) = &cli.jwt_secret {
        flags.set("jwt_secret", v);
    }
    if cli.dev {
        flags.set("dev", "true");
    }
    layers.push(flags);
    Settings::resolve(&layers)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        return match serde_json::to_string_pretty(&jixiao::api::openapi()) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot render the OpenAPI document: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let settings = match settings(&cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    jixiao::telemetry::init_logging(&settings.log_level, settings.log_format);
    let result = match cli.command {
        None | Some(Command::Serve) => serve(&settings).await,
        Some(Command::Migrate { action }) => migrate(&settings, action).await,
        Some(Command::Openapi) => Ok(()),
        Some(Command::Healthcheck) => healthcheck(&settings),
        Some(Command::Token {
            role,
            region,
            departments,
            ttl,
            subject,
        }) => mint_token(&settings, &role, &region, departments, &ttl, subject),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "stopped");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    if let Some(token) = app.dev_token() {
        tracing::warn!(
            "development mode: tokens are signed with a secret generated for this process"
        );
        eprintln!(
            "\nDevelopment mode. An admin token for 湖南省 (430000), valid 12 hours:\n\n{token}\n\n\
             Try: curl -H 'Authorization: Bearer {token}' http://{}/api/v1/regions\n",
            app.address()
        );
    }
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

fn mint_token(
    settings: &Settings,
    role: &str,
    region: &str,
    departments: Vec<String>,
    ttl: &str,
    subject: Option<String>,
) -> anyhow::Result<()> {
    use jixiao::auth::token;
    use jixiao::domain::policy::Role;
    use jixiao::domain::region::RegionCode;
    let Some(secret) = &settings.auth.jwt_secret else {
        anyhow::bail!(
            "no secret: set `jwt_secret` (--jwt-secret or JIXIAO_JWT_SECRET), the same one `serve` uses"
        );
    };
    let role = Role::parse(role).ok_or_else(|| {
        anyhow::anyhow!("--role `{role}`: use admin, reviewer, submitter or viewer")
    })?;
    let region = RegionCode::parse(region)
        .map_err(|e| anyhow::anyhow!("--region `{region}`: {}", e.message_en()))?;
    let request = token::TokenRequest {
        subject: subject.unwrap_or_else(|| format!("{}@{}", role.as_str(), region)),
        role,
        region,
        departments,
        ttl: token::parse_ttl(ttl)?,
    };
    println!("{}", token::mint(&settings.auth, secret, &request)?);
    Ok(())
}

fn healthcheck(settings: &Settings) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    use std::time::Duration;
    let mut addr = settings.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let timeout = Duration::from_secs(2);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    anyhow::ensure!(
        head.ends_with(b" 200"),
        "/healthz answered {}",
        String::from_utf8_lossy(&head)
    );
    Ok(())
}

async fn migrate(settings: &Settings, action: MigrateAction) -> anyhow::Result<()> {
    let db = jixiao::store::connect(&settings.database_url, 1).await?;
    match action {
        MigrateAction::Up => Migrator::up(&db, None).await?,
        MigrateAction::Down => Migrator::down(&db, Some(1)).await?,
        MigrateAction::Status => {
            for m in Migrator::get_migration_with_status(&db).await? {
                println!("{}\t{}", m.name(), m.status());
            }
        }
    }
    Ok(())
}
