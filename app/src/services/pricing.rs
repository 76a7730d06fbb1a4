//! Pricing rules: tax rates by country, shipping methods and discount codes. Anyone reads tax
//! rates and the active shipping methods; staff with `pricing:write` change them, see inactive
//! methods, and are the only ones who list or read discount codes (shoppers apply a code to a
//! cart, never browse them).

use uuid::Uuid;

use super::identity::Actor;
use super::{ServiceError, stale};
use crate::domain::identity::{Permission, country_code};
use crate::domain::pricing::discounts::{CreateDiscountCode, DiscountCodeView, UpdateDiscountCode};
use crate::domain::pricing::rules::{
    CreateShippingMethod, ShippingMethodView, TaxRateInput, TaxRateView, UpdateShippingMethod,
};
use crate::domain::{Money, Page, PageRequest};
use crate::error::{AppError, FieldErrors};
use crate::repositories;
use crate::repositories::pricing::{self as repo, DiscountCodeRow, ShippingMethodRow, TaxRateRow};
use crate::state::AppState;

fn tax_rate_view(row: TaxRateRow) -> TaxRateView {
    TaxRateView {
        country: row.country,
        rate: row.rate.normalize(),
        version: row.version,
    }
}

/// A country code from a path: upper-cased, or a 404 (no such rate can exist).
fn country_in_path(raw: &str) -> Result<String, ServiceError> {
    country_code(raw).map_err(|_| tax_rate_not_found())
}

/// A country code the request names: upper-cased, or a 422 naming `country`.
fn country_field(raw: &str) -> Result<String, ServiceError> {
    country_code(raw).map_err(|message| {
        let mut details = FieldErrors::new();
        details.insert("country".into(), vec![message]);
        AppError::validation(details).into()
    })
}

fn tax_rate_not_found() -> ServiceError {
    AppError::not_found("No tax rate for that country.").into()
}

pub async fn list_tax_rates(state: &AppState, page: PageRequest) -> Result<Page<TaxRateView>, ServiceError> {
    let rows = repo::list_tax_rates(&state.db, page.limit(), page.offset()).await?;
    let total = repo::count_tax_rates(&state.db).await?;
    Ok(Page::new(
        rows.into_iter().map(tax_rate_view).collect(),
        page,
        u64::try_from(total).unwrap_or(0),
    ))
}

pub async fn get_tax_rate(state: &AppState, country: &str) -> Result<TaxRateView, ServiceError> {
    let country = country_in_path(country)?;
    repo::find_tax_rate(&state.db, &country)
        .await?
        .map(tax_rate_view)
        .ok_or_else(tax_rate_not_found)
}

/// Sets a country's rate (`pricing:write`); the flag says whether it is new. With a version
/// (`If-Match` or `version`), a rate changed in between is a 409.
pub async fn put_tax_rate(
    state: &AppState,
    actor: &Actor,
    country: &str,
    if_match: Option<i32>,
    input: TaxRateInput,
) -> Result<(TaxRateView, bool), ServiceError> {
    actor.require(Permission::PricingWrite)?;
    let country = country_field(country)?;
    let rate = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let (row, created) = repo::put_tax_rate(&mut *tx, &country, rate, if_match.or(input.version))
        .await?
        .ok_or_else(|| stale("tax rate"))?;
    tx.commit().await?;
    Ok((tax_rate_view(row), created))
}

pub async fn delete_tax_rate(state: &AppState, actor: &Actor, country: &str) -> Result<(), ServiceError> {
    actor.require(Permission::PricingWrite)?;
    let country = country_in_path(country)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let deleted = repo::delete_tax_rate(&mut *tx, &country).await?;
    tx.commit().await?;
    if deleted { Ok(()) } else { Err(tax_rate_not_found()) }
}

pub(crate) fn shipping_method_view(state: &AppState, row: ShippingMethodRow) -> ShippingMethodView {
    let money = |amount| Money::new(amount, state.shop.currency.clone());
    ShippingMethodView {
        id: row.id,
        name: row.name,
        price: money(row.price),
        free_above: row.free_above.map(money),
        countries: row.countries,
        active: row.active,
        version: row.version,
    }
}

fn shipping_method_not_found() -> ServiceError {
    AppError::not_found("No such shipping method.").into()
}

/// Whether the caller sees inactive methods too.
fn sees_all(actor: Option<&Actor>) -> bool {
    actor.is_some_and(|a| a.role.can(Permission::PricingWrite))
}

/// Shipping methods by name: the active ones, or every one for staff; only those serving
/// `country` when given.
pub async fn list_shipping_methods(
    state: &AppState,
    actor: Option<&Actor>,
    country: Option<&str>,
    page: PageRequest,
) -> Result<Page<ShippingMethodView>, ServiceError> {
    let country = country.map(country_field).transpose()?;
    let all = sees_all(actor);
    let rows = repo::list_shipping_methods(&state.db, all, country.as_deref(), page.limit(), page.offset()).await?;
    let total = repo::count_shipping_methods(&state.db, all, country.as_deref()).await?;
    Ok(Page::new(
        rows.into_iter().map(|r| shipping_method_view(state, r)).collect(),
        page,
        u64::try_from(total).unwrap_or(0),
    ))
}

/// One method; an inactive one only for staff (a 404 to anyone else).
pub async fn get_shipping_method(
    state: &AppState,
    actor: Option<&Actor>,
    id: Uuid,
) -> Result<ShippingMethodView, ServiceError> {
    repo::find_shipping_method(&state.db, id)
        .await?
        .filter(|m| m.active || sees_all(actor))
        .map(|m| shipping_method_view(state, m))
        .ok_or_else(shipping_method_not_found)
}

pub async fn create_shipping_method(
    state: &AppState,
    actor: &Actor,
    input: CreateShippingMethod,
) -> Result<ShippingMethodView, ServiceError> {
    actor.require(Permission::PricingWrite)?;
    let fields = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let row = repo::create_shipping_method(&mut *tx, &fields).await?;
    tx.commit().await?;
    Ok(shipping_method_view(state, row))
}

/// Changes the fields sent. With a version (`If-Match` or `version`), a method changed in
/// between is a 409 and nothing changes.
pub async fn update_shipping_method(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    if_match: Option<i32>,
    input: UpdateShippingMethod,
) -> Result<ShippingMethodView, ServiceError> {
    actor.require(Permission::PricingWrite)?;
    let version = if_match.or(input.version);
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let current = repo::find_shipping_method(&mut *tx, id)
        .await?
        .ok_or_else(shipping_method_not_found)?;
    let fields = input.parse_onto(&current.fields())?;
    let row = repo::update_shipping_method(&mut *tx, id, version, &fields)
        .await?
        .ok_or_else(|| stale("shipping method"))?;
    tx.commit().await?;
    Ok(shipping_method_view(state, row))
}

pub async fn delete_shipping_method(state: &AppState, actor: &Actor, id: Uuid) -> Result<(), ServiceError> {
    actor.require(Permission::PricingWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let deleted = repo::delete_shipping_method(&mut *tx, id).await?;
    tx.commit().await?;
    if deleted {
        Ok(())
    } else {
        Err(shipping_method_not_found())
    }
}

pub(crate) fn discount_code_view(state: &AppState, row: DiscountCodeRow) -> DiscountCodeView {
    DiscountCodeView {
        id: row.id,
        code: row.code,
        kind: row.kind,
        value: row.value,
        min_subtotal: row.min_subtotal.map(|m| Money::new(m, state.shop.currency.clone())),
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        usage_limit: row.usage_limit,
        per_customer_limit: row.per_customer_limit,
        times_used: row.times_used,
        active: row.active,
        version: row.version,
    }
}

fn discount_code_not_found() -> ServiceError {
    AppError::not_found("No such discount code.").into()
}

/// Codes, newest first, with their uses so far; `q` narrows to codes containing it.
pub async fn list_discount_codes(
    state: &AppState,
    actor: &Actor,
    q: Option<&str>,
    page: PageRequest,
) -> Result<Page<DiscountCodeView>, ServiceError> {
    actor.require(Permission::PricingWrite)?;
    let q = crate::domain::search_term(q, 32)?;
    let rows = repo::list_discount_codes(&state.db, q, page.limit(), page.offset()).await?;
    let total = repo::count_discount_codes(&state.db, q).await?;
    Ok(Page::new(
        rows.into_iter().map(|r| discount_code_view(state, r)).collect(),
        page,
        u64::try_from(total).unwrap_or(0),
    ))
}

pub async fn get_discount_code(state: &AppState, actor: &Actor, id: Uuid) -> Result<DiscountCodeView, ServiceError> {
    actor.require(Permission::PricingWrite)?;
    repo::find_discount_code(&state.db, id)
        .await?
        .map(|r| discount_code_view(state, r))
        .ok_or_else(discount_code_not_found)
}

/// A new code; one that is taken (in any case) is a 409.
pub async fn create_discount_code(
    state: &AppState,
    actor: &Actor,
    input: CreateDiscountCode,
) -> Result<DiscountCodeView, ServiceError> {
    actor.require(Permission::PricingWrite)?;
    let fields = input.parse()?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let row = repo::create_discount_code(&mut *tx, &fields).await?;
    tx.commit().await?;
    Ok(discount_code_view(state, row))
}

/// Changes the fields sent. With a version (`If-Match` or `version`), a code edited in between is
/// a 409 (uses don't count as edits).
pub async fn update_discount_code(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    if_match: Option<i32>,
    input: UpdateDiscountCode,
) -> Result<DiscountCodeView, ServiceError> {
    actor.require(Permission::PricingWrite)?;
    let version = if_match.or(input.version);
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let current = repo::find_discount_code(&mut *tx, id)
        .await?
        .ok_or_else(discount_code_not_found)?;
    let fields = input.parse_onto(&current.fields())?;
    let row = repo::update_discount_code(&mut *tx, id, version, &fields)
        .await?
        .ok_or_else(|| stale("discount code"))?;
    tx.commit().await?;
    Ok(discount_code_view(state, row))
}

/// Deletes a code. (Once orders record the codes they used, a used code is deactivated instead.)
pub async fn delete_discount_code(state: &AppState, actor: &Actor, id: Uuid) -> Result<(), ServiceError> {
    actor.require(Permission::PricingWrite)?;
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let deleted = repo::delete_discount_code(&mut *tx, id).await?;
    tx.commit().await?;
    if deleted {
        Ok(())
    } else {
        Err(discount_code_not_found())
    }
}
