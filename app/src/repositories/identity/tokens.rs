//! SQL for API refresh tokens and single-use mail tokens (verification, password reset).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::identity::UserId;

/// A refresh token as stored.
#[derive(Debug)]
pub struct RefreshTokenRecord {
    pub id: Uuid,
    pub user_id: UserId,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert_refresh_token(
    db: impl PgExecutor<'_>,
    user: UserId,
    family: Uuid,
    hash: &[u8],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
        Uuid::now_v7(),
        user.0,
        family,
        hash,
        expires_at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The token with this hash, locked for the rest of the transaction.
pub async fn lock_refresh_token(db: impl PgExecutor<'_>, hash: &[u8]) -> sqlx::Result<Option<RefreshTokenRecord>> {
    sqlx::query_as!(
        RefreshTokenRecord,
        r#"SELECT id, user_id AS "user_id: UserId", family_id, expires_at, used_at, revoked_at
           FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE"#,
        hash
    )
    .fetch_optional(db)
    .await
}

pub async fn mark_refresh_token_used(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("UPDATE refresh_tokens SET used_at = now() WHERE id = $1", id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn revoke_refresh_family(db: impl PgExecutor<'_>, family: Uuid) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
        family
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

pub async fn revoke_user_refresh_tokens(db: impl PgExecutor<'_>, user: UserId) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user.0
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// What a single-use token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "user_token_purpose", rename_all = "snake_case")]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
}

/// A single-use token that was just spent.
#[derive(Debug)]
pub struct SpentToken {
    pub user_id: UserId,
    /// For e-mail verification: the address the token was sent to.
    pub email: Option<String>,
}

pub async fn insert_user_token(
    db: impl PgExecutor<'_>,
    user: UserId,
    purpose: TokenPurpose,
    hash: &[u8],
    email: Option<&str>,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO user_tokens (id, user_id, purpose, token_hash, email, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        Uuid::now_v7(),
        user.0,
        purpose as TokenPurpose,
        hash,
        email,
        expires_at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Spends the unexpired, unused token with this hash, in one statement so two concurrent uses
/// can't both succeed. `None` when there is no such token.
pub async fn spend_user_token(
    db: impl PgExecutor<'_>,
    purpose: TokenPurpose,
    hash: &[u8],
) -> sqlx::Result<Option<SpentToken>> {
    sqlx::query_as!(
        SpentToken,
        r#"UPDATE user_tokens SET used_at = now()
           WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
           RETURNING user_id AS "user_id: UserId", email"#,
        hash,
        purpose as TokenPurpose
    )
    .fetch_optional(db)
    .await
}

/// Spends every outstanding token of a user for a purpose (a newer one supersedes them).
pub async fn spend_user_tokens(db: impl PgExecutor<'_>, user: UserId, purpose: TokenPurpose) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        user.0,
        purpose as TokenPurpose
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Marks the address verified, if it is still the user's address.
pub async fn mark_email_verified(db: impl PgExecutor<'_>, user: UserId, email: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE users SET email_verified = true WHERE id = $1 AND email = $2",
        user.0,
        email
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The user an unexpired, unused token with this hash belongs to, without spending it (to do
/// slow work such as hashing a password before the transaction that spends it).
pub async fn find_user_token(
    db: impl PgExecutor<'_>,
    purpose: TokenPurpose,
    hash: &[u8],
) -> sqlx::Result<Option<UserId>> {
    sqlx::query_scalar!(
        r#"SELECT user_id AS "user_id: UserId" FROM user_tokens
           WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()"#,
        hash,
        purpose as TokenPurpose
    )
    .fetch_optional(db)
    .await
}
