//! Catalogue CSV over the API (`products:write`): `POST /imports` queues a file (the body, as
//! `text/csv`) and answers 202 with the import to follow at `GET /imports/{id}`; `GET
//! /imports/template` is an example file; `GET /catalog/export` streams the catalogue in the
//! same columns, so an exported file can be edited and imported back.

use app::domain::PageRequest;
use app::domain::catalog::transfer::ImportView;
use app::error::{AppError, ErrorCode};
use app::services::catalog::transfer;
use app::state::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::Authenticated;
use super::envelope::{ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope, PageQuery};

/// `POST /imports`' query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The file's name, shown in the list of imports (its first 200 characters).
    pub filename: Option<String>,
}

/// A CSV download's response: `text/csv`, to be saved as `name`.
pub fn csv_download(name: &str, body: Body) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Queues a catalogue CSV (one line per variant; see the template). The file is checked line
/// by line in the background and applied in one transaction only when every line is right.
#[utoipa::path(post, path = "/imports", tag = "catalog", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "The CSV file, with a header line naming its columns"),
    params(ImportQuery),
    responses(
        (status = 202, description = "Queued; follow it at `Location`", body = DataEnvelope<ImportView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 413, description = "Larger than MAX_UPLOAD_BYTES", body = ErrorEnvelope),
        (status = 415, description = "Not sent as text/csv", body = ErrorEnvelope),
        (status = 422, description = "Not a readable CSV: empty, no `sku` column, unknown columns, not UTF-8, too many lines", body = ErrorEnvelope),
    ))]
pub async fn create_import(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    app::services::catalog::transfer::check_access(&actor)?;
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "text/csv" | "application/csv"));
    if !csv {
        return Err(AppError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the file as the body with Content-Type: text/csv.",
        ));
    }
    let name = query.filename.unwrap_or_else(|| "import.csv".into());
    let import = transfer::start_import(&state, &actor, &name, body.to_vec()).await?;
    let mut response = (StatusCode::ACCEPTED, Json(DataEnvelope { data: import.clone() })).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/imports/{}", import.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Imports, newest first, with their progress or result.
#[utoipa::path(get, path = "/imports", tag = "catalog", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of imports", body = ListEnvelope<ImportView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 422, description = "Bad page parameters", body = ErrorEnvelope),
    ))]
pub async fn list_imports(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ListEnvelope<ImportView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    Ok(Json(ListEnvelope::new(
        transfer::list_imports(&state, &actor, page).await?,
        &uri,
    )))
}

/// One import: `queued`, `checking` or `applying` with `done_lines` of `total_lines`; then
/// `failed` (a line was wrong, nothing applied) or `done` (applied), with `errors` by line and
/// column and the counts of variants created, updated and unchanged.
#[utoipa::path(get, path = "/imports/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The import", body = DataEnvelope<ImportView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
        (status = 404, description = "No such import", body = ErrorEnvelope),
    ))]
pub async fn get_import(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<Json<DataEnvelope<ImportView>>, AppError> {
    Ok(Json(DataEnvelope {
        data: transfer::get_import(&state, &actor, id).await?,
    }))
}

/// An example file: every column, and a product with two variants.
#[utoipa::path(get, path = "/imports/template", tag = "catalog", security(("bearer" = [])),
    responses(
        (status = 200, description = "The template", content_type = "text/csv", body = String),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
    ))]
pub async fn import_template(Authenticated(actor): Authenticated) -> Result<Response, AppError> {
    transfer::check_access(&actor)?;
    Ok(csv_download("catalogue-template.csv", Body::from(transfer::template())))
}

/// The catalogue as CSV, one line per variant, streamed. `version` is `{version}:{stock}` as
/// exported: importing the file back reports a line whose variant changed since (or whose stock
/// the file changes while sales moved it) as a conflict instead of writing over it.
#[utoipa::path(get, path = "/catalog/export", tag = "catalog", security(("bearer" = [])),
    responses(
        (status = 200, description = "The catalogue", content_type = "text/csv", body = String),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks products:write", body = ErrorEnvelope),
    ))]
pub async fn export_catalog(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Response, AppError> {
    let stream = transfer::export_catalog(&state, &actor)?;
    Ok(csv_download("catalogue.csv", Body::from_stream(stream)))
}

/// This module's routes; an import may be up to `max_upload_bytes`.
pub fn router(max_upload_bytes: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_import, list_imports))
        .layer(DefaultBodyLimit::max(max_upload_bytes))
        .routes(routes!(get_import))
        .routes(routes!(import_template))
        .routes(routes!(export_catalog))
}
