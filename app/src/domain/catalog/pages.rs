//! What the storefront's catalogue pages show, as one value per page.

use serde::{Deserialize, Serialize};

use super::{CategorySummary, CategoryView, ProductDetail, ProductView};
use crate::domain::Page;

/// The home page: featured products and the top-level categories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeContent {
    pub featured: Vec<ProductView>,
    pub categories: Vec<CategoryView>,
}

/// A category's page: the category with its subcategories, the way down to it from the top,
/// and a page of its (and its descendants') products.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryContent {
    pub category: CategoryView,
    /// Ancestors, top-level first (the category itself not included).
    pub trail: Vec<CategorySummary>,
    pub products: Page<ProductView>,
}

/// A product's page, or where an old address now leads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ProductContent {
    Found {
        product: Box<ProductDetail>,
        /// The product's category and its ancestors, top-level first.
        trail: Vec<CategorySummary>,
    },
    /// The slug changed: the product is now at this one.
    Moved(String),
}
