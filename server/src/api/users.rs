//! `/api/v1/users`: staff management of accounts (`users:manage`).

use app::domain::PageRequest;
use app::domain::identity::{UpdateUserAccess, UserId, UserView};
use app::error::AppError;
use app::services::identity;
use app::state::AppState;
use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::auth::Authenticated;
use super::envelope::{ApiJson, ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Part of an e-mail address or name.
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub q: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])), params(UserQuery),
    responses(
        (status = 200, description = "Users, newest first", body = ListEnvelope<UserView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks users:manage", body = ErrorEnvelope),
        (status = 422, description = "Bad paging", body = ErrorEnvelope),
    ))]
pub async fn list_users(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<Json<ListEnvelope<UserView>>, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let users = identity::list_users(&state, &actor, query.q.as_deref(), page).await?;
    Ok(Json(ListEnvelope::new(users, &uri)))
}

#[utoipa::path(patch, path = "/users/{id}", tag = "users", security(("bearer" = [])), request_body = UpdateUserAccess,
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "Updated", body = DataEnvelope<UserView>),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 403, description = "Lacks users:manage", body = ErrorEnvelope),
        (status = 404, description = "No such user", body = ErrorEnvelope),
        (status = 422, description = "Changing one's own access", body = ErrorEnvelope),
    ))]
pub async fn update_user_access(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<UpdateUserAccess>,
) -> Result<Json<DataEnvelope<UserView>>, AppError> {
    let user = identity::update_user_access(&state, &actor, UserId(id), input).await?;
    Ok(Json(DataEnvelope { data: user }))
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(update_user_access))
}
