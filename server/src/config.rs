//! Typed settings read from environment variables (a `.env` file is honoured if present).
//! Every variable has a default from DESIGN.md except where noted; a bad value stops start-up
//! with one message naming the variable. Secrets are wrapped in [`Secret`] so `Debug` never
//! prints them.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use app::adapters::rate_limit::{Limit, Limits};
use app::domain::Currency;

use crate::client_addr::TrustedProxies;

/// A value that must never reach a log: `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How logs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for development.
    Pretty,
    /// One JSON object per line, for production.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "pretty" | "text" => Ok(Self::Pretty),
            "json" => Ok(Self::Json),
            other => Err(format!("`{other}` is not a log format (use `pretty` or `json`)")),
        }
    }
}

/// A variable with a value that can't be used.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {} {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Everything the server can be configured with, grouped by concern (a new adapter — search,
/// payments, webhooks — adds its own group). See the README's table.
#[derive(Clone, Debug)]
pub struct Settings {
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub cache: CacheSettings,
    pub auth: AuthSettings,
    pub mail: MailSettings,
    pub media: MediaSettings,
    pub jobs: JobSettings,
    pub search: SearchSettings,
    pub shop: ShopSettings,
    pub log: LogSettings,
}

/// Listening, limits, proxies and the files the server serves.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// `OXCART_HOST`: address to listen on.
    pub host: IpAddr,
    /// `OXCART_PORT`: port to listen on; 0 lets the OS choose.
    pub port: u16,
    /// `MAX_BODY_BYTES`: largest request body accepted.
    pub max_body_bytes: usize,
    /// `SHUTDOWN_TIMEOUT_SECS`: how long in-flight requests get to finish after SIGTERM.
    pub shutdown_timeout: Duration,
    /// `OXCART_HTTPS`: the shop is served over TLS (by a proxy in front): sends HSTS and marks
    /// the session cookie `Secure`.
    pub https: bool,
    /// `TRUSTED_PROXIES`: addresses and CIDR ranges of the proxies in front of the shop, whose
    /// `Forwarded` / `X-Forwarded-For` headers name the client. Empty: the TCP peer is the client.
    pub trusted_proxies: TrustedProxies,
    /// `PUBLIC_URL`: the shop's address as people reach it, for links in mails. Unset: the
    /// address the server listens on.
    pub public_url: Option<String>,
    /// `CORS_ALLOWED_ORIGINS`: origins (`https://store.example.com`, comma-separated) of headless
    /// storefronts allowed to call the API from a browser. Empty: none.
    pub cors_allowed_origins: Vec<String>,
    /// `SITE_ROOT`: the built site (`target/site`: wasm, JS, CSS, public files).
    pub site_root: PathBuf,
    /// `API_DOCS_ASSETS_DIR`: Swagger UI's files (npm `swagger-ui-dist`).
    pub api_docs_assets_dir: PathBuf,
}

/// PostgreSQL.
#[derive(Clone, Debug)]
pub struct DatabaseSettings {
    /// `DATABASE_URL`.
    pub url: Secret<String>,
    /// `DATABASE_MAX_CONNECTIONS`.
    pub max_connections: u32,
    /// `DATABASE_CONNECT_TIMEOUT_SECS`: how long start-up waits for PostgreSQL.
    pub connect_timeout: Duration,
    /// `DATABASE_ACQUIRE_TIMEOUT_SECS`: how long a request waits for a pooled connection.
    pub acquire_timeout: Duration,
}

/// The cache (also the store of rate limits, the token deny-list and, with Redis, sessions).
#[derive(Clone, Debug)]
pub struct CacheSettings {
    /// `REDIS_URL`: Redis; in-process when unset.
    pub redis_url: Option<Secret<String>>,
    /// `CACHE_NAMESPACE`: prefix of every cache key, so shops can share one Redis.
    pub namespace: String,
    /// `CACHE_MAX_ENTRIES`: bound of the in-process cache.
    pub max_entries: u64,
}

/// Tokens, sessions and rate limits.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// `JWT_SECRET`: HS256 key for access tokens, at least 32 bytes. Unset: a random key per
    /// process (tokens die with it and are not shared between instances) and a warning.
    pub jwt_secret: Option<Secret<String>>,
    /// `ACCESS_TOKEN_TTL_SECS`.
    pub access_token_ttl: Duration,
    /// `REFRESH_TOKEN_TTL_SECS`.
    pub refresh_token_ttl: Duration,
    /// `SESSION_TTL_SECS`: a browser session ends after this long without activity.
    pub session_ttl: Duration,
    /// `RATE_LIMIT_LOGIN`, `RATE_LIMIT_REGISTER`, `RATE_LIMIT_PASSWORD_RESET`, `RATE_LIMIT_WRITES`:
    /// `N/SECONDS`.
    pub rate_limits: Limits,
}

/// Outgoing mail.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `SMTP_URL`: e.g. `smtp://user:pass@mail.example.com:587?tls=required`. Unset: mails are
    /// written to `MAIL_OUTBOX_DIR`.
    pub smtp_url: Option<Secret<String>>,
    /// `MAIL_FROM`: the sender of the shop's mails.
    pub from: String,
    /// `MAIL_OUTBOX_DIR`: where mails go when there is no SMTP server.
    pub outbox_dir: PathBuf,
}

/// Background jobs.
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// `JOB_WORKERS`: background job workers in this process; 0 switches them off here.
    pub workers: usize,
    /// `UNPAID_ORDER_TIMEOUT_SECS`: how long an order may await payment before the scheduler
    /// cancels it and returns its stock (default 72 hours).
    pub unpaid_order_timeout: Duration,
    /// `SCHEDULER_TICK_SECS`: how often this process looks for recurring jobs due (default 10 s;
    /// 0 switches the scheduler off in this process).
    pub scheduler_tick: Duration,
}

/// Product images: where they are stored and how large an upload may be.
#[derive(Clone, Debug)]
pub struct MediaSettings {
    /// `MEDIA_DIR`: the local directory images are stored in when S3 is not configured.
    pub dir: PathBuf,
    /// `S3_BUCKET` (with `S3_REGION`, `S3_ENDPOINT`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`):
    /// S3-compatible object storage instead of `MEDIA_DIR`.
    pub s3: Option<S3Settings>,
    /// `MAX_UPLOAD_BYTES`: largest upload accepted, on upload routes only (everything else keeps
    /// `MAX_BODY_BYTES`).
    pub max_upload_bytes: usize,
}

/// S3-compatible object storage.
#[derive(Clone, Debug)]
pub struct S3Settings {
    pub bucket: String,
    pub region: String,
    pub endpoint: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret<String>>,
}

/// Search: PostgreSQL always; Meilisearch instead when `MEILISEARCH_URL` is set.
#[derive(Clone, Debug)]
pub struct SearchSettings {
    /// `MEILISEARCH_URL`, e.g. `http://127.0.0.1:7700`.
    pub meilisearch_url: Option<String>,
    /// `MEILISEARCH_API_KEY`: the master key, or an admin API key.
    pub meilisearch_key: Option<Secret<String>>,
    /// `MEILISEARCH_INDEX`: the index's name (several shops can share a server).
    pub meilisearch_index: String,
    /// `MEILISEARCH_TIMEOUT_MS`: how long a call may take before PostgreSQL answers instead.
    pub meilisearch_timeout: Duration,
    /// `SEARCH_POSTINGS_MB`: memory the PostgreSQL engine may keep words' matches in.
    pub postings_budget: u64,
}

/// The shop itself.
#[derive(Clone, Debug)]
pub struct ShopSettings {
    /// `SHOP_NAME`.
    pub name: String,
    /// `STORE_CURRENCY`: ISO 4217 code of the shop's prices.
    pub currency: Currency,
}

/// Logging.
#[derive(Clone, Debug)]
pub struct LogSettings {
    /// `LOG_FORMAT`: `pretty` or `json`.
    pub format: LogFormat,
    /// `RUST_LOG`: log filter.
    pub filter: String,
}

impl Settings {
    /// Reads the process environment, after loading `.env` if one exists.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is reported.
        if let Err(err) = dotenvy::dotenv()
            && !err.not_found()
        {
            return Err(ConfigError {
                variable: ".env",
                message: format!("could not be read: {err}"),
            });
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds settings from any source of variables (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        let parse = |name: &'static str, default: &str| -> Result<String, ConfigError> {
            Ok(var(name).unwrap_or_else(|| default.to_owned()))
        };
        fn typed<T: FromStr>(name: &'static str, raw: String, what: &str) -> Result<T, ConfigError> {
            raw.trim().parse().map_err(|_| ConfigError {
                variable: name,
                message: format!("`{raw}` is not {what}"),
            })
        }
        let seconds = |name: &'static str, default: &str| -> Result<Duration, ConfigError> {
            let secs: u64 = typed(name, parse(name, default)?, "a whole number of seconds")?;
            Ok(Duration::from_secs(secs))
        };

        let database_url = parse("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oxcart")?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError {
                variable: "DATABASE_URL",
                message: "must be a postgres:// URL, e.g. postgres://postgres@127.0.0.1:5432/oxcart".into(),
            });
        }
        let redis_url = var("REDIS_URL");
        if let Some(url) = &redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(ConfigError {
                variable: "REDIS_URL",
                message: "must be a redis:// URL, e.g. redis://127.0.0.1:6379".into(),
            });
        }
        let max_connections: u32 = typed(
            "DATABASE_MAX_CONNECTIONS",
            parse("DATABASE_MAX_CONNECTIONS", "10")?,
            "a whole number",
        )?;
        if max_connections == 0 {
            return Err(ConfigError {
                variable: "DATABASE_MAX_CONNECTIONS",
                message: "must be at least 1".into(),
            });
        }
        let currency = parse("STORE_CURRENCY", "USD")?;
        let store_currency = Currency::parse(&currency).map_err(|message| ConfigError {
            variable: "STORE_CURRENCY",
            message,
        })?;
        let log_format = parse("LOG_FORMAT", "pretty")?.parse().map_err(|message| ConfigError {
            variable: "LOG_FORMAT",
            message,
        })?;

        let meilisearch_url = var("MEILISEARCH_URL");
        if let Some(url) = &meilisearch_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError {
                variable: "MEILISEARCH_URL",
                message: "must be an http:// or https:// URL, e.g. http://127.0.0.1:7700".into(),
            });
        }
        let meilisearch_index = parse("MEILISEARCH_INDEX", "oxcart_products")?;
        if meilisearch_index.is_empty()
            || meilisearch_index.len() > 200
            || !meilisearch_index
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(ConfigError {
                variable: "MEILISEARCH_INDEX",
                message: "must be 1 to 200 letters, digits, `_` or `-`".into(),
            });
        }

        let jwt_secret = var("JWT_SECRET");
        if jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err(ConfigError {
                variable: "JWT_SECRET",
                message: "must be at least 32 bytes long".into(),
            });
        }
        let limit = |name: &'static str, default: &str| -> Result<Limit, ConfigError> {
            Limit::parse(&parse(name, default)?).map_err(|message| ConfigError {
                variable: name,
                message,
            })
        };
        let rate_limits = Limits {
            login: limit("RATE_LIMIT_LOGIN", "10/60")?,
            register: limit("RATE_LIMIT_REGISTER", "10/3600")?,
            password_reset: limit("RATE_LIMIT_PASSWORD_RESET", "5/3600")?,
            writes: limit("RATE_LIMIT_WRITES", "300/60")?,
        };
        let https = match parse("OXCART_HTTPS", "false")?.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" => false,
            other => {
                return Err(ConfigError {
                    variable: "OXCART_HTTPS",
                    message: format!("`{other}` is not true or false"),
                });
            }
        };

        let public_url = var("PUBLIC_URL").map(|url| url.trim().trim_end_matches('/').to_owned());
        if let Some(url) = &public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError {
                variable: "PUBLIC_URL",
                message: "must be an http:// or https:// URL, e.g. https://shop.example.com".into(),
            });
        }
        let smtp_url = var("SMTP_URL");
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(ConfigError {
                variable: "SMTP_URL",
                message: "must be an smtp:// or smtps:// URL, e.g. smtp://127.0.0.1:2525".into(),
            });
        }
        let mail_from = parse("MAIL_FROM", "Oxcart <shop@localhost>")?;
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError {
                variable: "MAIL_FROM",
                message: format!("`{mail_from}` is not a mail address like `Shop <shop@example.com>`"),
            });
        }

        let mut cors_allowed_origins = Vec::new();
        for origin in parse("CORS_ALLOWED_ORIGINS", "")?
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            let origin = origin.trim_end_matches('/');
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .unwrap_or("");
            if host.is_empty() || host.contains(['/', '?', '#', ' ']) {
                return Err(ConfigError {
                    variable: "CORS_ALLOWED_ORIGINS",
                    message: format!("`{origin}` is not an origin like https://store.example.com"),
                });
            }
            cors_allowed_origins.push(origin.to_owned());
        }

        let trusted_proxies = TrustedProxies::parse(&parse("TRUSTED_PROXIES", "")?).map_err(|message| ConfigError {
            variable: "TRUSTED_PROXIES",
            message,
        })?;

        Ok(Self {
            http: HttpSettings {
                host: typed("OXCART_HOST", parse("OXCART_HOST", "127.0.0.1")?, "an IP address")?,
                port: typed("OXCART_PORT", parse("OXCART_PORT", "3000")?, "a port number (0-65535)")?,
                max_body_bytes: typed(
                    "MAX_BODY_BYTES",
                    parse("MAX_BODY_BYTES", "1048576")?,
                    "a number of bytes",
                )?,
                shutdown_timeout: seconds("SHUTDOWN_TIMEOUT_SECS", "30")?,
                https,
                trusted_proxies,
                public_url,
                cors_allowed_origins,
                site_root: PathBuf::from(parse("SITE_ROOT", "target/site")?),
                api_docs_assets_dir: PathBuf::from(parse("API_DOCS_ASSETS_DIR", "node_modules/swagger-ui-dist")?),
            },
            database: DatabaseSettings {
                url: Secret::new(database_url),
                max_connections,
                connect_timeout: seconds("DATABASE_CONNECT_TIMEOUT_SECS", "5")?,
                acquire_timeout: seconds("DATABASE_ACQUIRE_TIMEOUT_SECS", "5")?,
            },
            cache: CacheSettings {
                redis_url: redis_url.map(Secret::new),
                namespace: parse("CACHE_NAMESPACE", "oxcart:")?,
                max_entries: typed(
                    "CACHE_MAX_ENTRIES",
                    parse("CACHE_MAX_ENTRIES", "10000")?,
                    "a whole number",
                )?,
            },
            auth: AuthSettings {
                jwt_secret: jwt_secret.map(Secret::new),
                access_token_ttl: seconds("ACCESS_TOKEN_TTL_SECS", "900")?,
                refresh_token_ttl: seconds("REFRESH_TOKEN_TTL_SECS", "604800")?,
                session_ttl: seconds("SESSION_TTL_SECS", "1209600")?,
                rate_limits,
            },
            mail: MailSettings {
                smtp_url: smtp_url.map(Secret::new),
                from: mail_from,
                outbox_dir: PathBuf::from(parse("MAIL_OUTBOX_DIR", "target/outbox")?),
            },
            media: MediaSettings {
                dir: PathBuf::from(parse("MEDIA_DIR", "target/media")?),
                s3: match var("S3_BUCKET") {
                    None => None,
                    Some(bucket) => Some(S3Settings {
                        bucket,
                        region: parse("S3_REGION", "us-east-1")?,
                        endpoint: var("S3_ENDPOINT").map(|e| e.trim_end_matches('/').to_owned()),
                        access_key_id: var("S3_ACCESS_KEY_ID"),
                        secret_access_key: var("S3_SECRET_ACCESS_KEY").map(Secret::new),
                    }),
                },
                max_upload_bytes: typed(
                    "MAX_UPLOAD_BYTES",
                    parse("MAX_UPLOAD_BYTES", "10485760")?,
                    "a number of bytes",
                )?,
            },
            jobs: JobSettings {
                workers: typed("JOB_WORKERS", parse("JOB_WORKERS", "2")?, "a whole number")?,
                unpaid_order_timeout: seconds("UNPAID_ORDER_TIMEOUT_SECS", "259200")?,
                scheduler_tick: seconds("SCHEDULER_TICK_SECS", "10")?,
            },
            search: SearchSettings {
                meilisearch_url: meilisearch_url.map(|u| u.trim_end_matches('/').to_owned()),
                meilisearch_key: var("MEILISEARCH_API_KEY").map(Secret::new),
                meilisearch_index: meilisearch_index.clone(),
                meilisearch_timeout: Duration::from_millis(typed(
                    "MEILISEARCH_TIMEOUT_MS",
                    parse("MEILISEARCH_TIMEOUT_MS", "1000")?,
                    "a whole number of milliseconds",
                )?),
                postings_budget: typed::<u64>(
                    "SEARCH_POSTINGS_MB",
                    parse("SEARCH_POSTINGS_MB", "128")?,
                    "a whole number of megabytes",
                )?
                .saturating_mul(1 << 20),
            },
            shop: ShopSettings {
                name: parse("SHOP_NAME", "Oxcart")?,
                currency: store_currency,
            },
            log: LogSettings {
                format: log_format,
                filter: parse("RUST_LOG", "info,sqlx=warn")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_follow_the_design() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.http.port, 3000);
        assert_eq!(s.database.url.expose(), "postgres://postgres@127.0.0.1:5432/oxcart");
        assert!(s.cache.redis_url.is_none());
        assert_eq!(s.shop.currency.as_str(), "USD");
        assert_eq!(s.log.format, LogFormat::Pretty);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let err = settings(&[("OXCART_PORT", "eighty")]).unwrap_err();
        assert_eq!(err.variable, "OXCART_PORT");
        assert_eq!(
            err.to_string(),
            "configuration error: OXCART_PORT `eighty` is not a port number (0-65535)"
        );
        assert_eq!(
            settings(&[("DATABASE_URL", "mysql://x")]).unwrap_err().variable,
            "DATABASE_URL"
        );
        assert_eq!(
            settings(&[("STORE_CURRENCY", "dollars")]).unwrap_err().variable,
            "STORE_CURRENCY"
        );
        assert_eq!(settings(&[("LOG_FORMAT", "xml")]).unwrap_err().variable, "LOG_FORMAT");
        assert_eq!(
            settings(&[("SMTP_URL", "mail.example.com")]).unwrap_err().variable,
            "SMTP_URL"
        );
        assert_eq!(settings(&[("MAIL_FROM", "nobody")]).unwrap_err().variable, "MAIL_FROM");
        assert_eq!(
            settings(&[("PUBLIC_URL", "shop.example.com")]).unwrap_err().variable,
            "PUBLIC_URL"
        );
        assert_eq!(
            settings(&[("CORS_ALLOWED_ORIGINS", "https://a.example, store.example")])
                .unwrap_err()
                .variable,
            "CORS_ALLOWED_ORIGINS"
        );
        assert_eq!(
            settings(&[("CORS_ALLOWED_ORIGINS", " https://a.example/ ,http://localhost:5173")])
                .unwrap()
                .http
                .cors_allowed_origins,
            ["https://a.example", "http://localhost:5173"]
        );
        assert_eq!(settings(&[("JOB_WORKERS", "-1")]).unwrap_err().variable, "JOB_WORKERS");
        assert_eq!(
            settings(&[("TRUSTED_PROXIES", "10.0.0.0/8, proxy")])
                .unwrap_err()
                .variable,
            "TRUSTED_PROXIES"
        );
        assert!(settings(&[]).unwrap().http.trusted_proxies.is_empty());
        assert_eq!(
            settings(&[("REDIS_URL", "localhost")]).unwrap_err().variable,
            "REDIS_URL"
        );
        assert_eq!(
            settings(&[("DATABASE_MAX_CONNECTIONS", "0")]).unwrap_err().variable,
            "DATABASE_MAX_CONNECTIONS"
        );
    }

    #[test]
    fn debug_never_prints_secrets() {
        let s = settings(&[
            ("DATABASE_URL", "postgres://shop:hunter2@db/oxcart"),
            ("REDIS_URL", "redis://:s3cret@cache:6379"),
            ("JWT_SECRET", "jwt-secret-jwt-secret-jwt-secret-42"),
            ("SMTP_URL", "smtp://mailer:pa55word@mail:587"),
        ])
        .unwrap();
        let printed = format!("{s:?}");
        assert!(
            !printed.contains("hunter2")
                && !printed.contains("s3cret")
                && !printed.contains("pa55word")
                && !printed.contains("jwt-secret"),
            "{printed}"
        );
        assert!(printed.contains("[redacted]"));
        // The secrets were read, only not printed.
        assert_eq!(
            s.auth.jwt_secret.as_ref().map(|j| j.expose().as_str()),
            Some("jwt-secret-jwt-secret-jwt-secret-42")
        );
    }
}
