//! SQL for carts and their items. A cart is an account's (`user_id`) or a guest's (the SHA-256 of
//! the guest's token); its lines are read joined with the current catalogue, so prices and stock
//! are always today's.

use rust_decimal::Decimal;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A cart row.
#[derive(Clone, Debug)]
pub struct CartRow {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub discount_code_id: Option<Uuid>,
    pub shipping_method_id: Option<Uuid>,
    pub country: Option<String>,
}

/// Whose cart: an account's or a guest token's.
#[derive(Clone, Copy, Debug)]
pub enum Owner<'a> {
    User(Uuid),
    Guest(&'a [u8]),
}

pub async fn find_cart(db: impl PgExecutor<'_>, owner: Owner<'_>) -> sqlx::Result<Option<CartRow>> {
    let (user, token) = match owner {
        Owner::User(id) => (Some(id), None),
        Owner::Guest(hash) => (None, Some(hash)),
    };
    sqlx::query_as!(
        CartRow,
        "SELECT id, user_id, discount_code_id, shipping_method_id, country FROM carts
         WHERE ($1::uuid IS NOT NULL AND user_id = $1) OR ($2::bytea IS NOT NULL AND token_hash = $2)",
        user,
        token
    )
    .fetch_optional(db)
    .await
}

/// The owner's cart, made if it has none (two requests making it at once get the same one).
pub async fn find_or_create_cart(db: &mut PgConnection, owner: Owner<'_>) -> sqlx::Result<CartRow> {
    let (user, token) = match owner {
        Owner::User(id) => (Some(id), None),
        Owner::Guest(hash) => (None, Some(hash)),
    };
    sqlx::query!(
        "INSERT INTO carts (user_id, token_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        user,
        token
    )
    .execute(&mut *db)
    .await?;
    find_cart(db, owner).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Locks the cart for the rest of the transaction (changes to one cart happen one at a time).
pub async fn lock_cart(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<CartRow>> {
    sqlx::query_as!(
        CartRow,
        "SELECT id, user_id, discount_code_id, shipping_method_id, country FROM carts WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(db)
    .await
}

pub async fn delete_cart(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM carts WHERE id = $1", id).execute(db).await?;
    Ok(())
}

/// Empties the cart after checkout: its lines, its code and its choices go.
pub async fn clear_cart(db: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM cart_items WHERE cart_id = $1", id)
        .execute(&mut *db)
        .await?;
    sqlx::query!(
        "UPDATE carts SET discount_code_id = NULL, shipping_method_id = NULL, country = NULL WHERE id = $1",
        id
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn set_discount_code(db: impl PgExecutor<'_>, id: Uuid, code: Option<Uuid>) -> sqlx::Result<()> {
    sqlx::query!("UPDATE carts SET discount_code_id = $2 WHERE id = $1", id, code)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_choices(
    db: impl PgExecutor<'_>,
    id: Uuid,
    shipping_method: Option<Uuid>,
    country: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE carts SET shipping_method_id = $2, country = $3 WHERE id = $1",
        id,
        shipping_method,
        country
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A cart line with its variant and product as they are now.
#[derive(Clone, Debug)]
pub struct CartLineRow {
    pub id: Uuid,
    pub variant_id: Uuid,
    pub product_id: Uuid,
    pub product_name: String,
    pub product_slug: String,
    pub variant_name: String,
    pub sku: String,
    pub options: serde_json::Value,
    pub quantity: i32,
    pub added_price: Decimal,
    pub price: Decimal,
    pub stock: i32,
    /// The variant is switched on and its product is active.
    pub purchasable: bool,
}

/// The cart's lines in the order they were added.
pub async fn list_lines(db: impl PgExecutor<'_>, cart: Uuid) -> sqlx::Result<Vec<CartLineRow>> {
    sqlx::query_as!(
        CartLineRow,
        r#"SELECT i.id, i.variant_id, p.id AS product_id, p.name AS product_name, p.slug AS product_slug,
                  v.name AS variant_name, v.sku, v.options, i.quantity, i.added_price, v.price, v.stock,
                  (v.active AND p.status = 'active') AS "purchasable!"
           FROM cart_items i
           JOIN product_variants v ON v.id = i.variant_id
           JOIN products p ON p.id = v.product_id
           WHERE i.cart_id = $1
           ORDER BY i.created_at, i.id"#,
        cart
    )
    .fetch_all(db)
    .await
}

/// What the cart needs to know of a variant about to be added.
#[derive(Clone, Debug)]
pub struct VariantOffer {
    pub price: Decimal,
    pub stock: i32,
    pub purchasable: bool,
}

pub async fn find_variant_offer(db: impl PgExecutor<'_>, variant: Uuid) -> sqlx::Result<Option<VariantOffer>> {
    sqlx::query_as!(
        VariantOffer,
        r#"SELECT v.price, v.stock, (v.active AND p.status = 'active') AS "purchasable!"
           FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1"#,
        variant
    )
    .fetch_optional(db)
    .await
}

/// A line's id and quantity.
#[derive(Clone, Copy, Debug)]
pub struct LineQuantity {
    pub id: Uuid,
    pub quantity: i32,
}

pub async fn find_line_for_variant(
    db: impl PgExecutor<'_>,
    cart: Uuid,
    variant: Uuid,
) -> sqlx::Result<Option<LineQuantity>> {
    sqlx::query_as!(
        LineQuantity,
        "SELECT id, quantity FROM cart_items WHERE cart_id = $1 AND variant_id = $2",
        cart,
        variant
    )
    .fetch_optional(db)
    .await
}

pub async fn find_line(db: impl PgExecutor<'_>, cart: Uuid, id: Uuid) -> sqlx::Result<Option<(Uuid, i32)>> {
    let row = sqlx::query!(
        "SELECT variant_id, quantity FROM cart_items WHERE cart_id = $1 AND id = $2",
        cart,
        id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.variant_id, r.quantity)))
}

/// Puts `quantity` units of the variant in the cart at `price` (replacing the line's quantity
/// if it has one); returns the line's id.
pub async fn put_line(
    db: impl PgExecutor<'_>,
    cart: Uuid,
    variant: Uuid,
    quantity: i32,
    price: Decimal,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO cart_items (cart_id, variant_id, quantity, added_price) VALUES ($1, $2, $3, $4)
         ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity, added_price = EXCLUDED.added_price
         RETURNING id",
        cart,
        variant,
        quantity,
        price
    )
    .fetch_one(db)
    .await
}

pub async fn delete_line(db: impl PgExecutor<'_>, cart: Uuid, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!("DELETE FROM cart_items WHERE cart_id = $1 AND id = $2", cart, id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes guests' carts nobody touched for `days` days; returns how many.
pub async fn delete_abandoned_guest_carts(db: impl PgExecutor<'_>, days: i32) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "DELETE FROM carts c WHERE c.token_hash IS NOT NULL
           AND greatest(c.updated_at, (SELECT max(i.updated_at) FROM cart_items i WHERE i.cart_id = c.id))
               < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
