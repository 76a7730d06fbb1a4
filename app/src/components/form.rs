//! Form pieces shared by every page: a labelled field that shows its own errors, the form-level
//! error or success notice, and a submit button that says when it is working. Errors come from
//! a server action's last result, so they show with JavaScript (no reload, what was typed
//! stays) and without (the page reloads with the error).

use leptos::prelude::*;

use crate::error::AppError;

/// The messages for `name` in the last error of an action's result.
pub fn field_errors<T: Clone + Send + Sync + 'static>(
    result: MappedSignal<Option<Result<T, AppError>>>,
    name: &'static str,
) -> Signal<Vec<String>> {
    Signal::derive(move || {
        result.with(|r| match r {
            Some(Err(err)) => err.field(name).to_vec(),
            _ => Vec::new(),
        })
    })
}

/// A labelled input. `errors` are shown under it and announced (`aria-describedby`).
#[component]
pub fn Field(
    /// The form field's name (and, prefixed, the input's id).
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] required: bool,
    /// A hint shown under the label.
    #[prop(optional)]
    hint: &'static str,
    #[prop(into)] errors: Signal<Vec<String>>,
    /// Makes ids unique when a page has two forms with the same field.
    #[prop(optional)]
    form: &'static str,
) -> impl IntoView {
    let id = format!("{form}field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if !errors.get().is_empty() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium text-stone-800">{label}</label>
            {(!hint.is_empty()).then(|| view! { <p id=hint_id.clone() class="text-xs text-stone-600">{hint}</p> })}
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                required=required
                aria-invalid=move || (!errors.get().is_empty()).to_string()
                aria-describedby=described
                class="rounded border border-stone-400 bg-white px-3 py-2 text-base text-stone-900 focus:border-emerald-700 focus:outline-none focus:ring-2 focus:ring-emerald-600 aria-[invalid=true]:border-red-600"
            />
            <Show when=move || !errors.get().is_empty()>
                <p id=error_id.clone() class="text-sm text-red-800">
                    {move || format!("{} {}", label, errors.get().join("; "))}
                </p>
            </Show>
        </div>
    }
}

/// The action's error as a notice (its message; field messages show at their fields).
#[component]
pub fn FormError<T: Clone + Send + Sync + 'static>(result: MappedSignal<Option<Result<T, AppError>>>) -> impl IntoView {
    move || {
        result.with(|r| match r {
            Some(Err(err)) => Some(view! {
                <p role="alert" class="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900">
                    {err.message.clone()}
                </p>
            }),
            _ => None,
        })
    }
}

/// A notice that something worked.
#[component]
pub fn Notice(#[prop(into)] text: String) -> impl IntoView {
    view! {
        <p role="status" class="rounded border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">{text}</p>
    }
}

/// A submit button that is disabled and says so while its action runs.
#[component]
pub fn Submit(
    label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(default = "Working…")] busy: &'static str,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            disabled=move || pending.get()
            aria-busy=move || pending.get().to_string()
            class="self-start rounded bg-stone-900 px-4 py-2 font-medium text-white hover:bg-stone-700 disabled:cursor-wait disabled:opacity-70"
        >
            {move || if pending.get() { busy } else { label }}
        </button>
    }
}
