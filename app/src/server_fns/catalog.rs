//! Server functions of the catalogue: the storefront's home, category and product pages, a
//! product's reviews and writing one. Filters arrive as typed by the shopper (query string) and
//! are validated by the same parsers the REST API uses.

use leptos::prelude::*;

use crate::domain::Page;
use crate::domain::catalog::pages::{CategoryContent, HomeContent, ProductContent};
use crate::domain::catalog::reviews::{ReviewStanding, ReviewView};
use crate::error::AppError;

/// The home page's featured products and categories.
#[server(prefix = "/api/fn", endpoint = "home_page", input = server_fn::codec::GetUrl)]
pub async fn home_page() -> Result<HomeContent, AppError> {
    use super::{respond, state};
    use crate::services::catalog;

    let state = respond(state())?;
    respond(catalog::home_page(&state).await)
}

/// A category's page: its products filtered, sorted and paged as the URL says.
#[server(prefix = "/api/fn", endpoint = "category_page", input = server_fn::codec::GetUrl)]
#[allow(clippy::too_many_arguments)]
pub async fn category_page(
    slug: String,
    min_price: Option<String>,
    max_price: Option<String>,
    in_stock: Option<String>,
    min_rating: Option<String>,
    sort: Option<String>,
    page: Option<String>,
) -> Result<CategoryContent, AppError> {
    use super::{respond, state};
    use crate::domain::PageRequest;
    use crate::domain::catalog::ProductQuery;
    use crate::services::catalog;

    let request = respond(PageRequest::parse(page.as_deref(), Some("24")))?;
    let query = ProductQuery {
        min_price,
        max_price,
        in_stock,
        min_rating,
        sort,
        ..Default::default()
    };
    let state = respond(state())?;
    respond(catalog::category_page(&state, &slug, query, request).await)
}

/// A product's page by slug (staff also see products that aren't active).
#[server(prefix = "/api/fn", endpoint = "product_page", input = server_fn::codec::GetUrl)]
pub async fn product_page(slug: String) -> Result<ProductContent, AppError> {
    use super::{respond, state, web};
    use crate::services::catalog;

    let state = respond(state())?;
    let actor = web::actor().await?;
    respond(catalog::product_page(&state, actor.as_ref(), &slug).await)
}

/// A page of a product's approved reviews, newest first.
#[server(prefix = "/api/fn", endpoint = "product_reviews", input = server_fn::codec::GetUrl)]
pub async fn product_reviews(slug: String, page: Option<String>) -> Result<Page<ReviewView>, AppError> {
    use super::{respond, state};
    use crate::domain::PageRequest;
    use crate::domain::catalog::ProductRef;
    use crate::services::catalog::reviews;

    let request = respond(PageRequest::parse(page.as_deref(), Some("5")))?;
    let state = respond(state())?;
    respond(reviews::list_product_reviews(&state, None, ProductRef::Slug(slug), request).await)
}

/// Whether the visitor may review the product (by slug), or the review they wrote of it.
#[server(prefix = "/api/fn", endpoint = "own_review", input = server_fn::codec::GetUrl)]
pub async fn own_review(slug: String) -> Result<ReviewStanding, AppError> {
    use super::{respond, state, web};
    use crate::domain::catalog::ProductRef;
    use crate::services::catalog::reviews;

    let Some(actor) = web::actor().await? else {
        return Ok(ReviewStanding::SignedOut);
    };
    let state = respond(state())?;
    Ok(
        match respond(reviews::get_own_review(&state, &actor, ProductRef::Slug(slug)).await)? {
            Some(review) => ReviewStanding::Written(review),
            None => ReviewStanding::NotYet,
        },
    )
}

/// The signed-in customer reviews a product; it shows once a moderator approves it.
#[server(prefix = "/api/fn", endpoint = "write_review")]
pub async fn write_review(product_id: String, rating: String, title: String, body: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::ProductId;
    use crate::domain::catalog::reviews::CreateReview;
    use crate::error::FieldErrors;
    use crate::services::catalog::reviews;

    let actor = web::require_actor().await?;
    let state = respond(state())?;
    let product = respond(
        uuid::Uuid::parse_str(product_id.trim())
            .map(ProductId)
            .map_err(|_| AppError::not_found("No such product.")),
    )?;
    let rating = respond(rating.trim().parse::<i64>().map_err(|_| {
        let mut details = FieldErrors::new();
        details.insert("rating".into(), vec!["must be a whole number from 1 to 5".into()]);
        AppError::validation(details)
    }))?;
    let input = CreateReview { rating, title, body };
    respond(reviews::create_review(&state, &actor, product, input).await)?;
    Ok(())
}
