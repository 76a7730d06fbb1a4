//! The caller's shipping addresses. Another user's address is reported as not found.

use super::Actor;
use crate::domain::identity::{AddressId, AddressInput, AddressView};
use crate::domain::{Page, PageRequest};
use crate::error::{AppError, ErrorCode};
use crate::repositories::{self, identity as repo};
use crate::services::ServiceError;
use crate::state::AppState;

pub async fn list_addresses(
    state: &AppState,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<AddressView>, ServiceError> {
    let items = repo::list_addresses(&state.db, actor.user_id, page.limit(), page.offset()).await?;
    let total = repo::count_addresses(&state.db, actor.user_id).await?;
    Ok(Page::new(items, page, u64::try_from(total).unwrap_or(0)))
}

fn address_not_found() -> ServiceError {
    AppError::not_found("No such address.").into()
}

/// The caller's address; someone else's is reported as not found.
pub async fn get_address(state: &AppState, actor: &Actor, id: AddressId) -> Result<AddressView, ServiceError> {
    repo::find_address(&state.db, actor.user_id, id)
        .await?
        .ok_or_else(address_not_found)
}

/// Adds an address; the first one, or one marked default, becomes the default. The account's
/// row is locked first, so concurrent requests choosing a default queue instead of colliding.
pub async fn create_address(state: &AppState, actor: &Actor, input: AddressInput) -> Result<AddressView, ServiceError> {
    let mut address = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    repo::lock_user(&mut *tx, actor.user_id).await?;
    if repo::count_addresses(&mut *tx, actor.user_id).await? == 0 {
        address.is_default = true;
    } else if address.is_default {
        repo::clear_default_address(&mut *tx, actor.user_id).await?;
    }
    let created = repo::create_address(&mut *tx, actor.user_id, &address).await?;
    tx.commit().await?;
    Ok(created)
}

/// Replaces an address. With `version`, a concurrent change in between is a 409.
pub async fn update_address(
    state: &AppState,
    actor: &Actor,
    id: AddressId,
    version: Option<i32>,
    input: AddressInput,
) -> Result<AddressView, ServiceError> {
    let address = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    repo::lock_user(&mut *tx, actor.user_id).await?;
    let current = repo::find_address(&mut *tx, actor.user_id, id)
        .await?
        .ok_or_else(address_not_found)?;
    if address.is_default && !current.is_default {
        repo::clear_default_address(&mut *tx, actor.user_id).await?;
    }
    let updated = repo::update_address(&mut *tx, actor.user_id, id, version, &address)
        .await?
        .ok_or_else(|| {
            ServiceError::from(AppError::new(
                ErrorCode::Conflict,
                "The address was changed by someone else; reload it and try again.",
            ))
        })?;
    tx.commit().await?;
    Ok(updated)
}

pub async fn delete_address(state: &AppState, actor: &Actor, id: AddressId) -> Result<(), ServiceError> {
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let deleted = repo::delete_address(&mut *tx, actor.user_id, id).await?;
    tx.commit().await?;
    if deleted { Ok(()) } else { Err(address_not_found()) }
}
