//! Oxcart's Leptos application: the types that cross the wire, the storefront's pages and
//! components, and the server functions, shared by the server (`ssr`) and the browser
//! (`hydrate`). Behind `ssr` it also holds the service layer, the repositories and the adapters
//! every interface (pages, server functions, the REST API) goes through.
// Leptos views are deeply nested types; the product page's goes past the default limit.
#![recursion_limit = "256"]

pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod adapters;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod repositories;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod state;

pub use pages::{App, shell};

/// Called by the browser entry once islands mode has started. A form posted without JavaScript
/// comes back with its error in the URL (`__err`, `__path`); the islands' server actions start
/// from it, as they did on the server, so the hydrated form shows the same errors.
#[cfg(feature = "hydrate")]
pub fn islands_started() {
    use leptos::prelude::{provide_context, window};
    let search = window().location().search().unwrap_or_default();
    if let Ok(params) = leptos::web_sys::UrlSearchParams::new_with_str(&search)
        && let (Some(err), Some(path)) = (params.get("__err"), params.get("__path"))
    {
        provide_context(leptos::server::ServerActionError::new(&path, &err));
    }
}
