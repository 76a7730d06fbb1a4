//! `/api/v1/cart`: the caller's cart. A signed-in client (`Authorization: Bearer`) has its
//! account's cart; a guest client gets a cart token in `X-Cart-Token` from the request that makes
//! its cart and sends it back in that header. Sending both merges the guest cart into the
//! account's. Every answer is the whole cart, priced now, and is never cached.

use app::domain::cart::{AddCartItem, ApplyDiscountCode, CartView, UpdateCart, UpdateCartItem};
use app::error::AppError;
use app::services::carts::{self, CartChange, Shopper};
use app::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::MaybeAuthenticated;
use super::envelope::{ApiJson, DataEnvelope, ErrorEnvelope, created_at};

/// The header a guest's cart token travels in.
pub const CART_TOKEN: HeaderName = HeaderName::from_static("x-cart-token");

/// The `X-Cart-Token` sent, if any.
pub struct CartToken(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for CartToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .headers
                .get(CART_TOKEN)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
        ))
    }
}

/// Whose cart a request is about: the account of its bearer token and/or the guest's token.
pub struct CartCaller {
    actor: Option<app::services::identity::Actor>,
    token: Option<String>,
}

impl CartCaller {
    pub fn shopper(&self) -> Shopper<'_> {
        Shopper {
            actor: self.actor.as_ref(),
            token: self.token.as_deref(),
        }
    }
}

impl FromRequestParts<AppState> for CartCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let MaybeAuthenticated(actor) = MaybeAuthenticated::from_request_parts(parts, state).await?;
        let CartToken(token) = CartToken::from_request_parts(parts, state).await?;
        Ok(Self { actor, token })
    }
}

/// `{"data": cart}`, private to its caller.
pub fn cart_response(status: StatusCode, cart: CartView, new_token: Option<String>) -> Response {
    let mut response = (status, Json(DataEnvelope { data: cart })).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Some(token) = new_token.and_then(|t| HeaderValue::from_str(&t).ok()) {
        headers.insert(CART_TOKEN, token);
    }
    response
}

#[utoipa::path(get, path = "/cart", tag = "cart", security((), ("bearer" = [])),
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token; with a bearer token too, the guest cart merges into the account's")),
    responses(
        (status = 200, description = "The cart priced now (empty, with no id, when there is none yet); `notices` tell of quantities capped by a merge", body = DataEnvelope<CartView>),
        (status = 401, description = "The access token is not valid", body = ErrorEnvelope),
        (status = 404, description = "No cart has that token", body = ErrorEnvelope),
    ))]
pub async fn get_cart(State(state): State<AppState>, caller: CartCaller) -> Result<Response, AppError> {
    let cart = carts::get_cart(&state, caller.shopper()).await?;
    Ok(cart_response(StatusCode::OK, cart, None))
}

#[utoipa::path(patch, path = "/cart", tag = "cart", security((), ("bearer" = [])), request_body = UpdateCart,
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses(
        (status = 200, description = "The cart with shipping and tax priced", body = DataEnvelope<CartView>),
        (status = 401, description = "The access token is not valid", body = ErrorEnvelope),
        (status = 404, description = "No cart yet, or none has that token", body = ErrorEnvelope),
        (status = 422, description = "Unknown method, bad country, or a method that doesn't ship there", body = ErrorEnvelope),
    ))]
pub async fn update_cart(
    State(state): State<AppState>,
    caller: CartCaller,
    ApiJson(input): ApiJson<UpdateCart>,
) -> Result<Response, AppError> {
    let cart = carts::update_cart(&state, caller.shopper(), input).await?;
    Ok(cart_response(StatusCode::OK, cart, None))
}

#[utoipa::path(post, path = "/cart/items", tag = "cart", security((), ("bearer" = [])), request_body = AddCartItem,
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token; without one (and without a bearer token) a new guest cart is made and its token sent back in `X-Cart-Token`"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses(
        (status = 200, description = "Added to a line already in the cart", body = DataEnvelope<CartView>),
        (status = 201, description = "A new line; `Location` names it, and `X-Cart-Token` carries a new guest cart's token", body = DataEnvelope<CartView>),
        (status = 401, description = "The access token is not valid", body = ErrorEnvelope),
        (status = 404, description = "No cart has that token", body = ErrorEnvelope),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = ErrorEnvelope),
        (status = 422, description = "Quantity outside 1–99, more than in stock (the message says how many are), or a variant that is not on sale", body = ErrorEnvelope),
    ))]
pub async fn add_item(
    State(state): State<AppState>,
    caller: CartCaller,
    ApiJson(input): ApiJson<AddCartItem>,
) -> Result<Response, AppError> {
    let CartChange { cart, new_token, line } = carts::add_item(&state, caller.shopper(), input).await?;
    Ok(match line {
        Some((id, true)) => created_at(
            &format!("/api/v1/cart/items/{id}"),
            cart_response(StatusCode::OK, cart, new_token),
        ),
        _ => cart_response(StatusCode::OK, cart, new_token),
    })
}

#[utoipa::path(patch, path = "/cart/items/{id}", tag = "cart", security((), ("bearer" = [])), request_body = UpdateCartItem,
    params(("id" = Uuid, Path, description = "The cart line's id"),
        ("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses(
        (status = 200, description = "The cart with the new quantity", body = DataEnvelope<CartView>),
        (status = 401, description = "The access token is not valid", body = ErrorEnvelope),
        (status = 404, description = "No such line in the caller's cart", body = ErrorEnvelope),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = ErrorEnvelope),
        (status = 422, description = "Quantity outside 1–99 or more than in stock", body = ErrorEnvelope),
    ))]
pub async fn update_item(
    State(state): State<AppState>,
    caller: CartCaller,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<UpdateCartItem>,
) -> Result<Response, AppError> {
    let cart = carts::update_item(&state, caller.shopper(), id, input).await?;
    Ok(cart_response(StatusCode::OK, cart, None))
}

#[utoipa::path(delete, path = "/cart/items/{id}", tag = "cart", security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cart line's id"),
        ("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses(
        (status = 200, description = "The cart without the line", body = DataEnvelope<CartView>),
        (status = 401, description = "The access token is not valid", body = ErrorEnvelope),
        (status = 404, description = "No such line in the caller's cart", body = ErrorEnvelope),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = ErrorEnvelope),
    ))]
pub async fn remove_item(
    State(state): State<AppState>,
    caller: CartCaller,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let cart = carts::remove_item(&state, caller.shopper(), id).await?;
    Ok(cart_response(StatusCode::OK, cart, None))
}

#[utoipa::path(post, path = "/cart/discount", tag = "cart", security((), ("bearer" = [])), request_body = ApplyDiscountCode,
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses(
        (status = 200, description = "The cart with the code applied (one code per cart: it replaces any other)", body = DataEnvelope<CartView>),
        (status = 401, description = "The access token is not valid", body = ErrorEnvelope),
        (status = 404, description = "No cart yet, or none has that token", body = ErrorEnvelope),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = ErrorEnvelope),
        (status = 422, description = "Unknown, inactive, not yet valid, expired or used-up code, or goods below its minimum: `details.code` says which", body = ErrorEnvelope),
    ))]
pub async fn apply_discount(
    State(state): State<AppState>,
    caller: CartCaller,
    ApiJson(input): ApiJson<ApplyDiscountCode>,
) -> Result<Response, AppError> {
    let cart = carts::apply_discount(&state, caller.shopper(), input).await?;
    Ok(cart_response(StatusCode::OK, cart, None))
}

#[utoipa::path(delete, path = "/cart/discount", tag = "cart", security((), ("bearer" = [])),
    params(("X-Cart-Token" = Option<String>, Header, description = "A guest's cart token"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses(
        (status = 200, description = "The cart without a code", body = DataEnvelope<CartView>),
        (status = 401, description = "The access token is not valid", body = ErrorEnvelope),
        (status = 404, description = "No cart yet, or none has that token", body = ErrorEnvelope),
        (status = 409, description = "A request with this Idempotency-Key is still running", body = ErrorEnvelope),
    ))]
pub async fn remove_discount(State(state): State<AppState>, caller: CartCaller) -> Result<Response, AppError> {
    let cart = carts::remove_discount(&state, caller.shopper()).await?;
    Ok(cart_response(StatusCode::OK, cart, None))
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_cart, update_cart))
        .routes(routes!(add_item))
        .routes(routes!(update_item, remove_item))
        .routes(routes!(apply_discount, remove_discount))
}
