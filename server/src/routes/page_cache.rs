//! Whole storefront pages as strangers see them, kept in the catalogue cache: a visitor without
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
        && !request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("oxcart_session="))
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
