//! The versioned JSON API, `/api/v1`: a router per resource merged here, an envelope-shaped 404
//! for unknown paths, and the OpenAPI document generated from the handlers' own types.

pub mod addresses;
pub mod auth;
pub mod envelope;
pub mod me;
pub mod products;
pub mod users;

use app::error::AppError;
use app::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Oxcart API", version = "1", description = "The Oxcart shop's JSON API. Every error uses the envelope `{\"error\": {code, message, details, timestamp, request_id}}`."),
    paths(
        products::list_products,
        auth::register, auth::login, auth::refresh, auth::logout,
        auth::verify_email, auth::resend_verification, auth::request_password_reset, auth::reset_password,
        me::get_me, me::update_profile, me::change_password,
        addresses::list_addresses, addresses::create_address, addresses::get_address, addresses::update_address, addresses::delete_address,
        users::list_users, users::update_user_access,
        crate::routes::health::health,
    ),
    modifiers(&BearerAuth),
    components(schemas(envelope::ErrorEnvelope, app::error::ErrorCode)),
    tags((name = "catalog", description = "Products and categories"),
        (name = "auth", description = "Tokens for API clients: a 15-minute JWT access token and a rotating refresh token"),
        (name = "account", description = "The caller's profile, password and addresses"),
        (name = "users", description = "Staff management of accounts"), (name = "operations", description = "Health and metadata"))
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme the secured operations refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Counts every write (POST, PUT, PATCH, DELETE) to the API or a server function against the
/// client's write limit. Mounted on the whole router, so both interfaces share one count.
pub async fn limit_writes(
    State(state): State<AppState>,
    auth::ClientAddr(client): auth::ClientAddr,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Result<axum::response::Response, AppError> {
    use axum::http::Method;
    let write = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = request.uri().path();
    if write && path.starts_with("/api/") {
        let limits = state.limiter.limits;
        if let Err(err) = state.limiter.hit("writes", &client.ip.to_string(), limits.writes).await {
            return Ok(if path.starts_with("/api/fn/") {
                server_fn_error(err)
            } else {
                err.into_response()
            });
        }
    }
    Ok(next.run(request).await)
}

/// An error in the encoding server functions use (the JSON of [`AppError`], marked by the
/// `serverfnerror` header), so the page that called one can show it.
fn server_fn_error(err: AppError) -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode, header};
    let status = StatusCode::from_u16(err.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, serde_json::to_vec(&err).unwrap_or_default()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("serverfnerror", HeaderValue::from_static("rate_limited"));
    if let Some(seconds) = err.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The routes under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/products", get(products::list_products))
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/verify-email", post(auth::verify_email))
        .route("/auth/verify-email/resend", post(auth::resend_verification))
        .route("/auth/password-reset", post(auth::request_password_reset))
        .route("/auth/password-reset/confirm", post(auth::reset_password))
        .route("/me", get(me::get_me).patch(me::update_profile))
        .route("/me/password", post(me::change_password))
        .route(
            "/addresses",
            get(addresses::list_addresses).post(addresses::create_address),
        )
        .route(
            "/addresses/{id}",
            get(addresses::get_address)
                .put(addresses::update_address)
                .delete(addresses::delete_address),
        )
        .route("/users", get(users::list_users))
        .route("/users/{id}", patch(users::update_user_access))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> AppError {
    AppError::not_found("No API endpoint at this path. See /api/docs for the list.")
}
