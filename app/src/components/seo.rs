//! A page's search and sharing metadata: title, meta description, canonical link and Open Graph
//! tags, rendered by the server (pages are not hydrated, only their islands). The shop's public
//! address comes from `PUBLIC_URL`.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

use super::layout::SHOP_NAME;

/// The shop's public address, without a trailing slash (empty in the browser, where no page
/// renders it).
pub fn site_url() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::state::AppState>()
            .map(|state| state.shop.public_url.clone())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    String::new()
}

/// Cuts `text` to at most `max` characters at a word boundary, for descriptions.
pub fn summary(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head).to_owned();
    format!("{cut}…")
}

#[component]
pub fn Seo(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    /// The page's path (with the query that makes it distinct, if any); the current path when
    /// not given.
    #[prop(optional, into)]
    path: Option<String>,
    #[prop(default = "website")] kind: &'static str,
    /// The page's picture (a path on this shop), for link previews.
    #[prop(default = None)]
    image: Option<String>,
) -> impl IntoView {
    let path = path.unwrap_or_else(|| leptos_router::hooks::use_location().pathname.get_untracked());
    let url = format!("{}{path}", site_url());
    let description = summary(&description, 160);
    view! {
        <Title text=title.clone()/>
        <Meta name="description" content=description.clone()/>
        <Link rel="canonical" href=url.clone()/>
        <Meta property="og:site_name" content=SHOP_NAME/>
        <Meta property="og:type" content=kind/>
        <Meta property="og:title" content=title/>
        <Meta property="og:description" content=description/>
        <Meta property="og:url" content=url/>
        {image.map(|path| view! { <Meta property="og:image" content=format!("{}{path}", site_url())/> })}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn summaries_cut_at_a_word() {
        assert_eq!(super::summary("short  text\n", 160), "short text");
        assert_eq!(super::summary("one two three four", 10), "one two…");
    }
}
