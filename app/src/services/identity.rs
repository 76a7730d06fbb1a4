//! Identity rules: registration, login, API tokens (issue, refresh with rotation and reuse
//! detection, logout), the caller's profile and addresses, and staff management of users.
//! Permission checks happen here, so the REST API, server functions and pages share them.

use std::net::IpAddr;
use std::time::Duration;

use chrono::Utc;
use uuid::Uuid;

use super::ServiceError;
use crate::adapters::jobs::{self, Job};
use crate::adapters::mail;
use crate::auth::password::{hash_password, verify_password};
use crate::auth::tokens::{self, Claims};
use crate::domain::identity::{
    AddressId, AddressInput, AddressView, ChangePassword, Email, LoginInput, Permission, RegisterInput,
    RequestPasswordReset, ResetPassword, Role, TokenPair, UpdateProfile, UserId, UserView, VerifyEmail,
    check_new_password,
};
use crate::domain::{Page, PageRequest};
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::repositories::identity::{self as repo, TokenPurpose, UserRecord};
use crate::state::AppState;

/// Who is calling, as established from a valid token or session.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    /// The role as stored now (not as it was when the token was issued).
    pub role: Role,
    /// The access token's claims, when the caller used one.
    pub token: Option<Claims>,
}

impl Actor {
    /// 403 unless the actor's role grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ServiceError> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(AppError::new(
                ErrorCode::Forbidden,
                format!("This needs the `{}` permission.", permission.as_str()),
            )
            .into())
        }
    }
}

/// Who signed in, and the version of their credentials at the time: what a browser session keeps
/// and an access token carries. Changing or resetting the password moves the version on, which
/// ends both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionGrant {
    pub user_id: UserId,
    pub credentials_version: i32,
}

/// A successful registration or login: the account, and the grant a browser session keeps.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: UserView,
    pub grant: SessionGrant,
}

impl From<UserRecord> for SignedIn {
    fn from(user: UserRecord) -> Self {
        let grant = SessionGrant {
            user_id: user.id,
            credentials_version: user.credentials_version,
        };
        Self {
            user: user.into(),
            grant,
        }
    }
}

/// Where a request comes from, for rate limits.
#[derive(Clone, Copy, Debug)]
pub struct Client {
    pub ip: IpAddr,
}

fn unauthorized(message: &str) -> ServiceError {
    AppError::new(ErrorCode::Unauthorized, message).into()
}

fn field_error(field: &str, message: &str) -> ServiceError {
    let mut details = FieldErrors::new();
    details.insert(field.into(), vec![message.into()]);
    AppError::validation(details).into()
}

/// Maps the unique e-mail index to a 409 on `email`.
fn email_taken(err: sqlx::Error) -> ServiceError {
    match &err {
        sqlx::Error::Database(db) if db.constraint() == Some("users_email_key") => {
            let mut details = FieldErrors::new();
            details.insert("email".into(), vec!["is already registered".into()]);
            AppError {
                details: Some(details),
                ..AppError::new(ErrorCode::Conflict, "This e-mail address is already registered.")
            }
            .into()
        }
        _ => err.into(),
    }
}

fn deny_key(jti: Uuid) -> String {
    format!("auth:deny:{jti}")
}

/// Creates a customer account.
pub async fn register(state: &AppState, client: Client, input: RegisterInput) -> Result<SignedIn, ServiceError> {
    state
        .limiter
        .hit("register", &client.ip.to_string(), state.limiter.limits.register)
        .await?;
    let registration = input.parse()?;
    let hash = hash_password(registration.password).await?;
    let mut tx = state.db.begin().await?;
    let user = repo::create_user(
        &mut *tx,
        registration.email.as_str(),
        &registration.display_name,
        &hash,
        Role::Customer,
    )
    .await
    .map_err(email_taken)?;
    send_verification(state, &mut tx, &user).await?;
    tx.commit().await?;
    tracing::info!(event = "user_registered", user_id = %user.id.0);
    Ok(user.into())
}

/// Creates an account with any role (the `create-admin` command).
pub async fn create_user_with_role(
    state: &AppState,
    input: RegisterInput,
    role: Role,
) -> Result<UserView, ServiceError> {
    let registration = input.parse()?;
    let hash = hash_password(registration.password).await?;
    let user = repo::create_user(
        &state.db,
        registration.email.as_str(),
        &registration.display_name,
        &hash,
        role,
    )
    .await
    .map_err(email_taken)?;
    Ok(user.into())
}

/// Checks credentials. Unknown e-mail, wrong password and deactivated account all get the same
/// answer after the same work.
pub async fn login(state: &AppState, client: Client, input: LoginInput) -> Result<SignedIn, ServiceError> {
    let limits = state.limiter.limits;
    state
        .limiter
        .hit("login-ip", &client.ip.to_string(), limits.login)
        .await?;
    let email = input.email.trim().to_lowercase();
    state.limiter.hit("login-email", &email, limits.login).await?;
    let user = match Email::parse(&email) {
        Ok(email) => repo::find_user_by_email(&state.db, email.as_str()).await?,
        Err(_) => None,
    };
    let verified = verify_password(input.password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    match user {
        Some(user) if verified && user.active => {
            tracing::info!(event = "login", user_id = %user.id.0);
            Ok(user.into())
        }
        _ => {
            tracing::info!(event = "login_failed");
            Err(unauthorized("Invalid e-mail or password."))
        }
    }
}

/// Issues an access token and a refresh token starting a new family (a new login).
pub async fn issue_tokens(state: &AppState, signed_in: &SignedIn) -> Result<TokenPair, ServiceError> {
    let family = Uuid::now_v7();
    let refresh = tokens::random_token();
    let expires = Utc::now() + state.auth.refresh_ttl;
    let user = &signed_in.user;
    repo::insert_refresh_token(&state.db, user.id, family, &tokens::hash_token(&refresh), expires).await?;
    token_pair(state, user.role, signed_in.grant, family, refresh)
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
    let signed_in = SignedIn::from(user);
    token_pair(state, signed_in.user.role, signed_in.grant, stored.family_id, next)
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
    Ok(Actor {
        user_id: user.id,
        role: user.role,
        token: Some(claims),
    })
}

/// Establishes the caller from a browser session's grant: the account must still exist, be
/// active (deactivation ends web sessions at once too) and have the password it had at sign-in.
/// `None` means "signed out".
pub async fn authenticate_session(state: &AppState, grant: SessionGrant) -> Result<Option<Actor>, ServiceError> {
    Ok(repo::find_user(&state.db, grant.user_id)
        .await?
        .filter(|u| u.active && u.credentials_version == grant.credentials_version)
        .map(|user| Actor {
            user_id: user.id,
            role: user.role,
            token: None,
        }))
}

async fn current_user(state: &AppState, actor: &Actor) -> Result<UserRecord, ServiceError> {
    repo::find_user(&state.db, actor.user_id)
        .await?
        .ok_or_else(|| unauthorized("The account no longer exists."))
}

pub async fn get_me(state: &AppState, actor: &Actor) -> Result<UserView, ServiceError> {
    Ok(current_user(state, actor).await?.into())
}

/// Changes the caller's name and/or e-mail; a changed e-mail must be verified again.
pub async fn update_profile(state: &AppState, actor: &Actor, input: UpdateProfile) -> Result<UserView, ServiceError> {
    let change = input.parse()?;
    let before = current_user(state, actor).await?;
    let mut tx = state.db.begin().await?;
    let user = repo::update_profile(
        &mut *tx,
        actor.user_id,
        change.display_name.as_deref(),
        change.email.as_ref().map(Email::as_str),
    )
    .await
    .map_err(email_taken)?;
    if user.email != before.email {
        send_verification(state, &mut tx, &user).await?;
    }
    tx.commit().await?;
    Ok(user.into())
}

/// Changes the caller's password after checking the current one. Every refresh token and every
/// browser session of the account ends, so other devices must sign in again; the returned grant
/// lets the caller's own browser session carry on.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    input: ChangePassword,
) -> Result<SessionGrant, ServiceError> {
    let user = current_user(state, actor).await?;
    if !verify_password(input.current_password, Some(user.password_hash)).await? {
        return Err(field_error("current_password", "is incorrect"));
    }
    check_new_password(&input.new_password, Some(&user.email)).map_err(|m| field_error("new_password", &m))?;
    let hash = hash_password(input.new_password).await?;
    let mut tx = state.db.begin().await?;
    let credentials_version = repo::set_password_hash(&mut *tx, user.id, &hash).await?;
    repo::revoke_user_refresh_tokens(&mut *tx, user.id).await?;
    tx.commit().await?;
    Ok(SessionGrant {
        user_id: user.id,
        credentials_version,
    })
}

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

/// Adds an address; the first one, or one marked default, becomes the default.
pub async fn create_address(state: &AppState, actor: &Actor, input: AddressInput) -> Result<AddressView, ServiceError> {
    let mut address = input.parse()?;
    let mut tx = state.db.begin().await?;
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
    let mut tx = state.db.begin().await?;
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
    if repo::delete_address(&state.db, actor.user_id, id).await? {
        Ok(())
    } else {
        Err(address_not_found())
    }
}

/// Users matching `search` (e-mail or name), for staff with `users:manage`.
pub async fn list_users(
    state: &AppState,
    actor: &Actor,
    search: Option<&str>,
    page: PageRequest,
) -> Result<Page<UserView>, ServiceError> {
    actor.require(Permission::UsersManage)?;
    let search = search.map(str::trim).filter(|s| !s.is_empty());
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
    role: Option<Role>,
    active: Option<bool>,
) -> Result<UserView, ServiceError> {
    actor.require(Permission::UsersManage)?;
    if id == actor.user_id {
        return Err(AppError::new(
            ErrorCode::BusinessRuleViolation,
            "You can't change your own role or deactivate yourself.",
        )
        .into());
    }
    let mut tx = state.db.begin().await?;
    let user = repo::update_access(&mut *tx, id, role, active)
        .await?
        .ok_or_else(|| ServiceError::from(AppError::not_found("No such user.")))?;
    if active == Some(false) {
        repo::revoke_user_refresh_tokens(&mut *tx, id).await?;
    }
    tx.commit().await?;
    tracing::info!(event = "user_access_changed", user_id = %id.0, by = %actor.user_id.0, role = user.role.as_str(), active = user.active);
    Ok(user.into())
}

/// How long a verification link works.
const VERIFY_EMAIL_TTL: chrono::TimeDelta = chrono::TimeDelta::hours(48);
/// How long a password-reset link works.
const RESET_PASSWORD_TTL: chrono::TimeDelta = chrono::TimeDelta::hours(1);

fn invalid_token() -> ServiceError {
    field_error("token", "is invalid, already used or expired; ask for a new link")
}

/// Issues a single-use token for `purpose` (earlier ones stop working) and queues the mail that
/// carries it as a link to `path`. Runs inside the caller's transaction, so the token and the mail
/// job exist together or not at all.
async fn mail_token_link(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    user: &UserRecord,
    purpose: TokenPurpose,
) -> Result<(), ServiceError> {
    let (ttl, path, template, email): (_, _, fn(&mail::Recipient<'_>) -> mail::Mail, _) = match purpose {
        TokenPurpose::VerifyEmail => (
            VERIFY_EMAIL_TTL,
            "verify-email",
            mail::verify_email,
            Some(user.email.as_str()),
        ),
        TokenPurpose::ResetPassword => (RESET_PASSWORD_TTL, "reset-password", mail::reset_password, None),
    };
    let token = tokens::random_token();
    repo::spend_user_tokens(&mut *tx, user.id, purpose).await?;
    repo::insert_user_token(
        &mut *tx,
        user.id,
        purpose,
        &tokens::hash_token(&token),
        email,
        Utc::now() + ttl,
    )
    .await?;
    let link = format!("{}/{path}?token={token}", state.shop.public_url);
    let message = template(&mail::Recipient {
        shop: &state.shop.name,
        to: &user.email,
        name: &user.display_name,
        link: &link,
    });
    jobs::enqueue(&mut *tx, &Job::SendMail(message)).await?;
    Ok(())
}

/// Mails a link that confirms the user's current address.
async fn send_verification(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    user: &UserRecord,
) -> Result<(), ServiceError> {
    mail_token_link(state, tx, user, TokenPurpose::VerifyEmail).await
}

/// Sends the caller a new verification link (the last one may have expired or been lost).
pub async fn resend_verification(state: &AppState, actor: &Actor) -> Result<(), ServiceError> {
    let user = current_user(state, actor).await?;
    if user.email_verified {
        return Err(AppError::new(
            ErrorCode::BusinessRuleViolation,
            "Your e-mail address is already verified.",
        )
        .into());
    }
    state
        .limiter
        .hit(
            "verify-resend",
            &user.id.0.to_string(),
            state.limiter.limits.password_reset,
        )
        .await?;
    let mut tx = state.db.begin().await?;
    send_verification(state, &mut tx, &user).await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms an address with the token from the verification mail.
pub async fn verify_email(state: &AppState, input: VerifyEmail) -> Result<UserView, ServiceError> {
    let mut tx = state.db.begin().await?;
    let spent = repo::spend_user_token(
        &mut *tx,
        TokenPurpose::VerifyEmail,
        &tokens::hash_token(input.token.trim()),
    )
    .await?
    .ok_or_else(invalid_token)?;
    // A token for an address the user has since changed verifies nothing.
    let email = spent.email.unwrap_or_default();
    if !repo::mark_email_verified(&mut *tx, spent.user_id, &email).await? {
        return Err(invalid_token());
    }
    let user = repo::find_user(&mut *tx, spent.user_id)
        .await?
        .ok_or_else(invalid_token)?;
    tx.commit().await?;
    tracing::info!(event = "email_verified", user_id = %user.id.0);
    Ok(user.into())
}

/// Mails a reset link if an active account has this address. The answer is the same whether or
/// not it does, so the form can't be used to find out who has an account.
pub async fn request_password_reset(
    state: &AppState,
    client: Client,
    input: RequestPasswordReset,
) -> Result<(), ServiceError> {
    let email = Email::parse(&input.email).map_err(|message| field_error("email", &message))?;
    let limit = state.limiter.limits.password_reset;
    state.limiter.hit("reset-ip", &client.ip.to_string(), limit).await?;
    state.limiter.hit("reset-email", email.as_str(), limit).await?;
    let Some(user) = repo::find_user_by_email(&state.db, email.as_str())
        .await?
        .filter(|u| u.active)
    else {
        tracing::info!(event = "password_reset_unknown_email");
        return Ok(());
    };
    let mut tx = state.db.begin().await?;
    mail_token_link(state, &mut tx, &user, TokenPurpose::ResetPassword).await?;
    tx.commit().await?;
    tracing::info!(event = "password_reset_requested", user_id = %user.id.0);
    Ok(())
}

/// Sets a new password with the token from the reset mail. Every login and browser session of
/// the account ends.
pub async fn reset_password(state: &AppState, input: ResetPassword) -> Result<(), ServiceError> {
    let mut tx = state.db.begin().await?;
    let spent = repo::spend_user_token(
        &mut *tx,
        TokenPurpose::ResetPassword,
        &tokens::hash_token(input.token.trim()),
    )
    .await?
    .ok_or_else(invalid_token)?;
    let user = repo::find_user(&mut *tx, spent.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid_token)?;
    // A weak password leaves the token unspent (the transaction rolls back), so the user can retry.
    check_new_password(&input.new_password, Some(&user.email)).map_err(|m| field_error("new_password", &m))?;
    let hash = hash_password(input.new_password).await?;
    repo::set_password_hash(&mut *tx, user.id, &hash).await?;
    repo::revoke_user_refresh_tokens(&mut *tx, user.id).await?;
    tx.commit().await?;
    tracing::info!(event = "password_reset", user_id = %user.id.0);
    Ok(())
}
