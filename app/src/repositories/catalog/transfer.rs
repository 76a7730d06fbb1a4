//! SQL for catalogue imports and exports: the import's row (file, progress, result), the
//! products and variants an import touches (locked for its transaction), and the export's pages
//! of variants in a stable order.

use rust_decimal::Decimal;
use sqlx::PgExecutor;
use uuid::Uuid;

use super::editing::{ProductRecord, VariantRecord};
use crate::domain::catalog::ProductStatus;
use crate::domain::catalog::editing::{ProductFields, VariantFields};
use crate::domain::catalog::transfer::{ImportStatus, ImportView, LineError};
use crate::domain::{CategoryId, ProductId};

pub async fn create_import(
    db: impl PgExecutor<'_>,
    filename: &str,
    content: &[u8],
    total_lines: i32,
    created_by: Uuid,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO catalog_imports (filename, content, total_lines, created_by) VALUES ($1, $2, $3, $4)
         RETURNING id",
        filename,
        content,
        total_lines,
        created_by
    )
    .fetch_one(db)
    .await
}

struct ImportRow {
    id: Uuid,
    filename: String,
    status: ImportStatus,
    total_lines: i32,
    done_lines: i32,
    created: i32,
    updated: i32,
    unchanged: i32,
    errors: serde_json::Value,
    created_by: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl ImportRow {
    fn view(self) -> ImportView {
        let errors: Vec<LineError> = serde_json::from_value(self.errors).unwrap_or_default();
        let mut failed: Vec<u64> = errors.iter().map(|e| e.line).collect();
        failed.sort_unstable();
        failed.dedup();
        ImportView {
            id: self.id,
            filename: self.filename,
            status: self.status,
            total_lines: self.total_lines,
            done_lines: self.done_lines,
            created: self.created,
            updated: self.updated,
            unchanged: self.unchanged,
            failed: failed.len() as i32,
            errors,
            created_by: self.created_by,
            created_at: self.created_at,
            finished_at: self.finished_at,
        }
    }
}

pub async fn find_import(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<ImportView>> {
    let row = sqlx::query_as!(
        ImportRow,
        r#"SELECT i.id, i.filename, i.status AS "status: ImportStatus", i.total_lines, i.done_lines, i.created,
                  i.updated, i.unchanged, i.errors, u.email AS "created_by?", i.created_at, i.finished_at
           FROM catalog_imports i LEFT JOIN users u ON u.id = i.created_by WHERE i.id = $1"#,
        id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(ImportRow::view))
}

/// Imports, newest first, one page; and how many there are.
pub async fn list_imports(
    db: impl PgExecutor<'_> + Copy,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<ImportView>, i64)> {
    let rows = sqlx::query_as!(
        ImportRow,
        r#"SELECT i.id, i.filename, i.status AS "status: ImportStatus", i.total_lines, i.done_lines, i.created,
                  i.updated, i.unchanged, i.errors, u.email AS "created_by?", i.created_at, i.finished_at
           FROM catalog_imports i LEFT JOIN users u ON u.id = i.created_by
           ORDER BY i.created_at DESC, i.id DESC LIMIT $1 OFFSET $2"#,
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM catalog_imports"#)
        .fetch_one(db)
        .await?;
    Ok((rows.into_iter().map(ImportRow::view).collect(), total))
}

/// What the job needs of an import: where it is, its file, and who sent it.
pub struct ImportJob {
    pub status: ImportStatus,
    pub content: Vec<u8>,
    pub created_by: Option<Uuid>,
}

pub async fn find_import_job(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<ImportJob>> {
    sqlx::query_as!(
        ImportJob,
        r#"SELECT status AS "status: ImportStatus", content, created_by FROM catalog_imports WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// Takes the import for this transaction (an advisory lock); false when another one holds it.
pub async fn hold_import(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock(hashtext('catalog_import'), hashtext($1::text)) AS "held!""#,
        id.to_string()
    )
    .fetch_one(db)
    .await
}

pub async fn set_progress(db: impl PgExecutor<'_>, id: Uuid, status: ImportStatus, done: i32) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE catalog_imports SET status = $2, done_lines = $3 WHERE id = $1",
        id,
        status as ImportStatus,
        done
    )
    .execute(db)
    .await?;
    Ok(())
}

/// What an import came to.
pub struct Outcome {
    pub status: ImportStatus,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub errors: Vec<LineError>,
}

pub async fn finish_import(db: impl PgExecutor<'_>, id: Uuid, outcome: &Outcome) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE catalog_imports SET status = $2, created = $3, updated = $4, unchanged = $5, errors = $6,
                done_lines = total_lines, finished_at = now()
         WHERE id = $1",
        id,
        outcome.status as ImportStatus,
        outcome.created,
        outcome.updated,
        outcome.unchanged,
        serde_json::to_value(&outcome.errors).unwrap_or_default()
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A variant an import names by SKU, locked.
pub struct ExistingVariant {
    pub id: Uuid,
    pub product_id: ProductId,
    pub fields: VariantFields,
    pub version: i32,
}

/// The variants whose lower-cased SKU is in `keys`, locked for the transaction.
pub async fn lock_variants_by_sku(db: impl PgExecutor<'_>, keys: &[String]) -> sqlx::Result<Vec<ExistingVariant>> {
    let rows = sqlx::query_as!(
        VariantRecord,
        r#"SELECT id, product_id, sku, name, options, price, compare_at_price, stock, active, low_stock_threshold,
                  position, version
           FROM product_variants WHERE lower(sku) = ANY($1) ORDER BY id FOR UPDATE"#,
        keys
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (id, product_id) = (r.id, ProductId(r.product_id));
            let (fields, version) = r.fields();
            ExistingVariant {
                id,
                product_id,
                fields,
                version,
            }
        })
        .collect())
}

/// A product an import names (by slug, or through one of its variants), locked.
pub struct ExistingProduct {
    pub id: ProductId,
    pub fields: ProductFields,
    pub version: i32,
}

/// The products with a slug in `slugs` or an id in `ids`, locked for the transaction.
pub async fn lock_products(
    db: impl PgExecutor<'_>,
    slugs: &[String],
    ids: &[Uuid],
) -> sqlx::Result<Vec<ExistingProduct>> {
    let rows = sqlx::query_as!(
        ProductRecord,
        r#"SELECT id, category_id AS "category_id: CategoryId", name, slug, description,
                  status AS "status: ProductStatus", featured, seo_title, seo_description, version
           FROM products WHERE slug = ANY($1) OR id = ANY($2) ORDER BY id FOR UPDATE"#,
        slugs,
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let id = ProductId(r.id);
            let (fields, version) = r.fields();
            ExistingProduct { id, fields, version }
        })
        .collect())
}

/// A line of the export: a variant and its product.
pub struct ExportRow {
    pub product_slug: String,
    pub product_name: String,
    pub product_status: ProductStatus,
    pub category: Option<String>,
    pub featured: bool,
    pub description: String,
    pub seo_title: String,
    pub seo_description: String,
    pub product_version: i32,
    pub variant_id: Uuid,
    pub sku: String,
    pub variant_name: String,
    pub options: serde_json::Value,
    pub price: Decimal,
    pub compare_at_price: Option<Decimal>,
    pub stock: i32,
    pub low_stock_threshold: i32,
    pub active: bool,
    pub position: i32,
    pub version: i32,
}

/// Up to `limit` variants after `(slug, position, id)`, ordered by product slug, then position
/// and id: a stable order the export walks page by page without holding a connection.
pub async fn export_page(
    db: impl PgExecutor<'_>,
    after: Option<&(String, i32, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<ExportRow>> {
    let (slug, position, id) = after.cloned().unwrap_or_default();
    sqlx::query_as!(
        ExportRow,
        r#"SELECT p.slug AS product_slug, p.name AS product_name, p.status AS "product_status: ProductStatus",
                  c.slug AS "category?", p.featured, p.description, p.seo_title, p.seo_description,
                  p.version AS product_version, v.id AS variant_id, v.sku, v.name AS variant_name, v.options, v.price,
                  v.compare_at_price, v.stock, v.low_stock_threshold, v.active, v.position, v.version
           FROM product_variants v
           JOIN products p ON p.id = v.product_id
           LEFT JOIN categories c ON c.id = p.category_id
           WHERE NOT $1 OR (p.slug, v.position, v.id) > ($2, $3, $4)
           ORDER BY p.slug, v.position, v.id
           LIMIT $5"#,
        after.is_some(),
        slug,
        position,
        id,
        limit
    )
    .fetch_all(db)
    .await
}
