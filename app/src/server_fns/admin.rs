//! Server functions of the staff area. Each checks its permission in the service (or here, for
//! the area itself): a stranger gets 401, a customer 403.

use leptos::prelude::*;

use crate::domain::Page;
use crate::domain::identity::UserView;
use crate::error::AppError;

/// Who may open the staff area: the signed-in user, if their role has `dashboard:view`.
#[server(prefix = "/api/fn", endpoint = "admin_access", input = server_fn::codec::GetUrl)]
pub async fn admin_access() -> Result<UserView, AppError> {
    use super::{respond, state, web};
    use crate::domain::identity::Permission;
    use crate::services::identity;

    let actor = web::require_actor().await?;
    respond(actor.require(Permission::DashboardView))?;
    let state = state()?;
    respond(identity::get_me(&state, &actor).await)
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
pub async fn update_user_access(id: String, role: String, active: String) -> Result<UserView, AppError> {
    use super::{respond, state, web};
    use crate::domain::identity::{Role, UserId};
    use crate::error::{ErrorCode, FieldErrors};
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let id = respond(
        uuid::Uuid::parse_str(id.trim())
            .map(UserId)
            .map_err(|_| AppError::not_found("No such user.")),
    )?;
    let mut details = FieldErrors::new();
    let role = Role::parse(&role);
    if role.is_none() {
        details.insert("role".into(), vec!["must be customer, staff or admin".into()]);
    }
    let active = match active.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            details.insert("active".into(), vec!["must be true or false".into()]);
            None
        }
    };
    if !details.is_empty() {
        return respond(Err(AppError {
            details: Some(details),
            ..AppError::from_code(ErrorCode::ValidationError)
        }));
    }
    let state = state()?;
    respond(identity::update_user_access(&state, &actor, id, role, active).await)
}
