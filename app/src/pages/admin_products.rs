//! The staff's product table (`products:write` for anything but active products): search by name
//! or SKU, filters (status, category, stock state), sort and pagination, all kept in the URL;
//! tick products and publish or archive them at once. One GET form for the filters and one POST
//! form for the selection: both work without JavaScript.

use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::{ErrorNotice, FormError, Notice, Pagination, Seo};
use crate::server_fns::admin::{BulkProductStatus, ProductTableQuery, staff_categories, staff_products};

/// `/admin/products`.
#[component]
pub fn AdminProductsPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |name: &'static str| query.with(|q| q.get(name)).unwrap_or_default();
    let table = move || ProductTableQuery {
        q: Some(get("q")),
        status: Some(get("status")),
        category: Some(get("category")),
        in_stock: Some(get("in_stock")),
        sort: Some(get("sort")),
        page: Some(get("page")).filter(|p| !p.is_empty()),
    };
    let products = Resource::new(table, staff_products);
    let categories = Resource::new(|| (), |_| staff_categories());
    let bulk = ServerAction::<BulkProductStatus>::new();
    let done = Some(get("done"))
        .filter(|d| !d.is_empty())
        .map(|n| format!("{n} product(s) now {}.", get("made")));
    let (q, status, category, in_stock, sort) =
        (get("q"), get("status"), get("category"), get("in_stock"), get("sort"));
    let input = "rounded border border-stone-400 bg-white px-3 py-2";
    let option = |value: &'static str, label: &'static str, current: &str| {
        view! { <option value=value selected=current == value>{label}</option> }
    };
    view! {
        <Seo title="Products" description="The catalogue, for staff."/>
        <div class="flex flex-wrap items-baseline justify-between gap-3">
            <h1 class="text-2xl font-bold tracking-tight">"Products"</h1>
            <a href="/admin/products/new" class="rounded bg-stone-900 px-4 py-2 font-medium text-white hover:bg-stone-700">"New product"</a>
        </div>
        <form method="get" action="/admin/products" role="search" aria-label="Filter products" class="mt-4 flex flex-wrap items-end gap-3">
            <div class="flex flex-col gap-1">
                <label for="product-q" class="text-sm font-medium">"Name or SKU"</label>
                <input id="product-q" type="search" name="q" value=q class=input/>
            </div>
            <div class="flex flex-col gap-1">
                <label for="product-status" class="text-sm font-medium">"Status"</label>
                <select id="product-status" name="status" class=input>
                    {option("active", "Active", &status)}
                    {option("draft", "Draft", &status)}
                    {option("archived", "Archived", &status)}
                </select>
            </div>
            <div class="flex flex-col gap-1">
                <label for="product-category" class="text-sm font-medium">"Category"</label>
                <select id="product-category" name="category" class=input>
                    <option value="">"Any"</option>
                    <Suspense fallback=|| ()>
                        {move || {
                            let category = category.clone();
                            Suspend::new(async move {
                                let tree = categories.await.unwrap_or_default();
                                let mut all = Vec::new();
                                super::admin_categories::flatten(&tree, 0, &mut all);
                                all.into_iter().map(|(_, slug, label)| {
                                    let selected = slug == category;
                                    view! { <option value=slug selected=selected>{label}</option> }
                                }).collect_view()
                            })
                        }}
                    </Suspense>
                </select>
            </div>
            <div class="flex flex-col gap-1">
                <label for="product-stock" class="text-sm font-medium">"Stock"</label>
                <select id="product-stock" name="in_stock" class=input>
                    {option("", "Any", &in_stock)}
                    {option("true", "In stock", &in_stock)}
                    {option("false", "Sold out", &in_stock)}
                </select>
            </div>
            <div class="flex flex-col gap-1">
                <label for="product-sort" class="text-sm font-medium">"Sort"</label>
                <select id="product-sort" name="sort" class=input>
                    {option("newest", "Newest", &sort)}
                    {option("name", "Name", &sort)}
                    {option("price_asc", "Price, lowest first", &sort)}
                    {option("price_desc", "Price, highest first", &sort)}
                    {option("rating", "Rating", &sort)}
                </select>
            </div>
            <button type="submit" class="rounded bg-stone-900 px-4 py-2 font-medium text-white">"Filter"</button>
            <a href="/admin/products" class="py-2 text-sm underline">"Clear"</a>
        </form>
        <div class="mt-4 flex flex-col gap-2">
            {done.map(|text| view! { <Notice text/> })}
            <FormError result=bulk.value()/>
        </div>
        <Suspense fallback=|| view! { <p role="status" class="mt-4">"Loading products…"</p> }>
            {move || Suspend::new(async move {
                match products.await {
                    Ok(page) if page.items.is_empty() => EitherOf3::A(view! { <p class="mt-6 text-stone-700">"No products match."</p> }),
                    Ok(page) => {
                        let total_pages = page.total_pages();
                        let keep = vec![("q", get("q")), ("status", get("status")), ("category", get("category")), ("in_stock", get("in_stock")), ("sort", get("sort"))];
                        EitherOf3::B(view! {
                            <p class="mt-4 text-sm text-stone-700">{page.total} " products"</p>
                            <ActionForm action=bulk attr:class="mt-2 flex flex-col gap-3" attr:data-testid="product-table">
                                <div class="overflow-x-auto">
                                    <table class="w-full text-left text-sm">
                                        <caption class="sr-only">"Products"</caption>
                                        <thead><tr class="border-b border-stone-300">
                                            <th scope="col" class="py-2 pr-2"><span class="sr-only">"Ticked"</span></th>
                                            <th scope="col" class="py-2 pr-4">"Product"</th>
                                            <th scope="col" class="py-2 pr-4">"Category"</th>
                                            <th scope="col" class="py-2 pr-4 text-right">"Price"</th>
                                            <th scope="col" class="py-2 pr-4">"Stock"</th>
                                            <th scope="col" class="py-2">"Rating"</th>
                                        </tr></thead>
                                        <tbody>
                                            {page.items.into_iter().map(|p| {
                                                let id = p.id.0.to_string();
                                                let box_id = format!("product-{id}");
                                                view! {
                                                    <tr class="border-b border-stone-200">
                                                        <td class="py-2 pr-2"><input type="checkbox" id=box_id.clone() name="ids[]" value=id class="h-4 w-4"/></td>
                                                        <td class="py-2 pr-4"><label for=box_id class="sr-only">{format!("Tick {}", p.name)}</label><a href=format!("/admin/products/{id}", id = p.id.0) class="underline">{p.name.clone()}</a>" "<a href=format!("/products/{}", p.slug) class="text-xs underline">"view"</a></td>
                                                        <td class="py-2 pr-4">{p.category.clone().unwrap_or_default()}</td>
                                                        <td class="py-2 pr-4 text-right tabular-nums">{p.price.to_string()}</td>
                                                        <td class="py-2 pr-4">{if p.in_stock { "In stock" } else { "Sold out" }}</td>
                                                        <td class="py-2">{p.rating_average.map(|r| format!("{} ({})", r.round_dp(1), p.rating_count)).unwrap_or_else(|| "—".to_owned())}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <div class="flex flex-wrap gap-3">
                                    <button type="submit" name="status" value="active" class="rounded bg-stone-900 px-4 py-2 font-medium text-white">"Publish ticked"</button>
                                    <button type="submit" name="status" value="archived" class="rounded border border-stone-400 px-4 py-2 font-medium">"Archive ticked"</button>
                                </div>
                            </ActionForm>
                            <Pagination page=page.page total_pages base="/admin/products" keep/>
                        })
                    }
                    Err(error) => EitherOf3::C(view! { <div class="mt-4"><ErrorNotice error/></div> }),
                }
            })}
        </Suspense>
    }
}
