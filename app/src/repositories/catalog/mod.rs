//! SQL for categories, products and their variants: the reads here, the writes of products and
//! variants in [`editing`], reviews in [`reviews`].

pub mod bulk;
pub mod editing;
pub mod images;
pub mod reviews;
pub mod stock;
pub mod transfer;

use rust_decimal::Decimal;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::catalog::{CategoryFields, CategorySummary, CategoryView, ProductFilter, ProductStatus};
use crate::domain::{CategoryId, ProductId};

/// A row of a product listing: a product with its cheapest active variant's price (amount and
/// currency from that one row), whether any active variant has stock, and how many rows the
/// filter matches in all.
#[derive(Debug)]
pub struct ProductListRow {
    pub id: ProductId,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub category: Option<String>,
    pub min_price: Decimal,
    pub currency: String,
    pub in_stock: bool,
    pub rating_average: Option<Decimal>,
    pub rating_count: i32,
    pub total: i64,
}

/// Products of `filter.status` with at least one active variant, filtered and sorted as asked;
/// `category` is the resolved category, whose whole subtree counts.
pub async fn list_products(
    db: impl PgExecutor<'_>,
    filter: &ProductFilter,
    category: Option<CategoryId>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ProductListRow>> {
    // `q` is matched literally: LIKE's wildcards in it are escaped.
    let q = filter
        .q
        .as_deref()
        .map(|q| q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    sqlx::query_as!(
        ProductListRow,
        r#"
        WITH RECURSIVE subtree AS (
            SELECT id FROM categories WHERE id = $1
            UNION
            SELECT c.id FROM categories c JOIN subtree s ON c.parent_id = s.id
        )
        SELECT p.id AS "id: ProductId", p.name, p.slug, p.description,
               c.name AS "category?",
               v.price AS "min_price!", v.currency AS "currency!", stock.in_stock AS "in_stock!",
               p.rating_average, p.rating_count, count(*) OVER () AS "total!"
        FROM products p
        LEFT JOIN categories c ON c.id = p.category_id
        JOIN LATERAL (
            SELECT price, currency FROM product_variants
            WHERE product_id = p.id AND active
            ORDER BY price, id LIMIT 1
        ) v ON true
        CROSS JOIN LATERAL (
            SELECT EXISTS (SELECT 1 FROM product_variants
                           WHERE product_id = p.id AND active AND stock > 0) AS in_stock
        ) stock
        WHERE p.status = $2
          AND ($1::uuid IS NULL OR p.category_id IN (SELECT id FROM subtree))
          AND ($3::numeric IS NULL OR v.price >= $3)
          AND ($4::numeric IS NULL OR v.price <= $4)
          AND ($5::bool IS NULL OR stock.in_stock = $5)
          AND ($6::numeric IS NULL OR p.rating_average >= $6)
          AND ($7::text IS NULL OR p.name ILIKE '%' || $7 || '%'
               OR EXISTS (SELECT 1 FROM product_variants w
                          WHERE w.product_id = p.id AND w.sku ILIKE '%' || $7 || '%'))
          AND ($11::bool IS NULL OR p.featured = $11)
        ORDER BY
          CASE WHEN $8 = 'price_asc' THEN v.price END ASC,
          CASE WHEN $8 = 'price_desc' THEN v.price END DESC,
          CASE WHEN $8 = 'name' THEN lower(p.name) END ASC,
          CASE WHEN $8 = 'rating' THEN p.rating_average END DESC NULLS LAST,
          p.created_at DESC, p.id DESC
        LIMIT $9 OFFSET $10
        "#,
        category.map(|c| c.0),
        filter.status as ProductStatus,
        filter.min_price,
        filter.max_price,
        filter.in_stock,
        filter.min_rating,
        q,
        filter.sort.as_str(),
        limit,
        offset,
        filter.featured
    )
    .fetch_all(db)
    .await
}

/// These products as list rows (in no particular order), whatever their status: the price and
/// stock of their active variants, or of any variant when none is active (staff's view of a
/// product being set up; no variant at all: price 0 in `currency`).
pub async fn list_products_by_ids(
    db: impl PgExecutor<'_>,
    ids: &[Uuid],
    currency: &str,
) -> sqlx::Result<Vec<ProductListRow>> {
    sqlx::query_as!(
        ProductListRow,
        r#"
        SELECT p.id AS "id: ProductId", p.name, p.slug, p.description, c.name AS "category?",
               coalesce(v.price, 0) AS "min_price!", coalesce(v.currency, $2) AS "currency!",
               EXISTS (SELECT 1 FROM product_variants
                       WHERE product_id = p.id AND active AND stock > 0) AS "in_stock!",
               p.rating_average, p.rating_count, 0::bigint AS "total!"
        FROM products p
        LEFT JOIN categories c ON c.id = p.category_id
        LEFT JOIN LATERAL (
            SELECT price, currency FROM product_variants
            WHERE product_id = p.id ORDER BY active DESC, price, id LIMIT 1
        ) v ON true
        WHERE p.id = ANY ($1)
        "#,
        ids,
        currency
    )
    .fetch_all(db)
    .await
}

pub async fn find_category_by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<CategoryId>> {
    sqlx::query_scalar!(r#"SELECT id AS "id: CategoryId" FROM categories WHERE slug = $1"#, slug)
        .fetch_optional(db)
        .await
}

/// Whether the catalogue holds any product at all, in any status.
pub async fn any_product_exists(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM products) AS "exists!""#)
        .fetch_one(db)
        .await
}

/// A category row (without its children).
struct CategoryRow {
    id: CategoryId,
    parent_id: Option<CategoryId>,
    name: String,
    slug: String,
    description: String,
    position: i32,
    version: i32,
}

impl From<CategoryRow> for CategoryView {
    fn from(row: CategoryRow) -> Self {
        Self {
            id: row.id,
            parent_id: row.parent_id,
            name: row.name,
            slug: row.slug,
            description: row.description,
            position: row.position,
            version: row.version,
            children: Vec::new(),
        }
    }
}

/// Every category, siblings in display order (position, then name).
pub async fn list_categories(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<CategoryView>> {
    let rows = sqlx::query_as!(
        CategoryRow,
        r#"SELECT id AS "id: CategoryId", parent_id AS "parent_id: CategoryId", name, slug, description,
                  position, version
           FROM categories ORDER BY position, name, id"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(CategoryView::from).collect())
}

pub async fn find_category(db: impl PgExecutor<'_>, id: CategoryId) -> sqlx::Result<Option<CategoryView>> {
    let row = sqlx::query_as!(
        CategoryRow,
        r#"SELECT id AS "id: CategoryId", parent_id AS "parent_id: CategoryId", name, slug, description,
                  position, version
           FROM categories WHERE id = $1"#,
        id.0
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(CategoryView::from))
}

pub async fn create_category(db: impl PgExecutor<'_>, fields: &CategoryFields) -> sqlx::Result<CategoryView> {
    let row = sqlx::query_as!(
        CategoryRow,
        r#"INSERT INTO categories (id, parent_id, name, slug, description, position)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id AS "id: CategoryId", parent_id AS "parent_id: CategoryId", name, slug, description,
                     position, version"#,
        Uuid::now_v7(),
        fields.parent_id.map(|c| c.0),
        fields.name,
        fields.slug,
        fields.description,
        fields.position
    )
    .fetch_one(db)
    .await?;
    Ok(row.into())
}

/// Writes `fields` over the category if it is still at `version`; `None` when it is not.
pub async fn update_category(
    db: impl PgExecutor<'_>,
    id: CategoryId,
    version: i32,
    fields: &CategoryFields,
) -> sqlx::Result<Option<CategoryView>> {
    let row = sqlx::query_as!(
        CategoryRow,
        r#"UPDATE categories SET parent_id = $3, name = $4, slug = $5, description = $6, position = $7
           WHERE id = $1 AND version = $2
           RETURNING id AS "id: CategoryId", parent_id AS "parent_id: CategoryId", name, slug, description,
                     position, version"#,
        id.0,
        version,
        fields.parent_id.map(|c| c.0),
        fields.name,
        fields.slug,
        fields.description,
        fields.position
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(CategoryView::from))
}

pub async fn delete_category(db: impl PgExecutor<'_>, id: CategoryId) -> sqlx::Result<bool> {
    let done = sqlx::query!("DELETE FROM categories WHERE id = $1", id.0)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Whether `candidate` is `id` itself or one of its descendants (making it `id`'s parent would
/// close a cycle).
pub async fn is_in_subtree(db: impl PgExecutor<'_>, id: CategoryId, candidate: CategoryId) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"WITH RECURSIVE subtree AS (
               SELECT id FROM categories WHERE id = $1
               UNION
               SELECT c.id FROM categories c JOIN subtree s ON c.parent_id = s.id
           )
           SELECT EXISTS (SELECT 1 FROM subtree WHERE id = $2) AS "found!""#,
        id.0,
        candidate.0
    )
    .fetch_one(db)
    .await
}

/// Serialises moves within the category tree for the rest of the transaction, so two
/// concurrent moves can't together close a cycle that neither would alone.
pub async fn lock_category_tree(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query_scalar!(r#"SELECT 1 AS "locked!" FROM pg_advisory_xact_lock(hashtext('oxcart.categories.tree'))"#)
        .fetch_one(db)
        .await?;
    Ok(())
}

/// A product row with its category, for its page.
pub struct ProductRow {
    pub id: ProductId,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub status: ProductStatus,
    pub featured: bool,
    pub seo_title: String,
    pub seo_description: String,
    pub category_id: Option<CategoryId>,
    pub category_name: Option<String>,
    pub category_slug: Option<String>,
    pub rating_average: Option<Decimal>,
    pub rating_count: i32,
    pub version: i32,
}

/// The product with this id, or with this slug when `id` is `None`.
pub async fn find_product(
    db: impl PgExecutor<'_>,
    id: Option<ProductId>,
    slug: Option<&str>,
) -> sqlx::Result<Option<ProductRow>> {
    sqlx::query_as!(
        ProductRow,
        r#"SELECT p.id AS "id: ProductId", p.name, p.slug, p.description, p.status AS "status: ProductStatus",
                  p.featured, p.seo_title, p.seo_description, c.id AS "category_id?: CategoryId", c.name AS "category_name?",
                  c.slug AS "category_slug?", p.rating_average, p.rating_count, p.version
           FROM products p LEFT JOIN categories c ON c.id = p.category_id
           WHERE ($1::uuid IS NOT NULL AND p.id = $1) OR ($1::uuid IS NULL AND p.slug = $2)"#,
        id.map(|p| p.0),
        slug
    )
    .fetch_optional(db)
    .await
}

/// A variant row.
pub struct VariantRow {
    pub id: Uuid,
    pub sku: String,
    pub name: String,
    pub options: serde_json::Value,
    pub price: Decimal,
    pub compare_at_price: Option<Decimal>,
    pub currency: String,
    pub stock: i32,
    pub low_stock_threshold: i32,
    pub active: bool,
    pub position: i32,
    pub version: i32,
}

/// The product's variants in display order.
pub async fn list_variants(db: impl PgExecutor<'_>, product: ProductId) -> sqlx::Result<Vec<VariantRow>> {
    sqlx::query_as!(
        VariantRow,
        r#"SELECT id, sku, name, options, price, compare_at_price, currency, stock, low_stock_threshold, active,
                  position, version
           FROM product_variants WHERE product_id = $1 ORDER BY position, price, id"#,
        product.0
    )
    .fetch_all(db)
    .await
}

/// The category and its ancestors, top-level first.
pub async fn category_trail(db: impl PgExecutor<'_>, id: CategoryId) -> sqlx::Result<Vec<CategorySummary>> {
    sqlx::query_as!(
        CategorySummary,
        r#"WITH RECURSIVE up AS (
               SELECT id, parent_id, name, slug, 0 AS depth FROM categories WHERE id = $1
               UNION ALL
               SELECT c.id, c.parent_id, c.name, c.slug, up.depth + 1
               FROM categories c JOIN up ON c.id = up.parent_id
               WHERE up.depth < 100
           )
           SELECT id AS "id!: CategoryId", name AS "name!", slug AS "slug!" FROM up ORDER BY depth DESC"#,
        id.0
    )
    .fetch_all(db)
    .await
}

/// What `/sitemap.xml` lists: active products with a purchasable variant, and every category,
/// each with when it last changed.
pub struct SitemapRow {
    pub path: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub async fn list_sitemap(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<SitemapRow>> {
    sqlx::query_as!(
        SitemapRow,
        r#"SELECT '/categories/' || slug AS "path!", updated_at AS "updated_at!" FROM categories
           UNION ALL
           SELECT '/products/' || p.slug, p.updated_at FROM products p
           WHERE p.status = 'active'
             AND EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.active)
           ORDER BY 1
           LIMIT 50000"#
    )
    .fetch_all(db)
    .await
}
