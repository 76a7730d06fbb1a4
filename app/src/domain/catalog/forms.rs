//! The product editor's forms as a browser posts them — every field a string, a checkbox there
//! or not — turned into the API's own inputs, so the screens are checked by the same rules.
//! Each form carries the version it was opened at and, as `base`, the values it showed: when a
//! save finds that someone else saved in between, [`changes`] names what they changed, and the
//! editor shows that beside what the user typed.

use serde::{Deserialize, Serialize};

use super::editing::{CreateProduct, CreateVariant, ReplaceProduct, UpdateVariant};
use super::transfer::{format_options, parse_options};
use super::{CategoryId, ProductDetail, ProductStatus, VariantView};
use crate::error::{AppError, FieldErrors};

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    let mut details = FieldErrors::new();
    details.insert(field.into(), vec![message.into()]);
    AppError::validation(details)
}

fn version(raw: &str) -> Result<Option<i32>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| invalid("version", "is not a version this page showed; reload the page")),
    }
}

/// The product's own fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub status: String,
    /// A category's id, or empty for none.
    #[serde(default)]
    pub category_id: String,
    /// Present when ticked.
    #[serde(default)]
    pub featured: Option<String>,
    #[serde(default)]
    pub seo_title: String,
    #[serde(default)]
    pub seo_description: String,
    /// The version the form was opened at (empty on a new product).
    #[serde(default)]
    pub version: String,
    /// The values the form was opened with, as JSON.
    #[serde(default)]
    pub base: String,
}

impl ProductForm {
    /// The form for a product as it is now.
    pub fn of(product: &ProductDetail) -> Self {
        let mut form = Self {
            name: product.name.clone(),
            slug: product.slug.clone(),
            description: product.description.clone(),
            status: product.status.as_str().into(),
            category_id: product
                .category
                .as_ref()
                .map(|c| c.id.0.to_string())
                .unwrap_or_default(),
            featured: product.featured.then(|| "on".to_owned()),
            seo_title: product.seo_title.clone(),
            seo_description: product.seo_description.clone(),
            version: product.version.to_string(),
            base: String::new(),
        };
        form.base = serde_json::to_string(&form).unwrap_or_default();
        form
    }

    fn status(&self) -> Result<Option<ProductStatus>, AppError> {
        match self.status.trim() {
            "" => Ok(None),
            raw => ProductStatus::parse(raw).map(Some).map_err(|m| invalid("status", m)),
        }
    }

    fn category(&self) -> Result<Option<CategoryId>, AppError> {
        match self.category_id.trim() {
            "" => Ok(None),
            raw => uuid::Uuid::parse_str(raw)
                .map(|id| Some(CategoryId(id)))
                .map_err(|_| invalid("category_id", "is not a category of this shop")),
        }
    }

    pub fn to_create(&self) -> Result<CreateProduct, AppError> {
        Ok(CreateProduct {
            name: self.name.clone(),
            slug: Some(self.slug.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
            description: self.description.clone(),
            status: self.status()?,
            category_id: self.category()?,
            featured: self.featured.is_some(),
            seo_title: self.seo_title.clone(),
            seo_description: self.seo_description.clone(),
            variants: Vec::new(),
        })
    }

    pub fn to_replace(&self) -> Result<ReplaceProduct, AppError> {
        Ok(ReplaceProduct {
            name: self.name.clone(),
            // Empty keeps the current slug.
            slug: Some(self.slug.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
            description: self.description.clone(),
            status: self.status()?.unwrap_or(ProductStatus::Draft),
            category_id: self.category()?,
            featured: self.featured.is_some(),
            seo_title: self.seo_title.clone(),
            seo_description: self.seo_description.clone(),
            version: version(&self.version)?,
        })
    }

    /// The values the form was opened with.
    pub fn opened_with(&self) -> Option<Self> {
        serde_json::from_str(&self.base).ok()
    }

    fn labelled(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Name", self.name.clone()),
            ("Slug", self.slug.clone()),
            ("Description", self.description.clone()),
            ("Status", self.status.clone()),
            ("Category", self.category_id.clone()),
            ("Featured", if self.featured.is_some() { "yes" } else { "no" }.into()),
            ("SEO title", self.seo_title.clone()),
            ("SEO description", self.seo_description.clone()),
        ]
    }
}

/// A variant's fields. Stock is changed by adjustments, except a new variant's first stock.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantForm {
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub name: String,
    /// `size=M; colour=Navy`.
    #[serde(default)]
    pub options: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub compare_at_price: String,
    /// A new variant's stock.
    #[serde(default)]
    pub stock: String,
    #[serde(default)]
    pub low_stock_threshold: String,
    #[serde(default)]
    pub position: String,
    /// Present when ticked.
    #[serde(default)]
    pub active: Option<String>,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub base: String,
}

fn whole(field: &str, raw: &str) -> Result<Option<i32>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| invalid(field, "must be a whole number")),
    }
}

impl VariantForm {
    /// The form for a variant as it is now.
    pub fn of(variant: &VariantView) -> Self {
        let options = serde_json::from_value(variant.options.clone()).unwrap_or_default();
        let mut form = Self {
            sku: variant.sku.clone(),
            name: variant.name.clone(),
            options: format_options(&options),
            price: variant.price.amount.to_string(),
            compare_at_price: variant
                .compare_at_price
                .as_ref()
                .map(|p| p.amount.to_string())
                .unwrap_or_default(),
            stock: variant.stock.unwrap_or_default().to_string(),
            low_stock_threshold: variant.low_stock_threshold.unwrap_or_default().to_string(),
            position: variant.position.to_string(),
            active: variant.active.then(|| "on".to_owned()),
            version: variant.version.to_string(),
            base: String::new(),
        };
        form.base = serde_json::to_string(&form).unwrap_or_default();
        form
    }

    fn options(&self) -> Result<std::collections::BTreeMap<String, String>, AppError> {
        parse_options(&self.options).map_err(|m| invalid("options", m))
    }

    pub fn to_create(&self) -> Result<CreateVariant, AppError> {
        Ok(CreateVariant {
            sku: self.sku.clone(),
            name: self.name.clone(),
            options: self.options()?,
            price: self.price.clone(),
            compare_at_price: Some(self.compare_at_price.trim())
                .filter(|p| !p.is_empty())
                .map(str::to_owned),
            stock: whole("stock", &self.stock)?.unwrap_or(0),
            active: Some(self.active.is_some()),
            low_stock_threshold: whole("low_stock_threshold", &self.low_stock_threshold)?,
            position: whole("position", &self.position)?.unwrap_or(0),
        })
    }

    pub fn to_update(&self) -> Result<UpdateVariant, AppError> {
        Ok(UpdateVariant {
            sku: Some(self.sku.clone()),
            name: Some(self.name.clone()),
            options: Some(self.options()?),
            price: Some(self.price.clone()),
            compare_at_price: Some(
                Some(self.compare_at_price.trim())
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            ),
            stock: None,
            active: Some(self.active.is_some()),
            low_stock_threshold: whole("low_stock_threshold", &self.low_stock_threshold)?,
            position: whole("position", &self.position)?,
            version: version(&self.version)?,
        })
    }

    pub fn opened_with(&self) -> Option<Self> {
        serde_json::from_str(&self.base).ok()
    }

    fn labelled(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SKU", self.sku.clone()),
            ("Name", self.name.clone()),
            ("Options", self.options.clone()),
            ("Price", self.price.clone()),
            ("Compare-at price", self.compare_at_price.clone()),
            ("Low-stock threshold", self.low_stock_threshold.clone()),
            ("Position", self.position.clone()),
            ("Active", if self.active.is_some() { "yes" } else { "no" }.into()),
        ]
    }
}

/// A field someone else changed while the form was open: what it was then, what it is now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub label: String,
    pub before: String,
    pub now: String,
}

/// The fields that differ between what a form was opened with and what is saved now.
fn diff(before: Vec<(&'static str, String)>, now: Vec<(&'static str, String)>) -> Vec<FieldChange> {
    before
        .into_iter()
        .zip(now)
        .filter(|((_, b), (_, n))| b.trim() != n.trim())
        .map(|((label, before), (_, now))| FieldChange {
            label: label.into(),
            before,
            now,
        })
        .collect()
}

/// What someone else changed in a product since `typed`'s form was opened.
pub fn product_changes(typed: &ProductForm, now: &ProductForm) -> Vec<FieldChange> {
    typed
        .opened_with()
        .map(|before| diff(before.labelled(), now.labelled()))
        .unwrap_or_default()
}

/// What someone else changed in a variant since `typed`'s form was opened.
pub fn variant_changes(typed: &VariantForm, now: &VariantForm) -> Vec<FieldChange> {
    typed
        .opened_with()
        .map(|before| diff(before.labelled(), now.labelled()))
        .unwrap_or_default()
}

/// A form that could not be saved, kept to show once: what was typed, why it failed, and — for a
/// stale save — what changed meanwhile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft<F> {
    pub form: F,
    pub error: AppError,
    #[serde(default)]
    pub changes: Vec<FieldChange>,
}

/// The session key of the editor's [`EditorState`]: a product's, or the new-product form's.
pub fn editor_key(product: Option<uuid::Uuid>) -> String {
    match product {
        Some(id) => format!("editor:{id}"),
        None => "editor:new".into(),
    }
}

/// What the product editor shows once after a save: a notice, or the drafts that failed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EditorState {
    pub notice: Option<String>,
    pub product: Option<Draft<ProductForm>>,
    /// A variant's draft and its id (`None`: the new-variant form).
    pub variant: Option<(Option<uuid::Uuid>, Draft<VariantForm>)>,
    /// A failed stock adjustment: the variant, and the error.
    pub stock: Option<(uuid::Uuid, AppError)>,
    /// A failed image change (alt text, order, removal, upload).
    pub images: Option<AppError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_form_names_what_the_other_save_changed() {
        let opened = VariantForm {
            sku: "A-1".into(),
            price: "19.99".into(),
            active: Some("on".into()),
            ..Default::default()
        };
        let mut typed = opened.clone();
        typed.base = serde_json::to_string(&opened).unwrap();
        typed.price = "18.00".into();
        let mut now = opened.clone();
        now.price = "17.50".into();
        let changes = variant_changes(&typed, &now);
        assert_eq!(
            changes,
            vec![FieldChange {
                label: "Price".into(),
                before: "19.99".into(),
                now: "17.50".into()
            }]
        );
    }

    #[test]
    fn forms_become_the_apis_inputs() {
        let form = VariantForm {
            sku: "A-1".into(),
            options: "size=M".into(),
            price: "10".into(),
            stock: "x".into(),
            ..Default::default()
        };
        assert!(!form.to_create().unwrap_err().field("stock").is_empty());
        let update = VariantForm {
            stock: String::new(),
            version: "3".into(),
            ..form
        }
        .to_update()
        .unwrap();
        assert_eq!(
            (update.version, update.active, update.stock),
            (Some(3), Some(false), None)
        );
        let product = ProductForm {
            name: "Tee".into(),
            status: "bogus".into(),
            ..Default::default()
        };
        assert!(!product.to_create().unwrap_err().field("status").is_empty());
    }
}
