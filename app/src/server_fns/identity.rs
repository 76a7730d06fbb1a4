//! Server functions of accounts for browsers: sign-in, registration, sign-out, password reset,
//! e-mail verification, the profile, the password and addresses. Forms post to them without
//! JavaScript too; on success they redirect, on failure the page shows the error.

use leptos::prelude::*;

use crate::domain::Page;
use crate::domain::identity::{AddressInput, AddressView, UserView};
use crate::error::AppError;

/// The signed-in user, or `None`.
#[server(prefix = "/api/fn", endpoint = "current_user", input = server_fn::codec::GetUrl)]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    use super::web;
    use crate::services::identity;

    Ok(web::actor().await?.as_ref().map(identity::get_me))
}

#[server(prefix = "/api/fn", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::identity::LoginInput;
    use crate::services::identity;

    let state = state()?;
    let signed_in = respond(identity::login(&state, web::client(), LoginInput { email, password }).await)?;
    web::sign_in(signed_in.grant).await?;
    web::merge_cart(signed_in.grant).await?;
    web::redirect_to(next.as_deref(), "/account");
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "register")]
pub async fn register(
    email: String,
    display_name: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::identity::RegisterInput;
    use crate::services::identity;

    let state = state()?;
    let input = RegisterInput {
        email,
        display_name,
        password,
    };
    let signed_in = respond(identity::register(&state, web::client(), input).await)?;
    web::sign_in(signed_in.grant).await?;
    web::merge_cart(signed_in.grant).await?;
    web::redirect_to(next.as_deref(), "/account?welcome=1");
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::web;

    web::sign_out().await?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::identity::RequestPasswordReset;
    use crate::services::identity;

    let state = state()?;
    respond(identity::request_password_reset(&state, web::client(), RequestPasswordReset { email }).await)?;
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    use super::{respond, state};
    use crate::domain::identity::ResetPassword;
    use crate::services::identity;

    let state = state()?;
    respond(identity::reset_password(&state, ResetPassword { token, new_password }).await)?;
    leptos_axum::redirect("/login?reset=1");
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<UserView, AppError> {
    use super::{respond, state};
    use crate::domain::identity::VerifyEmail;
    use crate::services::identity;

    let state = state()?;
    respond(identity::verify_email(&state, VerifyEmail { token }).await)
}

#[server(prefix = "/api/fn", endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let state = state()?;
    respond(identity::resend_verification(&state, &actor).await)?;
    leptos_axum::redirect("/account?sent=1");
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "update_profile")]
pub async fn update_profile(display_name: String, email: String) -> Result<UserView, AppError> {
    use super::{respond, state, web};
    use crate::domain::identity::UpdateProfile;
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let state = state()?;
    let input = UpdateProfile {
        display_name: Some(display_name),
        email: Some(email),
    };
    respond(identity::update_profile(&state, &actor, input).await)
}

#[server(prefix = "/api/fn", endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::identity::ChangePassword;
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let state = state()?;
    let input = ChangePassword {
        current_password,
        new_password,
    };
    let grant = respond(identity::change_password(&state, &actor, input).await)?;
    // Other browsers' sessions have ended; this one carries on under a new id.
    web::sign_in(grant).await?;
    leptos_axum::redirect("/account?password=changed");
    Ok(())
}

/// One page of the caller's addresses.
#[server(prefix = "/api/fn", endpoint = "list_addresses", input = server_fn::codec::GetUrl)]
pub async fn list_addresses(page: Option<String>) -> Result<Page<AddressView>, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let request = respond(PageRequest::parse(page.as_deref(), None))?;
    let state = state()?;
    respond(identity::list_addresses(&state, &actor, request).await)
}

/// One of the caller's addresses (for the edit form).
#[server(prefix = "/api/fn", endpoint = "get_address", input = server_fn::codec::GetUrl)]
pub async fn get_address(id: String) -> Result<AddressView, AppError> {
    use super::{respond, state, web};
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let id = respond(parse_address_id(&id))?;
    let state = state()?;
    respond(identity::get_address(&state, &actor, id).await)
}

/// The version the edit form was loaded at: absent (no lock) or a number; anything else is a 422,
/// never a silently skipped optimistic lock.
#[cfg(feature = "ssr")]
fn parse_version(raw: Option<&str>) -> Result<Option<i32>, AppError> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            let mut details = crate::error::FieldErrors::new();
            details.insert(
                "version".into(),
                vec!["must be the whole number the form was loaded with".into()],
            );
            AppError::validation(details)
        }),
    }
}

#[cfg(feature = "ssr")]
fn parse_address_id(raw: &str) -> Result<crate::domain::identity::AddressId, AppError> {
    uuid::Uuid::parse_str(raw.trim())
        .map(crate::domain::identity::AddressId)
        .map_err(|_| AppError::not_found("No such address."))
}

/// Creates an address (no `id`) or replaces one (with the `version` the form was loaded at).
#[server(prefix = "/api/fn", endpoint = "save_address")]
pub async fn save_address(
    id: Option<String>,
    version: Option<String>,
    #[server(flatten)] input: AddressInput,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let state = state()?;
    match id.filter(|id| !id.is_empty()) {
        Some(id) => {
            let id = respond(parse_address_id(&id))?;
            let version = respond(parse_version(version.as_deref()))?;
            respond(identity::update_address(&state, &actor, id, version, input).await)?;
        }
        None => {
            respond(identity::create_address(&state, &actor, input).await)?;
        }
    }
    leptos_axum::redirect("/account/addresses?saved=1");
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "delete_address")]
pub async fn delete_address(id: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let id = respond(parse_address_id(&id))?;
    let state = state()?;
    respond(identity::delete_address(&state, &actor, id).await)?;
    leptos_axum::redirect("/account/addresses?deleted=1");
    Ok(())
}
