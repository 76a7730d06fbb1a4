//! Browser sessions: who a session's grant stands for.

use super::{Actor, SessionGrant};
use crate::repositories::identity as repo;
use crate::services::ServiceError;
use crate::state::AppState;

/// Establishes the caller from a browser session's grant: the account must still exist, be
/// active (deactivation ends web sessions at once too) and have the password it had at sign-in.
/// `None` means "signed out".
pub async fn authenticate_session(state: &AppState, grant: SessionGrant) -> Result<Option<Actor>, ServiceError> {
    Ok(repo::find_user(&state.db, grant.user_id)
        .await?
        .filter(|u| u.active && u.credentials_version == grant.credentials_version)
        .map(|user| Actor::new(user, None)))
}
