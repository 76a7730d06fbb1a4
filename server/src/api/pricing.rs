//! `/api/v1/tax-rates` and `/api/v1/shipping-methods`: the pricing rules. Anyone reads tax rates
//! and the active shipping methods; staff with `pricing:write` change them (and see inactive
//! methods).

use app::domain::PageRequest;
use app::domain::pricing::rules::{
    CreateShippingMethod, ShippingMethodView, TaxRateInput, TaxRateView, UpdateShippingMethod,
};
use app::error::AppError;
use app::services::pricing;
use app::state::AppState;
use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::{Authenticated, MaybeAuthenticated};
use super::envelope::{
    ApiJson, ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope, PageQuery, if_match, not_modified, versioned,
};

/// A created resource: 201, its `ETag` and `Location`.
fn created<T: serde::Serialize>(version: i32, body: T, location: &str) -> Response {
    let mut response = versioned(version, body, StatusCode::CREATED);
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

#[utoipa::path(get, path = "/tax-rates", tag = "pricing", params(PageQuery),
    responses(
        (status = 200, description = "Tax rates by country code", body = ListEnvelope<TaxRateView>),
        (status = 422, description = "Bad paging", body = ErrorEnvelope),
    ))]
pub async fn list_tax_rates(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ListEnvelope<TaxRateView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    Ok(Json(ListEnvelope::new(
        pricing::list_tax_rates(&state, page).await?,
        &uri,
    )))
}

#[utoipa::path(get, path = "/tax-rates/{country}", tag = "pricing",
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2 code, e.g. DE"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer; unchanged → 304")),
    responses(
        (status = 200, description = "The country's rate, with an ETag", body = DataEnvelope<TaxRateView>),
        (status = 304, description = "Unchanged since If-None-Match"),
        (status = 404, description = "No rate for that country", body = ErrorEnvelope),
    ))]
pub async fn get_tax_rate(
    State(state): State<AppState>,
    Path(country): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let rate = pricing::get_tax_rate(&state, &country).await?;
    if let Some(not_modified) = not_modified(&headers, rate.version) {
        return Ok(not_modified);
    }
    Ok(versioned(rate.version, rate, StatusCode::OK))
}

/// Sets a country's rate: 201 when the country had none, 200 when it is replaced.
#[utoipa::path(put, path = "/tax-rates/{country}", tag = "pricing", security(("bearer" = [])), request_body = TaxRateInput,
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2 code, e.g. DE"),
        ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409")),
    responses(
        (status = 200, description = "Replaced", body = DataEnvelope<TaxRateView>),
        (status = 201, description = "Created; `Location` names it", body = DataEnvelope<TaxRateView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks pricing:write", body = ErrorEnvelope),
        (status = 409, description = "Changed since the ETag in If-Match", body = ErrorEnvelope),
        (status = 422, description = "Invalid rate or country code", body = ErrorEnvelope),
    ))]
pub async fn put_tax_rate(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(country): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<TaxRateInput>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    let (rate, is_new) = pricing::put_tax_rate(&state, &actor, &country, version, input).await?;
    Ok(if is_new {
        let location = format!("/api/v1/tax-rates/{}", rate.country);
        created(rate.version, rate, &location)
    } else {
        versioned(rate.version, rate, StatusCode::OK)
    })
}

#[utoipa::path(delete, path = "/tax-rates/{country}", tag = "pricing", security(("bearer" = [])),
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2 code, e.g. DE")),
    responses(
        (status = 204, description = "Deleted: the country is taxed at 0 % from now on"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks pricing:write", body = ErrorEnvelope),
        (status = 404, description = "No rate for that country", body = ErrorEnvelope),
    ))]
pub async fn delete_tax_rate(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(country): Path<String>,
) -> Result<StatusCode, AppError> {
    pricing::delete_tax_rate(&state, &actor, &country).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShippingMethodQuery {
    /// Only the methods that ship to this country (ISO 3166-1 alpha-2).
    #[param(pattern = r"^\s*[A-Za-z]{2}\s*$")]
    pub country: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

#[utoipa::path(get, path = "/shipping-methods", tag = "pricing", params(ShippingMethodQuery),
    responses(
        (status = 200, description = "Shipping methods by name: the active ones (staff with pricing:write see every one)", body = ListEnvelope<ShippingMethodView>),
        (status = 422, description = "Bad paging or country code", body = ErrorEnvelope),
    ))]
pub async fn list_shipping_methods(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<ShippingMethodQuery>,
) -> Result<Json<ListEnvelope<ShippingMethodView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let methods = pricing::list_shipping_methods(&state, actor.as_ref(), query.country.as_deref(), page).await?;
    Ok(Json(ListEnvelope::new(methods, &uri)))
}

#[utoipa::path(post, path = "/shipping-methods", tag = "pricing", security(("bearer" = [])), request_body = CreateShippingMethod,
    responses(
        (status = 201, description = "Created; `Location` names it", body = DataEnvelope<ShippingMethodView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks pricing:write", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn create_shipping_method(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<CreateShippingMethod>,
) -> Result<Response, AppError> {
    let method = pricing::create_shipping_method(&state, &actor, input).await?;
    let location = format!("/api/v1/shipping-methods/{}", method.id);
    Ok(created(method.version, method, &location))
}

#[utoipa::path(get, path = "/shipping-methods/{id}", tag = "pricing",
    params(("id" = Uuid, Path, description = "Shipping method id"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer; unchanged → 304")),
    responses(
        (status = 200, description = "The method, with an ETag", body = DataEnvelope<ShippingMethodView>),
        (status = 304, description = "Unchanged since If-None-Match"),
        (status = 404, description = "No such method (or inactive, to anyone but staff)", body = ErrorEnvelope),
    ))]
pub async fn get_shipping_method(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let method = pricing::get_shipping_method(&state, actor.as_ref(), id).await?;
    if let Some(not_modified) = not_modified(&headers, method.version) {
        return Ok(not_modified);
    }
    Ok(versioned(method.version, method, StatusCode::OK))
}

#[utoipa::path(patch, path = "/shipping-methods/{id}", tag = "pricing", security(("bearer" = [])), request_body = UpdateShippingMethod,
    params(("id" = Uuid, Path, description = "Shipping method id"),
        ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409")),
    responses(
        (status = 200, description = "Changed", body = DataEnvelope<ShippingMethodView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks pricing:write", body = ErrorEnvelope),
        (status = 404, description = "No such method", body = ErrorEnvelope),
        (status = 409, description = "Changed since the ETag in If-Match (or `version`)", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn update_shipping_method(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<UpdateShippingMethod>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    let method = pricing::update_shipping_method(&state, &actor, id, version, input).await?;
    Ok(versioned(method.version, method, StatusCode::OK))
}

#[utoipa::path(delete, path = "/shipping-methods/{id}", tag = "pricing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Shipping method id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks pricing:write", body = ErrorEnvelope),
        (status = 404, description = "No such method", body = ErrorEnvelope),
    ))]
pub async fn delete_shipping_method(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    pricing::delete_shipping_method(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tax_rates))
        .routes(routes!(get_tax_rate, put_tax_rate, delete_tax_rate))
        .routes(routes!(list_shipping_methods, create_shipping_method))
        .routes(routes!(
            get_shipping_method,
            update_shipping_method,
            delete_shipping_method
        ))
}
