//! API tokens: a short-lived JWT access token and a rotating refresh token. A login starts a
//! refresh family; refreshing spends the token and issues its successor; presenting a spent
//! token revokes the whole family; logout revokes the family and denies the access token.

use std::time::Duration;

use chrono::Utc;
use uuid::Uuid;

use super::{Actor, Client, SessionGrant, unauthorized};
use crate::auth::tokens;
use crate::domain::identity::{LoginInput, RegisterInput, Role, TokenPair, UserId};
use crate::repositories::identity as repo;
use crate::services::ServiceError;
use crate::state::AppState;

fn deny_key(jti: Uuid) -> String {
    format!("auth:deny:{jti}")
}

/// Registers a customer account for an API client and logs it in: the account, its
/// verification mail and its first refresh token are created in one transaction, so a failure
/// leaves nothing behind (and the client's retry is not refused as a duplicate).
pub async fn register_for_api(
    state: &AppState,
    client: Client,
    input: RegisterInput,
) -> Result<TokenPair, ServiceError> {
    let (mut tx, user) = super::accounts::open_registration(state, client, input).await?;
    let pair = start_family(state, &mut tx, user.id, user.role, user.credentials_version).await?;
    tx.commit().await?;
    Ok(pair)
}

/// Checks an API client's credentials and starts a new refresh family.
pub async fn login_for_api(state: &AppState, client: Client, input: LoginInput) -> Result<TokenPair, ServiceError> {
    let signed_in = super::login(state, client, input).await?;
    let mut conn = state.db.acquire().await?;
    let user = &signed_in.user;
    start_family(
        state,
        &mut conn,
        user.id,
        user.role,
        signed_in.grant.credentials_version,
    )
    .await
}

/// Issues an access token and a refresh token that starts a new family (a new login).
async fn start_family(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    user: UserId,
    role: Role,
    credentials_version: i32,
) -> Result<TokenPair, ServiceError> {
    let family = Uuid::now_v7();
    let refresh = tokens::random_token();
    let expires = Utc::now() + state.auth.refresh_ttl;
    repo::insert_refresh_token(&mut *conn, user, family, &tokens::hash_token(&refresh), expires).await?;
    let grant = SessionGrant {
        user_id: user,
        credentials_version,
    };
    token_pair(state, role, grant, family, refresh)
}

fn token_pair(
    state: &AppState,
    role: Role,
    grant: SessionGrant,
    family: Uuid,
    refresh: String,
) -> Result<TokenPair, ServiceError> {
    let (access, claims) =
        tokens::issue_access_token(&state.auth, grant.user_id.0, role, grant.credentials_version, family)
            .map_err(|err| ServiceError::Unexpected(err.to_string()))?;
    Ok(TokenPair {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: claims.exp - claims.iat,
    })
}

/// Spends a refresh token for a new pair in the same family. A token that was already spent
/// means it was stolen or replayed: the whole family is revoked.
pub async fn refresh_tokens(state: &AppState, refresh_token: &str) -> Result<TokenPair, ServiceError> {
    let invalid = || unauthorized("The refresh token is invalid, expired or revoked. Log in again.");
    let mut tx = state.db.begin().await?;
    let Some(stored) = repo::lock_refresh_token(&mut *tx, &tokens::hash_token(refresh_token)).await? else {
        return Err(invalid());
    };
    if stored.revoked_at.is_some() || stored.expires_at <= Utc::now() {
        return Err(invalid());
    }
    if stored.used_at.is_some() {
        let revoked = repo::revoke_refresh_family(&mut *tx, stored.family_id).await?;
        tx.commit().await?;
        tracing::warn!(event = "refresh_token_reused", user_id = %stored.user_id.0, revoked, "refresh token reused; family revoked");
        return Err(invalid());
    }
    let user = repo::find_user(&mut *tx, stored.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid)?;
    repo::mark_refresh_token_used(&mut *tx, stored.id).await?;
    let next = tokens::random_token();
    let expires = Utc::now() + state.auth.refresh_ttl;
    repo::insert_refresh_token(&mut *tx, user.id, stored.family_id, &tokens::hash_token(&next), expires).await?;
    tx.commit().await?;
    let grant = SessionGrant {
        user_id: user.id,
        credentials_version: user.credentials_version,
    };
    token_pair(state, user.role, grant, stored.family_id, next)
}

/// Ends an API login: the refresh family is revoked and the access token denied until it expires
/// (in the shared cache, so every instance honours it).
pub async fn logout(state: &AppState, actor: &Actor) -> Result<(), ServiceError> {
    let Some(claims) = &actor.token else { return Ok(()) };
    repo::revoke_refresh_family(&state.db, claims.fam).await?;
    let remaining = u64::try_from(claims.exp - Utc::now().timestamp()).unwrap_or(0);
    state
        .cache
        .set(&deny_key(claims.jti), b"1", Duration::from_secs(remaining.max(1)))
        .await
        .map_err(|err| ServiceError::Unavailable(format!("token deny-list: {err}")))?;
    tracing::info!(event = "logout", user_id = %actor.user_id.0);
    Ok(())
}

/// Establishes the caller from an access token: valid signature and expiry, not denied, and
/// the account still active (a deactivated user's tokens stop working at once).
///
/// The deny-list fails closed: when the cache that holds it can't be read, the request is
/// refused with 503 rather than honouring a token that may have been logged out (see
/// docs/decisions.md; browser sessions in the same store behave the same way).
pub async fn authenticate(state: &AppState, access_token: &str) -> Result<Actor, ServiceError> {
    let invalid = || unauthorized("The access token is invalid or expired.");
    let claims = tokens::verify_access_token(&state.auth, access_token).ok_or_else(invalid)?;
    let denied = state
        .cache
        .get(&deny_key(claims.jti))
        .await
        .map_err(|err| ServiceError::Unavailable(format!("token deny-list: {err}")))?;
    if denied.is_some() {
        return Err(unauthorized("The access token has been revoked."));
    }
    let user = repo::find_user(&state.db, UserId(claims.sub))
        .await?
        .filter(|u| u.active && u.credentials_version == claims.cv)
        .ok_or_else(invalid)?;
    Ok(Actor::new(user, Some(claims)))
}
