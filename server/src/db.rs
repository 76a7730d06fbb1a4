//! The database: one pool with connect and acquire timeouts, the database created if it is
//! missing, and the embedded migrations.

use std::str::FromStr;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

use crate::config::Settings;

/// Why the database could not be reached or prepared, in words for the operator.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL is not a valid PostgreSQL URL: {0}")]
    BadUrl(sqlx::Error),
    #[error(
        "PostgreSQL is not reachable at {host}:{port} ({source}). Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) or set DATABASE_URL."
    )]
    Unreachable {
        host: String,
        port: u16,
        source: sqlx::Error,
    },
    #[error("could not create database `{name}`: {source}")]
    Create { name: String, source: sqlx::Error },
    #[error("migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

fn options(settings: &Settings) -> Result<PgConnectOptions, DbError> {
    let options = PgConnectOptions::from_str(settings.database.url.expose()).map_err(DbError::BadUrl)?;
    Ok(options
        .application_name("oxcart")
        .log_slow_statements(tracing::log::LevelFilter::Warn, std::time::Duration::from_secs(1)))
}

/// Creates the configured database when it does not exist yet. Returns whether it did.
pub async fn ensure_database(settings: &Settings) -> Result<bool, DbError> {
    let options = options(settings)?;
    let unreachable = |source| DbError::Unreachable {
        host: options.get_host().to_owned(),
        port: options.get_port(),
        source,
    };
    let connect = PgConnection::connect_with(&options);
    match tokio::time::timeout(settings.database.connect_timeout, connect).await {
        Ok(Ok(conn)) => {
            conn.close().await.ok();
            Ok(false)
        }
        Ok(Err(sqlx::Error::Database(err))) if err.code().as_deref() == Some("3D000") => {
            let name = options.get_database().unwrap_or("oxcart").to_owned();
            let mut admin = PgConnection::connect_with(&options.clone().database("postgres"))
                .await
                .map_err(unreachable)?;
            let quoted = format!("\"{}\"", name.replace('"', "\"\""));
            let created = sqlx::query(&format!("CREATE DATABASE {quoted}"))
                .execute(&mut admin)
                .await;
            admin.close().await.ok();
            match created {
                Ok(_) => Ok(true),
                // Another process created it in the meantime.
                Err(sqlx::Error::Database(err)) if err.code().as_deref() == Some("42P04") => Ok(false),
                Err(source) => Err(DbError::Create { name, source }),
            }
        }
        Ok(Err(source)) => Err(unreachable(source)),
        Err(_) => Err(unreachable(sqlx::Error::PoolTimedOut)),
    }
}

/// The pool every request shares. Connects lazily; the first use fails within the acquire timeout
/// when PostgreSQL is down instead of hanging.
pub fn pool(settings: &Settings) -> Result<PgPool, DbError> {
    Ok(PgPoolOptions::new()
        .max_connections(settings.database.max_connections)
        .acquire_timeout(settings.database.acquire_timeout)
        .connect_lazy_with(options(settings)?))
}

/// Applies pending migrations (a no-op when there are none).
pub async fn migrate(pool: &PgPool) -> Result<(), DbError> {
    let mut conn = pool.acquire().await.map_err(sqlx::migrate::MigrateError::from)?;
    migrate_connection(&mut conn).await
}

/// Applies the job queue's migrations (apalis) and ours. Both record themselves in sqlx's one
/// `_sqlx_migrations` table, so each is told to ignore the other's versions; each still refuses
/// a changed or half-applied migration of its own.
pub async fn migrate_connection(conn: &mut PgConnection) -> Result<(), DbError> {
    let mut jobs = apalis_sql::postgres::PostgresStorage::migrations();
    jobs.set_ignore_missing(true);
    jobs.run(&mut *conn).await?;
    migrator().run(&mut *conn).await?;
    Ok(())
}

/// Our migrations (`migrations/`), compiled into the binary.
pub fn migrator() -> Migrator {
    let mut migrator = sqlx::migrate!("../migrations");
    migrator.set_ignore_missing(true);
    migrator
}
