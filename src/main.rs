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
    /// Benchmarks only: serve `GET /bench/static/{bytes}` (a constant body) besides the API.
    #[arg(long, global = true, hide = true)]
    bench: bool,
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
        /// GB/T 2260 code of the caller's scope (its subtree); `000000` for the national scope
        /// (ministry-level admins and viewers: everything).
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
    /// Load a JSON file of departments, profiles, finances, projects and funds, through the
    /// same checks as the API, in one transaction (all or nothing).
    Import {
        /// The file (format: src/seed/hengdong-ecology-2024.json).
        file: PathBuf,
        /// Act as an admin of this region (default: the province of the file's departments).
        #[arg(long)]
        region: Option<String>,
    },
    /// Create the database and load the seed report (衡东分局 2024), so there is real data to
    /// look at; then `jixiao serve --dev` on the same database shows it. With `--departments`,
    /// generate a synthetic data set instead (for benchmarks): per department and year 2
    /// projects, 4 funds and 3 evaluations of 20 indicators each.
    Demo {
        /// Generate this many departments, spread over the counties of 衡阳市.
        #[arg(long, value_name = "N")]
        departments: Option<usize>,
        /// Years per department (with --departments), ending with --last-year.
        #[arg(long, value_name = "Y", default_value_t = 1)]
        years: usize,
        /// The last year generated.
        #[arg(long, value_name = "YEAR", default_value_t = 2024)]
        last_year: i32,
        /// Seed of the pseudo-random generator (the same seed gives the same data).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Read an official table (.xlsx, 附件4 / 附件5) as `POST /api/v1/evaluations/import` does
    /// (the same code, not through HTTP), as a national admin: print what was read, the scores
    /// and the findings; write it with `--apply`.
    ImportTable {
        /// The workbook.
        file: PathBuf,
        /// The department's budget code (or id).
        #[arg(long, value_name = "CODE")]
        department: String,
        /// The fiscal year, when the title gives none.
        #[arg(long)]
        year: Option<i32>,
        /// Write the evaluations (default: a dry run).
        #[arg(long)]
        apply: bool,
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
    let mut settings = Settings::resolve(&layers)?;
    settings.bench = cli.bench;
    Ok(settings)
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
        Some(Command::ImportTable {
            file,
            department,
            year,
            apply,
        }) => import_table(&settings, &file, &department, year, apply).await,
        Some(Command::Import { file, region }) => import(&settings, &file, region.as_deref()).await,
        Some(Command::Demo {
            departments: None, ..
        }) => demo(&settings).await,
        Some(Command::Demo {
            departments: Some(departments),
            years,
            last_year,
            seed,
        }) => {
            let options = jixiao::generate::Options {
                departments,
                years,
                last_year,
                seed,
            };
            generate(&settings, &options).await
        }
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
    let region = RegionCode::parse_scope(region)
        .map_err(|e| anyhow::anyhow!("--region `{region}`: {}", e.message_en()))?;
    let request = token::TokenRequest {
        subject: subject.unwrap_or_else(|| format!("{}@{}", role.as_str(), region)),
        role,
        region,
        departments,
        ttl: jixiao::lifetime::parse_ttl(ttl)?,
    };
    println!("{}", token::mint(&settings.auth, secret, &request)?);
    Ok(())
}

fn import_principal(
    file: &jixiao::import::ImportFile,
    region: Option<&str>,
) -> anyhow::Result<jixiao::domain::policy::Principal> {
    use jixiao::domain::policy::{Principal, Role};
    use jixiao::domain::region::RegionCode;
    let code = match region {
        Some(r) => r.to_owned(),
        None => {
            let mut provinces: Vec<String> = file
                .departments
                .iter()
                .map(|d| format!("{}0000", d.region.get(..2).unwrap_or("00")))
                .collect();
            provinces.sort();
            provinces.dedup();
            match provinces.as_slice() {
                [one] => one.clone(),
                [] => anyhow::bail!(
                    "the file names no department: say which region to act in with --region"
                ),
                _ => anyhow::bail!(
                    "the file spans several provinces ({}): import each with --region",
                    provinces.join(", ")
                ),
            }
        }
    };
    let region = RegionCode::parse_scope(&code)
        .map_err(|e| anyhow::anyhow!("--region `{code}`: {}", e.message_en()))?;
    Ok(Principal {
        subject: "cli-import".into(),
        role: Role::Admin,
        region,
        departments: None,
    })
}

async fn load(
    settings: &Settings,
    file: &jixiao::import::ImportFile,
    region: Option<&str>,
) -> anyhow::Result<()> {
    let principal = import_principal(file, region)?;
    let db = jixiao::store::connect(&settings.database_url, 2).await?;
    if settings.migrate {
        jixiao::app::migrate_up(&db).await?;
    }
    match jixiao::import::run(&db, &principal, file).await {
        Ok(summary) => {
            println!(
                "imported {} department(s), {} profile(s), {} project(s), {} fund(s), {} finance record(s), {} evaluation(s)",
                summary.departments,
                summary.profiles,
                summary.projects,
                summary.funds,
                summary.finances,
                summary.evaluations
            );
            Ok(())
        }
        Err(e) => {
            let problem = e.to_problem(jixiao::locale::Lang::En, "import", "-");
            eprintln!(
                "{}",
                serde_json::to_string_pretty(&problem).unwrap_or_default()
            );
            anyhow::bail!("nothing was imported: {}", e.detail.en)
        }
    }
}

async fn import(
    settings: &Settings,
    path: &std::path::Path,
    region: Option<&str>,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let file = jixiao::import::parse(&text).map_err(|e| {
        let where_ = e
            .errors
            .first()
            .map(|f| f.pointer.clone())
            .unwrap_or_default();
        anyhow::anyhow!(
            "{} is not an import file: {} {where_}",
            path.display(),
            e.detail.en
        )
    })?;
    load(settings, &file, region).await
}

async fn import_table(
    settings: &Settings,
    path: &std::path::Path,
    department: &str,
    year: Option<i32>,
    apply: bool,
) -> anyhow::Result<()> {
    use jixiao::api::table_import::{Upload, run};
    use jixiao::domain::policy::{Principal, Role};
    use jixiao::domain::region::RegionCode;
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let db = jixiao::store::connect(&settings.database_url, 2).await?;
    let principal = Principal {
        subject: "cli-import-table".into(),
        role: Role::Admin,
        region: RegionCode::parse_scope("000000")
            .map_err(|e| anyhow::anyhow!("{}", e.message_en()))?,
        departments: None,
    };
    let upload = Upload {
        filename: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        bytes,
    };
    match run(&db, &principal, &[upload], department, year, apply).await {
        Ok(answer) => {
            println!("{}", serde_json::to_string_pretty(&answer)?);
            Ok(())
        }
        Err(e) => {
            for f in &e.errors {
                eprintln!(
                    "{} {}: {} / {}",
                    f.pointer, f.code, f.detail.en, f.detail.zh
                );
            }
            anyhow::bail!("{}: {}", e.code.code, e.detail.en)
        }
    }
}

async fn demo(settings: &Settings) -> anyhow::Result<()> {
    let file = jixiao::import::parse(jixiao::import::SEED)
        .map_err(|e| anyhow::anyhow!("the seed fixture: {}", e.detail.en))?;
    let db = jixiao::store::connect(&settings.database_url, 2).await?;
    jixiao::app::migrate_up(&db).await?;
    if jixiao::store::departments::by_natural_key(&db, "430424", "901424")
        .await?
        .is_some()
    {
        println!(
            "the seed report is already loaded in {}",
            jixiao::store::redact(&settings.database_url)
        );
    } else {
        load(settings, &file, None).await?;
    }
    println!(
        "\nNow serve it:\n    jixiao serve --dev --database '{}'\nthen, with the printed token:\n    curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/v1/evaluations",
        settings.database_url
    );
    Ok(())
}

async fn generate(settings: &Settings, options: &jixiao::generate::Options) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=100).contains(&options.years)
            && jixiao::domain::validate::year_in_range(options.last_year),
        "--years must be 1 to 100 and --last-year 2000 to 2100"
    );
    let db = jixiao::store::connect(&settings.database_url, 2).await?;
    jixiao::app::migrate_up(&db).await?;
    let first = jixiao::generate::budget_code(0);
    if jixiao::store::departments::by_natural_key(&db, jixiao::generate::COUNTIES[0].0, &first)
        .await?
        .is_some()
    {
        anyhow::bail!(
            "{} already holds generated data (department {first}): use a new database",
            jixiao::store::redact(&settings.database_url)
        );
    }
    let step = (options.departments / 20).max(1);
    let started = std::time::Instant::now();
    let summary = jixiao::generate::run(&db, options, |s, elapsed| {
        if s.departments % step == 0 {
            eprintln!(
                "  {} department(s), {} evaluation(s), {} indicator result(s) in {:.1}s",
                s.departments,
                s.evaluations,
                s.indicator_results,
                elapsed.as_secs_f64()
            );
        }
    })
    .await;
    match summary {
        Ok(s) => {
            println!(
                "generated {} department(s), {} project(s), {} fund(s), {} evaluation(s), {} indicator result(s) in {:.1}s",
                s.departments,
                s.projects,
                s.funds,
                s.evaluations,
                s.indicator_results,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(e) => {
            let problem = e.to_problem(jixiao::locale::Lang::En, "demo", "-");
            eprintln!(
                "{}",
                serde_json::to_string_pretty(&problem).unwrap_or_default()
            );
            anyhow::bail!("generation stopped: {}", e.detail.en)
        }
    }
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
