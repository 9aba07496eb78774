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
        default: "10",
        help: "size of the database connection pool",
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
        key: "shutdown_timeout_secs",
        env: "JIXIAO_SHUTDOWN_TIMEOUT_SECS",
        flag: None,
        default: "30",
        help: "on SIGTERM/SIGINT, how long in-flight requests may take to finish",
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
    pub shutdown_timeout_secs: u64,
    pub log_level: String,
    pub log_format: LogFormat,
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

impl Settings {
    /// Resolves the layers, later ones winning, into checked settings.
    pub fn resolve(layers: &[Layer]) -> Result<Settings, ConfigError> {
        let lookup = |key: &'static str| -> (String, String) {
            for layer in layers.iter().rev() {
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
        };
        fn parse<T: std::str::FromStr>(
            key: &str,
            (value, source): (String, String),
            what: &str,
        ) -> Result<T, ConfigError> {
            value.trim().parse::<T>().map_err(|_| ConfigError {
                key: key.to_owned(),
                source_name: source,
                message: format!("`{value}` is not {what}"),
            })
        }
        let (url, url_source) = lookup("database_url");
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(ConfigError {
                key: "database_url".into(),
                source_name: url_source,
                message: format!("`{url}` is neither a sqlite: nor a postgres:// URL"),
            });
        }
        let (format, format_source) = lookup("log_format");
        let log_format = match format.trim() {
            "json" => LogFormat::Json,
            "text" => LogFormat::Text,
            other => {
                return Err(ConfigError {
                    key: "log_format".into(),
                    source_name: format_source,
                    message: format!("`{other}` is neither `json` nor `text`"),
                });
            }
        };
        let settings = Settings {
            listen: parse(
                "listen",
                lookup("listen"),
                "an address such as 127.0.0.1:8080",
            )?,
            database_url: url,
            migrate: parse("migrate", lookup("migrate"), "true or false")?,
            db_max_connections: parse(
                "db_max_connections",
                lookup("db_max_connections"),
                "a whole number",
            )?,
            workers: parse("workers", lookup("workers"), "a whole number")?,
            max_body_bytes: parse(
                "max_body_bytes",
                lookup("max_body_bytes"),
                "a number of bytes",
            )?,
            shutdown_timeout_secs: parse(
                "shutdown_timeout_secs",
                lookup("shutdown_timeout_secs"),
                "a number of seconds",
            )?,
            log_level: lookup("log_level").0,
            log_format,
        };
        if settings.db_max_connections == 0 {
            return Err(ConfigError {
                key: "db_max_connections".into(),
                source_name: lookup("db_max_connections").1,
                message: "must be at least 1".into(),
            });
        }
        if settings.max_body_bytes < 1024 {
            return Err(ConfigError {
                key: "max_body_bytes".into(),
                source_name: lookup("max_body_bytes").1,
                message: "must be at least 1024".into(),
            });
        }
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
            db_max_connections: 10,
            workers: 2,
            max_body_bytes: 1_048_576,
            shutdown_timeout_secs: 30,
            log_level: "info".into(),
            log_format: LogFormat::Text,
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
