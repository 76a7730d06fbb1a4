//! `Idempotency-Key`: a client that retries a write (a timeout, a lost connection) sends the same
//! key and gets the first answer again instead of a second order. Keys belong to the caller (an
//! account, or a guest's cart token), so one client's key never replays another's answer. The
//! same key with a different request is refused; a request whose twin is still running gets a
//! 409; answers are kept for 24 hours.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::ServiceError;
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::repositories::idempotency as repo;
use crate::state::AppState;

/// How long a key's answer is kept.
pub const KEEP: Duration = Duration::from_secs(24 * 3600);
/// After how long a request still marked in flight counts as abandoned (its process died), so
/// the key can be used again.
const ABANDONED: Duration = Duration::from_secs(120);

/// An answer to replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What to do with a request that carries a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is this request's now: run it, then [`store`] the answer.
    Proceed,
    /// The same request was answered before: send this.
    Replay(StoredAnswer),
}

/// A key as sent: 1–255 visible ASCII characters.
pub fn parse_key(raw: &str) -> Result<String, AppError> {
    if !raw.is_empty() && raw.len() <= 255 && raw.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(raw.to_owned())
    } else {
        Err(AppError::validation(FieldErrors::from([(
            "Idempotency-Key".to_owned(),
            vec!["must be 1–255 visible ASCII characters, e.g. a UUID".to_owned()],
        )])))
    }
}

/// The fingerprint of a request: method, path with query, and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(method.as_bytes());
    hash.update([0]);
    hash.update(path.as_bytes());
    hash.update([0]);
    hash.update(body);
    hash.finalize().to_vec()
}

/// Claims `key` for a request with `fingerprint`, or says why not.
pub async fn claim(state: &AppState, scope: &str, key: &str, fingerprint: &[u8]) -> Result<Claim, ServiceError> {
    for _ in 0..3 {
        if repo::claim(
            &state.db,
            scope,
            key,
            fingerprint,
            KEEP.as_secs_f64(),
            ABANDONED.as_secs_f64(),
        )
        .await?
        {
            return Ok(Claim::Proceed);
        }
        // Taken: by this very request before (replay), another request (refused), or one still
        // running (409). Gone again in between (released): try to claim it once more.
        let Some(row) = repo::find(&state.db, scope, key).await? else {
            continue;
        };
        if row.request_hash != fingerprint {
            return Err(AppError::new(
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was already used for a different request; use a new key for a new request.",
            )
            .into());
        }
        return match (row.status, row.body) {
            (Some(status), Some(body)) => Ok(Claim::Replay(StoredAnswer {
                status: u16::try_from(status).unwrap_or(500),
                headers: row
                    .headers
                    .and_then(|h| serde_json::from_value(h).ok())
                    .unwrap_or_default(),
                body,
            })),
            _ => Err(AppError::new(
                ErrorCode::Conflict,
                "A request with this Idempotency-Key is still being processed; retry in a moment.",
            )
            .into()),
        };
    }
    Err(AppError::new(ErrorCode::Conflict, "This Idempotency-Key is busy; retry in a moment.").into())
}

/// Keeps the answer to replay for the key's lifetime.
pub async fn store(state: &AppState, scope: &str, key: &str, answer: &StoredAnswer) -> Result<(), ServiceError> {
    let headers = serde_json::to_value(&answer.headers).unwrap_or_default();
    repo::store(&state.db, scope, key, i32::from(answer.status), &headers, &answer.body).await?;
    Ok(())
}

/// Frees the key after an answer not worth keeping (a failure on our side, a rate limit): the
/// client may retry with the same key.
pub async fn release(state: &AppState, scope: &str, key: &str) -> Result<(), ServiceError> {
    repo::release(&state.db, scope, key).await?;
    Ok(())
}

/// Deletes keys older than 24 hours (run by the scheduler); returns how many.
pub async fn delete_expired(state: &AppState) -> Result<u64, ServiceError> {
    Ok(repo::delete_expired(&state.db, KEEP.as_secs_f64()).await?)
}
