//! The back office's plain routes, beside its pages and server functions: uploads (a product's
//! pictures, a catalogue CSV) and downloads (the export, the import template). They are
//! authenticated by the browser session — never by a token in the page — and, being under
//! `/admin`, fall under the same cross-site rule as every form. Each calls the same service
//! as its `/api/v1` twin.
//!
//! An upload answers a script (`Accept: application/json`, one picture per request so each
//! gets its own progress bar) with JSON, and a plain form with a redirect back to its page, which
//! shows the outcome (kept in the session when it is an error).

use app::adapters::sessions::signed_in;
use app::domain::ProductId;
use app::domain::catalog::forms::{EditorState, editor_key};
use app::domain::catalog::transfer::UPLOAD_ERROR_KEY;
use app::error::{AppError, ErrorCode};
use app::services::catalog::{images, transfer};
use app::services::identity::Actor;
use app::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tower_sessions::Session;
use uuid::Uuid;

use crate::api::envelope::DataEnvelope;
use crate::api::imports::csv_download;

/// The signed-in user; 401 otherwise (the service checks the permission).
async fn staff(state: &AppState, session: &Session) -> Result<Actor, AppError> {
    signed_in(state, session)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::Unauthorized, "Please sign in first."))
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn unreadable(err: MultipartError) -> AppError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(ErrorCode::PayloadTooLarge, "The file is larger than this shop accepts.")
    } else {
        AppError::new(
            ErrorCode::BadRequest,
            format!("The form could not be read: {}", err.body_text()),
        )
    }
}

/// Keeps `value` in the session for the page the browser goes back to (shown once there).
async fn keep<T: serde::Serialize>(session: &Session, key: &str, value: &T) {
    if let Err(err) = session.insert(key, value).await {
        tracing::error!(event = "session_failed", error = %err, "an upload's outcome could not be kept");
    }
}

/// Pictures for a product's gallery: each `file` field is one (with the form's `alt`).
async fn upload_images(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let json = wants_json(&headers);
    let back = format!("/admin/products/{id}");
    let outcome = async {
        let actor = staff(&state, &session).await?;
        images::check_upload(&actor)?;
        let mut multipart = multipart.map_err(|_| {
            AppError::new(
                ErrorCode::UnsupportedMediaType,
                "Send the pictures as multipart/form-data.",
            )
        })?;
        let (mut files, mut alt) = (Vec::new(), String::new());
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            match field.name() {
                Some("file") => {
                    let bytes = field.bytes().await.map_err(unreadable)?;
                    if !bytes.is_empty() {
                        files.push(bytes.to_vec());
                    }
                }
                Some("alt") => alt = field.text().await.map_err(unreadable)?,
                _ => {}
            }
        }
        if files.is_empty() {
            let mut details = app::error::FieldErrors::new();
            details.insert("file".into(), vec!["Choose a picture to upload.".into()]);
            return Err(AppError::validation(details));
        }
        let mut stored = Vec::new();
        for file in files {
            stored.push(images::upload_image(&state, &actor, ProductId(id), file, &alt).await?);
        }
        Ok::<_, AppError>(stored)
    }
    .await;
    match (outcome, json) {
        (Ok(stored), true) => (StatusCode::CREATED, Json(DataEnvelope { data: stored })).into_response(),
        (Ok(stored), false) => Redirect::to(&format!("{back}?uploaded={}#images", stored.len())).into_response(),
        (Err(err), true) => err.into_response(),
        (Err(err), false) => {
            let state = EditorState {
                images: Some(err),
                ..Default::default()
            };
            keep(&session, &editor_key(Some(id)), &state).await;
            Redirect::to(&format!("{back}#images")).into_response()
        }
    }
}

/// A catalogue CSV to import: queued, then followed on its own page.
async fn upload_import(
    State(state): State<AppState>,
    session: Session,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let outcome = async {
        let actor = staff(&state, &session).await?;
        transfer::check_access(&actor)?;
        let mut multipart = multipart
            .map_err(|_| AppError::new(ErrorCode::UnsupportedMediaType, "Send the file as multipart/form-data."))?;
        let mut file = None;
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            if field.name() == Some("file") {
                let name = field.file_name().unwrap_or("import.csv").to_owned();
                file = Some((name, field.bytes().await.map_err(unreadable)?.to_vec()));
            }
        }
        let (name, content) = file.filter(|(_, c)| !c.is_empty()).ok_or_else(|| {
            let mut details = app::error::FieldErrors::new();
            details.insert("file".into(), vec!["Choose a CSV file to import.".into()]);
            AppError::validation(details)
        })?;
        Ok::<_, AppError>(transfer::start_import(&state, &actor, &name, content).await?)
    }
    .await;
    match outcome {
        Ok(import) => Redirect::to(&format!("/admin/imports/{}", import.id)).into_response(),
        Err(err) => {
            keep(&session, UPLOAD_ERROR_KEY, &err).await;
            Redirect::to("/admin/imports").into_response()
        }
    }
}

async fn export_catalog(State(state): State<AppState>, session: Session) -> Result<Response, AppError> {
    let actor = staff(&state, &session).await?;
    let stream = transfer::export_catalog(&state, &actor)?;
    Ok(csv_download("catalogue.csv", Body::from_stream(stream)))
}

async fn import_template(State(state): State<AppState>, session: Session) -> Result<Response, AppError> {
    let actor = staff(&state, &session).await?;
    transfer::check_access(&actor)?;
    Ok(csv_download("catalogue-template.csv", Body::from(transfer::template())))
}

/// The routes; uploads may be up to `max_upload_bytes`.
pub fn router(max_upload_bytes: usize) -> axum::Router<AppState> {
    axum::Router::new()
        .route("/admin/products/{id}/images/upload", post(upload_images))
        .route("/admin/imports/upload", post(upload_import))
        .layer(DefaultBodyLimit::max(max_upload_bytes))
        .route("/admin/catalog.csv", get(export_catalog))
        .route("/admin/imports/template.csv", get(import_template))
}
