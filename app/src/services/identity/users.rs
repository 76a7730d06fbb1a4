//! Staff management of accounts (`users:manage`) and the staff area's door (`dashboard:view`).

use super::Actor;
use crate::domain::identity::{Permission, UpdateUserAccess, UserId, UserView};
use crate::domain::{Page, PageRequest};
use crate::error::{AppError, ErrorCode};
use crate::repositories::{self, identity as repo};
use crate::services::ServiceError;
use crate::state::AppState;

/// The staff member opening the staff area: the caller, if their role has `dashboard:view`.
pub fn enter_staff_area(actor: &Actor) -> Result<UserView, ServiceError> {
    actor.require(Permission::DashboardView)?;
    Ok(actor.user.clone())
}

/// Users matching `search` (e-mail or name), for staff with `users:manage`.
pub async fn list_users(
    state: &AppState,
    actor: &Actor,
    search: Option<&str>,
    page: PageRequest,
) -> Result<Page<UserView>, ServiceError> {
    actor.require(Permission::UsersManage)?;
    let search = crate::domain::search_term(search, 200)?;
    let items = repo::list_users(&state.db, search, page.limit(), page.offset()).await?;
    let total = repo::count_users(&state.db, search).await?;
    Ok(Page::new(
        items.into_iter().map(UserView::from).collect(),
        page,
        u64::try_from(total).unwrap_or(0),
    ))
}

/// Changes a user's role and/or active flag. Staff can't change their own, so an admin can't lock
/// themselves out. Deactivation revokes the user's refresh tokens; their access tokens stop
/// working at once because every request checks the flag.
pub async fn update_user_access(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    input: UpdateUserAccess,
) -> Result<UserView, ServiceError> {
    actor.require(Permission::UsersManage)?;
    let change = input.parse()?;
    if id == actor.user_id {
        return Err(AppError::new(
            ErrorCode::BusinessRuleViolation,
            "You can't change your own role or deactivate yourself.",
        )
        .into());
    }
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let user = repo::update_access(&mut *tx, id, change.role, change.active)
        .await?
        .ok_or_else(|| ServiceError::from(AppError::not_found("No such user.")))?;
    if change.active == Some(false) {
        repo::revoke_user_refresh_tokens(&mut *tx, id).await?;
    }
    tx.commit().await?;
    tracing::info!(event = "user_access_changed", user_id = %id.0, by = %actor.user_id.0, role = user.role.as_str(), active = user.active);
    Ok(user.into())
}
