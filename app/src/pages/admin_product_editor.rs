//! The product editor (`products:write`): `/admin/products/new` creates a product, and
//! `/admin/products/{id}` edits everything about it on one page — details, category, status and
//! SEO; variants (with their options, prices and low-stock threshold); stock adjustments with a
//! reason and the stock history; pictures (upload with a progress bar per file, reorder by
//! dragging or with the move buttons, alt text, removal).
//!
//! Every form is a plain form and works without JavaScript. After a failed save the form shows
//! what was typed with the errors at their fields — and, when someone else saved first, what
//! they changed (see `server_fns::product_editor`). `/admin.js` adds the upload progress and
//! dragging on top.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::{ErrorNotice, Notice, Pagination, Seo};
use crate::domain::catalog::forms::{Draft, EditorState, FieldChange, ProductForm, VariantForm};
use crate::domain::catalog::images::{ImageStatus, ImageView};
use crate::domain::catalog::stock::StockReason;
use crate::domain::catalog::{CategoryView, ProductDetail, VariantView};
use crate::error::AppError;
use crate::server_fns::admin::staff_categories;
use crate::server_fns::product_editor::{
    AddVariant, AdjustStockForm, CreateProductForm, RemoveImage, RemoveVariant, ReorderImages, SaveImageAlt,
    SaveProduct, SaveVariant, staff_product, stock_history, take_editor_state,
};

const INPUT: &str = "rounded border border-stone-400 bg-white px-3 py-2 text-base text-stone-900 focus:border-emerald-700 focus:outline-none focus:ring-2 focus:ring-emerald-600 aria-[invalid=true]:border-red-600";
const BUTTON: &str = "rounded bg-stone-900 px-4 py-2 font-medium text-white hover:bg-stone-700";
const QUIET_BUTTON: &str = "rounded border border-stone-400 bg-white px-3 py-2 text-sm font-medium hover:bg-stone-100";

/// A labelled input whose errors (from a kept draft) show under it and are announced.
#[component]
fn Input(
    /// The id prefix that makes this form's ids unique on the page.
    #[prop(into)]
    form: String,
    name: &'static str,
    label: &'static str,
    #[prop(into)] value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] errors: Vec<String>,
    #[prop(optional)] attrs: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    let id = format!("{form}-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let mut described = Vec::new();
    if !hint.is_empty() {
        described.push(hint_id.clone());
    }
    if !errors.is_empty() {
        described.push(error_id.clone());
    }
    let described = (!described.is_empty()).then(|| described.join(" "));
    let (step, inputmode) = attrs.unwrap_or(("", ""));
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium text-stone-800">{label}</label>
            {(!hint.is_empty()).then(|| view! { <p id=hint_id class="text-xs text-stone-600">{hint}</p> })}
            <input id=id name=name type=kind value=value required=required class=INPUT
                step=(!step.is_empty()).then_some(step)
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                aria-invalid=(!errors.is_empty()).to_string() aria-describedby=described/>
            {(!errors.is_empty()).then(|| view! {
                <p id=error_id class="text-sm text-red-800">{format!("{label} {}", errors.join("; "))}</p>
            })}
        </div>
    }
}

/// A failed save: its message, what someone else changed meanwhile, and any error that belongs
/// to no field of the form.
#[component]
fn DraftAlert(error: AppError, changes: Vec<FieldChange>, fields: &'static [&'static str]) -> impl IntoView {
    let other: Vec<String> = error
        .details
        .iter()
        .flatten()
        .filter(|(field, _)| !fields.contains(&field.as_str()))
        .map(|(field, messages)| format!("{field}: {}", messages.join("; ")))
        .collect();
    view! {
        <div role="alert" class="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900" data-testid="form-alert">
            <p class="font-medium">{error.message.clone()}</p>
            {(!changes.is_empty()).then(|| view! {
                <table class="mt-2 w-full text-left" data-testid="conflict">
                    <caption class="text-left font-medium">"Changed by someone else"</caption>
                    <thead><tr><th scope="col" class="pr-4">"Field"</th><th scope="col" class="pr-4">"When you opened it"</th><th scope="col">"Now saved"</th></tr></thead>
                    <tbody>
                        {changes.into_iter().map(|c| view! {
                            <tr><th scope="row" class="pr-4 font-normal">{c.label}</th><td class="pr-4">{c.before}</td><td class="font-medium">{c.now}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!other.is_empty()).then(|| view! {
                <ul class="mt-1 list-disc pl-5">{other.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}

const PRODUCT_FIELDS: &[&str] = &[
    "name",
    "slug",
    "description",
    "status",
    "category_id",
    "seo_title",
    "seo_description",
];

/// The product's own fields, as one form (new or existing product).
#[component]
fn ProductFields(form: ProductForm, error: Option<AppError>, categories: Vec<CategoryView>) -> impl IntoView {
    let errors = move |name: &str| error.as_ref().map(|e| e.field(name).to_vec()).unwrap_or_default();
    let mut flat = Vec::new();
    super::admin_categories::flatten(&categories, 0, &mut flat);
    let status = form.status.clone();
    let category_errors = errors("category_id");
    let status_errors = errors("status");
    let description_errors = errors("description");
    view! {
        <div class="grid gap-4 md:grid-cols-2">
            <Input form="product" name="name" label="Name" value=form.name.clone() required=true errors=errors("name")/>
            <Input form="product" name="slug" label="Slug" value=form.slug.clone() hint="The address: lower-case words joined by hyphens. Left empty: made from the name (new product) or kept." errors=errors("slug")/>
            <div class="flex flex-col gap-1 md:col-span-2">
                <label for="product-description" class="text-sm font-medium text-stone-800">"Description"</label>
                <textarea id="product-description" name="description" rows="5" class=INPUT
                    aria-invalid=(!description_errors.is_empty()).to_string()>{form.description.clone()}</textarea>
                {(!description_errors.is_empty()).then(|| view! { <p class="text-sm text-red-800">{format!("Description {}", description_errors.join("; "))}</p> })}
            </div>
            <div class="flex flex-col gap-1">
                <label for="product-category" class="text-sm font-medium text-stone-800">"Category"</label>
                <select id="product-category" name="category_id" class=INPUT aria-invalid=(!category_errors.is_empty()).to_string()>
                    <option value="">"None"</option>
                    {flat.into_iter().map(|(id, _, label)| {
                        let selected = id == form.category_id;
                        view! { <option value=id selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
                {(!category_errors.is_empty()).then(|| view! { <p class="text-sm text-red-800">{format!("Category {}", category_errors.join("; "))}</p> })}
            </div>
            <div class="flex flex-col gap-1">
                <label for="product-status" class="text-sm font-medium text-stone-800">"Status"</label>
                <select id="product-status" name="status" class=INPUT aria-invalid=(!status_errors.is_empty()).to_string() aria-describedby="product-status-hint">
                    <option value="draft" selected=status == "draft" || status.is_empty()>"Draft (hidden)"</option>
                    <option value="active" selected=status == "active">"Active (on the shop)"</option>
                    <option value="archived" selected=status == "archived">"Archived"</option>
                </select>
                <p id="product-status-hint" class="text-xs text-stone-600">"An active product shows on the shop once it has an active variant."</p>
                {(!status_errors.is_empty()).then(|| view! { <p class="text-sm text-red-800">{format!("Status {}", status_errors.join("; "))}</p> })}
            </div>
            <label class="flex items-center gap-2 text-sm md:col-span-2">
                <input type="checkbox" name="featured" checked=form.featured.is_some() class="h-4 w-4"/>
                "Featured on the home page"
            </label>
            <Input form="product" name="seo_title" label="SEO title" value=form.seo_title.clone() hint="The title search engines show; the name when empty." errors=errors("seo_title")/>
            <Input form="product" name="seo_description" label="SEO description" value=form.seo_description.clone() hint="The summary search engines show; the start of the description when empty." errors=errors("seo_description")/>
        </div>
        <input type="hidden" name="version" value=form.version.clone()/>
        <input type="hidden" name="base" value=form.base.clone()/>
    }
}

/// `/admin/products/new`.
#[component]
pub fn AdminNewProductPage() -> impl IntoView {
    let state = Resource::new(|| (), |_| take_editor_state(None));
    let categories = Resource::new(|| (), |_| staff_categories());
    let create = ServerAction::<CreateProductForm>::new();
    view! {
        <Seo title="New product" description="Create a product."/>
        <p class="text-sm"><a href="/admin/products" class="underline">"Products"</a>" / New"</p>
        <h1 class="mt-1 text-2xl font-bold tracking-tight">"New product"</h1>
        <Suspense fallback=|| view! { <p role="status" class="mt-4">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let state = state.await.unwrap_or_default();
                let categories = categories.await.unwrap_or_default();
                let (form, error) = match state.product {
                    Some(Draft { form, error, .. }) => (form, Some(error)),
                    None => (ProductForm { status: "draft".into(), ..Default::default() }, None),
                };
                view! {
                    <ActionForm action=create attr:class="mt-4 flex max-w-3xl flex-col gap-4" attr:aria-label="New product">
                        {error.clone().map(|error| view! { <DraftAlert error changes=Vec::new() fields=PRODUCT_FIELDS/> })}
                        <ProductFields form error categories/>
                        <button type="submit" class=format!("self-start {BUTTON}")>"Create product"</button>
                    </ActionForm>
                }
            })}
        </Suspense>
    }
}

/// `/admin/products/{id}`.
#[component]
pub fn AdminProductEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let product = Resource::new(id, staff_product);
    let state = Resource::new(id, |id| take_editor_state(Some(id)));
    let categories = Resource::new(|| (), |_| staff_categories());
    let history_page = move || query.with(|q| q.get("history_page"));
    let history = Resource::new(move || (id(), history_page()), |(id, page)| stock_history(id, page));
    let uploaded = query.with_untracked(|q| {
        q.get("uploaded")
            .map(|n| format!("{n} picture(s) uploaded."))
            .or_else(|| q.get("reordered").map(|_| "Pictures reordered.".to_owned()))
    });
    let upload_error = query.with_untracked(|q| q.get("error"));
    view! {
        <Suspense fallback=|| view! { <p role="status" class="mt-4">"Loading the product…"</p> }>
            {move || {
                let (uploaded, upload_error) = (uploaded.clone(), upload_error.clone());
                Suspend::new(async move {
                let state = state.await.unwrap_or_default();
                let categories = categories.await.unwrap_or_default();
                match product.await {
                    Ok(product) => Either::Left(view! {
                        <Editor product state categories uploaded upload_error/>
                        <StockHistory id=id() history/>
                    }),
                    Err(error) => Either::Right(view! { <div class="mt-4"><ErrorNotice error/></div> }),
                }
            })}}
        </Suspense>
    }
}

#[component]
fn Editor(
    product: ProductDetail,
    state: EditorState,
    categories: Vec<CategoryView>,
    uploaded: Option<String>,
    upload_error: Option<String>,
) -> impl IntoView {
    let save = ServerAction::<SaveProduct>::new();
    let id = product.id.0.to_string();
    let (form, error, changes) = match state.product {
        Some(Draft { form, error, changes }) => (form, Some(error), changes),
        None => (ProductForm::of(&product), None, Vec::new()),
    };
    let notice = state.notice.or(uploaded);
    let (variant_draft, new_variant_draft) = match state.variant {
        Some((Some(v), draft)) => (Some((v, draft)), None),
        Some((None, draft)) => (None, Some(draft)),
        None => (None, None),
    };
    let stock_error = state.stock;
    let image_error = state
        .images
        .or_else(|| upload_error.map(|message| AppError::new(crate::error::ErrorCode::ValidationError, message)));
    let details = {
        let id = id.clone();
        view! {
            <ActionForm action=save attr:class="mt-3 flex max-w-3xl flex-col gap-4" attr:aria-label="Product details">
                <input type="hidden" name="id" value=id/>
                {error.clone().map(|error| view! { <DraftAlert error changes=changes.clone() fields=PRODUCT_FIELDS/> })}
                <ProductFields form error categories/>
                <button type="submit" class=format!("self-start {BUTTON}")>"Save details"</button>
            </ActionForm>
        }
    };
    let variants = product
        .variants
        .iter()
        .cloned()
        .map(|v| {
            let draft = variant_draft.clone().filter(|(d, _)| *d == v.id).map(|(_, d)| d);
            let stock_error = stock_error.clone().filter(|(s, _)| *s == v.id).map(|(_, e)| e);
            view! { <VariantEditor product=id.clone() variant=v draft stock_error/> }
        })
        .collect_view();
    let no_variants = product.variants.is_empty();
    let next_position = product.variants.len();
    let storefront = format!("/products/{}", product.slug);
    let live = product.status == crate::domain::catalog::ProductStatus::Active;
    view! {
        <Seo title=format!("{} — edit", product.name) description="Edit a product."/>
        <p class="text-sm"><a href="/admin/products" class="underline">"Products"</a>" / "{product.name.clone()}</p>
        <div class="mt-1 flex flex-wrap items-baseline gap-3">
            <h1 class="text-2xl font-bold tracking-tight">{product.name.clone()}</h1>
            <span class="rounded bg-stone-200 px-2 py-0.5 text-sm" data-testid="product-status">{product.status.as_str()}</span>
            {live.then(|| view! { <a href=storefront class="text-sm underline">"View on the shop"</a> })}
        </div>
        <div class="mt-3">{notice.map(|text| view! { <Notice text/> })}</div>

        <section id="details" aria-labelledby="details-title" class="mt-6">
            <h2 id="details-title" class="text-lg font-semibold">"Details"</h2>
            {details}
        </section>

        <section id="variants" aria-labelledby="variants-title" class="mt-10">
            <h2 id="variants-title" class="text-lg font-semibold">"Variants"</h2>
            {no_variants.then(|| view! { <p class="mt-2 text-stone-700">"No variants yet: add one below. A product is sold through its variants."</p> })}
            <div class="mt-3 flex flex-col gap-4">{variants}</div>
            <NewVariant product=id.clone() draft=new_variant_draft next_position/>
        </section>

        <Images product=id images=product.images.clone() error=image_error/>
    }
}

const VARIANT_FIELDS: &[&str] = &[
    "sku",
    "name",
    "options",
    "price",
    "compare_at_price",
    "stock",
    "low_stock_threshold",
    "position",
];

/// The variant fields shared by the edit and add forms.
#[component]
fn VariantFields(prefix: String, form: VariantForm, error: Option<AppError>, new: bool) -> impl IntoView {
    let errors = move |name: &str| error.as_ref().map(|e| e.field(name).to_vec()).unwrap_or_default();
    let money = ("0.01", "decimal");
    view! {
        <div class="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <Input form=prefix.clone() name="sku" label="SKU" value=form.sku.clone() required=true errors=errors("sku")/>
            <Input form=prefix.clone() name="name" label="Name" value=form.name.clone() hint="Made from the options when empty." errors=errors("name")/>
            <Input form=prefix.clone() name="options" label="Options" value=form.options.clone() hint="size=M; colour=Navy" errors=errors("options")/>
            <Input form=prefix.clone() name="price" label="Price" value=form.price.clone() required=true attrs=money errors=errors("price")/>
            <Input form=prefix.clone() name="compare_at_price" label="Compare-at price" value=form.compare_at_price.clone() hint="The price before an offer; empty when none." attrs=money errors=errors("compare_at_price")/>
            {new.then(|| view! {
                <Input form=prefix.clone() name="stock" label="Stock" kind="number" value=form.stock.clone() errors=errors("stock")/>
            })}
            <Input form=prefix.clone() name="low_stock_threshold" label="Low-stock threshold" kind="number" value=form.low_stock_threshold.clone() errors=errors("low_stock_threshold")/>
            <Input form=prefix.clone() name="position" label="Position" kind="number" value=form.position.clone() errors=errors("position")/>
            <label class="flex items-center gap-2 self-end pb-2 text-sm">
                <input type="checkbox" name="active" checked=form.active.is_some() class="h-4 w-4"/>
                "Active (can be bought)"
            </label>
        </div>
        <input type="hidden" name="version" value=form.version.clone()/>
        <input type="hidden" name="base" value=form.base.clone()/>
    }
}

#[component]
fn VariantEditor(
    product: String,
    variant: VariantView,
    draft: Option<Draft<VariantForm>>,
    stock_error: Option<AppError>,
) -> impl IntoView {
    let save = ServerAction::<SaveVariant>::new();
    let adjust = ServerAction::<AdjustStockForm>::new();
    let remove = ServerAction::<RemoveVariant>::new();
    let vid = variant.id.to_string();
    let prefix = format!("variant-{vid}");
    let (form, error, changes) = match draft {
        Some(Draft { form, error, changes }) => (form, Some(error), changes),
        None => (VariantForm::of(&variant), None, Vec::new()),
    };
    let stock = variant.stock.unwrap_or_default();
    let delta_errors = stock_error
        .as_ref()
        .map(|e| e.field("delta").to_vec())
        .unwrap_or_default();
    let title = format!(
        "{} — {}",
        variant.sku,
        if variant.name.is_empty() {
            "no name"
        } else {
            &variant.name
        }
    );
    let sku = variant.sku.clone();
    let edit = {
        let (product, vid, prefix) = (product.clone(), vid.clone(), prefix.clone());
        view! {
            <ActionForm action=save attr:class="mt-3 flex flex-col gap-3" attr:aria-label=format!("Variant {sku}")>
                <input type="hidden" name="id" value=product/>
                <input type="hidden" name="variant_id" value=vid/>
                {error.clone().map(|error| view! { <DraftAlert error changes fields=VARIANT_FIELDS/> })}
                <VariantFields prefix form error new=false/>
                <button type="submit" class=format!("self-start {BUTTON}")>"Save variant"</button>
            </ActionForm>
        }
    };
    let adjust_form = {
        let (product, vid, prefix) = (product.clone(), vid.clone(), prefix.clone());
        let reason_id = format!("{prefix}-reason");
        view! {
            <ActionForm action=adjust attr:class="mt-2 flex flex-wrap items-end gap-3" attr:aria-label=format!("Adjust the stock of {}", variant.sku)>
                <input type="hidden" name="id" value=product/>
                <input type="hidden" name="variant_id" value=vid/>
                <Input form=format!("{prefix}-stock") name="delta" label="Units (+ or −)" kind="number" value="" required=true errors=delta_errors/>
                <div class="flex flex-col gap-1">
                    <label for=reason_id.clone() class="text-sm font-medium text-stone-800">"Reason"</label>
                    <select id=reason_id name="reason" class=INPUT>
                        {StockReason::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
                <Input form=format!("{prefix}-stock") name="note" label="Note" value=""/>
                <button type="submit" class=QUIET_BUTTON>"Adjust stock"</button>
            </ActionForm>
        }
    };
    let remove_form = view! {
        <ActionForm action=remove attr:class="mt-4 flex flex-wrap items-center gap-3 border-t border-stone-200 pt-3" attr:aria-label=format!("Remove {}", variant.sku)>
            <input type="hidden" name="id" value=product/>
            <input type="hidden" name="variant_id" value=vid/>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" name="confirm" required=true class="h-4 w-4"/>
                "Yes, remove this variant"
            </label>
            <button type="submit" class="rounded border border-red-700 px-3 py-2 text-sm font-medium text-red-800 hover:bg-red-50">"Remove variant"</button>
        </ActionForm>
    };
    view! {
        <article id=prefix aria-label=format!("Variant {}", variant.sku) class="rounded border border-stone-300 bg-white p-4" data-testid="variant">
            <h3 class="font-semibold">{title}{(!variant.active).then_some(" (switched off)")}</h3>
            {edit}
            <div class="mt-4 border-t border-stone-200 pt-3">
                <p class="text-sm"><span class="font-medium">"In stock: "</span><span data-testid="stock">{stock}</span></p>
                {stock_error.clone().map(|error| view! { <div class="mt-2"><DraftAlert error changes=Vec::new() fields=&["delta"]/></div> })}
                {adjust_form}
            </div>
            {remove_form}
        </article>
    }
}

#[component]
fn NewVariant(product: String, draft: Option<Draft<VariantForm>>, next_position: usize) -> impl IntoView {
    let add = ServerAction::<AddVariant>::new();
    let (form, error) = match draft {
        Some(Draft { form, error, .. }) => (form, Some(error)),
        None => (
            VariantForm {
                stock: "0".into(),
                low_stock_threshold: "5".into(),
                position: next_position.to_string(),
                active: Some("on".into()),
                ..Default::default()
            },
            None,
        ),
    };
    view! {
        <ActionForm action=add attr:id="new-variant" attr:class="mt-4 flex flex-col gap-3 rounded border border-dashed border-stone-400 p-4" attr:aria-label="Add a variant">
            <h3 class="font-semibold">"Add a variant"</h3>
            <input type="hidden" name="id" value=product/>
            {error.clone().map(|error| view! { <DraftAlert error changes=Vec::new() fields=VARIANT_FIELDS/> })}
            <VariantFields prefix="new-variant".into() form error new=true/>
            <button type="submit" class=format!("self-start {BUTTON}")>"Add variant"</button>
        </ActionForm>
    }
}

#[component]
fn Images(product: String, images: Vec<ImageView>, error: Option<AppError>) -> impl IntoView {
    let alt_action = ServerAction::<SaveImageAlt>::new();
    let reorder = ServerAction::<ReorderImages>::new();
    let remove = ServerAction::<RemoveImage>::new();
    let order: Vec<String> = images.iter().map(|i| i.id.to_string()).collect();
    let count = images.len();
    let upload_action = format!("/admin/products/{product}/images/upload");
    let items = images
        .into_iter().enumerate().map(|(index, image)| {
                    let image_id = image.id.to_string();
                    let moved = |to: usize| {
                        let mut ids = order.clone();
                        let item = ids.remove(index);
                        ids.insert(to, item);
                        ids
                    };
                    let up = (index > 0).then(|| moved(index - 1));
                    let down = (index + 1 < count).then(|| moved(index + 1));
                    let label = if image.alt.is_empty() {
                format!("picture {}", index + 1)
            } else {
                format!("picture {} ({})", index + 1, image.alt)
            };
                    let processing = image.status != ImageStatus::Ready;
                    let alt_id = format!("alt-{image_id}");
            let shown = if image.alt.is_empty() { "No alt text yet".to_owned() } else { image.alt.clone() };
                    let alt_form = {
                        let (product, image_id) = (product.clone(), image_id.clone());
                        let version = image.version.to_string();
                        let alt = image.alt.clone();
                        view! {
                            <ActionForm action=alt_action attr:class="flex items-end gap-2" attr:aria-label=format!("Alt text of {label}")>
                                <input type="hidden" name="id" value=product/>
                                <input type="hidden" name="image_id" value=image_id/>
                                <input type="hidden" name="version" value=version/>
                                <div class="flex min-w-0 flex-1 flex-col gap-1">
                                    <label for=alt_id.clone() class="text-xs font-medium">"Alt text"</label>
                                    <input id=alt_id name="alt" value=alt class=format!("w-full {INPUT}")/>
                                </div>
                                <button type="submit" class=QUIET_BUTTON>"Save"</button>
                            </ActionForm>
                        }
                    };
                    let up = up.map(|ids| view! { <MoveButton action=reorder product=product.clone() ids label=format!(": {label}") text="Move up"/> });
                    let down = down.map(|ids| view! { <MoveButton action=reorder product=product.clone() ids label=format!(": {label}") text="Move down"/> });
                    let remove_form = {
                        let (product, image_id) = (product.clone(), image_id.clone());
                        view! {
                            <ActionForm action=remove attr:class="flex flex-wrap items-center gap-2" attr:aria-label=format!("Remove {label}")>
                                <input type="hidden" name="id" value=product/>
                                <input type="hidden" name="image_id" value=image_id/>
                                <label class="flex items-center gap-1 text-xs"><input type="checkbox" name="confirm" required=true class="h-4 w-4"/>"Yes, remove"</label>
                                <button type="submit" class="rounded border border-red-700 px-2 py-1 text-xs font-medium text-red-800">"Remove"</button>
                            </ActionForm>
                        }
                    };
                    let picture = if processing {
                        EitherOf3::A(view! { <p role="status" class="text-sm text-stone-700">"Processing…"</p> })
                    } else {
                        match image.default_rendition().map(|r| r.fallback.clone()) {
                            Some(src) => EitherOf3::B(view! { <img src=src alt=image.alt.clone() class="h-32 w-full rounded object-contain" loading="lazy"/> }),
                            None => EitherOf3::C(()),
                        }
                    };
                    view! {
                        <li draggable="true" data-id=image_id class="flex flex-col gap-2 rounded border border-stone-300 bg-white p-3" data-testid="image">
                            <p class="text-sm font-medium"><span data-position="">{index + 1}</span>". "{shown}</p>
                            {picture}
                            {alt_form}
                            <div class="flex flex-wrap gap-2">{up}{down}</div>
                            {remove_form}
                        </li>
                    }
                })
        .collect_view();
    let product_attr = product.clone();
    view! {
        <section id="images" aria-labelledby="images-title" class="mt-10">
            <h2 id="images-title" class="text-lg font-semibold">"Pictures"</h2>
            {error.map(|error| view! { <div class="mt-2"><DraftAlert error changes=Vec::new() fields=&[]/></div> })}
            <form method="post" action=upload_action enctype="multipart/form-data" data-upload="" aria-label="Upload pictures" class="mt-3 flex flex-wrap items-end gap-3">
                <div class="flex flex-col gap-1">
                    <label for="upload-file" class="text-sm font-medium">"Pictures (JPEG, PNG or WebP)"</label>
                    <input id="upload-file" type="file" name="file" multiple=true accept="image/jpeg,image/png,image/webp" required=true class="text-sm"/>
                </div>
                <Input form="upload" name="alt" label="Alt text (for every picture uploaded)" value=""/>
                <button type="submit" class=QUIET_BUTTON>"Upload"</button>
            </form>
            <ul data-upload-progress="" aria-live="polite" class="mt-2 flex flex-col gap-1 text-sm"></ul>
            {(count == 0).then(|| view! { <p class="mt-3 text-stone-700">"No pictures yet."</p> })}
            <p id="reorder-help" class="mt-3 text-xs text-stone-600">"Drag a picture to move it, or use its Move buttons. The first picture is the product's cover."</p>
            <p data-reorder-status="" role="status" class="sr-only"></p>
            <ol class="mt-2 grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-reorder=product_attr aria-describedby="reorder-help" data-testid="images">
                {items}
            </ol>
        </section>
    }
}

#[component]
fn MoveButton(
    action: ServerAction<ReorderImages>,
    product: String,
    ids: Vec<String>,
    label: String,
    text: &'static str,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline">
            <input type="hidden" name="id" value=product/>
            {ids.into_iter().map(|id| view! { <input type="hidden" name="ids[]" value=id/> }).collect_view()}
            <button type="submit" class=QUIET_BUTTON>{text}<span class="sr-only">{label}</span></button>
        </ActionForm>
    }
}

#[component]
fn StockHistory(
    id: String,
    history: Resource<Result<crate::domain::Page<crate::domain::catalog::stock::StockAdjustmentView>, AppError>>,
) -> impl IntoView {
    view! {
        <section id="stock-history" aria-labelledby="history-title" class="mt-10">
            <h2 id="history-title" class="text-lg font-semibold">"Stock history"</h2>
            <Suspense fallback=|| view! { <p role="status">"Loading the history…"</p> }>
                {move || {
                    let id = id.clone();
                    Suspend::new(async move {
                        match history.await {
                            Ok(page) if page.items.is_empty() => EitherOf3::A(view! { <p class="mt-2 text-stone-700">"No stock adjustments yet."</p> }),
                            Ok(page) => {
                                let total_pages = page.total_pages();
                                EitherOf3::B(view! {
                                    <div class="mt-2 overflow-x-auto">
                                        <table class="w-full text-left text-sm" data-testid="stock-history">
                                            <caption class="sr-only">"Stock adjustments, newest first"</caption>
                                            <thead><tr class="border-b border-stone-300">
                                                <th scope="col" class="py-2 pr-4">"When"</th>
                                                <th scope="col" class="py-2 pr-4">"SKU"</th>
                                                <th scope="col" class="py-2 pr-4 text-right">"Change"</th>
                                                <th scope="col" class="py-2 pr-4 text-right">"Stock after"</th>
                                                <th scope="col" class="py-2 pr-4">"Reason"</th>
                                                <th scope="col" class="py-2 pr-4">"Note"</th>
                                                <th scope="col" class="py-2">"Who"</th>
                                            </tr></thead>
                                            <tbody>
                                                {page.items.into_iter().map(|a| view! {
                                                    <tr class="border-b border-stone-200">
                                                        <td class="py-2 pr-4 whitespace-nowrap">{a.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                                        <td class="py-2 pr-4">{a.sku}</td>
                                                        <td class="py-2 pr-4 text-right tabular-nums">{if a.delta > 0 { format!("+{}", a.delta) } else { a.delta.to_string() }}</td>
                                                        <td class="py-2 pr-4 text-right tabular-nums">{a.stock_after}</td>
                                                        <td class="py-2 pr-4">{a.reason.label()}</td>
                                                        <td class="py-2 pr-4">{a.note}</td>
                                                        <td class="py-2">{a.actor_email.unwrap_or_else(|| "—".into())}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <Pagination page=page.page total_pages base=format!("/admin/products/{id}") param="history_page"/>
                                })
                            }
                            Err(error) => EitherOf3::C(view! { <ErrorNotice error/> }),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}
