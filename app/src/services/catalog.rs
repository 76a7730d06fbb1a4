//! Catalogue rules: what the storefront lists, the category tree, and how a demo catalogue is
//! seeded.

use rust_decimal::Decimal;

use super::ServiceError;
use super::identity::Actor;
use crate::domain::catalog::{
    CategoryFields, CategoryRef, CategorySummary, CategoryView, CreateCategory, ProductDetail, ProductQuery,
    ProductRef, ProductStatus, UpdateCategory, VariantView,
};
use crate::domain::identity::Permission;
use crate::domain::{CategoryId, Currency, Money, Page, PageRequest, ProductView};
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::repositories;
use crate::repositories::catalog::{self as repo, NewProduct, NewVariant};
use crate::state::AppState;

/// A product list: purchasable products (at least one active variant) filtered and sorted as
/// `query` asks. Shoppers and anonymous clients see `active` products only; asking for another
/// status needs `products:write` (403 otherwise). An unknown category is a 422 on `category`.
pub async fn list_products(
    state: &AppState,
    actor: Option<&Actor>,
    query: ProductQuery,
    page: PageRequest,
) -> Result<Page<ProductView>, ServiceError> {
    let filter = query.parse()?;
    if filter.status != ProductStatus::Active {
        match actor {
            Some(actor) => actor.require(Permission::ProductsWrite)?,
            None => {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    "Only staff with `products:write` may list products that are not active.",
                )
                .into());
            }
        }
    }
    let category = match &filter.category {
        None => None,
        Some(CategoryRef::Id(id)) => repo::find_category(&state.db, *id).await?.map(|c| c.id),
        Some(CategoryRef::Slug(slug)) => repo::find_category_by_slug(&state.db, slug).await?,
    };
    if filter.category.is_some() && category.is_none() {
        let mut details = FieldErrors::new();
        details.insert("category".into(), vec!["is not an existing category".into()]);
        return Err(AppError::validation(details).into());
    }
    let rows = repo::list_products(&state.db, &filter, category, page.limit(), page.offset()).await?;
    // The total rides on every row; a page past the end has none, so ask for the first row.
    let total = match rows.first() {
        Some(row) => row.total,
        None if page.offset() > 0 => repo::list_products(&state.db, &filter, category, 1, 0)
            .await?
            .first()
            .map_or(0, |row| row.total),
        None => 0,
    };
    let items = rows
        .into_iter()
        .map(|row| {
            let currency = Currency::parse(row.currency.trim()).map_err(ServiceError::Unexpected)?;
            Ok(ProductView {
                id: row.id,
                name: row.name,
                slug: row.slug,
                description: row.description,
                price: Money::new(row.min_price, currency),
                in_stock: row.in_stock,
                category: row.category,
                rating_average: row.rating_average,
                rating_count: row.rating_count,
            })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    Ok(Page::new(items, page, u64::try_from(total).unwrap_or(0)))
}

/// A price as the shop stores it: every price is in `STORE_CURRENCY`, so a listing can never show
/// one variant's amount with another's currency. Anything else is refused where it is written.
pub fn store_price(state: &AppState, price: Money) -> Result<Money, ServiceError> {
    if price.currency == state.shop.currency {
        Ok(price)
    } else {
        let mut details = FieldErrors::new();
        details.insert(
            "price".into(),
            vec![format!(
                "must be in the store currency, {}",
                state.shop.currency.as_str()
            )],
        );
        Err(AppError::validation(details).into())
    }
}

/// What [`seed_demo_catalog`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded { products: usize },
    AlreadyHadProducts,
}

/// Demo products: (category, name, description, [(sku, variant, price in cents, stock)]).
type DemoProduct = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, i64, i32)],
);

const DEMO_PRODUCTS: &[DemoProduct] = &[
    (
        "Apparel",
        "Canvas Tote Bag",
        "A sturdy cotton tote for the market run.",
        &[("TOTE-NAT", "Natural", 1800, 40)],
    ),
    (
        "Apparel",
        "Merino Beanie",
        "Warm, soft and itch-free.",
        &[("BEANIE-GRY", "Grey", 2900, 15), ("BEANIE-NVY", "Navy", 2900, 0)],
    ),
    (
        "Apparel",
        "Linen Shirt",
        "Breathable linen for warm days.",
        &[
            ("LINEN-S", "S", 5900, 5),
            ("LINEN-M", "M", 5900, 8),
            ("LINEN-L", "L", 6100, 3),
        ],
    ),
    (
        "Kitchen",
        "Cast Iron Skillet",
        "Pre-seasoned 26 cm skillet that lasts a lifetime.",
        &[("SKILLET-26", "26 cm", 4500, 12)],
    ),
    (
        "Kitchen",
        "Pour-Over Coffee Set",
        "Ceramic dripper, glass carafe and 100 filters.",
        &[("POUROVER-SET", "Set", 3900, 7)],
    ),
    (
        "Kitchen",
        "Olive Wood Spoons",
        "Three hand-carved spoons.",
        &[("SPOONS-3", "Set of 3", 2450, 0)],
    ),
    (
        "Stationery",
        "Dot Grid Notebook",
        "A5, 160 pages of 100 gsm paper.",
        &[("NOTE-A5-DOT", "A5", 1650, 60)],
    ),
    (
        "Stationery",
        "Brass Fountain Pen",
        "Solid brass body, fine steel nib.",
        &[("PEN-BRASS-F", "Fine", 7400, 4)],
    ),
];

/// Fills an empty catalogue with a few categories and active products, in one transaction.
/// Does nothing when any product exists, so it is safe to run on every start.
pub async fn seed_demo_catalog(state: &AppState) -> Result<SeedOutcome, ServiceError> {
    let mut tx = state.db.begin().await?;
    if repo::any_product_exists(&mut *tx).await? {
        return Ok(SeedOutcome::AlreadyHadProducts);
    }
    let mut categories = std::collections::HashMap::new();
    for (index, (category, name, description, variants)) in DEMO_PRODUCTS.iter().enumerate() {
        let category_id = match categories.get(category) {
            Some(id) => *id,
            None => {
                let new = CategoryFields {
                    parent_id: None,
                    name: (*category).to_owned(),
                    slug: category.to_lowercase(),
                    description: String::new(),
                    position: 0,
                };
                let id = repo::create_category(&mut *tx, &new).await?.id;
                categories.insert(*category, id);
                id
            }
        };
        let slug = name.to_lowercase().replace(' ', "-");
        let product = NewProduct {
            category_id: Some(category_id),
            name,
            slug: &slug,
            description,
            status: ProductStatus::Active,
        };
        let product_id = repo::create_product(&mut *tx, &product).await?;
        for (sku, variant, cents, stock) in variants.iter() {
            let price = store_price(state, Money::new(Decimal::new(*cents, 2), state.shop.currency.clone()))?;
            let new = NewVariant {
                product_id,
                sku,
                name: variant,
                price: &price,
                stock: *stock,
            };
            repo::create_variant(&mut *tx, &new).await?;
        }
        tracing::debug!(event = "seed_product", index, name);
    }
    tx.commit().await?;
    Ok(SeedOutcome::Seeded {
        products: DEMO_PRODUCTS.len(),
    })
}

/// The whole category tree: top-level categories, each with its subcategories, in display order.
pub async fn list_categories(state: &AppState) -> Result<Vec<CategoryView>, ServiceError> {
    Ok(category_tree(repo::list_categories(&state.db).await?))
}

/// Nests a flat list (already in display order) under each parent.
fn category_tree(flat: Vec<CategoryView>) -> Vec<CategoryView> {
    let mut children: std::collections::HashMap<Option<CategoryId>, Vec<CategoryView>> =
        std::collections::HashMap::new();
    for category in flat {
        children.entry(category.parent_id).or_default().push(category);
    }
    fn attach(
        parent: Option<CategoryId>,
        children: &mut std::collections::HashMap<Option<CategoryId>, Vec<CategoryView>>,
    ) -> Vec<CategoryView> {
        let mut level = children.remove(&parent).unwrap_or_default();
        for category in &mut level {
            category.children = attach(Some(category.id), children);
        }
        level
    }
    attach(None, &mut children)
}

fn category_not_found() -> ServiceError {
    AppError::not_found("No such category.").into()
}

pub async fn get_category(state: &AppState, id: CategoryId) -> Result<CategoryView, ServiceError> {
    repo::find_category(&state.db, id).await?.ok_or_else(category_not_found)
}

/// Creates a category (`products:write`).
pub async fn create_category(
    state: &AppState,
    actor: &Actor,
    input: CreateCategory,
) -> Result<CategoryView, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let fields = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let created = repo::create_category(&mut *tx, &fields).await?;
    tx.commit().await?;
    Ok(created)
}

/// Changes a category (`products:write`): rename, re-slug, reorder, or move it under another
/// parent — never under itself or one of its own descendants. With a `version` (or `If-Match`),
/// a change made in between is a 409 and nothing is written.
pub async fn update_category(
    state: &AppState,
    actor: &Actor,
    id: CategoryId,
    if_match: Option<i32>,
    input: UpdateCategory,
) -> Result<CategoryView, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let expected = input.version.or(if_match);
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let current = repo::find_category(&mut *tx, id)
        .await?
        .ok_or_else(category_not_found)?;
    let fields = input.parse_onto(&current)?;
    if let Some(parent) = fields.parent_id.filter(|p| Some(*p) != current.parent_id) {
        repo::lock_category_tree(&mut *tx).await?;
        if repo::is_in_subtree(&mut *tx, id, parent).await? {
            let mut details = FieldErrors::new();
            details.insert(
                "parent_id".into(),
                vec!["is this category or one of its subcategories; a category can't be moved under itself".into()],
            );
            return Err(AppError::validation(details).into());
        }
    }
    let stale = || {
        ServiceError::from(AppError::new(
            ErrorCode::Conflict,
            "The category was changed by someone else; reload it and try again.",
        ))
    };
    if expected.is_some_and(|v| v != current.version) {
        return Err(stale());
    }
    let updated = repo::update_category(&mut *tx, id, current.version, &fields)
        .await?
        .ok_or_else(stale)?;
    tx.commit().await?;
    Ok(updated)
}

/// Deletes a category (`products:write`) that has no subcategories (409 otherwise); its
/// products stay, without a category.
pub async fn delete_category(state: &AppState, actor: &Actor, id: CategoryId) -> Result<(), ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let deleted = repo::delete_category(&mut *tx, id).await?;
    tx.commit().await?;
    if deleted { Ok(()) } else { Err(category_not_found()) }
}

fn product_not_found() -> ServiceError {
    AppError::not_found("No such product.").into()
}

/// A product's page by id or slug. Shoppers and anonymous clients see `active` products and
/// their active variants only; anything else is a 404 to them. Staff with `products:write` see
/// every product and variant.
pub async fn get_product(
    state: &AppState,
    actor: Option<&Actor>,
    product: ProductRef,
) -> Result<ProductDetail, ServiceError> {
    let staff = actor.is_some_and(|a| a.role.can(Permission::ProductsWrite));
    let (id, slug) = match &product {
        ProductRef::Id(id) => (Some(*id), None),
        ProductRef::Slug(slug) => (None, Some(slug.as_str())),
    };
    let row = repo::find_product(&state.db, id, slug)
        .await?
        .filter(|p| staff || p.status == ProductStatus::Active)
        .ok_or_else(product_not_found)?;
    let money = |amount, currency: &str| -> Result<Money, ServiceError> {
        Ok(Money::new(
            amount,
            Currency::parse(currency.trim()).map_err(ServiceError::Unexpected)?,
        ))
    };
    let mut variants = Vec::new();
    for v in repo::list_variants(&state.db, row.id).await? {
        if !(v.active || staff) {
            continue;
        }
        variants.push(VariantView {
            id: v.id,
            sku: v.sku,
            name: v.name,
            options: v.options,
            price: money(v.price, &v.currency)?,
            compare_at_price: v.compare_at_price.map(|p| money(p, &v.currency)).transpose()?,
            in_stock: v.stock > 0,
            low_stock: v.stock > 0 && v.stock <= v.low_stock_threshold,
            active: v.active,
        });
    }
    let purchasable = || variants.iter().filter(|v| v.active);
    let price = purchasable()
        .min_by(|a, b| a.price.amount.cmp(&b.price.amount))
        .map(|v| v.price.clone());
    let in_stock = purchasable().any(|v| v.in_stock);
    Ok(ProductDetail {
        id: row.id,
        name: row.name,
        slug: row.slug,
        description: row.description,
        status: row.status,
        featured: row.featured,
        category: match (row.category_id, row.category_name, row.category_slug) {
            (Some(id), Some(name), Some(slug)) => Some(CategorySummary { id, name, slug }),
            _ => None,
        },
        price,
        in_stock,
        rating_average: row.rating_average,
        rating_count: row.rating_count,
        variants,
        version: row.version,
    })
}
