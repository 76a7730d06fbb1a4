//! Carts: a guest's (found by the opaque token the guest holds: `X-Cart-Token` for API clients,
//! kept in the session for browsers) or an account's. Priced on every read from current prices.
//! On sign-in, or when an API client sends both its token and its access token, the guest's cart
//! merges into the account's: quantities added, capped at what can be bought, the shopper told.

use chrono::Utc;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::identity::Actor;
use super::{ServiceError, pricing};
use crate::auth::tokens::{hash_token, random_token};
use crate::domain::Money;
use crate::domain::cart::{
    AddCartItem, ApplyDiscountCode, CartItemView, CartView, ChosenShipping, MAX_QUANTITY, UpdateCart, UpdateCartItem,
    parse_quantity,
};
use crate::domain::identity::country_code;
use crate::domain::pricing::discounts::parse_code;
use crate::domain::pricing::rules::ShippingMethodView;
use crate::domain::pricing::{self as arithmetic, Discount, Line, Terms, Totals};
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::repositories::carts::{self as repo, CartLineRow, CartRow, Owner};
use crate::repositories::pricing as rules_repo;
use crate::state::AppState;

/// Who is asking for a cart: the signed-in account, the guest token sent, or both (which merges).
#[derive(Clone, Copy, Debug, Default)]
pub struct Shopper<'a> {
    pub actor: Option<&'a Actor>,
    pub token: Option<&'a str>,
}

/// The outcome of a change to a cart.
#[derive(Clone, Debug)]
pub struct CartChange {
    pub cart: CartView,
    /// The token of a guest cart this request made (send it back as `X-Cart-Token`).
    pub new_token: Option<String>,
    /// The line the change was about, and whether it is new.
    pub line: Option<(Uuid, bool)>,
}

fn field_error(field: &str, message: impl Into<String>) -> ServiceError {
    let mut details = FieldErrors::new();
    details.insert(field.into(), vec![message.into()]);
    AppError::validation(details).into()
}

fn cart_not_found() -> ServiceError {
    AppError::not_found("No cart with that token. It may have been checked out or expired; start a new one.").into()
}

fn item_not_found() -> ServiceError {
    AppError::not_found("No such item in your cart.").into()
}

/// A guest token as sent: anything not shaped like one of ours can't name a cart.
fn token_hash(token: &str) -> Result<Vec<u8>, ServiceError> {
    let token = token.trim();
    if token.is_empty()
        || token.len() > 100
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(cart_not_found());
    }
    Ok(hash_token(token))
}

/// The cart `shopper` reaches now, merging a guest cart into the account's first when both are
/// named; `None` when there is none yet. A guest token that names no cart is a 404 (unless an
/// account is named too: then the guest cart was merged already).
async fn current_cart(state: &AppState, shopper: Shopper<'_>) -> Result<(Option<CartRow>, Vec<String>), ServiceError> {
    match (shopper.actor, shopper.token) {
        (Some(actor), Some(token)) => {
            let notices = merge(state, actor, token).await?;
            let cart = repo::find_cart(&state.db, Owner::User(actor.user_id.0)).await?;
            Ok((cart, notices))
        }
        (Some(actor), None) => Ok((repo::find_cart(&state.db, Owner::User(actor.user_id.0)).await?, vec![])),
        (None, Some(token)) => {
            let hash = token_hash(token)?;
            let cart = repo::find_cart(&state.db, Owner::Guest(&hash))
                .await?
                .ok_or_else(cart_not_found)?;
            Ok((Some(cart), vec![]))
        }
        (None, None) => Ok((None, vec![])),
    }
}

/// Moves the guest cart of `token` into `actor`'s: quantities added, each capped at what can be
/// bought (and 99); lines that can't be bought at all are left out. Returns what the shopper
/// should be told. A token that names no cart merges nothing.
pub async fn merge(state: &AppState, actor: &Actor, token: &str) -> Result<Vec<String>, ServiceError> {
    let Ok(hash) = token_hash(token) else {
        return Ok(vec![]);
    };
    let mut tx = crate::repositories::begin_as(&state.db, actor.user_id).await?;
    let Some(guest) = repo::find_cart(&mut *tx, Owner::Guest(&hash)).await? else {
        return Ok(vec![]);
    };
    let Some(guest) = repo::lock_cart(&mut *tx, guest.id).await? else {
        return Ok(vec![]);
    };
    let account = repo::find_or_create_cart(&mut tx, Owner::User(actor.user_id.0)).await?;
    let account = repo::lock_cart(&mut *tx, account.id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let mine = repo::list_lines(&mut *tx, account.id).await?;
    let mut notices = Vec::new();
    for line in repo::list_lines(&mut *tx, guest.id).await? {
        let already = mine
            .iter()
            .find(|m| m.variant_id == line.variant_id)
            .map_or(0, |m| m.quantity);
        let wanted = already + line.quantity;
        let can = if line.purchasable {
            line.stock.min(MAX_QUANTITY)
        } else {
            0
        };
        let quantity = wanted.min(can).max(already);
        if quantity < wanted {
            notices.push(if quantity == already {
                format!(
                    "{} could not be added from your earlier cart: {}.",
                    line_label(&line),
                    unavailable_reason(&line)
                )
            } else {
                format!(
                    "Only {quantity} of {} are in your cart (you had {wanted}): that's all that can be bought now.",
                    line_label(&line)
                )
            });
        }
        if quantity > already {
            repo::put_line(&mut *tx, account.id, line.variant_id, quantity, line.price).await?;
        }
    }
    if account.discount_code_id.is_none() && guest.discount_code_id.is_some() {
        repo::set_discount_code(&mut *tx, account.id, guest.discount_code_id).await?;
    }
    if account.shipping_method_id.is_none() && account.country.is_none() {
        repo::set_choices(&mut *tx, account.id, guest.shipping_method_id, guest.country.as_deref()).await?;
    }
    repo::delete_cart(&mut *tx, guest.id).await?;
    tx.commit().await?;
    Ok(notices)
}

fn line_label(line: &CartLineRow) -> String {
    if line.variant_name.is_empty() {
        line.product_name.clone()
    } else {
        format!("{} ({})", line.product_name, line.variant_name)
    }
}

fn unavailable_reason(line: &CartLineRow) -> &'static str {
    if !line.purchasable {
        "it is no longer sold"
    } else if line.stock <= 0 {
        "it is sold out"
    } else {
        "you already have as many as can be bought"
    }
}

/// The caller's cart, priced now (an empty one when there is none yet).
pub async fn get_cart(state: &AppState, shopper: Shopper<'_>) -> Result<CartView, ServiceError> {
    let (cart, notices) = current_cart(state, shopper).await?;
    let mut view = match cart {
        Some(cart) => price_cart(state, &mut *state.db.acquire().await?, &cart, shopper.actor).await?,
        None => empty_cart(state),
    };
    view.notices = notices;
    Ok(view)
}

fn empty_cart(state: &AppState) -> CartView {
    let zero = Money::new(
        arithmetic::round(Decimal::ZERO, &state.shop.currency),
        state.shop.currency.clone(),
    );
    CartView {
        id: None,
        items: vec![],
        item_count: 0,
        discount_code: None,
        discount_problem: None,
        shipping_method: None,
        country: None,
        subtotal: zero.clone(),
        discount: zero.clone(),
        shipping: None,
        tax: None,
        tax_rate: None,
        total: zero,
        notices: vec![],
    }
}

/// The cart to change: the caller's, made if needed (a new guest cart gets a new token).
async fn cart_for_change(
    tx: &mut sqlx::PgConnection,
    shopper: Shopper<'_>,
) -> Result<(CartRow, Option<String>), ServiceError> {
    let (cart, new_token) = match (shopper.actor, shopper.token) {
        (Some(actor), _) => (repo::find_or_create_cart(tx, Owner::User(actor.user_id.0)).await?, None),
        (None, Some(token)) => {
            let hash = token_hash(token)?;
            (
                repo::find_cart(&mut *tx, Owner::Guest(&hash))
                    .await?
                    .ok_or_else(cart_not_found)?,
                None,
            )
        }
        (None, None) => {
            let token = random_token();
            let cart = repo::find_or_create_cart(tx, Owner::Guest(&hash_token(&token))).await?;
            (cart, Some(token))
        }
    };
    let cart = repo::lock_cart(&mut *tx, cart.id).await?.ok_or_else(cart_not_found)?;
    Ok((cart, new_token))
}

async fn begin(
    state: &AppState,
    shopper: Shopper<'_>,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, ServiceError> {
    Ok(match shopper.actor {
        Some(actor) => crate::repositories::begin_as(&state.db, actor.user_id).await?,
        None => state.db.begin().await?,
    })
}

/// The 422 for more units than can be bought.
fn too_many(available: i32) -> ServiceError {
    let message = if available <= 0 {
        "This item is sold out.".to_owned()
    } else {
        format!("Only {available} available.")
    };
    let mut err = AppError::validation(FieldErrors::from([("quantity".to_owned(), vec![message])]));
    err.message = "There are not that many in stock.".into();
    err.into()
}

/// Adds units of a variant (to those already in the cart): an unknown, draft or switched-off
/// variant is a 422, as is more than can be bought (saying how many can).
pub async fn add_item(state: &AppState, shopper: Shopper<'_>, input: AddCartItem) -> Result<CartChange, ServiceError> {
    let quantity = parse_quantity(input.quantity)?;
    let notices = match (shopper.actor, shopper.token) {
        (Some(actor), Some(token)) => merge(state, actor, token).await?,
        _ => vec![],
    };
    let offer = repo::find_variant_offer(&state.db, input.variant_id)
        .await?
        .filter(|o| o.purchasable)
        .ok_or_else(|| field_error("variant_id", "is not a variant on sale"))?;
    let mut tx = begin(state, shopper).await?;
    let (cart, new_token) = cart_for_change(&mut tx, shopper).await?;
    let existing = repo::find_line_for_variant(&mut *tx, cart.id, input.variant_id).await?;
    let total = existing.map_or(0, |l| l.quantity) + quantity;
    if total > MAX_QUANTITY {
        return Err(field_error(
            "quantity",
            format!(
                "A cart holds at most {MAX_QUANTITY} of one item; you have {} already.",
                existing.map_or(0, |l| l.quantity)
            ),
        ));
    }
    if total > offer.stock {
        return Err(too_many(offer.stock - existing.map_or(0, |l| l.quantity)));
    }
    let line = repo::put_line(&mut *tx, cart.id, input.variant_id, total, offer.price).await?;
    let mut view = price_cart(state, &mut tx, &cart, shopper.actor).await?;
    tx.commit().await?;
    view.notices = notices;
    Ok(CartChange {
        cart: view,
        new_token,
        line: Some((line, existing.is_none())),
    })
}

/// The caller's existing cart, locked for a change; a 404 when there is none.
async fn existing_cart(tx: &mut sqlx::PgConnection, shopper: Shopper<'_>) -> Result<CartRow, ServiceError> {
    if shopper.actor.is_none() && shopper.token.is_none() {
        return Err(cart_not_found());
    }
    let (cart, _) = cart_for_change(tx, shopper).await?;
    Ok(cart)
}

/// Sets a line's quantity (1–99, at most what can be bought).
pub async fn update_item(
    state: &AppState,
    shopper: Shopper<'_>,
    id: Uuid,
    input: UpdateCartItem,
) -> Result<CartView, ServiceError> {
    let quantity = parse_quantity(input.quantity)?;
    let mut tx = begin(state, shopper).await?;
    let cart = existing_cart(&mut tx, shopper).await?;
    let (variant, _) = repo::find_line(&mut *tx, cart.id, id)
        .await?
        .ok_or_else(item_not_found)?;
    let offer = repo::find_variant_offer(&mut *tx, variant)
        .await?
        .ok_or_else(item_not_found)?;
    if !offer.purchasable {
        return Err(too_many(0));
    }
    if quantity > offer.stock {
        return Err(too_many(offer.stock));
    }
    repo::put_line(&mut *tx, cart.id, variant, quantity, offer.price).await?;
    let view = price_cart(state, &mut tx, &cart, shopper.actor).await?;
    tx.commit().await?;
    Ok(view)
}

pub async fn remove_item(state: &AppState, shopper: Shopper<'_>, id: Uuid) -> Result<CartView, ServiceError> {
    let mut tx = begin(state, shopper).await?;
    let cart = existing_cart(&mut tx, shopper).await?;
    if !repo::delete_line(&mut *tx, cart.id, id).await? {
        return Err(item_not_found());
    }
    let view = price_cart(state, &mut tx, &cart, shopper.actor).await?;
    tx.commit().await?;
    Ok(view)
}

/// Applies a code to the cart (replacing any other): unknown, inactive, expired, used up or
/// below its minimum is a 422 saying why.
pub async fn apply_discount(
    state: &AppState,
    shopper: Shopper<'_>,
    input: ApplyDiscountCode,
) -> Result<CartView, ServiceError> {
    let code = parse_code(&input.code).map_err(|m| field_error("code", m))?;
    let mut tx = begin(state, shopper).await?;
    let cart = existing_cart(&mut tx, shopper).await?;
    let row = rules_repo::find_discount_code_by_code(&mut *tx, &code)
        .await?
        .ok_or_else(|| field_error("code", "There is no such code."))?;
    let code = pricing::discount_code_view(state, row);
    let lines = repo::list_lines(&mut *tx, cart.id).await?;
    let used = match shopper.actor {
        Some(actor) => rules_repo::count_customer_uses(&mut *tx, code.id, Some(actor.user_id.0), "").await?,
        None => 0,
    };
    code.check(Utc::now(), goods(&lines, state), used)
        .map_err(|refusal| field_error("code", refusal.message()))?;
    repo::set_discount_code(&mut *tx, cart.id, Some(code.id)).await?;
    let cart = CartRow {
        discount_code_id: Some(code.id),
        ..cart
    };
    let view = price_cart(state, &mut tx, &cart, shopper.actor).await?;
    tx.commit().await?;
    Ok(view)
}

pub async fn remove_discount(state: &AppState, shopper: Shopper<'_>) -> Result<CartView, ServiceError> {
    let mut tx = begin(state, shopper).await?;
    let cart = existing_cart(&mut tx, shopper).await?;
    repo::set_discount_code(&mut *tx, cart.id, None).await?;
    let cart = CartRow {
        discount_code_id: None,
        ..cart
    };
    let view = price_cart(state, &mut tx, &cart, shopper.actor).await?;
    tx.commit().await?;
    Ok(view)
}

/// Records the shipping method and country chosen so far, so the totals show shipping and tax.
pub async fn update_cart(state: &AppState, shopper: Shopper<'_>, input: UpdateCart) -> Result<CartView, ServiceError> {
    let country = match input.country {
        Some(Some(raw)) => Some(Some(country_code(&raw).map_err(|m| field_error("country", m))?)),
        Some(None) => Some(None),
        None => None,
    };
    let mut tx = begin(state, shopper).await?;
    let cart = existing_cart(&mut tx, shopper).await?;
    let method = input.shipping_method_id.unwrap_or(cart.shipping_method_id);
    let country = country.unwrap_or(cart.country.clone());
    if let Some(id) = method {
        let method = rules_repo::find_shipping_method(&mut *tx, id)
            .await?
            .filter(|m| m.active)
            .ok_or_else(|| field_error("shipping_method_id", "is not a shipping method we offer"))?;
        if let Some(country) = country.as_deref().filter(|c| !method.countries.iter().any(|m| m == c)) {
            return Err(field_error(
                "shipping_method_id",
                format!("{} does not ship to {country}", method.name),
            ));
        }
    }
    repo::set_choices(&mut *tx, cart.id, method, country.as_deref()).await?;
    let cart = CartRow {
        shipping_method_id: method,
        country,
        ..cart
    };
    let view = price_cart(state, &mut tx, &cart, shopper.actor).await?;
    tx.commit().await?;
    Ok(view)
}

/// The goods' worth at today's prices (lines that can't be bought left out).
fn goods(lines: &[CartLineRow], state: &AppState) -> Decimal {
    arithmetic::price(&pricing_lines(lines), &Terms::default(), &state.shop.currency).subtotal
}

fn pricing_lines(lines: &[CartLineRow]) -> Vec<Line> {
    lines
        .iter()
        .map(|l| Line {
            unit_price: if l.purchasable { l.price } else { Decimal::ZERO },
            quantity: if l.purchasable { l.quantity.max(0) as u32 } else { 0 },
        })
        .collect()
}

/// Prices lines: the discount first (on the goods), then shipping (free above the method's
/// threshold, judged on the goods after the discount), then tax on both. The one rule for carts
/// and orders.
pub fn quote(
    lines: &[Line],
    discount: Option<&Discount>,
    method: Option<&ShippingMethodView>,
    tax_rate: Option<Decimal>,
    currency: &crate::domain::Currency,
) -> Totals {
    let goods = arithmetic::price(
        lines,
        &Terms {
            discount,
            ..Terms::default()
        },
        currency,
    );
    let shipping = method.map(|m| m.price_for(goods.subtotal - goods.discount));
    arithmetic::price(
        lines,
        &Terms {
            discount,
            shipping,
            tax_rate,
        },
        currency,
    )
}

/// The cart's view at today's prices, discount, shipping and tax.
async fn price_cart(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    cart: &CartRow,
    actor: Option<&Actor>,
) -> Result<CartView, ServiceError> {
    let lines = repo::list_lines(&mut *conn, cart.id).await?;
    let currency = &state.shop.currency;
    let money = |amount| Money::new(amount, currency.clone());

    let mut discount_code = None;
    let mut discount_problem = None;
    let mut discount = None;
    if let Some(id) = cart.discount_code_id
        && let Some(row) = rules_repo::find_discount_code(&mut *conn, id).await?
    {
        let code = pricing::discount_code_view(state, row);
        let used = match actor {
            Some(actor) => rules_repo::count_customer_uses(&mut *conn, code.id, Some(actor.user_id.0), "").await?,
            None => 0,
        };
        match code.check(Utc::now(), goods(&lines, state), used) {
            Ok(d) => discount = Some(d),
            Err(refusal) => discount_problem = Some(refusal.message()),
        }
        discount_code = Some(code.code);
    }
    let method = match cart.shipping_method_id {
        Some(id) => rules_repo::find_shipping_method(&mut *conn, id)
            .await?
            .filter(|m| m.active)
            .map(|m| pricing::shipping_method_view(state, m)),
        None => None,
    };
    let tax_rate = match cart.country.as_deref() {
        Some(country) => Some(
            rules_repo::find_tax_rate(&mut *conn, country)
                .await?
                .map_or(Decimal::ZERO, |r| r.rate.normalize()),
        ),
        None => None,
    };
    let totals = quote(
        &pricing_lines(&lines),
        discount.as_ref(),
        method.as_ref(),
        tax_rate,
        currency,
    );
    let items = lines
        .iter()
        .zip(&totals.lines)
        .map(|(line, priced)| CartItemView {
            id: line.id,
            variant_id: line.variant_id,
            product_id: line.product_id,
            product_name: line.product_name.clone(),
            product_slug: line.product_slug.clone(),
            variant_name: line.variant_name.clone(),
            sku: line.sku.clone(),
            options: line.options.clone(),
            quantity: line.quantity,
            unit_price: money(line.price),
            added_price: money(line.added_price),
            price_changed: line.price != line.added_price,
            available: if line.purchasable { line.stock.max(0) } else { 0 },
            amount: money(priced.amount),
            discount: money(priced.discount),
            tax: money(priced.tax),
            total: money(priced.total),
        })
        .collect();
    Ok(CartView {
        id: Some(cart.id),
        items,
        item_count: lines.iter().map(|l| l.quantity).sum(),
        discount_code,
        discount_problem,
        shipping_method: method.as_ref().map(|m| ChosenShipping {
            id: m.id,
            name: m.name.clone(),
        }),
        country: cart.country.clone(),
        subtotal: money(totals.subtotal),
        discount: money(totals.discount),
        shipping: method.as_ref().map(|_| money(totals.shipping)),
        tax: tax_rate.map(|_| money(totals.tax)),
        tax_rate,
        total: money(totals.total),
        notices: vec![],
    })
}

/// The number of units in the caller's cart, for the header (0 without a cart).
pub async fn count_items(state: &AppState, shopper: Shopper<'_>) -> Result<i32, ServiceError> {
    let view = match current_cart(state, shopper).await {
        Ok((Some(cart), _)) => repo::list_lines(&state.db, cart.id)
            .await?
            .iter()
            .map(|l| l.quantity)
            .sum(),
        Ok((None, _)) => 0,
        Err(ServiceError::Client(err)) if err.code == ErrorCode::NotFound => 0,
        Err(err) => return Err(err),
    };
    Ok(view)
}

/// How long a guest's cart is kept untouched.
const GUEST_CART_DAYS: i32 = 30;

/// Deletes guests' carts nobody touched for 30 days (run by the scheduler); returns how many.
pub async fn delete_abandoned(state: &AppState) -> Result<u64, ServiceError> {
    Ok(repo::delete_abandoned_guest_carts(&state.db, GUEST_CART_DAYS).await?)
}

/// The active methods that ship to `country`, each priced for the caller's cart as it stands
/// (free above the method's threshold, judged on the goods after the discount).
pub async fn shipping_options(
    state: &AppState,
    shopper: Shopper<'_>,
    country: &str,
) -> Result<Vec<crate::domain::orders::ShippingOption>, ServiceError> {
    let country = country_code(country).map_err(|m| field_error("country", m))?;
    let cart = get_cart(state, shopper).await?;
    let goods = cart.subtotal.amount - cart.discount.amount;
    let methods = rules_repo::list_shipping_methods(&state.db, false, Some(&country), 100, 0).await?;
    Ok(methods
        .into_iter()
        .map(|m| pricing::shipping_method_view(state, m))
        .map(|m| crate::domain::orders::ShippingOption {
            id: m.id,
            price: Money::new(
                arithmetic::round(m.price_for(goods), &state.shop.currency),
                state.shop.currency.clone(),
            ),
            name: m.name,
        })
        .collect())
}
