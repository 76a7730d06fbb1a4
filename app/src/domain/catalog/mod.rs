//! The catalogue as clients see it: identifiers, the product views shown in lists and on a
//! product's page, the list's parameters, and the category tree. What staff send to change it is
//! in [`editing`]; reviews in [`reviews`].

pub mod editing;
pub mod forms;
pub mod images;
pub mod pages;
pub mod reviews;
pub mod stock;
pub mod transfer;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::money::Money;
use super::present;

/// Identifies a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(transparent))]
#[serde(transparent)]
pub struct ProductId(pub Uuid);

/// Identifies a category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
    /// Average of the approved reviews' ratings (1–5, two decimals), when there are any.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, example = "4.50"))]
    #[serde(with = "rust_decimal::serde::str_option")]
    pub rating_average: Option<rust_decimal::Decimal>,
    /// How many approved reviews the product has.
    pub rating_count: i32,
    /// The product's picture: its first ready image, when it has one.
    pub image: Option<images::ImageView>,
}

/// One variant of a product as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VariantView {
    pub id: uuid::Uuid,
    pub sku: String,
    pub name: String,
    /// Option values such as `{"size": "M", "colour": "navy"}`.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub options: serde_json::Value,
    pub price: Money,
    /// The "was" price, when the variant is on offer.
    pub compare_at_price: Option<Money>,
    pub in_stock: bool,
    /// At or below the variant's low-stock threshold (but not sold out).
    pub low_stock: bool,
    /// Switched-off variants are shown to staff only.
    pub active: bool,
    /// Units in stock: shown to staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<i32>,
    /// The low-stock threshold: shown to staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock_threshold: Option<i32>,
    /// Order on the product's page, ascending.
    pub position: i32,
    /// For optimistic locking: send it back as `version` or `If-Match` when changing the variant.
    /// Sales moving the stock don't change it.
    pub version: i32,
}

/// A product's page: the product, its category and its variants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductDetail {
    pub id: ProductId,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub status: ProductStatus,
    pub featured: bool,
    /// The page title search engines show (the name when empty).
    pub seo_title: String,
    /// The meta description (the start of the description when empty).
    pub seo_description: String,
    pub category: Option<CategorySummary>,
    /// The cheapest active variant's price; absent when no variant is active.
    pub price: Option<Money>,
    pub in_stock: bool,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, example = "4.50"))]
    #[serde(with = "rust_decimal::serde::str_option")]
    pub rating_average: Option<rust_decimal::Decimal>,
    pub rating_count: i32,
    pub variants: Vec<VariantView>,
    /// The gallery, in order: ready images for shoppers, every image (with its status) for staff.
    pub images: Vec<images::ImageView>,
    /// The product's own version (its fields; variants have theirs).
    pub version: i32,
}

/// A category as a product names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategorySummary {
    pub id: CategoryId,
    pub name: String,
    pub slug: String,
}

/// A product named by its id or its slug.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProductRef {
    Id(ProductId),
    Slug(String),
}

impl ProductRef {
    /// A UUID is an id, anything else a slug.
    pub fn parse(raw: &str) -> Self {
        match uuid::Uuid::parse_str(raw.trim()) {
            Ok(id) => Self::Id(ProductId(id)),
            Err(_) => Self::Slug(raw.trim().to_owned()),
        }
    }
}

/// How a product list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProductSort {
    /// Newest first (the default).
    #[default]
    Newest,
    /// Cheapest first, by the cheapest active variant.
    PriceAsc,
    /// Dearest first, by the cheapest active variant.
    PriceDesc,
    /// By name, A to Z.
    Name,
    /// Best rated first; unrated last.
    Rating,
}

impl ProductSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::PriceAsc => "price_asc",
            Self::PriceDesc => "price_desc",
            Self::Name => "name",
            Self::Rating => "rating",
        }
    }

    fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "newest" => Ok(Self::Newest),
            "price_asc" => Ok(Self::PriceAsc),
            "price_desc" => Ok(Self::PriceDesc),
            "name" => Ok(Self::Name),
            "rating" => Ok(Self::Rating),
            _ => Err("must be one of newest, price_asc, price_desc, name, rating".into()),
        }
    }
}

/// A product's publication state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "product_status", rename_all = "lowercase"))]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Draft,
    #[default]
    Active,
    Archived,
}

impl ProductStatus {
    /// `draft`, `active` or `archived`, as the API and files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "draft" => Ok(Self::Draft),
            "active" => Ok(Self::Active),
            "archived" => Ok(Self::Archived),
            _ => Err("must be one of draft, active, archived".into()),
        }
    }
}

/// A category named by its id or its slug.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CategoryRef {
    Id(CategoryId),
    Slug(String),
}

/// The product list's parameters as sent (`GET /products`, and the storefront's lists). Search
/// reuses the names.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ProductQuery {
    pub category: Option<String>,
    pub min_price: Option<String>,
    pub max_price: Option<String>,
    pub in_stock: Option<String>,
    pub min_rating: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub sort: Option<String>,
    /// `true`: featured products only.
    #[serde(default)]
    pub featured: Option<String>,
}

/// A product list request that passed validation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProductFilter {
    pub category: Option<CategoryRef>,
    pub min_price: Option<rust_decimal::Decimal>,
    pub max_price: Option<rust_decimal::Decimal>,
    pub in_stock: Option<bool>,
    pub min_rating: Option<rust_decimal::Decimal>,
    /// Part of a name or SKU, trimmed.
    pub q: Option<String>,
    pub status: ProductStatus,
    pub sort: ProductSort,
    pub featured: Option<bool>,
}

/// The largest amount a price filter takes (the column's range).
const MAX_PRICE: i64 = 9_999_999_999;

fn price_filter(raw: &str) -> Result<rust_decimal::Decimal, String> {
    let value: rust_decimal::Decimal = raw
        .trim()
        .parse()
        .map_err(|_| "must be a decimal amount such as 19.99".to_owned())?;
    if value.is_sign_negative() || value > rust_decimal::Decimal::from(MAX_PRICE) {
        Err(format!("must be between 0 and {MAX_PRICE}"))
    } else {
        Ok(value)
    }
}

impl ProductQuery {
    /// Validates every parameter; unknown values are 422s naming the parameter.
    pub fn parse(self) -> Result<ProductFilter, crate::error::AppError> {
        let mut f = super::Fields::default();
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let category = text(&self.category).and_then(|raw| match uuid::Uuid::parse_str(&raw) {
            Ok(id) => Some(CategoryRef::Id(CategoryId(id))),
            Err(_) => f.check(
                "category",
                parse_slug(&raw)
                    .map(CategoryRef::Slug)
                    .map_err(|_| "must be a category id or slug".to_owned()),
            ),
        });
        let min_price = text(&self.min_price).and_then(|raw| f.check("min_price", price_filter(&raw)));
        let max_price = text(&self.max_price).and_then(|raw| f.check("max_price", price_filter(&raw)));
        if let (Some(min), Some(max)) = (min_price, max_price)
            && min > max
        {
            f.check::<()>("max_price", Err("must not be below min_price".into()));
        }
        let flag = |raw: String| match raw.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("must be true or false".to_owned()),
        };
        let in_stock = text(&self.in_stock).and_then(|raw| f.check("in_stock", flag(raw)));
        let featured = text(&self.featured).and_then(|raw| f.check("featured", flag(raw)));
        let min_rating = text(&self.min_rating).and_then(|raw| {
            f.check(
                "min_rating",
                raw.parse::<rust_decimal::Decimal>()
                    .ok()
                    .filter(|r| *r >= rust_decimal::Decimal::ONE && *r <= rust_decimal::Decimal::from(5))
                    .ok_or_else(|| "must be a number from 1 to 5".to_owned()),
            )
        });
        let q = text(&self.q).and_then(|raw| {
            f.check(
                "q",
                if raw.chars().count() > 200 || raw.chars().any(char::is_control) {
                    Err("must be at most 200 characters, without control characters".to_owned())
                } else {
                    Ok(raw)
                },
            )
        });
        let status = text(&self.status).map_or(Some(ProductStatus::Active), |raw| {
            f.check("status", ProductStatus::parse(&raw))
        });
        let sort = text(&self.sort).map_or(Some(ProductSort::Newest), |raw| {
            f.check("sort", ProductSort::parse(&raw))
        });
        f.finish(|| ProductFilter {
            category,
            min_price,
            max_price,
            in_stock,
            min_rating,
            q,
            status: status.unwrap_or_default(),
            sort: sort.unwrap_or_default(),
            featured,
        })
    }
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

fn category_name(raw: &str) -> Result<String, String> {
    editing::required_line(raw, MAX_CATEGORY_NAME)
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
    fn product_queries_name_each_bad_parameter() {
        let err = ProductQuery {
            min_price: Some("-1".into()),
            max_price: Some("cheap".into()),
            in_stock: Some("yes".into()),
            min_rating: Some("6".into()),
            status: Some("hidden".into()),
            sort: Some("random".into()),
            category: Some("Not A Slug".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        for field in [
            "min_price",
            "max_price",
            "in_stock",
            "min_rating",
            "status",
            "sort",
            "category",
        ] {
            assert!(!err.field(field).is_empty(), "{field}: {err:?}");
        }
        let err = ProductQuery {
            min_price: Some("20".into()),
            max_price: Some("10".into()),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(err.field("max_price"), ["must not be below min_price"]);
        let ok = ProductQuery {
            category: Some("rain-jackets".into()),
            q: Some("  tote ".into()),
            sort: Some("price_desc".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(ok.category, Some(CategoryRef::Slug("rain-jackets".into())));
        assert_eq!(
            (ok.q.as_deref(), ok.sort, ok.status),
            (Some("tote"), ProductSort::PriceDesc, ProductStatus::Active)
        );
    }

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
