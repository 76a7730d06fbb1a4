//! The whole HTTP surface: Leptos pages and server functions, `/api/v1`, `/health`, the API docs
//! and static files. Assets are served by a real file service (`/pkg`, public files), never by
//! the Leptos renderer; paths that match nothing render the storefront's 404 page.

pub mod assets;
pub mod back_office;
pub mod docs;
pub mod health;
pub mod media;
pub mod page_cache;
pub mod sitemap;

use std::convert::Infallible;

use app::adapters::sessions::SessionBackend;
use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, header};
use axum::response::Response;
use leptos::prelude::{LeptosOptions, provide_context, use_context};
use leptos_axum::ResponseOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::Layer;
use tower_http::services::ServeDir;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Settings;

/// Hashed build outputs never change under the same name; everything else is revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "public, max-age=0, must-revalidate";
const PUBLIC_FILES: &str = "public, max-age=3600";

/// Serves a directory, preferring precompressed `.br`/`.gz` siblings.
fn static_files(dir: std::path::PathBuf) -> ServeDir {
    ServeDir::new(dir).precompressed_br().precompressed_gzip()
}

/// Sets `Cache-Control` on successful responses only: a 404 must never be cached for a year.
fn with_cache_control<B>(mut response: Response<B>, cache_control: &'static str) -> Response<B> {
    if response.status().is_success() || response.status().as_u16() == 304 {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    }
    response
}

/// The pages' routes, generated once per process.
///
/// Generating them renders the app with resource loading switched off process-wide (Leptos's
/// `SuppressResourceLoad` is a global flag), so a page rendered by another server in the same
/// process at that moment would wait forever for its data (leptos-rs/leptos#4773). Building
/// the list once, before any server of the process can serve, leaves no such window.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the application's router (without the shared middleware, see [`crate::middleware`]).
pub fn router(state: AppState, options: LeptosOptions, settings: &Settings, extra: Router<AppState>) -> Router {
    let site_root = std::path::PathBuf::from(options.site_root.as_ref());
    let pkg_cache = if options.hash_files { IMMUTABLE } else { REVALIDATE };
    let max_body_bytes = settings.http.max_body_bytes;

    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            // Pages carry a CSP whose nonce lets Leptos's inline hydration script run.
            if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<ResponseOptions>()) {
                let csp = crate::middleware::content_security_policy(Some(&nonce));
                if let Ok(value) = HeaderValue::from_str(&csp) {
                    response.insert_header(header::CONTENT_SECURITY_POLICY, value);
                }
            }
        }
    };
    let render_app = {
        let options = options.clone();
        move || shell(options.clone())
    };
    // Unknown paths: public files first, then the storefront's 404 page.
    let not_found_page = leptos_axum::render_app_to_stream_with_context(context.clone(), render_app.clone());
    let not_found_page = sessions(&state, settings).layer(tower::service_fn(move |request: Request<Body>| {
        let render = not_found_page.clone();
        async move { Ok::<_, Infallible>(render(request).await) }
    }));
    let memory = std::sync::Arc::new(assets::Assets::load(&site_root));
    let fallback = static_files(site_root.clone())
        .call_fallback_on_method_not_allowed(true)
        .not_found_service(not_found_page);
    let fallback = tower::util::MapResponseLayer::new(|r: Response<_>| with_cache_control(r, PUBLIC_FILES))
        .layer(assets::serve(memory.clone(), String::new(), fallback));
    let pkg_prefix = format!("/{}", options.site_pkg_dir);
    let pkg = tower::util::MapResponseLayer::new(move |r: Response<_>| with_cache_control(r, pkg_cache)).layer(
        assets::serve(
            memory,
            pkg_prefix,
            static_files(site_root.join(options.site_pkg_dir.as_ref())),
        ),
    );

    // Sessions only where they are used: pages, server functions and the 404 page (which shows
    // who is signed in). The API, /health and static files never touch the session store.
    // Strangers' pages come from the page cache before any session is looked at.
    let pages: Router = Router::new()
        .leptos_routes_with_context(&options, route_list(), context, render_app)
        .layer(sessions(&state, settings))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page_cache::page_cache,
        ))
        .with_state(options.clone());
    let api: Router = crate::api::router(settings.media.max_upload_bytes)
        .merge(docs::router(&settings.http.api_docs_assets_dir))
        .route("/sitemap.xml", axum::routing::get(sitemap::sitemap))
        .merge(media::router())
        .merge(extra)
        // Only on routes that exist with the method asked for (others answer 404 or 405 as ever).
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            move |state, request, next| crate::api::idempotency::idempotency(state, max_body_bytes, request, next),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page_cache::api_cache,
        ))
        .with_state(state.clone());
    let back_office: Router = back_office::router(settings.media.max_upload_bytes)
        .layer(sessions(&state, settings))
        .with_state(state.clone());
    Router::new()
        .merge(pages)
        .merge(api)
        .merge(back_office)
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg)
        .fallback_service(fallback)
        .layer(axum::middleware::from_fn_with_state(state, crate::api::limit_writes))
}

/// Browser sessions for pages, server functions and the 404 page: a cookie that
/// scripts can't read, sent on same-site navigations only, `Secure` behind TLS, expiring after
/// a period without activity.
fn sessions(state: &AppState, settings: &Settings) -> SessionManagerLayer<SessionBackend> {
    SessionManagerLayer::new(crate::startup::session_backend(state))
        .with_name("oxcart_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.http.https)
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::seconds(
            i64::try_from(settings.auth.session_ttl.as_secs()).unwrap_or(i64::MAX),
        )))
}
