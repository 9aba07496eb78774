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
    app.run_until_stopped().await?;
    tracing::info!("stopped");
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
