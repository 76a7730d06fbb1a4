//! SQL for users, refresh tokens, single-use tokens and addresses.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::identity::{AddressId, AddressInput, AddressView, Role, UserId, UserView};

/// A user row with what only the server may see.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub active: bool,
    pub email_verified: bool,
    /// Incremented by every password change; browser sessions hold the value they began under.
    pub credentials_version: i32,
    pub created_at: DateTime<Utc>,
}

impl From<UserRecord> for UserView {
    fn from(u: UserRecord) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            active: u.active,
            email_verified: u.email_verified,
            created_at: u.created_at,
        }
    }
}

pub async fn create_user(
    db: impl PgExecutor<'_>,
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: Role,
) -> sqlx::Result<UserRecord> {
    sqlx::query_as!(
        UserRecord,
        r#"INSERT INTO users (id, email, display_name, password_hash, role)
           VALUES ($1, $2, $3, $4, $5)
           RETURNING id AS "id: UserId", email, display_name, password_hash, role AS "role: Role",
                     active, email_verified, credentials_version, created_at"#,
        Uuid::now_v7(),
        email,
        display_name,
        password_hash,
        role as Role
    )
    .fetch_one(db)
    .await
}

pub async fn find_user_by_email(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<Option<UserRecord>> {
    sqlx::query_as!(
        UserRecord,
        r#"SELECT id AS "id: UserId", email, display_name, password_hash, role AS "role: Role",
                  active, email_verified, credentials_version, created_at
           FROM users WHERE lower(email) = lower($1)"#,
        email
    )
    .fetch_optional(db)
    .await
}

pub async fn find_user(db: impl PgExecutor<'_>, id: UserId) -> sqlx::Result<Option<UserRecord>> {
    sqlx::query_as!(
        UserRecord,
        r#"SELECT id AS "id: UserId", email, display_name, password_hash, role AS "role: Role",
                  active, email_verified, credentials_version, created_at
           FROM users WHERE id = $1"#,
        id.0
    )
    .fetch_optional(db)
    .await
}

/// Changes name and/or e-mail; a new e-mail is unverified.
pub async fn update_profile(
    db: impl PgExecutor<'_>,
    id: UserId,
    display_name: Option<&str>,
    email: Option<&str>,
) -> sqlx::Result<UserRecord> {
    sqlx::query_as!(
        UserRecord,
        r#"UPDATE users SET display_name = coalesce($2, display_name),
                  email = coalesce($3, email),
                  email_verified = CASE WHEN $3::text IS NOT NULL AND $3 <> email THEN false ELSE email_verified END
           WHERE id = $1
           RETURNING id AS "id: UserId", email, display_name, password_hash, role AS "role: Role",
                     active, email_verified, credentials_version, created_at"#,
        id.0,
        display_name,
        email
    )
    .fetch_one(db)
    .await
}

/// Replaces the password hash and counts the change; returns the new credentials version.
pub async fn set_password_hash(db: impl PgExecutor<'_>, id: UserId, hash: &str) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        "UPDATE users SET password_hash = $2, credentials_version = credentials_version + 1
         WHERE id = $1 RETURNING credentials_version",
        id.0,
        hash
    )
    .fetch_one(db)
    .await
}

/// Changes role and/or active flag.
pub async fn update_access(
    db: impl PgExecutor<'_>,
    id: UserId,
    role: Option<Role>,
    active: Option<bool>,
) -> sqlx::Result<Option<UserRecord>> {
    sqlx::query_as!(
        UserRecord,
        r#"UPDATE users SET role = coalesce($2, role), active = coalesce($3, active)
           WHERE id = $1
           RETURNING id AS "id: UserId", email, display_name, password_hash, role AS "role: Role",
                     active, email_verified, credentials_version, created_at"#,
        id.0,
        role as Option<Role>,
        active
    )
    .fetch_optional(db)
    .await
}

/// Users whose e-mail or name contains `search` (all when `None`), newest first.
pub async fn list_users(
    db: impl PgExecutor<'_>,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<UserRecord>> {
    sqlx::query_as!(
        UserRecord,
        r#"SELECT id AS "id: UserId", email, display_name, password_hash, role AS "role: Role",
                  active, email_verified, credentials_version, created_at
           FROM users
           WHERE $1::text IS NULL OR strpos(lower(email), lower($1)) > 0 OR strpos(lower(display_name), lower($1)) > 0
           ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"#,
        search,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count_users(db: impl PgExecutor<'_>, search: Option<&str>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM users
           WHERE $1::text IS NULL OR strpos(lower(email), lower($1)) > 0 OR strpos(lower(display_name), lower($1)) > 0"#,
        search
    )
    .fetch_one(db)
    .await
}

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

pub async fn list_addresses(
    db: impl PgExecutor<'_>,
    user: UserId,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<AddressView>> {
    sqlx::query_as!(
        AddressView,
        r#"SELECT id AS "id: AddressId", full_name, line1, line2, city, region, postal_code,
                  country AS "country!", phone, is_default, version
           FROM addresses WHERE user_id = $1
           ORDER BY is_default DESC, created_at, id LIMIT $2 OFFSET $3"#,
        user.0,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count_addresses(db: impl PgExecutor<'_>, user: UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM addresses WHERE user_id = $1"#,
        user.0
    )
    .fetch_one(db)
    .await
}

/// The user's address with this id; another user's address is `None`, as if it did not exist.
pub async fn find_address(db: impl PgExecutor<'_>, user: UserId, id: AddressId) -> sqlx::Result<Option<AddressView>> {
    sqlx::query_as!(
        AddressView,
        r#"SELECT id AS "id: AddressId", full_name, line1, line2, city, region, postal_code,
                  country AS "country!", phone, is_default, version
           FROM addresses WHERE user_id = $1 AND id = $2"#,
        user.0,
        id.0
    )
    .fetch_optional(db)
    .await
}

/// Clears the user's default flag (before another address becomes the default).
pub async fn clear_default_address(db: impl PgExecutor<'_>, user: UserId) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE addresses SET is_default = false WHERE user_id = $1 AND is_default",
        user.0
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn create_address(db: impl PgExecutor<'_>, user: UserId, a: &AddressInput) -> sqlx::Result<AddressView> {
    sqlx::query_as!(
        AddressView,
        r#"INSERT INTO addresses (id, user_id, full_name, line1, line2, city, region, postal_code, country, phone, is_default)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           RETURNING id AS "id: AddressId", full_name, line1, line2, city, region, postal_code,
                     country AS "country!", phone, is_default, version"#,
        Uuid::now_v7(),
        user.0,
        a.full_name,
        a.line1,
        a.line2,
        a.city,
        a.region,
        a.postal_code,
        a.country,
        a.phone,
        a.is_default
    )
    .fetch_one(db)
    .await
}

/// Replaces the address when `version` matches; `None` when it does not (or it is not theirs).
pub async fn update_address(
    db: impl PgExecutor<'_>,
    user: UserId,
    id: AddressId,
    version: Option<i32>,
    a: &AddressInput,
) -> sqlx::Result<Option<AddressView>> {
    sqlx::query_as!(
        AddressView,
        r#"UPDATE addresses SET full_name = $4, line1 = $5, line2 = $6, city = $7, region = $8,
                  postal_code = $9, country = $10, phone = $11, is_default = $12
           WHERE user_id = $1 AND id = $2 AND ($3::int IS NULL OR version = $3)
           RETURNING id AS "id: AddressId", full_name, line1, line2, city, region, postal_code,
                     country AS "country!", phone, is_default, version"#,
        user.0,
        id.0,
        version,
        a.full_name,
        a.line1,
        a.line2,
        a.city,
        a.region,
        a.postal_code,
        a.country,
        a.phone,
        a.is_default
    )
    .fetch_optional(db)
    .await
}

pub async fn delete_address(db: impl PgExecutor<'_>, user: UserId, id: AddressId) -> sqlx::Result<bool> {
    let done = sqlx::query!("DELETE FROM addresses WHERE user_id = $1 AND id = $2", user.0, id.0)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
