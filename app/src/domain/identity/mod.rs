//! Identity as clients see it: users, roles and their permissions (here), the inputs of accounts
//! and tokens (`accounts`), and addresses (`addresses`). Parsing an input validates it and
//! collects every field's errors. Re-exported here, so callers write `identity::LoginInput`.

mod accounts;
mod addresses;

pub use accounts::*;
pub use addresses::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
    /// Change tax rates, shipping methods and discount codes.
    PricingWrite,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DashboardView => "dashboard:view",
            Self::ProductsWrite => "products:write",
            Self::OrdersManage => "orders:manage",
            Self::ReviewsModerate => "reviews:moderate",
            Self::UsersManage => "users:manage",
            Self::PricingWrite => "pricing:write",
        }
    }
}

impl Role {
    /// The one mapping from roles to permissions.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Self::Customer => &[],
            Self::Staff => &[
                DashboardView,
                ProductsWrite,
                OrdersManage,
                ReviewsModerate,
                PricingWrite,
            ],
            Self::Admin => &[
                DashboardView,
                ProductsWrite,
                OrdersManage,
                ReviewsModerate,
                UsersManage,
                PricingWrite,
            ],
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

pub(crate) use crate::domain::Fields;

/// A boolean as JSON (`true`) or as form text (`"true"`, a ticked checkbox's `"on"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Flag {
    Bool(bool),
    Text(String),
}

impl Flag {
    pub fn into_bool<E: serde::de::Error>(self) -> Result<bool, E> {
        match self {
            Self::Bool(value) => Ok(value),
            Self::Text(text) => match text.as_str() {
                "true" | "on" | "1" => Ok(true),
                "false" | "off" | "0" | "" => Ok(false),
                other => Err(E::custom(format!("`{other}` is not true or false"))),
            },
        }
    }
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
