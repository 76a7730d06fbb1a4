//! The staff area: a layout with its own navigation, reachable with `dashboard:view`, and the
//! Users page (`users:manage`): search, page through, change roles, deactivate and reactivate.
//! The order desk is `super::admin_orders`.
//! Strangers are sent to sign in; customers see a 403 page.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};
use leptos_router::hooks::{use_location, use_query_map};

use crate::components::{ErrorNotice, FormError, Pagination, Seo};
use crate::domain::identity::{Role, UserView};
use crate::error::{AppError, ErrorCode};
use crate::server_fns::admin::{UpdateUserAccess, admin_access, list_users};

/// Shown instead of a staff page to someone without the permission.
#[component]
fn Refused(error: AppError) -> impl IntoView {
    view! {
        <Seo title="Not allowed" description="This page is for staff only."/>
        <section class="py-12 text-center">
            <h1 class="text-2xl font-bold">"You can't open this page"</h1>
            <p class="mt-4 text-stone-700">{error.message}</p>
            <p class="mt-6"><A href="/" attr:class="font-medium underline">"Back to the shop"</A></p>
        </section>
    }
}

/// Whether the caller may use the staff area: the signed-in staff member, or why not.
type Access = Resource<Result<UserView, AppError>>;

/// The staff area's frame. The access check and the page sit side by side, not one inside the
/// other: a page's own data resource must be created at the same point on the server and in the
/// browser, which is not so when it is created after an awaited check (hydration then failed).
/// Pages with data are refused by their server functions; pages without read the check from
/// context ([`Allowed`]).
#[component]
pub fn AdminLayout() -> impl IntoView {
    let location = use_location();
    let access: Access = Resource::new(|| (), |_| admin_access());
    provide_context(access);
    view! {
        <div class="flex flex-col gap-6 md:flex-row">
            <Suspense fallback=|| view! { <p role="status">"Loading…"</p> }>
                {move || {
                    let here = location.pathname.get_untracked();
                    Suspend::new(async move {
                        match access.await {
                            Ok(user) => view! { <StaffNav user/> }.into_any(),
                            Err(error) if error.code == ErrorCode::Unauthorized => {
                                view! { <Redirect path=format!("/login?next={here}")/> }.into_any()
                            }
                            Err(error) if error.code == ErrorCode::Forbidden => view! { <Refused error/> }.into_any(),
                            Err(error) => view! { <ErrorNotice error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            <div class="min-w-0 flex-1"><Outlet/></div>
        </div>
        // Upload progress and drag-to-reorder, on top of forms that work without it.
        <script src="/admin.js" defer=true></script>
    }
}

/// Shows `children` once the staff area's access check has passed (for pages without data of
/// their own, which would otherwise show to anyone).
#[component]
fn Allowed(children: ChildrenFn) -> impl IntoView {
    let access = expect_context::<Access>();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move { access.await.is_ok().then(|| children()) })
            }}
        </Suspense>
    }
}

#[component]
fn StaffNav(user: UserView) -> impl IntoView {
    let manages_users = user.role.can(crate::domain::identity::Permission::UsersManage);
    let manages_orders = user.role.can(crate::domain::identity::Permission::OrdersManage);
    let writes_pricing = user.role.can(crate::domain::identity::Permission::PricingWrite);
    let moderates = user.role.can(crate::domain::identity::Permission::ReviewsModerate);
    let writes_products = user.role.can(crate::domain::identity::Permission::ProductsWrite);
    view! {
        <nav aria-label="Staff" class="md:w-48 print:hidden">
            <p class="text-xs font-semibold uppercase tracking-wide text-stone-600">"Staff area"</p>
            <ul class="mt-2 flex flex-wrap gap-x-4 gap-y-1 md:flex-col md:gap-1">
                <li><A href="/admin" exact=true attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Overview"</A></li>
                {manages_orders.then(|| view! {
                    <li><A href="/admin/orders" attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Orders"</A></li>
                })}
                {writes_products.then(|| view! {
                    <li><A href="/admin/products" attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Products"</A></li>
                })}
                {writes_products.then(|| view! {
                    <li><A href="/admin/categories" attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Categories"</A></li>
                })}
                {writes_products.then(|| view! {
                    <li><A href="/admin/imports" attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Import / export"</A></li>
                })}
                {moderates.then(|| view! {
                    <li><A href="/admin/reviews" attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Reviews"</A></li>
                })}
                {writes_pricing.then(|| view! {
                    <li><A href="/admin/pricing" attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Pricing"</A></li>
                })}
                {manages_users.then(|| view! {
                    <li><A href="/admin/users" attr:class="aria-[current=page]:font-semibold aria-[current=page]:underline">"Users"</A></li>
                })}
            </ul>
        </nav>
    }
}

#[component]
pub fn AdminHome() -> impl IntoView {
    view! {
        <Allowed>
            <Seo title="Staff area" description="Running the shop: the staff area."/>
            <h1 class="text-2xl font-bold tracking-tight">"Staff area"</h1>
            <p class="mt-4 text-stone-700">"Choose a section on the left."</p>
        </Allowed>
    }
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.with(|q| q.get("q")).unwrap_or_default();
    let users = Resource::new(
        move || (query.with(|q| q.get("q")), query.with(|q| q.get("page"))),
        |(q, page)| list_users(q, page),
    );
    view! {
        <Allowed>
            <Seo title="Users" description="The shop's customers and staff."/>
            <h1 class="text-2xl font-bold tracking-tight">"Users"</h1>
            <form method="get" action="/admin/users" role="search" class="mt-4 flex flex-wrap items-end gap-2">
                <div class="flex flex-col gap-1">
                    <label for="user-search" class="text-sm font-medium">"Search by name or e-mail"</label>
                    <input id="user-search" type="search" name="q" value=search class="rounded border border-stone-400 px-3 py-2"/>
                </div>
                <button type="submit" class="rounded bg-stone-900 px-4 py-2 font-medium text-white">"Search"</button>
            </form>
            <Suspense fallback=|| view! { <p role="status" class="mt-4">"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(page) if page.items.is_empty() => view! { <p class="mt-6 text-stone-700">"No users match."</p> }.into_any(),
                        Ok(page) => {
                            let total_pages = page.total_pages();
                            let base = "/admin/users".to_owned();
                            let keep = vec![("q", search())];
                            view! {
                                <p class="mt-4 text-sm text-stone-700">{page.total} " users"</p>
                                <div class="mt-2 overflow-x-auto">
                                    <table class="w-full text-left text-sm" data-testid="user-table">
                                        <caption class="sr-only">"Users, newest first"</caption>
                                        <thead>
                                            <tr class="border-b border-stone-300">
                                                <th scope="col" class="py-2 pr-4">"Name"</th>
                                                <th scope="col" class="py-2 pr-4">"E-mail"</th>
                                                <th scope="col" class="py-2 pr-4">"Role and status"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {page.items.into_iter().map(|user| view! { <UserRow user/> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <Pagination page=page.page total_pages base keep/>
                            }.into_any()
                        }
                        Err(error) => view! { <div class="mt-4"><ErrorNotice error/></div> }.into_any(),
                    }
                })}
            </Suspense>
        </Allowed>
    }
}

#[component]
fn UserRow(user: UserView) -> impl IntoView {
    let (name, email, key) = (user.display_name.clone(), user.email.clone(), user.email.clone());
    view! {
        <tr class="border-b border-stone-200 align-top" data-email=key>
            <td class="py-2 pr-4">{name}</td>
            <td class="py-2 pr-4">{email}</td>
            <td class="py-2 pr-4"><UserAccessForm user/></td>
        </tr>
    }
}

/// A user's role and status, saved in place (an island).
#[island]
fn UserAccessForm(user: UserView) -> impl IntoView {
    let update = ServerAction::<UpdateUserAccess>::new();
    let result = update.value();
    let id = user.id.0.to_string();
    let role_id = format!("role-{id}");
    let active_id = format!("active-{id}");
    let row_label = format!("Save {}", user.email);
    let role_option = move |role: Role| {
        view! { <option value=role.as_str() selected=user.role == role>{role.as_str()}</option> }
    };
    view! {
        <ActionForm action=update attr:class="flex flex-wrap items-center gap-2">
            <input type="hidden" name="id" value=id/>
            <label for=role_id.clone() class="sr-only">"Role"</label>
            <select id=role_id name="role" class="rounded border border-stone-400 px-2 py-1">
                {role_option(Role::Customer)}
                {role_option(Role::Staff)}
                {role_option(Role::Admin)}
            </select>
            <label for=active_id.clone() class="sr-only">"Status"</label>
            <select id=active_id name="active" class="rounded border border-stone-400 px-2 py-1">
                <option value="true" selected=user.active>"active"</option>
                <option value="false" selected=!user.active>"deactivated"</option>
            </select>
            <button type="submit" aria-label=row_label disabled=move || update.pending().get()
                class="rounded border border-stone-400 px-3 py-1 hover:bg-stone-100 disabled:opacity-60">
                {move || if update.pending().get() { "Saving…" } else { "Save" }}
            </button>
            <Show when=move || matches!(result.get(), Some(Ok(_)))>
                <span role="status" class="text-emerald-900">"Saved"</span>
            </Show>
            <FormError result/>
        </ActionForm>
    }
}
