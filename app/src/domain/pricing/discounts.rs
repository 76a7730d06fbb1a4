//! Discount codes: what staff write, what they see, and whether a code applies to a cart now
//! (and if not, why). Codes are case-insensitive: stored and compared upper-cased.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Discount;
use crate::domain::catalog::editing::parse_price;
use crate::domain::money::Money;
use crate::domain::{Fields, present};
use crate::error::AppError;

/// How a code takes money off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "discount_kind", rename_all = "lowercase"))]
#[serde(rename_all = "snake_case")]
pub enum DiscountKind {
    /// `value` percent of the goods.
    #[default]
    Percent,
    /// `value` off the goods, in the store currency.
    Fixed,
}

/// A discount code as staff see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DiscountCodeView {
    pub id: Uuid,
    /// Upper-case letters, digits, `-` and `_`.
    pub code: String,
    pub kind: DiscountKind,
    /// A percentage (`percent`) or an amount in the store currency (`fixed`), as a decimal string.
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "10"))]
    pub value: Decimal,
    /// The goods must come to at least this.
    pub min_subtotal: Option<Money>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime))]
    pub starts_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime))]
    pub ends_at: Option<DateTime<Utc>>,
    /// Uses in all; null: no limit.
    pub usage_limit: Option<i32>,
    /// Uses per customer; null: no limit.
    pub per_customer_limit: Option<i32>,
    /// Uses so far.
    pub times_used: i32,
    pub active: bool,
    pub version: i32,
}

/// A code's fields after validation.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscountCodeFields {
    pub code: String,
    pub kind: DiscountKind,
    pub value: Decimal,
    pub min_subtotal: Option<Decimal>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub usage_limit: Option<i32>,
    pub per_customer_limit: Option<i32>,
    pub active: bool,
}

/// `POST /discount-codes`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreateDiscountCode {
    #[cfg_attr(
        feature = "ssr",
        schema(example = "SUMMER10", pattern = r"^\s*[A-Za-z0-9][A-Za-z0-9_-]{1,31}\s*$")
    )]
    pub code: String,
    pub kind: DiscountKind,
    /// A percentage (0–100) or an amount, as a decimal string, more than zero.
    #[cfg_attr(
        feature = "ssr",
        schema(example = "10", pattern = r"^(0*[1-9]\d{0,9}(\.\d{1,2})?|0*\.(0[1-9]|[1-9]\d?))$")
    )]
    pub value: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(pattern = r"^\d{1,10}(\.\d{1,2})?$"))]
    pub min_subtotal: Option<String>,
    /// RFC 3339, e.g. `2026-12-01T00:00:00Z`.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub starts_at: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub ends_at: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 1000000000))]
    pub usage_limit: Option<i32>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 1000000000))]
    pub per_customer_limit: Option<i32>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl CreateDiscountCode {
    pub fn parse(self) -> Result<DiscountCodeFields, AppError> {
        let mut f = Fields::default();
        let code = f.check("code", parse_code(&self.code));
        let value = f.check("value", parse_value(self.kind, &self.value));
        let min_subtotal = f.check(
            "min_subtotal",
            self.min_subtotal.as_deref().map(parse_price).transpose(),
        );
        let starts_at = f.check("starts_at", self.starts_at.as_deref().map(parse_time).transpose());
        let ends_at = f.check("ends_at", self.ends_at.as_deref().map(parse_time).transpose());
        let usage_limit = f.check("usage_limit", limit(self.usage_limit));
        let per_customer_limit = f.check("per_customer_limit", limit(self.per_customer_limit));
        let fields = DiscountCodeFields {
            code: code.unwrap_or_default(),
            kind: self.kind,
            value: value.unwrap_or_default(),
            min_subtotal: min_subtotal.flatten(),
            starts_at: starts_at.flatten(),
            ends_at: ends_at.flatten(),
            usage_limit: usage_limit.flatten(),
            per_customer_limit: per_customer_limit.flatten(),
            active: self.active.unwrap_or(true),
        };
        f.check("ends_at", window(&fields));
        f.finish(|| fields)
    }
}

/// `PATCH /discount-codes/{id}`: the fields sent change, the rest stay; `null` clears an
/// optional one (minimum, window, limits).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateDiscountCode {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(pattern = r"^\s*[A-Za-z0-9][A-Za-z0-9_-]{1,31}\s*$"))]
    pub code: Option<String>,
    #[serde(default)]
    pub kind: Option<DiscountKind>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(pattern = r"^(0*[1-9]\d{0,9}(\.\d{1,2})?|0*\.(0[1-9]|[1-9]\d?))$")
    )]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(pattern = r"^\d{1,10}(\.\d{1,2})?$"))]
    pub min_subtotal: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub starts_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub ends_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 1000000000))]
    pub usage_limit: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 1000000000))]
    pub per_customer_limit: Option<Option<i32>>,
    #[serde(default)]
    pub active: Option<bool>,
    /// For optimistic locking, instead of `If-Match`.
    #[serde(default)]
    pub version: Option<i32>,
}

impl UpdateDiscountCode {
    pub fn parse_onto(self, current: &DiscountCodeFields) -> Result<DiscountCodeFields, AppError> {
        let mut f = Fields::default();
        let kind = self.kind.unwrap_or(current.kind);
        let code = self.code.map(|c| f.check("code", parse_code(&c)));
        // A new kind re-checks the value it will apply to.
        let value = match (&self.value, self.kind) {
            (Some(v), _) => f.check("value", parse_value(kind, v)),
            (None, Some(_)) => f.check("value", parse_value(kind, &current.value.to_string())),
            (None, None) => Some(current.value),
        };
        let min_subtotal = match self.min_subtotal {
            None => current.min_subtotal,
            Some(None) => None,
            Some(Some(raw)) => f.check("min_subtotal", parse_price(&raw)),
        };
        let mut times = |name: &str, sent: Option<Option<String>>, now| match sent {
            None => now,
            Some(None) => None,
            Some(Some(raw)) => f.check(name, parse_time(&raw)),
        };
        let starts_at = times("starts_at", self.starts_at, current.starts_at);
        let ends_at = times("ends_at", self.ends_at, current.ends_at);
        let usage_limit = match self.usage_limit {
            None => current.usage_limit,
            Some(sent) => f.check("usage_limit", limit(sent)).flatten(),
        };
        let per_customer_limit = match self.per_customer_limit {
            None => current.per_customer_limit,
            Some(sent) => f.check("per_customer_limit", limit(sent)).flatten(),
        };
        let fields = DiscountCodeFields {
            code: code.flatten().unwrap_or_else(|| current.code.clone()),
            kind,
            value: value.unwrap_or(current.value),
            min_subtotal,
            starts_at,
            ends_at,
            usage_limit,
            per_customer_limit,
            active: self.active.unwrap_or(current.active),
        };
        f.check("ends_at", window(&fields));
        f.finish(|| fields)
    }
}

/// A code as typed by a shopper or staff: trimmed and upper-cased.
pub fn parse_code(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_uppercase();
    let mut chars = code.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if first_ok && rest_ok && (2..=32).contains(&code.len()) {
        Ok(code)
    } else {
        Err("must be 2 to 32 letters, digits, `-` or `_`, starting with a letter or digit".into())
    }
}

fn parse_value(kind: DiscountKind, raw: &str) -> Result<Decimal, String> {
    let value = parse_price(raw)?;
    if value <= Decimal::ZERO {
        Err("must be more than zero".into())
    } else if kind == DiscountKind::Percent && value > Decimal::ONE_HUNDRED {
        Err("must be at most 100 for a percentage".into())
    } else {
        Ok(value)
    }
}

fn parse_time(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "must be a date and time such as 2026-12-01T00:00:00Z".into())
}

fn limit(sent: Option<i32>) -> Result<Option<i32>, String> {
    match sent {
        Some(n) if !(1..=1_000_000_000).contains(&n) => Err("must be from 1 to 1000000000".into()),
        other => Ok(other),
    }
}

fn window(fields: &DiscountCodeFields) -> Result<(), String> {
    match (fields.starts_at, fields.ends_at) {
        (Some(start), Some(end)) if end <= start => Err("must be after starts_at".into()),
        _ => Ok(()),
    }
}

/// Why a code does not apply to a cart right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    Inactive,
    NotYet(DateTime<Utc>),
    Expired(DateTime<Utc>),
    UsedUp,
    UsedUpByYou,
    BelowMinimum(Money),
}

impl Refusal {
    /// What the shopper is told.
    pub fn message(&self) -> String {
        match self {
            Self::Inactive => "This code is no longer valid.".into(),
            Self::NotYet(start) => format!("This code is valid from {}.", start.format("%-d %B %Y, %H:%M UTC")),
            Self::Expired(end) => format!("This code expired on {}.", end.format("%-d %B %Y, %H:%M UTC")),
            Self::UsedUp => "This code has been used as many times as it may be.".into(),
            Self::UsedUpByYou => "You have already used this code as many times as it allows.".into(),
            Self::BelowMinimum(min) => format!("This code needs goods worth at least {min}."),
        }
    }
}

impl DiscountCodeView {
    /// The discount this code gives goods worth `subtotal` at `now`, for a customer who has used
    /// it `used_by_customer` times; or why not.
    pub fn check(&self, now: DateTime<Utc>, subtotal: Decimal, used_by_customer: i32) -> Result<Discount, Refusal> {
        if !self.active {
            return Err(Refusal::Inactive);
        }
        if let Some(start) = self.starts_at.filter(|s| now < *s) {
            return Err(Refusal::NotYet(start));
        }
        if let Some(end) = self.ends_at.filter(|e| now >= *e) {
            return Err(Refusal::Expired(end));
        }
        if self.usage_limit.is_some_and(|limit| self.times_used >= limit) {
            return Err(Refusal::UsedUp);
        }
        if self.per_customer_limit.is_some_and(|limit| used_by_customer >= limit) {
            return Err(Refusal::UsedUpByYou);
        }
        if let Some(min) = self.min_subtotal.as_ref().filter(|m| subtotal < m.amount) {
            return Err(Refusal::BelowMinimum(min.clone()));
        }
        Ok(match self.kind {
            DiscountKind::Percent => Discount::Percent(self.value),
            DiscountKind::Fixed => Discount::Fixed(self.value),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    fn create(code: &str, kind: DiscountKind, value: &str) -> CreateDiscountCode {
        CreateDiscountCode {
            code: code.into(),
            kind,
            value: value.into(),
            ..Default::default()
        }
    }

    #[test]
    fn codes_are_checked_and_upper_cased() {
        let fields = create(" summer-10 ", DiscountKind::Percent, "10").parse().unwrap();
        assert_eq!(fields.code, "SUMMER-10");
        assert!(fields.active);
        for (code, kind, value, field) in [
            ("x", DiscountKind::Fixed, "5", "code"),
            ("-AB", DiscountKind::Fixed, "5", "code"),
            ("A B", DiscountKind::Fixed, "5", "code"),
            ("OK", DiscountKind::Percent, "101", "value"),
            ("OK", DiscountKind::Fixed, "0", "value"),
            ("OK", DiscountKind::Fixed, "-1", "value"),
        ] {
            let error = create(code, kind, value).parse().unwrap_err();
            assert!(!error.field(field).is_empty(), "{code} {value}: {error:?}");
        }
        let backwards = CreateDiscountCode {
            starts_at: Some("2026-12-02T00:00:00Z".into()),
            ends_at: Some("2026-12-01T00:00:00Z".into()),
            usage_limit: Some(0),
            ..create("XMAS", DiscountKind::Fixed, "5")
        }
        .parse()
        .unwrap_err();
        assert!(!backwards.field("ends_at").is_empty() && !backwards.field("usage_limit").is_empty());
    }

    #[test]
    fn a_patch_changes_what_is_sent_and_clears_nulls() {
        let current = CreateDiscountCode {
            usage_limit: Some(5),
            min_subtotal: Some("20".into()),
            ..create("TEN", DiscountKind::Fixed, "10")
        }
        .parse()
        .unwrap();
        let patched = UpdateDiscountCode {
            usage_limit: Some(None),
            active: Some(false),
            ..Default::default()
        }
        .parse_onto(&current)
        .unwrap();
        assert_eq!(patched.usage_limit, None);
        assert_eq!(patched.min_subtotal, current.min_subtotal);
        assert!(!patched.active);
        // Turning a 150 fixed code into a percentage re-checks its value.
        let big = create("BIG", DiscountKind::Fixed, "150").parse().unwrap();
        let error = UpdateDiscountCode {
            kind: Some(DiscountKind::Percent),
            ..Default::default()
        }
        .parse_onto(&big)
        .unwrap_err();
        assert!(!error.field("value").is_empty());
    }

    #[test]
    fn a_code_applies_only_within_its_rules() {
        let usd = |amount: i64| Money::new(Decimal::from(amount), Currency::parse("USD").unwrap());
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let code = DiscountCodeView {
            id: Uuid::nil(),
            code: "TEN".into(),
            kind: DiscountKind::Percent,
            value: Decimal::from(10),
            min_subtotal: Some(usd(20)),
            starts_at: Some(at("2026-12-01T00:00:00Z")),
            ends_at: Some(at("2027-01-01T00:00:00Z")),
            usage_limit: Some(100),
            per_customer_limit: Some(1),
            times_used: 3,
            active: true,
            version: 1,
        };
        let now = at("2026-12-15T12:00:00Z");
        let twenty = Decimal::from(20);
        assert_eq!(code.check(now, twenty, 0), Ok(Discount::Percent(Decimal::from(10))));
        assert_eq!(
            code.check(at("2026-11-30T23:59:59Z"), twenty, 0),
            Err(Refusal::NotYet(at("2026-12-01T00:00:00Z")))
        );
        assert!(matches!(
            code.check(at("2027-01-01T00:00:00Z"), twenty, 0),
            Err(Refusal::Expired(_))
        ));
        assert_eq!(
            code.check(now, Decimal::from(19), 0),
            Err(Refusal::BelowMinimum(usd(20)))
        );
        assert_eq!(code.check(now, twenty, 1), Err(Refusal::UsedUpByYou));
        let used_up = DiscountCodeView {
            times_used: 100,
            ..code.clone()
        };
        assert_eq!(used_up.check(now, twenty, 0), Err(Refusal::UsedUp));
        let off = DiscountCodeView { active: false, ..code };
        assert_eq!(off.check(now, twenty, 0), Err(Refusal::Inactive));
        assert!(Refusal::BelowMinimum(usd(20)).message().contains("$20.00"));
    }
}
