//! The versioned JSON API, `/api/v1`: a router per resource merged here, an envelope-shaped 404
//! for unknown paths, and the OpenAPI document generated from the handlers' own types.

pub mod addresses;
pub mod auth;
pub mod carts;
pub mod categories;
pub mod envelope;
pub mod idempotency;
pub mod images;
pub mod imports;
pub mod me;
pub mod orders;
pub mod pricing;
pub mod products;
pub mod reviews;
pub mod search;
pub mod stock;
pub mod users;

use app::error::AppError;
use app::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{any, get};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// The document's frame: title, tags, shared schemas and the bearer scheme. The operations
/// come from each module's router (utoipa-axum registers a route and its operation together,
/// so no endpoint can be served undocumented).
#[derive(OpenApi)]
#[openapi(
    info(title = "Oxcart API", version = "1", description = "The Oxcart shop's JSON API. Every error uses the envelope `{\"error\": {code, message, details, timestamp, request_id}}`."),
    modifiers(&BearerAuth),
    components(schemas(envelope::ErrorEnvelope, app::error::ErrorCode, app::domain::catalog::ProductSort)),
    tags((name = "catalog", description = "Products and categories"),
        (name = "auth", description = "Tokens for API clients: a 15-minute JWT access token and a rotating refresh token"),
        (name = "account", description = "The caller's profile, password and addresses"),
        (name = "users", description = "Staff management of accounts"),
        (name = "pricing", description = "Tax rates by country and shipping methods (prices are tax-exclusive)"),
        (name = "cart", description = "The caller's cart: an account's (bearer token) or a guest's (`X-Cart-Token`), priced on every read"),
        (name = "orders", description = "Checkout, order history, and staff's status changes (`orders:manage`)"),
        (name = "operations", description = "Health and metadata"))
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
    crate::client_addr::ClientAddr(client): crate::client_addr::ClientAddr,
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
/// `serverfnerror` header), so the page that called one can show it, for refusals made before
/// the server function runs (rate limits, body limits).
pub(crate) fn server_fn_error(err: AppError) -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode, header};
    let status = StatusCode::from_u16(err.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, serde_json::to_vec(&err).unwrap_or_default()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("serverfnerror", HeaderValue::from_static("refused"));
    if let Some(seconds) = err.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The routes of `/api/v1` — each domain's router, merged here and nowhere else — plus
/// `/health`, with the OpenAPI document built from the same routers at `/api/v1/openapi.json`.
pub fn router(max_upload_bytes: usize) -> Router<AppState> {
    let v1 = OpenApiRouter::new()
        .merge(products::router())
        .merge(search::router())
        .merge(images::router(max_upload_bytes))
        .merge(imports::router(max_upload_bytes))
        .merge(stock::router())
        .merge(categories::router())
        .merge(reviews::router())
        .merge(auth::router())
        .merge(me::router())
        .merge(addresses::router())
        .merge(users::router())
        .merge(pricing::router())
        .merge(carts::router())
        .merge(orders::router());
    let (router, document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .merge(crate::routes::health::router())
        .split_for_parts();
    let document = Arc::new(complete(serde_json::to_value(&document).unwrap_or_default()));
    router
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let document = document.clone();
                async move { Json(document) }
            }),
        )
        .route("/api/v1", any(not_found))
        .route("/api/v1/{*rest}", any(not_found))
}

/// Adds to every operation the answers the shared layers give whatever the handler is, so the
/// document states every status an operation can answer without each handler repeating them:
/// a JSON body can be unreadable (400), too large (413), of the wrong type (415) or shape (422);
/// a path parameter can be malformed (400) or name nothing (404); a query string can be
/// unreadable (400) or out of range (422); a write can hit the write limit (429); anything can
/// meet a dependency that is down (503). `If-Match` gets the pattern of the ETags we send (empty: no precondition).
fn complete(mut document: serde_json::Value) -> serde_json::Value {
    let envelope = serde_json::json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}});
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return document;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut() {
            let Some(operation) = operation.as_object_mut() else {
                continue;
            };
            let write = matches!(method.as_str(), "post" | "put" | "patch" | "delete");
            let has_body = operation.contains_key("requestBody");
            let params = operation
                .get("parameters")
                .and_then(|p| p.as_array())
                .cloned()
                .unwrap_or_default();
            let has_query = params.iter().any(|p| p["in"] == "query");
            let idempotent = params.iter().any(|p| p["name"] == "Idempotency-Key");
            if let Some(params) = operation.get_mut("parameters").and_then(|p| p.as_array_mut()) {
                for param in params.iter_mut().filter(|p| p["name"] == "If-Match") {
                    param["schema"] = serde_json::json!({"type": "string", "pattern": "^((W/)?\"[0-9]{1,9}\")?$"});
                }
                for param in params.iter_mut().filter(|p| p["name"] == "Idempotency-Key") {
                    param["schema"] = serde_json::json!({"type": "string", "pattern": "^[!-~]{1,255}$"});
                }
            }
            let mut add = |status: &str, description: &str| {
                let responses = operation.entry("responses").or_insert_with(|| serde_json::json!({}));
                if let Some(responses) = responses.as_object_mut() {
                    responses.entry(status.to_owned()).or_insert_with(|| {
                        let mut response = envelope.clone();
                        response["description"] = description.into();
                        response
                    });
                }
            };
            if has_body {
                add("400", "The body is not readable JSON");
                add("413", "The body is larger than the limit");
                add("415", "The body is not `application/json`");
                add(
                    "422",
                    "Fields missing, of the wrong type or invalid (`details` names them)",
                );
            }
            if path.contains('{') {
                add("400", "A path parameter is malformed");
                add("404", "No such resource");
            }
            if has_query {
                add("400", "The query string is not readable");
                add("422", "A query parameter is out of range (`details` names it)");
            }
            if write && path.starts_with("/api/") {
                add("429", "Too many writes from this client; see `Retry-After`");
            }
            if idempotent {
                add(
                    "409",
                    "A request with the same Idempotency-Key is still being processed",
                );
                add(
                    "422",
                    "The Idempotency-Key is malformed (`VALIDATION_ERROR`) or was used for a different request (`IDEMPOTENCY_KEY_REUSED`)",
                );
            }
            add("503", "A dependency the request needs is unavailable");
        }
    }
    document
}

async fn not_found() -> AppError {
    AppError::not_found("No API endpoint at this path. See /api/docs for the list.")
}
