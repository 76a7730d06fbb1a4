//! Shipping addresses: the view shown to their owner and the input that creates or replaces one.

use serde::{Deserialize, Serialize};

use super::{AddressId, Fields, Flag};
use crate::error::AppError;

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
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub full_name: String,
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub line1: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub line2: String,
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub city: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 100, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub region: String,
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 20,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub postal_code: String,
    #[cfg_attr(feature = "ssr", schema(pattern = r"^\s*[A-Za-z]{2}\s*$"))]
    pub country: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 30, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub phone: String,
    /// A JSON boolean; from an HTML form, a ticked checkbox (`true`/`on`), absent when unticked.
    #[serde(default, deserialize_with = "checkbox")]
    pub is_default: bool,
}

/// Reads a boolean from JSON (`true`) or from a form, where every value is text.
fn checkbox<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Flag::deserialize(deserializer)?.into_bool()
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
        let country = f.check("country", country_code(&self.country));
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

/// An ISO 3166-1 alpha-2 country code as sent (any case, spaces around): upper-cased.
pub fn country_code(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_uppercase();
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("must be a two-letter country code, e.g. DE".into())
    }
}
