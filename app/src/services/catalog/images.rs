//! Product images: staff upload them (`products:write`), change their alt text and order, and
//! delete them; a background job makes their renditions. Uploads are checked and cleaned on a
//! blocking thread ([`imaging::clean`]) before anything is stored. The files of a picture are
//! addressed by its hash, so a picture uploaded again — to any product — reuses its renditions
//! and needs no job; they are deleted with the last image that uses them.

use uuid::Uuid;

use super::imaging::{self, Format, Rejection};
use super::{catalog_changed, load_product, product_not_found};
use crate::adapters::jobs::{self, Job};
use crate::adapters::media::MediaError;
use crate::domain::ProductId;
use crate::domain::catalog::ProductRef;
use crate::domain::catalog::images::{ImageStatus, ImageView, UpdateImage, parse_alt, rendition_key};
use crate::domain::identity::Permission;
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::repositories;
use crate::repositories::catalog::editing as product_repo;
use crate::repositories::catalog::images::{self as repo, ImageRow, NewImage};
use crate::services::ServiceError;
use crate::services::identity::Actor;
use crate::state::AppState;

impl From<MediaError> for ServiceError {
    fn from(err: MediaError) -> Self {
        Self::Unavailable(err.to_string())
    }
}

fn image_not_found() -> ServiceError {
    AppError::not_found("No such image of this product.").into()
}

fn stale() -> ServiceError {
    AppError::new(
        ErrorCode::Conflict,
        "The image was changed by someone else since you read it; reload it and try again.",
    )
    .into()
}

fn file_error(code: ErrorCode, message: String) -> ServiceError {
    let mut details = FieldErrors::new();
    details.insert("file".into(), vec![message.clone()]);
    AppError {
        code,
        message,
        details: Some(details),
        retry_after: None,
    }
    .into()
}

/// The images a caller sees: all of them for staff, the ready ones for anyone else.
pub(crate) fn visible(rows: &[ImageRow], staff: bool) -> Vec<ImageView> {
    rows.iter()
        .filter(|r| staff || r.status == ImageStatus::Ready)
        .map(ImageRow::view)
        .collect()
}

/// Whether `actor` may upload images: checked before an upload is read.
pub fn check_upload(actor: &Actor) -> Result<(), ServiceError> {
    actor.require(Permission::ProductsWrite)
}

/// Adds an uploaded picture to a product's gallery, after its last image. The type comes from
/// the content (415 for anything but JPEG, PNG or WebP), a bomb or an unreadable file is a 422
/// on `file`; alt text is one line of at most 300 characters. The image is `processing` until
/// the job has made its renditions (or `ready` at once when the same picture has them).
pub async fn upload_image(
    state: &AppState,
    actor: &Actor,
    product: ProductId,
    upload: Vec<u8>,
    alt: &str,
) -> Result<ImageView, ServiceError> {
    check_upload(actor)?;
    let alt = parse_alt(alt).map_err(|message| {
        let mut details = FieldErrors::new();
        details.insert("alt".into(), vec![message]);
        AppError::validation(details)
    })?;
    let cleaned = tokio::task::spawn_blocking(move || imaging::clean(&upload))
        .await
        .map_err(|err| ServiceError::Unexpected(format!("image check panicked: {err}")))?
        .map_err(|rejection| match rejection {
            Rejection::NotAnImage => file_error(ErrorCode::UnsupportedMediaType, rejection.to_string()),
            other => file_error(ErrorCode::ValidationError, other.to_string()),
        })?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    product_repo::find_product_for_update(&mut *tx, product)
        .await?
        .ok_or_else(product_not_found)?;
    repo::lock_picture(&mut *tx, &cleaned.hash).await?;
    let ready_widths = repo::find_ready_widths(&mut *tx, &cleaned.hash).await?;
    if ready_widths.is_none() {
        state
            .media
            .put(&imaging::original_key(&cleaned.hash, cleaned.format), cleaned.bytes)
            .await?;
    }
    let queue = ready_widths.is_none();
    let id = repo::create_image(
        &mut *tx,
        &NewImage {
            product,
            alt: &alt,
            content_hash: &cleaned.hash,
            format: cleaned.format.as_str(),
            width: cleaned.width as i32,
            height: cleaned.height as i32,
            ready_widths,
        },
    )
    .await?;
    if queue {
        jobs::enqueue(&mut *tx, &Job::MakeRenditions { image: id }).await?;
    }
    tx.commit().await?;
    catalog_changed(state).await;
    get_image(state, Some(actor), product, id).await
}

/// A product's images in gallery order, as [`visible`] shows them; 404 when the product is
/// hidden from the caller.
pub async fn list_images(
    state: &AppState,
    actor: Option<&Actor>,
    product: ProductId,
) -> Result<Vec<ImageView>, ServiceError> {
    let staff = actor.is_some_and(|a| a.role.can(Permission::ProductsWrite));
    Ok(load_product(state, staff, &ProductRef::Id(product))
        .await?
        .ok_or_else(product_not_found)?
        .images)
}

/// One image of a product, as [`list_images`] shows it.
pub async fn get_image(
    state: &AppState,
    actor: Option<&Actor>,
    product: ProductId,
    image: Uuid,
) -> Result<ImageView, ServiceError> {
    list_images(state, actor, product)
        .await?
        .into_iter()
        .find(|i| i.id == image)
        .ok_or_else(image_not_found)
}

/// Changes an image's alt text or position, at the version the client last saw.
pub async fn update_image(
    state: &AppState,
    actor: &Actor,
    product: ProductId,
    image: Uuid,
    if_match: Option<i32>,
    input: UpdateImage,
) -> Result<ImageView, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let current = repo::find_image(&mut *tx, image, Some(product))
        .await?
        .ok_or_else(image_not_found)?;
    if input.version.or(if_match).is_some_and(|v| v != current.version) {
        return Err(stale());
    }
    let fields = input.parse_onto(&current.fields())?;
    if !repo::update_image(&mut *tx, image, current.version, &fields).await? {
        return Err(stale());
    }
    tx.commit().await?;
    catalog_changed(state).await;
    get_image(state, Some(actor), product, image).await
}

/// Puts a product's gallery in the order of `ids`, which must name each of its images once
/// (422 on `ids` otherwise); answers the gallery in its new order.
pub async fn reorder_images(
    state: &AppState,
    actor: &Actor,
    product: ProductId,
    ids: &[Uuid],
) -> Result<Vec<ImageView>, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    product_repo::find_product_for_update(&mut *tx, product)
        .await?
        .ok_or_else(product_not_found)?;
    let rows = repo::list_images(&mut *tx, product).await?;
    let mut given = ids.to_vec();
    given.sort();
    let mut held: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    held.sort();
    if given != held {
        let mut details = FieldErrors::new();
        details.insert(
            "ids".into(),
            vec!["must name every image of the product once (reload: the gallery has changed)".into()],
        );
        return Err(AppError::validation(details).into());
    }
    for (position, id) in ids.iter().enumerate() {
        let row = rows.iter().find(|r| r.id == *id).expect("checked above");
        let position = position as i32;
        if row.position != position {
            let mut fields = row.fields();
            fields.position = position;
            repo::update_image(&mut *tx, *id, row.version, &fields).await?;
        }
    }
    tx.commit().await?;
    catalog_changed(state).await;
    list_images(state, Some(actor), product).await
}

/// Deletes an image; its files go with the last image that uses them.
pub async fn delete_image(
    state: &AppState,
    actor: &Actor,
    product: ProductId,
    image: Uuid,
) -> Result<(), ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let current = repo::find_image(&mut *tx, image, Some(product))
        .await?
        .ok_or_else(image_not_found)?;
    repo::lock_picture(&mut *tx, &current.content_hash).await?;
    repo::delete_image(&mut *tx, image).await?;
    if !repo::is_hash_used(&mut *tx, &current.content_hash).await? {
        delete_files(state, &current).await;
    }
    tx.commit().await?;
    catalog_changed(state).await;
    Ok(())
}

/// Locks the pictures of `product`'s images, in one order (by hash, so two deletions sharing
/// pictures can't deadlock), before the product is deleted with them: no upload of the same
/// picture can slip in between. Returns them for [`release_pictures`].
pub(super) async fn lock_pictures_of(
    tx: &mut sqlx::PgConnection,
    product: ProductId,
) -> Result<Vec<ImageRow>, ServiceError> {
    let mut rows = repo::list_images(&mut *tx, product).await?;
    rows.sort_by(|a, b| a.content_hash.cmp(&b.content_hash));
    rows.dedup_by(|a, b| a.content_hash == b.content_hash);
    for row in &rows {
        repo::lock_picture(&mut *tx, &row.content_hash).await?;
    }
    Ok(rows)
}

/// Once their images are deleted in `tx`: removes the files of those pictures no other image
/// uses.
pub(super) async fn release_pictures(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    pictures: &[ImageRow],
) -> Result<(), ServiceError> {
    for row in pictures {
        if !repo::is_hash_used(&mut *tx, &row.content_hash).await? {
            delete_files(state, row).await;
        }
    }
    Ok(())
}

/// Removes a picture's files; a failure leaves an unused file behind, which is logged.
async fn delete_files(state: &AppState, row: &ImageRow) {
    let format = Format::parse(&row.format);
    let mut keys = vec![imaging::original_key(&row.content_hash, format)];
    for &width in &row.rendition_widths {
        keys.push(rendition_key(&row.content_hash, width, "webp"));
        keys.push(rendition_key(&row.content_hash, width, format.extension()));
    }
    for key in keys {
        if let Err(err) = state.media.delete(&key).await {
            tracing::warn!(event = "media_delete_failed", key, error = %err, "an unused media file was left behind");
        }
    }
}

/// The job: makes the renditions of an image's picture, stores them and marks every image of
/// that picture `ready`. Idempotent: a picture whose renditions exist is left alone. A picture
/// that can't be decoded is marked `failed` (retrying would not help); a store that fails is
/// an error, so the job is retried.
pub async fn make_renditions(state: &AppState, image: Uuid) -> Result<(), ServiceError> {
    let Some(row) = repo::find_image(&state.db, image, None).await? else {
        return Ok(()); // deleted since
    };
    if row.status == ImageStatus::Ready {
        return Ok(());
    }
    let format = Format::parse(&row.format);
    let Some(original) = state
        .media
        .get(&imaging::original_key(&row.content_hash, format))
        .await?
    else {
        tracing::warn!(event = "image_failed", image = %image, "the original is missing from the media store");
        repo::finish_processing(&state.db, &row.content_hash, ImageStatus::Failed, &[]).await?;
        return Ok(());
    };
    let made = tokio::task::spawn_blocking(move || imaging::renditions(&original, format))
        .await
        .map_err(|err| ServiceError::Unexpected(format!("renditions panicked: {err}")))?;
    let files = match made {
        Ok(files) => files,
        Err(err) => {
            tracing::warn!(event = "image_failed", image = %image, error = %err, "renditions could not be made");
            repo::finish_processing(&state.db, &row.content_hash, ImageStatus::Failed, &[]).await?;
            catalog_changed(state).await;
            return Ok(());
        }
    };
    let widths = put_renditions(state, &row.content_hash, format, &files).await?;
    repo::finish_processing(&state.db, &row.content_hash, ImageStatus::Ready, &widths).await?;
    tracing::info!(event = "image_ready", image = %image, renditions = widths.len(), "image renditions made");
    catalog_changed(state).await;
    Ok(())
}

/// Stores renditions' files; returns their widths.
async fn put_renditions(
    state: &AppState,
    hash: &str,
    format: Format,
    files: &[imaging::RenditionFiles],
) -> Result<Vec<i32>, ServiceError> {
    let mut widths = Vec::new();
    for file in files {
        let width = file.width as i32;
        state
            .media
            .put(&rendition_key(hash, width, "webp"), file.webp.clone())
            .await?;
        state
            .media
            .put(&rendition_key(hash, width, format.extension()), file.fallback.clone())
            .await?;
        widths.push(width);
    }
    Ok(widths)
}

/// Stores a picture already cleaned and rendered (the demo catalogue's, made once per process)
/// with its renditions; returns what its image rows need.
pub(crate) async fn store_prepared(
    state: &AppState,
    cleaned: &imaging::Cleaned,
    files: &[imaging::RenditionFiles],
) -> Result<StoredPicture, ServiceError> {
    let widths = put_renditions(state, &cleaned.hash, cleaned.format, files).await?;
    state
        .media
        .put(
            &imaging::original_key(&cleaned.hash, cleaned.format),
            cleaned.bytes.clone(),
        )
        .await?;
    Ok(StoredPicture {
        hash: cleaned.hash.clone(),
        format: cleaned.format.as_str(),
        width: cleaned.width as i32,
        height: cleaned.height as i32,
        widths,
    })
}

/// A picture in the media store with its renditions.
#[derive(Clone, Debug)]
pub struct StoredPicture {
    pub hash: String,
    pub format: &'static str,
    pub width: i32,
    pub height: i32,
    pub widths: Vec<i32>,
}
