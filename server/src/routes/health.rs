//! `/health`: each dependency's state and latency; 200 while the database is up, 503 when not.

use app::services::health::{self, HealthReport};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

/// Reports the health of the shop and its dependencies.
#[utoipa::path(
    get,
    path = "/health",
    tag = "operations",
    responses(
        (status = 200, description = "Serving; some dependency may be degraded", body = HealthReport),
        (status = 503, description = "The database is down", body = HealthReport),
    )
)]
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let report = health::check_health(&state).await;
    let status = if report.is_serving() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(report))
}
