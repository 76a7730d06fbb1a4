//! Accounts: registration, login, the caller's profile and password, e-mail verification and
//! password reset by mail.

use chrono::Utc;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::{Actor, Client, SessionGrant, SignedIn, field_error, unauthorized};
use crate::adapters::jobs::{self, Job};
use crate::adapters::mail;
use crate::auth::password::{hash_password, verify_password};
use crate::auth::tokens;
use crate::domain::identity::{
    ChangePassword, LoginInput, RegisterInput, RequestPasswordReset, ResetPassword, Role, UpdateProfile, UserId,
    UserView, VerifyEmail, check_new_password,
};
use crate::error::{AppError, ErrorCode};
use crate::repositories;
use crate::repositories::identity::{self as repo, TokenPurpose, UserRecord};
use crate::services::ServiceError;
use crate::state::AppState;

/// Creates a customer account and queues its verification mail in a transaction the caller
/// commits (after adding what its interface needs: an API client's first refresh token).
/// The new account is the actor of its own creation.
pub(super) async fn open_registration(
    state: &AppState,
    client: Client,
    input: RegisterInput,
) -> Result<(Transaction<'static, Postgres>, UserRecord), ServiceError> {
    state
        .limiter
        .hit("register", &client.ip.to_string(), state.limiter.limits.register)
        .await?;
    let registration = input.parse()?;
    let hash = hash_password(registration.password).await?;
    let id = UserId(Uuid::now_v7());
    let mut tx = repositories::begin_as(&state.db, id).await?;
    let user = repo::create_user(
        &mut *tx,
        id,
        registration.email.as_str(),
        &registration.display_name,
        &hash,
        Role::Customer,
    )
    .await?;
    send_verification(state, &mut tx, &user).await?;
    tracing::info!(event = "user_registered", user_id = %user.id.0);
    Ok((tx, user))
}

/// Creates a customer account (a browser's registration; API clients use
/// [`super::register_for_api`]).
pub async fn register(state: &AppState, client: Client, input: RegisterInput) -> Result<SignedIn, ServiceError> {
    let (tx, user) = open_registration(state, client, input).await?;
    tx.commit().await?;
    Ok(user.into())
}

/// Creates an account with any role (the `create-admin` command: the system acts).
pub async fn create_user_with_role(
    state: &AppState,
    input: RegisterInput,
    role: Role,
) -> Result<UserView, ServiceError> {
    let registration = input.parse()?;
    let hash = hash_password(registration.password).await?;
    let user = repo::create_user(
        &state.db,
        UserId(Uuid::now_v7()),
        registration.email.as_str(),
        &registration.display_name,
        &hash,
        role,
    )
    .await?;
    Ok(user.into())
}

/// Checks credentials. Unknown e-mail, wrong password and deactivated account all get the same
/// answer after the same work. The address is validated and normalised before it becomes a
/// rate-limit key, so one account is one bounded key however it is spelt.
pub async fn login(state: &AppState, client: Client, input: LoginInput) -> Result<SignedIn, ServiceError> {
    let limits = state.limiter.limits;
    state
        .limiter
        .hit("login-ip", &client.ip.to_string(), limits.login)
        .await?;
    let credentials = input.parse()?;
    let email = credentials.email.as_str();
    state.limiter.hit("login-email", email, limits.login).await?;
    let user = repo::find_user_by_email(&state.db, email).await?;
    let verified = verify_password(credentials.password, user.as_ref().map(|u| u.password_hash.clone())).await?;
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

async fn current_user(state: &AppState, actor: &Actor) -> Result<UserRecord, ServiceError> {
    repo::find_user(&state.db, actor.user_id)
        .await?
        .ok_or_else(|| unauthorized("The account no longer exists."))
}

/// The caller's account, as read when the request was authenticated.
pub fn get_me(actor: &Actor) -> UserView {
    actor.user.clone()
}

/// Changes the caller's name and/or e-mail; a changed e-mail must be verified again.
pub async fn update_profile(state: &AppState, actor: &Actor, input: UpdateProfile) -> Result<UserView, ServiceError> {
    let change = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let user = repo::update_profile(
        &mut *tx,
        actor.user_id,
        change.display_name.as_deref(),
        change.email.as_ref().map(|e| e.as_str()),
    )
    .await?;
    if user.email != actor.user.email {
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
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let credentials_version = repo::set_password_hash(&mut *tx, user.id, &hash).await?;
    repo::revoke_user_refresh_tokens(&mut *tx, user.id).await?;
    tx.commit().await?;
    Ok(SessionGrant {
        user_id: user.id,
        credentials_version,
    })
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
    if actor.user.email_verified {
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
            &actor.user_id.0.to_string(),
            state.limiter.limits.password_reset,
        )
        .await?;
    let user = current_user(state, actor).await?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    send_verification(state, &mut tx, &user).await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms an address with the token from the verification mail (the token's owner acts).
pub async fn verify_email(state: &AppState, input: VerifyEmail) -> Result<UserView, ServiceError> {
    let hash = tokens::hash_token(input.token.trim());
    let owner = repo::find_user_token(&state.db, TokenPurpose::VerifyEmail, &hash)
        .await?
        .ok_or_else(invalid_token)?;
    let mut tx = repositories::begin_as(&state.db, owner).await?;
    let spent = repo::spend_user_token(&mut *tx, TokenPurpose::VerifyEmail, &hash)
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
    let email = input.parse()?;
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
/// the account ends. The password is checked and hashed (~100 ms of argon2) before the
/// transaction opens, so no row lock or pooled connection is held meanwhile; the token is
/// spent inside it, so a concurrent use of the same token still succeeds only once.
pub async fn reset_password(state: &AppState, input: ResetPassword) -> Result<(), ServiceError> {
    let hash_of_token = tokens::hash_token(input.token.trim());
    let owner = repo::find_user_token(&state.db, TokenPurpose::ResetPassword, &hash_of_token)
        .await?
        .ok_or_else(invalid_token)?;
    let user = repo::find_user(&state.db, owner)
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid_token)?;
    // A weak password leaves the token unspent, so the user can retry.
    check_new_password(&input.new_password, Some(&user.email)).map_err(|m| field_error("new_password", &m))?;
    let password_hash = hash_password(input.new_password).await?;
    let mut tx = repositories::begin_as(&state.db, user.id).await?;
    repo::spend_user_token(&mut *tx, TokenPurpose::ResetPassword, &hash_of_token)
        .await?
        .filter(|spent| spent.user_id == user.id)
        .ok_or_else(invalid_token)?;
    repo::set_password_hash(&mut *tx, user.id, &password_hash).await?;
    repo::revoke_user_refresh_tokens(&mut *tx, user.id).await?;
    tx.commit().await?;
    tracing::info!(event = "password_reset", user_id = %user.id.0);
    Ok(())
}
