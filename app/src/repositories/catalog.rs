//! SQL for categories, products and their variants.

use rust_decimal::Decimal;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::catalog::{CategoryFields, CategoryView};
use crate::domain::{CategoryId, Money, ProductId};

/// A row of the storefront listing: an active product with its cheapest variant's price.
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
}

/// Active products that have at least one variant, newest first. The price shown is the cheapest
/// variant's, taken with its currency from that same row.
pub async fn list_products(db: impl PgExecutor<'_>, limit: i64, offset: i64) -> sqlx::Result<Vec<ProductListRow>> {
    sqlx::query_as!(
        ProductListRow,
        r#"
        SELECT p.id AS "id: ProductId", p.name, p.slug, p.description,
               c.name AS "category?",
               v.min_price AS "min_price!", v.currency AS "currency!", v.in_stock AS "in_stock!"
        FROM products p
        LEFT JOIN categories c ON c.id = p.category_id
        JOIN LATERAL (
            SELECT cheapest.price AS min_price, cheapest.currency,
                   EXISTS (SELECT 1 FROM product_variants s WHERE s.product_id = p.id AND s.stock > 0) AS in_stock
            FROM product_variants cheapest
            WHERE cheapest.product_id = p.id
            ORDER BY cheapest.price, cheapest.id
            LIMIT 1
        ) v ON true
        WHERE p.status = 'active'
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT $1 OFFSET $2
        "#,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

/// How many products [`list_products`] can return in all.
pub async fn count_products(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!" FROM products p
        WHERE p.status = 'active'
          AND EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id)
        "#
    )
    .fetch_one(db)
    .await
}

/// Whether the catalogue holds any product at all, in any status.
pub async fn any_product_exists(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM products) AS "exists!""#)
        .fetch_one(db)
        .await
}

/// A product to insert, with its status as stored (`draft`, `active`, `archived`).
pub struct NewProduct<'a> {
    pub category_id: Option<CategoryId>,
    pub name: &'a str,
    pub slug: &'a str,
    pub description: &'a str,
    pub status: &'a str,
}

pub async fn create_product(db: impl PgExecutor<'_>, new: &NewProduct<'_>) -> sqlx::Result<ProductId> {
    sqlx::query_scalar!(
        r#"INSERT INTO products (id, category_id, name, slug, description, status)
           VALUES ($1, $2, $3, $4, $5, $6::text::product_status) RETURNING id AS "id: ProductId""#,
        Uuid::now_v7(),
        new.category_id.map(|c| c.0),
        new.name,
        new.slug,
        new.description,
        new.status
    )
    .fetch_one(db)
    .await
}

/// A variant to insert. Its price is in the store currency (the service checks).
pub struct NewVariant<'a> {
    pub product_id: ProductId,
    pub sku: &'a str,
    pub name: &'a str,
    pub price: &'a Money,
    pub stock: i32,
}

pub async fn create_variant(db: impl PgExecutor<'_>, new: &NewVariant<'_>) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        r#"INSERT INTO product_variants (id, product_id, sku, name, price, currency, stock)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"#,
        Uuid::now_v7(),
        new.product_id.0,
        new.sku,
        new.name,
        new.price.amount,
        new.price.currency.as_str(),
        new.stock
    )
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
