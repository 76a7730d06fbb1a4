//! The one error type every interface shows its callers: REST handlers render it as the JSON
//! envelope of DESIGN.md, server functions send it to the browser, pages display it.
//!
//! Which error each layer uses: repositories return `sqlx::Error`; services return
//! [`crate::services::ServiceError`] (domain cases plus wrapped infrastructure errors); the edge
//! (handlers, server functions) converts that into [`AppError`], logging internal detail once and
//! never sending it to the client.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Field name → human-readable messages about what is wrong with it.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// The machine-readable error codes of the API. Each documents its HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// 400: the request could not be read (malformed JSON, bad encoding).
    BadRequest,
    /// 401: no valid credentials.
    Unauthorized,
    /// 403: credentials are valid but lack the permission.
    Forbidden,
    /// 404: no such resource or route.
    NotFound,
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 409: version mismatch or duplicate.
    Conflict,
    /// 409: a line of the order asks for more than is in stock; `details` names each short
    /// variant (by id) with what is available.
    OutOfStock,
    /// 409: the order's status can't make that move.
    InvalidTransition,
    /// 413: the body is larger than the configured limit.
    PayloadTooLarge,
    /// 415: the body is not in a supported media type.
    UnsupportedMediaType,
    /// 422: one or more fields are invalid; `details` names them.
    ValidationError,
    /// 422: the request is well-formed but breaks a business rule.
    BusinessRuleViolation,
    /// 422: the `Idempotency-Key` was already used for a different request.
    IdempotencyKeyReused,
    /// 429: too many requests; `Retry-After` says when to come back.
    RateLimited,
    /// 500: something failed on our side; nothing internal is disclosed.
    InternalError,
    /// 503: a dependency the request needs is unavailable.
    ServiceUnavailable,
}

impl ErrorCode {
    /// The HTTP status code that goes with this error code.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict | Self::OutOfStock | Self::InvalidTransition => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::ValidationError | Self::BusinessRuleViolation | Self::IdempotencyKeyReused => 422,
            Self::RateLimited => 429,
            Self::InternalError => 500,
            Self::ServiceUnavailable => 503,
        }
    }

    /// The code for a bare HTTP status produced outside our handlers (router, body limits).
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            409 => Self::Conflict,
            413 => Self::PayloadTooLarge,
            415 => Self::UnsupportedMediaType,
            422 => Self::ValidationError,
            429 => Self::RateLimited,
            503 => Self::ServiceUnavailable,
            400..=499 => Self::BadRequest,
            _ => Self::InternalError,
        }
    }

    /// A safe, generic message for this code.
    pub fn default_message(self) -> &'static str {
        match self {
            Self::BadRequest => "The request could not be understood.",
            Self::Unauthorized => "Authentication is required.",
            Self::Forbidden => "You do not have permission to do this.",
            Self::NotFound => "The requested resource was not found.",
            Self::MethodNotAllowed => "This method is not allowed on this resource.",
            Self::Conflict => "The request conflicts with the current state of the resource.",
            Self::OutOfStock => "Some items are no longer in stock in the quantity asked for.",
            Self::InvalidTransition => "The order can't make that change of status.",
            Self::PayloadTooLarge => "The request body is too large.",
            Self::UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
            Self::ValidationError => "Some fields are invalid.",
            Self::BusinessRuleViolation => "The request breaks a business rule.",
            Self::IdempotencyKeyReused => "This Idempotency-Key was used for a different request.",
            Self::RateLimited => "Too many requests. Please try again later.",
            Self::InternalError => "An internal error occurred.",
            Self::ServiceUnavailable => "The service is temporarily unavailable.",
        }
    }
}

/// An error as clients see it: a code, a message for people, and per-field details.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<FieldErrors>,
    /// For 429: seconds until the client may try again (sent as `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// An error with the code's generic message.
    pub fn from_code(code: ErrorCode) -> Self {
        Self::new(code, code.default_message())
    }

    /// A 422 naming the invalid fields.
    pub fn validation(details: FieldErrors) -> Self {
        Self {
            details: Some(details),
            ..Self::from_code(ErrorCode::ValidationError)
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// The messages for one field, empty when it has none.
    pub fn field(&self, name: &str) -> &[String] {
        self.details
            .as_ref()
            .and_then(|d| d.get(name))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::Deserialization(message) => Self::new(
                ErrorCode::BadRequest,
                format!("The request could not be read: {message}"),
            ),
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::new(
                ErrorCode::ServiceUnavailable,
                "Could not reach the shop. Check your connection and try again.",
            ),
            ServerFnErrorErr::Registration(_) | ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                Self::from_code(ErrorCode::NotFound)
            }
            _ => Self::from_code(ErrorCode::InternalError),
        }
    }
}

/// Handlers return `AppError` directly: the response carries the status and the error itself;
/// the server's envelope middleware renders the body, adding the timestamp and request id.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.code.status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_screaming_snake_case() {
        let json = serde_json::to_string(&ErrorCode::BusinessRuleViolation).unwrap();
        assert_eq!(json, "\"BUSINESS_RULE_VIOLATION\"");
    }

    #[test]
    fn every_status_maps_back_to_its_code() {
        for code in [
            ErrorCode::Unauthorized,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::Conflict,
            ErrorCode::PayloadTooLarge,
            ErrorCode::RateLimited,
            ErrorCode::InternalError,
        ] {
            assert_eq!(ErrorCode::from_status(code.status()), code);
        }
        assert_eq!(ErrorCode::from_status(418), ErrorCode::BadRequest);
    }

    #[test]
    fn validation_error_exposes_field_messages() {
        let mut details = FieldErrors::new();
        details.insert("page".into(), vec!["must be at least 1".into()]);
        let err = AppError::validation(details);
        assert_eq!(err.code.status(), 422);
        assert_eq!(err.field("page"), ["must be at least 1"]);
        assert!(err.field("per_page").is_empty());
    }
}
