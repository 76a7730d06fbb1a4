//! The JSON shapes of `/api/v1`: the list envelope (`data`, `meta`, `links`), the error envelope,
//! and extractors that turn malformed input into the right error instead of axum's plain text.

use app::domain::Page;
use app::error::{AppError, ErrorCode, FieldErrors};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
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

/// A `DELETE` that kept the resource because something still refers to it: `{"data": <it as it
/// now is>, "meta": {"outcome": "archived" | "deactivated", "message": …}}`, status 200.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RetiredEnvelope<T> {
    pub data: T,
    pub meta: RetiredMeta,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RetiredMeta {
    /// `archived` (a product) or `deactivated` (a variant).
    pub outcome: String,
    pub message: String,
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
    /// Wraps a page of the collection at `uri` (the request's own, path and query). Links keep
    /// every query parameter of the request (filters, search, sort), with only the page moved.
    pub fn new(page: Page<T>, uri: &Uri) -> Self {
        let total_pages = page.total_pages();
        let path = uri.path();
        let kept: Vec<(String, String)> = uri
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|(name, _)| name != "page" && name != "per_page")
            .collect();
        let link = |n: u32| {
            let mut pairs = kept.clone();
            pairs.push(("page".into(), n.to_string()));
            pairs.push(("per_page".into(), page.per_page.to_string()));
            let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            format!("{path}?{query}")
        };
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

/// The `ETag` of a resource at `version`: `"<version>"`.
pub fn version_etag(version: i32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a valid header")
}

/// A strong ETag from a representation's bytes (FNV-1a, 64 bits, and the length): it covers
/// everything the representation shows, so a 304 is never stale.
pub fn content_etag(bytes: &[u8]) -> HeaderValue {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    HeaderValue::from_str(&format!("\"{hash:016x}-{:x}\"", bytes.len())).expect("hex is a valid header")
}

/// Whether `If-None-Match` names `tag` (weakly compared) or is `*`: the client has it already.
pub fn if_none_match(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.trim_start_matches("W/") == tag)
        })
}

/// `{"data": …}` with an ETag of its content, or a 304 when `If-None-Match` already has it. The
/// tag starts with the resource's `version` (`"<version>-<hash>"`), so the same tag also serves
/// as `If-Match` for a change: a write compares the version, a read the whole content.
pub fn with_content_etag<T: Serialize>(headers: &HeaderMap, version: i32, data: T) -> Response {
    let body = serde_json::to_vec(&DataEnvelope { data }).unwrap_or_default();
    let hash = content_etag(&body);
    let tag = HeaderValue::from_str(&format!(
        "\"{version}-{}",
        hash.to_str().unwrap_or("\"").trim_start_matches('"')
    ))
    .unwrap_or(hash);
    let vary = (header::VARY, HeaderValue::from_static("authorization"));
    if if_none_match(headers, &tag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag), vary]).into_response();
    }
    let json = (header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    (StatusCode::OK, [(header::ETAG, tag), vary, json], body).into_response()
}

/// A created resource's answer: `response` as a 201 whose `Location` names the resource.
pub fn created_at(location: &str, mut response: Response) -> Response {
    *response.status_mut() = StatusCode::CREATED;
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `{"data": …}` with the resource's `ETag`.
pub fn versioned<T: Serialize>(version: i32, data: T, status: StatusCode) -> Response {
    (
        status,
        [(header::ETAG, version_etag(version))],
        Json(DataEnvelope { data }),
    )
        .into_response()
}

/// A 304 when `If-None-Match` names the resource's current version.
pub fn not_modified(headers: &HeaderMap, version: i32) -> Option<Response> {
    let tag = version_etag(version);
    if_none_match(headers, &tag).then(|| (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response())
}

/// `If-Match: "<version>"` (or a content tag `"<version>-<hash>"`) → the version the client
/// last saw. Empty means no precondition.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i32>, AppError> {
    let Some(value) = headers
        .get(header::IF_MATCH)
        .filter(|v| !v.as_bytes().trim_ascii().is_empty())
    else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.split('-').next().and_then(|v| v.parse::<u64>().ok()))
        // A version beyond any we issue can only be stale: it will not match (409).
        .map(|v| Some(i32::try_from(v).unwrap_or(-1)))
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::BadRequest,
                "If-Match must be an ETag from this API, e.g. \"3\".",
            )
        })
}

/// `?page=&per_page=` as sent; parsed by [`app::domain::PageRequest::parse`].
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1. Default 1.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Items per page, 1 to 100. Default 20.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// JSON has one number type: `3.0` is the integer 3 (JSON Schema agrees), but serde would refuse
/// it for an integer field. Integral floats in the body become integers before it is read.
fn whole_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if !(n.is_i64() || n.is_u64()) => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// A JSON body whose rejections are errors in our envelope: unreadable JSON → 400, a body over
/// the limit → 413, wrong content type → 415, the wrong shape → 422.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || (v.starts_with("application/") && v.ends_with("+json")));
        if !json {
            return Err(AppError::from_code(ErrorCode::UnsupportedMediaType));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| match rejection.status().as_u16() {
                413 => AppError::from_code(ErrorCode::PayloadTooLarge),
                _ => AppError::new(ErrorCode::BadRequest, rejection.body_text()),
            })?;
        let mut value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|err| AppError::new(ErrorCode::BadRequest, format!("The body is not valid JSON: {err}")))?;
        whole_numbers(&mut value);
        // Every request body of this API is an object; serde would read a struct from an array.
        if !value.is_object() {
            return Err(AppError::validation(FieldErrors::from([(
                "body".to_owned(),
                vec!["must be a JSON object".to_owned()],
            )])));
        }
        serde_path_to_error::deserialize(value)
            .map(Self)
            .map_err(|err| shape_error(&err))
    }
}

/// JSON of the wrong shape → 422 keyed by the field, as every other validation error:
/// `{"display_name": ["is required"]}`, `{"address.country": ["must be a string"]}`.
/// serde reports one problem at a time, the first it meets.
fn shape_error(path_error: &serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let inner = path_error.inner().to_string();
    let path = path_error.path().to_string();
    let at = |name: &str| {
        if path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let (field, message) = if let Some(name) = inner
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        (at(name), "is required".to_owned())
    } else {
        let field = if path == "." { "body".to_owned() } else { path.clone() };
        match inner.split_once(", expected ") {
            Some((_, expected)) => (field, format!("must be {expected}")),
            None => (field, inner),
        }
    };
    AppError::validation(FieldErrors::from([(field, vec![message])]))
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
        let list = ListEnvelope::new(page, &Uri::from_static("/api/v1/products?page=2"));
        assert_eq!(list.links.self_, "/api/v1/products?page=2&per_page=2");
        assert_eq!(list.links.next.as_deref(), Some("/api/v1/products?page=3&per_page=2"));
        assert_eq!(list.links.prev.as_deref(), Some("/api/v1/products?page=1&per_page=2"));
        assert_eq!(list.links.last, "/api/v1/products?page=3&per_page=2");
        assert_eq!((list.meta.total_pages, list.meta.has_next), (3, true));
    }

    #[test]
    fn links_keep_the_request_filters() {
        let page = Page::new(vec![1], PageRequest { page: 1, per_page: 1 }, 3);
        let uri = Uri::from_static("/api/v1/users?q=ada+l%C3%B6w&per_page=1&page=1&sort=name");
        let list = ListEnvelope::new(page, &uri);
        assert_eq!(
            list.links.next.as_deref(),
            Some("/api/v1/users?q=ada+l%C3%B6w&sort=name&page=2&per_page=1")
        );
        assert_eq!(
            list.links.first,
            "/api/v1/users?q=ada+l%C3%B6w&sort=name&page=1&per_page=1"
        );
    }
}
