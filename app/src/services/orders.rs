//! Checkout and orders. Checkout turns the caller's cart into an order in ONE transaction: it
//! re-reads prices, locks the variants and takes their stock with conditional updates, takes a
//! use of the discount code (race-free, per code and per customer), writes the order and its
//! lines as snapshots, records the first status, queues the confirmation mail and empties the
//! cart. Anything short or refused rolls all of it back.
//!
//! Orders then move through the machine of [`OrderStatus`]; every move is recorded and mailed,
//! in the transaction that makes it. Customers see their own orders (guests theirs through the
//! key in their order's link); staff with `orders:manage` see and move every order.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::carts::{self, Shopper};
use super::identity::Actor;
use super::payments::{self, PaymentRequest, RefundOutcome};
use super::{ServiceError, pricing, stale};
use crate::adapters::jobs::{self, Job};
use crate::adapters::mail;
use crate::auth::tokens::{hash_token, random_token};
use crate::domain::identity::{AddressId, AddressInput, Email, Permission};
use crate::domain::orders::{
    ChangeOrderStatus, OrderAddress, OrderItemView, OrderStatus, OrderSummary, OrderView, PaymentView, PlaceOrder,
    PlacedOrder, TransitionView,
};
use crate::domain::pricing::Line;
use crate::domain::{Money, Page, PageRequest};
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::repositories;
use crate::repositories::carts::{self as cart_repo, Owner};
use crate::repositories::orders::{self as repo, NewOrder, OrderFilter, OrderItemRow, OrderRow};
use crate::repositories::pricing as rules_repo;
use crate::state::AppState;

fn order_not_found() -> ServiceError {
    AppError::not_found("No such order.").into()
}

fn field_error(field: &str, message: impl Into<String>) -> ServiceError {
    AppError::validation(FieldErrors::from([(field.to_owned(), vec![message.into()])])).into()
}

/// Parses an address, naming its fields under `prefix` (`shipping_address.city`).
fn address(input: AddressInput, prefix: &str) -> Result<OrderAddress, AppError> {
    input.parse().map(OrderAddress::from).map_err(|err| {
        let details = err
            .details
            .unwrap_or_default()
            .into_iter()
            .map(|(field, messages)| (format!("{prefix}.{field}"), messages))
            .collect();
        AppError::validation(details)
    })
}

/// The checked parts of a checkout request.
struct Destination {
    email: String,
    shipping: OrderAddress,
    billing: OrderAddress,
    method: Uuid,
}

async fn destination(state: &AppState, actor: Option<&Actor>, input: PlaceOrder) -> Result<Destination, ServiceError> {
    let mut details = FieldErrors::new();
    let mut note = |field: &str, message: String| details.entry(field.to_owned()).or_default().push(message);
    let email = match actor {
        Some(actor) => Some(actor.user.email.clone()),
        None => match Email::parse(input.email.as_deref().unwrap_or_default()) {
            Ok(email) => Some(email.as_str().to_owned()),
            Err(message) => {
                note("email", message);
                None
            }
        },
    };
    let method = input.shipping_method_id;
    if method.is_none() {
        note("shipping_method_id", "is required".into());
    }
    let shipping = match (input.address_id, input.shipping_address) {
        (Some(_), Some(_)) => {
            note(
                "address_id",
                "send either address_id or shipping_address, not both".into(),
            );
            None
        }
        (Some(id), None) => match actor {
            Some(actor) => {
                let found = repositories::identity::find_address(&state.db, actor.user_id, AddressId(id)).await?;
                match found {
                    Some(a) => Some(OrderAddress::from(a)),
                    None => {
                        note("address_id", "is not one of your saved addresses".into());
                        None
                    }
                }
            }
            None => {
                note(
                    "address_id",
                    "needs you to be signed in; send shipping_address instead".into(),
                );
                None
            }
        },
        (None, Some(input)) => match address(input, "shipping_address") {
            Ok(a) => Some(a),
            Err(err) => {
                details.extend(err.details.unwrap_or_default());
                None
            }
        },
        (None, None) => {
            note(
                "shipping_address",
                "is required (or address_id, for a saved address)".into(),
            );
            None
        }
    };
    let billing = match input.billing_address.map(|b| address(b, "billing_address")) {
        Some(Ok(b)) => Some(b),
        Some(Err(err)) => {
            details.extend(err.details.unwrap_or_default());
            None
        }
        None => None,
    };
    if !details.is_empty() {
        return Err(AppError::validation(details).into());
    }
    let (Some(email), Some(shipping), Some(method)) = (email, shipping, method) else {
        return Err(AppError::from_code(ErrorCode::ValidationError).into());
    };
    Ok(Destination {
        email,
        billing: billing.unwrap_or_else(|| shipping.clone()),
        shipping,
        method,
    })
}

/// Places an order from the caller's cart (see the module's documentation).
pub async fn place_order(
    state: &AppState,
    shopper: Shopper<'_>,
    input: PlaceOrder,
) -> Result<PlacedOrder, ServiceError> {
    let destination = destination(state, shopper.actor, input).await?;
    if let (Some(actor), Some(token)) = (shopper.actor, shopper.token) {
        carts::merge(state, actor, token).await?;
    }
    let empty = || -> ServiceError {
        AppError::new(
            ErrorCode::BusinessRuleViolation,
            "Your cart is empty: add something before checking out.",
        )
        .into()
    };
    let hash;
    let owner = match (shopper.actor, shopper.token) {
        (Some(actor), _) => Owner::User(actor.user_id.0),
        (None, Some(token)) => {
            hash = hash_token(token.trim());
            Owner::Guest(&hash)
        }
        (None, None) => return Err(empty()),
    };
    let mut tx = match shopper.actor {
        Some(actor) => repositories::begin_as(&state.db, actor.user_id).await?,
        None => state.db.begin().await?,
    };
    let cart = cart_repo::find_cart(&mut *tx, owner).await?.ok_or_else(empty)?;
    let cart = cart_repo::lock_cart(&mut *tx, cart.id).await?.ok_or_else(empty)?;
    let lines = cart_repo::list_lines(&mut *tx, cart.id).await?;
    if lines.is_empty() {
        return Err(empty());
    }

    // Stock: lock every variant (in id order), then refuse if any line is short.
    let ids: Vec<Uuid> = lines.iter().map(|l| l.variant_id).collect();
    let locked: HashMap<Uuid, i32> = repo::lock_variants(&mut *tx, &ids)
        .await?
        .into_iter()
        .map(|v| (v.id, if v.purchasable { v.stock.max(0) } else { 0 }))
        .collect();
    let mut short = FieldErrors::new();
    for line in &lines {
        let available = locked.get(&line.variant_id).copied().unwrap_or(0);
        if line.quantity > available {
            short.insert(
                line.variant_id.to_string(),
                vec![format!(
                    "Only {available} of {} available; your cart has {}.",
                    line.sku, line.quantity
                )],
            );
        }
    }
    if !short.is_empty() {
        return Err(AppError {
            details: Some(short),
            ..AppError::from_code(ErrorCode::OutOfStock)
        }
        .into());
    }

    // Shipping and tax for the destination.
    let country = destination.shipping.country.clone();
    let method = rules_repo::find_shipping_method(&mut *tx, destination.method)
        .await?
        .filter(|m| m.active)
        .map(|m| pricing::shipping_method_view(state, m))
        .ok_or_else(|| field_error("shipping_method_id", "is not a shipping method we offer"))?;
    if !method.serves(&country) {
        return Err(field_error(
            "shipping_method_id",
            format!("{} does not ship to {country}", method.name),
        ));
    }
    let tax_rate = rules_repo::find_tax_rate(&mut *tx, &country)
        .await?
        .map_or(Decimal::ZERO, |r| r.rate.normalize());

    // The discount: take a use first (that locks the code), then check it as it was.
    let price_lines: Vec<Line> = lines
        .iter()
        .map(|l| Line {
            unit_price: l.price,
            quantity: l.quantity as u32,
        })
        .collect();
    let goods = carts::quote(&price_lines, None, None, None, &state.shop.currency).subtotal;
    let mut discount = None;
    let mut code = None;
    if let Some(code_id) = cart.discount_code_id {
        let taken = rules_repo::take_discount_use(&mut *tx, code_id)
            .await?
            .ok_or_else(|| field_error("discount_code", "This code has been used as many times as it may be."))?;
        let mut before = pricing::discount_code_view(state, taken);
        before.times_used -= 1;
        let used = rules_repo::count_customer_uses(
            &mut *tx,
            code_id,
            shopper.actor.map(|a| a.user_id.0),
            &destination.email,
        )
        .await?;
        discount = Some(
            before
                .check(Utc::now(), goods, used)
                .map_err(|refusal| field_error("discount_code", refusal.message()))?,
        );
        code = Some(before);
    }
    let totals = carts::quote(
        &price_lines,
        discount.as_ref(),
        Some(&method),
        Some(tax_rate),
        &state.shop.currency,
    );

    let quantities: Vec<i32> = lines.iter().map(|l| l.quantity).collect();
    if repo::take_stock(&mut *tx, &ids, &quantities).await? != ids.len() as u64 {
        return Err(AppError::from_code(ErrorCode::OutOfStock).into());
    }
    let provider = payments::default_provider();
    let access_key = random_token();
    let to_json = |a: &OrderAddress| serde_json::to_value(a).unwrap_or_default();
    let order_id = repo::insert_order(
        &mut *tx,
        &NewOrder {
            user_id: shopper.actor.map(|a| a.user_id.0),
            email: &destination.email,
            currency: state.shop.currency.as_str(),
            subtotal: totals.subtotal,
            discount: totals.discount,
            shipping: totals.shipping,
            tax: totals.tax,
            total: totals.total,
            tax_rate,
            discount_code_id: code.as_ref().map(|c| c.id),
            discount_code: code.as_ref().map(|c| c.code.as_str()),
            shipping_method_id: method.id,
            shipping_method_name: &method.name,
            shipping_address: to_json(&destination.shipping),
            billing_address: to_json(&destination.billing),
            payment_provider: provider.name(),
            access_key_hash: &hash_token(&access_key),
        },
    )
    .await?;
    let items: Vec<OrderItemRow> = lines
        .iter()
        .zip(&totals.lines)
        .map(|(line, priced)| OrderItemRow {
            variant_id: line.variant_id,
            product_id: line.product_id,
            product_name: line.product_name.clone(),
            variant_name: line.variant_name.clone(),
            sku: line.sku.clone(),
            options: line.options.clone(),
            unit_price: line.price,
            quantity: line.quantity,
            amount: priced.amount,
            discount: priced.discount,
            tax: priced.tax,
            total: priced.total,
        })
        .collect();
    repo::insert_items(&mut *tx, order_id, &items).await?;
    let actor_id = shopper.actor.map(|a| a.user_id.0);
    repo::insert_transition(
        &mut *tx,
        order_id,
        None,
        OrderStatus::PendingPayment,
        actor_id,
        "Order placed",
    )
    .await?;
    cart_repo::clear_cart(&mut tx, cart.id).await?;
    let order = load(state, &mut tx, order_id).await?;
    let link = format!("{}/orders/{}?key={access_key}", state.shop.public_url, order.id);
    let name = shopper.actor.map_or(destination.shipping.full_name.as_str(), |a| {
        a.user.display_name.as_str()
    });
    jobs::enqueue(
        &mut *tx,
        &Job::SendMail(mail::order_placed(&mail_facts(state, &order, name, &link))),
    )
    .await?;
    tx.commit().await?;
    super::catalog::catalog_changed(state).await;
    tracing::info!(event = "order_placed", order = %order.number, total = %order.total, "order placed");
    Ok(PlacedOrder { order, access_key })
}

/// What an order's mails say about it.
fn mail_facts<'a>(state: &'a AppState, order: &'a OrderView, name: &'a str, link: &'a str) -> mail::OrderFacts<'a> {
    mail::OrderFacts {
        shop: &state.shop.name,
        to: &order.email,
        name,
        link,
        number: &order.number,
        status: order.status.label(),
        lines: order
            .items
            .iter()
            .map(|i| {
                let name = if i.variant_name.is_empty() {
                    i.product_name.clone()
                } else {
                    format!("{} ({})", i.product_name, i.variant_name)
                };
                (format!("{} × {name}", i.quantity), i.total.to_string())
            })
            .collect(),
        total: order.total.to_string(),
        payment: &order.payment.instructions,
        tracking_number: order.tracking_number.as_deref(),
    }
}

/// The order as its readers see it.
async fn load(state: &AppState, db: &mut sqlx::PgConnection, id: Uuid) -> Result<OrderView, ServiceError> {
    let row = repo::find_order(&mut *db, id).await?.ok_or_else(order_not_found)?;
    view(state, db, row).await
}

async fn view(state: &AppState, db: &mut sqlx::PgConnection, row: OrderRow) -> Result<OrderView, ServiceError> {
    let items = repo::list_items(&mut *db, row.id).await?;
    let history = repo::list_transitions(&mut *db, row.id).await?;
    let currency = state.shop.currency.clone();
    let money = |amount| Money::new(amount, currency.clone());
    let total = money(row.total);
    let provider = payments::provider(&row.payment_provider);
    let instructions = provider.instructions(&PaymentRequest {
        number: &row.number,
        total: &total,
    });
    let address = |value: serde_json::Value| serde_json::from_value(value).unwrap_or_default();
    Ok(OrderView {
        id: row.id,
        number: row.number,
        status: row.status,
        email: row.email,
        user_id: row.user_id,
        items: items
            .into_iter()
            .map(|i| OrderItemView {
                variant_id: i.variant_id,
                product_id: i.product_id,
                product_name: i.product_name,
                variant_name: i.variant_name,
                sku: i.sku,
                options: i.options,
                unit_price: money(i.unit_price),
                quantity: i.quantity,
                amount: money(i.amount),
                discount: money(i.discount),
                tax: money(i.tax),
                total: money(i.total),
            })
            .collect(),
        subtotal: money(row.subtotal),
        discount: money(row.discount),
        discount_code: row.discount_code,
        shipping: money(row.shipping),
        shipping_method: row.shipping_method_name,
        tax: money(row.tax),
        tax_rate: row.tax_rate.normalize(),
        total,
        shipping_address: address(row.shipping_address),
        billing_address: address(row.billing_address),
        payment: PaymentView {
            provider: provider.name().to_owned(),
            instructions,
        },
        tracking_number: row.tracking_number,
        refunded: row.refunded.map(money),
        history: history
            .into_iter()
            .map(|t| TransitionView {
                from: t.from_status,
                to: t.to_status,
                actor_id: t.actor_id,
                note: t.note,
                at: t.created_at,
            })
            .collect(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// Who asks for an order: an account, and/or the key of a guest's order link.
#[derive(Clone, Copy, Debug, Default)]
pub struct OrderReader<'a> {
    pub actor: Option<&'a Actor>,
    pub key: Option<&'a str>,
}

/// Whether `reader` may see `row`: its customer, staff with `orders:manage`, or whoever holds
/// its key. Anyone else is told it doesn't exist.
fn may_read(reader: OrderReader<'_>, row: &OrderRow) -> bool {
    let own = reader
        .actor
        .is_some_and(|a| row.user_id == Some(a.user_id.0) || a.role.can(Permission::OrdersManage));
    let keyed = reader
        .key
        .is_some_and(|k| !k.is_empty() && k.len() <= 100 && hash_token(k) == row.access_key_hash);
    own || keyed
}

/// One order, for its customer, staff, or the holder of its key.
pub async fn get_order(state: &AppState, reader: OrderReader<'_>, id: Uuid) -> Result<OrderView, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let row = repo::find_order(&mut *conn, id)
        .await?
        .filter(|row| may_read(reader, row))
        .ok_or_else(order_not_found)?;
    view(state, &mut conn, row).await
}

/// Any order, for the order desk (`orders:manage`).
pub async fn get_order_for_staff(state: &AppState, actor: &Actor, id: Uuid) -> Result<OrderView, ServiceError> {
    actor.require(Permission::OrdersManage)?;
    get_order(
        state,
        OrderReader {
            actor: Some(actor),
            key: None,
        },
        id,
    )
    .await
}

/// Sends the customer a fresh copy of their order as it stands (`orders:manage`): what they
/// bought, its status, and how to pay while it awaits payment.
pub async fn resend_order_mail(state: &AppState, actor: &Actor, id: Uuid) -> Result<(), ServiceError> {
    let order = get_order_for_staff(state, actor, id).await?;
    let link = customer_link(state, &order);
    let name = order.shipping_address.full_name.clone();
    let facts = mail_facts(state, &order, &name, &link);
    let note = if order.status == OrderStatus::PendingPayment {
        order.payment.instructions.clone()
    } else {
        "Here is a copy of your order, as you asked.".to_owned()
    };
    jobs::enqueue(&state.db, &Job::SendMail(mail::order_status_changed(&facts, &note))).await?;
    tracing::info!(event = "order_mail_resent", order = %order.number, "order mail sent again");
    Ok(())
}

/// Where a customer reads their order: the account's page, or (guests) the order's page, which
/// needs the key from the confirmation mail.
fn customer_link(state: &AppState, order: &OrderView) -> String {
    match order.user_id {
        Some(_) => format!("{}/account/orders/{}", state.shop.public_url, order.id),
        None => format!("{}/orders/{}", state.shop.public_url, order.id),
    }
}

/// Filters of the staff-wide list.
#[derive(Clone, Debug, Default)]
pub struct OrderQuery {
    pub all: bool,
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub email: Option<String>,
}

fn instant(field: &str, raw: &str) -> Result<DateTime<Utc>, ServiceError> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        })
        .map_err(|_| field_error(field, "must be a date (2026-11-26) or an RFC 3339 time"))
}

/// Orders newest first: always the caller's own, unless `all` is asked for (which needs
/// `orders:manage` and takes the filters).
pub async fn list_orders(
    state: &AppState,
    actor: &Actor,
    query: OrderQuery,
    page: PageRequest,
) -> Result<Page<OrderSummary>, ServiceError> {
    if query.all {
        actor.require(Permission::OrdersManage)?;
    }
    // An empty filter is no filter (a form's blank field).
    let given = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let status = given(&query.status)
        .map(|s| OrderStatus::parse(&s).map_err(|m| field_error("status", m)))
        .transpose()?;
    let from = given(&query.from).map(|f| instant("from", &f)).transpose()?;
    let to = given(&query.to).map(|t| instant("to", &t)).transpose()?;
    let email = crate::domain::search_term(query.email.as_deref(), 254)?;
    let filter = OrderFilter {
        user: (!query.all).then_some(actor.user_id.0),
        status,
        from,
        to,
        email,
    };
    let rows = repo::list_orders(&state.db, &filter, page.limit(), page.offset()).await?;
    let total = repo::count_orders(&state.db, &filter).await?;
    let currency = &state.shop.currency;
    Ok(Page::new(
        rows.into_iter()
            .map(|r| OrderSummary {
                id: r.id,
                number: r.number,
                status: r.status,
                email: r.email,
                item_count: r.item_count,
                total: Money::new(r.total, currency.clone()),
                created_at: r.created_at,
            })
            .collect(),
        page,
        u64::try_from(total).unwrap_or(0),
    ))
}

/// Who moves an order: staff, the customer (cancelling), or the shop itself (a job).
enum Mover<'a> {
    Staff(&'a Actor),
    Customer(OrderReader<'a>),
    Shop,
}

/// Moves an order to `to` in one transaction: checks the machine, returns stock and the
/// discount use on cancellation (a paid order's total is refunded), records the move and
/// queues the customer's mail.
async fn transition(
    state: &AppState,
    mover: Mover<'_>,
    id: Uuid,
    version: Option<i32>,
    to: OrderStatus,
    note: &str,
    tracking_number: Option<&str>,
) -> Result<OrderView, ServiceError> {
    let actor = match &mover {
        Mover::Staff(actor) => Some(*actor),
        Mover::Customer(reader) => reader.actor,
        Mover::Shop => None,
    };
    let mut tx = match actor {
        Some(actor) => repositories::begin_as(&state.db, actor.user_id).await?,
        None => state.db.begin().await?,
    };
    let row = repo::lock_order(&mut *tx, id).await?.ok_or_else(order_not_found)?;
    if let Mover::Customer(reader) = &mover
        && !may_read(*reader, &row)
    {
        return Err(order_not_found());
    }
    if version.is_some_and(|v| v != row.version) {
        return Err(stale("order"));
    }
    let from = row.status;
    from.transition(to)?;
    let mut refunded = None;
    let mut stock_moved = false;
    if to == OrderStatus::Cancelled {
        repo::return_stock(&mut *tx, id).await?;
        stock_moved = true;
        if let Some(code) = row.discount_code_id {
            rules_repo::return_discount_use(&mut *tx, code).await?;
        }
        if from == OrderStatus::Paid {
            let total = Money::new(row.total, state.shop.currency.clone());
            let request = PaymentRequest {
                number: &row.number,
                total: &total,
            };
            refunded = Some(
                match payments::provider(&row.payment_provider).refund(&request, row.total) {
                    RefundOutcome::Refunded(amount) | RefundOutcome::ToBePaidBack(amount) => amount,
                },
            );
        }
    }
    repo::set_status(&mut *tx, id, None, to, tracking_number, refunded)
        .await?
        .ok_or_else(|| stale("order"))?;
    repo::insert_transition(&mut *tx, id, Some(from), to, actor.map(|a| a.user_id.0), note).await?;
    let order = load(state, &mut tx, id).await?;
    let link = customer_link(state, &order);
    let name = order.shipping_address.full_name.clone();
    jobs::enqueue(
        &mut *tx,
        &Job::SendMail(mail::order_status_changed(
            &mail_facts(state, &order, &name, &link),
            note,
        )),
    )
    .await?;
    tx.commit().await?;
    if stock_moved {
        super::catalog::catalog_changed(state).await;
    }
    tracing::info!(event = "order_transition", order = %order.number, from = %from, to = %to, "order moved");
    Ok(order)
}

/// A staff change of status (`orders:manage`), with a note, and a tracking number for
/// `fulfilled`. With a version (`If-Match` or `version`), an order changed in between is a 409.
pub async fn change_status(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    if_match: Option<i32>,
    input: ChangeOrderStatus,
) -> Result<OrderView, ServiceError> {
    actor.require(Permission::OrdersManage)?;
    let version = if_match.or(input.version);
    let change = input.parse()?;
    transition(
        state,
        Mover::Staff(actor),
        id,
        version,
        change.status,
        &change.note,
        change.tracking_number.as_deref(),
    )
    .await
}

/// The customer cancels their order, which they may while it awaits payment.
pub async fn cancel_order(state: &AppState, reader: OrderReader<'_>, id: Uuid) -> Result<OrderView, ServiceError> {
    let current = get_order(state, reader, id).await?;
    if current.status != OrderStatus::PendingPayment {
        return Err(AppError::new(
            ErrorCode::InvalidTransition,
            format!(
                "An order that is {} can't be cancelled by its customer: only while it awaits payment. Contact us instead.",
                current.status
            ),
        )
        .into());
    }
    transition(
        state,
        Mover::Customer(reader),
        id,
        None,
        OrderStatus::Cancelled,
        "Cancelled by the customer",
        None,
    )
    .await
}

/// Records a provider's confirmed payment (the entry point for a card provider's webhook).
pub async fn record_payment(state: &AppState, id: Uuid, note: &str) -> Result<OrderView, ServiceError> {
    transition(state, Mover::Shop, id, None, OrderStatus::Paid, note, None).await
}

/// Cancels orders left unpaid for longer than `after`, returning their stock; returns how
/// many. Run by the scheduler.
pub async fn cancel_unpaid(state: &AppState, after: std::time::Duration) -> Result<u64, ServiceError> {
    let cutoff = Utc::now() - chrono::Duration::from_std(after).unwrap_or(chrono::Duration::days(1));
    let hours = after.as_secs_f64() / 3600.0;
    let note = format!("Not paid within {hours:.0} hours");
    let mut cancelled = 0;
    loop {
        let batch = repo::list_unpaid_before(&state.db, cutoff, 100).await?;
        if batch.is_empty() {
            return Ok(cancelled);
        }
        for id in batch {
            match transition(state, Mover::Shop, id, None, OrderStatus::Cancelled, &note, None).await {
                Ok(_) => cancelled += 1,
                // Paid or cancelled in the meantime: nothing to do.
                Err(ServiceError::Client(err)) if err.code == ErrorCode::InvalidTransition => {}
                Err(err) => return Err(err),
            }
        }
    }
}
