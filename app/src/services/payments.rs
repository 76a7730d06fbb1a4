//! Payment providers. An order names the provider it is paid through; the provider says what the
//! customer must do, and is told when a paid order is cancelled so it can refund. The first one is
//! manual payment (bank transfer or cash on delivery): nothing happens automatically, the order
//! waits in `pending_payment` until staff mark it paid. A card provider with asynchronous
//! confirmation fits the same shape (see docs/decisions.md): it would start a payment after
//! checkout commits and move the order to `paid` from its verified webhook through
//! [`super::orders::record_payment`].

use rust_decimal::Decimal;

use crate::domain::Money;

/// What a provider needs to know of an order.
pub struct PaymentRequest<'a> {
    pub number: &'a str,
    pub total: &'a Money,
}

/// What a provider did about a refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundOutcome {
    /// The money goes back through the provider.
    Refunded(Decimal),
    /// Staff pay it back by hand; the amount is recorded on the order.
    ToBePaidBack(Decimal),
}

/// A way to pay.
pub trait PaymentProvider: Send + Sync {
    /// Stored on the order (`payment.provider`).
    fn name(&self) -> &'static str;
    /// What the customer must do to pay, shown on the confirmation and in its mail.
    fn instructions(&self, order: &PaymentRequest<'_>) -> String;
    /// A paid order is being cancelled: give `amount` back.
    fn refund(&self, order: &PaymentRequest<'_>, amount: Decimal) -> RefundOutcome;
}

/// Bank transfer or cash on delivery, confirmed by staff.
pub struct Manual;

impl PaymentProvider for Manual {
    fn name(&self) -> &'static str {
        "manual"
    }

    fn instructions(&self, order: &PaymentRequest<'_>) -> String {
        format!(
            "Please pay {} by bank transfer quoting {}, or in cash on delivery. We ship once your payment is confirmed.",
            order.total, order.number
        )
    }

    fn refund(&self, _order: &PaymentRequest<'_>, amount: Decimal) -> RefundOutcome {
        RefundOutcome::ToBePaidBack(amount)
    }
}

/// The provider an order names. Every order names `manual` today; a second provider adds its
/// name here.
pub fn provider(_name: &str) -> &'static dyn PaymentProvider {
    &Manual
}

/// The provider new orders use.
pub fn default_provider() -> &'static dyn PaymentProvider {
    &Manual
}
