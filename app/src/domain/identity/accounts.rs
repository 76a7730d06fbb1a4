//! Inputs of accounts and API tokens: registration, login, profile, password changes and
//! resets, e-mail verification, staff changes of access, and the password policy.

use serde::{Deserialize, Serialize};

use super::{Email, Fields, Flag, Role};
use crate::error::AppError;

/// Passwords anyone would guess first; compared case-insensitively.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "0123456789",
    "1111111111",
    "0000000000",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "asdfghjkl1",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "p@ssw0rd123",
    "letmein123",
    "iloveyou12",
    "iloveyou123",
    "welcome123",
    "welcome1234",
    "abc1234567",
    "abcdefghij",
    "administrator",
    "admin12345",
    "admin123456",
    "changeme123",
    "trustno1234",
    "sunshine123",
    "football123",
    "baseball123",
    "princess123",
    "dragon1234",
    "monkey1234",
    "starwars123",
    "superman123",
    "michael123",
    "shadow1234",
    "master1234",
    "whatever123",
    "computer123",
    "internet123",
    "qazwsxedc123",
    "zaq12wsxcde",
    "987654321a",
    "9876543210",
    "aaaaaaaaaa",
    "oxcart1234",
    "oxcartshop",
    "shopping123",
    "secret1234",
];

/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;
/// The longest password accepted (argon2 hashes anything, but a megabyte "password" is an attack).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Checks a new password: long enough, not common, not the e-mail address.
pub fn check_new_password(password: &str, email: Option<&str>) -> Result<(), String> {
    let lower = password.to_lowercase();
    if password.chars().count() < MIN_PASSWORD_LEN {
        Err(format!("must be at least {MIN_PASSWORD_LEN} characters"))
    } else if password.len() > MAX_PASSWORD_BYTES {
        Err(format!("must be at most {MAX_PASSWORD_BYTES} bytes"))
    } else if COMMON_PASSWORDS.contains(&lower.as_str()) {
        Err("is too common; choose something harder to guess".into())
    } else if email.is_some_and(|e| {
        let e = e.trim().to_lowercase();
        lower == e
            || e.split('@')
                .next()
                .is_some_and(|local| local.len() >= 4 && lower.contains(local))
    }) {
        Err("must not contain your e-mail address".into())
    } else {
        Ok(())
    }
}

fn display_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err("is required".into()),
        n if n > 100 => Err("must be at most 100 characters".into()),
        _ if name.chars().any(char::is_control) => Err("must not contain control characters".into()),
        _ => Ok(name.to_owned()),
    }
}

/// `POST /auth/register` and the registration form, as sent.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RegisterInput {
    #[cfg_attr(feature = "ssr", schema(format = Email, max_length = 254))]
    pub email: String,
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub display_name: String,
    #[cfg_attr(feature = "ssr", schema(min_length = 10, max_length = 1024))]
    pub password: String,
}

/// A registration that passed validation.
pub struct Registration {
    pub email: Email,
    pub display_name: String,
    pub password: String,
}

impl RegisterInput {
    pub fn parse(self) -> Result<Registration, AppError> {
        let mut f = Fields::default();
        let email = f.check("email", Email::parse(&self.email));
        let name = f.check("display_name", display_name(&self.display_name));
        f.check("password", check_new_password(&self.password, Some(&self.email)));
        f.finish(|| Registration {
            email: email.expect("checked"),
            display_name: name.expect("checked"),
            password: self.password,
        })
    }
}

/// `POST /auth/login` and the login form.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LoginInput {
    #[cfg_attr(feature = "ssr", schema(format = Email, max_length = 254))]
    pub email: String,
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 1024))]
    pub password: String,
}

/// Credentials that are worth checking: a well-formed, normalised address (so rate limits count
/// one key per account, of bounded length) and a password of plausible length.
pub struct Credentials {
    pub email: Email,
    pub password: String,
}

impl LoginInput {
    pub fn parse(self) -> Result<Credentials, AppError> {
        let mut f = Fields::default();
        let email = f.check("email", Email::parse(&self.email));
        f.check(
            "password",
            match self.password.len() {
                0 => Err("is required".to_owned()),
                n if n > MAX_PASSWORD_BYTES => Err(format!("must be at most {MAX_PASSWORD_BYTES} bytes")),
                _ => Ok(()),
            },
        );
        f.finish(|| Credentials {
            email: email.expect("checked"),
            password: self.password,
        })
    }
}

/// `PATCH /users/{id}` and the staff's users page: fields left out are unchanged. Values are
/// text so an HTML form and JSON parse through the same rules.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateUserAccess {
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Role>))]
    pub role: Option<String>,
    /// `true` or `false` (JSON booleans or form text).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<bool>))]
    pub active: Option<Flag>,
}

/// A change of access that passed validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessChange {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

impl UpdateUserAccess {
    pub fn parse(self) -> Result<AccessChange, AppError> {
        let mut f = Fields::default();
        let role = match self.role.as_deref() {
            None => None,
            Some(raw) => f.check(
                "role",
                Role::parse(raw.trim()).ok_or_else(|| "must be customer, staff or admin".to_owned()),
            ),
        };
        let active = match self.active {
            None => None,
            Some(flag) => f.check(
                "active",
                flag.into_bool::<serde::de::value::Error>()
                    .map_err(|_| "must be true or false".to_owned()),
            ),
        };
        f.finish(|| AccessChange { role, active })
    }
}

/// `PATCH /me`: fields left out are unchanged.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateProfile {
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub display_name: Option<String>,
    /// A new address must be verified again.
    #[cfg_attr(feature = "ssr", schema(format = Email, max_length = 254))]
    pub email: Option<String>,
}

pub struct ProfileChange {
    pub display_name: Option<String>,
    pub email: Option<Email>,
}

impl UpdateProfile {
    pub fn parse(self) -> Result<ProfileChange, AppError> {
        let mut f = Fields::default();
        let name = self
            .display_name
            .as_deref()
            .and_then(|n| f.check("display_name", display_name(n)));
        let email = self.email.as_deref().and_then(|e| f.check("email", Email::parse(e)));
        f.finish(|| ProfileChange {
            display_name: name,
            email,
        })
    }
}

/// `POST /me/password`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChangePassword {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 1024))]
    pub current_password: String,
    #[cfg_attr(feature = "ssr", schema(min_length = 10, max_length = 1024))]
    pub new_password: String,
}

/// `POST /auth/verify-email` and the link in the verification mail.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VerifyEmail {
    #[cfg_attr(feature = "ssr", schema(min_length = 1))]
    pub token: String,
}

/// `POST /auth/password-reset`: asks for a reset link by mail.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RequestPasswordReset {
    #[cfg_attr(feature = "ssr", schema(format = Email, max_length = 254))]
    pub email: String,
}

impl RequestPasswordReset {
    pub fn parse(self) -> Result<Email, AppError> {
        let mut f = Fields::default();
        let email = f.check("email", Email::parse(&self.email));
        f.finish(|| email.expect("checked"))
    }
}

/// `POST /auth/password-reset/confirm`: the token from the mail and the new password.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResetPassword {
    #[cfg_attr(feature = "ssr", schema(min_length = 1))]
    pub token: String,
    #[cfg_attr(feature = "ssr", schema(min_length = 10, max_length = 1024))]
    pub new_password: String,
}

/// What a login or refresh returns to an API client.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}
