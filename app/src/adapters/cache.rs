//! The cache: one interface, two implementations. Redis when `REDIS_URL` is set (shared by every
//! server process), otherwise a bounded in-process cache. Values are bytes with a time to live;
//! `get_json`/`set_json` add serde on top. Callers treat a cache error as a miss.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::Expiry;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("value could not be (de)serialized: {0}")]
    Codec(#[from] serde_json::Error),
}

/// A cache, shared cheaply by cloning.
#[derive(Clone)]
pub enum Cache {
    Redis(RedisCache),
    /// Behind an `Arc`: the state (and so the cache) is cloned for every request, and a moka
    /// cache's own clone is a dozen atomic operations (a sixth of a cached read's CPU).
    Memory(Arc<MemoryCache>),
}

impl Cache {
    /// Connects to Redis; fails if it does not answer within `timeout`.
    pub async fn redis(url: &str, namespace: &str, timeout: Duration) -> Result<Self, CacheError> {
        Ok(Self::Redis(RedisCache::connect(url, namespace, timeout).await?))
    }

    /// An in-process cache holding at most `max_entries` values.
    pub fn memory(max_entries: u64) -> Self {
        Self::Memory(Arc::new(MemoryCache::new(max_entries)))
    }

    /// The implementation's name, as shown by `/health`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Redis(_) => "redis",
            Self::Memory(_) => "memory",
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        match self {
            Self::Redis(c) => c.get(key).await,
            Self::Memory(c) => Ok(c.get(key)),
        }
    }

    /// Reads two keys in one round trip.
    pub async fn get_pair(&self, first: &str, second: &str) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>), CacheError> {
        match self {
            Self::Redis(c) => c.get_pair(first, second).await,
            Self::Memory(c) => Ok((c.get(first), c.get(second))),
        }
    }

    /// Stores `value` under `key` for `ttl` (at least one millisecond).
    pub async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        let ttl = ttl.max(Duration::from_millis(1));
        match self {
            Self::Redis(c) => c.set(key, value, ttl).await,
            Self::Memory(c) => {
                c.set(key, value, ttl);
                Ok(())
            }
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), CacheError> {
        match self {
            Self::Redis(c) => c.delete(key).await,
            Self::Memory(c) => {
                c.delete(key);
                Ok(())
            }
        }
    }

    /// Checks the cache answers.
    pub async fn ping(&self) -> Result<(), CacheError> {
        match self {
            Self::Redis(c) => c.ping().await,
            Self::Memory(_) => Ok(()),
        }
    }

    /// Counts a hit in the fixed window `key` (created with length `window` on first hit).
    /// Returns the hits so far and the time until the window closes.
    pub async fn increment(&self, key: &str, window: Duration) -> Result<(u64, Duration), CacheError> {
        let window = window.max(Duration::from_millis(1));
        match self {
            Self::Redis(c) => c.increment(key, window).await,
            Self::Memory(c) => Ok(c.increment(key, window)),
        }
    }

    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, CacheError> {
        match self.get(key).await? {
            Some(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
            None => Ok(None),
        }
    }

    pub async fn set_json<T: Serialize>(&self, key: &str, value: &T, ttl: Duration) -> Result<(), CacheError> {
        self.set(key, &serde_json::to_vec(value)?, ttl).await
    }
}

/// Redis through a multiplexed, self-reconnecting connection. Every key is prefixed with a
/// namespace so several shops (or test runs) can share one Redis.
#[derive(Clone)]
pub struct RedisCache {
    conn: ConnectionManager,
    namespace: Arc<str>,
}

impl RedisCache {
    async fn connect(url: &str, namespace: &str, timeout: Duration) -> Result<Self, CacheError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(timeout)
            .set_response_timeout(timeout)
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self {
            conn,
            namespace: namespace.into(),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.namespace)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        Ok(self.conn.clone().get(self.key(key)).await?)
    }

    async fn get_pair(&self, first: &str, second: &str) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>), CacheError> {
        let (a, b): (Option<Vec<u8>>, Option<Vec<u8>>) = redis::cmd("MGET")
            .arg(self.key(first))
            .arg(self.key(second))
            .query_async(&mut self.conn.clone())
            .await?;
        Ok((a, b))
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let _: () = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("PX")
            .arg(millis)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        let _: () = self.conn.clone().del(self.key(key)).await?;
        Ok(())
    }

    async fn increment(&self, key: &str, window: Duration) -> Result<(u64, Duration), CacheError> {
        let key = self.key(key);
        let millis = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
        // One round trip, atomic: start the window if absent, count, read what is left of it.
        let (count, ttl): (u64, i64) = redis::pipe()
            .atomic()
            .cmd("SET")
            .arg(&key)
            .arg(0)
            .arg("PX")
            .arg(millis)
            .arg("NX")
            .ignore()
            .cmd("INCR")
            .arg(&key)
            .cmd("PTTL")
            .arg(&key)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok((count, Duration::from_millis(u64::try_from(ttl).unwrap_or(0))))
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let _: String = redis::cmd("PING").query_async(&mut self.conn.clone()).await?;
        Ok(())
    }
}

#[derive(Clone)]
struct Entry {
    value: Arc<[u8]>,
    ttl: Duration,
}

/// Each entry expires after its own time to live.
struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _key: &String, value: &Entry, _now: Instant) -> Option<Duration> {
        Some(value.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &String,
        value: &Entry,
        _now: Instant,
        _current: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// A fixed counting window.
struct Window {
    hits: std::sync::atomic::AtomicU64,
    opened: Instant,
    length: Duration,
}

struct WindowLength;

impl Expiry<String, Arc<Window>> for WindowLength {
    fn expire_after_create(&self, _key: &String, value: &Arc<Window>, _now: Instant) -> Option<Duration> {
        Some(value.length)
    }
}

/// A bounded in-process cache (moka: TinyLFU admission, LRU eviction, per-entry TTL).
#[derive(Clone)]
pub struct MemoryCache {
    inner: moka::sync::Cache<String, Entry>,
    windows: moka::sync::Cache<String, Arc<Window>>,
}

impl MemoryCache {
    fn new(max_entries: u64) -> Self {
        let inner = moka::sync::Cache::builder()
            .max_capacity(max_entries)
            .expire_after(PerEntryTtl)
            .build();
        let windows = moka::sync::Cache::builder()
            .max_capacity(max_entries)
            .expire_after(WindowLength)
            .build();
        Self { inner, windows }
    }

    fn increment(&self, key: &str, length: Duration) -> (u64, Duration) {
        let window = self.windows.get_with(key.to_owned(), || {
            Arc::new(Window {
                hits: 0.into(),
                opened: Instant::now(),
                length,
            })
        });
        let hits = window.hits.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        (hits, window.length.saturating_sub(window.opened.elapsed()))
    }

    fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.inner.get(key).map(|entry| entry.value.to_vec())
    }

    fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        self.inner.insert(
            key.to_owned(),
            Entry {
                value: value.into(),
                ttl,
            },
        );
    }

    fn delete(&self, key: &str) {
        self.inner.invalidate(key);
    }

    /// Applies pending evictions now (moka evicts lazily); used to observe the bound.
    pub fn run_pending_tasks(&self) {
        self.inner.run_pending_tasks();
    }

    pub fn entry_count(&self) -> u64 {
        self.inner.entry_count()
    }
}
