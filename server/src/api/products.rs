//! `/api/v1/products`: the catalogue for API clients — products, their variants and their
//! reviews. Anyone reads active products; staff with `products:write` write them.

use app::domain::catalog::editing::{CreateProduct, CreateVariant, ReplaceProduct, UpdateProduct, UpdateVariant};
use app::domain::catalog::reviews::{CreateReview, ReviewView};
use app::domain::catalog::{ProductDetail, ProductQuery, ProductRef, ProductSort, ProductStatus, VariantView};
use app::domain::{Page, PageRequest, ProductId, ProductView};
use app::error::AppError;
use app::services::catalog::editing::{self, ProductChange, Removal};
use app::services::catalog::{self, ProductLookup, reviews};
use app::state::AppState;
use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::{Authenticated, MaybeAuthenticated};
use super::envelope::{
    ApiJson, ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope, PageQuery, RetiredEnvelope, RetiredMeta, created_at,
    if_match, versioned, with_content_etag,
};

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
    /// `true`: featured products only (the home page's).
    #[param(value_type = Option<bool>)]
    pub featured: Option<String>,
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
        featured: query.featured,
    };
    let products = catalog::list_products(&state, actor.as_ref(), filter, page).await?;
    Ok(Json(ListEnvelope::new(products, &uri)))
}

/// Creates a product, optionally with its first variants (`draft` unless `status` says
/// otherwise).
#[utoipa::path(post, path = "/products", tag = "catalog", security(("bearer" = [])), request_body = CreateProduct,
    responses(
        (status = 201, description = "Created; `Location` names it", body = DataEnvelope<ProductDetail>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 409, description = "The slug or a SKU is taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields (`details` names them, `variants[i].field` for a variant), or no such category", body = ErrorEnvelope),
    ))]
pub async fn create_product(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<CreateProduct>,
) -> Result<Response, AppError> {
    let created = editing::create_product(&state, &actor, input).await?;
    Ok(created_at(
        &format!("/api/v1/products/{}", created.id.0),
        product_response(&HeaderMap::new(), created),
    ))
}

fn product_response(headers: &HeaderMap, product: ProductDetail) -> Response {
    with_content_etag(headers, product.version, product)
}

/// One product's page, by id or slug, with its variants. The `ETag` covers everything shown
/// (variants, stock state, rating), so a 304 is never stale; it also serves as `If-Match` for a
/// change. A slug the product had before answers 301 to the current one.
#[utoipa::path(
    get,
    path = "/products/{id}",
    tag = "catalog",
    params(("id" = String, Path, description = "The product's id or slug", min_length = 1, max_length = 200),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer; unchanged → 304")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The product", body = DataEnvelope<ProductDetail>),
        (status = 301, description = "An old slug: `Location` names the product's current address"),
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
    match catalog::get_product(&state, actor.as_ref(), ProductRef::parse(&id)).await? {
        ProductLookup::Found(product) => Ok(product_response(&headers, *product)),
        ProductLookup::Moved(slug) => Ok((
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, format!("/api/v1/products/{slug}"))],
        )
            .into_response()),
    }
}

const PRODUCT_ID: &str = "The product's id";

/// Replaces a product's fields as a whole (`name` and `status` required; its variants stay).
#[utoipa::path(put, path = "/products/{id}", tag = "catalog", security(("bearer" = [])), request_body = ReplaceProduct,
    params(("id" = Uuid, Path, description = PRODUCT_ID),
        ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409")),
    responses(
        (status = 200, description = "Changed", body = DataEnvelope<ProductDetail>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product", body = ErrorEnvelope),
        (status = 409, description = "Changed since the version given, or the slug is taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields, or no such category", body = ErrorEnvelope),
    ))]
pub async fn replace_product(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ReplaceProduct>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    let product =
        editing::update_product(&state, &actor, ProductId(id), version, ProductChange::Replace(input)).await?;
    Ok(product_response(&HeaderMap::new(), product))
}

/// Changes some of a product's fields; `category_id: null` removes its category.
#[utoipa::path(patch, path = "/products/{id}", tag = "catalog", security(("bearer" = [])), request_body = UpdateProduct,
    params(("id" = Uuid, Path, description = PRODUCT_ID),
        ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409")),
    responses(
        (status = 200, description = "Changed", body = DataEnvelope<ProductDetail>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product", body = ErrorEnvelope),
        (status = 409, description = "Changed since the version given, or the slug is taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields, or no such category", body = ErrorEnvelope),
    ))]
pub async fn update_product(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<UpdateProduct>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    let product = editing::update_product(&state, &actor, ProductId(id), version, ProductChange::Update(input)).await?;
    Ok(product_response(&HeaderMap::new(), product))
}

/// Deletes a product (204), or archives it when orders refer to it (200 with the archived
/// product and `meta.outcome: "archived"`).
#[utoipa::path(delete, path = "/products/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = PRODUCT_ID)),
    responses(
        (status = 200, description = "Archived instead: orders refer to it", body = RetiredEnvelope<ProductDetail>),
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product", body = ErrorEnvelope),
    ))]
pub async fn delete_product(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    Ok(match editing::delete_product(&state, &actor, ProductId(id)).await? {
        Removal::Deleted => StatusCode::NO_CONTENT.into_response(),
        Removal::Retired(product) => Json(RetiredEnvelope {
            data: *product,
            meta: RetiredMeta {
                outcome: "archived".into(),
                message: "Orders refer to this product, so it was archived instead of deleted.".into(),
            },
        })
        .into_response(),
    })
}

/// A product's variants in display order (staff also see switched-off ones, with stock).
#[utoipa::path(get, path = "/products/{id}/variants", tag = "catalog", security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = PRODUCT_ID), PageQuery),
    responses(
        (status = 200, description = "A page of variants", body = ListEnvelope<VariantView>),
        (status = 404, description = "No such product, or not active and the caller isn't staff", body = ErrorEnvelope),
    ))]
pub async fn list_variants(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    Path(id): Path<Uuid>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ListEnvelope<VariantView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let variants = editing::list_variants(&state, actor.as_ref(), ProductId(id)).await?;
    let total = variants.len() as u64;
    let items = variants
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(page.limit()).unwrap_or(0))
        .collect();
    Ok(Json(ListEnvelope::new(Page::new(items, page, total), &uri)))
}

/// Adds a variant to a product.
#[utoipa::path(post, path = "/products/{id}/variants", tag = "catalog", security(("bearer" = [])),
    request_body = CreateVariant,
    params(("id" = Uuid, Path, description = PRODUCT_ID)),
    responses(
        (status = 201, description = "Created; `Location` names it", body = DataEnvelope<VariantView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product", body = ErrorEnvelope),
        (status = 409, description = "The SKU is taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn create_variant(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<CreateVariant>,
) -> Result<Response, AppError> {
    let variant = editing::create_variant(&state, &actor, ProductId(id), input).await?;
    let location = format!("/api/v1/products/{id}/variants/{}", variant.id);
    Ok(created_at(
        &location,
        versioned(variant.version, variant, StatusCode::CREATED),
    ))
}

/// One variant of a product.
#[utoipa::path(get, path = "/products/{id}/variants/{variant_id}", tag = "catalog", security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = PRODUCT_ID), ("variant_id" = Uuid, Path, description = "The variant's id")),
    responses(
        (status = 200, description = "The variant", body = DataEnvelope<VariantView>),
        (status = 404, description = "No such product or variant (or hidden from the caller)", body = ErrorEnvelope),
    ))]
pub async fn get_variant(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    Path((id, variant_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, AppError> {
    let variant = editing::get_variant(&state, actor.as_ref(), ProductId(id), variant_id).await?;
    Ok(versioned(variant.version, variant, StatusCode::OK))
}

/// Changes a variant. A sale moving its stock in between does not make the change stale.
#[utoipa::path(patch, path = "/products/{id}/variants/{variant_id}", tag = "catalog", security(("bearer" = [])),
    request_body = UpdateVariant,
    params(("id" = Uuid, Path, description = PRODUCT_ID), ("variant_id" = Uuid, Path, description = "The variant's id"),
        ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409")),
    responses(
        (status = 200, description = "Changed", body = DataEnvelope<VariantView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product or variant", body = ErrorEnvelope),
        (status = 409, description = "Changed since the version given, or the SKU is taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn update_variant(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, variant_id)): Path<(Uuid, Uuid)>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<UpdateVariant>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    let variant = editing::update_variant(&state, &actor, ProductId(id), variant_id, version, input).await?;
    Ok(versioned(variant.version, variant, StatusCode::OK))
}

/// Deletes a variant (204), or switches it off when orders refer to it (200 with
/// `meta.outcome: "deactivated"`).
#[utoipa::path(delete, path = "/products/{id}/variants/{variant_id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = PRODUCT_ID), ("variant_id" = Uuid, Path, description = "The variant's id")),
    responses(
        (status = 200, description = "Switched off instead: orders refer to it", body = RetiredEnvelope<VariantView>),
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product or variant", body = ErrorEnvelope),
    ))]
pub async fn delete_variant(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, variant_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, AppError> {
    Ok(
        match editing::delete_variant(&state, &actor, ProductId(id), variant_id).await? {
            Removal::Deleted => StatusCode::NO_CONTENT.into_response(),
            Removal::Retired(variant) => Json(RetiredEnvelope {
                data: variant,
                meta: RetiredMeta {
                    outcome: "deactivated".into(),
                    message: "Orders refer to this variant, so it was switched off instead of deleted.".into(),
                },
            })
            .into_response(),
        },
    )
}

/// A product's approved reviews, newest first.
#[utoipa::path(get, path = "/products/{id}/reviews", tag = "catalog", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The product's id or slug", min_length = 1, max_length = 200), PageQuery),
    responses(
        (status = 200, description = "A page of approved reviews", body = ListEnvelope<ReviewView>),
        (status = 404, description = "No such product, or not active and the caller isn't staff", body = ErrorEnvelope),
    ))]
pub async fn list_product_reviews(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ListEnvelope<ReviewView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let reviews = reviews::list_product_reviews(&state, actor.as_ref(), ProductRef::parse(&id), page).await?;
    Ok(Json(ListEnvelope::new(reviews, &uri)))
}

/// Reviews an active product (any signed-in customer, once per product). The review is shown
/// once a moderator approves it.
#[utoipa::path(post, path = "/products/{id}/reviews", tag = "catalog", security(("bearer" = [])),
    request_body = CreateReview,
    params(("id" = Uuid, Path, description = PRODUCT_ID)),
    responses(
        (status = 201, description = "Created, pending moderation; `Location` names it", body = DataEnvelope<ReviewView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 404, description = "No such active product", body = ErrorEnvelope),
        (status = 409, description = "The caller has reviewed this product already", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields (rating 1 to 5, a title)", body = ErrorEnvelope),
    ))]
pub async fn create_review(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<CreateReview>,
) -> Result<Response, AppError> {
    let review = reviews::create_review(&state, &actor, ProductId(id), input).await?;
    let location = format!("/api/v1/reviews/{}", review.id.0);
    Ok(created_at(
        &location,
        versioned(review.version, review, StatusCode::CREATED),
    ))
}

/// `POST /products/bulk-status`: several products' status at once.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BulkStatus {
    /// The products to change (1 to 100).
    #[schema(min_items = 1, max_items = 100)]
    pub ids: Vec<Uuid>,
    pub status: ProductStatus,
}

/// What a bulk change did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkOutcome {
    /// How many products now have the status.
    pub changed: usize,
}

/// Publishes, archives or unpublishes several products at once, all or none.
#[utoipa::path(post, path = "/products/bulk-status", tag = "catalog", security(("bearer" = [])),
    request_body = BulkStatus,
    responses(
        (status = 200, description = "Every product named now has the status", body = DataEnvelope<BulkOutcome>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "An id names no product; nothing changed", body = ErrorEnvelope),
        (status = 422, description = "No ids, or more than 100", body = ErrorEnvelope),
    ))]
pub async fn bulk_status(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<BulkStatus>,
) -> Result<Json<DataEnvelope<BulkOutcome>>, AppError> {
    let ids: Vec<ProductId> = input.ids.into_iter().map(ProductId).collect();
    let changed = editing::set_status_many(&state, &actor, &ids, input.status).await?;
    Ok(Json(DataEnvelope {
        data: BulkOutcome { changed },
    }))
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(bulk_status))
        .routes(routes!(get_product, replace_product, update_product, delete_product))
        .routes(routes!(list_variants, create_variant))
        .routes(routes!(get_variant, update_variant, delete_variant))
        .routes(routes!(list_product_reviews, create_review))
}
