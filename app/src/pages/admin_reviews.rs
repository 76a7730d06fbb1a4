//! The review moderation queue (`reviews:moderate`): reviews by status (pending first, oldest
//! first), each with its product and rating; tick one or many and approve or reject them at
//! once. The product's rating follows each decision. One plain form: it works without JavaScript.

use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::{ErrorNotice, FormError, Notice, Pagination, Seo};
use crate::server_fns::admin::{ModerateReviews, staff_reviews};

/// `/admin/reviews`.
#[component]
pub fn AdminReviewsPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |name: &'static str| query.with(|q| q.get(name));
    let reviews = Resource::new(
        move || (get("status"), get("page")),
        |(status, page)| staff_reviews(status, page),
    );
    let moderate = ServerAction::<ModerateReviews>::new();
    let status = get("status").unwrap_or_else(|| "pending".to_owned());
    let done = get("done")
        .zip(get("decision"))
        .map(|(n, d)| format!("{n} review(s) {d}."));
    let tabs = [
        ("pending", "Pending"),
        ("approved", "Approved"),
        ("rejected", "Rejected"),
    ];
    view! {
        <Seo title="Reviews" description="The review moderation queue."/>
        <h1 class="text-2xl font-bold tracking-tight">"Reviews"</h1>
        <nav aria-label="Review status" class="mt-4 flex gap-4 text-sm">
            {tabs.into_iter().map(|(value, label)| {
                let current = (status == value).then_some("page");
                view! { <a href=format!("/admin/reviews?status={value}") aria-current=current class="underline aria-[current=page]:font-semibold">{label}</a> }
            }).collect_view()}
        </nav>
        <div class="mt-4 flex flex-col gap-2">
            {done.map(|text| view! { <Notice text/> })}
            <FormError result=moderate.value()/>
        </div>
        <Suspense fallback=|| view! { <p role="status" class="mt-4">"Loading reviews…"</p> }>
            {move || Suspend::new(async move {
                match reviews.await {
                    Ok(page) if page.items.is_empty() => EitherOf3::A(view! { <p class="mt-6 text-stone-700">"No reviews here."</p> }),
                    Ok(page) => {
                        let total_pages = page.total_pages();
                        let keep = vec![("status", get("status").unwrap_or_default())];
                        EitherOf3::B(view! {
                            <ActionForm action=moderate attr:class="mt-4 flex flex-col gap-3" attr:data-testid="moderation">
                                <ul class="flex flex-col divide-y divide-stone-200 rounded border border-stone-200 bg-white">
                                    {page.items.into_iter().map(|r| {
                                        let id = r.id.0.to_string();
                                        let box_id = format!("review-{id}");
                                        view! {
                                            <li class="flex gap-3 p-3">
                                                <input type="checkbox" id=box_id.clone() name="ids[]" value=id class="mt-1 h-4 w-4"/>
                                                <label for=box_id class="flex flex-1 flex-col gap-1 text-sm">
                                                    <span class="font-medium">{format!("{} — {} of 5: {}", r.product_name, r.rating, r.title)}</span>
                                                    {(!r.body.is_empty()).then(|| view! { <span>{r.body.clone()}</span> })}
                                                    <span class="text-stone-600">{format!("by {} on {} · {:?}", r.author, r.created_at.format("%-d %b %Y"), r.status).to_lowercase()}</span>
                                                </label>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <div class="flex flex-wrap gap-3">
                                    <button type="submit" name="status" value="approved" class="rounded bg-stone-900 px-4 py-2 font-medium text-white">"Approve ticked"</button>
                                    <button type="submit" name="status" value="rejected" class="rounded border border-stone-400 px-4 py-2 font-medium">"Reject ticked"</button>
                                </div>
                            </ActionForm>
                            <Pagination page=page.page total_pages base="/admin/reviews" keep/>
                        })
                    }
                    Err(error) => EitherOf3::C(view! { <div class="mt-4"><ErrorNotice error/></div> }),
                }
            })}
        </Suspense>
    }
}
