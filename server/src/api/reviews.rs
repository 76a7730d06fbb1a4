//! `/api/v1/reviews`: one review, and the moderation queue for staff with `reviews:moderate`.
//! A product's reviews are read and written under `/products/{id}/reviews`.

use app::domain::PageRequest;
use app::domain::catalog::reviews::{ModerateReview, ReviewId, ReviewView};
use app::error::AppError;
use app::services::catalog::reviews;
use app::state::AppState;
use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::{Authenticated, MaybeAuthenticated};
use super::envelope::{ApiJson, ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope, if_match, versioned};

/// The moderation queue's parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewListQuery {
    /// `pending` (the default, also when empty), `approved` or `rejected`.
    #[param(value_type = Option<String>, pattern = "^(pending|approved|rejected)?$")]
    pub status: Option<String>,
    /// Page number, from 1. Default 1.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Items per page, 1 to 100. Default 20.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// Reviews by moderation status, oldest first (pending ones by default).
#[utoipa::path(get, path = "/reviews", tag = "catalog", security(("bearer" = [])), params(ReviewListQuery),
    responses(
        (status = 200, description = "A page of reviews", body = ListEnvelope<ReviewView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks reviews:moderate", body = ErrorEnvelope),
        (status = 422, description = "An unknown status or bad paging", body = ErrorEnvelope),
    ))]
pub async fn list_reviews(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<ReviewListQuery>,
) -> Result<Json<ListEnvelope<ReviewView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let reviews = reviews::list_reviews(&state, &actor, query.status.as_deref(), page).await?;
    Ok(Json(ListEnvelope::new(reviews, &uri)))
}

/// One review: anyone once approved; before that its author and moderators.
#[utoipa::path(get, path = "/reviews/{id}", tag = "catalog", security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "The review's id")),
    responses(
        (status = 200, description = "The review", body = DataEnvelope<ReviewView>),
        (status = 404, description = "No such review, or not yet public", body = ErrorEnvelope),
    ))]
pub async fn get_review(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let review = reviews::get_review(&state, actor.as_ref(), ReviewId(id)).await?;
    Ok(versioned(review.version, review, StatusCode::OK))
}

/// Approves or rejects a review; the product's rating follows at once.
#[utoipa::path(patch, path = "/reviews/{id}", tag = "catalog", security(("bearer" = [])), request_body = ModerateReview,
    params(("id" = Uuid, Path, description = "The review's id"),
        ("If-Match" = Option<String>, Header, description = "ETag last seen; a mismatch is a 409")),
    responses(
        (status = 200, description = "Decided", body = DataEnvelope<ReviewView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks reviews:moderate", body = ErrorEnvelope),
        (status = 404, description = "No such review", body = ErrorEnvelope),
        (status = 409, description = "Moderated by someone else since the version given", body = ErrorEnvelope),
        (status = 422, description = "`status` is not approved or rejected", body = ErrorEnvelope),
    ))]
pub async fn moderate_review(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ModerateReview>,
) -> Result<Response, AppError> {
    let version = if_match(&headers)?;
    let review = reviews::moderate_review(&state, &actor, ReviewId(id), version, input).await?;
    Ok(versioned(review.version, review, StatusCode::OK))
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_reviews))
        .routes(routes!(get_review, moderate_review))
}
