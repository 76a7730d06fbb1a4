//! Authentication primitives: password hashing (argon2id, off the async threads) and tokens
//! (JWT access tokens, opaque refresh and single-use tokens stored as SHA-256 hashes).

pub mod password;
pub mod tokens;

use std::time::Duration;

/// Token settings, from configuration.
#[derive(Clone)]
pub struct AuthConfig {
    /// HS256 key for access tokens; at least 32 bytes.
    pub jwt_secret: Vec<u8>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("jwt_secret", &"[redacted]")
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .finish()
    }
}
