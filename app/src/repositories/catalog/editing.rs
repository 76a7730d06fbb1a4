//! SQL for writing products and their variants. Writers of an existing row lock it first
//! (`*_for_update`) and write it only at the version they read.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::catalog::ProductStatus;
use crate::domain::catalog::editing::{ProductFields, VariantFields};
use crate::domain::{CategoryId, Currency, ProductId};

pub async fn create_product(db: impl PgExecutor<'_>, fields: &ProductFields) -> sqlx::Result<ProductId> {
    sqlx::query_scalar!(
        r#"INSERT INTO products (id, category_id, name, slug, description, status, featured, seo_title,
                                 seo_description)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id AS "id: ProductId""#,
        Uuid::now_v7(),
        fields.category_id.map(|c| c.0),
        fields.name,
        fields.slug,
        fields.description,
        fields.status as ProductStatus,
        fields.featured,
        fields.seo_title,
        fields.seo_description
    )
    .fetch_one(db)
    .await
}

/// A product row with the columns its writers read.
pub(super) struct ProductRecord {
    pub id: Uuid,
    pub category_id: Option<CategoryId>,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub status: ProductStatus,
    pub featured: bool,
    pub seo_title: String,
    pub seo_description: String,
    pub version: i32,
}

impl ProductRecord {
    pub(super) fn fields(self) -> (ProductFields, i32) {
        let fields = ProductFields {
            category_id: self.category_id,
            name: self.name,
            slug: self.slug,
            description: self.description,
            status: self.status,
            featured: self.featured,
            seo_title: self.seo_title,
            seo_description: self.seo_description,
        };
        (fields, self.version)
    }
}

/// A product's own fields and version, locked for the rest of the transaction.
pub async fn find_product_for_update(
    db: impl PgExecutor<'_>,
    id: ProductId,
) -> sqlx::Result<Option<(ProductFields, i32)>> {
    let row = sqlx::query_as!(
        ProductRecord,
        r#"SELECT id, category_id AS "category_id: CategoryId", name, slug, description,
                  status AS "status: ProductStatus", featured, seo_title, seo_description, version
           FROM products WHERE id = $1 FOR UPDATE"#,
        id.0
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(ProductRecord::fields))
}

/// Writes `fields` over the product if it is still at `version`; false when it is not.
pub async fn update_product(
    db: impl PgExecutor<'_>,
    id: ProductId,
    version: i32,
    fields: &ProductFields,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE products SET category_id = $3, name = $4, slug = $5, description = $6, status = $7,
                  featured = $8, seo_title = $9, seo_description = $10
           WHERE id = $1 AND version = $2"#,
        id.0,
        version,
        fields.category_id.map(|c| c.0),
        fields.name,
        fields.slug,
        fields.description,
        fields.status as ProductStatus,
        fields.featured,
        fields.seo_title,
        fields.seo_description
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_product(db: impl PgExecutor<'_>, id: ProductId) -> sqlx::Result<bool> {
    let done = sqlx::query!("DELETE FROM products WHERE id = $1", id.0)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The current slug of the product that used to be at `slug`.
pub async fn find_renamed_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "SELECT p.slug FROM product_slug_history h JOIN products p ON p.id = h.product_id WHERE h.slug = $1",
        slug
    )
    .fetch_optional(db)
    .await
}

/// Inserts a variant; its prices are amounts in `currency`, the store's.
pub async fn create_variant(
    db: impl PgExecutor<'_>,
    product: ProductId,
    fields: &VariantFields,
    currency: &Currency,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        r#"INSERT INTO product_variants (id, product_id, sku, name, options, price, compare_at_price, currency,
                                         stock, active, low_stock_threshold, position)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"#,
        Uuid::now_v7(),
        product.0,
        fields.sku,
        fields.name,
        serde_json::to_value(&fields.options).unwrap_or_default(),
        fields.price,
        fields.compare_at_price,
        currency.as_str(),
        fields.stock,
        fields.active,
        fields.low_stock_threshold,
        fields.position
    )
    .fetch_one(db)
    .await
}

/// A variant row with the columns its writers read.
pub(super) struct VariantRecord {
    pub id: Uuid,
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub options: serde_json::Value,
    pub price: rust_decimal::Decimal,
    pub compare_at_price: Option<rust_decimal::Decimal>,
    pub stock: i32,
    pub active: bool,
    pub low_stock_threshold: i32,
    pub position: i32,
    pub version: i32,
}

impl VariantRecord {
    pub(super) fn fields(self) -> (VariantFields, i32) {
        let fields = VariantFields {
            sku: self.sku,
            name: self.name,
            options: serde_json::from_value(self.options).unwrap_or_default(),
            price: self.price,
            compare_at_price: self.compare_at_price,
            stock: self.stock,
            active: self.active,
            low_stock_threshold: self.low_stock_threshold,
            position: self.position,
        };
        (fields, self.version)
    }
}

/// A variant of `product` with its version, locked for the rest of the transaction.
pub async fn find_variant_for_update(
    db: impl PgExecutor<'_>,
    product: ProductId,
    variant: Uuid,
) -> sqlx::Result<Option<(VariantFields, i32)>> {
    let row = sqlx::query_as!(
        VariantRecord,
        r#"SELECT id, product_id, sku, name, options, price, compare_at_price, stock, active, low_stock_threshold,
                  position, version
           FROM product_variants WHERE id = $1 AND product_id = $2 FOR UPDATE"#,
        variant,
        product.0
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(VariantRecord::fields))
}

/// Writes `fields` over the variant if it is still at `version` (which stock changes don't
/// move); false when it is not.
pub async fn update_variant(
    db: impl PgExecutor<'_>,
    variant: Uuid,
    version: i32,
    fields: &VariantFields,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE product_variants SET sku = $3, name = $4, options = $5, price = $6, compare_at_price = $7,
                  stock = $8, active = $9, low_stock_threshold = $10, position = $11
           WHERE id = $1 AND version = $2"#,
        variant,
        version,
        fields.sku,
        fields.name,
        serde_json::to_value(&fields.options).unwrap_or_default(),
        fields.price,
        fields.compare_at_price,
        fields.stock,
        fields.active,
        fields.low_stock_threshold,
        fields.position
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_variant(db: impl PgExecutor<'_>, product: ProductId, variant: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM product_variants WHERE id = $1 AND product_id = $2",
        variant,
        product.0
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
