//! `/api/v1/products/{id}/…/stock-adjustments`: staff (`products:write`) add or take away a
//! variant's units with a reason, and read a product's stock history back, newest first.

use app::domain::catalog::stock::{AdjustStock, StockAdjustmentView};
use app::domain::{PageRequest, ProductId};
use app::error::AppError;
use app::services::catalog::stock;
use app::state::AppState;
use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::Authenticated;
use super::envelope::{ApiJson, ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope, PageQuery};

/// Adds (positive `delta`) or takes away (negative) units of a variant, with a reason:
/// `received`, `damaged` or `count_correction`. Recorded with who and when.
#[utoipa::path(post, path = "/products/{id}/variants/{variant_id}/stock-adjustments", tag = "catalog",
    security(("bearer" = [])),
    request_body = AdjustStock,
    params(("id" = Uuid, Path, description = "The product's id"), ("variant_id" = Uuid, Path, description = "The variant's id")),
    responses(
        (status = 201, description = "Recorded; `stock_after` is the stock now", body = DataEnvelope<StockAdjustmentView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product or variant", body = ErrorEnvelope),
        (status = 422, description = "Zero or too large a delta, one taking the stock below zero, an unknown reason, a bad note", body = ErrorEnvelope),
    ))]
pub async fn adjust_stock(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path((id, variant_id)): Path<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<AdjustStock>,
) -> Result<Response, AppError> {
    let adjustment = stock::adjust_stock(&state, &actor, ProductId(id), variant_id, input).await?;
    Ok((StatusCode::CREATED, Json(DataEnvelope { data: adjustment })).into_response())
}

/// The product's stock history (every variant), newest first.
#[utoipa::path(get, path = "/products/{id}/stock-adjustments", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The product's id"), PageQuery),
    responses(
        (status = 200, description = "A page of adjustments", body = ListEnvelope<StockAdjustmentView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such product", body = ErrorEnvelope),
        (status = 422, description = "Bad page parameters", body = ErrorEnvelope),
    ))]
pub async fn list_stock_adjustments(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ListEnvelope<StockAdjustmentView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let history = stock::list_stock_adjustments(&state, &actor, ProductId(id), page).await?;
    Ok(Json(ListEnvelope::new(history, &uri)))
}

/// This module's routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(adjust_stock))
        .routes(routes!(list_stock_adjustments))
}
