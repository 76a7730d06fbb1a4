//! SQL for reviews. The product's rating follows its approved reviews by a trigger, in the same
//! transaction as the change.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::ProductId;
use crate::domain::catalog::reviews::{ReviewFields, ReviewId, ReviewStatus, ReviewView};
use crate::domain::identity::UserId;

pub async fn create_review(
    db: impl PgExecutor<'_>,
    product: ProductId,
    author: UserId,
    fields: &ReviewFields,
) -> sqlx::Result<ReviewId> {
    sqlx::query_scalar!(
        r#"INSERT INTO reviews (id, product_id, user_id, rating, title, body)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id AS "id: ReviewId""#,
        Uuid::now_v7(),
        product.0,
        author.0,
        fields.rating,
        fields.title,
        fields.body
    )
    .fetch_one(db)
    .await
}

/// A review row with how many rows the list's filter matches in all.
pub struct ReviewRow {
    pub review: ReviewView,
    pub total: i64,
}

/// Reviews in `status`, of one product or of all, a page at a time: a product's newest first,
/// the moderation queue oldest first (first come, first served).
pub async fn list_reviews(
    db: impl PgExecutor<'_>,
    product: Option<ProductId>,
    status: ReviewStatus,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ReviewRow>> {
    let rows = sqlx::query!(
        r#"SELECT r.id AS "id: ReviewId", r.product_id AS "product_id: ProductId", p.name AS product_name,
                  u.display_name AS author, r.rating, r.title, r.body, r.status AS "status: ReviewStatus",
                  r.created_at, r.version, count(*) OVER () AS "total!"
           FROM reviews r JOIN products p ON p.id = r.product_id JOIN users u ON u.id = r.user_id
           WHERE r.status = $2 AND ($1::uuid IS NULL OR r.product_id = $1)
           ORDER BY CASE WHEN $1::uuid IS NULL THEN r.created_at END ASC,
                    r.created_at DESC, r.id
           LIMIT $3 OFFSET $4"#,
        product.map(|p| p.0),
        status as ReviewStatus,
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ReviewRow {
            review: ReviewView {
                id: r.id,
                product_id: r.product_id,
                product_name: r.product_name,
                author: r.author,
                rating: r.rating,
                title: r.title,
                body: r.body,
                status: r.status,
                created_at: r.created_at,
                version: r.version,
            },
            total: r.total,
        })
        .collect())
}

pub async fn find_review(db: impl PgExecutor<'_>, id: ReviewId) -> sqlx::Result<Option<ReviewView>> {
    sqlx::query_as!(
        ReviewView,
        r#"SELECT r.id AS "id: ReviewId", r.product_id AS "product_id: ProductId", p.name AS product_name,
                  u.display_name AS author, r.rating, r.title, r.body, r.status AS "status: ReviewStatus",
                  r.created_at, r.version
           FROM reviews r JOIN products p ON p.id = r.product_id JOIN users u ON u.id = r.user_id
           WHERE r.id = $1"#,
        id.0
    )
    .fetch_optional(db)
    .await
}

/// Sets the review's status if it is still at `version` (any version when `None`); false when
/// it is not.
pub async fn moderate_review(
    db: impl PgExecutor<'_>,
    id: ReviewId,
    version: Option<i32>,
    status: ReviewStatus,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE reviews SET status = $3 WHERE id = $1 AND ($2::integer IS NULL OR version = $2)"#,
        id.0,
        version,
        status as ReviewStatus
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The review `author` wrote of `product`, if any (a customer writes one per product).
pub async fn find_own_review(
    db: impl PgExecutor<'_>,
    product: ProductId,
    author: UserId,
) -> sqlx::Result<Option<ReviewId>> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id: ReviewId" FROM reviews WHERE product_id = $1 AND user_id = $2"#,
        product.0,
        author.0
    )
    .fetch_optional(db)
    .await
}
