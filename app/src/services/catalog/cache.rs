//! Cache-aside for the catalogue as strangers see it (product pages, lists, the category tree),
//! through the cache adapter: Redis when configured — shared by every instance — else memory.
//!
//! Every entry is stamped with the catalogue's *generation* it was made in, a random token kept
//! in the cache itself and read with the entry in one round trip. Any catalogue write moves it
//! ([`catalog_changed`]), so one write makes every cached read stale at once, on every instance
//! sharing the cache; stale entries are overwritten or expire by their TTL, which is also the
//! backstop if a write's notice is lost. When a hot entry is missing,
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
/// It also asks for a search index sync (the outbox the triggers wrote says what changed).
pub async fn catalog_changed(state: &AppState) {
    move_generation(state).await;
    crate::services::search::request_sync(state).await;
}

/// Makes every cached read stale, on every instance sharing the cache: catalogue writes do it,
/// and so does the search index when it takes changes or is rebuilt (cached search answers
/// came from the index as it was).
pub(crate) async fn move_generation(state: &AppState) {
    let generation = uuid::Uuid::new_v4().simple().to_string();
    if let Err(err) = state
        .cache
        .set(GENERATION, generation.as_bytes(), Duration::from_secs(30 * 24 * 3600))
        .await
    {
        tracing::warn!(error = %err, "catalogue cache generation not moved; cached reads expire by TTL");
    }
}

/// The catalogue's current generation (empty before any write moved it), for what is kept
/// outside this cache by generation (the search engine's postings); `None` when the cache
/// can't be reached, so nothing may be kept.
pub(crate) async fn generation(state: &AppState) -> Option<String> {
    match state.cache.get(GENERATION).await {
        Ok(generation) => Some(String::from_utf8_lossy(&generation.unwrap_or_default()).into_owned()),
        Err(err) => {
            tracing::debug!(error = %err, "catalogue cache unreachable; nothing kept by generation");
            None
        }
    }
}

/// Where `key`'s entry lives. Keys carry what a stranger sent (a slug, query parameters):
/// hashed, they stay short.
fn entry_key(key: &str) -> String {
    let digest = crate::auth::tokens::hash_token(key);
    format!(
        "catalog:entry:{}",
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// What the cache holds for an entry.
pub enum Lookup<T> {
    /// Made in the current generation.
    Hit(T),
    /// Absent or older than the current generation, which a new entry is to be stamped with
    /// (read before loading, so a write committed during the load makes the entry stale).
    Miss { generation: String },
    /// The cache can't be reached: go to the database, keep nothing.
    Unreachable,
}

/// The current generation and the entry, in one round trip (an entry is stored as its
/// generation, a newline, then its JSON).
async fn lookup<T: DeserializeOwned>(state: &AppState, entry: &str) -> Lookup<T> {
    let (generation, stored) = match state.cache.get_pair(GENERATION, entry).await {
        Ok(pair) => pair,
        Err(err) => {
            tracing::debug!(error = %err, "catalogue cache unreachable; reading the database");
            return Lookup::Unreachable;
        }
    };
    let generation = generation.unwrap_or_default();
    let fresh = stored.as_deref().and_then(|stored| {
        let newline = stored.iter().position(|b| *b == b'\n')?;
        if stored[..newline] != generation[..] {
            return None;
        }
        serde_json::from_slice(&stored[newline + 1..]).ok()
    });
    match fresh {
        Some(value) => Lookup::Hit(value),
        None => Lookup::Miss {
            generation: String::from_utf8_lossy(&generation).into_owned(),
        },
    }
}

/// A TTL a little under [`TTL`], so entries filled together don't expire together.
fn jittered_ttl() -> Duration {
    TTL - Duration::from_millis(rand::random::<u64>() % (TTL.as_millis() as u64 / 10))
}

async fn store<T: Serialize>(state: &AppState, entry: &str, generation: &str, value: &T) {
    let Ok(json) = serde_json::to_vec(value) else {
        return;
    };
    let mut stamped = Vec::with_capacity(generation.len() + 1 + json.len());
    stamped.extend_from_slice(generation.as_bytes());
    stamped.push(b'\n');
    stamped.extend_from_slice(&json);
    if let Err(err) = state.cache.set(entry, &stamped, jittered_ttl()).await {
        tracing::debug!(error = %err, "catalogue read not cached");
    }
}

/// `key`'s value, if the current generation has it.
pub async fn read<T: DeserializeOwned>(state: &AppState, key: &str) -> Lookup<T> {
    lookup(state, &entry_key(key)).await
}

/// Keeps `value` under `key`, stamped with the `generation` a [`read`] returned.
pub async fn keep<T: Serialize>(state: &AppState, key: &str, generation: &str, value: &T) {
    store(state, &entry_key(key), generation, value).await;
}

/// `key`'s value from the cache, or `load`ed and kept there.
pub(crate) async fn cached<T, F, Fut>(state: &AppState, key: &str, load: F) -> Result<T, ServiceError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    cached_if(state, key, load, |_| true).await
}

/// As [`cached`], but a loaded value is kept only when `keep` says so.
pub(crate) async fn cached_if<T, F, Fut>(
    state: &AppState,
    key: &str,
    load: F,
    keep: impl FnOnce(&T) -> bool,
) -> Result<T, ServiceError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    let entry = entry_key(key);
    match lookup::<T>(state, &entry).await {
        Lookup::Hit(hit) => return Ok(hit),
        Lookup::Unreachable => return load().await,
        Lookup::Miss { .. } => {}
    }
    let flight = FLIGHTS
        .lock()
        .map(|mut flights| flights.entry(entry.clone()).or_default().clone())
        .unwrap_or_default();
    let guard = flight.lock().await;
    // Whoever held the flight before us has filled the entry.
    let value = match lookup::<T>(state, &entry).await {
        Lookup::Hit(hit) => hit,
        Lookup::Unreachable => load().await?,
        Lookup::Miss { generation } => {
            let value = load().await?;
            if keep(&value) {
                store(state, &entry, &generation, &value).await;
            }
            value
        }
    };
    drop(guard);
    if let Ok(mut flights) = FLIGHTS.lock()
        && Arc::strong_count(&flight) <= 2
    {
        flights.remove(&entry);
    }
    Ok(value)
}
