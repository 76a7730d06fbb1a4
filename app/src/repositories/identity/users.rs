//! SQL for user accounts.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use crate::domain::identity::{Role, UserId, UserView};

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
    id: UserId,
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
        id.0,
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

/// Locks the user's row for the rest of the transaction: writes that must not interleave for
/// one account (choosing its default address, say) queue behind each other here.
pub async fn lock_user(db: impl PgExecutor<'_>, id: UserId) -> sqlx::Result<bool> {
    Ok(
        sqlx::query_scalar!("SELECT id FROM users WHERE id = $1 FOR UPDATE", id.0)
            .fetch_optional(db)
            .await?
            .is_some(),
    )
}
