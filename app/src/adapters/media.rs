//! The media store, where product images live: one interface (`object_store`'s), two
//! implementations. S3-compatible object storage when `S3_BUCKET` is set (shared by every server
//! process), otherwise a local directory (`MEDIA_DIR`). Keys are paths like
//! `images/<hash>/480.webp`; the server serves them at `/media/<key>`.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{ObjectStore, PutPayload};

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("media store: {0}")]
    Store(#[from] object_store::Error),
    #[error("media directory {path}: {source}")]
    Directory { path: String, source: std::io::Error },
    #[error("`{0}` is not a media key")]
    BadKey(String),
}

/// The marker object start-up writes and `/health` reads.
const PROBE_KEY: &str = "health/probe";

/// Where S3-compatible storage is and how to sign in to it.
#[derive(Clone, Debug)]
pub struct S3Config {
    pub bucket: String,
    pub region: String,
    /// Unset: AWS itself. Set (e.g. `http://127.0.0.1:9000`): another S3-compatible service,
    /// addressed path-style.
    pub endpoint: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

/// The media store, shared cheaply by cloning.
#[derive(Clone)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    kind: &'static str,
}

impl MediaStore {
    /// Files under `dir`, which is created if missing.
    pub fn local(dir: &Path) -> Result<Self, MediaError> {
        let failed = |source| MediaError::Directory {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(failed)?;
        let dir = dir.canonicalize().map_err(failed)?;
        Ok(Self {
            store: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
            kind: "local",
        })
    }

    /// Objects in an S3-compatible bucket (which must exist).
    pub fn s3(config: &S3Config) -> Result<Self, MediaError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if let (Some(id), Some(secret)) = (&config.access_key_id, &config.secret_access_key) {
            builder = builder.with_access_key_id(id).with_secret_access_key(secret);
        }
        Ok(Self {
            store: Arc::new(builder.build()?),
            kind: "s3",
        })
    }

    /// The implementation's name, as shown by `/health` and the start-up log.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    fn key(raw: &str) -> Result<Key, MediaError> {
        // `parse` refuses empty, `.` and `..` segments: no key leaves the store's root.
        Key::parse(raw).map_err(|_| MediaError::BadKey(raw.to_owned()))
    }

    /// Stores `bytes` at `key`, replacing what was there.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), MediaError> {
        self.store.put(&Self::key(key)?, PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// The bytes at `key`; `None` when there is nothing there (or the key is not a valid one).
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, MediaError> {
        let Ok(key) = Self::key(key) else {
            return Ok(None);
        };
        match self.store.get(&key).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Removes `key`; removing what isn't there is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), MediaError> {
        match self.store.delete(&Self::key(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Whether the store takes writes and answers reads (at start-up): writes a marker object and
    /// reads it back.
    pub async fn check(&self) -> Result<(), MediaError> {
        self.put(PROBE_KEY, b"ok".to_vec()).await?;
        self.ping().await
    }

    /// Whether the store answers a read (for `/health`, which is asked often: it writes nothing).
    pub async fn ping(&self) -> Result<(), MediaError> {
        self.get(PROBE_KEY).await.map(|_| ())
    }
}
