//! The `Idempotency-Key` layer of `/api/v1`: a write (POST, PUT, PATCH, DELETE with a JSON body or
//! none) that carries the header is run once per key and caller; a retry with the same key and
//! request gets the first answer again, with `Idempotent-Replayed: true`. A key belongs to its
//! caller and endpoint (method and path): the caller is the account of a valid bearer token, else
//! the guest's `X-Cart-Token`; a request with neither has no one to scope its key to, and is
//! served as if it carried none. The rules are
//! [`app::services::idempotency`]'s.

use app::auth::tokens::{hash_token, verify_access_token};
use app::error::AppError;
use app::services::idempotency::{self, Claim, StoredAnswer};
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::carts::CART_TOKEN;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Marks a stored answer whose body is an [`AppError`] (rendered into the envelope on replay,
/// with the replay's own request id).
const STORED_ERROR: &str = "x-oxcart-stored-error";
/// The headers of an answer worth replaying.
const KEPT_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::ETAG,
    header::CACHE_CONTROL,
];

/// Who the key belongs to, if anyone.
fn scope(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    if let Some(token) = bearer {
        return verify_access_token(&state.auth, token).map(|claims| format!("user:{}", claims.sub));
    }
    headers
        .get(CART_TOKEN)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|token| {
            let hash: String = hash_token(token).iter().map(|b| format!("{b:02x}")).collect();
            format!("cart:{hash}")
        })
}

fn applies(request: &Request) -> bool {
    let write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let json_or_nothing = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("application/json"));
    write && json_or_nothing && request.headers().contains_key(IDEMPOTENCY_KEY)
}

/// The layer itself; `max_body` is the JSON body limit.
pub async fn idempotency(
    State(state): State<AppState>,
    max_body: usize,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    if !applies(&request) {
        return Ok(next.run(request).await);
    }
    let Some(caller) = scope(&state, request.headers()) else {
        return Ok(next.run(request).await);
    };
    let raw_key = request
        .headers()
        .get(IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let key = idempotency::parse_key(raw_key)?;
    // A key is the caller's, on one endpoint: the same key sent to another endpoint is another key.
    let scope = format!("{caller} {} {}", request.method(), request.uri().path());
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, max_body)
        .await
        .map_err(|_| AppError::from_code(app::error::ErrorCode::PayloadTooLarge))?;
    let path = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let fingerprint = idempotency::fingerprint(parts.method.as_str(), path, &bytes);
    match idempotency::claim(&state, &scope, &key, &fingerprint).await? {
        Claim::Replay(answer) => return Ok(replay(answer)),
        Claim::Proceed => {}
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = response.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        // Not an answer to keep: the client may retry with the same key.
        idempotency::release(&state, &scope, &key).await?;
        return Ok(response);
    }
    let (mut parts, body) = response.into_parts();
    let error = parts.extensions.get::<AppError>().cloned();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut headers: Vec<(String, String)> = KEPT_HEADERS
        .iter()
        .chain([&CART_TOKEN])
        .filter_map(|name| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| (name.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let stored_body = match &error {
        Some(err) => {
            headers.push((STORED_ERROR.to_owned(), "1".to_owned()));
            serde_json::to_vec(err).unwrap_or_default()
        }
        None => bytes.to_vec(),
    };
    let answer = StoredAnswer {
        status: status.as_u16(),
        headers,
        body: stored_body,
    };
    idempotency::store(&state, &scope, &key, &answer).await?;
    parts.headers.insert(REPLAYED, HeaderValue::from_static("false"));
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// The stored answer, sent again.
fn replay(answer: StoredAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let is_error = answer.headers.iter().any(|(name, _)| name == STORED_ERROR);
    let mut response = match serde_json::from_slice::<AppError>(&answer.body) {
        Ok(err) if is_error => {
            let mut response = err.into_response();
            *response.status_mut() = status;
            response
        }
        _ => (status, answer.body).into_response(),
    };
    let headers = response.headers_mut();
    for (name, value) in answer.headers.iter().filter(|(name, _)| name != STORED_ERROR) {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
            headers.insert(name, value);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
