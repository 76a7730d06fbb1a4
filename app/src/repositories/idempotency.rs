//! SQL for `Idempotency-Key`s: a key is claimed by inserting its row (without an answer), the
//! answer is stored when the request finishes, and rows older than the keeping time count as
//! gone.

use sqlx::PgExecutor;

/// A stored key.
#[derive(Clone, Debug)]
pub struct KeyRow {
    pub request_hash: Vec<u8>,
    /// Absent while the first request is in flight.
    pub status: Option<i32>,
    pub headers: Option<serde_json::Value>,
    pub body: Option<Vec<u8>>,
    /// Seconds since the key was claimed.
    pub age_secs: f64,
}

/// Claims the key for a request with this hash; `true` when it was free (never used, or its
/// last use is older than `keep_secs`, or its request was abandoned in flight for longer than
/// `abandoned_secs`).
pub async fn claim(
    db: impl PgExecutor<'_>,
    scope: &str,
    key: &str,
    request_hash: &[u8],
    keep_secs: f64,
    abandoned_secs: f64,
) -> sqlx::Result<bool> {
    let claimed = sqlx::query_scalar!(
        r#"INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
           ON CONFLICT (scope, key) DO UPDATE
             SET request_hash = EXCLUDED.request_hash, status = NULL, headers = NULL, body = NULL, created_at = now()
             WHERE idempotency_keys.created_at < now() - make_interval(secs => $4)
                OR (idempotency_keys.status IS NULL
                    AND idempotency_keys.created_at < now() - make_interval(secs => $5))
           RETURNING true AS "claimed!""#,
        scope,
        key,
        request_hash,
        keep_secs,
        abandoned_secs
    )
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}

pub async fn find(db: impl PgExecutor<'_>, scope: &str, key: &str) -> sqlx::Result<Option<KeyRow>> {
    sqlx::query_as!(
        KeyRow,
        r#"SELECT request_hash, status, headers, body,
                  extract(epoch FROM now() - created_at)::float8 AS "age_secs!"
           FROM idempotency_keys WHERE scope = $1 AND key = $2"#,
        scope,
        key
    )
    .fetch_optional(db)
    .await
}

/// Stores the answer to replay.
pub async fn store(
    db: impl PgExecutor<'_>,
    scope: &str,
    key: &str,
    status: i32,
    headers: &serde_json::Value,
    body: &[u8],
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 WHERE scope = $1 AND key = $2",
        scope,
        key,
        status,
        headers,
        body
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Frees the key (the request failed in a way worth retrying).
pub async fn release(db: impl PgExecutor<'_>, scope: &str, key: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL",
        scope,
        key
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes keys older than `keep_secs`; returns how many.
pub async fn delete_expired(db: impl PgExecutor<'_>, keep_secs: f64) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)",
        keep_secs
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
