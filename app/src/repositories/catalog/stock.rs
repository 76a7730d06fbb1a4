//! SQL for stock adjustments: moving a variant's stock and recording why, and reading a
//! product's stock history back, newest first.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::ProductId;
use crate::domain::catalog::stock::{StockAdjustmentView, StockReason};

/// Adds `delta` to the variant's stock; the stock after, or `None` when it would leave 0 to
/// 1 000 000 000 (`MAX_STOCK`).
pub async fn add_stock(db: impl PgExecutor<'_>, variant: Uuid, delta: i32) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "UPDATE product_variants SET stock = stock + $2
         WHERE id = $1 AND stock::bigint + $2::int BETWEEN 0 AND 1000000000 RETURNING stock",
        variant,
        delta
    )
    .fetch_optional(db)
    .await
}

/// A change of stock to record.
pub struct NewAdjustment<'a> {
    pub variant: Uuid,
    pub delta: i32,
    pub stock_after: i32,
    pub reason: StockReason,
    pub note: &'a str,
    pub actor: Option<Uuid>,
}

pub async fn create_adjustment(db: impl PgExecutor<'_>, new: &NewAdjustment<'_>) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO stock_adjustments (variant_id, delta, stock_after, reason, note, actor_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        new.variant,
        new.delta,
        new.stock_after,
        new.reason as StockReason,
        new.note,
        new.actor
    )
    .fetch_one(db)
    .await
}

/// The product's adjustments, newest first, one page; and how many there are.
pub async fn list_adjustments(
    db: impl PgExecutor<'_> + Copy,
    product: ProductId,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<StockAdjustmentView>, i64)> {
    let items = sqlx::query_as!(
        StockAdjustmentView,
        r#"SELECT a.id, a.variant_id, v.sku, a.delta, a.stock_after, a.reason AS "reason: StockReason", a.note,
                  u.email AS "actor_email?", a.created_at
           FROM stock_adjustments a
           JOIN product_variants v ON v.id = a.variant_id
           LEFT JOIN users u ON u.id = a.actor_id
           WHERE v.product_id = $1
           ORDER BY a.created_at DESC, a.id DESC
           LIMIT $2 OFFSET $3"#,
        product.0,
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM stock_adjustments a JOIN product_variants v ON v.id = a.variant_id
           WHERE v.product_id = $1"#,
        product.0
    )
    .fetch_one(db)
    .await?;
    Ok((items, total))
}
