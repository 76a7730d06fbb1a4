//! The pricing rules staff manage: tax rates by country and shipping methods — as clients see
//! them and as they are written. Amounts are sent as decimal strings in the store currency.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::catalog::editing::{parse_price, required_line};
use crate::domain::identity::country_code;
use crate::domain::money::Money;
use crate::domain::{Fields, present};
use crate::error::AppError;

/// An ISO 3166-1 alpha-2 country code as sent (any case): the schema of one, for the API
/// document.
#[cfg(feature = "ssr")]
#[derive(utoipa::ToSchema)]
#[schema(pattern = r"^[A-Za-z]{2}$", example = "DE")]
pub struct CountryCode(pub String);

/// Most countries one shipping method may list.
pub const MAX_COUNTRIES: usize = 300;

/// The tax rate of one country (prices are tax-exclusive; checkout adds this).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaxRateView {
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    pub country: String,
    /// A percentage as a decimal string, e.g. `"19"` or `"7.7"`.
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "19"))]
    pub rate: Decimal,
    pub version: i32,
}

/// `PUT /tax-rates/{country}`: sets a country's rate.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaxRateInput {
    /// A percentage from 0 to 100 with at most three decimals, e.g. `"19"` or `"7.7"`.
    #[cfg_attr(
        feature = "ssr",
        schema(example = "19", pattern = r"^(100(\.0{1,3})?|\d{1,2}(\.\d{1,3})?)$")
    )]
    pub rate: String,
    /// For optimistic locking, instead of `If-Match`.
    #[serde(default)]
    pub version: Option<i32>,
}

impl TaxRateInput {
    pub fn parse(&self) -> Result<Decimal, AppError> {
        let mut f = Fields::default();
        let rate = f.check("rate", parse_rate(&self.rate));
        f.finish(|| rate.unwrap_or_default())
    }
}

/// A percentage from 0 to 100, at most three decimals.
fn parse_rate(raw: &str) -> Result<Decimal, String> {
    let raw = raw.trim();
    let plain = !raw.is_empty() && raw.chars().all(|c| c.is_ascii_digit() || c == '.') && raw.matches('.').count() <= 1;
    let rate: Decimal = raw
        .parse()
        .ok()
        .filter(|_| plain)
        .ok_or_else(|| "must be a percentage such as \"19\" or \"7.7\"".to_owned())?;
    if rate > Decimal::ONE_HUNDRED {
        Err("must be between 0 and 100".into())
    } else if rate.normalize().scale() > 3 {
        Err("must have at most three decimals".into())
    } else {
        Ok(rate)
    }
}

/// A shipping method.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShippingMethodView {
    pub id: Uuid,
    pub name: String,
    pub price: Money,
    /// Goods (after the discount) worth at least this ship free.
    pub free_above: Option<Money>,
    /// The countries it ships to (ISO 3166-1 alpha-2).
    pub countries: Vec<String>,
    /// Offered at checkout (inactive ones are shown to staff only).
    pub active: bool,
    pub version: i32,
}

impl ShippingMethodView {
    /// What shipping costs for goods worth `goods` (after the discount).
    pub fn price_for(&self, goods: Decimal) -> Decimal {
        match &self.free_above {
            Some(threshold) if goods >= threshold.amount => Decimal::ZERO,
            _ => self.price.amount,
        }
    }

    pub fn serves(&self, country: &str) -> bool {
        self.countries.iter().any(|c| c == country)
    }
}

/// A shipping method's fields after validation.
#[derive(Clone, Debug, PartialEq)]
pub struct ShippingMethodFields {
    pub name: String,
    pub price: Decimal,
    pub free_above: Option<Decimal>,
    pub countries: Vec<String>,
    pub active: bool,
}

/// `POST /shipping-methods`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreateShippingMethod {
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 100,
            example = "Standard",
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub name: String,
    /// A decimal string in the store currency, e.g. `"4.95"`.
    #[cfg_attr(feature = "ssr", schema(example = "4.95", pattern = r"^\d{1,10}(\.\d{1,2})?$"))]
    pub price: String,
    /// Free shipping from this amount of goods; absent or null: never free.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(example = "50.00", pattern = r"^\d{1,10}(\.\d{1,2})?$"))]
    pub free_above: Option<String>,
    /// Two-letter country codes, at least one.
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<CountryCode>, min_items = 1, max_items = 300, example = json!(["DE", "AT"])))]
    pub countries: Vec<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl CreateShippingMethod {
    pub fn parse(self) -> Result<ShippingMethodFields, AppError> {
        let mut f = Fields::default();
        let name = f.check("name", method_name(&self.name));
        let price = f.check("price", parse_price(&self.price));
        let free_above = f.check("free_above", self.free_above.as_deref().map(parse_price).transpose());
        let countries = f.check("countries", countries(&self.countries));
        f.finish(|| ShippingMethodFields {
            name: name.unwrap_or_default(),
            price: price.unwrap_or_default(),
            free_above: free_above.flatten(),
            countries: countries.unwrap_or_default(),
            active: self.active.unwrap_or(true),
        })
    }
}

/// `PATCH /shipping-methods/{id}`: the fields sent change, the rest stay. `free_above: null`
/// removes the threshold.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateShippingMethod {
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(pattern = r"^\d{1,10}(\.\d{1,2})?$"))]
    pub price: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(pattern = r"^\d{1,10}(\.\d{1,2})?$"))]
    pub free_above: Option<Option<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<CountryCode>>, min_items = 1, max_items = 300))]
    pub countries: Option<Vec<String>>,
    #[serde(default)]
    pub active: Option<bool>,
    /// For optimistic locking, instead of `If-Match`.
    #[serde(default)]
    pub version: Option<i32>,
}

impl UpdateShippingMethod {
    pub fn parse_onto(self, current: &ShippingMethodFields) -> Result<ShippingMethodFields, AppError> {
        let mut f = Fields::default();
        let name = self.name.map(|n| f.check("name", method_name(&n)));
        let price = self.price.map(|p| f.check("price", parse_price(&p)));
        let free_above = self
            .free_above
            .map(|sent| f.check("free_above", sent.as_deref().map(parse_price).transpose()));
        let countries = self.countries.map(|c| f.check("countries", countries(&c)));
        f.finish(|| ShippingMethodFields {
            name: name.flatten().unwrap_or_else(|| current.name.clone()),
            price: price.flatten().unwrap_or(current.price),
            free_above: free_above.unwrap_or(Some(current.free_above)).flatten(),
            countries: countries.flatten().unwrap_or_else(|| current.countries.clone()),
            active: self.active.unwrap_or(current.active),
        })
    }
}

fn method_name(raw: &str) -> Result<String, String> {
    required_line(raw, 100)
}

/// Upper-cased, each once, in the order sent.
fn countries(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.is_empty() || raw.len() > MAX_COUNTRIES {
        return Err(format!("must list 1 to {MAX_COUNTRIES} countries"));
    }
    let mut codes: Vec<String> = Vec::with_capacity(raw.len());
    for code in raw {
        let code = country_code(code).map_err(|_| format!("`{code}` is not a two-letter country code"))?;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    #[test]
    fn rates_are_percentages_with_up_to_three_decimals() {
        let rate = |raw: &str| {
            TaxRateInput {
                rate: raw.into(),
                version: None,
            }
            .parse()
        };
        assert_eq!(rate(" 19 ").unwrap(), Decimal::from(19));
        assert_eq!(rate("7.7").unwrap(), Decimal::new(77, 1));
        assert_eq!(rate("0").unwrap(), Decimal::ZERO);
        for bad in ["", "-1", "100.001", "1e2", "19%", "7.7777", "abc"] {
            let error = rate(bad).unwrap_err();
            assert!(!error.field("rate").is_empty(), "{bad}: {error:?}");
        }
    }

    #[test]
    fn methods_are_checked_and_patched_field_by_field() {
        let created = CreateShippingMethod {
            name: " Standard ".into(),
            price: "4.95".into(),
            free_above: Some("50".into()),
            countries: vec!["de".into(), "AT".into(), "DE".into()],
            active: None,
        }
        .parse()
        .unwrap();
        assert_eq!(created.name, "Standard");
        assert_eq!(created.countries, vec!["DE", "AT"]);
        assert!(created.active);
        let error = CreateShippingMethod {
            name: String::new(),
            price: "-1".into(),
            free_above: Some("x".into()),
            countries: vec!["Germany".into()],
            active: None,
        }
        .parse()
        .unwrap_err();
        for field in ["name", "price", "free_above", "countries"] {
            assert!(!error.field(field).is_empty(), "{field}: {error:?}");
        }
        let patched = UpdateShippingMethod {
            free_above: Some(None),
            active: Some(false),
            ..Default::default()
        }
        .parse_onto(&created)
        .unwrap();
        assert_eq!(patched.free_above, None);
        assert!(!patched.active);
        assert_eq!(patched.price, created.price);
    }

    #[test]
    fn shipping_is_free_from_the_threshold() {
        let usd = |amount: i64| Money::new(Decimal::new(amount, 2), Currency::parse("USD").unwrap());
        let method = ShippingMethodView {
            id: Uuid::nil(),
            name: "Standard".into(),
            price: usd(495),
            free_above: Some(usd(5000)),
            countries: vec!["US".into()],
            active: true,
            version: 1,
        };
        assert_eq!(method.price_for(Decimal::new(4999, 2)), Decimal::new(495, 2));
        assert_eq!(method.price_for(Decimal::new(5000, 2)), Decimal::ZERO);
        assert!(method.serves("US") && !method.serves("DE"));
    }
}
