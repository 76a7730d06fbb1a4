//! The catalogue's storefront pages: a category with its products (filters and sort live in the
//! URL, so a filtered list can be shared and the back button works), and a product with its
//! variant picker (each option combination has its own URL), stock, rating and reviews. Both
//! work without JavaScript: filters are a GET form, the picker and pagination plain links.

use std::collections::BTreeMap;

use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::NotFound;
use super::home::ProductGrid;
use crate::components::pagination::encode_query_value;
use crate::components::seo::{site_url, summary};
use crate::components::{ErrorNotice, FormError, Gallery, Notice, Pagination, Seo, Submit, field_errors};
use crate::domain::Page;
use crate::domain::catalog::pages::{CategoryContent as CategoryData, ProductContent as ProductData};
use crate::domain::catalog::reviews::{ReviewStanding, ReviewStatus, ReviewView};
use crate::domain::catalog::{CategorySummary, ProductDetail, VariantView};
use crate::error::{AppError, ErrorCode};
use crate::server_fns::catalog::{WriteReview, category_page, own_review, product_page, product_reviews};
use crate::server_fns::shop::AddToCart;

/// The filters a category page takes from its URL, in the order the form shows them.
const FILTERS: [&str; 5] = ["min_price", "max_price", "in_stock", "min_rating", "sort"];

/// An error page: the 404 page for a missing resource, the error's message otherwise.
fn error_view(error: AppError) -> AnyView {
    if error.code == ErrorCode::NotFound {
        view! { <NotFound/> }.into_any()
    } else {
        view! { <ErrorNotice error/> }.into_any()
    }
}

/// "Home › Parent › Child" with the last crumb the current page.
#[component]
fn Breadcrumb(trail: Vec<CategorySummary>, current: String) -> impl IntoView {
    view! {
        <nav aria-label="Breadcrumb" class="text-sm text-stone-700">
            <ol class="flex flex-wrap items-center gap-1">
                <li><A href="/" attr:class="underline hover:text-stone-950">"Home"</A></li>
                {trail.into_iter().map(|c| view! {
                    <li aria-hidden="true">"›"</li>
                    <li><A href=format!("/categories/{}", c.slug) attr:class="underline hover:text-stone-950">{c.name}</A></li>
                }).collect_view()}
                <li aria-hidden="true">"›"</li>
                <li aria-current="page" class="font-medium text-stone-900">{current}</li>
            </ol>
        </nav>
    }
}

#[component]
pub fn CategoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let slug = params.with(|p| p.get("slug")).unwrap_or_default();
            let filters: Vec<Option<String>> = FILTERS.iter().map(|f| query.with(|q| q.get(f))).collect();
            (slug, filters, query.with(|q| q.get("page")))
        },
        |(slug, filters, page)| {
            let [min_price, max_price, in_stock, min_rating, sort]: [Option<String>; 5] =
                filters.try_into().unwrap_or_default();
            category_page(slug, min_price, max_price, in_stock, min_rating, sort, page)
        },
    );
    view! {
        <Suspense fallback=|| view! { <p role="status" class="text-stone-700">"Loading products…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <Category data/> }.into_any(),
                    Err(error) => error_view(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Category(data: CategoryData) -> impl IntoView {
    let query = use_query_map();
    let current = move |name: &str| query.with(|q| q.get(name)).unwrap_or_default();
    let category = data.category;
    let path = format!("/categories/{}", category.slug);
    let description = if category.description.is_empty() {
        format!("{} at Oxcart: {} products.", category.name, data.products.total)
    } else {
        category.description.clone()
    };
    let filtered = FILTERS.iter().any(|f| !current(f).is_empty());
    let keep: Vec<(&'static str, String)> = FILTERS.iter().map(|f| (*f, current(f))).collect();
    let total_pages = data.products.total_pages();
    let count = match data.products.total {
        1 => "1 product".to_owned(),
        n => format!("{n} products"),
    };
    let selected = move |name: &'static str, value: &'static str| current(name) == value;
    let clear_href = path.clone();
    view! {
        <Seo title=category.name.clone() description path=path.clone()/>
        <Breadcrumb trail=data.trail current=category.name.clone()/>
        <h1 class="mt-3 text-2xl font-bold tracking-tight sm:text-3xl">{category.name.clone()}</h1>
        {(!category.description.is_empty()).then(|| view! { <p class="mt-2 max-w-prose text-stone-700">{category.description.clone()}</p> })}
        {(!category.children.is_empty()).then(|| view! {
            <nav aria-label="Subcategories" class="mt-4">
                <ul class="flex flex-wrap gap-2">
                    {category.children.into_iter().map(|c| view! {
                        <li><A href=format!("/categories/{}", c.slug) attr:class="inline-block rounded-full border border-stone-300 bg-white px-3 py-1 text-sm hover:border-emerald-700 hover:underline">{c.name}</A></li>
                    }).collect_view()}
                </ul>
            </nav>
        })}
        <div class="mt-6 grid gap-6 lg:grid-cols-[16rem_1fr]">
            <aside aria-labelledby="filters-heading" class="rounded-lg border border-stone-200 bg-white p-4">
                <h2 id="filters-heading" class="font-semibold">"Filter and sort"</h2>
                <form method="get" action=path.clone() class="mt-3 flex flex-col gap-3" data-testid="filters">
                    <div class="flex gap-2">
                        <div class="flex flex-1 flex-col gap-1">
                            <label for="filter-min-price" class="text-sm font-medium">"Min price"</label>
                            <input id="filter-min-price" name="min_price" inputmode="decimal" value=current("min_price")
                                class="w-full rounded border border-stone-400 px-2 py-1"/>
                        </div>
                        <div class="flex flex-1 flex-col gap-1">
                            <label for="filter-max-price" class="text-sm font-medium">"Max price"</label>
                            <input id="filter-max-price" name="max_price" inputmode="decimal" value=current("max_price")
                                class="w-full rounded border border-stone-400 px-2 py-1"/>
                        </div>
                    </div>
                    <div class="flex items-center gap-2">
                        <input id="filter-in-stock" type="checkbox" name="in_stock" value="true" checked=current("in_stock") == "true"/>
                        <label for="filter-in-stock" class="text-sm">"In stock only"</label>
                    </div>
                    <div class="flex flex-col gap-1">
                        <label for="filter-min-rating" class="text-sm font-medium">"Rating"</label>
                        <select id="filter-min-rating" name="min_rating" class="rounded border border-stone-400 px-2 py-1">
                            <option value="" selected=current("min_rating").is_empty()>"Any"</option>
                            <option value="4" selected=selected("min_rating", "4")>"4 stars and up"</option>
                            <option value="3" selected=selected("min_rating", "3")>"3 stars and up"</option>
                        </select>
                    </div>
                    <div class="flex flex-col gap-1">
                        <label for="filter-sort" class="text-sm font-medium">"Sort by"</label>
                        <select id="filter-sort" name="sort" class="rounded border border-stone-400 px-2 py-1">
                            <option value="newest" selected=current("sort").is_empty() || selected("sort", "newest")>"Newest"</option>
                            <option value="price_asc" selected=selected("sort", "price_asc")>"Price: low to high"</option>
                            <option value="price_desc" selected=selected("sort", "price_desc")>"Price: high to low"</option>
                            <option value="name" selected=selected("sort", "name")>"Name"</option>
                            <option value="rating" selected=selected("sort", "rating")>"Best rated"</option>
                        </select>
                    </div>
                    <button type="submit" class="rounded bg-stone-900 px-4 py-2 font-medium text-white hover:bg-stone-700">"Apply"</button>
                    {filtered.then(|| view! { <A href=clear_href attr:class="text-sm underline">"Clear filters"</A> })}
                </form>
            </aside>
            <section aria-labelledby="results-heading">
                <h2 id="results-heading" class="sr-only">"Products"</h2>
                <p role="status" class="text-sm text-stone-700" data-testid="result-count">{count}</p>
                {if data.products.items.is_empty() {
                    view! {
                        <div class="mt-4 rounded-lg border border-dashed border-stone-300 p-8 text-center">
                            <p class="font-medium">"No products match."</p>
                            {if filtered {
                                view! { <p class="mt-2 text-sm text-stone-700">"Try fewer filters, or " <A href=path.clone() attr:class="underline">"clear them all"</A> "."</p> }.into_any()
                            } else {
                                view! { <p class="mt-2 text-sm text-stone-700">"Nothing here yet — come back soon."</p> }.into_any()
                            }}
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <ProductGrid products=data.products.items/>
                        <Pagination page=data.products.page total_pages base=path.clone() keep/>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.with(|p| p.get("slug")).unwrap_or_default();
    // Every resource of the page is created here, before anything awaits: the browser matches
    // resources to the server's by the order they were made in.
    let data = Resource::new(slug, product_page);
    let reviews = Resource::new(
        move || (slug(), query.with(|q| q.get("reviews_page"))),
        |(slug, page)| product_reviews(slug, page),
    );
    let own = Resource::new(slug, own_review);
    let resources = PageResources { reviews, own };
    view! {
        <Suspense fallback=|| view! { <p role="status" class="text-stone-700">"Loading the product…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(ProductData::Found { product, trail }) => view! { <Product product=*product trail resources/> }.into_any(),
                    Ok(ProductData::Moved(slug)) => view! { <MovedTo path=format!("/products/{slug}")/> }.into_any(),
                    Err(error) => error_view(error),
                }
            })}
        </Suspense>
    }
}

/// A product's old address: a permanent redirect (the link is for a client that doesn't follow it).
#[component]
fn MovedTo(path: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(location)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(&path),
    ) {
        response.set_status(axum::http::StatusCode::MOVED_PERMANENTLY);
        response.insert_header(axum::http::header::LOCATION, location);
    }
    view! { <p>"This product has moved: " <a href=path.clone() class="underline">{path.clone()}</a></p> }
}

/// A variant as the picker needs it, ready to print. The browser gets this rather than the whole
/// `VariantView`, so the wasm carries no decimal or JSON-value code for it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Choice {
    id: String,
    sku: String,
    name: String,
    options: BTreeMap<String, String>,
    price: String,
    compare_at_price: Option<String>,
    in_stock: bool,
    low_stock: bool,
}

impl From<&VariantView> for Choice {
    fn from(variant: &VariantView) -> Self {
        Self {
            id: variant.id.to_string(),
            sku: variant.sku.clone(),
            name: variant.name.clone(),
            options: serde_json::from_value(variant.options.clone()).unwrap_or_default(),
            price: variant.price.to_string(),
            compare_at_price: variant.compare_at_price.as_ref().map(ToString::to_string),
            in_stock: variant.in_stock,
            low_stock: variant.low_stock,
        }
    }
}

/// The option names of a product's variants, in order of first appearance, each with its
/// values in order of first appearance.
fn option_axes(variants: &[Choice]) -> Vec<(String, Vec<String>)> {
    let mut axes: Vec<(String, Vec<String>)> = Vec::new();
    for variant in variants {
        for (name, value) in variant.options.clone() {
            match axes.iter_mut().find(|(n, _)| *n == name) {
                Some((_, values)) if !values.contains(&value) => values.push(value),
                Some(_) => {}
                None => axes.push((name, vec![value])),
            }
        }
    }
    axes
}

/// The variant the URL picks: the one whose options match the query best (a full match wins;
/// ties go to one in stock, then to display order), or by `?variant=<sku>`; else the first
/// variant in stock.
fn pick_variant<'a>(variants: &'a [Choice], query: &BTreeMap<String, String>) -> Option<&'a Choice> {
    if let Some(sku) = query.get("variant") {
        return variants
            .iter()
            .find(|v| v.sku.eq_ignore_ascii_case(sku))
            .or_else(|| variants.first());
    }
    variants
        .iter()
        .enumerate()
        .max_by_key(|(index, v)| {
            let matches = v
                .options
                .iter()
                .filter(|(name, value)| query.get(*name) == Some(value))
                .count();
            (matches, v.in_stock, std::cmp::Reverse(*index))
        })
        .map(|(_, v)| v)
}

/// The query string that selects `variant` (its option values, or its SKU when it has none).
fn variant_query(variant: &Choice) -> String {
    let pairs: Vec<String> = choice_of(variant)
        .iter()
        .map(|(n, v)| format!("{}={}", encode_query_value(n), encode_query_value(v)))
        .collect();
    format!("?{}", pairs.join("&"))
}

/// schema.org `Product` JSON-LD: price, availability and rating, for search engines.
fn product_json_ld(product: &ProductDetail, variant: Option<&VariantView>, url: &str) -> String {
    let availability = |in_stock: bool| {
        if in_stock {
            "https://schema.org/InStock"
        } else {
            "https://schema.org/OutOfStock"
        }
    };
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": summary(&product.description, 500),
        "url": url,
    });
    if let Some(variant) = variant {
        ld["sku"] = variant.sku.clone().into();
        ld["offers"] = serde_json::json!({
            "@type": "Offer",
            "price": variant.price.amount.to_string(),
            "priceCurrency": variant.price.currency.as_str(),
            "availability": availability(variant.in_stock),
            "url": url,
        });
    }
    let base = url.split("/products/").next().unwrap_or_default();
    let pictures: Vec<String> = product
        .images
        .iter()
        .filter_map(|i| i.renditions.last().map(|r| format!("{base}{}", r.fallback)))
        .collect();
    if !pictures.is_empty() {
        ld["image"] = pictures.into();
    }
    if let Some(category) = &product.category {
        ld["category"] = category.name.clone().into();
    }
    if let Some(average) = product.rating_average {
        ld["aggregateRating"] = serde_json::json!({
            "@type": "AggregateRating",
            "ratingValue": average.to_string(),
            "reviewCount": product.rating_count,
        });
    }
    // Inside a <script> element, `<` must not start a tag.
    ld.to_string().replace('<', "\\u003c")
}

/// The product page's resources besides the product itself.
#[derive(Clone, Copy)]
struct PageResources {
    reviews: Resource<Result<Page<ReviewView>, AppError>>,
    own: Resource<Result<ReviewStanding, AppError>>,
}

#[component]
fn Product(product: ProductDetail, trail: Vec<CategorySummary>, resources: PageResources) -> impl IntoView {
    let query = use_query_map();
    let path = format!("/products/{}", product.slug);
    let title = if product.seo_title.is_empty() {
        product.name.clone()
    } else {
        product.seo_title.clone()
    };
    let description = if product.seo_description.is_empty() {
        product.description.clone()
    } else {
        product.seo_description.clone()
    };
    let choices: Vec<Choice> = product.variants.iter().map(Choice::from).collect();
    let wanted = query.with_untracked(|q| wanted_choice(&choices, |name| q.get(name)));
    let picked = pick_variant(&choices, &wanted).and_then(|c| product.variants.iter().find(|v| v.sku == c.sku));
    let json_ld = product_json_ld(&product, picked, &format!("{}{path}", site_url()));
    let product_name = product.name.clone();
    let has_images = !product.images.is_empty();
    let og_image = product
        .images
        .first()
        .and_then(|i| i.renditions.last().map(|r| r.fallback.clone()));
    view! {
        <Seo title description path=path.clone() kind="product" image=og_image/>
        <script type="application/ld+json" inner_html=json_ld></script>
        <Breadcrumb trail current=product.name.clone()/>
        <article class=if has_images { "mt-4 grid gap-8 md:grid-cols-2" } else { "mt-4 max-w-2xl" } aria-labelledby="product-name">
            {has_images.then(|| view! { <Gallery images=product.images.clone() product_name=product.name.clone()/> })}
            <div>
                <h1 id="product-name" class="text-2xl font-bold tracking-tight sm:text-3xl">{product.name.clone()}</h1>
                {product.rating_average.map(|average| view! {
                    <p class="mt-2 text-stone-700" data-testid="rating-summary">
                        <span aria-hidden="true">"★ "</span>
                        {format!("{average:.1} out of 5")}
                        {format!(" · {} review{}", product.rating_count, if product.rating_count == 1 { "" } else { "s" })}
                    </p>
                })}
                <VariantPicker variants=choices path=path.clone() wanted/>
                <div class="mt-6 max-w-prose whitespace-pre-line text-stone-800" data-testid="description">{product.description.clone()}</div>
            </div>
        </article>
        <Reviews slug=product.slug.clone() product_id=product.id.0.to_string() product_name resources/>
    }
}

/// What a URL asks of the picker: the values it gives for the variants' option names, and
/// `variant` (a SKU), read through `get`.
fn wanted_choice(variants: &[Choice], get: impl Fn(&str) -> Option<String>) -> BTreeMap<String, String> {
    option_axes(variants)
        .into_iter()
        .map(|(name, _)| name)
        .chain(std::iter::once("variant".to_owned()))
        .filter_map(|name| get(&name).map(|value| (name, value)))
        .collect()
}

/// The variant picker with the chosen variant's price, availability and SKU (an island). Each
/// choice is a link to its own URL, so it works without JavaScript; with it, a click swaps the
/// variant in place and records the URL in the history (the back button steps through choices).
#[island]
fn VariantPicker(variants: Vec<Choice>, path: String, wanted: BTreeMap<String, String>) -> impl IntoView {
    let axes = option_axes(&variants);
    let wanted = RwSignal::new(wanted);
    let variants = StoredValue::new(variants);
    let selected = Memo::new(move |_| wanted.with(|w| variants.with_value(|vs| pick_variant(vs, w).cloned())));
    follow_history(wanted, variants);
    // The link to `target`: its URL, and a click that picks it in place.
    let choice = move |target: Signal<Option<Choice>>, label: String, current: Signal<bool>| {
        let path = path.clone();
        let href = Signal::derive(move || {
            target
                .with(|t| t.as_ref().map(|t| format!("{path}{}", variant_query(t))))
                .unwrap_or_default()
        });
        let pick = move || {
            if let Some(target) = target.get_untracked() {
                wanted.set(choice_of(&target));
            }
        };
        view! { <li><ChoiceLink href label current on_pick=pick/></li> }
    };
    view! {
        <div class="mt-4 rounded-lg border border-stone-200 bg-white p-4 shadow-sm">
            {move || selected.get().map(|v| view! { <VariantSummary variant=v/> })}
            <AddToCartForm selected/>
            {if variants.with_value(Vec::is_empty) {
                EitherOf3::A(view! { <p class="text-stone-700">"Not available right now."</p> })
            } else if axes.is_empty() {
                let choices = variants.get_value();
                EitherOf3::B((choices.len() > 1).then(move || view! {
                    <fieldset class="mt-4">
                        <legend class="text-sm font-medium">"Choose"</legend>
                        <ul class="mt-2 flex flex-wrap gap-2">
                            {choices.into_iter().map(|v| {
                                let sku = v.sku.clone();
                                let label = v.name.clone();
                                choice(Signal::stored(Some(v)), label, Signal::derive(move || selected.with(|s| s.as_ref().is_some_and(|s| s.sku == sku))))
                            }).collect_view()}
                        </ul>
                    </fieldset>
                }))
            } else {
                EitherOf3::C(axes.into_iter().map(|(name, values)| {
                    let axis = name.clone();
                    view! {
                        <fieldset class="mt-4">
                            <legend class="text-sm font-medium capitalize">{name.clone()}</legend>
                            <ul class="mt-2 flex flex-wrap gap-2">
                                {values.into_iter().map(|value| {
                                    // The link selects this value, keeping the other choices.
                                    let target = Signal::derive({
                                        let axis = axis.clone();
                                        let value = value.clone();
                                        move || {
                                            let mut wanted = selected.get().map(|v| v.options.clone()).unwrap_or_default();
                                            wanted.insert(axis.clone(), value.clone());
                                            variants.with_value(|vs| pick_variant(vs, &wanted).cloned())
                                        }
                                    });
                                    let axis = axis.clone();
                                    let wanted_value = value.clone();
                                    let current = Signal::derive(move || selected.get().is_some_and(|v| v.options.get(&axis) == Some(&wanted_value)));
                                    choice(target, value, current)
                                }).collect_view()}
                            </ul>
                        </fieldset>
                    }
                }).collect_view())
            }}
        </div>
    }
}

/// The add-to-cart form of the chosen variant (inside the picker's island). With JavaScript it
/// adds in place, the button saying so while it works, and the header's count follows;
/// without, it posts and the cart page comes next.
#[component]
fn AddToCartForm(selected: Memo<Option<Choice>>) -> impl IntoView {
    let add = ServerAction::<AddToCart>::new();
    let result = add.value();
    Effect::new(move |_| {
        if let Some(Ok(count)) = result.get() {
            show_cart_count(count);
        }
    });
    let quantity_errors = field_errors(result, "quantity");
    view! {
        <Show when=move || selected.with(|s| s.as_ref().is_some_and(|v| v.in_stock))>
            <ActionForm action=add attr:class="mt-4 flex flex-col gap-2" attr:data-testid="add-to-cart" attr:novalidate=true>
                <FormError result/>
                <input type="hidden" name="variant_id" value=move || selected.with(|s| s.as_ref().map(|v| v.id.clone()).unwrap_or_default())/>
                <div class="flex items-end gap-3">
                    <div class="flex flex-col gap-1">
                        <label for="add-quantity" class="text-sm font-medium">"Quantity"</label>
                        <input id="add-quantity" name="quantity" type="number" min="1" max="99" value="1" inputmode="numeric"
                            aria-invalid=move || (!quantity_errors.get().is_empty()).to_string()
                            aria-describedby="add-quantity-error"
                            class="w-20 rounded border border-stone-400 px-2 py-2"/>
                    </div>
                    <Submit label="Add to cart" busy="Adding…" pending=add.pending()/>
                </div>
                <p id="add-quantity-error" class="text-sm text-red-800">{move || quantity_errors.get().join(" ")}</p>
                <Show when=move || matches!(result.get(), Some(Ok(_)))>
                    <p role="status" class="text-sm text-emerald-900">"Added to your cart. " <a href="/cart" class="underline">"View cart"</a></p>
                </Show>
            </ActionForm>
        </Show>
    }
}

/// Shows the cart's new count in the header. (Outside the island, like [`follow_history`].)
fn show_cart_count(count: i32) {
    #[cfg(feature = "hydrate")]
    if let Some(element) = document().get_element_by_id("cart-count") {
        element.set_text_content(Some(&count.to_string()));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = count;
}

/// Back and forward restore the choice the URL records. (Outside the island's body: an island is
/// named by a hash of its code, which a `#[cfg]` inside would make differ between server and
/// browser.)
fn follow_history(wanted: RwSignal<BTreeMap<String, String>>, variants: StoredValue<Vec<Choice>>) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::popstate, move |_| {
            let search = window().location().search().unwrap_or_default();
            let params = leptos::web_sys::UrlSearchParams::new_with_str(&search).ok();
            wanted.set(variants.with_value(|vs| wanted_choice(vs, |name| params.as_ref().and_then(|p| p.get(name)))));
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (wanted, variants);
}

/// What the picker wants once `variant` is picked: its option values, or its SKU.
fn choice_of(variant: &Choice) -> BTreeMap<String, String> {
    if variant.options.is_empty() {
        BTreeMap::from([("variant".to_owned(), variant.sku.clone())])
    } else {
        variant.options.clone()
    }
}

/// One choice of the variant picker: a link, marked when it is the current choice. A plain
/// click picks in place (`on_pick`) and pushes the link's URL; a click with a modifier (new tab)
/// is left to the browser.
#[component]
fn ChoiceLink(
    #[prop(into)] href: Signal<String>,
    label: String,
    #[prop(into)] current: Signal<bool>,
    on_pick: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let on_click = move |event: leptos::ev::MouseEvent| {
        if event.button() != 0 || event.ctrl_key() || event.meta_key() || event.shift_key() || event.alt_key() {
            return;
        }
        event.prevent_default();
        if let Ok(history) = window().history() {
            _ = history.push_state_with_url(&leptos::wasm_bindgen::JsValue::NULL, "", Some(&href.get_untracked()));
        }
        on_pick();
    };
    view! {
        <a href=move || href.get()
            on:click=on_click
            aria-current=move || current.get().then_some("true")
            class=move || if current.get() {
                "inline-block rounded border-2 border-emerald-800 bg-emerald-50 px-3 py-1 font-medium text-emerald-950"
            } else {
                "inline-block rounded border border-stone-400 px-3 py-1 hover:border-stone-900"
            }>
            {label}
        </a>
    }
}

#[component]
fn VariantSummary(variant: Choice) -> impl IntoView {
    let (stock_text, stock_class) = if !variant.in_stock {
        ("Sold out", "bg-stone-200 text-stone-800")
    } else if variant.low_stock {
        ("Only a few left", "bg-amber-100 text-amber-900")
    } else {
        ("In stock", "bg-emerald-100 text-emerald-900")
    };
    view! {
        <div data-testid="variant-summary">
            <p class="flex items-baseline gap-3">
                <span class="text-2xl font-semibold" data-testid="variant-price">{variant.price}</span>
                {variant.compare_at_price.map(|was| view! {
                    <span class="text-stone-600"><span class="sr-only">"Was "</span><s data-testid="compare-at-price">{was}</s></span>
                })}
            </p>
            <p class="mt-2 flex flex-wrap items-center gap-3 text-sm">
                <span class=format!("rounded px-2 py-0.5 font-medium {stock_class}") data-testid="availability">{stock_text}</span>
                <span class="text-stone-700">"SKU " <span data-testid="sku">{variant.sku}</span></span>
            </p>
        </div>
    }
}

#[component]
fn Reviews(slug: String, product_id: String, product_name: String, resources: PageResources) -> impl IntoView {
    let PageResources { reviews, own } = resources;
    let base = format!("/products/{slug}");
    view! {
        <section aria-labelledby="reviews-heading" class="mt-10">
            <h2 id="reviews-heading" class="text-xl font-bold tracking-tight">"Reviews"</h2>
            <Suspense fallback=|| view! { <p role="status" class="mt-4 text-stone-700">"Loading reviews…"</p> }>
                {move || {
                    let base = base.clone();
                    Suspend::new(async move {
                        match reviews.await {
                            Ok(page) if page.items.is_empty() => view! { <p class="mt-4 text-stone-700">"No reviews yet."</p> }.into_any(),
                            Ok(page) => {
                                let total_pages = page.total_pages();
                                view! {
                                    <ul class="mt-4 flex flex-col gap-4" data-testid="review-list">
                                        {page.items.into_iter().map(|review| view! { <ReviewItem review/> }).collect_view()}
                                    </ul>
                                    <ReviewPagination page=page.page total_pages base/>
                                }.into_any()
                            }
                            Err(error) => view! { <div class="mt-4"><ErrorNotice error/></div> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || {
                    let product_id = product_id.clone();
                    let product_name = product_name.clone();
                    Suspend::new(async move {
                        match own.await {
                            Ok(ReviewStanding::NotYet) => view! { <ReviewForm product_id product_name/> }.into_any(),
                            Ok(ReviewStanding::Written(review)) => view! {
                                <p class="mt-6 text-sm text-stone-700" data-testid="own-review">
                                    {format!(
                                        "You reviewed this product on {}: “{}” ({}).",
                                        review.created_at.format("%-d %B %Y"),
                                        review.title,
                                        match review.status {
                                            ReviewStatus::Pending => "waiting to be checked",
                                            ReviewStatus::Approved => "published",
                                            ReviewStatus::Rejected => "not published",
                                        }
                                    )}
                                </p>
                            }.into_any(),
                            _ => view! {
                                <p class="mt-6 text-sm text-stone-700">
                                    <A href="/login" attr:class="underline">"Sign in"</A> " to write a review."
                                </p>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// Review pages go by `?reviews_page=N`, so they don't fight the variant choice in the URL.
#[component]
fn ReviewPagination(page: u32, total_pages: u32, base: String) -> impl IntoView {
    (total_pages > 1).then(|| {
        let link = move |n: u32| format!("{base}?reviews_page={n}");
        view! {
            <nav aria-label="Review pages" class="mt-4 flex items-center gap-4 text-sm">
                {(page > 1).then(|| view! { <A href=link(page - 1) attr:rel="prev" attr:class="underline">"Newer reviews"</A> })}
                <span>"Page " {page} " of " {total_pages}</span>
                {(page < total_pages).then(|| view! { <A href=link(page + 1) attr:rel="next" attr:class="underline">"Older reviews"</A> })}
            </nav>
        }
    })
}

#[component]
fn ReviewItem(review: ReviewView) -> impl IntoView {
    let stars = "★".repeat(usize::try_from(review.rating).unwrap_or(0));
    view! {
        <li class="rounded-lg border border-stone-200 bg-white p-4">
            <p class="font-medium">
                <span aria-hidden="true" class="text-amber-700">{stars}</span>
                <span class="sr-only">{format!("{} out of 5 stars", review.rating)}</span>
                " " {review.title}
            </p>
            <p class="mt-1 text-sm text-stone-600">{format!("{} · {}", review.author, review.created_at.format("%-d %B %Y"))}</p>
            {(!review.body.is_empty()).then(|| view! { <p class="mt-2 whitespace-pre-line text-stone-800">{review.body}</p> })}
        </li>
    }
}

/// The review form (an island: it posts in place, keeping what was typed and showing errors at
/// their fields; without JavaScript it posts and the page comes back with them).
#[island]
fn ReviewForm(product_id: String, product_name: String) -> impl IntoView {
    let write = ServerAction::<WriteReview>::new();
    let result = write.value();
    let sent = move || matches!(result.get(), Some(Ok(())));
    let rating_errors = field_errors(result, "rating");
    let body_errors = field_errors(result, "body");
    view! {
        <div class="mt-8 max-w-xl rounded-lg border border-stone-200 bg-white p-4">
            <h3 class="text-lg font-semibold">{format!("Review {product_name}")}</h3>
            <Show when=sent fallback=move || {
                let product_id = product_id.clone();
                view! {
                    <ActionForm action=write attr:class="mt-3 flex flex-col gap-3" attr:novalidate=true attr:data-testid="review-form">
                        <FormError result/>
                        <input type="hidden" name="product_id" value=product_id/>
                        <div class="flex flex-col gap-1">
                            <label for="review-rating" class="text-sm font-medium">"Rating"</label>
                            <select id="review-rating" name="rating" required=true class="self-start rounded border border-stone-400 px-2 py-1"
                                aria-invalid=move || (!rating_errors.get().is_empty()).to_string()>
                                <option value="5">"5 — excellent"</option>
                                <option value="4">"4 — good"</option>
                                <option value="3">"3 — fair"</option>
                                <option value="2">"2 — poor"</option>
                                <option value="1">"1 — bad"</option>
                            </select>
                        </div>
                        <crate::components::Field name="title" label="Title" required=true errors=field_errors(result, "title") form="review-"/>
                        <div class="flex flex-col gap-1">
                            <label for="review-body" class="text-sm font-medium">"Your review (optional)"</label>
                            <textarea id="review-body" name="body" rows="4" maxlength="5000"
                                aria-invalid=move || (!body_errors.get().is_empty()).to_string()
                                class="rounded border border-stone-400 px-3 py-2"></textarea>
                        </div>
                        <Submit label="Send review" busy="Sending…" pending=write.pending()/>
                    </ActionForm>
                }
            }>
                <div class="mt-3"><Notice text="Thank you! Your review will appear once it has been checked."/></div>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Currency, Money};

    fn variant(sku: &str, options: serde_json::Value, in_stock: bool) -> VariantView {
        VariantView {
            id: uuid::Uuid::new_v4(),
            sku: sku.into(),
            name: sku.into(),
            options,
            price: Money::new(rust_decimal::Decimal::ONE, Currency::parse("USD").unwrap()),
            compare_at_price: None,
            in_stock,
            low_stock: false,
            active: true,
            stock: None,
            low_stock_threshold: None,
            position: 0,
            version: 1,
        }
    }

    #[test]
    fn the_url_picks_the_best_matching_variant() {
        let vs: Vec<Choice> = [
            variant("S-RED", serde_json::json!({"size": "S", "colour": "Red"}), false),
            variant("M-RED", serde_json::json!({"size": "M", "colour": "Red"}), true),
            variant("M-BLUE", serde_json::json!({"size": "M", "colour": "Blue"}), true),
        ]
        .iter()
        .map(Choice::from)
        .collect();
        let q = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(pick_variant(&vs, &q(&[])).unwrap().sku, "M-RED", "first in stock");
        assert_eq!(pick_variant(&vs, &q(&[("size", "S")])).unwrap().sku, "S-RED");
        assert_eq!(
            pick_variant(&vs, &q(&[("size", "M"), ("colour", "Blue")])).unwrap().sku,
            "M-BLUE"
        );
        assert_eq!(pick_variant(&vs, &q(&[("variant", "m-blue")])).unwrap().sku, "M-BLUE");
        assert_eq!(variant_query(&vs[2]), "?colour=Blue&size=M");
        assert_eq!(
            option_axes(&vs),
            vec![
                ("colour".into(), vec!["Red".into(), "Blue".into()]),
                ("size".into(), vec!["S".into(), "M".into()])
            ]
        );
    }

    #[test]
    fn json_ld_names_price_availability_and_rating_and_cannot_close_the_script() {
        let product = ProductDetail {
            id: crate::domain::ProductId(uuid::Uuid::nil()),
            name: "Mug </script>".into(),
            slug: "mug".into(),
            description: "A mug.".into(),
            status: crate::domain::catalog::ProductStatus::Active,
            featured: false,
            seo_title: String::new(),
            seo_description: String::new(),
            category: None,
            price: None,
            in_stock: true,
            rating_average: Some(rust_decimal::Decimal::new(450, 2)),
            rating_count: 2,
            variants: vec![],
            images: vec![],
            version: 1,
        };
        let v = variant("MUG-1", serde_json::json!({}), true);
        let ld = product_json_ld(&product, Some(&v), "https://shop.example/products/mug");
        assert!(!ld.contains("</script>"), "{ld}");
        let parsed: serde_json::Value = serde_json::from_str(&ld).unwrap();
        assert_eq!(parsed["offers"]["price"], "1");
        assert_eq!(parsed["offers"]["availability"], "https://schema.org/InStock");
        assert_eq!(parsed["aggregateRating"]["ratingValue"], "4.50");
    }
}
