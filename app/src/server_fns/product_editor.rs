//! Server functions of the product editor (`/admin/products/new` and `/admin/products/{id}`),
//! each calling the same service as its `/api/v1` twin (`products:write` is checked there).
//!
//! Every write answers by sending the browser back to the editor. What it has to say is kept in
//! the session as the editor's [`EditorState`] and shown once: a notice after a save; after a
//! failure, the form as typed with its errors — and, when someone else saved in between, what
//! they changed. The kept form then carries their version, so saving it again is a deliberate
//! choice to write over their change.

use leptos::prelude::*;

use crate::domain::Page;
use crate::domain::catalog::ProductDetail;
use crate::domain::catalog::forms::{EditorState, ProductForm, VariantForm};
use crate::domain::catalog::stock::StockAdjustmentView;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod support {
    use crate::domain::ProductId;
    use crate::domain::catalog::forms::EditorState;
    use crate::error::{AppError, ErrorCode};
    use crate::server_fns::web;

    /// The session key of an editor's state.
    pub fn key(product: Option<ProductId>) -> String {
        crate::domain::catalog::forms::editor_key(product.map(|p| p.0))
    }

    pub fn product_id(raw: &str) -> Result<ProductId, AppError> {
        uuid::Uuid::parse_str(raw.trim())
            .map(ProductId)
            .map_err(|_| AppError::not_found("No such product."))
    }

    pub fn uuid(raw: &str, what: &str) -> Result<uuid::Uuid, AppError> {
        uuid::Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found(format!("No such {what}.")))
    }

    /// Whether a write failed because someone else saved first (not a taken value).
    pub fn stale(err: &AppError) -> bool {
        err.code == ErrorCode::Conflict && err.details.as_ref().is_none_or(|d| d.is_empty())
    }

    pub const STALE: &str = "Someone else saved this while you were editing. What they changed is listed \
                             below; what you typed is kept. Save again to replace their change with yours, or \
                             reload the page to start from theirs.";

    /// Keeps `state` for the editor and sends the browser back to it, at `anchor`.
    pub async fn back(product: Option<ProductId>, state: EditorState, anchor: &str) -> Result<(), AppError> {
        web::put(&key(product), &state).await?;
        let page = match product {
            Some(id) => format!("/admin/products/{}", id.0),
            None => "/admin/products/new".into(),
        };
        leptos_axum::redirect(&format!("{page}{anchor}"));
        Ok(())
    }

    /// The refusal of a removal whose confirmation box wasn't ticked.
    pub fn unconfirmed() -> AppError {
        let mut details = crate::error::FieldErrors::new();
        details.insert("confirm".into(), vec!["Tick the box to confirm the removal.".into()]);
        AppError::validation(details)
    }

    /// What the editor shows after a picture change: `done`, or the error.
    pub fn images_outcome<T>(result: Result<T, AppError>, done: &str) -> EditorState {
        match result {
            Ok(_) => notice(done),
            Err(err) => EditorState {
                images: Some(err),
                ..Default::default()
            },
        }
    }

    pub fn notice(text: &str) -> EditorState {
        EditorState {
            notice: Some(text.into()),
            ..Default::default()
        }
    }
}

/// A product as its editor shows it: every variant with its stock, every image with its status.
#[server(prefix = "/api/fn", endpoint = "staff_product", input = server_fn::codec::GetUrl)]
pub async fn staff_product(id: String) -> Result<ProductDetail, AppError> {
    use super::{respond, state, web};
    use crate::services::catalog::editing;

    let actor = web::require_actor().await?;
    let id = respond(support::product_id(&id))?;
    respond(editing::get_product_for_staff(&state()?, &actor, id).await)
}

/// What the editor has to show once (and then forgets): a notice, or the forms that failed.
#[server(prefix = "/api/fn", endpoint = "take_editor_state", input = server_fn::codec::GetUrl)]
pub async fn take_editor_state(id: Option<String>) -> Result<EditorState, AppError> {
    use super::{respond, web};

    web::require_actor().await?;
    let product = match id.filter(|i| !i.is_empty()) {
        Some(raw) => Some(respond(support::product_id(&raw))?),
        None => None,
    };
    let key = support::key(product);
    let state = web::get::<EditorState>(&key).await?.unwrap_or_default();
    web::forget(&key).await?;
    Ok(state)
}

/// A product's stock history, newest first, one page.
#[server(prefix = "/api/fn", endpoint = "stock_history", input = server_fn::codec::GetUrl)]
pub async fn stock_history(id: String, page: Option<String>) -> Result<Page<StockAdjustmentView>, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::services::catalog::stock;

    let actor = web::require_actor().await?;
    let id = respond(support::product_id(&id))?;
    let page = respond(PageRequest::parse(page.as_deref(), Some("10")))?;
    respond(stock::list_stock_adjustments(&state()?, &actor, id, page).await)
}

/// Creates a product from the new-product form; then its editor opens.
#[server(prefix = "/api/fn", endpoint = "create_product_form")]
pub async fn create_product_form(#[server(flatten)] form: ProductForm) -> Result<(), AppError> {
    use super::{state, web};
    use crate::domain::catalog::forms::Draft;
    use crate::services::catalog::editing;

    let actor = web::require_actor().await?;
    let result = match form.to_create() {
        Ok(input) => editing::create_product(&state()?, &actor, input)
            .await
            .map_err(AppError::from),
        Err(err) => Err(err),
    };
    match result {
        Ok(product) => {
            support::back(
                Some(product.id),
                support::notice("Product created. Add its variants and pictures below, then publish it."),
                "",
            )
            .await
        }
        Err(error) => {
            let draft = Draft {
                form,
                error,
                changes: Vec::new(),
            };
            let state = EditorState {
                product: Some(draft),
                ..Default::default()
            };
            support::back(None, state, "").await
        }
    }
}

/// Saves the product's own fields (details, category, status, SEO).
#[server(prefix = "/api/fn", endpoint = "save_product")]
pub async fn save_product(id: String, #[server(flatten)] form: ProductForm) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::catalog::forms::{Draft, product_changes};
    use crate::services::catalog::editing::{self, ProductChange};

    let actor = web::require_actor().await?;
    let id = respond(support::product_id(&id))?;
    let state = state()?;
    let result = match form.to_replace() {
        Ok(input) => editing::update_product(&state, &actor, id, None, ProductChange::Replace(input))
            .await
            .map_err(AppError::from),
        Err(err) => Err(err),
    };
    let error = match result {
        Ok(_) => return support::back(Some(id), support::notice("Product saved."), "").await,
        Err(error) => error,
    };
    let mut draft = Draft {
        form,
        error,
        changes: Vec::new(),
    };
    if support::stale(&draft.error) {
        let now = ProductForm::of(&respond(editing::get_product_for_staff(&state, &actor, id).await)?);
        draft.changes = product_changes(&draft.form, &now);
        draft.form.version = now.version;
        draft.form.base = now.base;
        draft.error.message = support::STALE.into();
    }
    let state = EditorState {
        product: Some(draft),
        ..Default::default()
    };
    support::back(Some(id), state, "#details").await
}

/// Saves one variant's fields (not its stock: that is adjusted).
#[server(prefix = "/api/fn", endpoint = "save_variant")]
pub async fn save_variant(
    id: String,
    variant_id: String,
    #[server(flatten)] form: VariantForm,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::catalog::forms::{Draft, variant_changes};
    use crate::services::catalog::editing;

    let actor = web::require_actor().await?;
    let id = respond(support::product_id(&id))?;
    let variant = respond(support::uuid(&variant_id, "variant"))?;
    let state = state()?;
    let anchor = format!("#variant-{variant}");
    let result = match form.to_update() {
        Ok(input) => editing::update_variant(&state, &actor, id, variant, None, input)
            .await
            .map_err(AppError::from),
        Err(err) => Err(err),
    };
    let error = match result {
        Ok(saved) => {
            let text = format!("Variant {} saved.", saved.sku);
            return support::back(Some(id), support::notice(&text), &anchor).await;
        }
        Err(error) => error,
    };
    let mut draft = Draft {
        form,
        error,
        changes: Vec::new(),
    };
    if support::stale(&draft.error) {
        let now = VariantForm::of(&respond(editing::get_variant(&state, Some(&actor), id, variant).await)?);
        draft.changes = variant_changes(&draft.form, &now);
        draft.form.version = now.version;
        draft.form.base = now.base;
        draft.error.message = support::STALE.into();
    }
    let state = EditorState {
        variant: Some((Some(variant), draft)),
        ..Default::default()
    };
    support::back(Some(id), state, &anchor).await
}

/// Adds a variant to the product.
#[server(prefix = "/api/fn", endpoint = "add_variant")]
pub async fn add_variant(id: String, #[server(flatten)] form: VariantForm) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::catalog::forms::Draft;
    use crate::services::catalog::editing;

    let actor = web::require_actor().await?;
    let id = respond(support::product_id(&id))?;
    let result = match form.to_create() {
        Ok(input) => editing::create_variant(&state()?, &actor, id, input)
            .await
            .map_err(AppError::from),
        Err(err) => Err(err),
    };
    match result {
        Ok(added) => {
            let text = format!("Variant {} added.", added.sku);
            support::back(Some(id), support::notice(&text), &format!("#variant-{}", added.id)).await
        }
        Err(error) => {
            let draft = Draft {
                form,
                error,
                changes: Vec::new(),
            };
            let state = EditorState {
                variant: Some((None, draft)),
                ..Default::default()
            };
            support::back(Some(id), state, "#new-variant").await
        }
    }
}

/// Removes a variant (switched off instead when orders refer to it); `confirm` must be ticked.
#[server(prefix = "/api/fn", endpoint = "remove_variant")]
pub async fn remove_variant(id: String, variant_id: String, confirm: Option<String>) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::services::catalog::editing::{self, Removal};

    let actor = web::require_actor().await?;
    let id = respond(support::product_id(&id))?;
    let variant = respond(support::uuid(&variant_id, "variant"))?;
    if confirm.is_none() {
        let state = EditorState {
            stock: Some((variant, support::unconfirmed())),
            ..Default::default()
        };
        return support::back(Some(id), state, &format!("#variant-{variant}")).await;
    }
    let state = match editing::delete_variant(&state()?, &actor, id, variant).await {
        Ok(Removal::Deleted) => support::notice("Variant removed."),
        Ok(Removal::Retired(_)) => support::notice("Orders refer to this variant, so it was switched off instead."),
        Err(err) => EditorState {
            stock: Some((variant, err.into())),
            ..Default::default()
        },
    };
    support::back(Some(id), state, "#variants").await
}

/// Adds or takes away a variant's units, with a reason.
#[server(prefix = "/api/fn", endpoint = "adjust_stock_form")]
pub async fn adjust_stock_form(
    id: String,
    variant_id: String,
    delta: String,
    reason: String,
    note: String,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::catalog::stock::AdjustStock;
    use crate::error::FieldErrors;
    use crate::services::catalog::stock;

    let actor = web::require_actor().await?;
    let id = respond(support::product_id(&id))?;
    let variant = respond(support::uuid(&variant_id, "variant"))?;
    let result = match delta.trim().parse::<i32>() {
        Ok(delta) => stock::adjust_stock(&state()?, &actor, id, variant, AdjustStock { delta, reason, note })
            .await
            .map_err(AppError::from),
        Err(_) => {
            let mut details = FieldErrors::new();
            details.insert(
                "delta".into(),
                vec!["must be a whole number of units, negative to take some away".into()],
            );
            Err(AppError::validation(details))
        }
    };
    let state = match result {
        Ok(done) => support::notice(&format!(
            "Stock of {} is now {} ({}{} , {}).",
            done.sku,
            done.stock_after,
            if done.delta > 0 { "+" } else { "" },
            done.delta,
            done.reason.label().to_lowercase()
        )),
        Err(err) => EditorState {
            stock: Some((variant, err)),
            ..Default::default()
        },
    };
    support::back(Some(id), state, &format!("#variant-{variant}")).await
}

/// Changes an image's alt text.
#[server(prefix = "/api/fn", endpoint = "save_image_alt")]
pub async fn save_image_alt(id: String, image_id: String, alt: String, version: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::catalog::images::UpdateImage;
    use crate::services::catalog::images;

    let actor = web::require_actor().await?;
    let id = respond(support::product_id(&id))?;
    let image = respond(support::uuid(&image_id, "image"))?;
    let input = UpdateImage {
        alt: Some(alt),
        position: None,
        version: version.trim().parse().ok(),
    };
    let result = images::update_image(&state()?, &actor, id, image, None, input).await;
    let state = support::images_outcome(result.map_err(AppError::from), "Alt text saved.");
    support::back(Some(id), state, "#images").await
}

/// Puts the gallery in the order of `ids[]` (every image once). Called by the move buttons
/// (a plain form) and by dragging (a script, which reads the JSON answer).
#[server(prefix = "/api/fn", endpoint = "reorder_images")]
pub async fn reorder_images(id: String, #[server(default)] ids: Vec<String>) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::services::catalog::images;

    let actor = web::require_actor().await?;
    let id = respond(support::product_id(&id))?;
    let ids: Vec<uuid::Uuid> = respond(ids.iter().map(|i| support::uuid(i, "image")).collect())?;
    let result = images::reorder_images(&state()?, &actor, id, &ids).await;
    if !web::is_form_post() {
        return respond(result).map(|_| ());
    }
    let state = support::images_outcome(result.map_err(AppError::from), "Pictures reordered.");
    support::back(Some(id), state, "#images").await
}

/// Removes an image; `confirm` must be ticked.
#[server(prefix = "/api/fn", endpoint = "remove_image")]
pub async fn remove_image(id: String, image_id: String, confirm: Option<String>) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::services::catalog::images;

    let actor = web::require_actor().await?;
    let id = respond(support::product_id(&id))?;
    let image = respond(support::uuid(&image_id, "image"))?;
    let result = if confirm.is_none() {
        Err(support::unconfirmed())
    } else {
        images::delete_image(&state()?, &actor, id, image)
            .await
            .map_err(AppError::from)
    };
    support::back(Some(id), support::images_outcome(result, "Picture removed."), "#images").await
}
