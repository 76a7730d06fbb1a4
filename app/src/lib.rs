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
