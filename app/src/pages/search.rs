//! The search results page, `/search?q=…`: hits with the matched words marked, facet filters
//! with their counts (each a plain link that adds or removes one filter in the URL, so it works
//! without JavaScript and the back button undoes it), sorting, pagination, "did you mean" when
//! nothing matched, and an empty state.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::home::ProductCard;
use crate::components::pagination::encode_query_value;
use crate::components::{ErrorNotice, Seo};
use crate::domain::search::{FacetValue, SearchResults};
use crate::server_fns::search::search_page;

/// The page's query parameters, in order, without the page number.
type Pairs = Vec<(String, String)>;
/// A facet value with whether it is selected and the link that toggles it.
type Choice = (FacetValue, bool, String);

/// `/search` with `pairs` as its query.
fn search_href(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return "/search".to_owned();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_query_value(k), encode_query_value(v)))
        .collect();
    format!("/search?{}", query.join("&"))
}

fn has(pairs: &[(String, String)], key: &str, value: &str) -> bool {
    pairs.iter().any(|(k, v)| k == key && v == value)
}

fn value_of<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The link that switches `key=value` on or off; `single`: the key takes one value.
fn toggle(pairs: &[(String, String)], key: &str, value: &str, single: bool) -> String {
    let mut next: Pairs = pairs.to_vec();
    if has(pairs, key, value) {
        next.retain(|(k, v)| !(k == key && v == value));
    } else {
        if single {
            next.retain(|(k, _)| k != key);
        }
        next.push((key.to_owned(), value.to_owned()));
    }
    search_href(&next)
}

/// The query string the server function gets (the page's own, re-encoded).
fn query_string(pairs: &[(String, String)]) -> String {
    search_href(pairs)
        .trim_start_matches("/search")
        .trim_start_matches('?')
        .to_owned()
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let all = move || -> Pairs {
        query.with(|q| {
            q.into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.to_owned()))
                .collect()
        })
    };
    let data = Resource::new(move || query_string(&all()), search_page);
    view! {
        <Suspense fallback=|| view! { <p role="status" class="text-stone-700">"Searching…"</p> }>
            {move || Suspend::new(async move {
                let pairs = all();
                match data.await {
                    Ok(results) => view! { <Results results pairs/> }.into_any(),
                    Err(error) => view! {
                        <Seo title="Search" description="Search the shop's products."/>
                        <h1 class="text-2xl font-bold tracking-tight">"Search"</h1>
                        <div class="mt-4"><ErrorNotice error/></div>
                        <p class="mt-4"><a href="/search" class="underline">"Start a new search"</a></p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Results(results: SearchResults, pairs: Pairs) -> impl IntoView {
    let page = results.hits.page;
    let total_pages = results.hits.total_pages();
    let total = results.hits.total;
    let pairs: Pairs = pairs.into_iter().filter(|(k, _)| k != "page").collect();
    let q = value_of(&pairs, "q").unwrap_or_default().to_owned();
    let filtered = pairs.iter().any(|(k, _)| k != "q" && k != "sort");
    let heading = if q.is_empty() {
        "All products".to_owned()
    } else {
        format!("Results for “{q}”")
    };
    let count = match total {
        1 => "1 product".to_owned(),
        n => format!("{n} products"),
    };
    let title = if q.is_empty() {
        "Search".to_owned()
    } else {
        format!("Search: {q}")
    };
    let clear = search_href(&pairs.iter().filter(|(k, _)| k == "q").cloned().collect::<Pairs>());
    let page_href = {
        let pairs = pairs.clone();
        move |n: u32| {
            let mut with_page = pairs.clone();
            with_page.push(("page".into(), n.to_string()));
            search_href(&with_page)
        }
    };
    let did_you_mean = results.did_you_mean.clone().map(|better| {
        let mut next: Pairs = pairs.iter().filter(|(k, _)| k != "q").cloned().collect();
        next.insert(0, ("q".into(), better.clone()));
        (better, search_href(&next))
    });
    let sort_form = sort_form(&pairs);
    let facets = view! { <FacetPanel results=results.clone() pairs=pairs.clone() filtered clear=clear.clone()/> };
    view! {
        <Seo title description="Search the shop's products." path=search_href(&pairs)/>
        <h1 class="text-2xl font-bold tracking-tight sm:text-3xl">{heading}</h1>
        <div class="mt-2 flex flex-wrap items-center justify-between gap-3">
            <p role="status" class="text-stone-700" data-testid="result-count">{count}</p>
            <a href="#facets-heading" class="text-sm underline lg:hidden">"Filter the results"</a>
            {sort_form}
        </div>
        {did_you_mean.map(|(better, href)| view! {
            <p class="mt-3 text-lg" data-testid="did-you-mean">
                "Did you mean " <a href=href class="font-semibold text-emerald-800 underline">{better}</a> "?"
            </p>
        })}
        // Results come first in the page (a phone shows them first, with a link down to the
        // filters); on a wide screen the filters stand to their left.
        <div class="mt-6 grid gap-6 lg:grid-cols-[16rem_1fr]">
            <div class="lg:col-start-2 lg:row-start-1">
                {if results.hits.items.is_empty() {
                    view! {
                        <div class="rounded-lg border border-dashed border-stone-300 bg-white p-8 text-center" data-testid="no-results">
                            <p class="text-lg font-semibold">"No products match your search."</p>
                            <p class="mt-2 text-stone-700">"Check the spelling, use fewer words, or remove a filter."</p>
                            <p class="mt-4 flex flex-wrap justify-center gap-4">
                                {filtered.then(|| view! { <a href=clear.clone() class="underline">"Clear the filters"</a> })}
                                <a href="/" class="underline">"Browse the categories"</a>
                            </p>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <h2 class="sr-only">"Results"</h2>
                        <ol class="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-3" data-testid="search-results">
                            {results.hits.items.into_iter().enumerate().map(|(i, hit)| view! {
                                <ProductCard product=hit.product eager=i < 3 highlights=hit.highlights/>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
                {(total_pages > 1).then(|| view! {
                    <nav aria-label="Pagination" class="mt-8 flex items-center justify-between gap-4 text-sm">
                        {if page > 1 {
                            view! { <a href=page_href(page - 1) rel="prev" class="rounded border border-stone-300 px-3 py-2 hover:bg-stone-100">"← Previous"</a> }.into_any()
                        } else {
                            view! { <span class="px-3 py-2 text-stone-600" aria-disabled="true">"← Previous"</span> }.into_any()
                        }}
                        <span aria-current="page">"Page " {page} " of " {total_pages}</span>
                        {if page < total_pages {
                            view! { <a href=page_href(page + 1) rel="next" class="rounded border border-stone-300 px-3 py-2 hover:bg-stone-100">"Next →"</a> }.into_any()
                        } else {
                            view! { <span class="px-3 py-2 text-stone-600" aria-disabled="true">"Next →"</span> }.into_any()
                        }}
                    </nav>
                })}
            </div>
            {facets}
        </div>
    }
}

/// The sort menu: a GET form carrying the other parameters (no JavaScript needed).
fn sort_form(pairs: &[(String, String)]) -> impl IntoView + use<> {
    let current = value_of(pairs, "sort").unwrap_or("relevance").to_owned();
    let hidden: Pairs = pairs.iter().filter(|(k, _)| k != "sort").cloned().collect();
    let options = [
        ("relevance", "Best match"),
        ("price_asc", "Price: low to high"),
        ("price_desc", "Price: high to low"),
        ("newest", "Newest"),
        ("rating", "Best rated"),
    ];
    view! {
        <form method="get" action="/search" class="flex items-center gap-2" data-testid="sort-form">
            {hidden.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v/> }).collect_view()}
            <label for="search-sort" class="text-sm font-medium">"Sort by"</label>
            <select id="search-sort" name="sort" class="rounded border border-stone-400 bg-white px-2 py-1 text-sm">
                {options.into_iter().map(|(value, label)| view! {
                    <option value=value selected=current == value>{label}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="rounded border border-stone-400 bg-white px-3 py-1 text-sm hover:bg-stone-100">"Sort"</button>
        </form>
    }
}

/// The facets: each value a link that adds or removes its filter, with its count.
#[component]
fn FacetPanel(results: SearchResults, pairs: Pairs, filtered: bool, clear: String) -> impl IntoView {
    let facets = results.facets;
    let categories: Vec<Choice> = facets
        .categories
        .into_iter()
        .take(15)
        .map(|f| {
            let on = has(&pairs, "category", &f.value);
            let href = toggle(&pairs, "category", &f.value, true);
            (f, on, href)
        })
        .collect();
    let prices: Vec<Choice> = facets
        .price
        .into_iter()
        .map(|f| {
            let (min, max) = f.value.split_once('-').unwrap_or((f.value.as_str(), ""));
            let on = value_of(&pairs, "min_price") == Some(min) && value_of(&pairs, "max_price").unwrap_or("") == max;
            let mut next: Pairs = pairs
                .iter()
                .filter(|(k, _)| k != "min_price" && k != "max_price")
                .cloned()
                .collect();
            if !on {
                next.push(("min_price".into(), min.to_owned()));
                if !max.is_empty() {
                    next.push(("max_price".into(), max.to_owned()));
                }
            }
            let href = search_href(&next);
            (f, on, href)
        })
        .collect();
    let ratings: Vec<Choice> = facets
        .rating
        .into_iter()
        .map(|f| {
            let on = has(&pairs, "min_rating", &f.value);
            let href = toggle(&pairs, "min_rating", &f.value, true);
            (f, on, href)
        })
        .collect();
    let options: Vec<(String, Vec<Choice>)> = facets
        .options
        .into_iter()
        .map(|(name, values)| {
            let key = format!("option.{name}");
            let values = values
                .into_iter()
                .take(20)
                .map(|f| {
                    let on = has(&pairs, &key, &f.value);
                    let href = toggle(&pairs, &key, &f.value, false);
                    (f, on, href)
                })
                .collect();
            (name, values)
        })
        .collect();
    let in_stock_on = has(&pairs, "in_stock", "true");
    let in_stock_href = toggle(&pairs, "in_stock", "true", true);
    view! {
        <aside aria-labelledby="facets-heading" class="rounded-lg border border-stone-200 bg-white p-4 self-start lg:col-start-1 lg:row-start-1" data-testid="facets">
            <div class="flex items-baseline justify-between gap-2">
                <h2 id="facets-heading" class="font-semibold">"Filter"</h2>
                {filtered.then(|| view! { <a href=clear class="text-sm underline" data-testid="clear-filters">"Clear all"</a> })}
            </div>
            <ul class="mt-3">
                <FacetLink label="In stock only".to_owned() count=None on=in_stock_on href=in_stock_href/>
            </ul>
            <FacetGroup title="Category".to_owned() values=categories/>
            <FacetGroup title="Price".to_owned() values=prices/>
            <FacetGroup title="Rating".to_owned() values=ratings/>
            {options.into_iter().map(|(name, values)| {
                let mut title = name.clone();
                if let Some(first) = title.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                view! { <FacetGroup title values/> }
            }).collect_view()}
        </aside>
    }
}

#[component]
fn FacetGroup(title: String, values: Vec<Choice>) -> impl IntoView {
    let key = title.to_lowercase();
    let id = format!("facet-{}", key.replace(|c: char| !c.is_alphanumeric(), "-"));
    let labelled_by = id.clone();
    (!values.is_empty()).then(|| {
        view! {
            <section aria-labelledby=labelled_by class="mt-4 border-t border-stone-200 pt-3" data-facet=key>
                <h3 id=id class="text-sm font-semibold">{title}</h3>
                <ul class="mt-2 flex flex-col gap-1">
                    {values.into_iter().map(|(f, on, href)| view! {
                        <FacetLink label=f.label count=Some(f.count) on href/>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn FacetLink(label: String, count: Option<u64>, on: bool, href: String) -> impl IntoView {
    let value = label.clone();
    view! {
        <li>
            <a href=href
                class=if on { "flex items-center justify-between gap-2 rounded px-2 py-1 text-sm font-semibold text-emerald-900 bg-emerald-50 hover:underline" } else { "flex items-center justify-between gap-2 rounded px-2 py-1 text-sm text-stone-800 hover:bg-stone-100 hover:underline" }
                aria-current=on.then_some("true")
                data-facet-value=value>
                <span>
                    <span aria-hidden="true" class="inline-block w-4">{if on { "✓" } else { "" }}</span>
                    {label}
                    {on.then(|| view! { <span class="sr-only">" (selected; follow to remove)"</span> })}
                </span>
                {count.map(|n| view! { <span class="text-stone-600" data-testid="facet-count">{n}</span> })}
            </a>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &[(&str, &str)]) -> Pairs {
        raw.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn facet_links_add_and_remove_one_filter() {
        let current = pairs(&[("q", "rain coat"), ("option.size", "M")]);
        assert_eq!(
            toggle(&current, "option.size", "L", false),
            "/search?q=rain%20coat&option.size=M&option.size=L"
        );
        assert_eq!(toggle(&current, "option.size", "M", false), "/search?q=rain%20coat");
        let with_category = pairs(&[("category", "coats")]);
        assert_eq!(
            toggle(&with_category, "category", "hats", true),
            "/search?category=hats"
        );
        assert_eq!(search_href(&[]), "/search");
    }
}
