//! Identity as clients see it: users, roles and their permissions, addresses, and the inputs
//! that create or change them. Parsing an input validates it and collects every field's errors.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, FieldErrors};

/// Identifies a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(transparent))]
#[serde(transparent)]
pub struct UserId(pub Uuid);

/// Identifies an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(transparent))]
#[serde(transparent)]
pub struct AddressId(pub Uuid);

/// What a user is to the shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "user_role", rename_all = "lowercase"))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Staff,
    Admin,
}

/// Something a role may do. Every staff route and server function checks one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Open the staff area.
    DashboardView,
    /// Create and change products, categories and stock.
    ProductsWrite,
    /// See and change every order.
    OrdersManage,
    /// Approve or remove reviews.
    ReviewsModerate,
    /// See users, change their roles, deactivate them.
    UsersManage,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DashboardView => "dashboard:view",
            Self::ProductsWrite => "products:write",
            Self::OrdersManage => "orders:manage",
            Self::ReviewsModerate => "reviews:moderate",
            Self::UsersManage => "users:manage",
        }
    }
}

impl Role {
    /// The one mapping from roles to permissions.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Self::Customer => &[],
            Self::Staff => &[DashboardView, ProductsWrite, OrdersManage, ReviewsModerate],
            Self::Admin => &[DashboardView, ProductsWrite, OrdersManage, ReviewsModerate, UsersManage],
        }
    }

    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Staff => "staff",
            Self::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "customer" => Some(Self::Customer),
            "staff" => Some(Self::Staff),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// A user as shown to themselves and to staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

/// A normalised e-mail address: trimmed, lower-case, `local@domain.tld`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            });
        if email.is_empty() {
            Err("is required".into())
        } else if valid {
            Ok(Self(email))
        } else {
            Err("is not a valid e-mail address".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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

/// Checks a new password: long enough, not common, not the e-mail address.
pub fn check_new_password(password: &str, email: Option<&str>) -> Result<(), String> {
    let lower = password.to_lowercase();
    if password.chars().count() < MIN_PASSWORD_LEN {
        Err(format!("must be at least {MIN_PASSWORD_LEN} characters"))
    } else if password.len() > 1024 {
        Err("must be at most 1024 bytes".into())
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

/// Collects field errors while parsing an input.
#[derive(Default)]
struct Fields(FieldErrors);

impl Fields {
    fn check<T>(&mut self, name: &str, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|message| self.0.entry(name.into()).or_default().push(message))
            .ok()
    }

    fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, AppError> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(AppError::validation(self.0))
        }
    }
}

/// `POST /auth/register` and the registration form, as sent.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RegisterInput {
    pub email: String,
    pub display_name: String,
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
    pub email: String,
    pub password: String,
}

/// `PATCH /me`: fields left out are unchanged.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateProfile {
    pub display_name: Option<String>,
    /// A new address must be verified again.
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
    pub current_password: String,
    pub new_password: String,
}

/// `POST /auth/verify-email` and the link in the verification mail.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VerifyEmail {
    pub token: String,
}

/// `POST /auth/password-reset`: asks for a reset link by mail.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RequestPasswordReset {
    pub email: String,
}

/// `POST /auth/password-reset/confirm`: the token from the mail and the new password.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResetPassword {
    pub token: String,
    pub new_password: String,
}

/// A shipping address as shown to its owner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AddressView {
    pub id: AddressId,
    pub full_name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    pub country: String,
    pub phone: String,
    pub is_default: bool,
    pub version: i32,
}

/// `POST /addresses`, `PUT /addresses/{id}` and the address form.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AddressInput {
    pub full_name: String,
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub city: String,
    #[serde(default)]
    pub region: String,
    pub postal_code: String,
    pub country: String,
    #[serde(default)]
    pub phone: String,
    /// A JSON boolean; from an HTML form, a ticked checkbox (`true`/`on`), absent when unticked.
    #[serde(default, deserialize_with = "checkbox")]
    pub is_default: bool,
}

/// Reads a boolean from JSON (`true`) or from a form, where every value is text.
fn checkbox<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    match Flag::deserialize(deserializer)? {
        Flag::Bool(value) => Ok(value),
        Flag::Text(text) => match text.as_str() {
            "true" | "on" | "1" => Ok(true),
            "false" | "off" | "0" | "" => Ok(false),
            other => Err(serde::de::Error::custom(format!("`{other}` is not true or false"))),
        },
    }
}

impl AddressInput {
    /// Trims every field, upper-cases the country, and checks lengths.
    pub fn parse(self) -> Result<AddressInput, AppError> {
        let mut f = Fields::default();
        let text = |value: &str, required: bool, max: usize| -> Result<String, String> {
            let value = value.trim();
            if required && value.is_empty() {
                Err("is required".into())
            } else if value.chars().count() > max {
                Err(format!("must be at most {max} characters"))
            } else if value.chars().any(char::is_control) {
                Err("must not contain control characters".into())
            } else {
                Ok(value.to_owned())
            }
        };
        let full_name = f.check("full_name", text(&self.full_name, true, 100));
        let line1 = f.check("line1", text(&self.line1, true, 200));
        let line2 = f.check("line2", text(&self.line2, false, 200));
        let city = f.check("city", text(&self.city, true, 100));
        let region = f.check("region", text(&self.region, false, 100));
        let postal_code = f.check("postal_code", text(&self.postal_code, true, 20));
        let country = f.check("country", {
            let c = self.country.trim().to_uppercase();
            if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) {
                Ok(c)
            } else {
                Err("must be a two-letter country code, e.g. DE".into())
            }
        });
        let phone = f.check("phone", text(&self.phone, false, 30));
        f.finish(|| AddressInput {
            full_name: full_name.unwrap_or_default(),
            line1: line1.unwrap_or_default(),
            line2: line2.unwrap_or_default(),
            city: city.unwrap_or_default(),
            region: region.unwrap_or_default(),
            postal_code: postal_code.unwrap_or_default(),
            country: country.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            is_default: self.is_default,
        })
    }
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

#[cfg(test)]
mod tests {
    #[test]
    fn is_default_reads_json_booleans_and_form_checkboxes() {
        let base = r#""full_name":"A","line1":"B","city":"C","postal_code":"1","country":"DE""#;
        let parse = |extra: &str| serde_json::from_str::<super::AddressInput>(&format!("{{{base}{extra}}}"));
        assert!(parse(r#","is_default":true"#).unwrap().is_default);
        assert!(parse(r#","is_default":"on""#).unwrap().is_default);
        assert!(!parse("").unwrap().is_default, "an unticked checkbox sends nothing");
        assert!(!parse(r#","is_default":false"#).unwrap().is_default);
        assert!(parse(r#","is_default":"maybe""#).is_err());
    }

    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@@example.com",
            "ada@example..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_policy() {
        assert!(check_new_password("short", None).unwrap_err().contains("at least 10"));
        assert!(
            check_new_password("Password123", None)
                .unwrap_err()
                .contains("too common")
        );
        assert!(
            check_new_password("ada.lovelace@x.io", Some("ada.lovelace@x.io"))
                .unwrap_err()
                .contains("e-mail")
        );
        assert!(
            check_new_password("lovelace-rules-99", Some("lovelace@x.io"))
                .unwrap_err()
                .contains("e-mail")
        );
        assert!(check_new_password("correct horse battery", Some("ada@x.io")).is_ok());
    }

    #[test]
    fn registration_reports_every_field() {
        let err = RegisterInput {
            email: "nope".into(),
            display_name: " ".into(),
            password: "123".into(),
        }
        .parse()
        .err()
        .unwrap();
        assert_eq!(err.field("email"), ["is not a valid e-mail address"]);
        assert_eq!(err.field("display_name"), ["is required"]);
        assert_eq!(err.field("password"), ["must be at least 10 characters"]);
    }

    #[test]
    fn roles_map_to_permissions() {
        assert!(!Role::Customer.can(Permission::DashboardView));
        assert!(Role::Staff.can(Permission::DashboardView) && !Role::Staff.can(Permission::UsersManage));
        assert!(Role::Admin.can(Permission::UsersManage));
        assert_eq!(Permission::UsersManage.as_str(), "users:manage");
    }

    #[test]
    fn addresses_are_trimmed_and_checked() {
        let ok = AddressInput {
            full_name: " Ada ".into(),
            line1: "1 Main St".into(),
            city: "Berlin".into(),
            postal_code: "10115".into(),
            country: "de".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!((ok.full_name.as_str(), ok.country.as_str()), ("Ada", "DE"));
        let err = AddressInput {
            country: "Germany".into(),
            ..Default::default()
        }
        .parse()
        .err()
        .unwrap();
        assert_eq!(err.field("country"), ["must be a two-letter country code, e.g. DE"]);
        assert_eq!(err.field("line1"), ["is required"]);
    }
}
