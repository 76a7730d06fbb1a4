//! Whole storefront pages — and catalogue answers of the JSON API — as strangers see them, kept
//! in the catalogue cache: a visitor without
//! a session gets the same HTML as every other such visitor, so rendering it once per catalogue
//! generation is enough (the generation moves with every catalogue write, so a kept page is
//! never older than the data it shows). Pages carry a CSP nonce for their inline scripts; a kept
//! page stores a placeholder where the nonce was, and every answer gets a fresh nonce.

use app::services::catalog::cache;
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Stands where the nonce was in a kept page.
const NONCE_SLOT: &str = "__oxcart_nonce__";
/// Pages larger than this are not kept.
const MAX_PAGE_BYTES: usize = 512 * 1024;

#[derive(Serialize, Deserialize)]
struct KeptPage {
    body: String,
}

/// Whether the request is a stranger's page view: a GET, no session, not a personal page.
fn is_strangers_view(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == Method::GET
        && !["/account", "/admin", "/api/"].iter().any(|p| path.starts_with(p))
        && !crate::middleware::has_session_cookie(request.headers())
}

/// The nonce a rendered page's CSP names.
fn nonce_of(response: &Response) -> Option<String> {
    let csp = response.headers().get(header::CONTENT_SECURITY_POLICY)?.to_str().ok()?;
    let start = csp.find("'nonce-")? + "'nonce-".len();
    let end = start + csp[start..].find('\'')?;
    Some(csp[start..end].to_owned())
}

fn answer(page: &KeptPage) -> Response {
    let nonce = app::auth::tokens::random_token();
    let csp = crate::middleware::content_security_policy(Some(&nonce));
    let mut response = (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        page.body.replace(NONCE_SLOT, &nonce),
    )
        .into_response();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

pub async fn page_cache(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_strangers_view(&request) {
        return next.run(request).await;
    }
    let key = format!("page:{}", request.uri());
    let generation = match cache::read::<KeptPage>(&state, &key).await {
        cache::Lookup::Hit(page) => return answer(&page),
        cache::Lookup::Miss { generation } => generation,
        cache::Lookup::Unreachable => return next.run(request).await,
    };
    let response = next.run(request).await;
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    let Some(nonce) = nonce_of(&response).filter(|_| keepable) else {
        return response;
    };
    // Our own rendered page: its size is ours to bound, so it is read whole.
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "a rendered page could not be read");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if bytes.len() <= MAX_PAGE_BYTES {
        let html = String::from_utf8_lossy(&bytes);
        let page = KeptPage {
            body: html.replace(&nonce, NONCE_SLOT),
        };
        cache::keep(&state, &key, &generation, &page).await;
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nonce_is_read_from_the_policy() {
        let response = (
            [(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'",
            )],
            "",
        )
            .into_response();
        assert_eq!(nonce_of(&response).as_deref(), Some("abc123"));
    }
}

/// A catalogue answer of the JSON API as strangers get it: the body and its ETag, if it has one
/// (single resources do, lists don't).
#[derive(Serialize, Deserialize)]
struct KeptAnswer {
    body: String,
    etag: Option<String>,
}

/// Whether the request is a stranger's read of the catalogue API (searches included): a GET
/// without credentials.
fn is_strangers_catalogue_read(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == Method::GET
        && ["/api/v1/products", "/api/v1/categories", "/api/v1/search"]
            .iter()
            .any(|p| path.starts_with(p))
        && !request.headers().contains_key(header::AUTHORIZATION)
}

/// The engine a search would ask now (`None` for other reads): search answers are kept apart
/// per engine, like the search service's own.
fn search_engine(state: &AppState, request: &Request) -> Option<&'static str> {
    request
        .uri()
        .path()
        .starts_with("/api/v1/search")
        .then(|| app::services::search::engine_in_use(state))
}

/// Strangers' catalogue reads of the JSON API, kept as bytes in the same generation scheme as
/// pages: a hit skips the cached value's decoding and the answer's encoding. `If-None-Match`
/// is answered from the kept ETag. A search answer is not kept when the engine in use changed
/// while it was made (Meilisearch failed and PostgreSQL answered).
pub async fn api_cache(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_strangers_catalogue_read(&request) {
        return next.run(request).await;
    }
    let engine = search_engine(&state, &request);
    let key = format!("api:{}:{}", engine.unwrap_or("catalogue"), request.uri());
    let generation = match cache::read::<KeptAnswer>(&state, &key).await {
        cache::Lookup::Hit(kept) => {
            let etag = kept.etag.as_deref().and_then(|e| HeaderValue::from_str(e).ok());
            let vary = (header::VARY, HeaderValue::from_static("authorization"));
            if let Some(etag) = etag.clone()
                && crate::api::envelope::if_none_match(request.headers(), &etag)
            {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), vary]).into_response();
            }
            let json = (header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            let mut response = (StatusCode::OK, [vary, json], kept.body).into_response();
            if let Some(etag) = etag {
                response.headers_mut().insert(header::ETAG, etag);
            }
            return response;
        }
        cache::Lookup::Miss { generation } => generation,
        cache::Lookup::Unreachable => return next.run(request).await,
    };
    let response = next.run(request).await;
    if engine.is_some() && engine != Some(app::services::search::engine_in_use(&state)) {
        return response;
    }
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !keepable {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "an API answer could not be read");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if bytes.len() <= MAX_PAGE_BYTES
        && let Ok(body) = std::str::from_utf8(&bytes)
    {
        let kept = KeptAnswer {
            body: body.to_owned(),
            etag,
        };
        cache::keep(&state, &key, &generation, &kept).await;
    }
    Response::from_parts(parts, Body::from(bytes))
}
