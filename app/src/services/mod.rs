//! The service layer: business rules, transactions and orchestration. Pages, server functions
//! and REST handlers all call these functions, so each rule is written once.

pub mod carts;
pub mod catalog;
pub mod constraints;
pub mod health;
pub mod idempotency;
pub mod identity;
pub mod orders;
pub mod payments;
pub mod pricing;
pub mod scheduler;
pub mod search;

use std::net::IpAddr;

use crate::error::{AppError, ErrorCode};

/// Where a request comes from: resolved once per request by the server (the TCP peer, or the
/// forwarded client address when the peer is a trusted proxy) and kept in the request's
/// extensions; rate limits and logs use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
}

impl Client {
    /// The client the server resolved for this request (loopback if nothing resolved it, as in
    /// a bare router under test).
    pub fn of(extensions: &axum::http::Extensions) -> Self {
        extensions.get::<Self>().copied().unwrap_or(Self {
            ip: IpAddr::from([127, 0, 0, 1]),
        })
    }
}

/// What can go wrong in a service: the domain's own cases plus wrapped infrastructure errors.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input that parsed but breaks a rule; already in the client's terms.
    #[error("{0}")]
    Client(AppError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// A dependency the request can't do without is down.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("unexpected: {0}")]
    Unexpected(String),
}

impl From<sqlx::Error> for ServiceError {
    /// A broken constraint is the client's error (see [`constraints`]); the rest stay internal.
    fn from(err: sqlx::Error) -> Self {
        match constraints::client_error(&err) {
            Some(client) => Self::Client(client),
            None => Self::Database(err),
        }
    }
}

impl From<AppError> for ServiceError {
    fn from(value: AppError) -> Self {
        Self::Client(value)
    }
}

impl From<ServiceError> for AppError {
    /// Client errors pass through; infrastructure errors are logged here, once, and replaced by
    /// a generic message so no internal detail reaches the client.
    fn from(value: ServiceError) -> Self {
        match value {
            ServiceError::Client(err) => err,
            ServiceError::Database(ref err) if database_unreachable(err) => {
                tracing::error!(event = "db_unavailable", error = %value, "database unavailable");
                AppError::from_code(ErrorCode::ServiceUnavailable)
            }
            ServiceError::Unavailable(detail) => {
                tracing::error!(event = "dependency_unavailable", detail, "dependency unavailable");
                AppError::from_code(ErrorCode::ServiceUnavailable)
            }
            other => {
                tracing::error!(event = "internal_error", error = %other, "request failed");
                AppError::from_code(ErrorCode::InternalError)
            }
        }
    }
}

/// Whether a database error means "can't reach a working database" (a 503) rather than a fault
/// in the request (a 500): no pooled connection in time, the connection lost, or the server
/// refusing connections (connection exceptions `08…`, insufficient resources `53…`, operator
/// intervention `57P…`, a database closed to connections `55000`).
fn database_unreachable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") || code == "55000"
        }),
        _ => false,
    }
}

/// The 409 for a write based on a stale version of `what` (nothing was written).
pub(crate) fn stale(what: &str) -> ServiceError {
    crate::error::AppError::new(
        crate::error::ErrorCode::Conflict,
        format!("The {what} was changed by someone else since you read it; reload it and try again."),
    )
    .into()
}
