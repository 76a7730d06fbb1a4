//! The base layout: a header with the shop's name and navigation, the page, and a footer.
//! On narrow screens the navigation folds behind a menu button once the page has hydrated;
//! without JavaScript it simply stays open, so every link works either way.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::domain::identity::Permission;
use crate::server_fns::identity::{Logout, current_user};
use crate::server_fns::shop::cart_count;

/// The shop's name as shown in the header and titles.
pub const SHOP_NAME: &str = "Oxcart";

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-10 focus:rounded focus:bg-white focus:px-3 focus:py-2">
            "Skip to content"
        </a>
        <header class="border-b border-stone-200 bg-white print:hidden">
            <div class="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-3">
                <A href="/" attr:class="text-xl font-bold tracking-tight text-stone-900">{SHOP_NAME}</A>
                <SearchBox/>
                <SiteNav>
                    // The list is the island's children (server HTML): a wrapper element may not
                    // stand between a list and its items.
                    <ul class="flex flex-col gap-1 py-2 md:flex-row md:gap-6 md:py-0">
                        <li><A href="/" attr:class="block py-1 text-stone-700 hover:text-stone-950 hover:underline">"Products"</A></li>
                        <li><a href="/api/docs" class="block py-1 text-stone-700 hover:text-stone-950 hover:underline">"API"</a></li>
                        <CartLink/>
                        <AccountLinks/>
                    </ul>
                </SiteNav>
            </div>
        </header>
        <main id="main" class="mx-auto w-full max-w-6xl flex-1 px-4 py-8">{children()}</main>
        <footer class="border-t border-stone-200 bg-stone-50 print:hidden">
            <div class="mx-auto max-w-6xl px-4 py-6 text-sm text-stone-700">
                <p>{SHOP_NAME} " — an open-source shop built with Rust."</p>
            </div>
        </footer>
    }
}

/// The header's search: a plain GET form to `/search` (works without JavaScript). `/search.js`
/// turns the field into a combobox with as-you-type suggestions from
/// `/api/v1/search/suggest`: debounced, arrow keys and Enter to pick, Escape to close, the
/// number of suggestions announced to screen readers. Not on staff pages.
#[component]
fn SearchBox() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let location = use_location();
    let current = move || {
        (location.pathname.get() == "/search")
            .then(|| query.with(|q| q.get("q")))
            .flatten()
            .unwrap_or_default()
    };
    // Staff pages have their own searches (products, orders, users); a second box there would
    // only compete with them.
    let staff_page = location.pathname.get_untracked().starts_with("/admin");
    (!staff_page).then(|| view! {
        <form role="search" method="get" action="/search" data-search-box=""
            class="relative order-last flex w-full gap-2 sm:order-none sm:w-auto sm:flex-1 sm:max-w-md">
            <label for="site-search" class="sr-only">"Search products"</label>
            <input id="site-search" type="search" name="q" value=current maxlength="200" placeholder="Search products"
                autocomplete="off" spellcheck="false" role="combobox" aria-autocomplete="list" aria-expanded="false"
                aria-controls="site-search-suggestions"
                class="min-w-0 flex-1 rounded border border-stone-400 bg-white px-3 py-1.5"/>
            <button type="submit" class="rounded bg-stone-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-stone-700">"Search"</button>
            <ul id="site-search-suggestions" role="listbox" aria-label="Suggestions" hidden
                class="absolute left-0 right-0 top-full z-20 mt-1 max-h-96 overflow-auto rounded border border-stone-300 bg-white py-1 shadow-lg [&_mark]:bg-transparent [&_mark]:font-semibold [&_mark]:text-inherit"></ul>
            <p id="site-search-status" class="sr-only" aria-live="polite"></p>
        </form>
        <script src="/search.js" defer=true></script>
    })
}

/// The main navigation and, on narrow screens, the button that folds it (an island: the only
/// part of the layout that runs in the browser). The links are the server's HTML.
#[island]
fn SiteNav(children: Children) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    // Effects run only in the browser, after hydration: until then the menu button stays hidden
    // and the navigation open.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let nav_folded = move || hydrated.get() && !menu_open.get();
    view! {
        <button
            type="button"
            class="rounded border border-stone-300 px-3 py-1 text-sm font-medium text-stone-800 md:hidden"
            data-testid="menu-toggle"
            hidden=move || !hydrated.get()
            aria-controls="site-nav"
            aria-expanded=move || menu_open.get().to_string()
            on:click=move |_| set_menu_open.update(|open| *open = !*open)
        >
            {move || if menu_open.get() { "Close menu" } else { "Menu" }}
        </button>
        <nav id="site-nav" aria-label="Main" class="w-full md:flex md:w-auto" class:hidden=nav_folded>
            {children()}
        </nav>
    }
}

/// The cart, with the number of units in it. The count is `#cart-count`: the add-to-cart form
/// updates it in place when it adds without a reload.
#[component]
fn CartLink() -> impl IntoView {
    let count = Resource::new(|| (), |_| cart_count());
    view! {
        <li>
            <a href="/cart" class="block py-1 text-stone-700 hover:text-stone-950 hover:underline" data-testid="cart-link">
                "Cart ("
                <Suspense fallback=|| "0">
                    {move || Suspend::new(async move {
                        let n = count.await.unwrap_or(0);
                        view! { <span id="cart-count" aria-live="polite">{n}</span> }
                    })}
                </Suspense>
                ")"
            </a>
        </li>
    }
}

/// Sign in / register for strangers; account, the staff area (for staff) and sign out for
/// everyone signed in. Rendered by the server for each page (every navigation loads one); sign
/// out is a plain form post that comes back to the page.
#[component]
fn AccountLinks() -> impl IntoView {
    let location = use_location();
    let logout = ServerAction::<Logout>::new();
    let user = Resource::new(|| (), |_| current_user());
    let link = "block py-1 text-stone-700 hover:text-stone-950 hover:underline";
    // Signing in from a page returns there afterwards (but never to an auth page itself).
    let sign_in = move || {
        let here = location.pathname.get();
        let auth_page = [
            "/login",
            "/register",
            "/forgot-password",
            "/reset-password",
            "/verify-email",
        ]
        .iter()
        .any(|p| here.starts_with(p));
        if here == "/" || auth_page {
            "/login".to_owned()
        } else {
            format!("/login?next={here}")
        }
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => view! {
                        {user.role.can(Permission::DashboardView).then(|| view! {
                            <li><A href="/admin" attr:class=link>"Admin"</A></li>
                        })}
                        <li><A href="/account" attr:class=link>"Account"</A></li>
                        <li>
                            <ActionForm action=logout>
                                <button type="submit" class="block py-1 text-stone-700 hover:text-stone-950 hover:underline">"Sign out"</button>
                            </ActionForm>
                        </li>
                    }.into_any(),
                    _ => view! {
                        <li><A href=sign_in attr:class=link>"Sign in"</A></li>
                        <li><A href="/register" attr:class=link>"Register"</A></li>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
