//! `/api/v1/products`: the catalogue for API clients.

use app::domain::catalog::{ProductDetail, ProductQuery, ProductRef, ProductSort, ProductStatus};
use app::domain::{PageRequest, ProductView};
use app::error::AppError;
use app::services::catalog;
use app::state::AppState;
use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::MaybeAuthenticated;
use super::envelope::{ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope, with_content_etag};

/// The product list's parameters. Search reuses these names.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListQuery {
    /// A category's id or slug; its subcategories' products are included.
    #[param(max_length = 100)]
    pub category: Option<String>,
    /// Lowest price of the cheapest active variant, a decimal in the store currency.
    #[param(value_type = Option<f64>, minimum = 0, maximum = 9999999999.0)]
    pub min_price: Option<String>,
    /// Highest price of the cheapest active variant (not below `min_price`).
    #[param(value_type = Option<f64>, minimum = 0, maximum = 9999999999.0)]
    pub max_price: Option<String>,
    /// Only products that can be bought now (`true`) or only sold-out ones (`false`).
    #[param(value_type = Option<bool>)]
    pub in_stock: Option<String>,
    /// Lowest average rating, 1 to 5.
    #[param(value_type = Option<f64>, minimum = 1, maximum = 5)]
    pub min_rating: Option<String>,
    /// Part of a product's name or of one of its SKUs.
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub q: Option<String>,
    /// `active` for everyone (the default); other statuses need `products:write`.
    #[param(value_type = Option<ProductStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<ProductSort>)]
    pub sort: Option<String>,
    /// Page number, from 1. Default 1.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Items per page, 1 to 100. Default 20.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// Lists purchasable products, filtered, sorted and a page at a time.
#[utoipa::path(
    get,
    path = "/products",
    tag = "catalog",
    params(ProductListQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of products", body = ListEnvelope<ProductView>),
        (status = 401, description = "An access token was sent and is not valid", body = ErrorEnvelope),
        (status = 403, description = "A status other than `active` without `products:write`", body = ErrorEnvelope),
        (status = 422, description = "A parameter is invalid (`details` names it), or no such category", body = ErrorEnvelope),
    )
)]
pub async fn list_products(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<ProductListQuery>,
) -> Result<Json<ListEnvelope<ProductView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let filter = ProductQuery {
        category: query.category,
        min_price: query.min_price,
        max_price: query.max_price,
        in_stock: query.in_stock,
        min_rating: query.min_rating,
        q: query.q,
        status: query.status,
        sort: query.sort,
    };
    let products = catalog::list_products(&state, actor.as_ref(), filter, page).await?;
    Ok(Json(ListEnvelope::new(products, &uri)))
}

/// One product's page, by id or slug, with its variants. The `ETag` covers everything shown
/// (variants, stock state, rating), so a 304 is never stale.
#[utoipa::path(
    get,
    path = "/products/{id}",
    tag = "catalog",
    params(("id" = String, Path, description = "The product's id or slug", min_length = 1, max_length = 200),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer; unchanged → 304")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The product", body = DataEnvelope<ProductDetail>),
        (status = 304, description = "Unchanged since If-None-Match"),
        (status = 401, description = "An access token was sent and is not valid", body = ErrorEnvelope),
        (status = 404, description = "No such product, or not active and the caller isn't staff", body = ErrorEnvelope),
    )
)]
pub async fn get_product(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let product = catalog::get_product(&state, actor.as_ref(), ProductRef::parse(&id)).await?;
    Ok(with_content_etag(&headers, product))
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products))
        .routes(routes!(get_product))
}
