//! Configuration: from the environment, optionally from a `tocsin.toml`, the environment winning.
//! A bad value stops start-up with a message naming the variable and what it expects.

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use crate::notify::outbound::OutboundAllow;
use anyhow::Context;
use domain::{Email, Password};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    /// Where users reach this server, without a trailing slash; used for links and cookie flags.
    pub public_url: String,
    pub secret_key: Option<String>,
    pub log_format: LogFormat,
    pub admin_email: Option<Email>,
    pub admin_password: Option<Password>,
    /// How much alert intake one instance takes before it sheds load with 503 + `Retry-After`.
    pub ingest: IngestLimits,
    /// Where email pages go out: `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host:465` (TLS); without it, email contact methods fail visibly.
    pub smtp_url: Option<String>,
    /// The sender of email pages.
    pub smtp_from: String,
    /// Internal targets outbound requests may reach (see `notify::outbound`).
    pub outbound_allow: OutboundAllow,
    /// Reverse proxies in front of the server, whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where every snapshot of the public status page is also written as static files, to be
    /// served from another host while this one is down.
    pub status_export_dir: Option<PathBuf>,
}

/// Shows everything but the secrets, so a configuration can be logged safely.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_deref().map(redact_url))
            .field("public_url", &self.public_url)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "(hidden)"))
            .field("log_format", &self.log_format)
            .field("admin_email", &self.admin_email)
            .field("admin_password", &self.admin_password)
            .field("ingest", &self.ingest)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("smtp_from", &self.smtp_from)
            .field("outbound_allow", &self.outbound_allow)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("status_export_dir", &self.status_export_dir)
            .finish()
    }
}

const MB: u64 = 1024 * 1024;

/// The bounds of alert intake on one instance. Beyond any of them the answer is 503 with
/// `Retry-After`, which every sender retries; nothing is refused with a 4xx for load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestLimits {
    /// Events per second one integration key may send (bursts of twice that).
    pub rate_per_key: u32,
    /// Request-body bytes one integration key may send per hour, so one runaway source cannot
    /// fill the disk.
    pub bytes_per_key_hour: u64,
    /// Ingestion requests handled at once.
    pub max_requests: usize,
    /// Request-body bytes held in memory at once, across all ingestion requests.
    pub max_inflight_bytes: u64,
}

impl Default for IngestLimits {
    fn default() -> Self {
        IngestLimits {
            rate_per_key: 1000,
            bytes_per_key_hour: 256 * MB,
            max_requests: 512,
            max_inflight_bytes: 128 * MB,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {expected} (got '{got}')")]
pub struct ConfigError {
    pub variable: &'static str,
    pub expected: &'static str,
    pub got: String,
}

const KEYS: &[(&str, &str)] = &[
    ("TOCSIN_LISTEN", "listen"),
    ("TOCSIN_DATA_DIR", "data_dir"),
    ("DATABASE_URL", "database_url"),
    ("TOCSIN_PUBLIC_URL", "public_url"),
    ("TOCSIN_SECRET_KEY", "secret_key"),
    ("TOCSIN_LOG_FORMAT", "log_format"),
    ("TOCSIN_ADMIN_EMAIL", "admin_email"),
    ("TOCSIN_ADMIN_PASSWORD", "admin_password"),
    ("TOCSIN_INGEST_RATE", "ingest_rate"),
    ("TOCSIN_INGEST_MB_PER_KEY_HOUR", "ingest_mb_per_key_hour"),
    ("TOCSIN_INGEST_MAX_REQUESTS", "ingest_max_requests"),
    ("TOCSIN_INGEST_MAX_INFLIGHT_MB", "ingest_max_inflight_mb"),
    ("TOCSIN_SMTP_URL", "smtp_url"),
    ("TOCSIN_SMTP_FROM", "smtp_from"),
    ("TOCSIN_OUTBOUND_ALLOW", "outbound_allow"),
    ("TOCSIN_TRUSTED_PROXIES", "trusted_proxies"),
    ("TOCSIN_STATUS_EXPORT_DIR", "status_export_dir"),
];

impl Config {
    /// Reads the process environment and `$TOCSIN_CONFIG` (default `./tocsin.toml`, if present).
    pub fn from_env() -> anyhow::Result<Config> {
        let file = match std::env::var("TOCSIN_CONFIG") {
            Ok(p) => Some(PathBuf::from(p)),
            Err(_) => Some(PathBuf::from("tocsin.toml")).filter(|p| p.exists()),
        };
        let file_values = match &file {
            Some(path) => read_toml(path)?,
            None => HashMap::new(),
        };
        Ok(Config::from_sources(|k| std::env::var(k).ok(), &file_values)?)
    }

    /// Builds the configuration from a lookup of environment variables and the values of a file.
    pub fn from_sources(
        env: impl Fn(&str) -> Option<String>,
        file: &HashMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let get = |var: &str| -> Option<String> {
            let file_key = KEYS.iter().find(|(v, _)| *v == var).map(|(_, k)| *k);
            env(var).or_else(|| file_key.and_then(|k| file.get(k).cloned())).filter(|v| !v.trim().is_empty())
        };

        let listen = match get("TOCSIN_LISTEN") {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(v) => v.trim().parse().map_err(|_| ConfigError {
                variable: "TOCSIN_LISTEN",
                expected: "an address and port such as 127.0.0.1:3000",
                got: v.clone(),
            })?,
        };
        let data_dir = PathBuf::from(get("TOCSIN_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match get("DATABASE_URL") {
            None => None,
            Some(v) if v.starts_with("postgres://") || v.starts_with("postgresql://") => Some(v),
            Some(v) => {
                return Err(ConfigError {
                    variable: "DATABASE_URL",
                    expected: "a postgres:// or postgresql:// URL",
                    got: redact_url(&v),
                });
            }
        };
        let public_url = match get("TOCSIN_PUBLIC_URL") {
            None => format!("http://{listen}"),
            Some(v) if v.starts_with("http://") || v.starts_with("https://") => {
                v.trim_end_matches('/').to_owned()
            }
            Some(v) => {
                return Err(ConfigError {
                    variable: "TOCSIN_PUBLIC_URL",
                    expected: "an http:// or https:// URL such as https://tocsin.example.com",
                    got: v,
                });
            }
        };
        let secret_key = match get("TOCSIN_SECRET_KEY") {
            Some(v) if v.len() < 32 => {
                return Err(ConfigError {
                    variable: "TOCSIN_SECRET_KEY",
                    expected: "at least 32 characters of random text (e.g. `openssl rand -hex 32`)",
                    got: format!("{} characters", v.len()),
                });
            }
            other => other,
        };
        let log_format = match get("TOCSIN_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    variable: "TOCSIN_LOG_FORMAT",
                    expected: "pretty or json",
                    got: other.to_owned(),
                });
            }
        };
        let admin_email = match get("TOCSIN_ADMIN_EMAIL") {
            None => None,
            Some(v) => Some(Email::parse(&v).map_err(|_| ConfigError {
                variable: "TOCSIN_ADMIN_EMAIL",
                expected: "an email address such as admin@example.com",
                got: v.clone(),
            })?),
        };
        let admin_password = match get("TOCSIN_ADMIN_PASSWORD") {
            None => None,
            Some(v) => Some(Password::parse(&v).map_err(|_| ConfigError {
                variable: "TOCSIN_ADMIN_PASSWORD",
                expected: "a password of at least 12 characters",
                got: "(hidden)".into(),
            })?),
        };
        let whole = |variable: &'static str, default: u64, expected: &'static str| match get(variable) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(ConfigError { variable, expected, got: v }),
            },
        };
        let defaults = IngestLimits::default();
        let ingest = IngestLimits {
            rate_per_key: whole(
                "TOCSIN_INGEST_RATE",
                defaults.rate_per_key.into(),
                "a whole number of events per second per integration key, at least 1",
            )?
            .min(u32::MAX.into()) as u32,
            bytes_per_key_hour: whole(
                "TOCSIN_INGEST_MB_PER_KEY_HOUR",
                defaults.bytes_per_key_hour / MB,
                "a whole number of megabytes one integration key may send per hour, at least 1",
            )?
            .saturating_mul(MB),
            max_requests: whole(
                "TOCSIN_INGEST_MAX_REQUESTS",
                defaults.max_requests as u64,
                "a whole number of ingestion requests handled at once, at least 1",
            )? as usize,
            max_inflight_bytes: whole(
                "TOCSIN_INGEST_MAX_INFLIGHT_MB",
                defaults.max_inflight_bytes / MB,
                "a whole number of megabytes of request bodies held at once, at least 1",
            )?
            .saturating_mul(MB),
        };
        let smtp_url = match get("TOCSIN_SMTP_URL") {
            None => None,
            Some(v) if v.trim().is_empty() => None,
            Some(v) if v.starts_with("smtp://") || v.starts_with("smtps://") => Some(v.trim().to_owned()),
            Some(v) => {
                return Err(ConfigError {
                    variable: "TOCSIN_SMTP_URL",
                    expected: "an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587?tls=required",
                    got: redact_url(&v),
                });
            }
        };
        let smtp_from = match get("TOCSIN_SMTP_FROM") {
            None => "Tocsin <tocsin@localhost>".to_owned(),
            Some(v) => {
                if !v.contains('@') {
                    return Err(ConfigError {
                        variable: "TOCSIN_SMTP_FROM",
                        expected: "a sender address such as Tocsin <pager@example.com>",
                        got: v,
                    });
                }
                v.trim().to_owned()
            }
        };
        let outbound_allow = match get("TOCSIN_OUTBOUND_ALLOW") {
            None => OutboundAllow::default(),
            Some(v) => OutboundAllow::parse(&v).map_err(|_| ConfigError {
                variable: "TOCSIN_OUTBOUND_ALLOW",
                expected: "comma-separated CIDRs, addresses or host names such as 10.0.0.0/8,chat.internal",
                got: v.clone(),
            })?,
        };
        let trusted_proxies = match get("TOCSIN_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(|e| e.parse::<ipnet::IpNet>().or_else(|_| e.parse::<std::net::IpAddr>().map(ipnet::IpNet::from)))
                .collect::<Result<_, _>>()
                .map_err(|_| ConfigError {
                    variable: "TOCSIN_TRUSTED_PROXIES",
                    expected: "comma-separated addresses or CIDRs of your reverse proxies, such as 10.0.0.5,10.1.0.0/16",
                    got: v.clone(),
                })?,
        };
        let status_export_dir =
            get("TOCSIN_STATUS_EXPORT_DIR").filter(|v| !v.trim().is_empty()).map(PathBuf::from);
        Ok(Config {
            status_export_dir,
            trusted_proxies,
            outbound_allow,
            ingest,
            smtp_url,
            smtp_from,
            listen,
            data_dir,
            database_url,
            public_url,
            secret_key,
            log_format,
            admin_email,
            admin_password,
        })
    }

    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

fn read_toml(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading configuration file {}", path.display()))?;
    let table: toml::Table = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut values = HashMap::new();
    for (key, value) in table {
        if !KEYS.iter().any(|(_, k)| *k == key) {
            anyhow::bail!(
                "{}: unknown key '{key}'; known keys are {}",
                path.display(),
                KEYS.iter().map(|(_, k)| *k).collect::<Vec<_>>().join(", ")
            );
        }
        let text = match value {
            toml::Value::String(s) => s,
            other => other.to_string(),
        };
        values.insert(key, text);
    }
    Ok(values)
}

/// Hides the password of a database URL before it is printed.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_sources(|k| env.get(k).cloned(), &HashMap::new())
    }

    #[test]
    fn defaults_need_no_configuration() {
        let c = load(&[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(c.database_url.is_none());
        assert!(!c.https());
    }

    #[test]
    fn a_bad_value_names_the_variable_and_what_it_expects() {
        let e = load(&[("TOCSIN_LISTEN", "localhost")]).unwrap_err();
        assert_eq!(e.variable, "TOCSIN_LISTEN");
        assert!(e.to_string().contains("127.0.0.1:3000"));
        assert_eq!(load(&[("TOCSIN_LOG_FORMAT", "xml")]).unwrap_err().variable, "TOCSIN_LOG_FORMAT");
        assert_eq!(load(&[("TOCSIN_SECRET_KEY", "short")]).unwrap_err().variable, "TOCSIN_SECRET_KEY");
        assert_eq!(load(&[("DATABASE_URL", "mysql://x")]).unwrap_err().variable, "DATABASE_URL");
        assert_eq!(load(&[("TOCSIN_PUBLIC_URL", "example.com")]).unwrap_err().variable, "TOCSIN_PUBLIC_URL");
        assert_eq!(
            load(&[("TOCSIN_OUTBOUND_ALLOW", "10/8/8")]).unwrap_err().variable,
            "TOCSIN_OUTBOUND_ALLOW"
        );
        assert_eq!(
            load(&[("TOCSIN_INGEST_MAX_REQUESTS", "0")]).unwrap_err().variable,
            "TOCSIN_INGEST_MAX_REQUESTS"
        );
        assert_eq!(
            load(&[("TOCSIN_INGEST_MB_PER_KEY_HOUR", "1")]).unwrap().ingest.bytes_per_key_hour,
            1 << 20
        );
        assert_eq!(
            load(&[("TOCSIN_TRUSTED_PROXIES", "proxy.lan")]).unwrap_err().variable,
            "TOCSIN_TRUSTED_PROXIES"
        );
        let c = load(&[("TOCSIN_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16")]).unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        let e = load(&[("TOCSIN_ADMIN_PASSWORD", "short")]).unwrap_err();
        assert!(!e.to_string().contains("short"), "a password is never echoed");
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let file: HashMap<String, String> = [
            ("listen".to_string(), "127.0.0.1:4000".to_string()),
            ("log_format".to_string(), "json".to_string()),
        ]
        .into();
        let c = Config::from_sources(|k| (k == "TOCSIN_LISTEN").then(|| "127.0.0.1:5000".to_string()), &file)
            .unwrap();
        assert_eq!(c.listen.port(), 5000);
        assert_eq!(c.log_format, LogFormat::Json);
    }

    #[test]
    fn a_toml_file_is_read_and_unknown_keys_are_refused() {
        let dir = std::env::temp_dir().join(format!("tocsin-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(&good, "listen = \"127.0.0.1:4100\"\nlog_format = \"json\"\n").unwrap();
        let values = read_toml(&good).unwrap();
        let c = Config::from_sources(|_| None, &values).unwrap();
        assert_eq!(c.listen.port(), 4100);
        assert_eq!(c.log_format, LogFormat::Json);

        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "lisen = \"127.0.0.1:4100\"\n").unwrap();
        let err = read_toml(&bad).unwrap_err().to_string();
        assert!(err.contains("unknown key 'lisen'") && err.contains("listen"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn https_public_url_is_detected_and_trailing_slash_dropped() {
        let c = load(&[("TOCSIN_PUBLIC_URL", "https://tocsin.example.com/")]).unwrap();
        assert!(c.https());
        assert_eq!(c.public_url, "https://tocsin.example.com");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = load(&[
            ("TOCSIN_SECRET_KEY", "0123456789abcdef0123456789abcdef-secret"),
            ("DATABASE_URL", "postgres://u:hunter2@db/tocsin"),
            ("TOCSIN_ADMIN_PASSWORD", "a very secret password"),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("-secret") && !shown.contains("hunter2") && !shown.contains("very secret"),
            "{shown}"
        );
    }

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }
}
