//! The cart, the checkout (address → shipping → review → place order) and orders (the
//! confirmation, a guest's order through the link in its mail, and the account's history). All
//! server HTML with plain forms: every step works without JavaScript, and each form comes back
//! with its error (the checkout's fields as typed).

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::{
    AddressFields, ErrorNotice, Field, FormError, Notice, Pagination, PostalAddress, Seo, Submit, field_errors,
};
use crate::domain::Money;
use crate::domain::cart::CartView;
use crate::domain::orders::{CheckoutView, OrderStatus, OrderView};
use crate::server_fns::shop::{
    ApplyDiscountCode, CancelOrder, CheckoutAddress, CheckoutShipping, PlaceOrder, RemoveCartItem, RemoveDiscountCode,
    UpdateCartItem, checkout_state, get_cart, get_order, my_orders,
};

/// The figures of a cart or order, each line of them a row.
#[component]
fn Totals(
    subtotal: Money,
    discount: Money,
    #[prop(into)] discount_code: Option<String>,
    shipping: Option<Money>,
    tax: Option<Money>,
    total: Money,
) -> impl IntoView {
    let row = |label: String, value: String| {
        view! { <div class="flex justify-between gap-4 py-1"><dt>{label}</dt><dd class="tabular-nums">{value}</dd></div> }
    };
    view! {
        <dl class="text-sm" data-testid="totals">
            {row("Subtotal".into(), subtotal.to_string())}
            {(!discount.amount.is_zero()).then(|| {
                let label = discount_code.map_or("Discount".to_owned(), |c| format!("Discount ({c})"));
                row(label, format!("−{discount}"))
            })}
            {row("Shipping".into(), shipping.map_or("Chosen at checkout".to_owned(), |s| s.to_string()))}
            {row("Tax".into(), tax.map_or("Known once we know where it goes".to_owned(), |t| t.to_string()))}
            <div class="mt-1 flex justify-between gap-4 border-t border-stone-300 pt-2 text-base font-semibold">
                <dt>"Total"</dt><dd class="tabular-nums" data-testid="total">{total.to_string()}</dd>
            </div>
        </dl>
    }
}

fn cart_totals(cart: &CartView) -> impl IntoView + use<> {
    view! {
        <Totals subtotal=cart.subtotal.clone() discount=cart.discount.clone() discount_code=cart.discount_code.clone()
            shipping=cart.shipping.clone() tax=cart.tax.clone() total=cart.total.clone()/>
    }
}

#[component]
pub fn CartPage() -> impl IntoView {
    let cart = Resource::new(|| (), |_| get_cart());
    let update = ServerAction::<UpdateCartItem>::new();
    let remove = ServerAction::<RemoveCartItem>::new();
    let apply = ServerAction::<ApplyDiscountCode>::new();
    let unapply = ServerAction::<RemoveDiscountCode>::new();
    view! {
        <Seo title="Your cart" description="The things in your cart."/>
        <h1 class="text-2xl font-bold tracking-tight">"Your cart"</h1>
        <div class="mt-4 flex flex-col gap-2">
            <FormError result=update.value()/>
            <FormError result=remove.value()/>
            <FormError result=unapply.value()/>
        </div>
        <Suspense fallback=|| view! { <p role="status">"Loading your cart…"</p> }>
            {move || Suspend::new(async move {
                match cart.await {
                    Ok(cart) if cart.items.is_empty() => EitherOf3::A(view! {
                        {cart.notices.into_iter().map(|n| view! { <Notice text=n/> }).collect_view()}
                        <p class="mt-6 text-stone-700">"Your cart is empty."</p>
                        <p class="mt-2"><A href="/" attr:class="underline">"Browse the products"</A></p>
                    }),
                    Ok(cart) => EitherOf3::B(view! { <CartContents cart update remove apply unapply/> }),
                    Err(error) => EitherOf3::C(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CartContents(
    cart: CartView,
    update: ServerAction<UpdateCartItem>,
    remove: ServerAction<RemoveCartItem>,
    apply: ServerAction<ApplyDiscountCode>,
    unapply: ServerAction<RemoveDiscountCode>,
) -> impl IntoView {
    let short = cart.has_shortage();
    let totals = cart_totals(&cart);
    let applied = cart.discount_code.clone();
    let problem = cart.discount_problem.clone();
    let code_errors = field_errors(apply.value(), "code");
    view! {
        <div class="mt-4 flex flex-col gap-2">
            {cart.notices.into_iter().map(|n| view! { <Notice text=n/> }).collect_view()}
        </div>
        <div class="mt-6 grid gap-8 lg:grid-cols-3">
            <ul class="flex flex-col divide-y divide-stone-200 rounded-lg border border-stone-200 bg-white lg:col-span-2" data-testid="cart-items">
                {cart.items.into_iter().map(|item| {
                    let id = item.id.to_string();
                    let input_id = format!("quantity-{id}");
                    let update_id = id.clone();
                    let title = if item.variant_name.is_empty() { item.product_name.clone() } else { format!("{} — {}", item.product_name, item.variant_name) };
                    let remove_label = format!("Remove {title} from the cart");
                    let short = item.quantity > item.available;
                    view! {
                        <li class="flex flex-col gap-3 p-4 sm:flex-row sm:items-start sm:justify-between" data-testid="cart-item">
                            <div class="flex-1">
                                <a href=format!("/products/{}?variant={}", item.product_slug, item.sku) class="font-medium underline-offset-2 hover:underline">{title.clone()}</a>
                                <p class="text-sm text-stone-700">"SKU " {item.sku.clone()} " · " {item.unit_price.to_string()} " each"</p>
                                {item.price_changed.then(|| view! {
                                    <p class="text-sm text-amber-900" data-testid="price-changed">{format!("The price changed since you added this (it was {}).", item.added_price)}</p>
                                })}
                                {short.then(|| view! {
                                    <p class="text-sm font-medium text-red-800" role="alert">
                                        {if item.available == 0 { "No longer available: please remove it.".to_owned() } else { format!("Only {} available: please lower the quantity.", item.available) }}
                                    </p>
                                })}
                            </div>
                            <div class="flex flex-wrap items-end gap-3">
                                <ActionForm action=update attr:class="flex items-end gap-2">
                                    <input type="hidden" name="item_id" value=update_id/>
                                    <div class="flex flex-col gap-1">
                                        <label for=input_id.clone() class="text-xs text-stone-700">"Quantity"</label>
                                        <input id=input_id name="quantity" type="number" min="1" max="99" inputmode="numeric" value=item.quantity.to_string()
                                            class="w-20 rounded border border-stone-400 px-2 py-1"/>
                                    </div>
                                    <button type="submit" class="rounded border border-stone-400 px-3 py-1 text-sm hover:bg-stone-100">"Update"</button>
                                </ActionForm>
                                <ActionForm action=remove>
                                    <input type="hidden" name="item_id" value=id/>
                                    <button type="submit" class="px-1 py-1 text-sm text-red-800 underline" aria-label=remove_label>"Remove"</button>
                                </ActionForm>
                                <p class="min-w-20 text-right font-medium tabular-nums">{item.amount.to_string()}</p>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <aside class="flex flex-col gap-4 rounded-lg border border-stone-200 bg-white p-4" aria-label="Order summary">
                {totals}
                {match applied {
                    Some(code) => Either::Left(view! {
                        <div class="flex flex-col gap-1 text-sm">
                            <p>"Code " <strong>{code}</strong> " applied."</p>
                            {problem.map(|p| view! { <p class="text-amber-900" role="alert">{p}</p> })}
                            <ActionForm action=unapply><button type="submit" class="underline">"Remove code"</button></ActionForm>
                        </div>
                    }),
                    None => Either::Right(view! {
                        <ActionForm action=apply attr:class="flex flex-col gap-2" attr:novalidate=true>
                            <Field name="code" label="Discount code" autocomplete="off" errors=code_errors form="discount-"/>
                            <Submit label="Apply" busy="Applying…" pending=apply.pending()/>
                        </ActionForm>
                    }),
                }}
                {if short {
                    Either::Left(view! { <p class="text-sm text-red-800">"Fix the items marked above to check out."</p> })
                } else {
                    Either::Right(view! {
                        <a href="/checkout" class="rounded bg-stone-900 px-4 py-2 text-center font-medium text-white hover:bg-stone-700">"Check out"</a>
                    })
                }}
            </aside>
        </div>
    }
}

/// The checkout's steps, the current one marked.
#[component]
fn Steps(current: u8) -> impl IntoView {
    let steps = [
        (1, "Address", "/checkout"),
        (2, "Shipping", "/checkout/shipping"),
        (3, "Review", "/checkout/review"),
    ];
    view! {
        <ol class="mt-4 flex gap-4 text-sm" aria-label="Checkout steps">
            {steps.into_iter().map(|(n, label, href)| {
                let text = format!("{n}. {label}");
                if n == current {
                    Either::Left(view! { <li aria-current="step" class="font-semibold underline">{text}</li> })
                } else if n < current {
                    Either::Right(view! { <li><a href=href class="text-stone-700 underline">{text}</a></li> })
                } else {
                    Either::Left(view! { <li aria-current="false" class="text-stone-500">{text}</li> })
                }
            }).collect_view()}
        </ol>
    }
}

/// Loads the checkout and shows `step` with it, or says the cart is empty.
#[component]
fn CheckoutFrame<V, F>(title: &'static str, current: u8, step: F) -> impl IntoView
where
    F: Fn(CheckoutView) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let checkout = Resource::new(|| (), |_| checkout_state());
    view! {
        <Seo title=title description="Checkout."/>
        <h1 class="text-2xl font-bold tracking-tight">"Checkout"</h1>
        <Steps current/>
        <Suspense fallback=|| view! { <p role="status">"Loading the checkout…"</p> }>
            {move || {
                let step = step.clone();
                Suspend::new(async move {
                    match checkout.await {
                        Ok(view) if view.cart.items.is_empty() => EitherOf3::A(view! {
                            <p class="mt-6 text-stone-700">"Your cart is empty, so there is nothing to check out."</p>
                            <p class="mt-2"><A href="/" attr:class="underline">"Browse the products"</A></p>
                        }),
                        Ok(view) => {
                            let totals = cart_totals(&view.cart);
                            let count = view.cart.item_count;
                            EitherOf3::B(view! {
                                <div class="mt-6 grid gap-8 lg:grid-cols-3">
                                    <div class="lg:col-span-2">{step(view)}</div>
                                    <aside class="flex flex-col gap-3 self-start rounded-lg border border-stone-200 bg-white p-4" aria-label="Order summary">
                                        <p class="text-sm text-stone-700">{format!("{count} item(s) · ")}<a href="/cart" class="underline">"Change the cart"</a></p>
                                        {totals}
                                    </aside>
                                </div>
                            })
                        }
                        Err(error) => EitherOf3::C(view! { <ErrorNotice error/> }),
                    }
                })
            }}
        </Suspense>
    }
}

/// Step 1: the address (a saved one or a new one) and, for guests, the e-mail address.
#[component]
pub fn CheckoutAddressPage() -> impl IntoView {
    view! {
        <CheckoutFrame title="Checkout: address" current=1 step=|view: CheckoutView| view! { <AddressStep view/> }/>
    }
}

#[component]
fn AddressStep(view: CheckoutView) -> impl IntoView {
    let save = ServerAction::<CheckoutAddress>::new();
    let result = save.value();
    let errors = move |name: &'static str| field_errors(result, name);
    let CheckoutView {
        draft,
        signed_in,
        addresses,
        ..
    } = view;
    let a = draft.address.clone();
    let chosen = draft
        .address_id
        .or_else(|| addresses.iter().find(|a| a.is_default).map(|a| a.id.0));
    let has_saved = !addresses.is_empty();
    view! {
        <ActionForm action=save attr:class="flex flex-col gap-4" attr:novalidate=true attr:data-testid="address-step">
            <FormError result/>
            {(!signed_in).then(|| view! {
                <Field name="email" label="E-mail (for your confirmation)" kind="email" autocomplete="email" required=true value=draft.email.clone() errors=errors("email")/>
                <p class="text-sm text-stone-700">"Have an account? " <a href="/login?next=/checkout" class="underline">"Sign in"</a> " — your cart comes with you."</p>
            })}
            {has_saved.then(|| view! {
                <fieldset class="flex flex-col gap-2">
                    <legend class="font-medium">"Ship to"</legend>
                    {addresses.into_iter().map(|saved| {
                        let id = saved.id.0.to_string();
                        let input_id = format!("address-{id}");
                        let checked = chosen == Some(saved.id.0);
                        view! {
                            <div class="flex items-start gap-2">
                                <input type="radio" name="address_id" id=input_id.clone() value=id checked=checked class="mt-1"/>
                                <label for=input_id class="text-sm">{format!("{}, {}, {} {}, {}", saved.full_name, saved.line1, saved.postal_code, saved.city, saved.country)}</label>
                            </div>
                        }
                    }).collect_view()}
                    <div class="flex items-start gap-2">
                        <input type="radio" name="address_id" id="address-new" value="new" checked=chosen.is_none() class="mt-1"/>
                        <label for="address-new" class="text-sm">"A new address (below)"</label>
                    </div>
                </fieldset>
            })}
            <fieldset class="flex flex-col gap-4">
                <legend class="font-medium">{if has_saved { "New address" } else { "Shipping address" }}</legend>
                <AddressFields address=a errors/>
            </fieldset>
            <Submit label="Continue to shipping" busy="Saving…" pending=save.pending()/>
        </ActionForm>
    }
}

/// Step 2: how to ship, among the methods that serve the address's country.
#[component]
pub fn CheckoutShippingPage() -> impl IntoView {
    view! {
        <CheckoutFrame title="Checkout: shipping" current=2 step=|view: CheckoutView| view! { <ShippingStep view/> }/>
    }
}

#[component]
fn ShippingStep(view: CheckoutView) -> impl IntoView {
    let choose = ServerAction::<CheckoutShipping>::new();
    let result = choose.value();
    let method_errors = field_errors(result, "shipping_method_id");
    let Some(country) = view.draft.country.clone() else {
        return EitherOf3::A(
            view! { <p>"First tell us where to ship: " <a href="/checkout" class="underline">"the address"</a>"."</p> },
        );
    };
    if view.methods.is_empty() {
        return EitherOf3::B(view! {
            <p role="alert" class="text-red-800">{format!("Sorry, we don't ship to {country} yet. ")}<a href="/checkout" class="underline">"Use another address"</a></p>
        });
    }
    let current = view.cart.shipping_method.as_ref().map(|m| m.id);
    let only = view.methods.len() == 1;
    EitherOf3::C(view! {
        <ActionForm action=choose attr:class="flex flex-col gap-4" attr:data-testid="shipping-step">
            <FormError result/>
            <fieldset class="flex flex-col gap-2" aria-describedby="shipping-errors">
                <legend class="font-medium">{format!("Shipping to {country}")}</legend>
                {view.methods.into_iter().map(|m| {
                    let id = m.id.to_string();
                    let input_id = format!("method-{id}");
                    let price = if m.price.amount.is_zero() { "Free".to_owned() } else { m.price.to_string() };
                    view! {
                        <div class="flex items-center gap-2 rounded border border-stone-200 bg-white p-3">
                            <input type="radio" name="shipping_method_id" id=input_id.clone() value=id checked=current == Some(m.id) || only required=true/>
                            <label for=input_id class="flex flex-1 justify-between gap-4"><span>{m.name}</span><span class="tabular-nums">{price}</span></label>
                        </div>
                    }
                }).collect_view()}
                <p id="shipping-errors" class="text-sm text-red-800">{move || method_errors.get().join(" ")}</p>
            </fieldset>
            <Submit label="Continue to review" busy="Saving…" pending=choose.pending()/>
        </ActionForm>
    })
}

/// Step 3: everything at a glance, and the button that places the order.
#[component]
pub fn CheckoutReviewPage() -> impl IntoView {
    view! {
        <CheckoutFrame title="Checkout: review" current=3 step=|view: CheckoutView| view! { <ReviewStep view/> }/>
    }
}

#[component]
fn ReviewStep(view: CheckoutView) -> impl IntoView {
    let place = ServerAction::<PlaceOrder>::new();
    let result = place.value();
    let ready = view.draft.country.is_some() && view.cart.shipping_method.is_some();
    let email = view.draft.email.clone();
    let signed_in = view.signed_in;
    let address = view.draft.address.clone();
    let method = view.cart.shipping_method.clone();
    view! {
        <div class="flex flex-col gap-6" data-testid="review-step">
            <FormError result/>
            <section aria-labelledby="review-items">
                <h2 id="review-items" class="font-medium">"Items"</h2>
                <ul class="mt-2 divide-y divide-stone-200 rounded border border-stone-200 bg-white text-sm">
                    {view.cart.items.into_iter().map(|i| {
                        let name = if i.variant_name.is_empty() { i.product_name.clone() } else { format!("{} — {}", i.product_name, i.variant_name) };
                        view! { <li class="flex justify-between gap-4 p-3"><span>{format!("{} × {name}", i.quantity)}</span><span class="tabular-nums">{i.amount.to_string()}</span></li> }
                    }).collect_view()}
                </ul>
            </section>
            <section aria-labelledby="review-address" class="text-sm">
                <h2 id="review-address" class="font-medium">"Shipping to"</h2>
                <PostalAddress address/>
                {(!signed_in).then(|| view! { <p class="mt-1">"Confirmation to " {email}</p> })}
                <a href="/checkout" class="underline">"Change"</a>
            </section>
            <section aria-labelledby="review-method" class="text-sm">
                <h2 id="review-method" class="font-medium">"Shipping method"</h2>
                <p>{method.map_or("Not chosen yet".to_owned(), |m| m.name)}</p>
                <a href="/checkout/shipping" class="underline">"Change"</a>
            </section>
            <p class="text-sm text-stone-700">"You pay by bank transfer or cash on delivery; the confirmation tells you how."</p>
            {if ready {
                Either::Left(view! {
                    <ActionForm action=place attr:data-testid="place-order">
                        <Submit label="Place order" busy="Placing your order…" pending=place.pending()/>
                    </ActionForm>
                })
            } else {
                Either::Right(view! { <p role="alert">"Choose an address and a shipping method first."</p> })
            }}
        </div>
    }
}

/// `/orders/:id`: an order for its customer, staff, or whoever has its link's key; with
/// `placed=1` it is the confirmation right after checkout.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = query.with_untracked(|q| q.get("key"));
    let placed = query.with_untracked(|q| q.get("placed").is_some());
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    view! { <OrderLoader id key placed/> }
}

/// An order in the account area (`/account/orders/:id`).
#[component]
pub fn AccountOrder() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    view! {
        <p class="text-sm"><a href="/account/orders" class="underline">"← Your orders"</a></p>
        <OrderLoader id key=None placed=false/>
    }
}

#[component]
fn OrderLoader(id: String, key: Option<String>, placed: bool) -> impl IntoView {
    let order = Resource::new(
        {
            let (id, key) = (id.clone(), key.clone());
            move || (id.clone(), key.clone())
        },
        |(id, key)| get_order(id, key),
    );
    view! {
        <Suspense fallback=|| view! { <p role="status">"Loading the order…"</p> }>
            {move || {
                let key = key.clone();
                Suspend::new(async move {
                    match order.await {
                        Ok(order) => Either::Left(view! { <OrderDetail order key placed/> }),
                        Err(error) => Either::Right(view! {
                            <Seo title="Order" description="An order."/>
                            <ErrorNotice error/>
                        }),
                    }
                })
            }}
        </Suspense>
    }
}

fn status_class(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::PendingPayment => "bg-amber-100 text-amber-950",
        OrderStatus::Paid | OrderStatus::Fulfilled => "bg-sky-100 text-sky-950",
        OrderStatus::Delivered => "bg-emerald-100 text-emerald-950",
        OrderStatus::Cancelled => "bg-stone-200 text-stone-800",
    }
}

#[component]
fn OrderDetail(order: OrderView, key: Option<String>, placed: bool) -> impl IntoView {
    let cancel = ServerAction::<CancelOrder>::new();
    let title = format!("Order {}", order.number);
    let cancellable = order.status == OrderStatus::PendingPayment;
    let id = order.id.to_string();
    let totals = view! {
        <Totals subtotal=order.subtotal.clone() discount=order.discount.clone() discount_code=order.discount_code.clone()
            shipping=Some(order.shipping.clone()) tax=Some(order.tax.clone()) total=order.total.clone()/>
    };
    view! {
        <Seo title=title.clone() description="Your order."/>
        {placed.then(|| view! {
            <div class="mb-4"><Notice text="Thank you! Your order is placed. We've sent you a confirmation by e-mail."/></div>
        })}
        <h1 class="flex flex-wrap items-center gap-3 text-2xl font-bold tracking-tight">
            {title}
            <span class=format!("rounded px-2 py-0.5 text-sm font-medium {}", status_class(order.status)) data-testid="order-status">{order.status.label()}</span>
        </h1>
        <p class="mt-1 text-sm text-stone-700">{format!("Placed {} · {}", order.created_at.format("%-d %B %Y, %H:%M UTC"), order.email)}</p>
        {(order.status == OrderStatus::PendingPayment).then(|| view! {
            <p class="mt-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="payment-instructions">{order.payment.instructions.clone()}</p>
        })}
        {order.tracking_number.clone().map(|t| view! { <p class="mt-4 text-sm">"Tracking number: " <strong data-testid="tracking-number">{t}</strong></p> })}
        {order.refunded.clone().map(|r| view! { <p class="mt-4 text-sm">{format!("Refund: {r}")}</p> })}
        <div class="mt-6 grid gap-8 lg:grid-cols-3">
            <section aria-labelledby="order-items" class="lg:col-span-2">
                <h2 id="order-items" class="font-medium">"Items"</h2>
                <ul class="mt-2 divide-y divide-stone-200 rounded border border-stone-200 bg-white text-sm">
                    {order.items.into_iter().map(|i| {
                        let name = if i.variant_name.is_empty() { i.product_name.clone() } else { format!("{} — {}", i.product_name, i.variant_name) };
                        view! {
                            <li class="flex justify-between gap-4 p-3">
                                <span>{format!("{} × {name}", i.quantity)} <span class="text-stone-600">{format!(" ({} each, SKU {})", i.unit_price, i.sku)}</span></span>
                                <span class="tabular-nums">{i.amount.to_string()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <h2 class="mt-6 font-medium">"History"</h2>
                <ol class="mt-2 flex flex-col gap-1 text-sm" data-testid="order-history">
                    {order.history.into_iter().map(|t| view! {
                        <li>{format!("{} — {}", t.at.format("%-d %b %Y, %H:%M"), t.to.label())}{(!t.note.is_empty()).then(|| format!(": {}", t.note))}</li>
                    }).collect_view()}
                </ol>
            </section>
            <aside class="flex flex-col gap-4 self-start rounded-lg border border-stone-200 bg-white p-4 text-sm" aria-label="Summary">
                {totals}
                <div><h2 class="font-medium">"Shipping to"</h2><PostalAddress address=order.shipping_address/><p>{order.shipping_method}</p></div>
                {cancellable.then(|| view! {
                    <ActionForm action=cancel>
                        <FormError result=cancel.value()/>
                        <input type="hidden" name="id" value=id/>
                        {key.map(|k| view! { <input type="hidden" name="key" value=k/> })}
                        <button type="submit" class="text-red-800 underline">"Cancel this order"</button>
                    </ActionForm>
                })}
            </aside>
        </div>
    }
}

/// The customer's orders, newest first (`/account/orders`).
#[component]
pub fn OrderList() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.with(|q| q.get("page"));
    let orders = Resource::new(page, my_orders);
    view! {
        <Suspense fallback=|| view! { <p role="status">"Loading your orders…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(page) if page.items.is_empty() => EitherOf3::A(view! { <p class="mt-6 text-stone-700">"You have no orders yet."</p> }),
                    Ok(page) => {
                        let total_pages = page.total_pages();
                        EitherOf3::B(view! {
                            <ul class="mt-6 divide-y divide-stone-200 rounded border border-stone-200 bg-white" data-testid="order-list">
                                {page.items.into_iter().map(|o| view! {
                                    <li class="flex flex-wrap items-center justify-between gap-3 p-4">
                                        <a href=format!("/account/orders/{}", o.id) class="font-medium underline">{o.number.clone()}</a>
                                        <span class="text-sm text-stone-700">{o.created_at.format("%-d %b %Y").to_string()}</span>
                                        <span class=format!("rounded px-2 py-0.5 text-xs font-medium {}", status_class(o.status))>{o.status.label()}</span>
                                        <span class="text-sm">{format!("{} item(s)", o.item_count)}</span>
                                        <span class="font-medium tabular-nums">{o.total.to_string()}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <Pagination page=page.page total_pages base="/account/orders"/>
                        })
                    }
                    Err(error) => EitherOf3::C(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}
