//! SQL for users' shipping addresses. Every query is scoped to the owner.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::identity::{AddressId, AddressInput, AddressView, UserId};

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
