//! `/api/v1/me`: the caller's own account.

use app::domain::identity::{ChangePassword, UpdateProfile, UserView};
use app::error::AppError;
use app::services::identity;
use app::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Authenticated;
use super::envelope::{ApiJson, DataEnvelope, ErrorEnvelope};

/// The caller's profile.
#[utoipa::path(get, path = "/me", tag = "account", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = DataEnvelope<UserView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
    ))]
pub async fn get_me(Authenticated(actor): Authenticated) -> Json<DataEnvelope<UserView>> {
    Json(DataEnvelope {
        data: identity::get_me(&actor),
    })
}

/// Changes name and/or e-mail (a new e-mail must be verified again).
#[utoipa::path(patch, path = "/me", tag = "account", security(("bearer" = [])), request_body = UpdateProfile,
    responses(
        (status = 200, description = "Updated", body = DataEnvelope<UserView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 409, description = "E-mail taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn update_profile(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<UpdateProfile>,
) -> Result<Json<DataEnvelope<UserView>>, AppError> {
    Ok(Json(DataEnvelope {
        data: identity::update_profile(&state, &actor, input).await?,
    }))
}

/// Changes the password; needs the current one. Other logins must sign in again.
#[utoipa::path(post, path = "/me/password", tag = "account", security(("bearer" = [])), request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 422, description = "Current password wrong or new one too weak", body = ErrorEnvelope),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<ChangePassword>,
) -> Result<StatusCode, AppError> {
    identity::change_password(&state, &actor, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_me, update_profile))
        .routes(routes!(change_password))
}
