//! `/health`: each dependency's state and latency; 200 while the database is up, 503 when not.
//! `/health/live`: answers without touching anything, for orchestrators' liveness probes (and as
//! the benchmark's baseline: the cost of the server and its middleware alone).

use app::services::health::{self, HealthReport};
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

/// The process is up and serving; nothing else is checked.
#[utoipa::path(
    get,
    path = "/health/live",
    tag = "operations",
    responses((status = 200, description = "The process serves requests", content_type = "text/plain", body = String))
)]
pub async fn live() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-store")], "ok")
}

/// The health routes with their OpenAPI operations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health)).routes(routes!(live))
}
