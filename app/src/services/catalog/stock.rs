//! Stock adjustments (`products:write`): staff add or take away units of a variant with a reason,
//! in one transaction with the variant locked, and read the product's stock history back. A
//! stock set directly (a variant's `stock` field, an import) is recorded as a count correction
//! by [`record_set`], so the history has every change staff made.

use uuid::Uuid;

use super::{catalog_changed, product_not_found};
use crate::domain::catalog::stock::{AdjustStock, MAX_STOCK, StockAdjustmentView, StockReason};
use crate::domain::identity::Permission;
use crate::domain::{Page, PageRequest, ProductId};
use crate::error::{AppError, FieldErrors};
use crate::repositories;
use crate::repositories::catalog::editing as edit_repo;
use crate::repositories::catalog::stock::{self as repo, NewAdjustment};
use crate::services::ServiceError;
use crate::services::identity::Actor;
use crate::state::AppState;

/// The refusal of a delta that would take `stock` out of 0 to [`MAX_STOCK`].
fn out_of_range(stock: i32, delta: i32) -> ServiceError {
    let message = if i64::from(stock) + i64::from(delta) < 0 {
        format!("would take the stock below zero: {stock} in stock")
    } else {
        format!("would take the stock above {MAX_STOCK}: {stock} in stock")
    };
    let mut details = FieldErrors::new();
    details.insert("delta".into(), vec![message]);
    AppError::validation(details).into()
}

/// Adds or takes away units of a variant, recording why; answers the adjustment as recorded.
pub async fn adjust_stock(
    state: &AppState,
    actor: &Actor,
    product: ProductId,
    variant: Uuid,
    input: AdjustStock,
) -> Result<StockAdjustmentView, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let adjustment = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let (current, _) = edit_repo::find_variant_for_update(&mut *tx, product, variant)
        .await?
        .ok_or_else(|| AppError::not_found("No such variant of this product."))?;
    let stock_after = repo::add_stock(&mut *tx, variant, adjustment.delta)
        .await?
        .ok_or_else(|| out_of_range(current.stock, adjustment.delta))?;
    let id = repo::create_adjustment(
        &mut *tx,
        &NewAdjustment {
            variant,
            delta: adjustment.delta,
            stock_after,
            reason: adjustment.reason,
            note: &adjustment.note,
            actor: Some(actor.user_id.0),
        },
    )
    .await?;
    tx.commit().await?;
    catalog_changed(state).await;
    let (recent, _) = repo::list_adjustments(&state.db, product, 20, 0).await?;
    recent
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| ServiceError::Unexpected("an adjustment just made is missing".into()))
}

/// Records that staff set a variant's stock from `from` to `to` directly (nothing when equal).
pub(crate) async fn record_set(
    db: &mut sqlx::PgConnection,
    actor: Option<Uuid>,
    variant: Uuid,
    from: i32,
    to: i32,
    note: &str,
) -> Result<(), ServiceError> {
    if from != to {
        let new = NewAdjustment {
            variant,
            delta: to - from,
            stock_after: to,
            reason: StockReason::CountCorrection,
            note,
            actor,
        };
        repo::create_adjustment(db, &new).await?;
    }
    Ok(())
}

/// A product's stock history, newest first, one page.
pub async fn list_stock_adjustments(
    state: &AppState,
    actor: &Actor,
    product: ProductId,
    page: PageRequest,
) -> Result<Page<StockAdjustmentView>, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    if repositories::catalog::find_product(&state.db, Some(product), None)
        .await?
        .is_none()
    {
        return Err(product_not_found());
    }
    let (items, total) = repo::list_adjustments(&state.db, product, page.limit(), page.offset()).await?;
    Ok(Page::new(items, page, total as u64))
}
