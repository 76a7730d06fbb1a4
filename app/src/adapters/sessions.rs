//! The store behind browser sessions (tower-sessions): Redis when configured, so every server
//! process sees the same sessions, PostgreSQL otherwise. Both keep a session until its expiry:
//! Redis by a TTL on the key, PostgreSQL by ignoring expired rows and deleting them periodically.
//! [`signed_in`] reads who a session belongs to, for the few plain routes (uploads, downloads)
//! that pages use beside server functions.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use super::cache::Cache;
use crate::repositories::sessions as repo;

#[derive(Clone)]
pub enum SessionBackend {
    /// In the cache, which must be Redis (an in-process cache may evict sessions).
    Redis(Cache),
    Postgres(PgPool),
}

impl fmt::Debug for SessionBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind())
    }
}

fn key(id: &Id) -> String {
    format!("session:{id}")
}

fn backend(err: impl fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn expires_at(record: &Record) -> DateTime<Utc> {
    DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0).unwrap_or_else(Utc::now)
}

impl SessionBackend {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Redis(_) => "redis",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Deletes expired sessions (PostgreSQL only; Redis expires keys itself); returns how many.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        match self {
            Self::Redis(_) => Ok(0),
            Self::Postgres(pool) => repo::delete_expired_sessions(pool).await,
        }
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; should one exist already, draw another.
        while self.load(&record.id).await?.is_some() {
            record.id = Id::default();
        }
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let encode = |err: serde_json::Error| session_store::Error::Encode(err.to_string());
        match self {
            Self::Redis(cache) => {
                let ttl = (expires_at(record) - Utc::now())
                    .to_std()
                    .unwrap_or(Duration::from_secs(1));
                let bytes = serde_json::to_vec(record).map_err(encode)?;
                cache.set(&key(&record.id), &bytes, ttl).await.map_err(backend)
            }
            Self::Postgres(pool) => {
                // The id is the key and the expiry a column; only the data is JSON.
                let data = serde_json::to_value(&record.data).map_err(encode)?;
                repo::save_session(pool, &record.id.to_string(), &data, expires_at(record))
                    .await
                    .map_err(backend)
            }
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let decode = |err: serde_json::Error| session_store::Error::Decode(err.to_string());
        match self {
            Self::Redis(cache) => match cache.get(&key(id)).await.map_err(backend)? {
                Some(bytes) => Ok(Some(serde_json::from_slice(&bytes).map_err(decode)?)),
                None => Ok(None),
            },
            Self::Postgres(pool) => {
                let Some(row) = repo::find_session(pool, &id.to_string()).await.map_err(backend)? else {
                    return Ok(None);
                };
                let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
                    .map_err(|err| session_store::Error::Decode(err.to_string()))?;
                Ok(Some(Record {
                    id: *id,
                    data: serde_json::from_value(row.data).map_err(decode)?,
                    expiry_date,
                }))
            }
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Redis(cache) => cache.delete(&key(id)).await.map_err(backend),
            Self::Postgres(pool) => repo::delete_session(pool, &id.to_string()).await.map_err(backend),
        }
    }
}

/// The session key holding the signed-in user's grant.
pub const SIGNED_IN: &str = "signed_in";

/// The session's signed-in user, if any (an account deactivated, or whose password changed,
/// since counts as signed out).
pub async fn signed_in(
    state: &crate::state::AppState,
    session: &tower_sessions::Session,
) -> Result<Option<crate::services::identity::Actor>, crate::error::AppError> {
    use crate::error::{AppError, ErrorCode};
    use crate::services::identity::{self, SessionGrant};
    let grant = session.get::<SessionGrant>(SIGNED_IN).await.map_err(|err| {
        tracing::error!(event = "session_failed", error = %err, "session store failed");
        AppError::from_code(ErrorCode::ServiceUnavailable)
    })?;
    match grant {
        Some(grant) => identity::authenticate_session(state, grant).await.map_err(Into::into),
        None => Ok(None),
    }
}
