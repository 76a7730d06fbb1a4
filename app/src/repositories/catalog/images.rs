//! SQL for product images: the rows that name each image's stored files (by content hash), its
//! alt text, position and processing state.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::ProductId;
use crate::domain::catalog::images::{ImageFields, ImageStatus, ImageView};

/// A stored image row.
#[derive(Debug)]
pub struct ImageRow {
    pub id: Uuid,
    pub product_id: ProductId,
    pub position: i32,
    pub alt: String,
    pub content_hash: String,
    pub format: String,
    pub width: i32,
    pub height: i32,
    pub status: ImageStatus,
    pub rendition_widths: Vec<i32>,
    pub version: i32,
}

impl ImageRow {
    pub fn view(&self) -> ImageView {
        let widths: &[i32] = if self.status == ImageStatus::Ready {
            &self.rendition_widths
        } else {
            &[]
        };
        ImageView::new(
            self.id,
            self.alt.clone(),
            self.position,
            (self.width, self.height),
            self.status,
            &self.content_hash,
            &self.format,
            widths,
            self.version,
        )
    }

    pub fn fields(&self) -> ImageFields {
        ImageFields {
            alt: self.alt.clone(),
            position: self.position,
        }
    }
}

/// What a new image row holds.
pub struct NewImage<'a> {
    pub product: ProductId,
    pub alt: &'a str,
    pub content_hash: &'a str,
    pub format: &'a str,
    pub width: i32,
    pub height: i32,
    /// Renditions already made for the same picture: the row is `ready` at once.
    pub ready_widths: Option<Vec<i32>>,
}

/// Adds an image after the product's last one; returns its id.
pub async fn create_image(db: impl PgExecutor<'_>, new: &NewImage<'_>) -> sqlx::Result<Uuid> {
    let (status, widths) = match &new.ready_widths {
        Some(widths) => (ImageStatus::Ready, widths.clone()),
        None => (ImageStatus::Processing, Vec::new()),
    };
    sqlx::query_scalar!(
        r#"INSERT INTO product_images (id, product_id, position, alt, content_hash, format, width, height,
                                       status, rendition_widths)
           VALUES ($1, $2, (SELECT COALESCE(max(position) + 1, 0) FROM product_images WHERE product_id = $2),
                   $3, $4, $5, $6, $7, $8, $9)
           RETURNING id"#,
        Uuid::now_v7(),
        new.product.0,
        new.alt,
        new.content_hash,
        new.format,
        new.width,
        new.height,
        status as ImageStatus,
        &widths
    )
    .fetch_one(db)
    .await
}

/// The renditions already made of the picture with this hash, if any image has them.
pub async fn find_ready_widths(db: impl PgExecutor<'_>, content_hash: &str) -> sqlx::Result<Option<Vec<i32>>> {
    sqlx::query_scalar!(
        r#"SELECT rendition_widths FROM product_images
           WHERE content_hash = $1 AND status = 'ready' LIMIT 1"#,
        content_hash
    )
    .fetch_optional(db)
    .await
}

/// A product's images in gallery order.
pub async fn list_images(db: impl PgExecutor<'_>, product: ProductId) -> sqlx::Result<Vec<ImageRow>> {
    sqlx::query_as!(
        ImageRow,
        r#"SELECT id, product_id AS "product_id: ProductId", position, alt, content_hash, format, width, height,
                  status AS "status: ImageStatus", rendition_widths, version
           FROM product_images WHERE product_id = $1 ORDER BY position, id"#,
        product.0
    )
    .fetch_all(db)
    .await
}

/// The first ready image of each of `products` (their picture in listings).
pub async fn list_cover_images(db: impl PgExecutor<'_>, products: &[Uuid]) -> sqlx::Result<Vec<ImageRow>> {
    sqlx::query_as!(
        ImageRow,
        r#"SELECT DISTINCT ON (product_id)
                  id, product_id AS "product_id: ProductId", position, alt, content_hash, format, width, height,
                  status AS "status: ImageStatus", rendition_widths, version
           FROM product_images WHERE product_id = ANY($1) AND status = 'ready'
           ORDER BY product_id, position, id"#,
        products
    )
    .fetch_all(db)
    .await
}

/// An image — of `product`, when given — locked for the rest of the transaction (in a
/// transaction; the rendition job reads it without one).
pub async fn find_image(
    db: impl PgExecutor<'_>,
    image: Uuid,
    product: Option<ProductId>,
) -> sqlx::Result<Option<ImageRow>> {
    sqlx::query_as!(
        ImageRow,
        r#"SELECT id, product_id AS "product_id: ProductId", position, alt, content_hash, format, width, height,
                  status AS "status: ImageStatus", rendition_widths, version
           FROM product_images WHERE id = $1 AND ($2::uuid IS NULL OR product_id = $2) FOR UPDATE"#,
        image,
        product.map(|p| p.0)
    )
    .fetch_optional(db)
    .await
}

/// Writes an image's alt text and position at the version read; false when it moved on.
pub async fn update_image(
    db: impl PgExecutor<'_>,
    image: Uuid,
    version: i32,
    fields: &ImageFields,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE product_images SET alt = $3, position = $4 WHERE id = $1 AND version = $2",
        image,
        version,
        fields.alt,
        fields.position
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the job's outcome for every image of this picture still waiting for it.
pub async fn finish_processing(
    db: impl PgExecutor<'_>,
    content_hash: &str,
    status: ImageStatus,
    widths: &[i32],
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE product_images SET status = $2, rendition_widths = $3
         WHERE content_hash = $1 AND status <> 'ready'",
        content_hash,
        status as ImageStatus,
        widths
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

pub async fn delete_image(db: impl PgExecutor<'_>, image: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!("DELETE FROM product_images WHERE id = $1", image)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Holds a picture's files against a concurrent upload or delete of the same picture, until the
/// transaction ends.
pub async fn lock_picture(db: impl PgExecutor<'_>, content_hash: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('oxcart.image.' || $1))")
        .bind(content_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether any image row still uses the picture with this hash.
pub async fn is_hash_used(db: impl PgExecutor<'_>, content_hash: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM product_images WHERE content_hash = $1) AS "used!""#,
        content_hash
    )
    .fetch_one(db)
    .await
}
