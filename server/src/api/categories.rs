//! `/api/v1/categories`: the category tree (anyone may read it; staff with `products:write`
//! change it). `GET /categories` is the whole tree, not paginated.

use app::domain::CategoryId;
use app::domain::catalog::{CategoryView, CreateCategory, UpdateCategory};
use app::error::AppError;
use app::services::catalog;
use app::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::Authenticated;
use super::envelope::{ApiJson, DataEnvelope, ErrorEnvelope, created_at, if_match, not_modified, versioned};

/// The whole tree: top-level categories, each with its `children`, in display order.
#[utoipa::path(get, path = "/categories", tag = "catalog",
    responses((status = 200, description = "Every category, nested", body = DataEnvelope<Vec<CategoryView>>)))]
pub async fn list_categories(State(state): State<AppState>) -> Result<Json<DataEnvelope<Vec<CategoryView>>>, AppError> {
    Ok(Json(DataEnvelope {
        data: catalog::list_categories(&state).await?,
    }))
}

/// Creates a category; the slug is made from the name when not given.
#[utoipa::path(post, path = "/categories", tag = "catalog", security(("bearer" = [])), request_body = CreateCategory,
    responses(
        (status = 201, description = "Created; `Location` names it", body = DataEnvelope<CategoryView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 409, description = "The slug is taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields, or no such parent", body = ErrorEnvelope),
    ))]
pub async fn create_category(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<CreateCategory>,
) -> Result<Response, AppError> {
    let created = catalog::create_category(&state, &actor, input).await?;
    let location = format!("/api/v1/categories/{}", created.id.0);
    Ok(created_at(
        &location,
        versioned(created.version, created, StatusCode::OK),
    ))
}

/// One category (without its subcategories), with an `ETag`.
#[utoipa::path(get, path = "/categories/{id}", tag = "catalog",
    params(("id" = Uuid, Path, description = "Category id"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer; unchanged → 304")),
    responses(
        (status = 200, description = "The category", body = DataEnvelope<CategoryView>),
        (status = 304, description = "Unchanged since If-None-Match"),
    ))]
pub async fn get_category(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let category = catalog::get_category(&state, CategoryId(id)).await?;
    if let Some(not_modified) = not_modified(&headers, category.version) {
        return Ok(not_modified);
    }
    Ok(versioned(category.version, category, StatusCode::OK))
}

/// Renames, re-slugs, reorders or moves a category (never under itself or a descendant).
#[utoipa::path(patch, path = "/categories/{id}", tag = "catalog", security(("bearer" = [])), request_body = UpdateCategory,
    params(("id" = Uuid, Path, description = "Category id"),
        ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409")),
    responses(
        (status = 200, description = "Changed", body = DataEnvelope<CategoryView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 409, description = "Changed since the version given, or the slug is taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields, no such parent, or a move that would make a cycle", body = ErrorEnvelope),
    ))]
pub async fn update_category(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<UpdateCategory>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    let category = catalog::update_category(&state, &actor, CategoryId(id), version, input).await?;
    Ok(versioned(category.version, category, StatusCode::OK))
}

/// Deletes a category without subcategories; its products stay, without a category.
#[utoipa::path(delete, path = "/categories/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Category id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 409, description = "It has subcategories", body = ErrorEnvelope),
    ))]
pub async fn delete_category(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, AppError> {
    catalog::delete_category(&state, &actor, CategoryId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(get_category, update_category, delete_category))
}
