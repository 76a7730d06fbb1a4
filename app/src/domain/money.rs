//! Exact money: a decimal amount with its ISO 4217 currency. Amounts serialize as decimal
//! strings (`"29.99"`) so no client ever sees a float, and two currencies never mix.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code: three upper-case ASCII letters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ssr", schema(value_type = String, example = "USD"))]
pub struct Currency(String);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, String> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(format!(
                "`{code}` is not an ISO 4217 currency code (three upper-case letters, e.g. USD)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.0
    }
}

/// An amount of money in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Money {
    /// Decimal string, e.g. `"29.99"`.
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "29.99"))]
    pub amount: Decimal,
    pub currency: Currency,
}

/// Adding or comparing amounts of different currencies.
#[derive(Debug, PartialEq, Eq)]
pub struct CurrencyMismatch;

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// The sum of two amounts of the same currency.
    pub fn checked_add(&self, other: &Money) -> Result<Money, CurrencyMismatch> {
        if self.currency != other.currency {
            return Err(CurrencyMismatch);
        }
        Ok(Money::new(self.amount + other.amount, self.currency.clone()))
    }
}

impl fmt::Display for Money {
    /// `29.99 USD`, or with the symbol for the common currencies: `$29.99`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let amount = self.amount.round_dp(2);
        match self.currency.as_str() {
            "USD" => write!(f, "${amount:.2}"),
            "EUR" => write!(f, "€{amount:.2}"),
            "GBP" => write!(f, "£{amount:.2}"),
            code => write!(f, "{amount:.2} {code}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn usd(amount: &str) -> Money {
        Money::new(Decimal::from_str(amount).unwrap(), Currency::parse("USD").unwrap())
    }

    #[test]
    fn serializes_amount_as_decimal_string() {
        let json = serde_json::to_value(usd("29.90")).unwrap();
        assert_eq!(json, serde_json::json!({"amount": "29.90", "currency": "USD"}));
    }

    #[test]
    fn adds_only_the_same_currency() {
        assert_eq!(usd("0.10").checked_add(&usd("0.20")).unwrap(), usd("0.30"));
        let eur = Money::new(Decimal::ONE, Currency::parse("EUR").unwrap());
        assert_eq!(usd("1").checked_add(&eur), Err(CurrencyMismatch));
    }

    #[test]
    fn rejects_malformed_currency_codes() {
        assert!(Currency::parse("usd").is_err());
        assert!(Currency::parse("US").is_err());
        assert!(serde_json::from_str::<Currency>("\"EURO\"").is_err());
    }

    #[test]
    fn displays_with_symbol_and_two_decimals() {
        assert_eq!(usd("5").to_string(), "$5.00");
        let chf = Money::new(Decimal::from_str("12.5").unwrap(), Currency::parse("CHF").unwrap());
        assert_eq!(chf.to_string(), "12.50 CHF");
    }
}
