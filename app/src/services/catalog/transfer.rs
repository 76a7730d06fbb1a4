//! Catalogue CSV import and export (`products:write`).
//!
//! An import is stored and queued at once ([`start_import`]); a background job
//! ([`run_import`]) then reads it in one transaction with every product and variant it names
//! locked: first it checks every line (with the API's own validation, errors named by line and
//! column), and only when all are right does it write them — so a file is applied whole or not
//! at all. Lines match variants by SKU. A line exported before someone changed its variant (its
//! `version`) or sold from it while the file changed its stock is a conflict: reported, left
//! alone, the rest applied. Progress is written as it goes, outside the transaction, so a page
//! (or an API client) can follow it.
//!
//! The export ([`export_catalog`]) walks the catalogue a page at a time and yields CSV as it
//! goes: the whole file is never in memory, nor a connection held between pages.

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use super::catalog_changed;
use crate::adapters::jobs::{self, Job};
use crate::domain::catalog::editing::{
    CreateProduct, CreateVariant, ProductFields, UpdateProduct, UpdateVariant, VariantFields,
};
use crate::domain::catalog::transfer::{
    COLUMNS, Cells, ExportedVersion, Header, ImportStatus, ImportView, LineError, MAX_LINES, StockChange,
    TEMPLATE_LINES, format_options, parse_count, parse_flag, parse_options, stock_change,
};
use crate::domain::catalog::{CategoryId, ProductStatus};
use crate::domain::identity::{Permission, UserId};
use crate::domain::{Page, PageRequest, ProductId};
use crate::error::{AppError, FieldErrors};
use crate::repositories;
use crate::repositories::catalog::editing as edit_repo;
use crate::repositories::catalog::transfer::{self as repo, ExistingProduct, ExistingVariant, Outcome};
use crate::services::ServiceError;
use crate::services::identity::Actor;
use crate::state::AppState;

/// At most this many errors are kept for a report.
const MAX_ERRORS: usize = 1000;
/// Progress is written every this many lines.
const PROGRESS_EVERY: usize = 100;
/// Variants per page of the export.
const EXPORT_PAGE: i64 = 500;

fn file_error(message: impl Into<String>) -> ServiceError {
    let mut details = FieldErrors::new();
    details.insert("file".into(), vec![message.into()]);
    AppError::validation(details).into()
}

/// Reads a file's lines under its header. A file that can't be read as CSV at all (not UTF-8,
/// no header, a header naming unknown columns) is an error on `file`.
fn read_lines(content: &[u8]) -> Result<Vec<Cells>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(content);
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err("is empty: it needs a header line and a line per variant".into()),
        Some(Err(err)) => return Err(format!("can't be read as CSV: {err}")),
        Some(Ok(record)) => Header::parse(record.iter()).map_err(|e| format!("line 1: {e}"))?,
    };
    let mut lines = Vec::new();
    for record in records {
        let record = record.map_err(|err| match err.position() {
            Some(p) => format!("line {}: can't be read as CSV text (UTF-8)", p.line()),
            None => format!("can't be read as CSV: {err}"),
        })?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if lines.len() == MAX_LINES {
            return Err(format!("has more than {MAX_LINES} lines; split it"));
        }
        let line = record.position().map_or(0, |p| p.line());
        lines.push(header.cells(line, record.iter()));
    }
    if lines.is_empty() {
        return Err("has no lines under its header".into());
    }
    Ok(lines)
}

/// Whether `actor` may import and export: checked before an upload is read.
pub fn check_access(actor: &Actor) -> Result<(), ServiceError> {
    actor.require(Permission::ProductsWrite)
}

/// Stores an uploaded file and queues its import; answers it `queued`. A file that isn't a
/// readable CSV with a `sku` column is refused at once (422 on `file`), as is an empty one.
pub async fn start_import(
    state: &AppState,
    actor: &Actor,
    filename: &str,
    content: Vec<u8>,
) -> Result<ImportView, ServiceError> {
    check_access(actor)?;
    let lines = read_lines(&content).map_err(file_error)?;
    let filename: String = filename
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_owned();
    let mut tx = repositories::begin_as(&state.db, actor.user_id).await?;
    let id = repo::create_import(&mut *tx, &filename, &content, lines.len() as i32, actor.user_id.0).await?;
    jobs::enqueue(&mut *tx, &Job::ImportCatalog { import: id }).await?;
    tx.commit().await?;
    tracing::info!(event = "import_queued", import = %id, lines = lines.len(), "catalogue import queued");
    get_import(state, actor, id).await
}

/// One import, with its progress or result.
pub async fn get_import(state: &AppState, actor: &Actor, id: Uuid) -> Result<ImportView, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    repo::find_import(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("No such import.").into())
}

/// Imports, newest first.
pub async fn list_imports(
    state: &AppState,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<ImportView>, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let (items, total) = repo::list_imports(&state.db, page.limit(), page.offset()).await?;
    Ok(Page::new(items, page, total as u64))
}

/// The template: the header and two example lines.
pub fn template() -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.write_record(COLUMNS);
    for line in TEMPLATE_LINES {
        let _ = out.write_record(line);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Runs an import (the job): checks it, applies it when every line is right, and records the
/// outcome — in the same transaction as the changes when they are applied, so a retried job
/// finds it finished and does nothing twice. One worker at a time holds an import (an advisory
/// lock for the transaction); another finds it taken and leaves it.
pub async fn run_import(state: &AppState, id: Uuid) -> Result<(), ServiceError> {
    let Some(job) = repo::find_import_job(&state.db, id).await? else {
        return Ok(());
    };
    if !job.status.running() {
        return Ok(());
    }
    let mut tx = repositories::begin_as(&state.db, UserId(job.created_by.unwrap_or(Uuid::nil()))).await?;
    if !repo::hold_import(&mut *tx, id).await? {
        return Ok(());
    }
    // A run that finished between the read above and the lock.
    if !repo::find_import_job(&mut *tx, id)
        .await?
        .is_some_and(|j| j.status.running())
    {
        return Ok(());
    }
    let _ = repo::set_progress(&state.db, id, ImportStatus::Checking, 0).await;
    let outcome = match read_lines(&job.content) {
        Err(message) => Outcome {
            status: ImportStatus::Failed,
            created: 0,
            updated: 0,
            unchanged: 0,
            errors: vec![LineError::new(1, "", message)],
        },
        Ok(lines) => {
            let mut import = Import::load(&mut tx, &lines).await?;
            let plan = import.check(state, id, &lines).await;
            // Conflicts found while checking (a SKU gone since the export) don't stop the rest.
            if import.wrong == 0 {
                import.apply(state, id, &mut tx, plan, job.created_by).await?
            } else {
                import.failed()
            }
        }
    };
    if outcome.status == ImportStatus::Done {
        repo::finish_import(&mut *tx, id, &outcome).await?;
        tx.commit().await?;
        catalog_changed(state).await;
    } else {
        tx.rollback().await?;
        repo::finish_import(&state.db, id, &outcome).await?;
    }
    tracing::info!(event = "import_finished", import = %id, status = ?outcome.status, created = outcome.created,
        updated = outcome.updated, errors = outcome.errors.len(), "catalogue import finished");
    Ok(())
}

/// Ends an import the job could not finish after its last attempt: failed, nothing applied.
pub async fn give_up_import(state: &AppState, id: Uuid, reason: &str) -> Result<(), ServiceError> {
    let outcome = Outcome {
        status: ImportStatus::Failed,
        created: 0,
        updated: 0,
        unchanged: 0,
        errors: vec![LineError::new(
            0,
            "",
            format!("The import could not be finished ({reason}); nothing was applied. Send the file again."),
        )],
    };
    repo::finish_import(&state.db, id, &outcome).await?;
    Ok(())
}

/// Which product a line belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ProductKey {
    Existing(ProductId),
    New(String),
}

/// What to do with a product: its fields as the file has them, from its first line.
struct ProductPlan {
    line: u64,
    key: ProductKey,
    fields: ProductFields,
    /// `product_version` from the file.
    sent_version: Option<i32>,
}

/// What to do with a line's variant.
enum VariantPlan {
    Create {
        line: u64,
        product: ProductKey,
        fields: VariantFields,
    },
    Update {
        line: u64,
        current: Box<ExistingVariant>,
        fields: VariantFields,
        sent: Option<ExportedVersion>,
        stock: Option<i32>,
    },
}

struct Plan {
    products: Vec<ProductPlan>,
    variants: Vec<VariantPlan>,
}

/// An import's view of the catalogue, and the errors found so far.
struct Import {
    variants: HashMap<String, ExistingVariant>,
    products: HashMap<ProductId, ExistingProduct>,
    slugs: HashMap<String, ProductId>,
    categories: HashMap<String, CategoryId>,
    /// The errors to report (the first [`MAX_ERRORS`]).
    errors: Vec<LineError>,
    /// How many lines were wrong (not conflicts), all of them counted.
    wrong: usize,
}

/// The column an API field's error belongs to.
fn column_of(field: &str) -> &'static str {
    match field {
        "name" => "product_name",
        "slug" => "product_slug",
        "status" => "product_status",
        "category_id" => "category",
        "variant_name" => "variant_name",
        other => COLUMNS.iter().find(|c| **c == other).copied().unwrap_or(""),
    }
}

/// Turns a validation error into line errors, its fields named as columns by `columns`.
fn line_errors(line: u64, err: AppError, columns: impl Fn(&str) -> &'static str) -> Vec<LineError> {
    let Some(details) = err.details.filter(|d| !d.is_empty()) else {
        return vec![LineError::new(line, "", err.message)];
    };
    details
        .iter()
        .flat_map(|(field, messages)| {
            let column = columns(field);
            messages.iter().map(move |m| LineError::new(line, column, m.clone()))
        })
        .collect()
}

fn variant_column(field: &str) -> &'static str {
    if field == "name" {
        "variant_name"
    } else {
        column_of(field)
    }
}

impl Import {
    async fn load(tx: &mut sqlx::PgConnection, lines: &[Cells]) -> Result<Self, ServiceError> {
        let keys: Vec<String> = lines
            .iter()
            .filter_map(|l| l.filled("sku").map(str::to_lowercase))
            .collect();
        let variants: HashMap<String, ExistingVariant> = repo::lock_variants_by_sku(&mut *tx, &keys)
            .await?
            .into_iter()
            .map(|v| (v.fields.sku.to_lowercase(), v))
            .collect();
        let slugs: Vec<String> = lines
            .iter()
            .filter_map(|l| l.filled("product_slug").map(str::to_owned))
            .collect();
        let ids: Vec<Uuid> = variants.values().map(|v| v.product_id.0).collect();
        let products: HashMap<ProductId, ExistingProduct> = repo::lock_products(&mut *tx, &slugs, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let slugs = products.values().map(|p| (p.fields.slug.clone(), p.id)).collect();
        let categories = repositories::catalog::list_categories(&mut *tx)
            .await?
            .into_iter()
            .map(|c| (c.slug, c.id))
            .collect();
        Ok(Self {
            variants,
            products,
            slugs,
            categories,
            errors: Vec::new(),
            wrong: 0,
        })
    }

    fn error(&mut self, error: LineError) {
        if !error.conflict {
            self.wrong += 1;
        }
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(error);
        }
    }

    fn failed(mut self) -> Outcome {
        self.errors.sort_by_key(|e| e.line);
        Outcome {
            status: ImportStatus::Failed,
            created: 0,
            updated: 0,
            unchanged: 0,
            errors: self.errors,
        }
    }

    /// Checks every line; the plan to apply (meaningful only when no error was found).
    async fn check(&mut self, state: &AppState, id: Uuid, lines: &[Cells]) -> Plan {
        let mut plan = Plan {
            products: Vec::new(),
            variants: Vec::new(),
        };
        let mut seen_skus: HashMap<String, u64> = HashMap::new();
        let mut product_index: HashMap<ProductKey, usize> = HashMap::new();
        for (n, cells) in lines.iter().enumerate() {
            if n % PROGRESS_EVERY == 0 {
                let _ = repo::set_progress(&state.db, id, ImportStatus::Checking, n as i32).await;
            }
            let line = cells.line;
            let Some(sku) = cells.filled("sku") else {
                self.error(LineError::new(line, "sku", "is required"));
                continue;
            };
            if let Some(first) = seen_skus.insert(sku.to_lowercase(), line) {
                self.error(LineError::new(
                    line,
                    "sku",
                    format!("is given twice (also on line {first})"),
                ));
                continue;
            }
            let existing = self.variants.remove(&sku.to_lowercase());
            let key = match (&existing, cells.filled("product_slug")) {
                (Some(v), slug) => {
                    let current = &self.products[&v.product_id].fields.slug;
                    if slug.is_some_and(|s| s != current) {
                        self.error(LineError::new(
                            line,
                            "product_slug",
                            format!(
                                "SKU {sku} belongs to product \"{current}\"; a variant can't move to another product"
                            ),
                        ));
                        continue;
                    }
                    ProductKey::Existing(v.product_id)
                }
                (None, None) => {
                    self.error(LineError::new(line, "product_slug", "is required for a new SKU"));
                    continue;
                }
                (None, Some(slug)) => match self.slugs.get(slug) {
                    Some(id) => ProductKey::Existing(*id),
                    None => ProductKey::New(slug.to_owned()),
                },
            };
            let Some(product) = self.product_fields(cells, &key) else {
                continue;
            };
            if let Some(first) = product_index.get(&key).map(|&i| &plan.products[i])
                && first.fields != product
            {
                let column = differing_column(&first.fields, &product);
                let message = format!("differs from line {} for the same product", first.line);
                self.error(LineError::new(line, column, message));
                continue;
            }
            let sent_version = match cells.filled("product_version").map(parse_count) {
                Some(Ok(v)) => Some(v),
                Some(Err(message)) => {
                    self.error(LineError::new(line, "product_version", message));
                    continue;
                }
                None => None,
            };
            // A line left alone (a conflict) doesn't write its product either.
            let Some(variant) = self.variant_plan(cells, sku, key.clone(), existing) else {
                continue;
            };
            if !product_index.contains_key(&key) {
                product_index.insert(key.clone(), plan.products.len());
                plan.products.push(ProductPlan {
                    line,
                    key,
                    fields: product,
                    sent_version,
                });
            }
            plan.variants.push(variant);
        }
        let _ = repo::set_progress(&state.db, id, ImportStatus::Checking, lines.len() as i32).await;
        plan
    }

    /// The product's fields as the line has them, checked as the API checks them.
    fn product_fields(&mut self, cells: &Cells, key: &ProductKey) -> Option<ProductFields> {
        let line = cells.line;
        let mut errors = Vec::new();
        let status = match cells.filled("product_status").map(ProductStatus::parse) {
            Some(Ok(s)) => Some(s),
            Some(Err(m)) => {
                errors.push(LineError::new(line, "product_status", m));
                None
            }
            None => None,
        };
        let featured = match cells.filled("featured").map(parse_flag) {
            Some(Ok(f)) => Some(f),
            Some(Err(m)) => {
                errors.push(LineError::new(line, "featured", m));
                None
            }
            None => None,
        };
        let category = match cells.get("category") {
            None => None,
            Some("") => Some(None),
            Some(slug) => match self.categories.get(slug) {
                Some(id) => Some(Some(*id)),
                None => {
                    errors.push(LineError::new(
                        line,
                        "category",
                        format!("no category has the slug \"{slug}\""),
                    ));
                    None
                }
            },
        };
        let text = |column: &str| cells.get(column).map(str::to_owned);
        let parsed = match key {
            ProductKey::Existing(id) => UpdateProduct {
                name: text("product_name"),
                slug: None,
                description: text("description"),
                status,
                category_id: category,
                featured,
                seo_title: text("seo_title"),
                seo_description: text("seo_description"),
                version: None,
            }
            .parse_onto(&self.products[id].fields),
            ProductKey::New(slug) => CreateProduct {
                name: text("product_name").unwrap_or_default(),
                slug: Some(slug.clone()),
                description: text("description").unwrap_or_default(),
                status,
                category_id: category.flatten(),
                featured: featured.unwrap_or(false),
                seo_title: text("seo_title").unwrap_or_default(),
                seo_description: text("seo_description").unwrap_or_default(),
                variants: Vec::new(),
            }
            .parse()
            .map(|new| new.product),
        };
        match parsed {
            Ok(fields) if errors.is_empty() => Some(fields),
            Ok(_) => {
                errors.into_iter().for_each(|e| self.error(e));
                None
            }
            Err(err) => {
                errors.into_iter().for_each(|e| self.error(e));
                for e in line_errors(line, err, column_of) {
                    self.error(e);
                }
                None
            }
        }
    }

    /// The variant's change as the line has it, checked as the API checks it.
    fn variant_plan(
        &mut self,
        cells: &Cells,
        sku: &str,
        product: ProductKey,
        existing: Option<ExistingVariant>,
    ) -> Option<VariantPlan> {
        let line = cells.line;
        let mut errors = Vec::new();
        let cell = |column: &'static str, errors: &mut Vec<LineError>| -> Option<i32> {
            match cells.filled(column).map(parse_count) {
                Some(Ok(n)) => Some(n),
                Some(Err(m)) => {
                    errors.push(LineError::new(line, column, m));
                    None
                }
                None => None,
            }
        };
        let stock = cell("stock", &mut errors);
        let low_stock_threshold = cell("low_stock_threshold", &mut errors);
        let position = cell("position", &mut errors);
        let active = match cells.filled("active").map(parse_flag) {
            Some(Ok(a)) => Some(a),
            Some(Err(m)) => {
                errors.push(LineError::new(line, "active", m));
                None
            }
            None => None,
        };
        let options = match cells.get("options").map(parse_options) {
            Some(Ok(o)) => Some(o),
            Some(Err(m)) => {
                errors.push(LineError::new(line, "options", m));
                None
            }
            None => None,
        };
        let sent = match cells.filled("version").map(ExportedVersion::parse) {
            Some(Ok(v)) => Some(v),
            Some(Err(m)) => {
                errors.push(LineError::new(line, "version", m));
                None
            }
            None => None,
        };
        let text = |column: &str| cells.get(column).map(str::to_owned);
        let plan = match existing {
            Some(current) => UpdateVariant {
                sku: Some(sku.to_owned()),
                name: text("variant_name"),
                options,
                price: text("price"),
                compare_at_price: cells
                    .get("compare_at_price")
                    .map(|c| (!c.is_empty()).then(|| c.to_owned())),
                // Checked here; what is written is decided with the stock at export (`apply`).
                stock,
                active,
                low_stock_threshold,
                position,
                version: None,
            }
            .parse_onto(&current.fields)
            .map(|fields| VariantPlan::Update {
                line,
                current: Box::new(current),
                fields,
                sent,
                stock,
            }),
            None if sent.is_some() => {
                let mut conflict = LineError::new(
                    line,
                    "sku",
                    format!("no variant has the SKU {sku} any more: it was deleted or renamed since the export"),
                );
                conflict.conflict = true;
                errors.push(conflict);
                errors.into_iter().for_each(|e| self.error(e));
                return None;
            }
            None => CreateVariant {
                sku: sku.to_owned(),
                name: text("variant_name").unwrap_or_default(),
                options: options.unwrap_or_default(),
                price: text("price").unwrap_or_default(),
                compare_at_price: cells.filled("compare_at_price").map(str::to_owned),
                stock: stock.unwrap_or(0),
                active,
                low_stock_threshold,
                position: position.unwrap_or(0),
            }
            .parse()
            .map(|fields| VariantPlan::Create { line, product, fields }),
        };
        let found = !errors.is_empty();
        errors.into_iter().for_each(|e| self.error(e));
        match plan {
            Ok(plan) if !found => Some(plan),
            Ok(_) => None,
            Err(err) => {
                for e in line_errors(line, err, variant_column) {
                    self.error(e);
                }
                None
            }
        }
    }

    /// Writes the plan in the transaction; conflicts are reported and skipped. A write the
    /// database refuses ends the import as failed, nothing applied.
    async fn apply(
        mut self,
        state: &AppState,
        id: Uuid,
        tx: &mut sqlx::PgConnection,
        plan: Plan,
        actor: Option<Uuid>,
    ) -> Result<Outcome, ServiceError> {
        let mut outcome = Outcome {
            status: ImportStatus::Done,
            created: 0,
            updated: 0,
            unchanged: 0,
            errors: Vec::new(),
        };
        let _ = repo::set_progress(&state.db, id, ImportStatus::Applying, 0).await;
        let mut product_ids: HashMap<ProductKey, ProductId> = HashMap::new();
        for product in plan.products {
            let written = match &product.key {
                ProductKey::New(_) => edit_repo::create_product(&mut *tx, &product.fields).await.map(Some),
                ProductKey::Existing(pid) => {
                    let current = &self.products[pid];
                    if current.fields == product.fields {
                        Ok(Some(*pid))
                    } else if product.sent_version.is_some_and(|v| v != current.version) {
                        let mut conflict = LineError::new(
                            product.line,
                            "product_version",
                            format!(
                                "the product was changed since the export (version {} now); its fields were left alone",
                                current.version
                            ),
                        );
                        conflict.conflict = true;
                        self.error(conflict);
                        Ok(Some(*pid))
                    } else {
                        edit_repo::update_product(&mut *tx, *pid, current.version, &product.fields)
                            .await
                            .map(|_| Some(*pid))
                    }
                }
            };
            match written {
                Ok(Some(pid)) => {
                    product_ids.insert(product.key, pid);
                }
                Ok(None) => {}
                Err(err) => return self.refused(product.line, err, column_of),
            }
        }
        for (n, variant) in plan.variants.into_iter().enumerate() {
            if n % PROGRESS_EVERY == 0 {
                let _ = repo::set_progress(&state.db, id, ImportStatus::Applying, n as i32).await;
            }
            match variant {
                VariantPlan::Create { line, product, fields } => {
                    let pid = *product_ids
                        .get(&product)
                        .ok_or_else(|| ServiceError::Unexpected("a planned product was not written".into()))?;
                    if let Err(err) = edit_repo::create_variant(&mut *tx, pid, &fields, &state.shop.currency).await {
                        return self.refused(line, err, variant_column);
                    }
                    outcome.created += 1;
                }
                VariantPlan::Update {
                    line,
                    current,
                    mut fields,
                    sent,
                    stock,
                } => {
                    if let Some(sent) = sent.filter(|s| s.version != current.version) {
                        let mut conflict = LineError::new(
                            line,
                            "version",
                            format!(
                                "the variant was changed since the export (version {} then, {} now); this line was left alone",
                                sent.version, current.version
                            ),
                        );
                        conflict.conflict = true;
                        self.error(conflict);
                        continue;
                    }
                    let now = current.fields.stock;
                    fields.stock = match stock.map(|cell| stock_change(cell, sent.and_then(|s| s.stock), now)) {
                        None | Some(StockChange::Keep) => now,
                        Some(StockChange::Set(to)) => to,
                        Some(StockChange::Conflict { exported, now }) => {
                            let mut conflict = LineError::new(
                                line,
                                "stock",
                                format!(
                                    "the stock was {exported} at the export and is {now} now (sold or adjusted since); this line was left alone"
                                ),
                            );
                            conflict.conflict = true;
                            self.error(conflict);
                            continue;
                        }
                    };
                    if fields == current.fields {
                        outcome.unchanged += 1;
                        continue;
                    }
                    if let Err(err) = edit_repo::update_variant(&mut *tx, current.id, current.version, &fields).await {
                        return self.refused(line, err, variant_column);
                    }
                    super::stock::record_set(&mut *tx, actor, current.id, now, fields.stock, "CSV import").await?;
                    outcome.updated += 1;
                }
            }
        }
        outcome.errors = self.errors;
        outcome.errors.sort_by_key(|e| e.line);
        Ok(outcome)
    }

    /// The outcome when the database refused line `line`'s write as breaking a rule: failed,
    /// nothing applied. Any other database error is the job's (it is retried).
    fn refused(
        mut self,
        line: u64,
        err: sqlx::Error,
        columns: fn(&str) -> &'static str,
    ) -> Result<Outcome, ServiceError> {
        let Some(error) = crate::services::constraints::client_error(&err) else {
            return Err(err.into());
        };
        line_errors(line, error, columns)
            .into_iter()
            .for_each(|e| self.error(e));
        Ok(self.failed())
    }
}

/// The first column whose value differs between two lines' product fields.
fn differing_column(a: &ProductFields, b: &ProductFields) -> &'static str {
    let pairs: [(&'static str, bool); 7] = [
        ("product_name", a.name != b.name),
        ("description", a.description != b.description),
        ("product_status", a.status != b.status),
        ("category", a.category_id != b.category_id),
        ("featured", a.featured != b.featured),
        ("seo_title", a.seo_title != b.seo_title),
        ("seo_description", a.seo_description != b.seo_description),
    ];
    pairs.iter().find(|(_, differs)| *differs).map_or("", |(c, _)| c)
}

/// The catalogue as CSV, one line per variant in [`COLUMNS`]' order, yielded a page at a time.
/// The `version` cell is the variant's version and its stock then ([`ExportedVersion`]).
pub fn export_catalog(
    state: &AppState,
    actor: &Actor,
) -> Result<impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static, ServiceError> {
    actor.require(Permission::ProductsWrite)?;
    let db = state.db.clone();
    let header = {
        let mut out = csv::Writer::from_writer(Vec::new());
        let _ = out.write_record(COLUMNS);
        out.into_inner().unwrap_or_default()
    };
    // The state: where the last page ended, and whether the header went out / the end came.
    let start: (Option<(String, i32, Uuid)>, bool, bool) = (None, false, false);
    // Fused: a body may be polled again after its end (the compression layer does).
    Ok(futures_util::stream::unfold(start, move |(after, sent_header, ended)| {
        let db = db.clone();
        let header = header.clone();
        async move {
            if ended {
                return None;
            }
            if !sent_header {
                return Some((Ok(Bytes::from(header)), (after, true, false)));
            }
            let rows = match repo::export_page(&db, after.as_ref(), EXPORT_PAGE).await {
                Ok(rows) => rows,
                Err(err) => {
                    tracing::error!(event = "export_failed", error = %err, "catalogue export failed");
                    return Some((
                        Err(std::io::Error::other("the export could not be read")),
                        (after, true, true),
                    ));
                }
            };
            if rows.is_empty() {
                return None;
            }
            let last = rows.last().map(|r| (r.product_slug.clone(), r.position, r.variant_id));
            let mut out = csv::Writer::from_writer(Vec::new());
            for r in &rows {
                let options: BTreeMap<String, String> = serde_json::from_value(r.options.clone()).unwrap_or_default();
                let version = ExportedVersion {
                    version: r.version,
                    stock: Some(r.stock),
                };
                let record: [String; 19] = [
                    r.product_slug.clone(),
                    r.product_name.clone(),
                    r.product_status.as_str().into(),
                    r.category.clone().unwrap_or_default(),
                    r.featured.to_string(),
                    r.description.clone(),
                    r.seo_title.clone(),
                    r.seo_description.clone(),
                    r.product_version.to_string(),
                    r.sku.clone(),
                    r.variant_name.clone(),
                    format_options(&options),
                    r.price.to_string(),
                    r.compare_at_price.map(|p| p.to_string()).unwrap_or_default(),
                    r.stock.to_string(),
                    r.low_stock_threshold.to_string(),
                    r.active.to_string(),
                    r.position.to_string(),
                    version.format(),
                ];
                let _ = out.write_record(&record);
            }
            let chunk = Bytes::from(out.into_inner().unwrap_or_default());
            let more = rows.len() as i64 == EXPORT_PAGE;
            Some((Ok(chunk), (last, true, !more)))
        }
    })
    .fuse())
}
