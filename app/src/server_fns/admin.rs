//! Server functions of the staff area. Each checks its permission in the service: a stranger
//! gets 401, a customer 403.

use leptos::prelude::*;

use crate::domain::Page;
use crate::domain::identity::UserView;
use crate::error::AppError;

/// Who may open the staff area: the signed-in user, if their role has `dashboard:view`.
#[server(prefix = "/api/fn", endpoint = "admin_access", input = server_fn::codec::GetUrl)]
pub async fn admin_access() -> Result<UserView, AppError> {
    use super::{respond, web};
    use crate::services::identity;

    let actor = web::require_actor().await?;
    respond(identity::enter_staff_area(&actor))
}

/// Users matching `search`, one page at a time (`users:manage`).
#[server(prefix = "/api/fn", endpoint = "list_users", input = server_fn::codec::GetUrl)]
pub async fn list_users(search: Option<String>, page: Option<String>) -> Result<Page<UserView>, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let request = respond(PageRequest::parse(page.as_deref(), None))?;
    let state = state()?;
    respond(identity::list_users(&state, &actor, search.as_deref(), request).await)
}

/// Changes a user's role and whether the account is active (`users:manage`).
#[server(prefix = "/api/fn", endpoint = "update_user_access")]
pub async fn update_user_access(
    id: String,
    #[server(flatten)] input: crate::domain::identity::UpdateUserAccess,
) -> Result<UserView, AppError> {
    use super::{respond, state, web};
    use crate::domain::identity::UserId;
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let id = respond(
        uuid::Uuid::parse_str(id.trim())
            .map(UserId)
            .map_err(|_| AppError::not_found("No such user.")),
    )?;
    let state = state()?;
    respond(identity::update_user_access(&state, &actor, id, input).await)
}
