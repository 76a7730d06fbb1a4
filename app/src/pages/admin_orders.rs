//! The order desk (`orders:manage`): every order, filtered by status, dates and customer e-mail,
//! newest first; an order's page with its lines, totals, addresses, payment, history, and a form
//! for exactly the moves its status allows; its mail sent again; a printable packing slip. Plain
//! forms: everything works without JavaScript, and the filters live in the URL.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::pagination::encode_query_value;
use crate::components::{ErrorNotice, FormError, Notice, Pagination, PostalAddress, Seo, Submit};
use crate::domain::orders::{OrderAddress, OrderStatus, OrderView};
use crate::server_fns::admin::{MoveOrder, ResendOrderMail, staff_order, staff_orders};

fn badge(status: OrderStatus) -> String {
    let colours = match status {
        OrderStatus::PendingPayment => "bg-amber-100 text-amber-950",
        OrderStatus::Paid | OrderStatus::Fulfilled => "bg-sky-100 text-sky-950",
        OrderStatus::Delivered => "bg-emerald-100 text-emerald-950",
        OrderStatus::Cancelled => "bg-stone-200 text-stone-800",
    };
    format!("rounded px-2 py-0.5 text-xs font-medium {colours}")
}

/// `/admin/orders`.
#[component]
pub fn AdminOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |name: &'static str| query.with(|q| q.get(name)).unwrap_or_default();
    let orders = Resource::new(
        move || (get("status"), get("from"), get("to"), get("email"), get("page")),
        |(status, from, to, email, page)| {
            let given = |v: String| (!v.is_empty()).then_some(v);
            staff_orders(given(status), given(from), given(to), given(email), given(page))
        },
    );
    let (status, from, to, email) = (get("status"), get("from"), get("to"), get("email"));
    let input = "rounded border border-stone-400 bg-white px-3 py-2";
    view! {
        <Seo title="Orders" description="The order desk."/>
        <h1 class="text-2xl font-bold tracking-tight">"Orders"</h1>
        <form method="get" action="/admin/orders" role="search" aria-label="Filter orders" class="mt-4 flex flex-wrap items-end gap-3">
            <div class="flex flex-col gap-1">
                <label for="order-status" class="text-sm font-medium">"Status"</label>
                <select id="order-status" name="status" class=input>
                    <option value="" selected=status.is_empty()>"Any"</option>
                    {OrderStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=status == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="flex flex-col gap-1">
                <label for="order-from" class="text-sm font-medium">"From"</label>
                <input id="order-from" type="date" name="from" value=from class=input/>
            </div>
            <div class="flex flex-col gap-1">
                <label for="order-to" class="text-sm font-medium">"Before"</label>
                <input id="order-to" type="date" name="to" value=to class=input/>
            </div>
            <div class="flex flex-col gap-1">
                <label for="order-email" class="text-sm font-medium">"Customer e-mail"</label>
                <input id="order-email" type="search" name="email" value=email class=input/>
            </div>
            <button type="submit" class="rounded bg-stone-900 px-4 py-2 font-medium text-white">"Filter"</button>
            <a href="/admin/orders" class="py-2 text-sm underline">"Clear"</a>
        </form>
        <Suspense fallback=|| view! { <p role="status" class="mt-4">"Loading orders…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(page) if page.items.is_empty() => EitherOf3::A(view! { <p class="mt-6 text-stone-700">"No orders match."</p> }),
                    Ok(page) => {
                        let total_pages = page.total_pages();
                        let keep = vec![("status", get("status")), ("from", get("from")), ("to", get("to")), ("email", get("email"))];
                        EitherOf3::B(view! {
                            <p class="mt-4 text-sm text-stone-700">{page.total} " orders"</p>
                            <div class="mt-2 overflow-x-auto">
                                <table class="w-full text-left text-sm" data-testid="order-table">
                                    <caption class="sr-only">"Orders, newest first"</caption>
                                    <thead>
                                        <tr class="border-b border-stone-300">
                                            <th scope="col" class="py-2 pr-4">"Order"</th>
                                            <th scope="col" class="py-2 pr-4">"Placed"</th>
                                            <th scope="col" class="py-2 pr-4">"Customer"</th>
                                            <th scope="col" class="py-2 pr-4">"Status"</th>
                                            <th scope="col" class="py-2 pr-4 text-right">"Items"</th>
                                            <th scope="col" class="py-2 text-right">"Total"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page.items.into_iter().map(|o| view! {
                                            <tr class="border-b border-stone-200">
                                                <td class="py-2 pr-4"><a href=format!("/admin/orders/{}", o.id) class="font-medium underline">{o.number.clone()}</a></td>
                                                <td class="py-2 pr-4">{o.created_at.format("%-d %b %Y, %H:%M").to_string()}</td>
                                                <td class="py-2 pr-4">{o.email.clone()}</td>
                                                <td class="py-2 pr-4"><span class=badge(o.status)>{o.status.label()}</span></td>
                                                <td class="py-2 pr-4 text-right tabular-nums">{o.item_count}</td>
                                                <td class="py-2 text-right tabular-nums">{o.total.to_string()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pagination page=page.page total_pages base="/admin/orders" keep/>
                        })
                    }
                    Err(error) => EitherOf3::C(view! { <div class="mt-4"><ErrorNotice error/></div> }),
                }
            })}
        </Suspense>
    }
}

/// `/admin/orders/:id`.
#[component]
pub fn AdminOrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let moved = query.with_untracked(|q| q.get("moved").is_some());
    let resent = query.with_untracked(|q| q.get("resent").is_some());
    let order = Resource::new(move || id.clone(), staff_order);
    view! {
        <Suspense fallback=|| view! { <p role="status">"Loading the order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(order) => Either::Left(view! { <OrderDesk order moved resent/> }),
                    Err(error) => Either::Right(view! { <Seo title="Order" description="An order."/><ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Address(title: &'static str, address: OrderAddress) -> impl IntoView {
    view! {
        <div>
            <h3 class="font-medium">{title}</h3>
            <PostalAddress address/>
        </div>
    }
}

#[component]
fn OrderDesk(order: OrderView, moved: bool, resent: bool) -> impl IntoView {
    let move_order = ServerAction::<MoveOrder>::new();
    let resend = ServerAction::<ResendOrderMail>::new();
    let id = order.id.to_string();
    let title = format!("Order {}", order.number);
    let others = format!("/admin/orders?email={}", encode_query_value(&order.email));
    let row = |label: &'static str, value: String| {
        view! { <div class="flex justify-between gap-4"><dt>{label}</dt><dd class="tabular-nums">{value}</dd></div> }
    };
    let moves: Vec<OrderStatus> = OrderStatus::ALL
        .into_iter()
        .filter(|s| order.status.can_become(*s))
        .collect();
    view! {
        <Seo title=title.clone() description="An order at the desk."/>
        <p class="text-sm print:hidden"><a href="/admin/orders" class="underline">"← Orders"</a></p>
        <h1 class="mt-2 flex flex-wrap items-center gap-3 text-2xl font-bold tracking-tight">
            {title}<span class=badge(order.status) data-testid="desk-status">{order.status.label()}</span>
        </h1>
        <p class="mt-1 text-sm text-stone-700">
            {format!("Placed {} by {} · ", order.created_at.format("%-d %B %Y, %H:%M UTC"), order.email)}
            <a href=others class="underline">"This customer's orders"</a>
            " · "
            <a href=format!("/admin/orders/{id}/packing-slip") class="underline">"Packing slip"</a>
        </p>
        <div class="mt-4 flex flex-col gap-2">
            {moved.then(|| view! { <Notice text="The order is updated and the customer is told."/> })}
            {resent.then(|| view! { <Notice text="The customer's mail is on its way."/> })}
            <FormError result=move_order.value()/>
            <FormError result=resend.value()/>
        </div>
        <div class="mt-6 grid gap-8 lg:grid-cols-3">
            <div class="flex flex-col gap-6 lg:col-span-2">
                <section aria-labelledby="desk-lines">
                    <h2 id="desk-lines" class="font-semibold">"Lines"</h2>
                    <table class="mt-2 w-full text-left text-sm">
                        <thead><tr class="border-b border-stone-300">
                            <th scope="col" class="py-2 pr-4">"Item"</th>
                            <th scope="col" class="py-2 pr-4">"SKU"</th>
                            <th scope="col" class="py-2 pr-4 text-right">"Qty"</th>
                            <th scope="col" class="py-2 pr-4 text-right">"Unit"</th>
                            <th scope="col" class="py-2 text-right">"Total"</th>
                        </tr></thead>
                        <tbody>
                            {order.items.iter().map(|i| {
                                let name = if i.variant_name.is_empty() { i.product_name.clone() } else { format!("{} — {}", i.product_name, i.variant_name) };
                                view! {
                                    <tr class="border-b border-stone-200">
                                        <td class="py-2 pr-4">{name}</td>
                                        <td class="py-2 pr-4">{i.sku.clone()}</td>
                                        <td class="py-2 pr-4 text-right tabular-nums">{i.quantity}</td>
                                        <td class="py-2 pr-4 text-right tabular-nums">{i.unit_price.to_string()}</td>
                                        <td class="py-2 text-right tabular-nums">{i.total.to_string()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <dl class="ml-auto mt-3 flex max-w-xs flex-col gap-1 text-sm">
                        {row("Subtotal", order.subtotal.to_string())}
                        {row("Discount", order.discount_code.clone().map_or(format!("−{}", order.discount), |c| format!("−{} ({c})", order.discount)))}
                        {row("Shipping", format!("{} ({})", order.shipping, order.shipping_method))}
                        {row("Tax", format!("{} ({} %)", order.tax, order.tax_rate))}
                        <div class="flex justify-between gap-4 border-t border-stone-300 pt-1 font-semibold"><dt>"Total"</dt><dd class="tabular-nums">{order.total.to_string()}</dd></div>
                        {order.refunded.clone().map(|r| row("Refunded", r.to_string()))}
                    </dl>
                </section>
                <section aria-labelledby="desk-history">
                    <h2 id="desk-history" class="font-semibold">"History"</h2>
                    <ol class="mt-2 flex flex-col gap-1 text-sm" data-testid="desk-history">
                        {order.history.iter().map(|t| {
                            let who = if t.actor_id.is_some_and(|a| Some(a) == order.user_id) {
                                "the customer"
                            } else if t.actor_id.is_some() {
                                "staff"
                            } else {
                                "the shop"
                            };
                            view! {
                                <li>{format!("{} — {} (by {who})", t.at.format("%-d %b %Y, %H:%M"), t.to.label())}{(!t.note.is_empty()).then(|| format!(": {}", t.note))}</li>
                            }
                        }).collect_view()}
                    </ol>
                </section>
            </div>
            <aside class="flex flex-col gap-4 text-sm" aria-label="Customer and actions">
                <Address title="Ship to" address=order.shipping_address.clone()/>
                <Address title="Bill to" address=order.billing_address.clone()/>
                <div><h3 class="font-medium">"Payment"</h3><p>{format!("{} — {}", order.payment.provider, order.status.label())}</p></div>
                {order.tracking_number.clone().map(|t| view! { <p>"Tracking number: " <strong>{t}</strong></p> })}
                <section aria-labelledby="desk-moves" class="flex flex-col gap-3 rounded-lg border border-stone-200 bg-white p-4 print:hidden">
                    <h2 id="desk-moves" class="font-semibold">"Next step"</h2>
                    {if moves.is_empty() {
                        Either::Left(view! { <p class="text-stone-700">"This order is finished: nothing more can happen to it."</p> })
                    } else {
                        Either::Right(moves.into_iter().map(|to| view! { <MoveForm action=move_order id=id.clone() to/> }).collect_view())
                    }}
                    <ActionForm action=resend>
                        <input type="hidden" name="id" value=id.clone()/>
                        <Submit label="Send the customer's mail again" busy="Sending…" pending=resend.pending()/>
                    </ActionForm>
                </section>
            </aside>
        </div>
    }
}

/// One allowed move, as a small form with what it needs.
#[component]
fn MoveForm(action: ServerAction<MoveOrder>, id: String, to: OrderStatus) -> impl IntoView {
    let key = to.as_str();
    let (label, busy) = match to {
        OrderStatus::Paid => ("Mark paid", "Saving…"),
        OrderStatus::Fulfilled => ("Mark shipped", "Saving…"),
        OrderStatus::Delivered => ("Mark delivered", "Saving…"),
        OrderStatus::Cancelled => ("Cancel the order", "Cancelling…"),
        OrderStatus::PendingPayment => ("Reopen", "Saving…"),
    };
    let note_id = format!("note-{key}");
    let cancelling = to == OrderStatus::Cancelled;
    let input = "rounded border border-stone-400 px-2 py-1";
    view! {
        <ActionForm action attr:class="flex flex-col gap-2 border-t border-stone-200 pt-3 first:border-0 first:pt-0" attr:data-testid=format!("move-{key}")>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="status" value=key/>
            {(to == OrderStatus::Fulfilled).then(|| view! {
                <label for="tracking" class="font-medium">"Tracking number"</label>
                <input id="tracking" name="tracking_number" required=true maxlength="100" class=input/>
            })}
            <label for=note_id.clone()>{if cancelling { "Reason (the customer reads it)" } else { "Note (optional)" }}</label>
            <input id=note_id name="note" maxlength="500" required=cancelling class=input/>
            {cancelling.then(|| view! {
                <div class="flex items-center gap-2">
                    <input id="confirm-cancel" type="checkbox" required=true class="h-4 w-4"/>
                    <label for="confirm-cancel">"Yes, cancel it: the stock goes back and a paid order is refunded"</label>
                </div>
            })}
            <Submit label busy pending=action.pending()/>
        </ActionForm>
    }
}

/// `/admin/orders/:id/packing-slip`: what goes in the parcel, to print.
#[component]
pub fn PackingSlipPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let order = Resource::new(move || id.clone(), staff_order);
    view! {
        <Suspense fallback=|| view! { <p role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(order) => Either::Left(view! {
                        <Seo title=format!("Packing slip {}", order.number) description="A packing slip."/>
                        <article class="max-w-2xl rounded border border-stone-300 bg-white p-6 print:border-0 print:p-0" data-testid="packing-slip">
                            <h1 class="text-xl font-bold">{format!("Packing slip — {}", order.number)}</h1>
                            <p class="text-sm">{format!("Placed {}", order.created_at.format("%-d %B %Y"))}</p>
                            <div class="mt-4"><Address title="Ship to" address=order.shipping_address.clone()/></div>
                            <table class="mt-4 w-full text-left text-sm">
                                <thead><tr class="border-b border-stone-400">
                                    <th scope="col" class="py-1 pr-4">"Qty"</th>
                                    <th scope="col" class="py-1 pr-4">"Item"</th>
                                    <th scope="col" class="py-1">"SKU"</th>
                                </tr></thead>
                                <tbody>
                                    {order.items.into_iter().map(|i| view! {
                                        <tr class="border-b border-stone-200">
                                            <td class="py-1 pr-4 tabular-nums">{i.quantity}</td>
                                            <td class="py-1 pr-4">{if i.variant_name.is_empty() { i.product_name } else { format!("{} — {}", i.product_name, i.variant_name) }}</td>
                                            <td class="py-1">{i.sku}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p class="mt-4 text-sm">{format!("Shipping: {}", order.shipping_method)}</p>
                            <p class="mt-6 text-sm text-stone-600 print:hidden">"Print this page with your browser (Ctrl+P); the shop's header and menus are left off the paper."</p>
                        </article>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}
