//! SQL that writes many catalogue rows in one statement (`unnest` over arrays): the demo
//! catalogue, thousands of products in seconds.

use rust_decimal::Decimal;
use sqlx::PgExecutor;
use uuid::Uuid;

/// Products to insert, column by column.
#[derive(Default)]
pub struct ProductColumns {
    pub id: Vec<Uuid>,
    pub category_id: Vec<Uuid>,
    pub name: Vec<String>,
    pub slug: Vec<String>,
    pub description: Vec<String>,
    /// `draft`, `active` or `archived`.
    pub status: Vec<String>,
    pub featured: Vec<bool>,
}

pub async fn insert_products(db: impl PgExecutor<'_>, rows: &ProductColumns) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"INSERT INTO products (id, category_id, name, slug, description, status, featured)
           SELECT id, category_id, name, slug, description, status::product_status, featured
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[])
             AS t (id, category_id, name, slug, description, status, featured)"#,
        &rows.id,
        &rows.category_id,
        &rows.name,
        &rows.slug,
        &rows.description,
        &rows.status,
        &rows.featured
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Variants to insert, column by column; every price in `currency`.
#[derive(Default)]
pub struct VariantColumns {
    pub product_id: Vec<Uuid>,
    pub sku: Vec<String>,
    pub name: Vec<String>,
    pub options: Vec<serde_json::Value>,
    pub price: Vec<Decimal>,
    pub compare_at_price: Vec<Option<Decimal>>,
    pub stock: Vec<i32>,
    pub position: Vec<i32>,
}

pub async fn insert_variants(db: impl PgExecutor<'_>, rows: &VariantColumns, currency: &str) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"INSERT INTO product_variants (product_id, sku, name, options, price, compare_at_price, currency, stock,
                                         position)
           SELECT product_id, sku, name, options, price, compare_at_price, $9, stock, position
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::numeric[], $6::numeric[], $7::int[],
                       $8::int[])
             AS t (product_id, sku, name, options, price, compare_at_price, stock, position)"#,
        &rows.product_id,
        &rows.sku,
        &rows.name,
        &rows.options,
        &rows.price,
        &rows.compare_at_price as &[Option<Decimal>],
        &rows.stock,
        &rows.position,
        currency
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Reviews to insert, column by column.
#[derive(Default)]
pub struct ReviewColumns {
    pub product_id: Vec<Uuid>,
    pub user_id: Vec<Uuid>,
    pub rating: Vec<i16>,
    pub title: Vec<String>,
    pub body: Vec<String>,
    /// `pending`, `approved` or `rejected`.
    pub status: Vec<String>,
}

pub async fn insert_reviews(db: impl PgExecutor<'_>, rows: &ReviewColumns) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"INSERT INTO reviews (product_id, user_id, rating, title, body, status)
           SELECT product_id, user_id, rating, title, body, status::review_status
           FROM unnest($1::uuid[], $2::uuid[], $3::int2[], $4::text[], $5::text[], $6::text[])
             AS t (product_id, user_id, rating, title, body, status)"#,
        &rows.product_id,
        &rows.user_id,
        &rows.rating,
        &rows.title,
        &rows.body,
        &rows.status
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Accounts that exist to have written the demo reviews: they can't sign in (their password
/// hash matches no password).
pub async fn insert_reviewers(db: impl PgExecutor<'_>, emails: &[String], names: &[String]) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        r#"INSERT INTO users (email, display_name, password_hash)
           SELECT email, display_name, '!demo-account-without-a-password'
           FROM unnest($1::text[], $2::text[]) AS t (email, display_name)
           ON CONFLICT (lower(email)) DO UPDATE SET display_name = EXCLUDED.display_name
           RETURNING id"#,
        emails,
        names
    )
    .fetch_all(db)
    .await
}

/// Gives every product without images one to three of the given pictures (all `ready`, all with
/// renditions at `widths`), chosen by the product's slug so every seed picks the same ones; the
/// first is the product's cover. Alt text is the product's name.
pub async fn insert_demo_images(
    db: impl PgExecutor<'_>,
    hashes: &[String],
    formats: &[String],
    sizes: (&[i32], &[i32]),
    widths: &[i32],
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"INSERT INTO product_images (product_id, position, alt, content_hash, format, width, height, status,
                                       rendition_widths)
           SELECT p.id, g.n, CASE WHEN g.n = 0 THEN p.name ELSE p.name || ', view ' || (g.n + 1) END,
                  pic.hash, pic.format, pic.width, pic.height, 'ready', $6::int[]
           FROM products p
           CROSS JOIN LATERAL generate_series(0, abs(hashtext(p.slug)) % 3) AS g (n)
           JOIN unnest($1::text[], $2::text[], $3::int[], $4::int[]) WITH ORDINALITY
                  AS pic (hash, format, width, height, idx)
             ON pic.idx = 1 + abs(hashtext(p.slug || g.n::text)) % $5
           WHERE NOT EXISTS (SELECT 1 FROM product_images i WHERE i.product_id = p.id)"#,
        hashes,
        formats,
        sizes.0,
        sizes.1,
        hashes.len() as i64,
        widths
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Vacuums and analyzes what a bulk load filled: dead row versions gone, the visibility map
/// and hint bits set, planner statistics fresh. Otherwise that work falls on the first reads
/// after the load (or waits for autovacuum, which may be off).
pub async fn vacuum_loaded(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "VACUUM (ANALYZE) categories, products, product_variants, users, reviews, product_images, search_documents,
                          search_titles, search_terms, search_words, search_outbox",
    )
    .execute(db)
    .await?;
    Ok(())
}
