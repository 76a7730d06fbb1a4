//! The pricing page (`pricing:write`): discount codes with their uses so far, shipping methods and
//! tax rates by country — each a paginated list with a form to add one and a switch to turn one
//! off. Plain forms, like the order desk: they work without JavaScript.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::{ErrorNotice, Field, FormError, Notice, Pagination, Seo, Submit, field_errors};
use crate::server_fns::admin::{
    AddDiscountCode, AddShippingMethod, EditDiscountCode, EditShippingMethod, PricingOverview, RemoveTaxRate,
    SetTaxRate, SwitchDiscountCode, SwitchShippingMethod, staff_pricing,
};

/// `/admin/pricing`.
#[component]
pub fn AdminPricingPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |name: &'static str| query.with(|q| q.get(name));
    let overview = Resource::new(
        move || (get("rates_page"), get("methods_page"), get("codes_page")),
        |(rates, methods, codes)| staff_pricing(rates, methods, codes),
    );
    let saved = get("saved").is_some();
    view! {
        <Seo title="Pricing" description="Discount codes, shipping methods and tax rates."/>
        <h1 class="text-2xl font-bold tracking-tight">"Pricing"</h1>
        {saved.then(|| view! { <div class="mt-4"><Notice text="Saved."/></div> })}
        <Suspense fallback=|| view! { <p role="status" class="mt-4">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => Either::Left(view! { <Pricing overview/> }),
                    Err(error) => Either::Right(view! { <div class="mt-4"><ErrorNotice error/></div> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Pricing(overview: PricingOverview) -> impl IntoView {
    let PricingOverview { rates, methods, codes } = overview;
    let add_code = ServerAction::<AddDiscountCode>::new();
    let switch_code = ServerAction::<SwitchDiscountCode>::new();
    let edit_code = ServerAction::<EditDiscountCode>::new();
    let edit_method = ServerAction::<EditShippingMethod>::new();
    let add_method = ServerAction::<AddShippingMethod>::new();
    let switch_method = ServerAction::<SwitchShippingMethod>::new();
    let set_rate = ServerAction::<SetTaxRate>::new();
    let remove_rate = ServerAction::<RemoveTaxRate>::new();
    let code_errors = move |name: &'static str| field_errors(add_code.value(), name);
    let method_errors = move |name: &'static str| field_errors(add_method.value(), name);
    let rate_errors = move |name: &'static str| field_errors(set_rate.value(), name);
    let cell = "py-2 pr-4";
    let (codes_pages, methods_pages, rates_pages) = (codes.total_pages(), methods.total_pages(), rates.total_pages());
    let (no_codes, no_methods, no_rates) = (codes.items.is_empty(), methods.items.is_empty(), rates.items.is_empty());
    let empty =
        |none: bool, text: &'static str| none.then(|| view! { <p class="mt-2 text-sm text-stone-700">{text}</p> });
    view! {
        <div class="mt-4 flex flex-col gap-2">
            <FormError result=switch_code.value()/>
            <FormError result=edit_code.value()/>
            <FormError result=edit_method.value()/>
            <FormError result=switch_method.value()/>
            <FormError result=remove_rate.value()/>
        </div>
        <section aria-labelledby="codes-heading" class="mt-6">
            <h2 id="codes-heading" class="text-lg font-semibold">"Discount codes"</h2>
            <div class="mt-2 overflow-x-auto">
                <table class="w-full text-left text-sm" data-testid="code-table">
                    <thead><tr class="border-b border-stone-300">
                        <th scope="col" class=cell>"Code"</th><th scope="col" class=cell>"Discount"</th>
                        <th scope="col" class=cell>"Rules"</th><th scope="col" class=cell>"Used"</th><th scope="col" class=cell>"State"</th>
                    </tr></thead>
                    <tbody>
                        {codes.items.into_iter().map(|c| {
                            let discount = match c.kind {
                                crate::domain::pricing::discounts::DiscountKind::Percent => format!("{} %", c.value.normalize()),
                                crate::domain::pricing::discounts::DiscountKind::Fixed => format!("{} off", c.value),
                            };
                            let mut rules = Vec::new();
                            if let Some(min) = &c.min_subtotal { rules.push(format!("from {min}")); }
                            if let Some(per) = c.per_customer_limit { rules.push(format!("{per} per customer")); }
                            if let Some(end) = c.ends_at { rules.push(format!("until {}", end.format("%-d %b %Y"))); }
                            let used = match c.usage_limit { Some(limit) => format!("{} of {limit}", c.times_used), None => c.times_used.to_string() };
                            let label = format!("{} {}", if c.active { "Turn off" } else { "Turn on" }, c.code);
                            view! {
                                <tr class="border-b border-stone-200">
                                    <td class=cell><strong>{c.code.clone()}</strong></td>
                                    <td class=cell>{discount}</td>
                                    <td class=cell>{rules.join(", ")}</td>
                                    <td class=cell>{used}</td>
                                    <td class=cell>
                                        <ActionForm action=switch_code attr:class="flex items-center gap-2">
                                            <input type="hidden" name="id" value=c.id.to_string()/>
                                            <input type="hidden" name="active" value=(!c.active).to_string()/>
                                            <span>{if c.active { "active" } else { "off" }}</span>
                                            <button type="submit" class="underline" aria-label=label>{if c.active { "Turn off" } else { "Turn on" }}</button>
                                        </ActionForm>
                                        <details class="mt-1">
                                            <summary class="cursor-pointer underline">{format!("Edit {}", c.code)}</summary>
                                            <ActionForm action=edit_code attr:class="mt-2 flex flex-col gap-2" attr:aria-label=format!("Edit {}", c.code)>
                                                <input type="hidden" name="id" value=c.id.to_string()/>
                                                <input type="hidden" name="version" value=c.version.to_string()/>
                                                <EditInput id=format!("code-{}-value", c.id) name="value" label="Value" value=c.value.to_string()/>
                                                <EditInput id=format!("code-{}-min", c.id) name="min_subtotal" label="Minimum" value=c.min_subtotal.as_ref().map(|m| m.amount.to_string()).unwrap_or_default()/>
                                                <EditInput id=format!("code-{}-uses", c.id) name="usage_limit" label="Uses in all" value=c.usage_limit.map(|n| n.to_string()).unwrap_or_default()/>
                                                <EditInput id=format!("code-{}-per", c.id) name="per_customer_limit" label="Uses per customer" value=c.per_customer_limit.map(|n| n.to_string()).unwrap_or_default()/>
                                                <EditInput id=format!("code-{}-ends", c.id) name="ends_at" label="Ends" kind="date" value=c.ends_at.map(|e| e.format("%Y-%m-%d").to_string()).unwrap_or_default()/>
                                                <button type="submit" class="self-start rounded border border-stone-400 px-3 py-1">"Save"</button>
                                            </ActionForm>
                                        </details>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {empty(no_codes, "No discount codes yet.")}
            <Pagination page=codes.page total_pages=codes_pages base="/admin/pricing" param="codes_page"/>
            <ActionForm action=add_code attr:class="mt-4 grid max-w-3xl gap-3 rounded-lg border border-stone-200 bg-white p-4 sm:grid-cols-3" attr:novalidate=true attr:data-testid="new-code">
                <div class="sm:col-span-3"><h3 class="font-medium">"New code"</h3><FormError result=add_code.value()/></div>
                <Field name="code" label="Code" required=true errors=code_errors("code") form="code-"/>
                <div class="flex flex-col gap-1">
                    <label for="code-kind" class="text-sm font-medium">"Kind"</label>
                    <select id="code-kind" name="kind" class="rounded border border-stone-400 px-3 py-2">
                        <option value="percent">"Percentage"</option>
                        <option value="fixed">"Fixed amount"</option>
                    </select>
                </div>
                <Field name="value" label="Value" required=true hint="10 for 10 %, or an amount" errors=code_errors("value") form="code-"/>
                <Field name="min_subtotal" label="Minimum (optional)" errors=code_errors("min_subtotal") form="code-"/>
                <Field name="usage_limit" label="Uses in all (optional)" kind="number" errors=code_errors("usage_limit") form="code-"/>
                <Field name="per_customer_limit" label="Uses per customer (optional)" kind="number" errors=code_errors("per_customer_limit") form="code-"/>
                <Field name="ends_at" label="Ends (optional)" kind="date" errors=code_errors("ends_at") form="code-"/>
                <div class="self-end"><Submit label="Create code" busy="Creating…" pending=add_code.pending()/></div>
            </ActionForm>
        </section>

        <section aria-labelledby="methods-heading" class="mt-10">
            <h2 id="methods-heading" class="text-lg font-semibold">"Shipping methods"</h2>
            <ul class="mt-2 divide-y divide-stone-200 rounded border border-stone-200 bg-white text-sm" data-testid="method-list">
                {methods.items.into_iter().map(|m| {
                    let free = m.free_above.as_ref().map(|f| format!(", free from {f}")).unwrap_or_default();
                    let label = format!("{} {}", if m.active { "Turn off" } else { "Turn on" }, m.name);
                    let edit_label = format!("Edit {}", m.name);
                    let method_name = m.name.clone();
                    view! {
                        <li class="flex flex-wrap items-center justify-between gap-2 p-3">
                            <span><strong>{m.name.clone()}</strong>{format!(" — {}{free}; to {}", m.price, m.countries.join(", "))}</span>
                            <ActionForm action=switch_method attr:class="flex items-center gap-2">
                                <input type="hidden" name="id" value=m.id.to_string()/>
                                <input type="hidden" name="active" value=(!m.active).to_string()/>
                                <span>{if m.active { "active" } else { "off" }}</span>
                                <button type="submit" class="underline" aria-label=label>{if m.active { "Turn off" } else { "Turn on" }}</button>
                            </ActionForm>
                            <details class="w-full">
                                <summary class="cursor-pointer underline">{edit_label.clone()}</summary>
                                <ActionForm action=edit_method attr:class="mt-2 grid gap-2 sm:grid-cols-4" attr:aria-label=edit_label>
                                    <input type="hidden" name="id" value=m.id.to_string()/>
                                    <input type="hidden" name="version" value=m.version.to_string()/>
                                    <EditInput id=format!("method-{}-name", m.id) name="name" label="Name" value=method_name/>
                                    <EditInput id=format!("method-{}-price", m.id) name="price" label="Price" value=m.price.amount.to_string()/>
                                    <EditInput id=format!("method-{}-free", m.id) name="free_above" label="Free from" value=m.free_above.as_ref().map(|f| f.amount.to_string()).unwrap_or_default()/>
                                    <EditInput id=format!("method-{}-countries", m.id) name="countries" label="Countries" value=m.countries.join(", ")/>
                                    <button type="submit" class="self-end rounded border border-stone-400 px-3 py-1">"Save"</button>
                                </ActionForm>
                            </details>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {empty(no_methods, "No shipping methods yet: shoppers can't check out until there is one for their country.")}
            <Pagination page=methods.page total_pages=methods_pages base="/admin/pricing" param="methods_page"/>
            <ActionForm action=add_method attr:class="mt-4 grid max-w-3xl gap-3 rounded-lg border border-stone-200 bg-white p-4 sm:grid-cols-2" attr:novalidate=true>
                <div class="sm:col-span-2"><h3 class="font-medium">"New shipping method"</h3><FormError result=add_method.value()/></div>
                <Field name="name" label="Name" required=true errors=method_errors("name") form="method-"/>
                <Field name="price" label="Price" required=true errors=method_errors("price") form="method-"/>
                <Field name="free_above" label="Free from (optional)" errors=method_errors("free_above") form="method-"/>
                <Field name="countries" label="Countries" required=true hint="Two-letter codes, e.g. DE, AT" errors=method_errors("countries") form="method-"/>
                <div><Submit label="Add method" busy="Adding…" pending=add_method.pending()/></div>
            </ActionForm>
        </section>

        <section aria-labelledby="rates-heading" class="mt-10">
            <h2 id="rates-heading" class="text-lg font-semibold">"Tax rates"</h2>
            <p class="text-sm text-stone-700">"Prices are without tax; the shipping address's country sets the rate (none: 0 %)."</p>
            <ul class="mt-2 divide-y divide-stone-200 rounded border border-stone-200 bg-white text-sm" data-testid="rate-list">
                {rates.items.into_iter().map(|r| {
                    let label = format!("Remove the rate of {}", r.country);
                    view! {
                        <li class="flex items-center justify-between gap-2 p-3">
                            <span><strong>{r.country.clone()}</strong>{format!(" — {} %", r.rate)}</span>
                            <ActionForm action=remove_rate>
                                <input type="hidden" name="country" value=r.country.clone()/>
                                <button type="submit" class="text-red-800 underline" aria-label=label>"Remove"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {empty(no_rates, "No tax rates yet: every country is taxed at 0 %.")}
            <Pagination page=rates.page total_pages=rates_pages base="/admin/pricing" param="rates_page"/>
            <ActionForm action=set_rate attr:class="mt-4 flex max-w-xl flex-wrap items-end gap-3 rounded-lg border border-stone-200 bg-white p-4" attr:novalidate=true>
                <div class="w-full"><h3 class="font-medium">"Set a country's rate"</h3><FormError result=set_rate.value()/></div>
                <Field name="country" label="Country code" required=true errors=rate_errors("country") form="rate-"/>
                <Field name="rate" label="Rate (%)" required=true errors=rate_errors("rate") form="rate-"/>
                <Submit label="Save rate" busy="Saving…" pending=set_rate.pending()/>
            </ActionForm>
        </section>
    }
}

/// A small labelled input of an edit form.
#[component]
fn EditInput(
    id: String,
    name: &'static str,
    label: &'static str,
    value: String,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-xs font-medium">{label}</label>
            <input id=id name=name type=kind value=value class="rounded border border-stone-400 bg-white px-2 py-1"/>
        </div>
    }
}
