//! `/api/v1/addresses`: the caller's shipping addresses. Another user's address is a 404.

use app::domain::PageRequest;
use app::domain::identity::{AddressId, AddressInput, AddressView};
use app::error::AppError;
use app::services::identity;
use app::state::AppState;
use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::Authenticated;
use super::envelope::{
    ApiJson, ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope, PageQuery, if_match, not_modified, versioned,
};

fn single(address: AddressView, status: StatusCode) -> Response {
    versioned(address.version, address, status)
}

#[utoipa::path(get, path = "/addresses", tag = "account", security(("bearer" = [])), params(PageQuery),
    responses(
        (status = 200, description = "The caller's addresses, the default first", body = ListEnvelope<AddressView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 422, description = "Bad paging", body = ErrorEnvelope),
    ))]
pub async fn list_addresses(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ListEnvelope<AddressView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let addresses = identity::list_addresses(&state, &actor, page).await?;
    Ok(Json(ListEnvelope::new(addresses, &uri)))
}

#[utoipa::path(post, path = "/addresses", tag = "account", security(("bearer" = [])), request_body = AddressInput,
    responses(
        (status = 201, description = "Created", body = DataEnvelope<AddressView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn create_address(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<AddressInput>,
) -> Result<Response, AppError> {
    Ok(single(
        identity::create_address(&state, &actor, input).await?,
        StatusCode::CREATED,
    ))
}

#[utoipa::path(get, path = "/addresses/{id}", tag = "account", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Address id")),
    responses(
        (status = 200, description = "The address, with an ETag", body = DataEnvelope<AddressView>),
        (status = 304, description = "Unchanged since If-None-Match"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 404, description = "No such address of the caller's", body = ErrorEnvelope),
    ))]
pub async fn get_address(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let address = identity::get_address(&state, &actor, AddressId(id)).await?;
    if let Some(not_modified) = not_modified(&headers, address.version) {
        return Ok(not_modified);
    }
    Ok(single(address, StatusCode::OK))
}

#[utoipa::path(put, path = "/addresses/{id}", tag = "account", security(("bearer" = [])), request_body = AddressInput,
    params(("id" = Uuid, Path, description = "Address id"), ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409")),
    responses(
        (status = 200, description = "Replaced", body = DataEnvelope<AddressView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 404, description = "No such address of the caller's", body = ErrorEnvelope),
        (status = 409, description = "Changed since the ETag in If-Match", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn update_address(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<AddressInput>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    Ok(single(
        identity::update_address(&state, &actor, AddressId(id), version, input).await?,
        StatusCode::OK,
    ))
}

#[utoipa::path(delete, path = "/addresses/{id}", tag = "account", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Address id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 404, description = "No such address of the caller's", body = ErrorEnvelope),
    ))]
pub async fn delete_address(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    identity::delete_address(&state, &actor, AddressId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_addresses, create_address))
        .routes(routes!(get_address, update_address, delete_address))
}
