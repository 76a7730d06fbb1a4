//! Catalogue rules: what the storefront lists, the category tree, a product's page, and how a
//! demo catalogue is seeded. Staff's product and variant writes are in [`editing`], reviews in
//! [`reviews`].

pub mod cache;
mod demo;
pub mod editing;
pub mod images;
mod imaging;
pub mod reviews;
pub mod stock;
pub mod transfer;

use cache::cached;
pub use cache::catalog_changed;
pub use demo::{SeedOutcome, seed_demo_catalog};

use super::ServiceError;
use super::identity::Actor;
use crate::domain::catalog::images::ImageView;
use crate::domain::catalog::pages::{CategoryContent, HomeContent, ProductContent};
use crate::domain::catalog::{
    CategoryRef, CategorySummary, CategoryView, CreateCategory, ProductDetail, ProductFilter, ProductQuery, ProductRef,
    ProductStatus, UpdateCategory, VariantView,
};
use crate::domain::identity::Permission;
use crate::domain::{CategoryId, Currency, Money, Page, PageRequest, ProductId, ProductView};
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::repositories;
use crate::repositories::catalog::{self as repo, editing as edit_repo, images as image_repo};
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
    if filter.status == ProductStatus::Active {
        let key = format!("list:{filter:?}:{}:{}", page.page, page.per_page);
        return cached(state, &key, || load_products(state, filter.clone(), page)).await;
    }
    load_products(state, filter, page).await
}

/// The list from the database.
async fn load_products(
    state: &AppState,
    filter: ProductFilter,
    page: PageRequest,
) -> Result<Page<ProductView>, ServiceError> {
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
    let items = product_views(state, rows).await?;
    Ok(Page::new(items, page, u64::try_from(total).unwrap_or(0)))
}

/// List rows as shoppers see them, in the rows' order, each with its cover picture.
pub(crate) async fn product_views(
    state: &AppState,
    rows: Vec<repo::ProductListRow>,
) -> Result<Vec<ProductView>, ServiceError> {
    let ids: Vec<uuid::Uuid> = rows.iter().map(|row| row.id.0).collect();
    let covers = image_repo::list_cover_images(&state.db, &ids).await?;
    with_covers(rows, covers)
}

/// These products as views, in the order of `ids` (missing ones left out), whatever their
/// status: the rows and their pictures are read at once, on two connections.
pub(crate) async fn product_views_by_ids(
    state: &AppState,
    ids: &[ProductId],
) -> Result<Vec<ProductView>, ServiceError> {
    let raw: Vec<uuid::Uuid> = ids.iter().map(|id| id.0).collect();
    let (rows, covers) = tokio::try_join!(
        repo::list_products_by_ids(&state.db, &raw, state.shop.currency.as_str()),
        image_repo::list_cover_images(&state.db, &raw),
    )?;
    let mut by_id: std::collections::HashMap<ProductId, repo::ProductListRow> =
        rows.into_iter().map(|row| (row.id, row)).collect();
    let ordered = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    with_covers(ordered, covers)
}

/// List rows with their cover pictures, as views.
fn with_covers(
    rows: Vec<repo::ProductListRow>,
    covers: Vec<image_repo::ImageRow>,
) -> Result<Vec<ProductView>, ServiceError> {
    let mut covers: std::collections::HashMap<ProductId, ImageView> =
        covers.iter().map(|image| (image.product_id, image.view())).collect();
    rows.into_iter()
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
                image: covers.remove(&row.id),
            })
        })
        .collect()
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

/// The whole category tree: top-level categories, each with its subcategories, in display order.
pub async fn list_categories(state: &AppState) -> Result<Vec<CategoryView>, ServiceError> {
    cached(state, "categories", || async {
        Ok(category_tree(repo::list_categories(&state.db).await?))
    })
    .await
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
    catalog_changed(state).await;
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
    catalog_changed(state).await;
    Ok(updated)
}

/// Deletes a category (`products:write`) that has no subcategories (409 otherwise); its
/// products stay, without a category.
pub async fn delete_category(state: &AppState, actor: &Actor, id: CategoryId) -> Result<(), ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let deleted = repo::delete_category(&mut *tx, id).await?;
    tx.commit().await?;
    catalog_changed(state).await;
    if deleted { Ok(()) } else { Err(category_not_found()) }
}

/// The home page: up to eight featured products and the category tree's top.
pub async fn home_page(state: &AppState) -> Result<HomeContent, ServiceError> {
    let query = ProductQuery {
        featured: Some("true".into()),
        ..Default::default()
    };
    let featured = list_products(state, None, query, PageRequest { page: 1, per_page: 8 }).await?;
    Ok(HomeContent {
        featured: featured.items,
        categories: list_categories(state).await?,
    })
}

/// A category's page by slug: the category, its ancestors, and its products filtered and
/// sorted as the shopper asked (active products only, whoever asks).
pub async fn category_page(
    state: &AppState,
    slug: &str,
    query: ProductQuery,
    page: PageRequest,
) -> Result<CategoryContent, ServiceError> {
    let key = format!("category-page:{slug}:{query:?}:{}:{}", page.page, page.per_page);
    cached(state, &key, || load_category_page(state, slug, query, page)).await
}

async fn load_category_page(
    state: &AppState,
    slug: &str,
    query: ProductQuery,
    page: PageRequest,
) -> Result<CategoryContent, ServiceError> {
    let id = repo::find_category_by_slug(&state.db, slug)
        .await?
        .ok_or_else(category_not_found)?;
    fn find(level: Vec<CategoryView>, id: CategoryId) -> Option<CategoryView> {
        level
            .into_iter()
            .find_map(|c| if c.id == id { Some(c) } else { find(c.children, id) })
    }
    let category = find(list_categories(state).await?, id).ok_or_else(category_not_found)?;
    let mut trail = repo::category_trail(&state.db, id).await?;
    trail.pop();
    let query = ProductQuery {
        category: Some(id.0.to_string()),
        status: None,
        ..query
    };
    let products = list_products(state, None, query, page).await?;
    Ok(CategoryContent {
        category,
        trail,
        products,
    })
}

/// A product's page by slug, with the way to it through the category tree.
pub async fn product_page(state: &AppState, actor: Option<&Actor>, slug: &str) -> Result<ProductContent, ServiceError> {
    if actor.is_some_and(|a| a.role.can(Permission::ProductsWrite)) {
        return load_product_page(state, actor, slug).await;
    }
    cached(state, &format!("product-page:{slug}"), || {
        load_product_page(state, None, slug)
    })
    .await
}

async fn load_product_page(
    state: &AppState,
    actor: Option<&Actor>,
    slug: &str,
) -> Result<ProductContent, ServiceError> {
    match get_product(state, actor, ProductRef::Slug(slug.to_owned())).await? {
        ProductLookup::Moved(slug) => Ok(ProductContent::Moved(slug)),
        ProductLookup::Found(product) => {
            let trail = match &product.category {
                Some(category) => repo::category_trail(&state.db, category.id).await?,
                None => Vec::new(),
            };
            Ok(ProductContent::Found { product, trail })
        }
    }
}

/// Every public page search engines should know, for `/sitemap.xml`.
pub async fn list_sitemap(state: &AppState) -> Result<Vec<repo::SitemapRow>, ServiceError> {
    Ok(repo::list_sitemap(&state.db).await?)
}

fn product_not_found() -> ServiceError {
    AppError::not_found("No such product.").into()
}

/// What a product's id or slug leads to.
#[derive(Debug)]
pub enum ProductLookup {
    Found(Box<ProductDetail>),
    /// An old slug: the product is now at this one (a 301 for clients).
    Moved(String),
}

/// A product's page by id or slug. Shoppers and anonymous clients see `active` products and
/// their active variants only; anything else is a 404 to them. Staff with `products:write` see
/// every product and variant, with stock figures. A slug the product had before leads to it.
pub async fn get_product(
    state: &AppState,
    actor: Option<&Actor>,
    product: ProductRef,
) -> Result<ProductLookup, ServiceError> {
    let staff = actor.is_some_and(|a| a.role.can(Permission::ProductsWrite));
    let found = if staff {
        load_product(state, true, &product).await?
    } else {
        let key = match &product {
            ProductRef::Id(id) => format!("product:{}", id.0),
            ProductRef::Slug(slug) => format!("product:{slug}"),
        };
        cached(state, &key, || load_product(state, false, &product)).await?
    };
    if let Some(found) = found {
        return Ok(ProductLookup::Found(Box::new(found)));
    }
    if let ProductRef::Slug(slug) = &product
        && let Some(current) = edit_repo::find_renamed_slug(&state.db, slug).await?
    {
        return Ok(ProductLookup::Moved(current));
    }
    Err(product_not_found())
}

/// The product as `staff` or as a shopper sees it; `None` when it is hidden from them.
async fn load_product(
    state: &AppState,
    staff: bool,
    product: &ProductRef,
) -> Result<Option<ProductDetail>, ServiceError> {
    let (id, slug) = match product {
        ProductRef::Id(id) => (Some(*id), None),
        ProductRef::Slug(slug) => (None, Some(slug.as_str())),
    };
    let Some(row) = repo::find_product(&state.db, id, slug)
        .await?
        .filter(|p| staff || p.status == ProductStatus::Active)
    else {
        return Ok(None);
    };
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
            stock: staff.then_some(v.stock),
            low_stock_threshold: staff.then_some(v.low_stock_threshold),
            position: v.position,
            version: v.version,
        });
    }
    let purchasable = || variants.iter().filter(|v| v.active);
    let price = purchasable()
        .min_by(|a, b| a.price.amount.cmp(&b.price.amount))
        .map(|v| v.price.clone());
    let in_stock = purchasable().any(|v| v.in_stock);
    Ok(Some(ProductDetail {
        id: row.id,
        name: row.name,
        slug: row.slug,
        description: row.description,
        status: row.status,
        featured: row.featured,
        seo_title: row.seo_title,
        seo_description: row.seo_description,
        category: match (row.category_id, row.category_name, row.category_slug) {
            (Some(id), Some(name), Some(slug)) => Some(CategorySummary { id, name, slug }),
            _ => None,
        },
        price,
        in_stock,
        rating_average: row.rating_average,
        rating_count: row.rating_count,
        variants,
        images: images::visible(&image_repo::list_images(&state.db, row.id).await?, staff),
        version: row.version,
    }))
}
