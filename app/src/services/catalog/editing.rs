//! Staff write the catalogue (`products:write`): products and their variants. Every write runs
//! in one transaction on behalf of the staff member, locks the row it changes, honours the
//! version the client last saw (409 when stale, nothing written), and tells the catalogue cache.

use uuid::Uuid;

use super::{load_product, product_not_found};
use crate::domain::ProductId;
use crate::domain::catalog::editing::{CreateProduct, CreateVariant, ReplaceProduct, UpdateProduct, UpdateVariant};
use crate::domain::catalog::{ProductDetail, ProductRef, ProductStatus, VariantView};
use crate::domain::identity::Permission;
use crate::error::AppError;
use crate::repositories;
use crate::repositories::catalog::editing as repo;
use crate::services::identity::Actor;
use crate::services::{ServiceError, stale};
use crate::state::AppState;

/// What a `DELETE` did: removed the row, or — when something (an order) still refers to it —
/// retired it instead (a product archived, a variant switched off), returned as it now is.
#[derive(Debug)]
pub enum Removal<T> {
    Deleted,
    Retired(T),
}

fn variant_not_found() -> ServiceError {
    AppError::not_found("No such variant of this product.").into()
}

/// Whether deleting failed because another row still refers to this one.
fn still_referenced(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| matches!(e.kind(), sqlx::error::ErrorKind::ForeignKeyViolation))
}

/// The product as staff see it, after a write.
async fn staff_view(state: &AppState, id: ProductId) -> Result<ProductDetail, ServiceError> {
    load_product(state, true, &ProductRef::Id(id))
        .await?
        .ok_or_else(product_not_found)
}

/// A product as its editor shows it (`products:write`): every variant with its stock, every
/// image with its status.
pub async fn get_product_for_staff(
    state: &AppState,
    actor: &Actor,
    id: ProductId,
) -> Result<ProductDetail, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    staff_view(state, id).await
}

/// Creates a product and its first variants in one go; answers it as staff see it.
pub async fn create_product(
    state: &AppState,
    actor: &Actor,
    input: CreateProduct,
) -> Result<ProductDetail, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let new = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let id = repo::create_product(&mut *tx, &new.product).await?;
    for variant in &new.variants {
        repo::create_variant(&mut *tx, id, variant, &state.shop.currency).await?;
    }
    tx.commit().await?;
    super::catalog_changed(state).await;
    staff_view(state, id).await
}

/// How a product's fields are changed: replaced as a whole (`PUT`) or in part (`PATCH`).
pub enum ProductChange {
    Replace(ReplaceProduct),
    Update(UpdateProduct),
}

/// Changes a product's own fields (its variants have their own endpoints). The version the
/// client saw — the body's `version`, else `If-Match` — must still be the product's.
pub async fn update_product(
    state: &AppState,
    actor: &Actor,
    id: ProductId,
    if_match: Option<i32>,
    change: ProductChange,
) -> Result<ProductDetail, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let (current, version) = repo::find_product_for_update(&mut *tx, id)
        .await?
        .ok_or_else(product_not_found)?;
    let (sent_version, fields) = match change {
        ProductChange::Replace(input) => (input.version, input.parse(&current.slug)),
        ProductChange::Update(input) => (input.version, input.parse_onto(&current)),
    };
    if sent_version.or(if_match).is_some_and(|v| v != version) {
        return Err(stale("product"));
    }
    let fields = fields?;
    if !repo::update_product(&mut *tx, id, version, &fields).await? {
        return Err(stale("product"));
    }
    tx.commit().await?;
    super::catalog_changed(state).await;
    staff_view(state, id).await
}

/// Publishes, archives or unpublishes several products at once (`products:write`), all or none
/// in one transaction; returns how many. Nothing ticked, or more than 100, is a 422; an unknown
/// id a 404 naming it.
pub async fn set_status_many(
    state: &AppState,
    actor: &Actor,
    ids: &[ProductId],
    status: ProductStatus,
) -> Result<usize, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let mut ids = ids.to_vec();
    ids.sort_by_key(|id| id.0);
    ids.dedup();
    if ids.is_empty() || ids.len() > 100 {
        let mut details = crate::error::FieldErrors::new();
        let message = if ids.is_empty() {
            "Tick the products to change first."
        } else {
            "At most 100 at once."
        };
        details.insert("ids".into(), vec![message.into()]);
        return Err(AppError::validation(details).into());
    }
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    for id in &ids {
        let (mut current, version) = repo::find_product_for_update(&mut *tx, *id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("No product has the id {}.", id.0)))?;
        if current.status != status {
            current.status = status;
            repo::update_product(&mut *tx, *id, version, &current).await?;
        }
    }
    tx.commit().await?;
    super::catalog_changed(state).await;
    Ok(ids.len())
}

/// Deletes a product, or archives it when something still refers to it (orders do, through its
/// variants): a sale's record must keep its product.
pub async fn delete_product(
    state: &AppState,
    actor: &Actor,
    id: ProductId,
) -> Result<Removal<Box<ProductDetail>>, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let (mut current, version) = repo::find_product_for_update(&mut *tx, id)
        .await?
        .ok_or_else(product_not_found)?;
    let pictures = super::images::lock_pictures_of(&mut tx, id).await?;
    let mut attempt = sqlx::Acquire::begin(&mut *tx).await?;
    let retired = match repo::delete_product(&mut *attempt, id).await {
        Ok(_) => {
            attempt.commit().await?;
            // Its images went with it; their files go unless another image shows them.
            super::images::release_pictures(state, &mut tx, &pictures).await?;
            false
        }
        Err(err) if still_referenced(&err) => {
            attempt.rollback().await?;
            current.status = ProductStatus::Archived;
            repo::update_product(&mut *tx, id, version, &current).await?;
            true
        }
        Err(err) => return Err(err.into()),
    };
    tx.commit().await?;
    super::catalog_changed(state).await;
    if retired {
        Ok(Removal::Retired(Box::new(staff_view(state, id).await?)))
    } else {
        Ok(Removal::Deleted)
    }
}

/// A product's variants in display order: every one for staff, the active ones of an active
/// product for anyone else.
pub async fn list_variants(
    state: &AppState,
    actor: Option<&Actor>,
    product: ProductId,
) -> Result<Vec<VariantView>, ServiceError> {
    let staff = actor.is_some_and(|a| a.role.can(Permission::ProductsWrite));
    Ok(load_product(state, staff, &ProductRef::Id(product))
        .await?
        .ok_or_else(product_not_found)?
        .variants)
}

/// One variant, as [`list_variants`] shows it.
pub async fn get_variant(
    state: &AppState,
    actor: Option<&Actor>,
    product: ProductId,
    variant: Uuid,
) -> Result<VariantView, ServiceError> {
    list_variants(state, actor, product)
        .await?
        .into_iter()
        .find(|v| v.id == variant)
        .ok_or_else(variant_not_found)
}

/// Adds a variant to a product.
pub async fn create_variant(
    state: &AppState,
    actor: &Actor,
    product: ProductId,
    input: CreateVariant,
) -> Result<VariantView, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let fields = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    repo::find_product_for_update(&mut *tx, product)
        .await?
        .ok_or_else(product_not_found)?;
    let id = repo::create_variant(&mut *tx, product, &fields, &state.shop.currency).await?;
    tx.commit().await?;
    super::catalog_changed(state).await;
    get_variant(state, Some(actor), product, id).await
}

/// Changes a variant. Its version moves with every edit but not with stock changes, so a sale
/// in between does not make a staff edit stale.
pub async fn update_variant(
    state: &AppState,
    actor: &Actor,
    product: ProductId,
    variant: Uuid,
    if_match: Option<i32>,
    input: UpdateVariant,
) -> Result<VariantView, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let (current, version) = repo::find_variant_for_update(&mut *tx, product, variant)
        .await?
        .ok_or_else(variant_not_found)?;
    if input.version.or(if_match).is_some_and(|v| v != version) {
        return Err(stale("variant"));
    }
    let fields = input.parse_onto(&current)?;
    if !repo::update_variant(&mut *tx, variant, version, &fields).await? {
        return Err(stale("variant"));
    }
    super::stock::record_set(
        &mut tx,
        Some(actor.user_id.0),
        variant,
        current.stock,
        fields.stock,
        "set on the variant",
    )
    .await?;
    tx.commit().await?;
    super::catalog_changed(state).await;
    get_variant(state, Some(actor), product, variant).await
}

/// Deletes a variant, or switches it off when something (an order line) still refers to it.
pub async fn delete_variant(
    state: &AppState,
    actor: &Actor,
    product: ProductId,
    variant: Uuid,
) -> Result<Removal<VariantView>, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let (mut current, version) = repo::find_variant_for_update(&mut *tx, product, variant)
        .await?
        .ok_or_else(variant_not_found)?;
    let mut attempt = sqlx::Acquire::begin(&mut *tx).await?;
    let retired = match repo::delete_variant(&mut *attempt, product, variant).await {
        Ok(_) => {
            attempt.commit().await?;
            false
        }
        Err(err) if still_referenced(&err) => {
            attempt.rollback().await?;
            current.active = false;
            repo::update_variant(&mut *tx, variant, version, &current).await?;
            true
        }
        Err(err) => return Err(err.into()),
    };
    tx.commit().await?;
    super::catalog_changed(state).await;
    if retired {
        Ok(Removal::Retired(
            get_variant(state, Some(actor), product, variant).await?,
        ))
    } else {
        Ok(Removal::Deleted)
    }
}
