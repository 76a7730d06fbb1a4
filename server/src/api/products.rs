//! `/api/v1/products`: the catalogue for API clients.

use app::domain::{PageRequest, ProductView};
use app::error::AppError;
use app::services::catalog;
use app::state::AppState;
use axum::Json;
use axum::extract::{OriginalUri, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::envelope::{ApiQuery, ErrorEnvelope, ListEnvelope, PageQuery};

/// Lists active products, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/products",
    tag = "catalog",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of products", body = ListEnvelope<ProductView>),
        (status = 400, description = "Unreadable query string", body = ErrorEnvelope),
        (status = 422, description = "`page` or `per_page` out of range", body = ErrorEnvelope),
    )
)]
pub async fn list_products(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ListEnvelope<ProductView>>, AppError> {
    let request = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let page = catalog::list_products(&state, request).await?;
    Ok(Json(ListEnvelope::new(page, &uri)))
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_products))
}
