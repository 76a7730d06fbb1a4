//! `/media/images/...`: product images' renditions from the media store. Their keys carry the
//! picture's content hash, so a file at a key never changes: each is served with a year's
//! `immutable` caching and an `ETag` made of its key. Only renditions are served — the kept
//! originals and anything else in the store are not.

use app::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use app::error::{AppError, ErrorCode};

use super::IMMUTABLE;

async fn media(State(state): State<AppState>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    let content_type = match key.rsplit_once('.').map(|(_, ext)| ext) {
        Some("webp") => "image/webp",
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        _ => return AppError::not_found("No such file.").into_response(),
    };
    let key = format!("images/{key}");
    let etag = format!("\"{}\"", key.replace(['/', '.'], "-"));
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, IMMUTABLE.to_owned())],
        )
            .into_response();
    }
    match state.media.get(&key).await {
        Ok(Some(bytes)) => {
            let mut response = Body::from(bytes).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
            if let Ok(etag) = HeaderValue::from_str(&etag) {
                headers.insert(header::ETAG, etag);
            }
            response
        }
        Ok(None) => AppError::not_found("No such file.").into_response(),
        Err(err) => {
            tracing::error!(event = "media_unavailable", error = %err, "the media store failed");
            AppError::from_code(ErrorCode::ServiceUnavailable).into_response()
        }
    }
}

/// The media route.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/media/images/{*key}", get(media))
}
