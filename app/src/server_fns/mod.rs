//! Server functions: typed endpoints the pages call. Each is a thin adapter — parse the input,
//! call one service function, map the error — and, being a public endpoint, checks its own
//! authorization.

pub mod admin;
pub mod catalog;
pub mod identity;
pub mod product_editor;
pub mod search;
pub mod shop;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// Converts a service result for the browser, setting the HTTP status that goes with the error
/// code so server-function errors carry the same status as the REST API's.
///
/// A plain HTML form post (no JavaScript) is the exception: the framework answers it with a
/// redirect back to the form, the error in the URL, and that redirect must keep its 302.
#[cfg(feature = "ssr")]
pub(crate) fn respond<T, E: Into<AppError>>(result: Result<T, E>) -> Result<T, AppError> {
    result.map_err(|err| {
        let err = err.into();
        if web::is_form_post() {
            return err;
        }
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            let status = axum::http::StatusCode::from_u16(err.code.status())
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
        }
        err
    })
}

/// The application state, provided as context by the server.
#[cfg(feature = "ssr")]
pub(crate) fn state() -> Result<crate::state::AppState, AppError> {
    leptos::prelude::use_context::<crate::state::AppState>()
        .ok_or_else(|| AppError::from_code(crate::error::ErrorCode::InternalError))
}

/// The browser's session: who is signed in, signing in and out.
#[cfg(feature = "ssr")]
pub(crate) mod web {
    use tower_sessions::Session;

    use crate::error::{AppError, ErrorCode};
    use crate::services::identity::{self, Actor, Client, SessionGrant};

    use crate::adapters::sessions::SIGNED_IN;
    /// The session key holding a guest's cart token.
    const CART_TOKEN: &str = "cart_token";
    /// The session key holding what the shopper should be told on the cart page.
    const CART_NOTICES: &str = "cart_notices";

    fn session_failed(err: impl std::fmt::Display) -> AppError {
        tracing::error!(event = "session_failed", error = %err, "session store failed");
        AppError::from_code(ErrorCode::ServiceUnavailable)
    }

    async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>().await.map_err(session_failed)
    }

    /// The signed-in caller, if any (an account deactivated, or whose password changed, since
    /// counts as signed out).
    pub async fn actor() -> Result<Option<Actor>, AppError> {
        let session = session().await?;
        let state = super::state()?;
        super::respond(crate::adapters::sessions::signed_in(&state, &session).await)
    }

    /// The signed-in caller; 401 otherwise.
    pub async fn require_actor() -> Result<Actor, AppError> {
        match actor().await? {
            Some(actor) => Ok(actor),
            None => super::respond(Err(AppError::new(ErrorCode::Unauthorized, "Please sign in first."))),
        }
    }

    /// Signs in with `grant` under a new session id (so a session id planted before login is
    /// useless).
    pub async fn sign_in(grant: SessionGrant) -> Result<(), AppError> {
        let session = session().await?;
        session.cycle_id().await.map_err(session_failed)?;
        session.insert(SIGNED_IN, grant).await.map_err(session_failed)
    }

    /// The guest's cart token kept in this browser's session.
    pub async fn cart_token() -> Result<Option<String>, AppError> {
        session().await?.get::<String>(CART_TOKEN).await.map_err(session_failed)
    }

    pub async fn set_cart_token(token: &str) -> Result<(), AppError> {
        session().await?.insert(CART_TOKEN, token).await.map_err(session_failed)
    }

    /// Merges the session's guest cart into the account just signed in (the cart page then
    /// tells what was capped).
    pub async fn merge_cart(grant: SessionGrant) -> Result<(), AppError> {
        let session = session().await?;
        let Some(token) = session.get::<String>(CART_TOKEN).await.map_err(session_failed)? else {
            return Ok(());
        };
        let state = super::state()?;
        if let Some(actor) = super::respond(identity::authenticate_session(&state, grant).await)? {
            let notices = super::respond(crate::services::carts::merge(&state, &actor, &token).await)?;
            if !notices.is_empty() {
                session.insert(CART_NOTICES, notices).await.map_err(session_failed)?;
            }
        }
        session.remove::<String>(CART_TOKEN).await.map_err(session_failed)?;
        Ok(())
    }

    /// What the cart page should tell once (then forgotten).
    pub async fn take_cart_notices() -> Result<Vec<String>, AppError> {
        let notices = session()
            .await?
            .remove::<Vec<String>>(CART_NOTICES)
            .await
            .map_err(session_failed)?;
        Ok(notices.unwrap_or_default())
    }

    /// Reads a value the session keeps under `key`.
    pub async fn get<T: serde::de::DeserializeOwned>(key: &str) -> Result<Option<T>, AppError> {
        session().await?.get::<T>(key).await.map_err(session_failed)
    }

    /// Keeps `value` in the session under `key`.
    pub async fn put<T: serde::Serialize>(key: &str, value: &T) -> Result<(), AppError> {
        session().await?.insert(key, value).await.map_err(session_failed)
    }

    /// Forgets the session's `key`.
    pub async fn forget(key: &str) -> Result<(), AppError> {
        session()
            .await?
            .remove::<serde_json::Value>(key)
            .await
            .map_err(session_failed)
            .map(|_| ())
    }

    /// Whether this call is a plain HTML form post (no JavaScript): it must answer with a
    /// redirect to the next page.
    pub fn is_form_post() -> bool {
        leptos::prelude::use_context::<axum::http::request::Parts>().is_some_and(|parts| {
            parts.method == axum::http::Method::POST
                && parts
                    .headers
                    .get(axum::http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|accept| accept.contains("text/html"))
        })
    }

    /// Ends the session: its data is deleted and the cookie removed.
    pub async fn sign_out() -> Result<(), AppError> {
        session().await?.flush().await.map_err(session_failed)
    }

    /// The caller's address as the server resolved it (trusted proxies honoured), for rate
    /// limits.
    pub fn client() -> Client {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .map(|parts| Client::of(&parts.extensions))
            .unwrap_or_else(|| Client::of(&axum::http::Extensions::new()))
    }

    /// Redirects to `next` if it is a path on this site, else to `fallback` (no open redirects).
    pub fn redirect_to(next: Option<&str>, fallback: &str) {
        let target = next
            .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
            .unwrap_or(fallback);
        leptos_axum::redirect(target);
    }
}
