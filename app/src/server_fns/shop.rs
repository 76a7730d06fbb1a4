//! Server functions of the shop for browsers: the cart, the checkout's steps and the customer's
//! orders. A guest's cart token lives in the session; signing in merges that cart into the
//! account's. Every form posts without JavaScript too: on success it goes on to the next page,
//! on failure the page comes back with the error (and the checkout's fields as typed).

use leptos::prelude::*;

use crate::domain::Page;
use crate::domain::cart::CartView;
use crate::domain::orders::{CheckoutView, OrderSummary, OrderView};
use crate::error::AppError;

/// The session key of the checkout's draft.
#[cfg(feature = "ssr")]
const CHECKOUT: &str = "checkout";

#[cfg(feature = "ssr")]
mod caller {
    use crate::error::AppError;
    use crate::services::identity::Actor;

    /// The browser's shopper: the signed-in account and/or the session's guest cart token.
    pub struct WebShopper {
        pub actor: Option<Actor>,
        pub token: Option<String>,
    }

    impl WebShopper {
        pub async fn current() -> Result<Self, AppError> {
            Ok(Self {
                actor: super::super::web::actor().await?,
                token: super::super::web::cart_token().await?,
            })
        }

        pub fn shopper(&self) -> crate::services::carts::Shopper<'_> {
            crate::services::carts::Shopper {
                actor: self.actor.as_ref(),
                token: self.token.as_deref(),
            }
        }
    }
}

/// A number typed into a form, or a 422 naming the field.
#[cfg(feature = "ssr")]
fn number(field: &str, raw: &str) -> Result<i64, AppError> {
    raw.trim().parse().map_err(|_| {
        AppError::validation(crate::error::FieldErrors::from([(
            field.to_owned(),
            vec!["must be a whole number".to_owned()],
        )]))
    })
}

#[cfg(feature = "ssr")]
fn id(field: &str, raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.trim().parse().map_err(|_| {
        AppError::validation(crate::error::FieldErrors::from([(
            field.to_owned(),
            vec!["is not a valid id".to_owned()],
        )]))
    })
}

/// The caller's cart, priced now, with anything the shop must tell about it (once).
#[server(prefix = "/api/fn", endpoint = "cart", input = server_fn::codec::GetUrl)]
pub async fn get_cart() -> Result<CartView, AppError> {
    use super::{respond, state, web};
    use crate::services::carts;

    let caller = caller::WebShopper::current().await?;
    let mut cart = respond(carts::get_cart(&state()?, caller.shopper()).await)?;
    cart.notices.extend(web::take_cart_notices().await?);
    Ok(cart)
}

/// Units in the caller's cart, for the header.
#[server(prefix = "/api/fn", endpoint = "cart_count", input = server_fn::codec::GetUrl)]
pub async fn cart_count() -> Result<i32, AppError> {
    use super::{respond, state};
    use crate::services::carts;

    let caller = caller::WebShopper::current().await?;
    respond(carts::count_items(&state()?, caller.shopper()).await)
}

/// Adds units of a variant; returns the cart's new count (the page's header shows it). Without
/// JavaScript, goes on to the cart.
#[server(prefix = "/api/fn", endpoint = "add_to_cart")]
pub async fn add_to_cart(variant_id: String, quantity: Option<String>) -> Result<i32, AppError> {
    use super::{respond, state, web};
    use crate::domain::cart::AddCartItem;
    use crate::services::carts;

    let input = AddCartItem {
        variant_id: respond(id("variant_id", &variant_id))?,
        quantity: respond(number("quantity", quantity.as_deref().unwrap_or("1")))?,
    };
    let caller = caller::WebShopper::current().await?;
    let change = respond(carts::add_item(&state()?, caller.shopper(), input).await)?;
    if let Some(token) = &change.new_token {
        web::set_cart_token(token).await?;
    }
    if web::is_form_post() {
        leptos_axum::redirect("/cart");
    }
    Ok(change.cart.item_count)
}

#[server(prefix = "/api/fn", endpoint = "update_cart_item")]
pub async fn update_cart_item(item_id: String, quantity: String) -> Result<(), AppError> {
    use super::{respond, state};
    use crate::domain::cart::UpdateCartItem;
    use crate::services::carts;

    let item = respond(id("item_id", &item_id))?;
    let input = UpdateCartItem {
        quantity: respond(number("quantity", &quantity))?,
    };
    let caller = caller::WebShopper::current().await?;
    respond(carts::update_item(&state()?, caller.shopper(), item, input).await)?;
    leptos_axum::redirect("/cart");
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "remove_cart_item")]
pub async fn remove_cart_item(item_id: String) -> Result<(), AppError> {
    use super::{respond, state};
    use crate::services::carts;

    let item = respond(id("item_id", &item_id))?;
    let caller = caller::WebShopper::current().await?;
    respond(carts::remove_item(&state()?, caller.shopper(), item).await)?;
    leptos_axum::redirect("/cart");
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "apply_discount_code")]
pub async fn apply_discount_code(code: String) -> Result<(), AppError> {
    use super::{respond, state};
    use crate::domain::cart::ApplyDiscountCode;
    use crate::services::carts;

    let caller = caller::WebShopper::current().await?;
    respond(carts::apply_discount(&state()?, caller.shopper(), ApplyDiscountCode { code }).await)?;
    leptos_axum::redirect("/cart");
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "remove_discount_code")]
pub async fn remove_discount_code() -> Result<(), AppError> {
    use super::{respond, state};
    use crate::services::carts;

    let caller = caller::WebShopper::current().await?;
    respond(carts::remove_discount(&state()?, caller.shopper()).await)?;
    leptos_axum::redirect("/cart");
    Ok(())
}

/// The checkout: the cart, the draft so far, saved addresses, and the methods for its country.
#[server(prefix = "/api/fn", endpoint = "checkout", input = server_fn::codec::GetUrl)]
pub async fn checkout_state() -> Result<CheckoutView, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::domain::orders::CheckoutDraft;
    use crate::services::{carts, identity};

    let state = state()?;
    let caller = caller::WebShopper::current().await?;
    let cart = respond(carts::get_cart(&state, caller.shopper()).await)?;
    let draft: CheckoutDraft = web::get(CHECKOUT).await?.unwrap_or_default();
    let addresses = match &caller.actor {
        Some(actor) => respond(identity::list_addresses(&state, actor, PageRequest::default()).await)?.items,
        None => vec![],
    };
    let methods = match &draft.country {
        Some(country) => respond(carts::shipping_options(&state, caller.shopper(), country).await)?,
        None => vec![],
    };
    Ok(CheckoutView {
        cart,
        draft,
        signed_in: caller.actor.is_some(),
        addresses,
        methods,
    })
}

/// Step 1: where to ship (a saved address, or one typed) and, for guests, the e-mail address.
#[server(prefix = "/api/fn", endpoint = "checkout_address")]
pub async fn checkout_address(
    email: Option<String>,
    address_id: Option<String>,
    #[server(flatten)] typed: crate::domain::identity::AddressInput,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::cart::UpdateCart;
    use crate::domain::identity::{AddressId, Email};
    use crate::domain::orders::{CheckoutDraft, OrderAddress};
    use crate::error::FieldErrors;
    use crate::services::{carts, identity};

    let state = state()?;
    let caller = caller::WebShopper::current().await?;
    let saved = address_id.as_deref().filter(|a| !a.trim().is_empty() && *a != "new");
    // Kept as typed first, so a refusal comes back filled in.
    let mut draft = CheckoutDraft {
        email: email.unwrap_or_default().trim().to_owned(),
        address_id: None,
        address: OrderAddress::from(typed.clone()),
        country: None,
    };
    web::put(CHECKOUT, &draft).await?;
    let mut errors = FieldErrors::new();
    if caller.actor.is_none()
        && let Err(message) = Email::parse(&draft.email)
    {
        errors.insert("email".into(), vec![message]);
    }
    let address = match (saved, &caller.actor) {
        (Some(raw), Some(actor)) => {
            let chosen = respond(id("address_id", raw))?;
            let found = respond(identity::get_address(&state, actor, AddressId(chosen)).await)?;
            draft.address_id = Some(chosen);
            Some(OrderAddress::from(found))
        }
        _ => match typed.parse() {
            Ok(address) => Some(OrderAddress::from(address)),
            Err(err) => {
                errors.extend(err.details.unwrap_or_default());
                None
            }
        },
    };
    let Some(address) = address.filter(|_| errors.is_empty()) else {
        return respond(Err(AppError::validation(errors)));
    };
    // The method is chosen again in the next step, for this country.
    let choices = UpdateCart {
        shipping_method_id: Some(None),
        country: Some(Some(address.country.clone())),
    };
    respond(carts::update_cart(&state, caller.shopper(), choices).await)?;
    draft.country = Some(address.country.clone());
    draft.address = address;
    web::put(CHECKOUT, &draft).await?;
    leptos_axum::redirect("/checkout/shipping");
    Ok(())
}

/// Step 2: the shipping method.
#[server(prefix = "/api/fn", endpoint = "checkout_shipping")]
pub async fn checkout_shipping(shipping_method_id: Option<String>) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::cart::UpdateCart;
    use crate::domain::orders::CheckoutDraft;
    use crate::services::carts;

    let Some(method) = shipping_method_id.filter(|m| !m.trim().is_empty()) else {
        return respond(Err(AppError::validation(crate::error::FieldErrors::from([(
            "shipping_method_id".to_owned(),
            vec!["Choose how to ship your order.".to_owned()],
        )]))));
    };
    let method = respond(id("shipping_method_id", &method))?;
    let draft: CheckoutDraft = web::get(CHECKOUT).await?.unwrap_or_default();
    let caller = caller::WebShopper::current().await?;
    let input = UpdateCart {
        shipping_method_id: Some(Some(method)),
        country: Some(draft.country.clone()),
    };
    respond(carts::update_cart(&state()?, caller.shopper(), input).await)?;
    leptos_axum::redirect("/checkout/review");
    Ok(())
}

/// Step 3: places the order from the cart and the draft, then shows its confirmation.
#[server(prefix = "/api/fn", endpoint = "place_order")]
pub async fn place_order() -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::identity::AddressInput;
    use crate::domain::orders::{CheckoutDraft, PlaceOrder};
    use crate::services::orders;

    let state = state()?;
    let draft: CheckoutDraft = web::get(CHECKOUT).await?.unwrap_or_default();
    let caller = caller::WebShopper::current().await?;
    let cart = respond(crate::services::carts::get_cart(&state, caller.shopper()).await)?;
    let input = PlaceOrder {
        shipping_method_id: cart.shipping_method.as_ref().map(|m| m.id),
        address_id: draft.address_id,
        shipping_address: draft
            .address_id
            .is_none()
            .then_some(AddressInput::from(draft.address.clone())),
        billing_address: None,
        email: Some(draft.email.clone()),
    };
    let placed = respond(orders::place_order(&state, caller.shopper(), input).await)?;
    web::forget(CHECKOUT).await?;
    leptos_axum::redirect(&format!(
        "/orders/{}?key={}&placed=1",
        placed.order.id, placed.access_key
    ));
    Ok(())
}

/// One order: the caller's (or any, for staff), or the one the key opens.
#[server(prefix = "/api/fn", endpoint = "order", input = server_fn::codec::GetUrl)]
pub async fn get_order(id: String, key: Option<String>) -> Result<OrderView, AppError> {
    use super::{respond, state, web};
    use crate::services::orders::{self, OrderReader};

    let order = respond(self::id("id", &id).map_err(|_| AppError::not_found("No such order.")))?;
    let actor = web::actor().await?;
    let reader = OrderReader {
        actor: actor.as_ref(),
        key: key.as_deref(),
    };
    respond(orders::get_order(&state()?, reader, order).await)
}

/// The signed-in customer's orders, newest first.
#[server(prefix = "/api/fn", endpoint = "my_orders", input = server_fn::codec::GetUrl)]
pub async fn my_orders(page: Option<String>) -> Result<Page<OrderSummary>, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::services::orders::{self, OrderQuery};

    let actor = web::require_actor().await?;
    let page = respond(PageRequest::parse(page.as_deref(), Some("10")))?;
    respond(orders::list_orders(&state()?, &actor, OrderQuery::default(), page).await)
}

/// The customer cancels an order awaiting payment; back to the order.
#[server(prefix = "/api/fn", endpoint = "cancel_order")]
pub async fn cancel_order(id: String, key: Option<String>) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::services::orders::{self, OrderReader};

    let order = respond(self::id("id", &id))?;
    let actor = web::actor().await?;
    let reader = OrderReader {
        actor: actor.as_ref(),
        key: key.as_deref(),
    };
    respond(orders::cancel_order(&state()?, reader, order).await)?;
    let back = match key {
        Some(key) => format!("/orders/{order}?key={key}"),
        None => format!("/account/orders/{order}"),
    };
    leptos_axum::redirect(&back);
    Ok(())
}
