//! The category tree editor (`products:write`): the tree as nested lists, each category with a
//! form to rename it, move it under another parent and set its place among its siblings; and a
//! form for a new one. A move under the category itself or one of its subcategories is refused
//! by the service, and shown. Plain forms: they work without JavaScript.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::{ErrorNotice, Field, FormError, Notice, Seo, Submit, field_errors};
use crate::domain::catalog::CategoryView;
use crate::server_fns::admin::{AddCategory, SaveCategory, staff_categories};

/// Every category as (id, slug, name with its depth shown), in tree order, for pickers.
pub(super) fn flatten(tree: &[CategoryView], depth: usize, out: &mut Vec<(String, String, String)>) {
    for category in tree {
        out.push((
            category.id.0.to_string(),
            category.slug.clone(),
            format!("{}{}", "— ".repeat(depth), category.name),
        ));
        flatten(&category.children, depth + 1, out);
    }
}

/// `/admin/categories`.
#[component]
pub fn AdminCategoriesPage() -> impl IntoView {
    let tree = Resource::new(|| (), |_| staff_categories());
    let saved = use_query_map().with_untracked(|q| q.get("saved").is_some());
    view! {
        <Seo title="Categories" description="The category tree."/>
        <h1 class="text-2xl font-bold tracking-tight">"Categories"</h1>
        {saved.then(|| view! { <div class="mt-4"><Notice text="Saved."/></div> })}
        <Suspense fallback=|| view! { <p role="status" class="mt-4">"Loading categories…"</p> }>
            {move || Suspend::new(async move {
                match tree.await {
                    Ok(tree) => Either::Left(view! { <TreeEditor tree/> }),
                    Err(error) => Either::Right(view! { <div class="mt-4"><ErrorNotice error/></div> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TreeEditor(tree: Vec<CategoryView>) -> impl IntoView {
    let save = ServerAction::<SaveCategory>::new();
    let add = ServerAction::<AddCategory>::new();
    let mut all = Vec::new();
    flatten(&tree, 0, &mut all);
    let all: Vec<(String, String)> = all.into_iter().map(|(id, _, label)| (id, label)).collect();
    let parent_errors = field_errors(save.value(), "parent_id");
    view! {
        <div class="mt-4 flex flex-col gap-2">
            <FormError result=save.value()/>
            <p class="text-sm text-red-800" role="alert">{move || parent_errors.get().join(" ")}</p>
        </div>
        <ul class="mt-2 flex flex-col gap-2" data-testid="category-tree">
            {tree.into_iter().map(|c| node(c, save, &all)).collect_view()}
        </ul>
        <section aria-labelledby="new-category" class="mt-8 max-w-xl rounded-lg border border-stone-200 bg-white p-4">
            <h2 id="new-category" class="font-semibold">"New category"</h2>
            <ActionForm action=add attr:class="mt-3 flex flex-col gap-3" attr:novalidate=true>
                <FormError result=add.value()/>
                <Field name="name" label="Name" required=true errors=field_errors(add.value(), "name") form="new-"/>
                <ParentPicker id="new-parent".into() all=all.clone() exclude=None selected=None/>
                <Field name="position" label="Place among its siblings" kind="number" value="0" errors=field_errors(add.value(), "position") form="new-"/>
                <Submit label="Add category" busy="Adding…" pending=add.pending()/>
            </ActionForm>
        </section>
    }
}

/// One category with its form and, nested, its subcategories.
fn node(category: CategoryView, save: ServerAction<SaveCategory>, all: &[(String, String)]) -> AnyView {
    let id = category.id.0.to_string();
    let input = "rounded border border-stone-400 px-2 py-1";
    let name_id = format!("name-{id}");
    let position_id = format!("position-{id}");
    let label = format!("Save {}", category.name);
    let selected = category.parent_id.map(|p| p.0.to_string());
    let slug = format!("/{}", category.slug);
    let parents = all.to_vec();
    let children: Vec<AnyView> = category.children.into_iter().map(|c| node(c, save, all)).collect();
    view! {
        <li class="rounded border border-stone-200 bg-white p-3" data-category=category.slug.clone()>
            <ActionForm action=save attr:class="flex flex-wrap items-end gap-3">
                <input type="hidden" name="id" value=id.clone()/>
                <input type="hidden" name="version" value=category.version.to_string()/>
                <div class="flex flex-col gap-1">
                    <label for=name_id.clone() class="text-xs text-stone-700">"Name"</label>
                    <input id=name_id name="name" value=category.name.clone() required=true maxlength="200" class=input/>
                </div>
                <ParentPicker id=format!("parent-{id}") all=parents exclude=Some(id.clone()) selected/>
                <div class="flex flex-col gap-1">
                    <label for=position_id.clone() class="text-xs text-stone-700">"Place"</label>
                    <input id=position_id name="position" type="number" value=category.position.to_string() class=format!("w-20 {input}")/>
                </div>
                <button type="submit" aria-label=label class="rounded border border-stone-400 px-3 py-1 text-sm hover:bg-stone-100">"Save"</button>
                <span class="text-xs text-stone-600">{slug}</span>
            </ActionForm>
            {(!children.is_empty()).then(|| view! {
                <ul class="ml-6 mt-2 flex flex-col gap-2 border-l border-stone-200 pl-3">{children}</ul>
            })}
        </li>
    }
    .into_any()
}

/// A select of where a category sits: the top level or under another category.
#[component]
fn ParentPicker(
    id: String,
    all: Vec<(String, String)>,
    exclude: Option<String>,
    selected: Option<String>,
) -> impl IntoView {
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-xs text-stone-700">"Under"</label>
            <select id=id name="parent_id" class="rounded border border-stone-400 px-2 py-1">
                <option value="" selected=selected.is_none()>"(top level)"</option>
                {all.into_iter().filter(|(value, _)| Some(value) != exclude.as_ref()).map(|(value, label)| {
                    let is = selected.as_ref() == Some(&value);
                    view! { <option value=value selected=is>{label}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
