//! Reviews: any signed-in customer writes one per product; staff with `reviews:moderate`
//! approve or reject it; only approved reviews are public and count towards the product's
//! rating (kept by the database in the same transaction as the decision).

use super::{load_product, product_not_found};
use crate::domain::catalog::ProductRef;
use crate::domain::catalog::reviews::{CreateReview, ModerateReview, ReviewId, ReviewStatus, ReviewView};
use crate::domain::identity::Permission;
use crate::domain::{Page, PageRequest, ProductId};
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::repositories;
use crate::repositories::catalog::reviews as repo;
use crate::services::ServiceError;
use crate::services::identity::Actor;
use crate::state::AppState;

fn review_not_found() -> ServiceError {
    AppError::not_found("No such review.").into()
}

fn page_of(rows: Vec<repo::ReviewRow>, page: PageRequest) -> Page<ReviewView> {
    let total = rows.first().map_or(0, |r| u64::try_from(r.total).unwrap_or(0));
    Page::new(rows.into_iter().map(|r| r.review).collect(), page, total)
}

/// A page of reviews in `status` (`None`: any product), with the total even past the last page.
async fn list(
    state: &AppState,
    product: Option<ProductId>,
    status: ReviewStatus,
    page: PageRequest,
) -> Result<Page<ReviewView>, ServiceError> {
    let rows = repo::list_reviews(&state.db, product, status, page.limit(), page.offset()).await?;
    if rows.is_empty() && page.offset() > 0 {
        let first = repo::list_reviews(&state.db, product, status, 1, 0).await?;
        let total = first.first().map_or(0, |r| u64::try_from(r.total).unwrap_or(0));
        return Ok(Page::new(Vec::new(), page, total));
    }
    Ok(page_of(rows, page))
}

/// A product's approved reviews, newest first. The product must be visible to the caller.
pub async fn list_product_reviews(
    state: &AppState,
    actor: Option<&Actor>,
    product: ProductRef,
    page: PageRequest,
) -> Result<Page<ReviewView>, ServiceError> {
    let staff = actor.is_some_and(|a| a.role.can(Permission::ProductsWrite));
    let load = || async {
        let product = load_product(state, staff, &product)
            .await?
            .ok_or_else(product_not_found)?;
        list(state, Some(product.id), ReviewStatus::Approved, page).await
    };
    if staff {
        return load().await;
    }
    let key = format!("reviews:{product:?}:{}:{}", page.page, page.per_page);
    super::cached(state, &key, load).await
}

/// A signed-in customer reviews an active product; the review waits for moderation. A second
/// review of the same product is a 409.
pub async fn create_review(
    state: &AppState,
    actor: &Actor,
    product: ProductId,
    input: CreateReview,
) -> Result<ReviewView, ServiceError> {
    let fields = input.parse()?;
    load_product(state, false, &ProductRef::Id(product))
        .await?
        .ok_or_else(product_not_found)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let id = repo::create_review(&mut *tx, product, actor.user_id, &fields).await?;
    tx.commit().await?;
    repo::find_review(&state.db, id).await?.ok_or_else(review_not_found)
}

/// The moderation queue (`reviews:moderate`): reviews in `status` (default `pending`), oldest
/// first.
pub async fn list_reviews(
    state: &AppState,
    actor: &Actor,
    status: Option<&str>,
    page: PageRequest,
) -> Result<Page<ReviewView>, ServiceError> {
    actor.require(Permission::ReviewsModerate)?;
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => ReviewStatus::Pending,
        Some(raw) => ReviewStatus::parse(raw).map_err(|message| {
            let mut details = FieldErrors::new();
            details.insert("status".into(), vec![message]);
            AppError::validation(details)
        })?,
    };
    list(state, None, status, page).await
}

/// A moderator approves or rejects a review (`reviews:moderate`); the product's rating follows
/// in the same transaction. With a version (or `If-Match`), a decision made in between is a 409.
pub async fn moderate_review(
    state: &AppState,
    actor: &Actor,
    id: ReviewId,
    if_match: Option<i32>,
    input: ModerateReview,
) -> Result<ReviewView, ServiceError> {
    actor.require(Permission::ReviewsModerate)?;
    let status = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    repo::find_review(&mut *tx, id).await?.ok_or_else(review_not_found)?;
    let expected = input.version.or(if_match);
    if !repo::moderate_review(&mut *tx, id, expected, status).await? {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "The review was moderated by someone else since you read it; reload it and try again.",
        )
        .into());
    }
    tx.commit().await?;
    super::catalog_changed(state).await;
    repo::find_review(&state.db, id).await?.ok_or_else(review_not_found)
}

/// Approves or rejects several reviews at once (`reviews:moderate`), each in its own
/// transaction as [`moderate_review`] does; returns how many were moderated. An unknown id is a
/// 404 for that one, and the ones before it stay moderated.
pub async fn moderate_reviews(
    state: &AppState,
    actor: &Actor,
    ids: &[ReviewId],
    status: &str,
) -> Result<usize, ServiceError> {
    actor.require(Permission::ReviewsModerate)?;
    if ids.is_empty() {
        let mut details = FieldErrors::new();
        details.insert("ids".into(), vec!["Tick the reviews to moderate first.".into()]);
        return Err(AppError::validation(details).into());
    }
    for id in ids {
        let input = ModerateReview {
            status: status.to_owned(),
            version: None,
        };
        moderate_review(state, actor, *id, None, input).await?;
    }
    Ok(ids.len())
}

/// One review: public once approved; before that, only its author and moderators see it.
pub async fn get_review(state: &AppState, actor: Option<&Actor>, id: ReviewId) -> Result<ReviewView, ServiceError> {
    let review = repo::find_review(&state.db, id).await?.ok_or_else(review_not_found)?;
    let moderator = actor.is_some_and(|a| a.role.can(Permission::ReviewsModerate));
    let author = match actor {
        Some(a) => repo::find_own_review(&state.db, review.product_id, a.user_id).await? == Some(id),
        None => false,
    };
    if review.status == ReviewStatus::Approved || moderator || author {
        Ok(review)
    } else {
        Err(review_not_found())
    }
}

/// The review `actor` wrote of `product` (visible to them), if any.
pub async fn get_own_review(
    state: &AppState,
    actor: &Actor,
    product: ProductRef,
) -> Result<Option<ReviewView>, ServiceError> {
    let staff = actor.role.can(Permission::ProductsWrite);
    let Some(product) = load_product(state, staff, &product).await? else {
        return Ok(None);
    };
    match repo::find_own_review(&state.db, product.id, actor.user_id).await? {
        Some(id) => Ok(repo::find_review(&state.db, id).await?),
        None => Ok(None),
    }
}
