//! Orders: the status machine, the views customers and staff read, and the inputs of checkout
//! and of staff's status changes.
//!
//! The machine: `pending_payment` → `paid` → `fulfilled` (with a tracking number) → `delivered`;
//! `pending_payment` or `paid` → `cancelled` (stock returned; a paid order records a refund).
//! Nothing else moves.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::identity::{AddressInput, AddressView};
use super::{Fields, Money};
use crate::error::{AppError, ErrorCode};

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "order_status", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    #[default]
    PendingPayment,
    Paid,
    Fulfilled,
    Delivered,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        Self::PendingPayment,
        Self::Paid,
        Self::Fulfilled,
        Self::Delivered,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingPayment => "pending_payment",
            Self::Paid => "paid",
            Self::Fulfilled => "fulfilled",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
        }
    }

    /// For people: "Awaiting payment", "Paid", …
    pub fn label(self) -> &'static str {
        match self {
            Self::PendingPayment => "Awaiting payment",
            Self::Paid => "Paid",
            Self::Fulfilled => "Shipped",
            Self::Delivered => "Delivered",
            Self::Cancelled => "Cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| "must be one of pending_payment, paid, fulfilled, delivered, cancelled".to_owned())
    }

    /// Whether the machine allows moving from `self` to `to`.
    pub fn can_become(self, to: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, to),
            (PendingPayment, Paid)
                | (Paid, Fulfilled)
                | (Fulfilled, Delivered)
                | (PendingPayment, Cancelled)
                | (Paid, Cancelled)
        )
    }

    /// `Ok` when the move is allowed, else the 409 `INVALID_TRANSITION` saying what is.
    pub fn transition(self, to: OrderStatus) -> Result<OrderStatus, AppError> {
        if self.can_become(to) {
            return Ok(to);
        }
        let allowed: Vec<&str> = Self::ALL
            .into_iter()
            .filter(|s| self.can_become(*s))
            .map(Self::as_str)
            .collect();
        let next = if allowed.is_empty() {
            "it is final".to_owned()
        } else {
            format!("it can become {}", allowed.join(" or "))
        };
        Err(AppError::new(
            ErrorCode::InvalidTransition,
            format!(
                "An order that is {} can't become {}: {next}.",
                self.as_str(),
                to.as_str()
            ),
        ))
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An address as an order keeps it (a copy, so editing the address book changes no order).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderAddress {
    pub full_name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub phone: String,
}

impl From<AddressView> for OrderAddress {
    fn from(a: AddressView) -> Self {
        Self {
            full_name: a.full_name,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            region: a.region,
            postal_code: a.postal_code,
            country: a.country,
            phone: a.phone,
        }
    }
}

impl From<AddressInput> for OrderAddress {
    fn from(a: AddressInput) -> Self {
        Self {
            full_name: a.full_name,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            region: a.region,
            postal_code: a.postal_code,
            country: a.country,
            phone: a.phone,
        }
    }
}

impl From<OrderAddress> for AddressInput {
    fn from(a: OrderAddress) -> Self {
        Self {
            full_name: a.full_name,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            region: a.region,
            postal_code: a.postal_code,
            country: a.country,
            phone: a.phone,
            is_default: false,
        }
    }
}

/// A line of an order: what was bought, as it was when it was bought.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderItemView {
    /// The variant bought (a variant orders refer to is switched off, never deleted).
    pub variant_id: Uuid,
    pub product_id: Uuid,
    pub product_name: String,
    pub variant_name: String,
    pub sku: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub options: serde_json::Value,
    pub unit_price: Money,
    pub quantity: i32,
    pub amount: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
}

/// One change of an order's status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TransitionView {
    /// Absent for the order's creation.
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    /// Who made it: absent when the shop did (checkout by a guest, the unpaid-order job).
    pub actor_id: Option<Uuid>,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// How an order is paid, as its provider reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PaymentView {
    /// The provider's name, e.g. `manual`.
    pub provider: String,
    /// What the customer must do to pay, for people.
    pub instructions: String,
}

/// An order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderView {
    pub id: Uuid,
    /// The number people quote, e.g. `OX-10042`.
    pub number: String,
    pub status: OrderStatus,
    pub email: String,
    /// The customer's account; absent for a guest's order.
    pub user_id: Option<Uuid>,
    pub items: Vec<OrderItemView>,
    pub subtotal: Money,
    pub discount: Money,
    pub discount_code: Option<String>,
    pub shipping: Money,
    pub shipping_method: String,
    pub tax: Money,
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "19"))]
    pub tax_rate: rust_decimal::Decimal,
    pub total: Money,
    pub shipping_address: OrderAddress,
    pub billing_address: OrderAddress,
    pub payment: PaymentView,
    pub tracking_number: Option<String>,
    /// What was refunded when a paid order was cancelled.
    pub refunded: Option<Money>,
    /// Every status change, oldest first.
    pub history: Vec<TransitionView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// For optimistic locking of staff changes (`If-Match` or `version`).
    pub version: i32,
}

/// An order in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderSummary {
    pub id: Uuid,
    pub number: String,
    pub status: OrderStatus,
    pub email: String,
    pub item_count: i64,
    pub total: Money,
    pub created_at: DateTime<Utc>,
}

/// A new order just placed, with the key of its link for a guest (shown once).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlacedOrder {
    #[serde(flatten)]
    pub order: OrderView,
    /// The key that opens this order without an account (`?key=` on its URL and the page's link);
    /// the confirmation mail carries it too.
    pub access_key: String,
}

/// `POST /orders`: checkout of the current cart.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlaceOrder {
    pub shipping_method_id: Option<Uuid>,
    /// A saved address of the caller's (signed-in customers).
    pub address_id: Option<Uuid>,
    /// The address fields, instead of `address_id`.
    pub shipping_address: Option<AddressInput>,
    /// When it differs from the shipping address.
    pub billing_address: Option<AddressInput>,
    /// Guests: where the confirmation goes. Ignored for signed-in customers (their account's).
    #[cfg_attr(feature = "ssr", schema(max_length = 254, example = "ada@example.com"))]
    pub email: Option<String>,
}

/// What a browser's checkout has gathered so far (kept in the session between its steps, as
/// typed, so a refused step comes back filled in).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckoutDraft {
    /// Guests only.
    pub email: String,
    /// A saved address chosen (signed-in customers); otherwise `address` as typed.
    pub address_id: Option<Uuid>,
    pub address: OrderAddress,
    /// Set once the address step passed: the country shipping is priced for.
    pub country: Option<String>,
}

/// A shipping method offered at checkout, priced for the cart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShippingOption {
    pub id: Uuid,
    pub name: String,
    pub price: Money,
}

/// Everything the checkout pages show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub cart: super::cart::CartView,
    pub draft: CheckoutDraft,
    pub signed_in: bool,
    /// The customer's saved addresses.
    pub addresses: Vec<AddressView>,
    /// Methods that ship to the draft's country (once it is known).
    pub methods: Vec<ShippingOption>,
}

/// `PATCH /orders/{id}`: a staff change of status.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChangeOrderStatus {
    pub status: OrderStatus,
    /// Why, for the order's history (at most 500 characters).
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 500, pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$")
    )]
    pub note: Option<String>,
    /// Required to become `fulfilled`.
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(min_length = 1, max_length = 100, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub tracking_number: Option<String>,
    /// The version last read; a change in between is a 409.
    pub version: Option<i32>,
}

/// A staff change, checked: the note and tracking number trimmed.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusChange {
    pub status: OrderStatus,
    pub note: String,
    pub tracking_number: Option<String>,
}

impl ChangeOrderStatus {
    pub fn parse(self) -> Result<StatusChange, AppError> {
        let mut f = Fields::default();
        let note = self.note.unwrap_or_default();
        let note = f.check("note", note_text(&note));
        let tracking = self
            .tracking_number
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        let tracking = match (self.status, tracking) {
            (OrderStatus::Fulfilled, None) => {
                f.check::<()>("tracking_number", Err("is required to mark an order fulfilled".into()));
                None
            }
            (OrderStatus::Fulfilled, Some(t)) => f.check("tracking_number", tracking_number(&t)),
            (_, Some(_)) => {
                f.check::<()>("tracking_number", Err("is only sent with status fulfilled".into()));
                None
            }
            (_, None) => None,
        };
        f.finish(|| StatusChange {
            status: self.status,
            note: note.unwrap_or_default(),
            tracking_number: tracking,
        })
    }
}

fn note_text(raw: &str) -> Result<String, String> {
    let note = raw.trim();
    if note.chars().count() > 500 {
        Err("must be at most 500 characters".into())
    } else if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        Err("must not contain control characters".into())
    } else {
        Ok(note.to_owned())
    }
}

fn tracking_number(raw: &str) -> Result<String, String> {
    if raw.chars().count() > 100 {
        Err("must be at most 100 characters".into())
    } else if raw.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else {
        Ok(raw.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn the_machine_allows_exactly_its_arrows() {
        let legal = [
            (PendingPayment, Paid),
            (Paid, Fulfilled),
            (Fulfilled, Delivered),
            (PendingPayment, Cancelled),
            (Paid, Cancelled),
        ];
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                assert_eq!(from.can_become(to), legal.contains(&(from, to)), "{from} → {to}");
            }
        }
    }

    #[test]
    fn an_illegal_move_says_what_is_allowed() {
        let err = Paid.transition(Delivered).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidTransition);
        assert_eq!(
            err.message,
            "An order that is paid can't become delivered: it can become fulfilled or cancelled."
        );
        let err = Cancelled.transition(Paid).unwrap_err();
        assert!(err.message.ends_with("it is final."), "{}", err.message);
    }

    #[test]
    fn fulfilling_needs_a_tracking_number_and_only_then() {
        let change = |status, tracking: Option<&str>| {
            ChangeOrderStatus {
                status,
                tracking_number: tracking.map(str::to_owned),
                ..Default::default()
            }
            .parse()
        };
        assert_eq!(
            change(Fulfilled, None).unwrap_err().field("tracking_number"),
            ["is required to mark an order fulfilled"]
        );
        assert_eq!(
            change(Fulfilled, Some(" 1Z999 ")).unwrap().tracking_number.as_deref(),
            Some("1Z999")
        );
        assert_eq!(
            change(Paid, Some("1Z")).unwrap_err().field("tracking_number"),
            ["is only sent with status fulfilled"]
        );
        assert!(change(Paid, None).is_ok());
    }

    #[test]
    fn statuses_read_back() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Ok(status));
        }
        assert!(OrderStatus::parse("shipped").is_err());
    }
}
