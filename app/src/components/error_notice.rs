//! Shows an [`AppError`] to a person: its message and, for validation errors, each field's.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let details = error.details.clone().unwrap_or_default();
    view! {
        <div role="alert" class="rounded border border-red-300 bg-red-50 p-4 text-red-900">
            <p class="font-medium">{error.message.clone()}</p>
            <ul class="mt-2 list-disc pl-5">
                {details
                    .into_iter()
                    .flat_map(|(field, messages)| messages.into_iter().map(move |m| format!("{field}: {m}")))
                    .map(|line| view! { <li>{line}</li> })
                    .collect_view()}
            </ul>
        </div>
    }
}
