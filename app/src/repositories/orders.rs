//! SQL for orders, their lines and status history, and the stock checkout takes and a
//! cancellation returns.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::orders::OrderStatus;

/// A variant as checkout finds it once it holds the variant's lock.
#[derive(Clone, Debug)]
pub struct LockedVariant {
    pub id: Uuid,
    pub stock: i32,
    pub purchasable: bool,
}

/// Locks the variants in id order (so two checkouts never wait on each other in a circle) and
/// reads their stock; the locks hold until the transaction ends.
pub async fn lock_variants(db: impl PgExecutor<'_>, ids: &[Uuid]) -> sqlx::Result<Vec<LockedVariant>> {
    sqlx::query_as!(
        LockedVariant,
        r#"SELECT v.id, v.stock, (v.active AND p.status = 'active') AS "purchasable!"
           FROM product_variants v JOIN products p ON p.id = v.product_id
           WHERE v.id = ANY($1) ORDER BY v.id FOR UPDATE OF v"#,
        ids
    )
    .fetch_all(db)
    .await
}

/// Takes `quantities[i]` units of `ids[i]`, each only if that many are there; returns how many
/// variants were taken from (all of them, or the caller rolls back).
pub async fn take_stock(db: impl PgExecutor<'_>, ids: &[Uuid], quantities: &[i32]) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE product_variants v SET stock = v.stock - l.quantity
         FROM unnest($1::uuid[], $2::int[]) AS l(id, quantity)
         WHERE v.id = l.id AND v.stock >= l.quantity",
        ids,
        quantities
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Puts an order's units back in stock (variants since deleted are skipped).
pub async fn return_stock(db: impl PgExecutor<'_>, order: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE product_variants v SET stock = v.stock + i.quantity
         FROM order_items i WHERE i.order_id = $1 AND i.variant_id = v.id",
        order
    )
    .execute(db)
    .await?;
    Ok(())
}

/// An order to insert, its figures already computed.
pub struct NewOrder<'a> {
    pub user_id: Option<Uuid>,
    pub email: &'a str,
    pub currency: &'a str,
    pub subtotal: Decimal,
    pub discount: Decimal,
    pub shipping: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub tax_rate: Decimal,
    pub discount_code_id: Option<Uuid>,
    pub discount_code: Option<&'a str>,
    pub shipping_method_id: Uuid,
    pub shipping_method_name: &'a str,
    pub shipping_address: serde_json::Value,
    pub billing_address: serde_json::Value,
    pub payment_provider: &'a str,
    pub access_key_hash: &'a [u8],
}

pub async fn insert_order(db: impl PgExecutor<'_>, o: &NewOrder<'_>) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO orders (user_id, email, currency, subtotal, discount, shipping, tax, total, tax_rate,
                             discount_code_id, discount_code, shipping_method_id, shipping_method_name,
                             shipping_address, billing_address, payment_provider, access_key_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         RETURNING id",
        o.user_id,
        o.email,
        o.currency,
        o.subtotal,
        o.discount,
        o.shipping,
        o.tax,
        o.total,
        o.tax_rate,
        o.discount_code_id,
        o.discount_code,
        o.shipping_method_id,
        o.shipping_method_name,
        o.shipping_address,
        o.billing_address,
        o.payment_provider,
        o.access_key_hash
    )
    .fetch_one(db)
    .await
}

/// An order line as stored: the snapshot of what was bought.
#[derive(Clone, Debug)]
pub struct OrderItemRow {
    pub variant_id: Uuid,
    pub product_id: Uuid,
    pub product_name: String,
    pub variant_name: String,
    pub sku: String,
    pub options: serde_json::Value,
    pub unit_price: Decimal,
    pub quantity: i32,
    pub amount: Decimal,
    pub discount: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

pub async fn insert_items(db: impl PgExecutor<'_>, order: Uuid, items: &[OrderItemRow]) -> sqlx::Result<()> {
    let column = |f: fn(&OrderItemRow) -> Decimal| items.iter().map(f).collect::<Vec<_>>();
    sqlx::query!(
        "INSERT INTO order_items (order_id, position, variant_id, product_id, product_name, variant_name, sku, options,
                                  unit_price, quantity, amount, discount, tax, total)
         SELECT $1, l.position, l.variant_id, l.product_id, l.product_name, l.variant_name, l.sku, l.options,
                l.unit_price, l.quantity, l.amount, l.discount, l.tax, l.total
         FROM unnest($2::int[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::jsonb[],
                     $9::numeric[], $10::int[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[])
              AS l(position, variant_id, product_id, product_name, variant_name, sku, options,
                   unit_price, quantity, amount, discount, tax, total)",
        order,
        &(1..=items.len() as i32).collect::<Vec<_>>(),
        &items.iter().map(|i| i.variant_id).collect::<Vec<_>>(),
        &items.iter().map(|i| i.product_id).collect::<Vec<_>>(),
        &items.iter().map(|i| i.product_name.clone()).collect::<Vec<_>>(),
        &items.iter().map(|i| i.variant_name.clone()).collect::<Vec<_>>(),
        &items.iter().map(|i| i.sku.clone()).collect::<Vec<_>>(),
        &items.iter().map(|i| i.options.clone()).collect::<Vec<_>>(),
        &column(|i| i.unit_price),
        &items.iter().map(|i| i.quantity).collect::<Vec<_>>(),
        &column(|i| i.amount),
        &column(|i| i.discount),
        &column(|i| i.tax),
        &column(|i| i.total),
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Records a change of status (`from` absent for the order's creation).
pub async fn insert_transition(
    db: impl PgExecutor<'_>,
    order: Uuid,
    from: Option<OrderStatus>,
    to: OrderStatus,
    actor: Option<Uuid>,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO order_transitions (order_id, from_status, to_status, actor_id, note) VALUES ($1, $2, $3, $4, $5)",
        order,
        from as Option<OrderStatus>,
        to as OrderStatus,
        actor,
        note
    )
    .execute(db)
    .await?;
    Ok(())
}

/// An order row.
#[derive(Clone, Debug)]
pub struct OrderRow {
    pub id: Uuid,
    pub number: String,
    pub user_id: Option<Uuid>,
    pub email: String,
    pub status: OrderStatus,
    pub currency: String,
    pub subtotal: Decimal,
    pub discount: Decimal,
    pub shipping: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub tax_rate: Decimal,
    pub discount_code_id: Option<Uuid>,
    pub discount_code: Option<String>,
    pub shipping_method_name: String,
    pub shipping_address: serde_json::Value,
    pub billing_address: serde_json::Value,
    pub payment_provider: String,
    pub tracking_number: Option<String>,
    pub refunded: Option<Decimal>,
    pub access_key_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

pub async fn find_order(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as!(
        OrderRow,
        r#"SELECT id, number, user_id, email, status AS "status: OrderStatus", currency, subtotal, discount, shipping,
                  tax, total, tax_rate, discount_code_id, discount_code, shipping_method_name, shipping_address,
                  billing_address, payment_provider, tracking_number, refunded, access_key_hash, created_at,
                  updated_at, version
           FROM orders WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// Reads and locks the order for the rest of the transaction.
pub async fn lock_order(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as!(
        OrderRow,
        r#"SELECT id, number, user_id, email, status AS "status: OrderStatus", currency, subtotal, discount, shipping,
                  tax, total, tax_rate, discount_code_id, discount_code, shipping_method_name, shipping_address,
                  billing_address, payment_provider, tracking_number, refunded, access_key_hash, created_at,
                  updated_at, version
           FROM orders WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(db)
    .await
}

pub async fn list_items(db: impl PgExecutor<'_>, order: Uuid) -> sqlx::Result<Vec<OrderItemRow>> {
    sqlx::query_as!(
        OrderItemRow,
        "SELECT variant_id, product_id, product_name, variant_name, sku, options, unit_price, quantity, amount,
                discount, tax, total
         FROM order_items WHERE order_id = $1 ORDER BY position",
        order
    )
    .fetch_all(db)
    .await
}

/// A status change as stored.
#[derive(Clone, Debug)]
pub struct TransitionRow {
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub actor_id: Option<Uuid>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

pub async fn list_transitions(db: impl PgExecutor<'_>, order: Uuid) -> sqlx::Result<Vec<TransitionRow>> {
    sqlx::query_as!(
        TransitionRow,
        r#"SELECT from_status AS "from_status: OrderStatus", to_status AS "to_status: OrderStatus", actor_id, note,
                  created_at
           FROM order_transitions WHERE order_id = $1 ORDER BY created_at, id"#,
        order
    )
    .fetch_all(db)
    .await
}

/// Moves the order to `status`; `None` when its version is no longer `version` (when given).
pub async fn set_status(
    db: impl PgExecutor<'_>,
    id: Uuid,
    version: Option<i32>,
    status: OrderStatus,
    tracking_number: Option<&str>,
    refunded: Option<Decimal>,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "UPDATE orders SET status = $3, tracking_number = coalesce($4, tracking_number), refunded = coalesce($5, refunded)
         WHERE id = $1 AND ($2::int IS NULL OR version = $2)
         RETURNING version",
        id,
        version,
        status as OrderStatus,
        tracking_number,
        refunded
    )
    .fetch_optional(db)
    .await
}

/// Which orders a list shows: one customer's, or all, narrowed by the filters.
#[derive(Clone, Debug, Default)]
pub struct OrderFilter<'a> {
    pub user: Option<Uuid>,
    pub status: Option<OrderStatus>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub email: Option<&'a str>,
}

/// An order in a list.
#[derive(Clone, Debug)]
pub struct OrderListRow {
    pub id: Uuid,
    pub number: String,
    pub status: OrderStatus,
    pub email: String,
    pub item_count: i64,
    pub total: Decimal,
    pub created_at: DateTime<Utc>,
}

/// Orders newest first.
pub async fn list_orders(
    db: impl PgExecutor<'_>,
    f: &OrderFilter<'_>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<OrderListRow>> {
    sqlx::query_as!(
        OrderListRow,
        r#"SELECT o.id, o.number, o.status AS "status: OrderStatus", o.email,
                  (SELECT coalesce(sum(i.quantity), 0) FROM order_items i WHERE i.order_id = o.id) AS "item_count!",
                  o.total, o.created_at
           FROM orders o
           WHERE ($1::uuid IS NULL OR o.user_id = $1)
             AND ($2::order_status IS NULL OR o.status = $2)
             AND ($3::timestamptz IS NULL OR o.created_at >= $3)
             AND ($4::timestamptz IS NULL OR o.created_at < $4)
             AND ($5::text IS NULL OR strpos(lower(o.email), lower($5)) > 0)
           ORDER BY o.created_at DESC, o.id DESC
           LIMIT $6 OFFSET $7"#,
        f.user,
        f.status as Option<OrderStatus>,
        f.from,
        f.to,
        f.email,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count_orders(db: impl PgExecutor<'_>, f: &OrderFilter<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM orders o
           WHERE ($1::uuid IS NULL OR o.user_id = $1)
             AND ($2::order_status IS NULL OR o.status = $2)
             AND ($3::timestamptz IS NULL OR o.created_at >= $3)
             AND ($4::timestamptz IS NULL OR o.created_at < $4)
             AND ($5::text IS NULL OR strpos(lower(o.email), lower($5)) > 0)"#,
        f.user,
        f.status as Option<OrderStatus>,
        f.from,
        f.to,
        f.email
    )
    .fetch_one(db)
    .await
}

/// Orders still awaiting payment that were placed before `cutoff`, oldest first.
pub async fn list_unpaid_before(db: impl PgExecutor<'_>, cutoff: DateTime<Utc>, limit: i64) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM orders WHERE status = 'pending_payment' AND created_at < $1 ORDER BY created_at LIMIT $2",
        cutoff,
        limit
    )
    .fetch_all(db)
    .await
}
