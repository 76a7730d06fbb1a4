//! The catalogue as clients see it: identifiers and the product view shown in lists.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::money::Money;

/// Identifies a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(transparent))]
#[serde(transparent)]
pub struct ProductId(pub Uuid);

/// Identifies a category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(transparent))]
#[serde(transparent)]
pub struct CategoryId(pub Uuid);

/// A product in a listing: what a shopper needs to decide to click.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductView {
    pub id: ProductId,
    pub name: String,
    pub slug: String,
    pub description: String,
    /// Lowest price among the product's variants.
    pub price: Money,
    /// Whether any variant has stock.
    pub in_stock: bool,
    /// Name of the product's category, when it has one.
    pub category: Option<String>,
}

/// A category with its subcategories, as `GET /categories` returns the whole tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategoryView {
    pub id: CategoryId,
    pub parent_id: Option<CategoryId>,
    pub name: String,
    pub slug: String,
    pub description: String,
    /// Order among its siblings, ascending.
    pub position: i32,
    /// For optimistic locking: send it back as `version` or `If-Match` when changing the category.
    pub version: i32,
    /// Subcategories, ordered by position then name (empty on a single category's endpoints).
    #[cfg_attr(feature = "ssr", schema(no_recursion))]
    pub children: Vec<CategoryView>,
}

/// The longest name, slug or description of a category.
const MAX_CATEGORY_NAME: usize = 200;
const MAX_SLUG: usize = 100;
const MAX_DESCRIPTION: usize = 5000;

/// `POST /categories`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreateCategory {
    /// The parent; absent or null for a top-level category.
    #[serde(default)]
    pub parent_id: Option<CategoryId>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub name: String,
    /// Lower-case words joined by hyphens; made from the name when absent.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 100, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub slug: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 5000))]
    pub description: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = -1000000, maximum = 1000000))]
    pub position: i32,
}

/// A category that passed validation, to insert or to write over an existing one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryFields {
    pub parent_id: Option<CategoryId>,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub position: i32,
}

/// `PATCH /categories/{id}`: fields left out are unchanged; `parent_id: null` moves the category
/// to the top level.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateCategory {
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<CategoryId>))]
    pub parent_id: Option<Option<CategoryId>>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 100, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub slug: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 5000))]
    pub description: Option<String>,
    #[cfg_attr(feature = "ssr", schema(minimum = -1000000, maximum = 1000000))]
    pub position: Option<i32>,
    /// The version last seen (or send `If-Match`); a stale one is a 409 and nothing changes.
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 2147483647))]
    pub version: Option<i32>,
}

/// Distinguishes a field sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

fn category_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err("is required".into())
    } else if name.chars().count() > MAX_CATEGORY_NAME {
        Err(format!("must be at most {MAX_CATEGORY_NAME} characters"))
    } else if name.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else {
        Ok(name.to_owned())
    }
}

/// A slug as given: lower-case ASCII letters and digits in words joined by single hyphens.
pub fn parse_slug(raw: &str) -> Result<String, String> {
    let slug = raw.trim();
    let words_ok = !slug.is_empty()
        && slug
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    if slug.len() > MAX_SLUG {
        Err(format!("must be at most {MAX_SLUG} characters"))
    } else if words_ok {
        Ok(slug.to_owned())
    } else {
        Err("must be lower-case letters and digits in words joined by single hyphens, e.g. `rain-jackets`".into())
    }
}

/// A slug made from a name: ASCII letters and digits kept (lower-cased), everything else a
/// single hyphen. Empty when the name has no ASCII letter or digit.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    slug.chars()
        .take(MAX_SLUG)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

fn description(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().count() > MAX_DESCRIPTION {
        Err(format!("must be at most {MAX_DESCRIPTION} characters"))
    } else {
        Ok(text.to_owned())
    }
}

fn position(value: i32) -> Result<i32, String> {
    if (-1_000_000..=1_000_000).contains(&value) {
        Ok(value)
    } else {
        Err("must be between -1000000 and 1000000".into())
    }
}

impl CreateCategory {
    pub fn parse(self) -> Result<CategoryFields, crate::error::AppError> {
        let mut f = super::Fields::default();
        let name = f.check("name", category_name(&self.name));
        let slug = match self.slug.as_deref() {
            Some(raw) => f.check("slug", parse_slug(raw)),
            None => f.check(
                "slug",
                parse_slug(&slugify(&self.name))
                    .map_err(|_| "is required when the name has no letters or digits to make one from".to_owned()),
            ),
        };
        let description = f.check("description", description(&self.description));
        let position = f.check("position", position(self.position));
        f.finish(|| CategoryFields {
            parent_id: self.parent_id,
            name: name.unwrap_or_default(),
            slug: slug.unwrap_or_default(),
            description: description.unwrap_or_default(),
            position: position.unwrap_or_default(),
        })
    }
}

impl UpdateCategory {
    /// Applies the change to `current`, validating what was sent.
    pub fn parse_onto(self, current: &CategoryView) -> Result<CategoryFields, crate::error::AppError> {
        let mut f = super::Fields::default();
        let name = match self.name.as_deref() {
            Some(raw) => f.check("name", category_name(raw)),
            None => Some(current.name.clone()),
        };
        let slug = match self.slug.as_deref() {
            Some(raw) => f.check("slug", parse_slug(raw)),
            None => Some(current.slug.clone()),
        };
        let description = match self.description.as_deref() {
            Some(raw) => f.check("description", description(raw)),
            None => Some(current.description.clone()),
        };
        let position = f.check("position", position(self.position.unwrap_or(current.position)));
        if self.parent_id == Some(Some(current.id)) {
            f.check::<()>("parent_id", Err("can't be the category itself".into()));
        }
        f.finish(|| CategoryFields {
            parent_id: self.parent_id.unwrap_or(current.parent_id),
            name: name.unwrap_or_default(),
            slug: slug.unwrap_or_default(),
            description: description.unwrap_or_default(),
            position: position.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_made_and_checked() {
        assert_eq!(slugify("  Rain Jackets & Coats! "), "rain-jackets-coats");
        assert_eq!(slugify("Ünïcode"), "n-code");
        assert_eq!(slugify("日本"), "");
        assert!(parse_slug("rain-jackets").is_ok());
        for bad in ["Rain", "rain--jackets", "-rain", "rain_jackets", ""] {
            assert!(parse_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_category_reports_every_bad_field() {
        let err = CreateCategory {
            name: " ".into(),
            slug: Some("Bad Slug".into()),
            position: 5_000_000,
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert!(!err.field("name").is_empty());
        assert!(!err.field("slug").is_empty());
        assert!(!err.field("position").is_empty());
        let ok = CreateCategory {
            name: " Rain Jackets ".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!((ok.name.as_str(), ok.slug.as_str()), ("Rain Jackets", "rain-jackets"));
    }
}
