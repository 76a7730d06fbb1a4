//! The application state the services take: one pool, one cache, the rate limiter, the media
//! store, the search engine and the shop's and auth settings — what the rules use, nothing of the web framework.
//! Built once at start-up by the server and provided to handlers (as axum state) and to server functions (as
//! Leptos context).

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

use crate::adapters::cache::Cache;
use crate::adapters::media::MediaStore;
use crate::adapters::rate_limit::RateLimiter;
use crate::adapters::search::SearchEngine;
use crate::auth::AuthConfig;
use crate::domain::Currency;

/// Settings the services need about the shop itself.
#[derive(Clone, Debug)]
pub struct ShopConfig {
    pub name: String,
    pub currency: Currency,
    /// Where people reach the shop (no trailing slash), for links in mails.
    pub public_url: String,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: PgPool,
    pub cache: Cache,
    pub shop: Arc<ShopConfig>,
    pub auth: Arc<AuthConfig>,
    pub limiter: RateLimiter,
    /// Where product images are stored.
    pub media: MediaStore,
    /// The search engine: Meilisearch when configured, PostgreSQL always.
    pub search: SearchEngine,
}
