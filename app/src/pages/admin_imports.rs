//! Catalogue CSV import and export (`products:write`). `/admin/imports` uploads a file (a plain
//! multipart form), offers the template and the export, and lists past imports;
//! `/admin/imports/{id}` follows one: a progress bar while the background job runs — the page
//! refreshes itself, so it survives a reload and needs no script — then the result: variants
//! created, updated and unchanged, and every error by line and column.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::{ErrorNotice, Pagination, Seo};
use crate::domain::catalog::transfer::{ImportStatus, ImportView};
use crate::server_fns::admin::{staff_import, staff_imports, take_upload_error};

fn status_label(status: ImportStatus) -> &'static str {
    match status {
        ImportStatus::Queued => "Waiting to start",
        ImportStatus::Checking => "Checking lines",
        ImportStatus::Applying => "Applying",
        ImportStatus::Done => "Applied",
        ImportStatus::Failed => "Failed: nothing applied",
    }
}

/// `/admin/imports`.
#[component]
pub fn AdminImportsPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.with(|q| q.get("page"));
    let imports = Resource::new(page, staff_imports);
    let refusal = Resource::new(|| (), |_| take_upload_error());
    view! {
        <Seo title="Import and export" description="The catalogue as CSV."/>
        <h1 class="text-2xl font-bold tracking-tight">"Import and export"</h1>
        <section aria-labelledby="export-title" class="mt-6">
            <h2 id="export-title" class="text-lg font-semibold">"Export"</h2>
            <p class="mt-1 max-w-2xl text-sm text-stone-700">
                "Every variant, one line each, in the columns the import reads. Edit it in a spreadsheet and import it back: "
                "a line whose variant was changed since (or whose stock you changed while sales moved it) is reported as a conflict and left alone."
            </p>
            <p class="mt-2"><a href="/admin/catalog.csv" download="catalogue.csv" class="underline">"Download the catalogue (CSV)"</a></p>
        </section>
        <section aria-labelledby="import-title" class="mt-8">
            <h2 id="import-title" class="text-lg font-semibold">"Import"</h2>
            <p class="mt-1 max-w-2xl text-sm text-stone-700">
                "Lines match variants by SKU: a known SKU is updated, a new one is added to the product named by "
                <code>"product_slug"</code>" (created when new). Every line is checked first; if any is wrong, nothing is applied. "
                <a href="/admin/imports/template.csv" download="catalogue-template.csv" class="underline">"Download the template"</a>"."
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    refusal.await.ok().flatten().map(|error| view! { <div class="mt-3"><ErrorNotice error/></div> })
                })}
            </Suspense>
            <form method="post" action="/admin/imports/upload" enctype="multipart/form-data" class="mt-3 flex flex-wrap items-end gap-3" aria-label="Import a CSV file">
                <div class="flex flex-col gap-1">
                    <label for="import-file" class="text-sm font-medium">"CSV file"</label>
                    <input id="import-file" type="file" name="file" accept=".csv,text/csv" required=true class="text-sm"/>
                </div>
                <button type="submit" class="rounded bg-stone-900 px-4 py-2 font-medium text-white hover:bg-stone-700">"Import"</button>
            </form>
        </section>
        <section aria-labelledby="history-title" class="mt-8">
            <h2 id="history-title" class="text-lg font-semibold">"Past imports"</h2>
            <Suspense fallback=|| view! { <p role="status">"Loading imports…"</p> }>
                {move || Suspend::new(async move {
                    match imports.await {
                        Ok(page) if page.items.is_empty() => EitherOf3::A(view! { <p class="mt-2 text-stone-700">"No imports yet."</p> }),
                        Ok(page) => {
                            let total_pages = page.total_pages();
                            EitherOf3::B(view! {
                                <div class="mt-2 overflow-x-auto">
                                    <table class="w-full text-left text-sm">
                                        <caption class="sr-only">"Imports, newest first"</caption>
                                        <thead><tr class="border-b border-stone-300">
                                            <th scope="col" class="py-2 pr-4">"File"</th>
                                            <th scope="col" class="py-2 pr-4">"When"</th>
                                            <th scope="col" class="py-2 pr-4">"Status"</th>
                                            <th scope="col" class="py-2 pr-4 text-right">"Lines"</th>
                                            <th scope="col" class="py-2">"By"</th>
                                        </tr></thead>
                                        <tbody>
                                            {page.items.into_iter().map(|i| view! {
                                                <tr class="border-b border-stone-200">
                                                    <td class="py-2 pr-4"><a href=format!("/admin/imports/{}", i.id) class="underline">{if i.filename.is_empty() { "import".to_owned() } else { i.filename.clone() }}</a></td>
                                                    <td class="py-2 pr-4 whitespace-nowrap">{i.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                                    <td class="py-2 pr-4">{status_label(i.status)}</td>
                                                    <td class="py-2 pr-4 text-right tabular-nums">{i.total_lines}</td>
                                                    <td class="py-2">{i.created_by.clone().unwrap_or_else(|| "—".into())}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <Pagination page=page.page total_pages base="/admin/imports"/>
                            })
                        }
                        Err(error) => EitherOf3::C(view! { <ErrorNotice error/> }),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/admin/imports/{id}`.
#[component]
pub fn AdminImportPage() -> impl IntoView {
    let params = use_params_map();
    let import = Resource::new(move || params.with(|p| p.get("id")).unwrap_or_default(), staff_import);
    view! {
        <Seo title="Import" description="A catalogue import."/>
        <p class="text-sm"><a href="/admin/imports" class="underline">"Import and export"</a>" / Import"</p>
        <Suspense fallback=|| view! { <p role="status" class="mt-4">"Loading the import…"</p> }>
            {move || Suspend::new(async move {
                match import.await {
                    Ok(import) => Either::Left(view! { <ImportReport import/> }),
                    Err(error) => Either::Right(view! { <div class="mt-4"><ErrorNotice error/></div> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ImportReport(import: ImportView) -> impl IntoView {
    let running = import.status.running();
    let percent = import.percent();
    let title = if import.filename.is_empty() {
        "Import".to_owned()
    } else {
        import.filename.clone()
    };
    let progress = format!(
        "{}: {} of {} lines ({percent} %)",
        status_label(import.status),
        import.done_lines.min(import.total_lines),
        import.total_lines
    );
    let errors = import.errors.clone();
    let conflicts = errors.iter().filter(|e| e.conflict).count();
    view! {
        // Refreshes itself while the job runs: progress survives a reload and needs no script.
        {running.then(|| view! { <Meta http_equiv="refresh" content="1"/> })}
        <h1 class="mt-1 text-2xl font-bold tracking-tight">{title}</h1>
        <p class="mt-1 text-sm text-stone-700">
            {format!("Sent {} by {}", import.created_at.format("%Y-%m-%d %H:%M"), import.created_by.clone().unwrap_or_else(|| "—".into()))}
        </p>
        <div class="mt-4 max-w-xl" data-testid="import-progress">
            <label for="import-bar" class="text-sm font-medium">{status_label(import.status)}</label>
            <progress id="import-bar" max="100" value=percent.to_string() class="mt-1 h-3 w-full" aria-describedby="import-progress-text"></progress>
            <p id="import-progress-text" role="status" class="mt-1 text-sm">{progress}</p>
        </div>
        {(!running).then(|| view! {
            <section aria-labelledby="result-title" class="mt-6" data-testid="import-result">
                <h2 id="result-title" class="text-lg font-semibold">"Result"</h2>
                {match import.status {
                    ImportStatus::Failed => Either::Left(view! {
                        <p role="alert" class="mt-2 rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900">
                            {format!("{} line(s) are wrong, so nothing was applied. Fix them and import the file again.", import.failed)}
                        </p>
                    }),
                    _ => Either::Right(view! {
                        <dl class="mt-2 grid max-w-md grid-cols-2 gap-x-4 gap-y-1 text-sm">
                            <dt>"Created"</dt><dd class="tabular-nums" data-testid="created">{import.created}</dd>
                            <dt>"Updated"</dt><dd class="tabular-nums" data-testid="updated">{import.updated}</dd>
                            <dt>"Unchanged"</dt><dd class="tabular-nums" data-testid="unchanged">{import.unchanged}</dd>
                            <dt>"Failed (conflicts)"</dt><dd class="tabular-nums" data-testid="failed">{conflicts}</dd>
                        </dl>
                    }),
                }}
                {(!errors.is_empty()).then(|| view! {
                    <div class="mt-4 overflow-x-auto">
                        <table class="w-full text-left text-sm" data-testid="import-errors">
                            <caption class="text-left font-medium">"Errors by line"</caption>
                            <thead><tr class="border-b border-stone-300">
                                <th scope="col" class="py-2 pr-4 text-right">"Line"</th>
                                <th scope="col" class="py-2 pr-4">"Column"</th>
                                <th scope="col" class="py-2 pr-4">"Problem"</th>
                                <th scope="col" class="py-2">"Kind"</th>
                            </tr></thead>
                            <tbody>
                                {errors.into_iter().map(|e| view! {
                                    <tr class="border-b border-stone-200">
                                        <td class="py-2 pr-4 text-right tabular-nums">{e.line}</td>
                                        <td class="py-2 pr-4"><code>{e.column}</code></td>
                                        <td class="py-2 pr-4">{e.message}</td>
                                        <td class="py-2">{if e.conflict { "conflict" } else { "error" }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                })}
                <p class="mt-4"><a href="/admin/imports" class="underline">"Import another file"</a></p>
            </section>
        })}
    }
}
