//! Identity rules, by aggregate: accounts (registration, login, profile, password, e-mail
//! verification and reset), API tokens, browser sessions, addresses, and staff management of
//! users. Permission checks happen here, so the REST API, server functions and pages share them.
//! Re-exported here, so callers write `identity::login`.

mod accounts;
mod addresses;
mod sessions;
mod tokens;
mod users;

pub use accounts::*;
pub use addresses::*;
pub use sessions::*;
pub use tokens::*;
pub use users::*;

pub use super::Client;
use super::ServiceError;
use crate::auth::tokens::Claims;
use crate::domain::identity::{Permission, Role, UserId, UserView};
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::repositories::identity::UserRecord;

/// Who is calling, as established from a valid token or session: the account as read once for
/// this request (pages, `/me` and the header use it without reading the row again).
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    /// The role as stored now (not as it was when the token was issued).
    pub role: Role,
    /// The account as read when the request was authenticated.
    pub user: UserView,
    /// The access token's claims, when the caller used one.
    pub token: Option<Claims>,
}

impl Actor {
    fn new(user: UserRecord, token: Option<Claims>) -> Self {
        Self {
            user_id: user.id,
            role: user.role,
            user: user.into(),
            token,
        }
    }

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

fn unauthorized(message: &str) -> ServiceError {
    AppError::new(ErrorCode::Unauthorized, message).into()
}

fn field_error(field: &str, message: &str) -> ServiceError {
    let mut details = FieldErrors::new();
    details.insert(field.into(), vec![message.into()]);
    AppError::validation(details).into()
}
