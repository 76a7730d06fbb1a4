//! `/api/v1/orders`: checkout (`POST`, from the caller's cart), the caller's orders, one order,
//! a customer's cancellation, and staff's status changes (`orders:manage`). Another customer's
//! order is a 404. A guest reads their order with the key from its link (`?key=`).

use app::domain::PageRequest;
use app::domain::orders::{ChangeOrderStatus, OrderStatus, OrderSummary, OrderView, PlaceOrder, PlacedOrder};
use app::error::{AppError, ErrorCode};
use app::services::orders::{self, OrderQuery, OrderReader};
use app::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, OriginalUri, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::{Authenticated, MaybeAuthenticated};
use super::carts::CartCaller;
use super::envelope::{
    ApiJson, ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope, created_at, if_match, version_etag,
};

/// An order, private to whoever may read it.
fn order_response<T: serde::Serialize>(status: StatusCode, version: i32, order: T) -> Response {
    let mut response = (
        status,
        [(header::ETAG, version_etag(version))],
        Json(DataEnvelope { data: order }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

#[utoipa::path(post, path = "/orders", tag = "orders", security((), ("bearer" = [])), request_body = PlaceOrder,
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token (guests also send `email`)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body get the first answer (`Idempotent-Replayed: true`); another body → 422")),
    responses(
        (status = 201, description = "Placed, awaiting payment; `Location` names it. `access_key` opens it without an account", body = DataEnvelope<PlacedOrder>),
        (status = 401, description = "The access token is not valid", body = ErrorEnvelope),
        (status = 409, description = "`OUT_OF_STOCK`: `details` maps each short variant's id to what is available (nothing changed); or `CONFLICT`: the same Idempotency-Key is still running", body = ErrorEnvelope),
        (status = 422, description = "Invalid address, e-mail or shipping method, an empty cart, or a discount code that no longer applies", body = ErrorEnvelope),
    ))]
pub async fn place_order(
    State(state): State<AppState>,
    caller: CartCaller,
    ApiJson(input): ApiJson<PlaceOrder>,
) -> Result<Response, AppError> {
    let placed = orders::place_order(&state, caller.shopper(), input).await?;
    let location = format!("/api/v1/orders/{}", placed.order.id);
    let version = placed.order.version;
    Ok(created_at(&location, order_response(StatusCode::OK, version, placed)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    /// `all`: every customer's orders (needs `orders:manage`); otherwise the caller's own.
    #[param(value_type = Option<String>, pattern = "^(all|mine)$")]
    pub scope: Option<String>,
    /// Only orders in this status.
    #[param(value_type = Option<OrderStatus>)]
    pub status: Option<String>,
    /// Placed at or after this date (`2026-11-26`) or time (RFC 3339).
    #[param(pattern = r"^(\d{4}-\d{2}-\d{2}([Tt ].+)?)?$")]
    pub from: Option<String>,
    /// Placed before this date or time.
    #[param(pattern = r"^(\d{4}-\d{2}-\d{2}([Tt ].+)?)?$")]
    pub to: Option<String>,
    /// Part of the customer's e-mail address (any case).
    #[param(max_length = 254, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub email: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

#[utoipa::path(get, path = "/orders", tag = "orders", security(("bearer" = [])), params(OrderListQuery),
    responses(
        (status = 200, description = "Orders newest first: the caller's own, or every one with `scope=all`", body = ListEnvelope<OrderSummary>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "`scope=all` without orders:manage", body = ErrorEnvelope),
        (status = 422, description = "Bad paging, scope, status or date", body = ErrorEnvelope),
    ))]
pub async fn list_orders(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<OrderListQuery>,
) -> Result<Json<ListEnvelope<OrderSummary>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let all = match query.scope.as_deref().map(str::trim) {
        None | Some("mine") => false,
        Some("all") => true,
        Some(_) => {
            return Err(AppError::validation(app::error::FieldErrors::from([(
                "scope".to_owned(),
                vec!["must be all or mine".to_owned()],
            )])));
        }
    };
    let filters = OrderQuery {
        all,
        status: query.status,
        from: query.from,
        to: query.to,
        email: query.email,
    };
    let list = orders::list_orders(&state, &actor, filters, page).await?;
    Ok(Json(ListEnvelope::new(list, &uri)))
}

#[derive(Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct OrderKeyQuery {
    /// The key from a guest's order link.
    #[param(max_length = 100)]
    pub key: Option<String>,
}

/// Who reads one order: the bearer token's account and/or the key of a guest's order link
/// (`?key=`); neither is a 401.
pub struct OrderCaller {
    actor: Option<app::services::identity::Actor>,
    key: Option<String>,
}

impl OrderCaller {
    fn reader(&self) -> OrderReader<'_> {
        OrderReader {
            actor: self.actor.as_ref(),
            key: self.key.as_deref(),
        }
    }
}

impl FromRequestParts<AppState> for OrderCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let MaybeAuthenticated(actor) = MaybeAuthenticated::from_request_parts(parts, state).await?;
        let ApiQuery(query) = ApiQuery::<OrderKeyQuery>::from_request_parts(parts, state).await?;
        if actor.is_none() && query.key.is_none() {
            return Err(AppError::new(
                ErrorCode::Unauthorized,
                "Send an access token, or the key from the order's link (`?key=`).",
            ));
        }
        Ok(Self { actor, key: query.key })
    }
}

#[utoipa::path(get, path = "/orders/{id}", tag = "orders", security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id"), OrderKeyQuery),
    responses(
        (status = 200, description = "The order with its lines, payment and history", body = DataEnvelope<OrderView>),
        (status = 401, description = "Neither an access token nor a key", body = ErrorEnvelope),
        (status = 404, description = "No such order, or not the caller's", body = ErrorEnvelope),
    ))]
pub async fn get_order(
    State(state): State<AppState>,
    caller: OrderCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let reader = caller.reader();
    let order = orders::get_order(&state, reader, id).await?;
    Ok(order_response(StatusCode::OK, order.version, order))
}

#[utoipa::path(patch, path = "/orders/{id}", tag = "orders", security(("bearer" = [])), request_body = ChangeOrderStatus,
    params(("id" = Uuid, Path, description = "Order id"),
        ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses(
        (status = 200, description = "Moved; the history records who, when and why", body = DataEnvelope<OrderView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks orders:manage", body = ErrorEnvelope),
        (status = 404, description = "No such order", body = ErrorEnvelope),
        (status = 409, description = "`INVALID_TRANSITION` (nothing changed), or changed since If-Match / `version`", body = ErrorEnvelope),
        (status = 422, description = "Unknown status, a missing tracking number for `fulfilled`, or a bad note", body = ErrorEnvelope),
    ))]
pub async fn change_status(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ChangeOrderStatus>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    let order = orders::change_status(&state, &actor, id, version, input).await?;
    Ok(order_response(StatusCode::OK, order.version, order))
}

#[utoipa::path(post, path = "/orders/{id}/cancel", tag = "orders", security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id"), OrderKeyQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses(
        (status = 200, description = "Cancelled; the stock is back", body = DataEnvelope<OrderView>),
        (status = 401, description = "Neither an access token nor a key", body = ErrorEnvelope),
        (status = 404, description = "No such order, or not the caller's", body = ErrorEnvelope),
        (status = 409, description = "`INVALID_TRANSITION`: only an order awaiting payment can be cancelled by its customer", body = ErrorEnvelope),
    ))]
pub async fn cancel_order(
    State(state): State<AppState>,
    caller: OrderCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let reader = caller.reader();
    let order = orders::cancel_order(&state, reader, id).await?;
    Ok(order_response(StatusCode::OK, order.version, order))
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orders, place_order))
        .routes(routes!(get_order, change_status))
        .routes(routes!(cancel_order))
}
