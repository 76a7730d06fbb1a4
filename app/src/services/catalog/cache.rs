//! Cache-aside for the catalogue as strangers see it (product pages, lists, the category tree),
//! through the cache adapter: Redis when configured — shared by every instance — else memory.
//!
//! Every entry's key carries the catalogue's current *generation*, a random token kept in the
//! cache itself. Any catalogue write moves it ([`catalog_changed`]), so one write makes every
//! cached read stale at once, on every instance sharing the cache; old entries then expire by
//! their TTL, which is also the backstop if a write's notice is lost. When a hot entry is missing,
//! one request per process loads it while the others wait for it (no stampede on the database);
//! TTLs are jittered so entries filled together don't expire together. A cache that can't be
//! reached is bypassed: strangers' reads go to the database.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::services::ServiceError;
use crate::state::AppState;

/// The cache key whose value names the catalogue's current generation.
const GENERATION: &str = "catalog:generation";
/// How long a cached read lives at most (before jitter).
const TTL: Duration = Duration::from_secs(300);

/// Loads in flight in this process, by key: the first caller loads, the rest wait for it.
static FLIGHTS: LazyLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Tells every instance the catalogue changed: cached reads are dropped. Every catalogue write
/// calls it after its commit — and so must any other domain that changes what the catalogue
/// shows (an order moving stock). A cache that can't be reached leaves entries to their TTL.
pub async fn catalog_changed(state: &AppState) {
    let generation = uuid::Uuid::new_v4().simple().to_string();
    if let Err(err) = state
        .cache
        .set(GENERATION, generation.as_bytes(), Duration::from_secs(30 * 24 * 3600))
        .await
    {
        tracing::warn!(error = %err, "catalogue cache generation not moved; cached reads expire by TTL");
    }
}

/// Where `key` lives in the cache in the catalogue's current generation; `None` when the cache
/// can't be reached (the caller then goes to the database).
async fn entry_key(state: &AppState, key: &str) -> Option<String> {
    let generation = match state.cache.get(GENERATION).await {
        Ok(generation) => generation
            .map(|g| String::from_utf8_lossy(&g).into_owned())
            .unwrap_or_default(),
        Err(err) => {
            tracing::debug!(error = %err, "catalogue cache unreachable; reading the database");
            return None;
        }
    };
    // Keys carry what a stranger sent (a slug, query parameters): hashed, they stay short.
    let digest = crate::auth::tokens::hash_token(key);
    Some(format!(
        "catalog:{generation}:{}",
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// A TTL a little under [`TTL`], so entries filled together don't expire together.
fn jittered_ttl() -> Duration {
    TTL - Duration::from_millis(rand::random::<u64>() % (TTL.as_millis() as u64 / 10))
}

/// `key`'s value, if the current generation has it.
pub async fn read<T: DeserializeOwned>(state: &AppState, key: &str) -> Option<T> {
    let key = entry_key(state, key).await?;
    state.cache.get_json::<T>(&key).await.ok().flatten()
}

/// Keeps `value` under `key` in the current generation (best effort).
pub async fn keep<T: Serialize>(state: &AppState, key: &str, value: &T) {
    if let Some(key) = entry_key(state, key).await
        && let Err(err) = state.cache.set_json(&key, value, jittered_ttl()).await
    {
        tracing::debug!(error = %err, "catalogue read not cached");
    }
}

/// `key`'s value from the cache, or `load`ed and kept there.
pub(crate) async fn cached<T, F, Fut>(state: &AppState, key: &str, load: F) -> Result<T, ServiceError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    let Some(key) = entry_key(state, key).await else {
        return load().await;
    };
    if let Ok(Some(hit)) = state.cache.get_json::<T>(&key).await {
        return Ok(hit);
    }
    let flight = FLIGHTS
        .lock()
        .map(|mut flights| flights.entry(key.clone()).or_default().clone())
        .unwrap_or_default();
    let guard = flight.lock().await;
    // Whoever held the flight before us has filled the entry.
    let value = match state.cache.get_json::<T>(&key).await {
        Ok(Some(hit)) => hit,
        _ => {
            let value = load().await?;
            if let Err(err) = state.cache.set_json(&key, &value, jittered_ttl()).await {
                tracing::debug!(error = %err, "catalogue read not cached");
            }
            value
        }
    };
    drop(guard);
    if let Ok(mut flights) = FLIGHTS.lock()
        && Arc::strong_count(&flight) <= 2
    {
        flights.remove(&key);
    }
    Ok(value)
}
