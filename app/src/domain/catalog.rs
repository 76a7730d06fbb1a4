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
