//! The HTML document shell, the router and the storefront's pages.

mod account;
mod admin;
mod admin_categories;
mod admin_imports;
mod admin_orders;
mod admin_pricing;
mod admin_product_editor;
mod admin_products;
mod admin_reviews;
mod auth;
mod catalog;
mod home;
mod not_found;
mod search;
mod shop;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::components::Layout;
use crate::components::layout::SHOP_NAME;
use account::{AccountOrderPage, AccountOrdersPage, AccountPage, AddressFormPage, AddressesPage};
use admin::{AdminHome, AdminLayout, AdminUsersPage};
use admin_categories::AdminCategoriesPage;
use admin_imports::{AdminImportPage, AdminImportsPage};
use admin_orders::{AdminOrderPage, AdminOrdersPage, PackingSlipPage};
use admin_pricing::AdminPricingPage;
use admin_product_editor::{AdminNewProductPage, AdminProductEditorPage};
use admin_products::AdminProductsPage;
use admin_reviews::AdminReviewsPage;
use auth::{ForgotPasswordPage, LoginPage, RegisterPage, ResetPasswordPage, VerifyEmailPage};
use catalog::{CategoryPage, ProductPage};
pub use home::HomePage;
pub use not_found::NotFound;
use search::SearchPage;
use shop::{CartPage, CheckoutAddressPage, CheckoutReviewPage, CheckoutShippingPage, OrderPage};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.ico" sizes="any"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body class="flex min-h-screen flex-col bg-stone-50 text-stone-900 antialiased">
                <App/>
            </body>
        </html>
    }
}

/// The application: routes inside the base layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| if text.is_empty() { SHOP_NAME.to_owned() } else { format!("{text} · {SHOP_NAME}") }/>
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    // Async: the server waits for the data, so the page is complete without JavaScript
                    // and the status code reflects errors.
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/categories/:slug") view=CategoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/products/:slug") view=ProductPage ssr=SsrMode::Async/>
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/verify-email") view=VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/addresses") view=AddressesPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/orders") view=AccountOrdersPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/orders/:id") view=AccountOrderPage ssr=SsrMode::Async/>
                    <Route path=path!("/cart") view=CartPage ssr=SsrMode::Async/>
                    <Route path=path!("/checkout") view=CheckoutAddressPage ssr=SsrMode::Async/>
                    <Route path=path!("/checkout/shipping") view=CheckoutShippingPage ssr=SsrMode::Async/>
                    <Route path=path!("/checkout/review") view=CheckoutReviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/orders/:id") view=OrderPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/addresses/:id") view=AddressFormPage ssr=SsrMode::Async/>
                    <ParentRoute path=path!("/admin") view=AdminLayout ssr=SsrMode::Async>
                        <Route path=path!("") view=AdminHome/>
                        <Route path=path!("users") view=AdminUsersPage/>
                        <Route path=path!("orders") view=AdminOrdersPage/>
                        <Route path=path!("orders/:id") view=AdminOrderPage/>
                        <Route path=path!("orders/:id/packing-slip") view=PackingSlipPage/>
                        <Route path=path!("pricing") view=AdminPricingPage/>
                        <Route path=path!("reviews") view=AdminReviewsPage/>
                        <Route path=path!("categories") view=AdminCategoriesPage/>
                        <Route path=path!("products") view=AdminProductsPage/>
                        <Route path=path!("products/new") view=AdminNewProductPage/>
                        <Route path=path!("products/:id") view=AdminProductEditorPage/>
                        <Route path=path!("imports") view=AdminImportsPage/>
                        <Route path=path!("imports/:id") view=AdminImportPage/>
                    </ParentRoute>
                </Routes>
            </Layout>
        </Router>
    }
}
