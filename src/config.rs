//! Settings: built-in defaults < optional TOML file (`--config FILE`) < `JIXIAO_*` environment
//! variables < command-line flags. Every setting is declared once in [`SETTINGS`]; a bad value
//! stops start-up with a message naming the setting and where the value came from.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

/// One setting: its key (in the TOML file), environment variable, flag and default.
pub struct SettingSpec {
    pub key: &'static str,
    pub env: &'static str,
    pub flag: Option<&'static str>,
    pub default: &'static str,
    pub help: &'static str,
}

/// Every setting the service reads.
pub const SETTINGS: &[SettingSpec] = &[
    SettingSpec {
        key: "listen",
        env: "JIXIAO_LISTEN",
        flag: Some("--listen"),
        default: "127.0.0.1:8080",
        help: "address and port to listen on; port 0 picks a free port (the log says which)",
    },
    SettingSpec {
        key: "database_url",
        env: "JIXIAO_DATABASE_URL",
        flag: Some("--database"),
        default: "sqlite://jixiao.db?mode=rwc",
        help: "sqlite://FILE?mode=rwc or postgres://USER@HOST:PORT/DB; DATABASE_URL is read when JIXIAO_DATABASE_URL is not set",
    },
    SettingSpec {
        key: "migrate",
        env: "JIXIAO_MIGRATE",
        flag: Some("--no-migrate"),
        default: "true",
        help: "apply pending migrations at start-up",
    },
    SettingSpec {
        key: "db_max_connections",
        env: "JIXIAO_DB_MAX_CONNECTIONS",
        flag: None,
        default: "0",
        help: "size of the database connection pool; 0 means 4 on SQLite (one writer at a time; each connection is a thread with its own caches) and 10 on PostgreSQL",
    },
    SettingSpec {
        key: "workers",
        env: "JIXIAO_WORKERS",
        flag: None,
        default: "0",
        help: "HTTP worker threads; 0 means one per CPU core",
    },
    SettingSpec {
        key: "max_body_bytes",
        env: "JIXIAO_MAX_BODY_BYTES",
        flag: None,
        default: "1048576",
        help: "largest accepted request body in bytes (413 above it)",
    },
    SettingSpec {
        key: "body_timeout_secs",
        env: "JIXIAO_BODY_TIMEOUT_SECS",
        flag: None,
        default: "30",
        help: "how long a request body may take to arrive, counted from the request head; later, the request gets 408 and the connection is closed",
    },
    SettingSpec {
        key: "shutdown_timeout_secs",
        env: "JIXIAO_SHUTDOWN_TIMEOUT_SECS",
        flag: None,
        default: "30",
        help: "on SIGTERM/SIGINT, how long in-flight requests may take to finish",
    },
    SettingSpec {
        key: "max_page_size",
        env: "JIXIAO_MAX_PAGE_SIZE",
        flag: None,
        default: "500",
        help: "largest `page_size` a list accepts (400 above it)",
    },
    SettingSpec {
        key: "max_concurrent_pages",
        env: "JIXIAO_MAX_CONCURRENT_PAGES",
        flag: None,
        default: "2",
        help: "evaluation list pages built and sent at once; further ones wait their turn (bounds memory under many connections)",
    },
    SettingSpec {
        key: "read_cache_bytes",
        env: "JIXIAO_READ_CACHE_BYTES",
        flag: None,
        default: "8388608",
        help: "bytes of list and stats answers kept between writes and served again while nothing is written (0: off); no answer over a quarter of it is kept",
    },
    SettingSpec {
        key: "max_batch_items",
        env: "JIXIAO_MAX_BATCH_ITEMS",
        flag: None,
        default: "500",
        help: "most evaluations one batch may hold (422 above it)",
    },
    SettingSpec {
        key: "max_batch_bytes",
        env: "JIXIAO_MAX_BATCH_BYTES",
        flag: None,
        default: "16777216",
        help: "largest batch body in bytes (413 above it)",
    },
    SettingSpec {
        key: "rate_limit_per_minute",
        env: "JIXIAO_RATE_LIMIT_PER_MINUTE",
        flag: None,
        default: "1200",
        help: "requests per minute per client (token subject, else address) under /api; 0 turns the limit off",
    },
    SettingSpec {
        key: "rate_limit_burst",
        env: "JIXIAO_RATE_LIMIT_BURST",
        flag: None,
        default: "100",
        help: "requests a client may make at once before the per-minute rate applies",
    },
    SettingSpec {
        key: "cors_allowed_origins",
        env: "JIXIAO_CORS_ALLOWED_ORIGINS",
        flag: None,
        default: "",
        help: "origins (comma list, e.g. `https://dash.example.gov.cn`) whose browser pages may call the API (CORS); empty: none (off)",
    },
    SettingSpec {
        key: "jwt_secret",
        env: "JIXIAO_JWT_SECRET",
        flag: Some("--jwt-secret"),
        default: "",
        help: "shared secret for HS256 tokens (at least 32 bytes)",
    },
    SettingSpec {
        key: "jwt_public_keys",
        env: "JIXIAO_JWT_PUBLIC_KEYS",
        flag: None,
        default: "",
        help: "comma-separated KID=FILE pairs of PEM public keys (RSA → RS256, EC P-256 → ES256)",
    },
    SettingSpec {
        key: "jwt_jwks_file",
        env: "JIXIAO_JWT_JWKS_FILE",
        flag: None,
        default: "",
        help: "a JWKS file of public keys, selected by `kid`",
    },
    SettingSpec {
        key: "jwt_issuer",
        env: "JIXIAO_JWT_ISSUER",
        flag: None,
        default: "",
        help: "when set, tokens must carry this `iss` (and `jixiao token` writes it)",
    },
    SettingSpec {
        key: "jwt_audience",
        env: "JIXIAO_JWT_AUDIENCE",
        flag: None,
        default: "",
        help: "when set, tokens must carry this `aud` (and `jixiao token` writes it)",
    },
    SettingSpec {
        key: "link_secret",
        env: "JIXIAO_LINK_SECRET",
        flag: None,
        default: "",
        help: "key (at least 32 bytes) that signs the short-lived page links (report, overview); default: derived from `jwt_secret`, else random for this process (links then open only on the instance that issued them)",
    },
    SettingSpec {
        key: "link_ttl",
        env: "JIXIAO_LINK_TTL",
        flag: None,
        default: "5m",
        help: "how long a page link stays valid (e.g. 90s, 5m; at most 1h)",
    },
    SettingSpec {
        key: "jwt_leeway_secs",
        env: "JIXIAO_JWT_LEEWAY_SECS",
        flag: None,
        default: "30",
        help: "clock skew allowed on `exp` and `nbf`",
    },
    SettingSpec {
        key: "claim_subject",
        env: "JIXIAO_CLAIM_SUBJECT",
        flag: None,
        default: "sub",
        help: "name of the claim holding the caller's id",
    },
    SettingSpec {
        key: "claim_role",
        env: "JIXIAO_CLAIM_ROLE",
        flag: None,
        default: "role",
        help: "name of the claim holding the role (admin, reviewer, submitter, viewer)",
    },
    SettingSpec {
        key: "claim_region",
        env: "JIXIAO_CLAIM_REGION",
        flag: None,
        default: "region",
        help: "name of the claim holding the GB/T 2260 region code of the caller's scope",
    },
    SettingSpec {
        key: "claim_departments",
        env: "JIXIAO_CLAIM_DEPARTMENTS",
        flag: None,
        default: "departments",
        help: "name of the optional claim listing the departments (budget codes or ids) the caller is limited to",
    },
    SettingSpec {
        key: "dev",
        env: "JIXIAO_DEV",
        flag: Some("--dev"),
        default: "false",
        help: "development mode: with no key configured, generate a secret for this process and print an admin token",
    },
    SettingSpec {
        key: "log_level",
        env: "JIXIAO_LOG_LEVEL",
        flag: Some("--log-level"),
        default: "info",
        help: "log filter (error, warn, info, debug, or a tracing filter such as `jixiao=debug`)",
    },
    SettingSpec {
        key: "log_format",
        env: "JIXIAO_LOG_FORMAT",
        flag: None,
        default: "json",
        help: "`json` (one JSON object per line) or `text`",
    },
];

/// The resolved settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    pub migrate: bool,
    pub db_max_connections: u32,
    pub workers: usize,
    pub max_body_bytes: usize,
    pub body_timeout_secs: u64,
    pub shutdown_timeout_secs: u64,
    pub log_level: String,
    pub log_format: LogFormat,
    pub max_page_size: u64,
    pub max_concurrent_pages: usize,
    pub read_cache_bytes: usize,
    pub max_batch_items: usize,
    pub max_batch_bytes: usize,
    pub rate_limit_per_minute: u32,
    pub rate_limit_burst: u32,
    /// Origins allowed by CORS (`scheme://host[:port]`); empty: CORS is off.
    pub cors_allowed_origins: Vec<String>,
    pub auth: AuthSettings,
    pub dev: bool,
    /// Benchmarks only (the hidden `serve --bench` flag, never read from a file or the
    /// environment): adds `GET /bench/static/{bytes}`, a constant body outside the API and
    /// its OpenAPI document, as the framework's ceiling.
    pub bench: bool,
}

/// How tokens are verified and read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSettings {
    pub jwt_secret: Option<String>,
    /// (kid, PEM file) pairs.
    pub jwt_public_keys: Vec<(String, std::path::PathBuf)>,
    pub jwt_jwks_file: Option<std::path::PathBuf>,
    pub jwt_issuer: Option<String>,
    pub jwt_audience: Option<String>,
    pub jwt_leeway_secs: u64,
    pub claim_subject: String,
    pub claim_role: String,
    pub claim_region: String,
    pub claim_departments: String,
    /// Signs page links (else derived from `jwt_secret`, else random).
    pub link_secret: Option<String>,
    /// How long a page link is valid.
    pub link_ttl: std::time::Duration,
}

impl AuthSettings {
    /// Whether any verification key is configured.
    pub fn has_keys(&self) -> bool {
        self.jwt_secret.is_some()
            || !self.jwt_public_keys.is_empty()
            || self.jwt_jwks_file.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

/// A setting that could not be used.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("invalid setting `{key}` (from {source_name}): {message}")]
pub struct ConfigError {
    pub key: String,
    pub source_name: String,
    pub message: String,
}

/// Values gathered from one source, by setting key.
#[derive(Debug, Default, Clone)]
pub struct Layer {
    pub name: String,
    pub values: BTreeMap<&'static str, String>,
}

impl Layer {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            values: BTreeMap::new(),
        }
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        if let Some(spec) = SETTINGS.iter().find(|s| s.key == key) {
            self.values.insert(spec.key, value.into());
        }
    }
}

/// Reads a TOML file into a layer; unknown keys are an error.
pub fn file_layer(path: &Path) -> Result<Layer, ConfigError> {
    let source_name = format!("config file {}", path.display());
    let err = |key: &str, message: String| ConfigError {
        key: key.to_owned(),
        source_name: source_name.clone(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err("config", e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| err("config", e.to_string()))?;
    let mut layer = Layer::new(source_name.clone());
    for (key, value) in table {
        if !SETTINGS.iter().any(|s| s.key == key) {
            let known: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
            return Err(err(
                &key,
                format!("unknown setting; known: {}", known.join(", ")),
            ));
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(err(
                    &key,
                    format!("expected a string, number or boolean, got {other}"),
                ));
            }
        };
        layer.set(&key, text);
    }
    Ok(layer)
}

/// Reads the `JIXIAO_*` variables (and `DATABASE_URL`) through `get`.
pub fn env_layer(get: impl Fn(&str) -> Option<String>) -> Layer {
    let mut layer = Layer::new("environment");
    if let Some(url) = get("DATABASE_URL") {
        layer.set("database_url", url);
    }
    for spec in SETTINGS {
        if let Some(value) = get(spec.env) {
            layer.set(spec.key, value);
        }
    }
    layer.name = "environment".into();
    layer
}

/// The CORS allow-list: a comma list of origins (`https://host[:port]`, no path), or empty.
fn origins((value, source): (String, String)) -> Result<Vec<String>, ConfigError> {
    let mut list = Vec::new();
    for origin in value.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        let valid = rest.is_some_and(|r| {
            !r.is_empty()
                && !r.contains('/')
                && !r.contains('*')
                && !r.contains(char::is_whitespace)
        });
        if !valid {
            return Err(ConfigError {
                key: "cors_allowed_origins".into(),
                source_name: source,
                message: format!(
                    "`{origin}` is not an origin such as https://dash.example.gov.cn (scheme and host, no path, no wildcard)"
                ),
            });
        }
        list.push(origin.to_owned());
    }
    Ok(list)
}

/// Reads settings from layers, later ones winning, and names the layer of every bad value.
struct Resolver<'a> {
    layers: &'a [Layer],
}

impl Resolver<'_> {
    /// The value of `key` and where it came from (a layer, an environment variable or the
    /// default).
    fn lookup(&self, key: &'static str) -> (String, String) {
        for layer in self.layers.iter().rev() {
            if let Some(v) = layer.values.get(key) {
                let source = if layer.name == "environment" {
                    SETTINGS
                        .iter()
                        .find(|s| s.key == key)
                        .map(|s| format!("environment variable {}", s.env))
                        .unwrap_or_else(|| layer.name.clone())
                } else {
                    layer.name.clone()
                };
                return (v.clone(), source);
            }
        }
        let default = SETTINGS
            .iter()
            .find(|s| s.key == key)
            .map_or("", |s| s.default);
        (default.to_owned(), "default".to_owned())
    }

    /// An error about `key`, naming where its value came from.
    fn error(&self, key: &'static str, message: String) -> ConfigError {
        ConfigError {
            key: key.into(),
            source_name: self.lookup(key).1,
            message,
        }
    }

    /// The trimmed value of `key`, `None` when empty.
    fn optional(&self, key: &'static str) -> Option<String> {
        let v = self.lookup(key).0;
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    /// The value of `key` parsed; `what` says what it should be.
    fn parse<T: std::str::FromStr>(&self, key: &'static str, what: &str) -> Result<T, ConfigError> {
        let (value, source) = self.lookup(key);
        value.trim().parse::<T>().map_err(|_| ConfigError {
            key: key.to_owned(),
            source_name: source,
            message: format!("`{value}` is not {what}"),
        })
    }

    /// `value` (of `key`) must be at least `min`.
    fn at_least<T: PartialOrd + std::fmt::Display>(
        &self,
        key: &'static str,
        value: T,
        min: T,
    ) -> Result<(), ConfigError> {
        if value < min {
            return Err(self.error(key, format!("must be at least {min}")));
        }
        Ok(())
    }

    fn database_url(&self) -> Result<String, ConfigError> {
        let url = self.lookup("database_url").0;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(self.error(
                "database_url",
                format!("`{url}` is neither a sqlite: nor a postgres:// URL"),
            ));
        }
        Ok(url)
    }

    fn log_format(&self) -> Result<LogFormat, ConfigError> {
        match self.lookup("log_format").0.trim() {
            "json" => Ok(LogFormat::Json),
            "text" => Ok(LogFormat::Text),
            other => Err(self.error(
                "log_format",
                format!("`{other}` is neither `json` nor `text`"),
            )),
        }
    }

    /// `jwt_public_keys` as KID=FILE pairs.
    fn public_keys(&self) -> Result<Vec<(String, std::path::PathBuf)>, ConfigError> {
        let mut public_keys = Vec::new();
        if let Some(list) = self.optional("jwt_public_keys") {
            for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let Some((kid, file)) = item.split_once('=') else {
                    return Err(self.error("jwt_public_keys", format!("`{item}` is not KID=FILE")));
                };
                public_keys.push((kid.trim().to_owned(), std::path::PathBuf::from(file.trim())));
            }
        }
        Ok(public_keys)
    }

    /// An optional secret setting: at least 32 bytes when set.
    fn secret(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        let secret = self.optional(name);
        if let Some(s) = &secret
            && s.len() < 32
        {
            return Err(self.error(name, format!("is {} bytes long; use at least 32", s.len())));
        }
        Ok(secret)
    }

    fn link_ttl(&self) -> Result<std::time::Duration, ConfigError> {
        let (text, _) = self.lookup("link_ttl");
        match crate::lifetime::parse_ttl(&text) {
            Ok(ttl) if ttl <= std::time::Duration::from_secs(3600) => Ok(ttl),
            Ok(_) => Err(self.error("link_ttl", "is longer than 1h".to_owned())),
            Err(e) => Err(self.error("link_ttl", e.to_string())),
        }
    }

    fn auth(&self) -> Result<AuthSettings, ConfigError> {
        let jwt_public_keys = self.public_keys()?;
        let jwt_secret = self.secret("jwt_secret")?;
        Ok(AuthSettings {
            jwt_secret,
            jwt_public_keys,
            jwt_jwks_file: self.optional("jwt_jwks_file").map(std::path::PathBuf::from),
            jwt_issuer: self.optional("jwt_issuer"),
            jwt_audience: self.optional("jwt_audience"),
            jwt_leeway_secs: self.parse("jwt_leeway_secs", "a number of seconds")?,
            claim_subject: self.lookup("claim_subject").0,
            claim_role: self.lookup("claim_role").0,
            claim_region: self.lookup("claim_region").0,
            claim_departments: self.lookup("claim_departments").0,
            link_secret: self.secret("link_secret")?,
            link_ttl: self.link_ttl()?,
        })
    }
}

impl Settings {
    /// Resolves the layers, later ones winning, into checked settings.
    pub fn resolve(layers: &[Layer]) -> Result<Settings, ConfigError> {
        let r = Resolver { layers };
        let database_url = r.database_url()?;
        let log_format = r.log_format()?;
        let auth = r.auth()?;
        let settings = Settings {
            listen: r.parse("listen", "an address such as 127.0.0.1:8080")?,
            database_url,
            migrate: r.parse("migrate", "true or false")?,
            db_max_connections: r.parse("db_max_connections", "a whole number")?,
            workers: r.parse("workers", "a whole number")?,
            max_body_bytes: r.parse("max_body_bytes", "a number of bytes")?,
            body_timeout_secs: r.parse("body_timeout_secs", "a number of seconds")?,
            shutdown_timeout_secs: r.parse("shutdown_timeout_secs", "a number of seconds")?,
            log_level: r.lookup("log_level").0,
            log_format,
            max_page_size: r.parse("max_page_size", "a whole number")?,
            max_concurrent_pages: r.parse("max_concurrent_pages", "a whole number")?,
            read_cache_bytes: r.parse("read_cache_bytes", "a number of bytes")?,
            max_batch_items: r.parse("max_batch_items", "a whole number")?,
            max_batch_bytes: r.parse("max_batch_bytes", "a number of bytes")?,
            rate_limit_per_minute: r.parse("rate_limit_per_minute", "a whole number")?,
            rate_limit_burst: r.parse("rate_limit_burst", "a whole number")?,
            cors_allowed_origins: origins(r.lookup("cors_allowed_origins"))?,
            auth,
            dev: r.parse("dev", "true or false")?,
            bench: false,
        };
        r.at_least("max_page_size", settings.max_page_size, 1)?;
        r.at_least("max_concurrent_pages", settings.max_concurrent_pages, 1)?;
        r.at_least("body_timeout_secs", settings.body_timeout_secs, 1)?;
        r.at_least("max_body_bytes", settings.max_body_bytes, 1024)?;
        Ok(settings)
    }

    /// Settings for a test or a tool: defaults with the given database and a free port.
    pub fn for_database(database_url: &str) -> Settings {
        let mut layer = Layer::new("caller");
        layer.set("listen", "127.0.0.1:0");
        layer.set("database_url", database_url);
        layer.set("log_format", "text");
        // The defaults are valid, so resolution cannot fail on them; fall back to a literal.
        Settings::resolve(&[layer]).unwrap_or_else(|_| Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.to_owned(),
            migrate: true,
            db_max_connections: 0,
            workers: 2,
            max_body_bytes: 1_048_576,
            body_timeout_secs: 30,
            shutdown_timeout_secs: 30,
            log_level: "info".into(),
            log_format: LogFormat::Text,
            max_page_size: 500,
            max_concurrent_pages: 2,
            read_cache_bytes: 8 * 1024 * 1024,
            max_batch_items: 500,
            max_batch_bytes: 16 * 1024 * 1024,
            rate_limit_per_minute: 0,
            rate_limit_burst: 1,
            cors_allowed_origins: Vec::new(),
            auth: AuthSettings {
                jwt_secret: None,
                jwt_public_keys: Vec::new(),
                jwt_jwks_file: None,
                jwt_issuer: None,
                jwt_audience: None,
                jwt_leeway_secs: 30,
                claim_subject: "sub".into(),
                claim_role: "role".into(),
                claim_region: "region".into(),
                claim_departments: "departments".into(),
                link_secret: None,
                link_ttl: std::time::Duration::from_secs(300),
            },
            dev: false,
            bench: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(name: &str, kv: &[(&str, &str)]) -> Layer {
        let mut l = Layer::new(name);
        for (k, v) in kv {
            l.set(k, *v);
        }
        l
    }

    #[test]
    fn defaults() {
        let s = Settings::resolve(&[]).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database_url, "sqlite://jixiao.db?mode=rwc");
        assert!(s.migrate);
        assert_eq!(s.log_format, LogFormat::Json);
    }

    #[test]
    fn later_layers_win() {
        let file = layer(
            "config file x.toml",
            &[("listen", "127.0.0.1:1"), ("migrate", "false")],
        );
        let env = env_layer(|k| match k {
            "JIXIAO_LISTEN" => Some("127.0.0.1:2".into()),
            "DATABASE_URL" => Some("postgres://a@b/c".into()),
            _ => None,
        });
        let flags = layer("command line", &[("database_url", "sqlite://x.db")]);
        let s = Settings::resolve(&[file, env, flags]).unwrap();
        assert_eq!(s.listen.port(), 2);
        assert!(!s.migrate);
        assert_eq!(s.database_url, "sqlite://x.db");
    }

    #[test]
    fn jixiao_database_url_beats_database_url() {
        let env = env_layer(|k| match k {
            "JIXIAO_DATABASE_URL" => Some("sqlite://a.db".into()),
            "DATABASE_URL" => Some("postgres://x@y/z".into()),
            _ => None,
        });
        assert_eq!(
            Settings::resolve(&[env]).unwrap().database_url,
            "sqlite://a.db"
        );
    }

    #[test]
    fn bad_values_name_setting_and_source() {
        let env = env_layer(|k| (k == "JIXIAO_LISTEN").then(|| "nowhere".to_string()));
        let err = Settings::resolve(&[env]).unwrap_err();
        assert_eq!(err.key, "listen");
        assert_eq!(err.source_name, "environment variable JIXIAO_LISTEN");
        let err = Settings::resolve(&[layer("command line", &[("database_url", "mysql://x")])])
            .unwrap_err();
        assert_eq!(err.key, "database_url");
        assert!(err.to_string().contains("command line"));
    }

    #[test]
    fn file_layer_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9\"\nworkers = 3\n").unwrap();
        let s = Settings::resolve(&[file_layer(&path).unwrap()]).unwrap();
        assert_eq!((s.listen.port(), s.workers), (9, 3));
        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        assert_eq!(file_layer(&path).unwrap_err().key, "lisen");
    }
}
