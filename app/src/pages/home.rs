//! The storefront's home page: the active products, one page at a time (`?page=N`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::{ErrorNotice, Pagination};
use crate::domain::{Page, ProductView};
use crate::server_fns::catalog::list_products;

#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let products = Resource::new(move || query.with(|q| q.get("page")), |page| list_products(page, None));

    view! {
        <Title text="Shop"/>
        <section aria-labelledby="products-heading">
            <h1 id="products-heading" class="text-2xl font-bold tracking-tight sm:text-3xl">"Products"</h1>
            <Suspense fallback=|| view! { <p role="status" class="mt-6 text-stone-700">"Loading products…"</p> }>
                {move || Suspend::new(async move {
                    match products.await {
                        Ok(page) => view! { <ProductGrid page/> }.into_any(),
                        Err(error) => view! { <div class="mt-6"><ErrorNotice error/></div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ProductGrid(page: Page<ProductView>) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <p class="mt-6 text-stone-700">"No products here yet."</p> }.into_any();
    }
    let total_pages = page.total_pages();
    view! {
        <p class="mt-2 text-sm text-stone-700">{page.total} " products"</p>
        <ul class="mt-6 grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4" data-testid="product-list">
            {page.items.into_iter().map(|product| view! { <ProductCard product/> }).collect_view()}
        </ul>
        <Pagination page=page.page total_pages base="/"/>
    }
    .into_any()
}

#[component]
fn ProductCard(product: ProductView) -> impl IntoView {
    let heading_id = format!("product-{}", product.id.0);
    let labelled_by = heading_id.clone();
    view! {
        <li class="flex flex-col rounded-lg border border-stone-200 bg-white p-4 shadow-sm" aria-labelledby=labelled_by>
            {product.category.map(|c| view! { <p class="text-xs uppercase tracking-wide text-stone-600">{c}</p> })}
            <h2 id=heading_id class="mt-1 text-lg font-semibold">{product.name}</h2>
            <p class="mt-1 flex-1 text-sm text-stone-700">{product.description}</p>
            <div class="mt-4 flex items-center justify-between">
                <span class="text-lg font-semibold" data-testid="price">{product.price.to_string()}</span>
                {if product.in_stock {
                    view! { <span class="rounded bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900">"In stock"</span> }.into_any()
                } else {
                    view! { <span class="rounded bg-stone-200 px-2 py-0.5 text-xs font-medium text-stone-800">"Sold out"</span> }.into_any()
                }}
            </div>
        </li>
    }
}
