//! The storefront's 404 page; on the server it also sets the response status to 404.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::Seo;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Seo title="Page not found" description="We couldn't find the page you were looking for."/>
        <section class="py-16 text-center">
            <h1 class="text-3xl font-bold">"Page not found"</h1>
            <p class="mt-4 text-stone-700">"We couldn't find the page you were looking for."</p>
            <p class="mt-6"><A href="/" attr:class="font-medium text-emerald-800 underline">"Back to the shop"</A></p>
        </section>
    }
}
