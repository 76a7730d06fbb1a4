//! Page navigation for any list: previous/next links and the position, as plain links so it
//! works without JavaScript.

use leptos::prelude::*;
use leptos_router::components::A;

/// Links to the neighbouring pages of `base` (a path without a query), `?page=N`, keeping the
/// list's other query parameters (`keep`, e.g. a search). Nothing when there is one page.
#[component]
pub fn Pagination(
    page: u32,
    total_pages: u32,
    #[prop(into)] base: String,
    #[prop(optional)] keep: Vec<(&'static str, String)>,
    /// The query parameter that holds the page number (a page with several lists gives each
    /// its own).
    #[prop(default = "page")]
    param: &'static str,
) -> impl IntoView {
    let extra: String = keep
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("&{name}={}", encode_query_value(value)))
        .collect();
    let link = move |n: u32| format!("{base}?{param}={n}{extra}");
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < total_pages).then(|| link(page + 1));
    (total_pages > 1 || page > 1).then(|| view! {
        <nav aria-label="Pagination" class="mt-8 flex items-center justify-between gap-4 text-sm">
            {match prev {
                Some(href) => view! { <A href=href attr:rel="prev" attr:class="rounded border border-stone-300 px-3 py-2 hover:bg-stone-100">"← Previous"</A> }.into_any(),
                None => view! { <span class="px-3 py-2 text-stone-600" aria-disabled="true">"← Previous"</span> }.into_any(),
            }}
            <span aria-current="page">"Page " {page} " of " {total_pages}</span>
            {match next {
                Some(href) => view! { <A href=href attr:rel="next" attr:class="rounded border border-stone-300 px-3 py-2 hover:bg-stone-100">"Next →"</A> }.into_any(),
                None => view! { <span class="px-3 py-2 text-stone-600" aria-disabled="true">"Next →"</span> }.into_any(),
            }}
        </nav>
    })
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(super::encode_query_value("ada lovelace&x=1"), "ada%20lovelace%26x%3D1");
        assert_eq!(super::encode_query_value("a.b-c_d~"), "a.b-c_d~");
    }
}
