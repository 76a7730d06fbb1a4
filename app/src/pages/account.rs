//! The signed-in shopper's account: profile, e-mail verification, password and addresses.
//! Strangers are sent to the sign-in page, which brings them back here afterwards.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

use crate::components::{
    AddressFields, ErrorNotice, Field, FormError, Notice, Pagination, PostalAddress, Seo, Submit, field_errors,
};
use crate::domain::Page;
use crate::domain::identity::{AddressView, UserView};
use crate::domain::orders::OrderAddress;
use crate::error::AppError;
use crate::server_fns::identity::{
    ChangePassword, DeleteAddress, ResendVerification, SaveAddress, UpdateProfile, current_user, get_address,
    list_addresses,
};

/// Renders `view` for the signed-in user; strangers are redirected to sign in and come back.
#[component]
pub fn RequireUser<V, F>(view: F) -> impl IntoView
where
    F: Fn(UserView) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let location = use_location();
    let user = Resource::new(|| (), |_| current_user());
    view! {
        <Suspense fallback=|| view! { <p role="status">"Loading your account…"</p> }>
            {move || {
                let view = view.clone();
                let here = location.pathname.get_untracked();
                Suspend::new(async move {
                    match user.await {
                        Ok(Some(user)) => view(user).into_any(),
                        Ok(None) => view! { <Redirect path=format!("/login?next={here}")/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The account area's sub-navigation.
#[component]
fn AccountNav() -> impl IntoView {
    view! {
        <nav aria-label="Account" class="mt-4 flex gap-4 border-b border-stone-200 pb-2 text-sm">
            <A href="/account" exact=true attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Profile"</A>
            <A href="/account/orders" attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Orders"</A>
            <A href="/account/addresses" attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Addresses"</A>
        </nav>
    }
}

/// The frame of every account page: its title, heading and sub-navigation.
#[component]
fn AccountShell(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Seo title=title description=format!("{title} — your account at the shop.")/>
        <h1 class="text-2xl font-bold tracking-tight">"Your account"</h1>
        <AccountNav/>
        {children()}
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <AccountShell title="Your account">
            <RequireUser view=|user| {
                let flag = |name: &str| use_query_map().with_untracked(|q| q.get(name).is_some());
                view! { <Profile user welcome=flag("welcome") sent=flag("sent") password_changed=flag("password")/> }
            }/>
        </AccountShell>
    }
}

/// `/account/orders`: the order history.
#[component]
pub fn AccountOrdersPage() -> impl IntoView {
    view! {
        <AccountShell title="Your orders">
            <RequireUser view=|_| view! { <super::shop::OrderList/> }/>
        </AccountShell>
    }
}

/// `/account/orders/:id`: one order.
#[component]
pub fn AccountOrderPage() -> impl IntoView {
    view! {
        <AccountShell title="Your order">
            <RequireUser view=|_| view! { <div class="mt-6"><super::shop::AccountOrder/></div> }/>
        </AccountShell>
    }
}

/// The profile, verification and password forms (an island). The flags say which form the page
/// came back from after a post without JavaScript.
#[island]
fn Profile(user: UserView, welcome: bool, sent: bool, password_changed: bool) -> impl IntoView {
    let update = ServerAction::<UpdateProfile>::new();
    let updated = update.value();
    let password = ServerAction::<ChangePassword>::new();
    let password_result = password.value();
    let resend = ServerAction::<ResendVerification>::new();
    let resend_result = resend.value();
    let verified = RwSignal::new(user.email_verified);
    Effect::new(move |_| {
        if let Some(Ok(user)) = updated.get() {
            verified.set(user.email_verified);
        }
    });
    view! {
        <div class="mt-6 grid gap-8 md:grid-cols-2">
            <section aria-labelledby="profile-heading" class="flex flex-col gap-4">
                <h2 id="profile-heading" class="text-lg font-semibold">"Profile"</h2>
                <Show when=move || welcome>
                    <Notice text="Welcome! We've sent you a link to confirm your e-mail address."/>
                </Show>
                <ActionForm action=update attr:class="flex flex-col gap-4" attr:novalidate=true>
                    <FormError result=updated/>
                    <Show when=move || matches!(updated.get(), Some(Ok(_)))>
                        <Notice text="Profile saved."/>
                    </Show>
                    <Field name="display_name" label="Name" autocomplete="name" required=true value=user.display_name.clone() errors=field_errors(updated, "display_name")/>
                    <Field name="email" label="E-mail" kind="email" autocomplete="email" required=true value=user.email.clone() errors=field_errors(updated, "email")/>
                    <Submit label="Save profile" busy="Saving…" pending=update.pending()/>
                </ActionForm>
                <div data-testid="verification">
                    {move || if verified.get() {
                        Either::Left(view! { <p class="text-sm text-emerald-900">"Your e-mail address is confirmed."</p> })
                    } else {
                        Either::Right(view! {
                            <div class="flex flex-col gap-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
                                <p>"Your e-mail address is not confirmed yet. Follow the link in the mail we sent you."</p>
                                <Show when=move || sent || matches!(resend_result.get(), Some(Ok(())))>
                                    <p role="status">"A new link is on its way."</p>
                                </Show>
                                <FormError result=resend_result/>
                                <ActionForm action=resend>
                                    <Submit label="Send a new link" busy="Sending…" pending=resend.pending()/>
                                </ActionForm>
                            </div>
                        })
                    }}
                </div>
            </section>
            <section aria-labelledby="password-heading" class="flex flex-col gap-4">
                <h2 id="password-heading" class="text-lg font-semibold">"Password"</h2>
                <Show when=move || password_changed>
                    <Notice text="Password changed. You have been signed out everywhere else."/>
                </Show>
                <ActionForm action=password attr:class="flex flex-col gap-4" attr:novalidate=true>
                    <FormError result=password_result/>
                    <Field form="pw-" name="current_password" label="Current password" kind="password" autocomplete="current-password" required=true errors=field_errors(password_result, "current_password")/>
                    <Field form="pw-" name="new_password" label="New password" kind="password" autocomplete="new-password" required=true
                        hint="At least 10 characters; not a common password and not your e-mail address."
                        errors=field_errors(password_result, "new_password")/>
                    <Submit label="Change password" busy="Changing…" pending=password.pending()/>
                </ActionForm>
            </section>
        </div>
    }
}

/// The address book. Its data resource is created here, before the sign-in check, so that it is
/// created at the same point on the server and in the browser (see `admin::AdminLayout`).
#[component]
pub fn AddressesPage() -> impl IntoView {
    let query = use_query_map();
    let delete = ServerAction::<DeleteAddress>::new();
    let addresses = Resource::new(
        move || (query.with(|q| q.get("page")), delete.version().get()),
        |(page, _)| list_addresses(page),
    );
    view! {
        <AccountShell title="Your addresses">
            <RequireUser view=move |_| view! { <AddressBook addresses delete/> }/>
        </AccountShell>
    }
}

#[component]
fn AddressBook(
    addresses: Resource<Result<Page<AddressView>, AppError>>,
    delete: ServerAction<DeleteAddress>,
) -> impl IntoView {
    let query = use_query_map();
    let flag = move |name: &'static str| move || query.with(|q| q.get(name).is_some());
    view! {
        <section aria-labelledby="addresses-heading" class="mt-6 flex flex-col gap-4">
            <div class="flex flex-wrap items-center justify-between gap-2">
                <h2 id="addresses-heading" class="text-lg font-semibold">"Addresses"</h2>
                <A href="/account/addresses/new" attr:class="rounded bg-stone-900 px-4 py-2 font-medium text-white hover:bg-stone-700">"Add an address"</A>
            </div>
            <Show when=flag("saved")><Notice text="Address saved."/></Show>
            <Show when=move || flag("deleted")() || matches!(delete.value().get(), Some(Ok(())))><Notice text="Address deleted."/></Show>
            <FormError result=delete.value()/>
            <Suspense fallback=|| view! { <p role="status">"Loading addresses…"</p> }>
                {move || Suspend::new(async move {
                    match addresses.await {
                        Ok(page) if page.items.is_empty() => view! { <p class="text-stone-700">"You have no saved addresses yet."</p> }.into_any(),
                        Ok(page) => {
                            let total_pages = page.total_pages();
                            view! {
                                <ul class="grid gap-4 sm:grid-cols-2" data-testid="address-list">
                                    {page.items.into_iter().map(|a| view! { <AddressCard address=a delete/> }).collect_view()}
                                </ul>
                                <Pagination page=page.page total_pages base="/account/addresses"/>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AddressCard(address: AddressView, delete: ServerAction<DeleteAddress>) -> impl IntoView {
    let id = address.id.0.to_string();
    let edit = format!("/account/addresses/{id}");
    let label = format!("Delete the address of {}", address.full_name);
    view! {
        <li class="flex flex-col gap-2 rounded border border-stone-200 bg-white p-4">
            <PostalAddress address=OrderAddress::from(address.clone())/>
            {address.is_default.then(|| view! { <p class="text-xs font-medium uppercase text-emerald-900">"Default shipping address"</p> })}
            <div class="flex gap-3 text-sm">
                <A href=edit attr:class="underline">"Edit"</A>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="text-red-800 underline" aria-label=label>"Delete"</button>
                </ActionForm>
            </div>
        </li>
    }
}

/// `/account/addresses/new` and `/account/addresses/:id`.
#[component]
pub fn AddressFormPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).filter(|id| id != "new");
    let existing = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_address(id).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <AccountShell title="Address">
            <RequireUser view=move |_| view! {
                <Suspense fallback=|| view! { <p role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match existing.await {
                            Ok(address) => view! { <AddressForm address/> }.into_any(),
                            Err(error) => view! { <ErrorNotice error/> }.into_any(),
                        }
                    })}
                </Suspense>
            }/>
        </AccountShell>
    }
}

/// The address form (an island: errors show at their fields without a reload).
#[island]
fn AddressForm(address: Option<AddressView>) -> impl IntoView {
    let save = ServerAction::<SaveAddress>::new();
    let result = save.value();
    let title = if address.is_some() {
        "Edit address"
    } else {
        "New address"
    };
    let a = address.clone().unwrap_or(AddressView {
        id: crate::domain::identity::AddressId(Default::default()),
        full_name: String::new(),
        line1: String::new(),
        line2: String::new(),
        city: String::new(),
        region: String::new(),
        postal_code: String::new(),
        country: String::new(),
        phone: String::new(),
        is_default: false,
        version: 0,
    });
    let errors = move |name: &'static str| field_errors(result, name);
    view! {
        <section aria-labelledby="address-form-heading" class="mt-6 max-w-xl">
            <h2 id="address-form-heading" class="text-lg font-semibold">{title}</h2>
            <ActionForm action=save attr:class="mt-4 flex flex-col gap-4" attr:novalidate=true>
                <FormError result/>
                {address.as_ref().map(|a| view! {
                    <input type="hidden" name="id" value=a.id.0.to_string()/>
                    <input type="hidden" name="version" value=a.version.to_string()/>
                })}
                <AddressFields address=OrderAddress::from(a.clone()) errors/>
                <div class="flex items-center gap-2">
                    <input id="field-is_default" type="checkbox" name="is_default" value="true" checked=a.is_default class="h-4 w-4"/>
                    <label for="field-is_default" class="text-sm">"Use as my default shipping address"</label>
                </div>
                <div class="flex items-center gap-4">
                    <Submit label="Save address" busy="Saving…" pending=save.pending()/>
                    <a href="/account/addresses" class="text-sm underline">"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}
