//! SQL for the pricing rules: tax rates by country, shipping methods and discount codes.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::pricing::discounts::{DiscountCodeFields, DiscountKind};
use crate::domain::pricing::rules::ShippingMethodFields;

/// A tax rate as stored.
#[derive(Debug)]
pub struct TaxRateRow {
    pub country: String,
    pub rate: Decimal,
    pub version: i32,
}

pub async fn list_tax_rates(db: impl PgExecutor<'_>, limit: i64, offset: i64) -> sqlx::Result<Vec<TaxRateRow>> {
    sqlx::query_as!(
        TaxRateRow,
        "SELECT country, rate, version FROM tax_rates ORDER BY country LIMIT $1 OFFSET $2",
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count_tax_rates(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM tax_rates"#)
        .fetch_one(db)
        .await
}

pub async fn find_tax_rate(db: impl PgExecutor<'_>, country: &str) -> sqlx::Result<Option<TaxRateRow>> {
    sqlx::query_as!(
        TaxRateRow,
        "SELECT country, rate, version FROM tax_rates WHERE country = $1",
        country
    )
    .fetch_optional(db)
    .await
}

/// Sets a country's rate: inserts it, or updates it when `version` (if given) is current.
/// `None` when the version is stale. The flag says whether the row is new.
pub async fn put_tax_rate(
    db: impl PgExecutor<'_>,
    country: &str,
    rate: Decimal,
    version: Option<i32>,
) -> sqlx::Result<Option<(TaxRateRow, bool)>> {
    let row = sqlx::query!(
        r#"INSERT INTO tax_rates AS t (country, rate) VALUES ($1, $2)
           ON CONFLICT (country) DO UPDATE SET rate = EXCLUDED.rate
             WHERE $3::int IS NULL OR t.version = $3
           RETURNING country, rate, version, (xmax = 0) AS "created!""#,
        country,
        rate,
        version
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        (
            TaxRateRow {
                country: r.country,
                rate: r.rate,
                version: r.version,
            },
            r.created,
        )
    }))
}

pub async fn delete_tax_rate(db: impl PgExecutor<'_>, country: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!("DELETE FROM tax_rates WHERE country = $1", country)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A shipping method as stored.
#[derive(Debug)]
pub struct ShippingMethodRow {
    pub id: Uuid,
    pub name: String,
    pub price: Decimal,
    pub free_above: Option<Decimal>,
    pub countries: Vec<String>,
    pub active: bool,
    pub version: i32,
}

impl ShippingMethodRow {
    pub fn fields(&self) -> ShippingMethodFields {
        ShippingMethodFields {
            name: self.name.clone(),
            price: self.price,
            free_above: self.free_above,
            countries: self.countries.clone(),
            active: self.active,
        }
    }
}

/// Shipping methods, by name; only active ones unless `all`; only those serving `country` when
/// given.
pub async fn list_shipping_methods(
    db: impl PgExecutor<'_>,
    all: bool,
    country: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ShippingMethodRow>> {
    sqlx::query_as!(
        ShippingMethodRow,
        "SELECT id, name, price, free_above, countries, active, version FROM shipping_methods
         WHERE ($1 OR active) AND ($2::text IS NULL OR countries @> ARRAY[$2::text])
         ORDER BY name, id LIMIT $3 OFFSET $4",
        all,
        country,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count_shipping_methods(db: impl PgExecutor<'_>, all: bool, country: Option<&str>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM shipping_methods
           WHERE ($1 OR active) AND ($2::text IS NULL OR countries @> ARRAY[$2::text])"#,
        all,
        country
    )
    .fetch_one(db)
    .await
}

pub async fn find_shipping_method(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<ShippingMethodRow>> {
    sqlx::query_as!(
        ShippingMethodRow,
        "SELECT id, name, price, free_above, countries, active, version FROM shipping_methods WHERE id = $1",
        id
    )
    .fetch_optional(db)
    .await
}

pub async fn create_shipping_method(
    db: impl PgExecutor<'_>,
    m: &ShippingMethodFields,
) -> sqlx::Result<ShippingMethodRow> {
    sqlx::query_as!(
        ShippingMethodRow,
        "INSERT INTO shipping_methods (name, price, free_above, countries, active) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, name, price, free_above, countries, active, version",
        m.name,
        m.price,
        m.free_above,
        &m.countries,
        m.active
    )
    .fetch_one(db)
    .await
}

/// Writes the fields when `version` (if given) is current; `None` otherwise.
pub async fn update_shipping_method(
    db: impl PgExecutor<'_>,
    id: Uuid,
    version: Option<i32>,
    m: &ShippingMethodFields,
) -> sqlx::Result<Option<ShippingMethodRow>> {
    sqlx::query_as!(
        ShippingMethodRow,
        "UPDATE shipping_methods SET name = $3, price = $4, free_above = $5, countries = $6, active = $7
         WHERE id = $1 AND ($2::int IS NULL OR version = $2)
         RETURNING id, name, price, free_above, countries, active, version",
        id,
        version,
        m.name,
        m.price,
        m.free_above,
        &m.countries,
        m.active
    )
    .fetch_optional(db)
    .await
}

pub async fn delete_shipping_method(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!("DELETE FROM shipping_methods WHERE id = $1", id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A discount code as stored.
#[derive(Debug)]
pub struct DiscountCodeRow {
    pub id: Uuid,
    pub code: String,
    pub kind: DiscountKind,
    pub value: Decimal,
    pub min_subtotal: Option<Decimal>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub usage_limit: Option<i32>,
    pub per_customer_limit: Option<i32>,
    pub times_used: i32,
    pub active: bool,
    pub version: i32,
}

impl DiscountCodeRow {
    pub fn fields(&self) -> DiscountCodeFields {
        DiscountCodeFields {
            code: self.code.clone(),
            kind: self.kind,
            value: self.value,
            min_subtotal: self.min_subtotal,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            usage_limit: self.usage_limit,
            per_customer_limit: self.per_customer_limit,
            active: self.active,
        }
    }
}

/// Codes, newest first; only those containing `q` when given.
pub async fn list_discount_codes(
    db: impl PgExecutor<'_>,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<DiscountCodeRow>> {
    sqlx::query_as!(
        DiscountCodeRow,
        r#"SELECT id, code, kind AS "kind: DiscountKind", value, min_subtotal, starts_at, ends_at, usage_limit,
                  per_customer_limit, times_used, active, version
           FROM discount_codes WHERE $1::text IS NULL OR strpos(code, upper($1)) > 0
           ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"#,
        q,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count_discount_codes(db: impl PgExecutor<'_>, q: Option<&str>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM discount_codes WHERE $1::text IS NULL OR strpos(code, upper($1)) > 0"#,
        q
    )
    .fetch_one(db)
    .await
}

pub async fn find_discount_code(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<DiscountCodeRow>> {
    sqlx::query_as!(
        DiscountCodeRow,
        r#"SELECT id, code, kind AS "kind: DiscountKind", value, min_subtotal, starts_at, ends_at, usage_limit,
                  per_customer_limit, times_used, active, version
           FROM discount_codes WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

pub async fn create_discount_code(db: impl PgExecutor<'_>, d: &DiscountCodeFields) -> sqlx::Result<DiscountCodeRow> {
    sqlx::query_as!(
        DiscountCodeRow,
        r#"INSERT INTO discount_codes (code, kind, value, min_subtotal, starts_at, ends_at, usage_limit,
                                       per_customer_limit, active)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           RETURNING id, code, kind AS "kind: DiscountKind", value, min_subtotal, starts_at, ends_at, usage_limit,
                     per_customer_limit, times_used, active, version"#,
        d.code,
        d.kind as DiscountKind,
        d.value,
        d.min_subtotal,
        d.starts_at,
        d.ends_at,
        d.usage_limit,
        d.per_customer_limit,
        d.active
    )
    .fetch_one(db)
    .await
}

/// Writes the fields when `version` (if given) is current; `None` otherwise.
pub async fn update_discount_code(
    db: impl PgExecutor<'_>,
    id: Uuid,
    version: Option<i32>,
    d: &DiscountCodeFields,
) -> sqlx::Result<Option<DiscountCodeRow>> {
    sqlx::query_as!(
        DiscountCodeRow,
        r#"UPDATE discount_codes SET code = $3, kind = $4, value = $5, min_subtotal = $6, starts_at = $7,
                  ends_at = $8, usage_limit = $9, per_customer_limit = $10, active = $11
           WHERE id = $1 AND ($2::int IS NULL OR version = $2)
           RETURNING id, code, kind AS "kind: DiscountKind", value, min_subtotal, starts_at, ends_at, usage_limit,
                     per_customer_limit, times_used, active, version"#,
        id,
        version,
        d.code,
        d.kind as DiscountKind,
        d.value,
        d.min_subtotal,
        d.starts_at,
        d.ends_at,
        d.usage_limit,
        d.per_customer_limit,
        d.active
    )
    .fetch_optional(db)
    .await
}

pub async fn delete_discount_code(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!("DELETE FROM discount_codes WHERE id = $1", id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The code, compared case-insensitively (codes are stored upper-cased).
pub async fn find_discount_code_by_code(db: impl PgExecutor<'_>, code: &str) -> sqlx::Result<Option<DiscountCodeRow>> {
    sqlx::query_as!(
        DiscountCodeRow,
        r#"SELECT id, code, kind AS "kind: DiscountKind", value, min_subtotal, starts_at, ends_at, usage_limit,
                  per_customer_limit, times_used, active, version
           FROM discount_codes WHERE code = upper($1)"#,
        code
    )
    .fetch_optional(db)
    .await
}

/// Takes one use of the code if one is left, returning the code as it now is; `None` when the
/// last use is gone. The row stays locked until the transaction ends, so concurrent checkouts
/// take uses one after another and can never take more than the limit.
pub async fn take_discount_use(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<DiscountCodeRow>> {
    sqlx::query_as!(
        DiscountCodeRow,
        r#"UPDATE discount_codes SET times_used = times_used + 1
           WHERE id = $1 AND (usage_limit IS NULL OR times_used < usage_limit)
           RETURNING id, code, kind AS "kind: DiscountKind", value, min_subtotal, starts_at, ends_at, usage_limit,
                     per_customer_limit, times_used, active, version"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// Gives back a use (an order that used the code was cancelled).
pub async fn return_discount_use(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE discount_codes SET times_used = times_used - 1 WHERE id = $1 AND times_used > 0",
        id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// How many orders, not cancelled, used the code for this customer: the account's orders, or a
/// guest's by e-mail address.
pub async fn count_customer_uses(
    db: impl PgExecutor<'_>,
    code: Uuid,
    user: Option<Uuid>,
    email: &str,
) -> sqlx::Result<i32> {
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM orders
           WHERE discount_code_id = $1 AND status <> 'cancelled'
             AND (user_id = $2 OR ($2::uuid IS NULL AND lower(email) = lower($3)))"#,
        code,
        user,
        email
    )
    .fetch_one(db)
    .await?;
    Ok(i32::try_from(count).unwrap_or(i32::MAX))
}
