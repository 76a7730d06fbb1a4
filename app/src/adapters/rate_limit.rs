//! Rate limits as fixed windows counted in the cache: in Redis when configured, so every server
//! process sharing it shares the limit, in process otherwise. A cache failure lets the request
//! through (and is logged): a broken limiter must not take the shop down.

use std::time::Duration;

use super::cache::Cache;
use crate::error::{AppError, ErrorCode};

/// At most `max` hits per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: u64,
    pub window: Duration,
}

impl Limit {
    /// Parses `N/SECONDS`, e.g. `10/60`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || format!("`{raw}` is not a limit like 10/60 (hits per seconds)");
        let (max, secs) = raw.trim().split_once('/').ok_or_else(bad)?;
        let max: u64 = max.trim().parse().map_err(|_| bad())?;
        let secs: u64 = secs.trim().parse().map_err(|_| bad())?;
        if max == 0 || secs == 0 {
            return Err(bad());
        }
        Ok(Self {
            max,
            window: Duration::from_secs(secs),
        })
    }
}

/// The configured limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Login attempts per client address and, separately, per e-mail address.
    pub login: Limit,
    /// Registrations per client address.
    pub register: Limit,
    /// Password-reset requests per client address and per e-mail address.
    pub password_reset: Limit,
    /// Writes (POST, PUT, PATCH, DELETE) to the API per client address.
    pub writes: Limit,
}

#[derive(Clone)]
pub struct RateLimiter {
    cache: Cache,
    pub limits: Limits,
}

impl RateLimiter {
    pub fn new(cache: Cache, limits: Limits) -> Self {
        Self { cache, limits }
    }

    /// Counts one hit on `scope:key`; over the limit → 429 with the seconds until it reopens.
    pub async fn hit(&self, scope: &str, key: &str, limit: Limit) -> Result<(), AppError> {
        let counter = format!("ratelimit:{scope}:{key}");
        match self.cache.increment(&counter, limit.window).await {
            Ok((hits, _)) if hits <= limit.max => Ok(()),
            Ok((_, remaining)) => {
                tracing::info!(event = "rate_limited", scope, "rate limit reached");
                let seconds = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
                Err(AppError::rate_limited(seconds.max(1)))
            }
            Err(err) => {
                tracing::warn!(event = "rate_limit_unavailable", error = %err, "rate limiter failed; allowing");
                Ok(())
            }
        }
    }
}

impl AppError {
    /// A 429 that tells when to retry.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs),
            ..Self::new(
                ErrorCode::RateLimited,
                format!("Too many attempts. Try again in {retry_after_secs} seconds."),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_limits() {
        assert_eq!(
            Limit::parse("10/60").unwrap(),
            Limit {
                max: 10,
                window: Duration::from_secs(60)
            }
        );
        for bad in ["10", "0/60", "10/0", "ten/60", "10/sixty"] {
            assert!(Limit::parse(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn counts_hits_in_a_window() {
        let limiter = RateLimiter::new(
            Cache::memory(100),
            Limits {
                login: Limit {
                    max: 2,
                    window: Duration::from_secs(60),
                },
                register: Limit {
                    max: 1,
                    window: Duration::from_secs(60),
                },
                password_reset: Limit {
                    max: 1,
                    window: Duration::from_secs(60),
                },
                writes: Limit {
                    max: 1,
                    window: Duration::from_secs(60),
                },
            },
        );
        let login = limiter.limits.login;
        assert!(limiter.hit("login", "a", login).await.is_ok());
        assert!(limiter.hit("login", "a", login).await.is_ok());
        let err = limiter.hit("login", "a", login).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::RateLimited);
        assert!(err.retry_after.is_some_and(|s| (1..=60).contains(&s)));
        assert!(limiter.hit("login", "b", login).await.is_ok(), "keys are counted apart");
    }
}
