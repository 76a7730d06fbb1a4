//! `/api/v1/tax-rates`, `/api/v1/shipping-methods` and `/api/v1/discount-codes`: the pricing
//! rules. Anyone reads tax rates and the active shipping methods; staff with `pricing:write`
//! change them, see inactive methods, and alone read discount codes.

use app::domain::PageRequest;
use app::domain::pricing::discounts::{CreateDiscountCode, DiscountCodeView, UpdateDiscountCode};
use app::domain::pricing::rules::{
    CreateShippingMethod, ShippingMethodView, TaxRateInput, TaxRateView, UpdateShippingMethod,
};
use app::error::AppError;
use app::services::pricing;
use app::state::AppState;
use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::{Authenticated, MaybeAuthenticated};
use super::envelope::{
    ApiJson, ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope, PageQuery, created_at, if_match, not_modified,
    versioned, with_content_etag,
};

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
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2 code (any case), e.g. DE", pattern = r"^[A-Za-z]{2}$"),
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
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2 code (any case), e.g. DE", pattern = r"^[A-Za-z]{2}$"),
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
        created_at(&location, versioned(rate.version, rate, StatusCode::OK))
    } else {
        versioned(rate.version, rate, StatusCode::OK)
    })
}

#[utoipa::path(delete, path = "/tax-rates/{country}", tag = "pricing", security(("bearer" = [])),
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2 code (any case), e.g. DE", pattern = r"^[A-Za-z]{2}$")),
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
    #[param(pattern = r"^[A-Za-z]{2}$")]
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
    Ok(created_at(&location, versioned(method.version, method, StatusCode::OK)))
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiscountCodeQuery {
    /// Part of a code (any case).
    #[param(max_length = 32, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub q: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

#[utoipa::path(get, path = "/discount-codes", tag = "pricing", security(("bearer" = [])), params(DiscountCodeQuery),
    responses(
        (status = 200, description = "Codes, newest first, with their uses so far", body = ListEnvelope<DiscountCodeView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks pricing:write", body = ErrorEnvelope),
        (status = 422, description = "Bad paging", body = ErrorEnvelope),
    ))]
pub async fn list_discount_codes(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<DiscountCodeQuery>,
) -> Result<Json<ListEnvelope<DiscountCodeView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let codes = pricing::list_discount_codes(&state, &actor, query.q.as_deref(), page).await?;
    Ok(Json(ListEnvelope::new(codes, &uri)))
}

#[utoipa::path(post, path = "/discount-codes", tag = "pricing", security(("bearer" = [])), request_body = CreateDiscountCode,
    responses(
        (status = 201, description = "Created; `Location` names it", body = DataEnvelope<DiscountCodeView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks pricing:write", body = ErrorEnvelope),
        (status = 409, description = "The code is taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn create_discount_code(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<CreateDiscountCode>,
) -> Result<Response, AppError> {
    let code = pricing::create_discount_code(&state, &actor, input).await?;
    let location = format!("/api/v1/discount-codes/{}", code.id);
    Ok(created_at(&location, versioned(code.version, code, StatusCode::OK)))
}

#[utoipa::path(get, path = "/discount-codes/{id}", tag = "pricing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Discount code id"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer; unchanged → 304")),
    responses(
        (status = 200, description = "The code, with an ETag", body = DataEnvelope<DiscountCodeView>),
        (status = 304, description = "Unchanged since If-None-Match"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks pricing:write", body = ErrorEnvelope),
        (status = 404, description = "No such code", body = ErrorEnvelope),
    ))]
pub async fn get_discount_code(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let code = pricing::get_discount_code(&state, &actor, id).await?;
    // Uses move without the version: the tag covers the whole content.
    Ok(with_content_etag(&headers, code.version, code))
}

#[utoipa::path(patch, path = "/discount-codes/{id}", tag = "pricing", security(("bearer" = [])), request_body = UpdateDiscountCode,
    params(("id" = Uuid, Path, description = "Discount code id"),
        ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409")),
    responses(
        (status = 200, description = "Changed", body = DataEnvelope<DiscountCodeView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks pricing:write", body = ErrorEnvelope),
        (status = 404, description = "No such code", body = ErrorEnvelope),
        (status = 409, description = "Edited since the ETag in If-Match (or `version`), or the code is taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn update_discount_code(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<UpdateDiscountCode>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    let code = pricing::update_discount_code(&state, &actor, id, version, input).await?;
    Ok(versioned(code.version, code, StatusCode::OK))
}

#[utoipa::path(delete, path = "/discount-codes/{id}", tag = "pricing", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Discount code id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks pricing:write", body = ErrorEnvelope),
        (status = 404, description = "No such code", body = ErrorEnvelope),
    ))]
pub async fn delete_discount_code(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    pricing::delete_discount_code(&state, &actor, id).await?;
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
        .routes(routes!(list_discount_codes, create_discount_code))
        .routes(routes!(get_discount_code, update_discount_code, delete_discount_code))
}
