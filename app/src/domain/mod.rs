//! Domain types that cross the wire between server, browser and API clients: identifiers,
//! money, pagination and the catalogue's views. Parsing an input into one of these types is
//! where it gets validated, so a value of the type is always valid.

pub mod cart;
pub mod catalog;
pub mod identity;
pub mod money;
pub mod orders;
pub mod pagination;
#[cfg(feature = "ssr")]
pub mod postings;
pub mod pricing;
pub mod search;

pub use catalog::{CategoryId, ProductId, ProductView};
pub use money::{Currency, Money};
pub use pagination::{Page, PageRequest};

use crate::error::{AppError, FieldErrors};

/// Collects field errors while parsing an input.
#[derive(Default)]
pub(crate) struct Fields(FieldErrors);

impl Fields {
    pub(crate) fn check<T>(&mut self, name: &str, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|message| self.0.entry(name.into()).or_default().push(message))
            .ok()
    }

    pub(crate) fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, AppError> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(AppError::validation(self.0))
        }
    }
}

/// Distinguishes a field sent as `null` (`Some(None)`) from one left out (`None`), for PATCH
/// bodies (`#[serde(default, deserialize_with = "present")]`).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// A list's `q` as sent: `None` when empty, else trimmed; a 422 on `q` when it is longer than
/// `max` characters or holds control characters.
pub fn search_term(raw: Option<&str>, max: usize) -> Result<Option<&str>, AppError> {
    match raw {
        Some(q) if q.chars().count() > max || q.chars().any(char::is_control) => {
            let mut details = FieldErrors::new();
            details.insert(
                "q".into(),
                vec![format!("must be at most {max} characters, without control characters")],
            );
            Err(AppError::validation(details))
        }
        other => Ok(other.map(str::trim).filter(|q| !q.is_empty())),
    }
}
