//! The JSON shapes of `/api/v1`: the list envelope (`data`, `meta`, `links`), the error envelope,
//! and extractors that turn malformed input into the right error instead of axum's plain text.

use app::domain::Page;
use app::error::{AppError, ErrorCode, FieldErrors};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `{"error": {...}}`, the body of every error response.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// Field name → messages, for validation errors; otherwise null.
    pub details: Option<FieldErrors>,
    pub timestamp: DateTime<Utc>,
    /// The `X-Request-Id` of the request, to quote when reporting a problem.
    pub request_id: String,
}

impl ErrorEnvelope {
    pub fn new(error: AppError, request_id: String) -> Self {
        Self {
            error: ErrorBody {
                code: error.code,
                message: error.message,
                details: error.details,
                timestamp: Utc::now(),
                request_id,
            },
        }
    }
}

/// `{"data": ...}` for single resources.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DataEnvelope<T> {
    pub data: T,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ListMeta {
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub total_pages: u32,
    pub has_next: bool,
}

/// Links to this page and its neighbours, as absolute paths with the query string.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ListLinks {
    #[serde(rename = "self")]
    pub self_: String,
    pub next: Option<String>,
    pub prev: Option<String>,
    pub first: String,
    pub last: String,
}

/// A page of a collection.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ListEnvelope<T> {
    pub data: Vec<T>,
    pub meta: ListMeta,
    pub links: ListLinks,
}

impl<T> ListEnvelope<T> {
    /// Wraps a page; `path` is the collection's path (e.g. `/api/v1/products`).
    pub fn new(page: Page<T>, path: &str) -> Self {
        let total_pages = page.total_pages();
        let link = |n: u32| format!("{path}?page={n}&per_page={}", page.per_page);
        let links = ListLinks {
            self_: link(page.page),
            next: page.has_next().then(|| link(page.page + 1)),
            prev: page.has_prev().then(|| link((page.page - 1).min(total_pages))),
            first: link(1),
            last: link(total_pages),
        };
        let meta = ListMeta {
            page: page.page,
            per_page: page.per_page,
            total: page.total,
            total_pages,
            has_next: page.has_next(),
        };
        Self {
            data: page.items,
            meta,
            links,
        }
    }
}

/// `?page=&per_page=` as sent; parsed by [`app::domain::PageRequest::parse`].
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1. Default 1.
    #[param(value_type = Option<u32>, minimum = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100. Default 20.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// A JSON body whose rejections are errors in our envelope: unreadable JSON → 400, a body over
/// the limit → 413, wrong content type → 415, the wrong shape → 422.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::JsonDataError(err) => {
            // serde's message names the field and what was expected.
            let text = err.body_text();
            let message = text.split_once(": ").map_or(text.as_str(), |(_, rest)| rest).to_owned();
            let mut details = FieldErrors::new();
            details.insert("body".into(), vec![message]);
            AppError::validation(details)
        }
        JsonRejection::JsonSyntaxError(err) => AppError::new(
            ErrorCode::BadRequest,
            format!("The body is not valid JSON: {}", err.body_text()),
        ),
        JsonRejection::MissingJsonContentType(_) => AppError::from_code(ErrorCode::UnsupportedMediaType),
        other if other.status().as_u16() == 413 => AppError::from_code(ErrorCode::PayloadTooLarge),
        other => AppError::new(ErrorCode::BadRequest, other.body_text()),
    }
}

/// A query string whose rejections are 400 envelopes.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|rejection: QueryRejection| AppError::new(ErrorCode::BadRequest, rejection.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::PageRequest;

    #[test]
    fn links_cover_neighbours_and_bounds() {
        let page = Page::new(vec![1, 2], PageRequest { page: 2, per_page: 2 }, 5);
        let list = ListEnvelope::new(page, "/api/v1/products");
        assert_eq!(list.links.self_, "/api/v1/products?page=2&per_page=2");
        assert_eq!(list.links.next.as_deref(), Some("/api/v1/products?page=3&per_page=2"));
        assert_eq!(list.links.prev.as_deref(), Some("/api/v1/products?page=1&per_page=2"));
        assert_eq!(list.links.last, "/api/v1/products?page=3&per_page=2");
        assert_eq!((list.meta.total_pages, list.meta.has_next), (3, true));
    }
}
