//! What staff send to create and change products and variants, and how it is validated: every
//! field checked, every error named by its field (`variants[1].price` for a nested one).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{CategoryId, ProductStatus, description, parse_slug, present, slugify};
use crate::domain::Fields;
use crate::error::AppError;

/// The longest product name, SEO title and SEO description.
const MAX_NAME: usize = 200;
const MAX_SEO_TITLE: usize = 200;
const MAX_SEO_DESCRIPTION: usize = 500;
/// The largest price the price columns hold.
const MAX_PRICE: &str = "9999999999.99";
/// At most this many option values (size, colour, …) per variant.
const MAX_OPTIONS: usize = 10;
/// At most this many variants in one `POST /products`.
const MAX_VARIANTS: usize = 100;

/// `POST /products`: a product, optionally with its first variants. A product is listed once it
/// is `active` and has an active variant.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreateProduct {
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
    /// `draft` when absent.
    #[serde(default)]
    pub status: Option<ProductStatus>,
    #[serde(default)]
    pub category_id: Option<CategoryId>,
    #[serde(default)]
    pub featured: bool,
    /// The page title search engines show; the name when empty.
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub seo_title: String,
    /// The meta description; the start of the description when empty.
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 500, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub seo_description: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 100))]
    pub variants: Vec<CreateVariant>,
}

/// `PUT /products/{id}`: the product's fields replaced as a whole (its variants are changed at
/// their own endpoints). `name` and `status` are required; other fields left out take their
/// defaults, except the slug, which stays.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReplaceProduct {
    #[cfg_attr(
        feature = "ssr",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 100, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub slug: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 5000))]
    pub description: String,
    pub status: ProductStatus,
    #[serde(default)]
    pub category_id: Option<CategoryId>,
    #[serde(default)]
    pub featured: bool,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub seo_title: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 500, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub seo_description: String,
    /// The version last seen (or send `If-Match`); a stale one is a 409 and nothing changes.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 2147483647))]
    pub version: Option<i32>,
}

/// `PATCH /products/{id}`: fields left out are unchanged; `category_id: null` removes the
/// category.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateProduct {
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
    pub status: Option<ProductStatus>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<CategoryId>))]
    pub category_id: Option<Option<CategoryId>>,
    pub featured: Option<bool>,
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub seo_title: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 500, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub seo_description: Option<String>,
    /// The version last seen (or send `If-Match`); a stale one is a 409 and nothing changes.
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 2147483647))]
    pub version: Option<i32>,
}

/// A product's own fields after validation, to insert or to write over the stored ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductFields {
    pub category_id: Option<CategoryId>,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub status: ProductStatus,
    pub featured: bool,
    pub seo_title: String,
    pub seo_description: String,
}

/// A new product and its first variants, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct NewProduct {
    pub product: ProductFields,
    pub variants: Vec<VariantFields>,
}

fn product_name(raw: &str) -> Result<String, String> {
    required_line(raw, MAX_NAME)
}

/// A required one-line text (a name): as [`one_line`], and not empty.
pub(crate) fn required_line(raw: &str, max: usize) -> Result<String, String> {
    let text = one_line(raw, max)?;
    if text.is_empty() {
        Err("is required".into())
    } else {
        Ok(text)
    }
}

pub(crate) fn one_line(raw: &str, max: usize) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else if text.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else {
        Ok(text.to_owned())
    }
}

fn slug_or_from_name(f: &mut Fields, slug: Option<&str>, name: &str) -> Option<String> {
    match slug {
        Some(raw) => f.check("slug", parse_slug(raw)),
        None => f.check(
            "slug",
            parse_slug(&slugify(name))
                .map_err(|_| "is required when the name has no letters or digits to make one from".to_owned()),
        ),
    }
}

impl CreateProduct {
    pub fn parse(self) -> Result<NewProduct, AppError> {
        let mut f = Fields::default();
        let name = f.check("name", product_name(&self.name));
        let slug = slug_or_from_name(&mut f, self.slug.as_deref(), &self.name);
        let description = f.check("description", description(&self.description));
        let seo_title = f.check("seo_title", one_line(&self.seo_title, MAX_SEO_TITLE));
        let seo_description = f.check("seo_description", one_line(&self.seo_description, MAX_SEO_DESCRIPTION));
        if self.variants.len() > MAX_VARIANTS {
            f.check::<()>("variants", Err(format!("must be at most {MAX_VARIANTS}")));
        }
        let mut variants = Vec::new();
        let mut skus = std::collections::HashSet::new();
        for (index, variant) in self.variants.into_iter().enumerate() {
            let prefix = format!("variants[{index}].");
            if !skus.insert(variant.sku.trim().to_lowercase()) {
                f.check::<()>(&format!("{prefix}sku"), Err("is given twice".into()));
            }
            if let Some(v) = variant.check(&mut f, &prefix) {
                variants.push(v);
            }
        }
        f.finish(|| NewProduct {
            product: ProductFields {
                category_id: self.category_id,
                name: name.unwrap_or_default(),
                slug: slug.unwrap_or_default(),
                description: description.unwrap_or_default(),
                status: self.status.unwrap_or(ProductStatus::Draft),
                featured: self.featured,
                seo_title: seo_title.unwrap_or_default(),
                seo_description: seo_description.unwrap_or_default(),
            },
            variants,
        })
    }
}

impl ReplaceProduct {
    /// The replacement for a product whose slug is now `current_slug`.
    pub fn parse(self, current_slug: &str) -> Result<ProductFields, AppError> {
        let mut f = Fields::default();
        let name = f.check("name", product_name(&self.name));
        let slug = match self.slug.as_deref() {
            Some(raw) => f.check("slug", parse_slug(raw)),
            None => Some(current_slug.to_owned()),
        };
        let description = f.check("description", description(&self.description));
        let seo_title = f.check("seo_title", one_line(&self.seo_title, MAX_SEO_TITLE));
        let seo_description = f.check("seo_description", one_line(&self.seo_description, MAX_SEO_DESCRIPTION));
        f.finish(|| ProductFields {
            category_id: self.category_id,
            name: name.unwrap_or_default(),
            slug: slug.unwrap_or_default(),
            description: description.unwrap_or_default(),
            status: self.status,
            featured: self.featured,
            seo_title: seo_title.unwrap_or_default(),
            seo_description: seo_description.unwrap_or_default(),
        })
    }
}

impl UpdateProduct {
    /// Applies the change to `current`, validating what was sent.
    pub fn parse_onto(self, current: &ProductFields) -> Result<ProductFields, AppError> {
        let mut f = Fields::default();
        let mut field =
            |name: &str, sent: Option<String>, check: &dyn Fn(&str) -> Result<String, String>, now: &str| match sent {
                Some(raw) => f.check(name, check(&raw)),
                None => Some(now.to_owned()),
            };
        let name = field("name", self.name, &product_name, &current.name);
        let slug = field("slug", self.slug, &parse_slug, &current.slug);
        let description = field("description", self.description, &description, &current.description);
        let seo_title = field(
            "seo_title",
            self.seo_title,
            &|raw| one_line(raw, MAX_SEO_TITLE),
            &current.seo_title,
        );
        let seo_description = field(
            "seo_description",
            self.seo_description,
            &|raw| one_line(raw, MAX_SEO_DESCRIPTION),
            &current.seo_description,
        );
        f.finish(|| ProductFields {
            category_id: self.category_id.unwrap_or(current.category_id),
            name: name.unwrap_or_default(),
            slug: slug.unwrap_or_default(),
            description: description.unwrap_or_default(),
            status: self.status.unwrap_or(current.status),
            featured: self.featured.unwrap_or(current.featured),
            seo_title: seo_title.unwrap_or_default(),
            seo_description: seo_description.unwrap_or_default(),
        })
    }
}

/// `POST /products/{id}/variants` (and each of `POST /products`' `variants`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreateVariant {
    /// Letters, digits, `.`, `_` and `-`, up to 64, starting with a letter or digit; unique in
    /// the shop regardless of case.
    #[cfg_attr(feature = "ssr", schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))]
    pub sku: String,
    /// A label such as "M / Navy"; made from the option values when absent.
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub name: String,
    /// Option values such as `{"size": "M", "colour": "Navy"}` (at most 10).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// A decimal string in the store currency, e.g. `"19.99"`.
    #[cfg_attr(feature = "ssr", schema(example = "19.99", pattern = r"^\d{1,10}(\.\d{1,2})?$"))]
    pub price: String,
    /// The "was" price shown struck through; absent or null when not on offer.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(example = "24.99", pattern = r"^\d{1,10}(\.\d{1,2})?$"))]
    pub compare_at_price: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 1000000000))]
    pub stock: i32,
    /// Switched-off variants can't be bought and are shown to staff only. Default true.
    #[serde(default)]
    pub active: Option<bool>,
    /// "Only a few left" at or below this stock. Default 5.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 1000000000))]
    pub low_stock_threshold: Option<i32>,
    /// Order on the product's page, ascending.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = -1000000, maximum = 1000000))]
    pub position: i32,
}

/// `PATCH /products/{id}/variants/{variant_id}`: fields left out are unchanged;
/// `compare_at_price: null` takes the variant off offer. Stock is not part of the version check:
/// a sale in between does not make the edit stale.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpdateVariant {
    #[cfg_attr(feature = "ssr", schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))]
    pub sku: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub name: Option<String>,
    pub options: Option<BTreeMap<String, String>>,
    #[cfg_attr(feature = "ssr", schema(example = "19.99", pattern = r"^\d{1,10}(\.\d{1,2})?$"))]
    pub price: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(
        feature = "ssr",
        schema(value_type = Option<String>, example = "24.99", pattern = r"^\d{1,10}(\.\d{1,2})?$")
    )]
    pub compare_at_price: Option<Option<String>>,
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 1000000000))]
    pub stock: Option<i32>,
    pub active: Option<bool>,
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 1000000000))]
    pub low_stock_threshold: Option<i32>,
    #[cfg_attr(feature = "ssr", schema(minimum = -1000000, maximum = 1000000))]
    pub position: Option<i32>,
    /// The variant's version last seen (or send `If-Match`); stale → 409, nothing changes.
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 2147483647))]
    pub version: Option<i32>,
}

/// A variant's fields after validation. Prices are amounts in the store currency.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantFields {
    pub sku: String,
    pub name: String,
    pub options: BTreeMap<String, String>,
    pub price: Decimal,
    pub compare_at_price: Option<Decimal>,
    pub stock: i32,
    pub active: bool,
    pub low_stock_threshold: i32,
    pub position: i32,
}

/// A price as sent: a decimal string, at most two decimals, from 0 to the column's maximum.
pub fn parse_price(raw: &str) -> Result<Decimal, String> {
    let max: Decimal = MAX_PRICE.parse().expect("a decimal");
    let raw = raw.trim();
    // Digits and at most one point: no signs, exponents or separators.
    let plain = raw.chars().all(|c| c.is_ascii_digit() || c == '.') && raw.matches('.').count() <= 1;
    let value: Decimal = raw
        .parse()
        .ok()
        .filter(|_| plain)
        .ok_or_else(|| "must be a decimal amount such as \"19.99\"".to_owned())?;
    if value.is_sign_negative() || value > max {
        Err(format!("must be between 0 and {MAX_PRICE}"))
    } else if value.normalize().scale() > 2 {
        Err("must have at most two decimals".into())
    } else {
        Ok(value.round_dp(2))
    }
}

fn sku(raw: &str) -> Result<String, String> {
    let sku = raw.trim();
    let mut bytes = sku.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric());
    if first_ok && sku.len() <= 64 && bytes.all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
        Ok(sku.to_owned())
    } else {
        Err("must be 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit".into())
    }
}

fn options(raw: BTreeMap<String, String>) -> Result<BTreeMap<String, String>, String> {
    if raw.len() > MAX_OPTIONS {
        return Err(format!("must have at most {MAX_OPTIONS} options"));
    }
    let mut clean = BTreeMap::new();
    for (name, value) in raw {
        let (name, value) = (name.trim().to_lowercase(), value.trim().to_owned());
        let ok = |s: &str, max: usize| !s.is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control);
        if !ok(&name, 40) || !ok(&value, 100) {
            return Err(
                "option names must be 1 to 40 characters and values 1 to 100, without control characters".into(),
            );
        }
        clean.insert(name, value);
    }
    Ok(clean)
}

fn count(value: i32, what: &str) -> Result<i32, String> {
    if (0..=1_000_000_000).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{what} must be between 0 and 1000000000"))
    }
}

fn variant_position(value: i32) -> Result<i32, String> {
    super::position(value)
}

/// The label made from option values: `"M / Navy"`.
fn label(options: &BTreeMap<String, String>) -> String {
    options.values().cloned().collect::<Vec<_>>().join(" / ")
}

fn compare_at(raw: Option<&str>, price: Option<Decimal>) -> Result<Option<Decimal>, String> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let value = parse_price(raw)?;
    if price.is_some_and(|p| value <= p) {
        Err("must be above the price (it is the price before the offer)".into())
    } else {
        Ok(Some(value))
    }
}

impl CreateVariant {
    pub fn parse(self) -> Result<VariantFields, AppError> {
        let mut f = Fields::default();
        let variant = self.check(&mut f, "");
        f.finish(|| variant.expect("no field errors means every field parsed"))
    }

    /// Checks every field, recording errors under `prefix` + the field's name.
    fn check(self, f: &mut Fields, prefix: &str) -> Option<VariantFields> {
        let at = |name: &str| format!("{prefix}{name}");
        let sku = f.check(&at("sku"), sku(&self.sku));
        let options = f.check(&at("options"), options(self.options));
        let name = f.check(&at("name"), one_line(&self.name, MAX_NAME));
        let price = f.check(&at("price"), parse_price(&self.price));
        let compare_at_price = f.check(
            &at("compare_at_price"),
            compare_at(self.compare_at_price.as_deref(), price),
        );
        let stock = f.check(&at("stock"), count(self.stock, "stock"));
        let low_stock_threshold = f.check(
            &at("low_stock_threshold"),
            count(self.low_stock_threshold.unwrap_or(5), "the threshold"),
        );
        let position = f.check(&at("position"), variant_position(self.position));
        let options = options?;
        let name = name.filter(|n| !n.is_empty()).unwrap_or_else(|| label(&options));
        Some(VariantFields {
            sku: sku?,
            name,
            options,
            price: price?,
            compare_at_price: compare_at_price?,
            stock: stock?,
            active: self.active.unwrap_or(true),
            low_stock_threshold: low_stock_threshold?,
            position: position?,
        })
    }
}

impl UpdateVariant {
    /// Applies the change to `current`, validating what was sent.
    pub fn parse_onto(self, current: &VariantFields) -> Result<VariantFields, AppError> {
        let mut f = Fields::default();
        let sku = self
            .sku
            .as_deref()
            .map_or(Some(current.sku.clone()), |raw| f.check("sku", sku(raw)));
        let options = match self.options {
            Some(raw) => f.check("options", options(raw)),
            None => Some(current.options.clone()),
        };
        let name = self.name.as_deref().map_or(Some(current.name.clone()), |raw| {
            f.check("name", one_line(raw, MAX_NAME))
        });
        let price = self
            .price
            .as_deref()
            .map_or(Some(current.price), |raw| f.check("price", parse_price(raw)));
        let compare_at_price = match &self.compare_at_price {
            Some(raw) => f.check("compare_at_price", compare_at(raw.as_deref(), price)),
            // An unchanged offer price must still sit above a changed price.
            None => f.check(
                "price",
                match (current.compare_at_price, price) {
                    (Some(was), Some(now)) if was <= now => {
                        Err("must be below the compare-at price (change or clear it too)".to_owned())
                    }
                    _ => Ok(current.compare_at_price),
                },
            ),
        };
        let stock = f.check("stock", count(self.stock.unwrap_or(current.stock), "stock"));
        let low_stock_threshold = f.check(
            "low_stock_threshold",
            count(
                self.low_stock_threshold.unwrap_or(current.low_stock_threshold),
                "the threshold",
            ),
        );
        let position = f.check("position", variant_position(self.position.unwrap_or(current.position)));
        f.finish(|| {
            let options = options.unwrap_or_default();
            let name = name.filter(|n| !n.is_empty()).unwrap_or_else(|| label(&options));
            VariantFields {
                sku: sku.unwrap_or_default(),
                name,
                options,
                price: price.unwrap_or_default(),
                compare_at_price: compare_at_price.flatten(),
                stock: stock.unwrap_or_default(),
                active: self.active.unwrap_or(current.active),
                low_stock_threshold: low_stock_threshold.unwrap_or_default(),
                position: position.unwrap_or_default(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_exact_decimals_with_two_places_at_most() {
        assert_eq!(parse_price(" 19.99 ").unwrap().to_string(), "19.99");
        assert_eq!(parse_price("20").unwrap(), Decimal::from(20));
        assert_eq!(parse_price("0.50").unwrap().to_string(), "0.50");
        for bad in ["-1", "abc", "1.999", "99999999999", "", "1e3"] {
            assert!(parse_price(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_product_names_each_bad_field_and_nested_variant() {
        let err = CreateProduct {
            name: " ".into(),
            slug: Some("Bad Slug".into()),
            seo_title: "x".repeat(201),
            variants: vec![
                CreateVariant {
                    sku: "OK-1".into(),
                    price: "10".into(),
                    ..Default::default()
                },
                CreateVariant {
                    sku: "ok-1".into(),
                    price: "ten".into(),
                    compare_at_price: Some("5".into()),
                    stock: -1,
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        for field in [
            "name",
            "slug",
            "seo_title",
            "variants[1].sku",
            "variants[1].price",
            "variants[1].stock",
        ] {
            assert!(!err.field(field).is_empty(), "{field}: {err:?}");
        }
        assert!(err.field("variants[0].sku").is_empty());
    }

    #[test]
    fn a_variant_is_named_by_its_options_and_offers_sit_above_the_price() {
        let v = CreateVariant {
            sku: "TEE-M-NVY".into(),
            options: BTreeMap::from([("Size".into(), " M ".into()), ("colour".into(), "Navy".into())]),
            price: "19.99".into(),
            compare_at_price: Some("24.99".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(v.name, "Navy / M");
        assert_eq!(v.options["size"], "M");
        assert!((v.active, v.low_stock_threshold) == (true, 5));
        let err = UpdateVariant {
            price: Some("30".into()),
            ..Default::default()
        }
        .parse_onto(&v)
        .unwrap_err();
        assert!(!err.field("price").is_empty());
        let cleared = UpdateVariant {
            price: Some("30".into()),
            compare_at_price: Some(None),
            ..Default::default()
        }
        .parse_onto(&v)
        .unwrap();
        assert_eq!((cleared.price, cleared.compare_at_price), (Decimal::from(30), None));
    }
}
