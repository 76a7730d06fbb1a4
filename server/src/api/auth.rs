//! `/api/v1/auth/*`: registration, login, token refresh and logout for API clients, and the
//! extractors that establish who is calling.

use app::domain::identity::{
    LoginInput, RegisterInput, RequestPasswordReset, ResetPassword, TokenPair, UserView, VerifyEmail,
};
use app::error::{AppError, ErrorCode};
use app::services::identity::{self, Actor};
use app::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::client_addr::ClientAddr;

use super::envelope::{ApiJson, DataEnvelope, ErrorEnvelope};

/// The caller, from `Authorization: Bearer <access token>`; 401 when absent or not valid.
pub struct Authenticated(pub Actor);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::Unauthorized,
                    "Send an access token: `Authorization: Bearer <token>`.",
                )
            })?;
        Ok(Self(identity::authenticate(state, token).await?))
    }
}

/// The caller when an `Authorization` header is sent (and then it must be valid: 401
/// otherwise), `None` for anonymous requests — for endpoints open to everyone that show staff
/// more.
pub struct MaybeAuthenticated(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeAuthenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(AUTHORIZATION) {
            return Ok(Self(None));
        }
        Authenticated::from_request_parts(parts, state)
            .await
            .map(|Authenticated(actor)| Self(Some(actor)))
    }
}

/// Creates a customer account and logs it in.
#[utoipa::path(post, path = "/auth/register", tag = "auth", request_body = RegisterInput,
    responses(
        (status = 201, description = "Registered and logged in", body = DataEnvelope<TokenPair>),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 409, description = "E-mail already registered", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
        (status = 429, description = "Too many registrations from this address", body = ErrorEnvelope),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Result<(StatusCode, Json<DataEnvelope<TokenPair>>), AppError> {
    let tokens = identity::register_for_api(&state, client, input).await?;
    Ok((StatusCode::CREATED, Json(DataEnvelope { data: tokens })))
}

/// Exchanges e-mail and password for a token pair.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginInput,
    responses(
        (status = 200, description = "Logged in", body = DataEnvelope<TokenPair>),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 401, description = "Wrong e-mail or password (the same answer either way)", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts", body = ErrorEnvelope),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(input): ApiJson<LoginInput>,
) -> Result<Json<DataEnvelope<TokenPair>>, AppError> {
    Ok(Json(DataEnvelope {
        data: identity::login_for_api(&state, client, input).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshInput {
    pub refresh_token: String,
}

/// Spends a refresh token for a new pair. Reusing a spent token revokes its whole family.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshInput,
    responses(
        (status = 200, description = "A new token pair", body = DataEnvelope<TokenPair>),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 401, description = "Invalid, expired, revoked or reused token", body = ErrorEnvelope),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RefreshInput>,
) -> Result<Json<DataEnvelope<TokenPair>>, AppError> {
    Ok(Json(DataEnvelope {
        data: identity::refresh_tokens(&state, &input.refresh_token).await?,
    }))
}

/// Revokes the login's refresh tokens and the access token presented.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<StatusCode, AppError> {
    identity::logout(&state, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Confirms an e-mail address with the token from the verification mail.
#[utoipa::path(post, path = "/auth/verify-email", tag = "auth", request_body = VerifyEmail,
    responses(
        (status = 200, description = "Verified; the account as it is now", body = DataEnvelope<UserView>),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 422, description = "Token invalid, used or expired (`details.token`)", body = ErrorEnvelope),
    ))]
pub async fn verify_email(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<VerifyEmail>,
) -> Result<Json<DataEnvelope<UserView>>, AppError> {
    Ok(Json(DataEnvelope {
        data: identity::verify_email(&state, input).await?,
    }))
}

/// Mails the caller a new verification link.
#[utoipa::path(post, path = "/auth/verify-email/resend", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 202, description = "A new link is on its way"),
        (status = 401, description = "No valid access token", body = ErrorEnvelope),
        (status = 422, description = "Already verified", body = ErrorEnvelope),
        (status = 429, description = "Too many requests", body = ErrorEnvelope),
    ))]
pub async fn resend_verification(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<StatusCode, AppError> {
    identity::resend_verification(&state, &actor).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Mails a password-reset link if an account has this address. The answer is the same either way.
#[utoipa::path(post, path = "/auth/password-reset", tag = "auth", request_body = RequestPasswordReset,
    responses(
        (status = 202, description = "If the address has an account, a link is on its way"),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 422, description = "Not an e-mail address", body = ErrorEnvelope),
        (status = 429, description = "Too many requests", body = ErrorEnvelope),
    ))]
pub async fn request_password_reset(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(input): ApiJson<RequestPasswordReset>,
) -> Result<StatusCode, AppError> {
    identity::request_password_reset(&state, client, input).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sets a new password with the token from the reset mail; every login of the account ends.
#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "auth", request_body = ResetPassword,
    responses(
        (status = 204, description = "Password changed"),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 422, description = "Token invalid, used or expired, or the password too weak", body = ErrorEnvelope),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ResetPassword>,
) -> Result<StatusCode, AppError> {
    identity::reset_password(&state, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes, each with its OpenAPI operation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(verify_email))
        .routes(routes!(resend_verification))
        .routes(routes!(request_password_reset))
        .routes(routes!(reset_password))
}
