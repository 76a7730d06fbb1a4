//! SQL for browser sessions stored in PostgreSQL (when no Redis is configured).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// Inserts or replaces a session.
pub async fn save_session(
    db: impl PgExecutor<'_>,
    id: &str,
    data: &serde_json::Value,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
        id,
        data,
        expires_at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A stored session.
pub struct SessionRow {
    pub data: serde_json::Value,
    pub expires_at: DateTime<Utc>,
}

/// The session's data and expiry, unless it is missing or expired.
pub async fn find_session(db: impl PgExecutor<'_>, id: &str) -> sqlx::Result<Option<SessionRow>> {
    sqlx::query_as!(
        SessionRow,
        "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > now()",
        id
    )
    .fetch_optional(db)
    .await
}

pub async fn delete_session(db: impl PgExecutor<'_>, id: &str) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM sessions WHERE id = $1", id)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes expired sessions; returns how many.
pub async fn delete_expired_sessions(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    Ok(sqlx::query!("DELETE FROM sessions WHERE expires_at <= now()")
        .execute(db)
        .await?
        .rows_affected())
}
