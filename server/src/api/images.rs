//! `/api/v1/products/{id}/images`: a product's gallery. Staff with `products:write` upload
//! pictures (multipart, under `MAX_UPLOAD_BYTES` rather than `MAX_BODY_BYTES`), change their alt
//! text and order, and delete them; anyone reads an active product's ready images.

use app::domain::ProductId;
use app::domain::catalog::images::{ImageView, UpdateImage};
use app::error::{AppError, ErrorCode, FieldErrors};
use app::services::catalog::images;
use app::state::AppState;
use axum::Json;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::{Authenticated, MaybeAuthenticated};
use super::envelope::{ApiJson, DataEnvelope, ErrorEnvelope, created_at, if_match, versioned};

const PRODUCT_ID: &str = "The product's id";
const IMAGE_ID: &str = "The image's id";

/// `POST /products/{id}/images`, as `multipart/form-data`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImageUpload {
    /// A JPEG, PNG or WebP picture (the type is read from its content).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Text for people who can't see the picture.
    #[schema(max_length = 300)]
    alt: Option<String>,
}

fn multipart_error(err: MultipartError) -> AppError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(
            ErrorCode::PayloadTooLarge,
            "The upload is larger than this shop accepts (MAX_UPLOAD_BYTES).",
        )
    } else {
        AppError::new(
            ErrorCode::BadRequest,
            format!("The form could not be read: {}", err.body_text()),
        )
    }
}

fn required_file() -> AppError {
    let mut details = FieldErrors::new();
    details.insert("file".into(), vec!["is required: the picture to upload".into()]);
    AppError::validation(details)
}

/// Adds a picture to a product's gallery, after its last image. It is `processing` until its
/// renditions are made (seconds), then `ready` and shown on the shop.
#[utoipa::path(post, path = "/products/{id}/images", tag = "catalog", security(("bearer" = [])),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
    params(("id" = Uuid, Path, description = PRODUCT_ID)),
    responses(
        (status = 201, description = "Stored; `Location` names it", body = DataEnvelope<ImageView>),
        (status = 400, description = "The multipart body could not be read", body = ErrorEnvelope),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product", body = ErrorEnvelope),
        (status = 413, description = "Larger than MAX_UPLOAD_BYTES", body = ErrorEnvelope),
        (status = 415, description = "Not multipart, or the file is not a JPEG, PNG or WebP image", body = ErrorEnvelope),
        (status = 422, description = "No file, an unreadable or too large picture (a decompression bomb), or bad alt text", body = ErrorEnvelope),
    ))]
pub async fn upload_image(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    // Refused before the body is read.
    images::check_upload(&actor)?;
    let mut multipart = multipart.map_err(|_| {
        AppError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the picture as multipart/form-data with a `file` field (and optionally `alt`).",
        )
    })?;
    let (mut file, mut alt) = (None, String::new());
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => file = Some(field.bytes().await.map_err(multipart_error)?.to_vec()),
            Some("alt") => alt = field.text().await.map_err(multipart_error)?,
            _ => {}
        }
    }
    let file = file.ok_or_else(required_file)?;
    let image = images::upload_image(&state, &actor, ProductId(id), file, &alt).await?;
    let location = format!("/api/v1/products/{id}/images/{}", image.id);
    Ok(created_at(&location, versioned(image.version, image, StatusCode::OK)))
}

/// A product's images in gallery order: the ready ones, or every one with its status for
/// staff.
#[utoipa::path(get, path = "/products/{id}/images", tag = "catalog", security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = PRODUCT_ID)),
    responses(
        (status = 200, description = "The gallery", body = DataEnvelope<Vec<ImageView>>),
        (status = 404, description = "No such product (or hidden from the caller)", body = ErrorEnvelope),
    ))]
pub async fn list_images(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<DataEnvelope<Vec<ImageView>>>, AppError> {
    let images = images::list_images(&state, actor.as_ref(), ProductId(id)).await?;
    Ok(Json(DataEnvelope { data: images }))
}

/// One image of a product.
#[utoipa::path(get, path = "/products/{id}/images/{image_id}", tag = "catalog", security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = PRODUCT_ID), ("image_id" = Uuid, Path, description = IMAGE_ID)),
    responses(
        (status = 200, description = "The image", body = DataEnvelope<ImageView>),
        (status = 404, description = "No such product or image (or hidden from the caller)", body = ErrorEnvelope),
    ))]
pub async fn get_image(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    Path((id, image_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, AppError> {
    let image = images::get_image(&state, actor.as_ref(), ProductId(id), image_id).await?;
    Ok(versioned(image.version, image, StatusCode::OK))
}

/// Changes an image's alt text or position. Its renditions being made in between does not make
/// the change stale.
#[utoipa::path(patch, path = "/products/{id}/images/{image_id}", tag = "catalog", security(("bearer" = [])),
    request_body = UpdateImage,
    params(("id" = Uuid, Path, description = PRODUCT_ID), ("image_id" = Uuid, Path, description = IMAGE_ID),
        ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409")),
    responses(
        (status = 200, description = "Changed", body = DataEnvelope<ImageView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product or image", body = ErrorEnvelope),
        (status = 409, description = "Changed since the version given", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn update_image(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, image_id)): Path<(Uuid, Uuid)>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<UpdateImage>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    let image = images::update_image(&state, &actor, ProductId(id), image_id, version, input).await?;
    Ok(versioned(image.version, image, StatusCode::OK))
}

/// Deletes an image (its files go with the last image using the same picture).
#[utoipa::path(delete, path = "/products/{id}/images/{image_id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = PRODUCT_ID), ("image_id" = Uuid, Path, description = IMAGE_ID)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product or image", body = ErrorEnvelope),
    ))]
pub async fn delete_image(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, image_id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, AppError> {
    images::delete_image(&state, &actor, ProductId(id), image_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes; uploads may be up to `max_upload_bytes`.
pub fn router(max_upload_bytes: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_images, upload_image))
        .layer(DefaultBodyLimit::max(max_upload_bytes))
        .routes(routes!(get_image, update_image, delete_image))
}
