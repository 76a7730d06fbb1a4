//! The cart as shoppers and API clients see it, priced on every read from current prices, and the
//! inputs that change it. Quantities are 1–99 per line.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Fields, Money};
use crate::error::AppError;

/// The most of one variant a cart holds.
pub const MAX_QUANTITY: i32 = 99;

/// One line of a cart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CartItemView {
    pub id: Uuid,
    pub variant_id: Uuid,
    pub product_id: Uuid,
    pub product_name: String,
    pub product_slug: String,
    pub variant_name: String,
    pub sku: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub options: serde_json::Value,
    pub quantity: i32,
    /// The price now.
    pub unit_price: Money,
    /// The price when the item was added.
    pub added_price: Money,
    /// Whether the price changed since the item was added.
    pub price_changed: bool,
    /// Units that can be bought now (0 when the variant is sold out or no longer sold).
    pub available: i32,
    /// `unit_price` × `quantity`.
    pub amount: Money,
    /// This line's share of the cart's discount.
    pub discount: Money,
    /// Tax on this line, once the country is known (else 0).
    pub tax: Money,
    /// `amount` − `discount` + `tax`.
    pub total: Money,
}

/// The shipping method chosen for a cart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChosenShipping {
    pub id: Uuid,
    pub name: String,
}

/// A cart with its totals. Each total is the sum of the lines' figures (plus shipping and its tax).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CartView {
    /// Absent until something is put in the cart.
    pub id: Option<Uuid>,
    pub items: Vec<CartItemView>,
    /// Units in the cart, all lines together.
    pub item_count: i32,
    /// The code applied to the cart.
    pub discount_code: Option<String>,
    /// Why the applied code gives no discount right now (expired, below its minimum, …).
    pub discount_problem: Option<String>,
    pub shipping_method: Option<ChosenShipping>,
    /// The shipping country (ISO 3166-1 alpha-2), which sets the tax rate.
    pub country: Option<String>,
    /// The goods before the discount.
    pub subtotal: Money,
    pub discount: Money,
    /// Known once a shipping method is chosen.
    pub shipping: Option<Money>,
    /// Known once the country is.
    pub tax: Option<Money>,
    /// Tax-rate percentage applied, once the country is known.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, example = "19"))]
    pub tax_rate: Option<rust_decimal::Decimal>,
    pub total: Money,
    /// What the shopper should know about a change the shop made to the cart (a quantity
    /// capped at the stock when carts merged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
}

impl CartView {
    /// Whether any line can't be bought as it stands.
    pub fn has_shortage(&self) -> bool {
        self.items.iter().any(|i| i.quantity > i.available)
    }
}

/// `POST /cart/items`: adds units of a variant (to those already in the cart).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AddCartItem {
    pub variant_id: Uuid,
    /// 1–99 (1 when left out).
    #[serde(default = "one")]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 99, default = 1))]
    pub quantity: i64,
}

fn one() -> i64 {
    1
}

/// `PATCH /cart/items/{id}`: sets a line's quantity.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateCartItem {
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 99))]
    pub quantity: i64,
}

/// A quantity of one line: 1–99.
pub fn parse_quantity(quantity: i64) -> Result<i32, AppError> {
    let mut f = Fields::default();
    let value = f.check(
        "quantity",
        if (1..=i64::from(MAX_QUANTITY)).contains(&quantity) {
            Ok(quantity as i32)
        } else {
            Err(format!("must be between 1 and {MAX_QUANTITY}"))
        },
    );
    f.finish(|| value.unwrap_or(1))
}

/// `POST /cart/discount`: applies a code (replacing any other).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApplyDiscountCode {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 64, example = "SUMMER10"))]
    pub code: String,
}

/// `PATCH /cart`: the checkout choices known so far, which price shipping and tax. `null`
/// clears one; a field left out stays as it is.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateCart {
    #[serde(default, deserialize_with = "super::present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Uuid>))]
    pub shipping_method_id: Option<Option<Uuid>>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, deserialize_with = "super::present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, pattern = r"^\s*[A-Za-z]{2}\s*$"))]
    pub country: Option<Option<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_one_to_ninety_nine() {
        assert_eq!(parse_quantity(1).unwrap(), 1);
        assert_eq!(parse_quantity(99).unwrap(), 99);
        for bad in [0, -1, 100, i64::MAX] {
            let err = parse_quantity(bad).unwrap_err();
            assert_eq!(err.field("quantity"), ["must be between 1 and 99"]);
        }
    }

    #[test]
    fn update_cart_tells_null_from_absent() {
        let input: UpdateCart = serde_json::from_str(r#"{"country": null}"#).unwrap();
        assert_eq!(input.country, Some(None));
        assert_eq!(input.shipping_method_id, None);
    }
}
