//! The storefront's home page: featured products and the top categories; and the product card
//! and grid every product list of the storefront shows.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::{ErrorNotice, Picture, Seo};
use crate::domain::ProductView;
use crate::domain::catalog::pages::HomeContent as HomeData;
use crate::domain::search::Highlights;
use crate::server_fns::catalog::home_page;

#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| home_page());
    view! {
        <Seo title="" description="Oxcart: a fast, open-source online shop. Browse our categories and featured products." path="/"/>
        <Suspense fallback=|| view! { <p role="status" class="mt-6 text-stone-700">"Loading the shop…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(home) => view! { <Home home/> }.into_any(),
                    Err(error) => view! { <div class="mt-6"><ErrorNotice error/></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Home(home: HomeData) -> impl IntoView {
    view! {
        <section aria-labelledby="categories-heading">
            <h1 id="categories-heading" class="text-2xl font-bold tracking-tight sm:text-3xl">"Shop by category"</h1>
            {if home.categories.is_empty() {
                view! { <p class="mt-4 text-stone-700">"No categories yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-4 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" data-testid="category-list">
                        {home.categories.into_iter().map(|c| view! {
                            <li>
                                <A href=format!("/categories/{}", c.slug)
                                    attr:class="block rounded-lg border border-stone-200 bg-white px-4 py-3 font-medium shadow-sm hover:border-emerald-700 hover:underline">
                                    {c.name}
                                </A>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="featured-heading" class="mt-10">
            <h2 id="featured-heading" class="text-xl font-bold tracking-tight">"Featured"</h2>
            {if home.featured.is_empty() {
                view! { <p class="mt-4 text-stone-700">"Nothing featured right now — have a look through the categories."</p> }.into_any()
            } else {
                view! { <ProductGrid products=home.featured/> }.into_any()
            }}
        </section>
    }
}

/// A grid of product cards.
#[component]
pub fn ProductGrid(products: Vec<ProductView>) -> impl IntoView {
    view! {
        <ul class="mt-4 grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4" data-testid="product-list">
            // The first row's pictures are above the fold on most screens; the rest load lazily.
            {products.into_iter().enumerate().map(|(index, product)| view! { <ProductCard product eager=index < 4/> }).collect_view()}
        </ul>
    }
}

/// A product's card: picture, category, name (the link to the product), rating, price and stock.
/// With `highlights` (a search hit), the name and a fragment of the description show the matched
/// words marked: escaped text with `<mark>` around the matches (`domain::search`).
#[component]
pub fn ProductCard(
    product: ProductView,
    eager: bool,
    #[prop(optional)] highlights: Option<Highlights>,
) -> impl IntoView {
    let heading_id = format!("product-{}", product.id.0);
    let labelled_by = heading_id.clone();
    let href = format!("/products/{}", product.slug);
    let testid = if highlights.is_some() {
        "search-hit"
    } else {
        "product-card"
    };
    let (name, description) = match highlights {
        Some(h) => (
            view! { <span inner_html=h.name></span> }.into_any(),
            Some(h.description),
        ),
        None => (product.name.into_any(), None),
    };
    view! {
        <li class="relative flex flex-col rounded-lg border border-stone-200 bg-white p-4 shadow-sm hover:border-emerald-700 [&_mark]:bg-amber-200 [&_mark]:text-inherit" aria-labelledby=labelled_by data-testid=testid>
            {product.image.map(|image| view! {
                <div class="-mx-4 -mt-4 mb-3 overflow-hidden rounded-t-lg bg-stone-100">
                    <Picture image sizes="(min-width: 1024px) 25vw, (min-width: 640px) 50vw, 100vw" eager class="aspect-[4/3] h-auto w-full object-cover"/>
                </div>
            })}
            {product.category.map(|c| view! { <p class="text-xs uppercase tracking-wide text-stone-600">{c}</p> })}
            <h3 id=heading_id class="mt-1 text-lg font-semibold">
                // The whole card is the link's target area; the link text is the name. A plain link:
                // the router's <A> would mark it current on its own page.
                <a href=href class="after:absolute after:inset-0 hover:underline">{name}</a>
            </h3>
            {description.map(|d| view! { <p class="mt-1 text-sm text-stone-700" inner_html=d></p> })}
            {product.rating_average.map(|r| view! {
                <p class="mt-1 text-sm text-stone-700">
                    <span aria-hidden="true">"★ "</span>{format!("{r:.1}")}
                    <span class="sr-only">" out of 5 stars"</span>
                    {format!(" ({})", product.rating_count)}
                </p>
            })}
            <div class="mt-4 flex flex-1 items-end justify-between">
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
