//! The service layer: business rules, transactions and orchestration. Pages, server functions
//! and REST handlers all call these functions, so each rule is written once.

pub mod catalog;
pub mod health;
pub mod identity;

use crate::error::{AppError, ErrorCode};

/// What can go wrong in a service: the domain's own cases plus wrapped infrastructure errors.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input that parsed but breaks a rule; already in the client's terms.
    #[error("{0}")]
    Client(AppError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A dependency the request can't do without is down.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("unexpected: {0}")]
    Unexpected(String),
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
            ServiceError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed) => {
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
