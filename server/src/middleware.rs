//! The layers every response passes through: request ids, structured request logs, the error
//! envelope, panic recovery, body limits and compression.

use std::any::Any;
use std::sync::Arc;

use app::error::{AppError, ErrorCode};
use app::services::Client;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use uuid::Uuid;

use crate::Settings;
use crate::api::envelope::ErrorEnvelope;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, as placed in its extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Accepts the client's id when it is short and printable; otherwise mints a UUID v7.
fn request_id_for(request: &Request) -> String {
    request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 128
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::now_v7().to_string())
}

/// Gives every request an id (echoing the client's), and puts it on the response.
async fn request_id(mut request: Request, next: Next) -> Response {
    let id = request_id_for(&request);
    let value = HeaderValue::from_str(&id).expect("request ids are printable ASCII");
    request.headers_mut().insert(X_REQUEST_ID.clone(), value.clone());
    request.extensions_mut().insert(RequestId(id));
    let mut response = next.run(request).await;
    response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    response
}

/// Renders every error response in the envelope of DESIGN.md: errors raised by our handlers
/// ([`AppError`] in the response's extensions) and bare ones from the router, extractors and
/// layers (404, 405, 413, panics). Leptos pages (HTML), JSON a handler shaped itself and
/// server-function errors (their own encoding, marked by a header) are left as they are.
async fn error_envelope(request: Request, next: Next) -> Response {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let mut response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let error = match response.extensions_mut().remove::<AppError>() {
        Some(error) => error,
        None => {
            let headers = response.headers();
            // A page or a body a handler shaped on purpose (e.g. /health's 503 report).
            let deliberate = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
            if headers.contains_key("serverfnerror") {
                return with_server_fn_status(response).await;
            }
            if deliberate {
                return response;
            }
            AppError::from_code(ErrorCode::from_status(status.as_u16()))
        }
    };
    if error.code == ErrorCode::InternalError {
        tracing::error!(event = "request_failed", status = status.as_u16(), "internal error");
    }
    let (mut parts, _) = response.into_parts();
    let body = serde_json::to_vec(&ErrorEnvelope::new(error, request_id)).unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// A server function's error keeps its own encoding (the JSON of [`AppError`]), but its status
/// must match the error's code even when it arose before the function ran (unreadable
/// arguments are a 400, not the framework's 500).
async fn with_server_fn_status(response: Response) -> Response {
    const LIMIT: usize = 64 * 1024;
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LIMIT).await else {
        parts.status = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = axum::http::StatusCode::from_u16(error.code.status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The Content-Security-Policy: only our own scripts (plus the page's nonce for the inline
/// hydration script), wasm compilation, no framing. Styles may be inline (Swagger UI sets some).
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'wasm-unsafe-eval' 'nonce-{nonce}'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Security headers on every response. Pages set their own CSP with a nonce; everything else
/// gets the policy without one.
async fn security_headers(https: bool, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = HeaderValue::from_str(&content_security_policy(None)).expect("ASCII policy");
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

/// Refuses state-changing requests that a browser sent from another site (CSRF). Cookie-
/// authenticated paths only: `/api/v1` authenticates with bearer tokens, which a foreign page
/// can't attach. The browser's own `Sec-Fetch-Site` decides when present, else `Origin` (or
/// `Referer`) must name this host; a request with none of them is not from a browser.
async fn refuse_cross_site(request: Request, next: Next) -> Response {
    use axum::http::Method;
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || request.uri().path().starts_with("/api/v1/") || same_site(&request) {
        return next.run(request).await;
    }
    tracing::warn!(event = "cross_site_refused", path = %request.uri().path(), "cross-site request refused");
    AppError::new(
        ErrorCode::Forbidden,
        "Cross-site request refused. Submit the form from this shop's own pages.",
    )
    .into_response()
}

fn same_site(request: &Request) -> bool {
    let header = |name: header::HeaderName| request.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header(HeaderName::from_static("sec-fetch-site")) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(source) = header(header::ORIGIN).or_else(|| header(header::REFERER)) else {
        return true;
    };
    let authority = source
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
        .unwrap_or("");
    header(header::HOST).is_some_and(|host| !authority.is_empty() && authority.eq_ignore_ascii_case(host))
}

/// Whether the request carries a browser session's cookie (the visitor may be signed in).
pub fn has_session_cookie(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("oxcart_session="))
}

/// Who may keep a copy of a response. A handler that decided (static files, health, the
/// sitemap) is left alone. Otherwise: writes and errors are `no-store`; anything for
/// someone in particular — a bearer token, a session cookie, a cookie being set, a server
/// function, the account and staff pages — is `private`; the rest (the catalogue as a stranger
/// sees it, pages and API alike) may be kept by a shared cache for a minute and is revalidated
/// by browsers (ETags make that cheap).
async fn cache_control(request: Request, next: Next) -> Response {
    use axum::http::Method;
    let readable = matches!(*request.method(), Method::GET | Method::HEAD);
    let path = request.uri().path();
    let personal = request.headers().contains_key(header::AUTHORIZATION)
        || request.headers().contains_key("x-cart-token")
        || has_session_cookie(request.headers())
        || ["/api/fn/", "/account", "/admin", "/api/v1/me", "/api/v1/users"]
            .iter()
            .any(|prefix| path.starts_with(prefix));
    let mut response = next.run(request).await;
    let status = response.status();
    let keepable = status.is_success() || matches!(status.as_u16(), 301 | 304);
    let headers = response.headers_mut();
    if headers.contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let policy = if !readable || !keepable {
        "no-store"
    } else if personal || headers.contains_key(header::SET_COOKIE) {
        "private, no-cache"
    } else {
        "public, max-age=0, s-maxage=60, stale-while-revalidate=60"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    headers.append(header::VARY, HeaderValue::from_static("cookie"));
    response
}

/// Lets the configured headless storefronts call the API from their own origins, and read the
/// headers they need. Only in place when origins are configured.
fn cors(origins: &[String]) -> tower_http::cors::CorsLayer {
    use axum::http::Method;
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("x-cart-token"),
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            HeaderName::from_static("x-cart-token"),
            HeaderName::from_static("idempotent-replayed"),
            X_REQUEST_ID.clone(),
        ])
        .max_age(std::time::Duration::from_secs(3600))
}

/// A panic in a handler becomes a 500 envelope instead of a dropped connection.
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic".to_owned());
    tracing::error!(event = "handler_panicked", panic = %detail, "a handler panicked");
    AppError::from_code(ErrorCode::InternalError).into_response()
}

/// Server functions read their whole body before they run; one over the limit is refused here
/// with the same 413 the API gives (the framework would report a 400 "length limit exceeded"),
/// in the error encoding server functions use.
async fn limit_server_fn_body(max_body_bytes: usize, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/fn/") {
        return next.run(request).await;
    }
    let too_large = || crate::api::server_fn_error(AppError::from_code(ErrorCode::PayloadTooLarge));
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max_body_bytes as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, max_body_bytes).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => too_large(),
    }
}

/// Wraps a router in the shared layers. Outermost first: request id, client address, request
/// log, security headers, CORS, cache policy, compression, error envelope, cross-site refusal, panic recovery, body
/// limits.
pub fn apply(router: Router, settings: &Settings) -> Router {
    let https = settings.http.https;
    let max_body_bytes = settings.http.max_body_bytes;
    let proxies = Arc::new(settings.http.trusted_proxies.clone());
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<Body>| {
            let id = request
                .extensions()
                .get::<RequestId>()
                .map(|id| id.0.as_str())
                .unwrap_or("");
            let client = Client::of(request.extensions()).ip;
            tracing::info_span!("request", request_id = %id, client = %client, method = %request.method(), path = %request.uri().path())
        })
        .on_request(())
        .on_response(
            DefaultOnResponse::new()
                .level(Level::INFO)
                .latency_unit(tower_http::LatencyUnit::Millis),
        );
    router.layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(request_id))
            .layer(middleware::from_fn(move |req, next| {
                crate::client_addr::resolve(proxies.clone(), req, next)
            }))
            .layer(trace)
            .layer(middleware::from_fn(move |req, next| security_headers(https, req, next)))
            .option_layer(
                (!settings.http.cors_allowed_origins.is_empty()).then(|| cors(&settings.http.cors_allowed_origins)),
            )
            .layer(middleware::from_fn(cache_control))
            .layer(CompressionLayer::new())
            .layer(middleware::from_fn(error_envelope))
            .layer(middleware::from_fn(refuse_cross_site))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(DefaultBodyLimit::max(max_body_bytes))
            .layer(middleware::from_fn(move |req, next| {
                limit_server_fn_body(max_body_bytes, req, next)
            })),
    )
}
