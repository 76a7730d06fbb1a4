//! The search engine adapter. PostgreSQL full-text search is always there (its SQL is in
//! `repositories::search`, over documents triggers keep current); Meilisearch, through
//! `meilisearch-sdk`, answers instead when `MEILISEARCH_URL` is set and it is reachable. Both
//! take the same [`EngineQuery`] and return the same [`EngineResults`].
//!
//! Meilisearch side: the index settings (what is searchable, filterable and sortable, ranking
//! and typo rules), document writes that wait for Meilisearch to finish them, rebuilds into a
//! new index swapped in when complete, and a breaker: after a failure Meilisearch is left alone
//! for a few seconds (PostgreSQL answers) before it is tried again. The typo vocabulary the
//! PostgreSQL engine corrects towards is kept here too, refreshed from the database, and so are
//! its words' postings, by catalogue generation, within a memory budget.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::search::Selectors;
use meilisearch_sdk::settings::{
    FacetSortValue, FacetingSettings, MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings,
};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::domain::catalog::{CategoryView, ProductSort, ProductStatus};
use crate::domain::postings::{Catalogue, Postings};
use crate::domain::search::{
    EngineResults, Highlights, MARK_END, MARK_START, RawFacets, SearchRequest, SearchSort, Vocabulary, price_bucket,
};
use crate::domain::{CategoryId, ProductId};
use crate::repositories::search::DocumentRow;

/// What any engine is asked.
pub struct EngineQuery<'a> {
    pub request: &'a SearchRequest,
    /// The query's words (see [`SearchRequest::words`]).
    pub words: &'a [String],
    /// The category filter, resolved (its subtree counts).
    pub category: Option<CategoryId>,
    /// The category tree (the PostgreSQL engine adds subtrees up from it).
    pub categories: &'a [CategoryView],
    /// `None`: any status.
    pub status: Option<ProductStatus>,
    /// Only products with an active variant.
    pub purchasable: bool,
    /// The query, when it may be a SKU: the active product with that SKU comes first (the
    /// PostgreSQL engine orders by it; Meilisearch's page is reordered by the service).
    pub sku: Option<&'a str>,
    pub limit: i64,
    pub offset: i64,
    /// As-you-type: names (and SKUs) only, no total or facets needed.
    pub suggest: bool,
}

/// How often the vocabulary looks for new words.
const VOCABULARY_REFRESH: Duration = Duration::from_secs(5);

#[derive(Default)]
struct VocabularyState {
    words: Arc<Vocabulary>,
    last_id: i64,
    checked: Option<Instant>,
}

/// How long a word's postings are kept at most: the generation says when they are stale; this
/// only bounds how long a lost generation could hide it.
const POSTINGS_TTL: Duration = Duration::from_secs(300);

/// The search adapter, shared by every request of the process.
#[derive(Clone)]
pub struct SearchEngine {
    meili: Option<Arc<Meili>>,
    vocabulary: Arc<tokio::sync::Mutex<VocabularyState>>,
    current: Arc<RwLock<Arc<Vocabulary>>>,
    /// The PostgreSQL engine's catalogue, by generation (the current one, and the last while
    /// requests still read it).
    catalogues: moka::future::Cache<String, Arc<Catalogue>>,
    /// The PostgreSQL engine's postings, by generation, catalogue and word, within a budget of
    /// bytes (the least used go first).
    postings: moka::future::Cache<String, Arc<Postings>>,
    /// Loads from PostgreSQL running at once, across requests: no more than the cores, so
    /// that requests answered from memory are not starved of CPU by a burst of first asks.
    loads: Arc<tokio::sync::Semaphore>,
}

impl SearchEngine {
    /// PostgreSQL only, keeping at most `postings_budget` bytes of postings (0: nothing kept,
    /// not even the catalogue).
    pub fn postgres(postings_budget: u64) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            meili: None,
            vocabulary: Arc::default(),
            current: Arc::default(),
            catalogues: moka::future::Cache::builder()
                .max_capacity(if postings_budget == 0 { 0 } else { 2 })
                .time_to_live(POSTINGS_TTL)
                .build(),
            postings: moka::future::Cache::builder()
                .max_capacity(postings_budget)
                .weigher(|_: &String, postings: &Arc<Postings>| u32::try_from(postings.weight()).unwrap_or(u32::MAX))
                .time_to_live(POSTINGS_TTL)
                .build(),
            loads: Arc::new(tokio::sync::Semaphore::new(cores.max(1))),
        }
    }

    /// Meilisearch at `url` (with `key`, the master or an admin key) on index `index`, falling
    /// back to PostgreSQL. Nothing is contacted yet: start-up never waits for Meilisearch.
    pub fn meilisearch(
        url: &str,
        key: Option<&str>,
        index: &str,
        timeout: Duration,
        postings_budget: u64,
    ) -> Result<Self, MeiliError> {
        let client = Client::new(url.trim_end_matches('/'), key).map_err(MeiliError::Sdk)?;
        Ok(Self {
            meili: Some(Arc::new(Meili {
                client,
                index: index.to_owned(),
                timeout,
                failed_at_ms: AtomicU64::new(0),
                down: AtomicBool::new(false),
                prepared: AtomicBool::new(false),
                started: Instant::now(),
            })),
            ..Self::postgres(postings_budget)
        })
    }

    /// The catalogue as of `generation`: kept, or `load`ed — once, however many requests ask
    /// at the same time — and kept. Without a generation (the cache naming it can't be
    /// reached) it is loaded and not kept.
    pub async fn catalogue(
        &self,
        generation: Option<&str>,
        load: impl Future<Output = sqlx::Result<Catalogue>>,
    ) -> Result<Arc<Catalogue>, Arc<sqlx::Error>> {
        let load = self.limited(load);
        match generation {
            Some(generation) => self.catalogues.try_get_with(generation.to_owned(), load).await,
            None => load.await.map_err(Arc::new),
        }
    }

    /// Whether a catalogue is kept (read ahead at start-up, or by a search).
    pub fn keeps_a_catalogue(&self) -> bool {
        self.catalogues.iter().next().is_some()
    }

    /// A word's postings (`prefix`: of every word it begins) in `catalogue`, as of the
    /// catalogue's `generation`: kept ones, or `load`ed (once, as above) and kept.
    pub async fn postings(
        &self,
        generation: Option<&str>,
        catalogue: &Catalogue,
        (word, prefix): (&str, bool),
        load: impl Future<Output = sqlx::Result<Postings>>,
    ) -> Result<Arc<Postings>, Arc<sqlx::Error>> {
        let load = self.limited(load);
        match generation {
            Some(generation) => {
                let kind = if prefix { '*' } else { '=' };
                let key = format!("{generation} {} {kind} {word}", catalogue.id());
                self.postings.try_get_with(key, load).await
            }
            None => load.await.map_err(Arc::new),
        }
    }

    /// `load`, once one of the [`SearchEngine::loads`] permits is free.
    async fn limited<T>(&self, load: impl Future<Output = sqlx::Result<T>>) -> sqlx::Result<Arc<T>> {
        // The semaphore is never closed.
        let _permit = self.loads.acquire().await.ok();
        load.await.map(Arc::new)
    }

    /// `meilisearch` or `postgres`: the configured engine.
    pub fn kind(&self) -> &'static str {
        if self.meili.is_some() {
            "meilisearch"
        } else {
            "postgres"
        }
    }

    pub fn meili(&self) -> Option<&Meili> {
        self.meili.as_deref()
    }

    /// The vocabulary, with the words added since it was last read (looked for at most every
    /// few seconds; a database error keeps the words already known).
    pub async fn vocabulary(&self, db: &PgPool) -> Arc<Vocabulary> {
        let fresh = {
            let current = self.current.read().unwrap_or_else(|e| e.into_inner());
            Arc::clone(&current)
        };
        let Ok(mut state) = self.vocabulary.try_lock() else {
            return fresh;
        };
        if state.checked.is_some_and(|at| at.elapsed() < VOCABULARY_REFRESH) {
            return Arc::clone(&state.words);
        }
        state.checked = Some(Instant::now());
        match crate::repositories::search::list_words_since(db, state.last_id).await {
            Ok(new) if !new.is_empty() => {
                let mut words = (*state.words).clone();
                state.last_id = new.last().map_or(state.last_id, |(id, _)| *id);
                words.extend(new.into_iter().map(|(_, w)| w));
                state.words = Arc::new(words);
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::clone(&state.words);
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "search vocabulary not refreshed"),
        }
        Arc::clone(&state.words)
    }
}

/// Why Meilisearch could not do something.
#[derive(Debug, thiserror::Error)]
pub enum MeiliError {
    #[error("{0}")]
    Sdk(meilisearch_sdk::errors::Error),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("task failed: {0}")]
    Task(String),
}

/// How long Meilisearch is left alone after a failure.
const BREAKER: Duration = Duration::from_secs(5);
/// How long a write may wait for Meilisearch to finish it.
const TASK_TIMEOUT: Duration = Duration::from_secs(120);

/// A Meilisearch server and the index the shop searches.
pub struct Meili {
    client: Client,
    index: String,
    timeout: Duration,
    /// Milliseconds after `started` of the last failure.
    failed_at_ms: AtomicU64,
    down: AtomicBool,
    prepared: AtomicBool,
    started: Instant,
}

/// A product as the Meilisearch index holds it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IndexDocument {
    id: uuid::Uuid,
    status: ProductStatus,
    name: String,
    description: String,
    skus: Vec<String>,
    category: String,
    category_ids: Vec<uuid::Uuid>,
    option_values: Vec<String>,
    options: Vec<String>,
    price: Option<f64>,
    price_bucket: Option<usize>,
    purchasable: bool,
    in_stock: bool,
    rating: Option<f64>,
    rating_floor: Option<u8>,
    created_at: i64,
}

impl IndexDocument {
    pub fn product_id(&self) -> uuid::Uuid {
        self.id
    }
}

impl From<DocumentRow> for IndexDocument {
    fn from(row: DocumentRow) -> Self {
        let option_values = row
            .options
            .iter()
            .filter_map(|o| o.split_once('=').map(|(_, v)| v.to_owned()))
            .collect();
        Self {
            id: row.product_id.0,
            status: row.status,
            name: row.name,
            description: row.description,
            skus: row.skus,
            category: row.category_names,
            category_ids: row.category_ids,
            option_values,
            options: row.options,
            price: row.price.and_then(|p| p.to_f64()),
            price_bucket: row.price.map(price_bucket),
            purchasable: row.price.is_some(),
            in_stock: row.in_stock,
            rating: row.rating_average.and_then(|r| r.to_f64()),
            rating_floor: row.rating_average.and_then(|r| r.floor().to_u8()),
            created_at: row.created_at.timestamp_millis(),
        }
    }
}

/// What a hit brings back.
#[derive(Deserialize)]
struct HitId {
    id: uuid::Uuid,
}

/// A string in a Meilisearch filter.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Meili {
    pub fn index_name(&self) -> &str {
        &self.index
    }

    async fn bounded<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, meilisearch_sdk::errors::Error>>,
    ) -> Result<T, MeiliError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(MeiliError::Sdk(err)),
            Err(_) => Err(MeiliError::Timeout(self.timeout)),
        }
    }

    /// Whether searches should try Meilisearch: it hasn't failed in the last few seconds.
    pub fn is_available(&self) -> bool {
        if !self.down.load(Ordering::Relaxed) {
            return true;
        }
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        now.saturating_sub(self.failed_at_ms.load(Ordering::Relaxed)) > BREAKER.as_millis() as u64
    }

    pub fn mark_unavailable(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.failed_at_ms.store(now, Ordering::Relaxed);
        self.down.store(true, Ordering::Relaxed);
    }

    pub fn mark_available(&self) {
        self.down.store(false, Ordering::Relaxed);
    }

    /// Whether the last call failed (what `/health` reports as degraded).
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    pub fn is_prepared(&self) -> bool {
        self.prepared.load(Ordering::Relaxed)
    }

    /// Asks Meilisearch whether it is up.
    pub async fn ping(&self) -> Result<(), MeiliError> {
        self.bounded(self.client.health()).await.map(|_| ())
    }

    fn settings() -> Settings {
        Settings::new()
            // Earlier attributes rank higher: name (and SKUs), category, options, description.
            .with_searchable_attributes(["name", "skus", "category", "option_values", "description"])
            .with_filterable_attributes([
                "status",
                "purchasable",
                "category_ids",
                "price",
                "in_stock",
                "rating",
                "options",
                "price_bucket",
                "rating_floor",
            ])
            .with_sortable_attributes(["price", "created_at", "rating", "name"])
            // An explicit sort decides the order; relevance orders ties (and everything when
            // there is no sort).
            .with_ranking_rules(["sort", "words", "typo", "proximity", "attribute", "exactness"])
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                min_word_size_for_typos: Some(MinWordSizeForTypos {
                    one_typo: Some(5),
                    two_typos: Some(9),
                }),
                ..TypoToleranceSettings::default()
            })
            // Totals stay exact on broad queries.
            .with_pagination(PaginationSetting {
                max_total_hits: 1_000_000,
            })
            // Counts are ordered on our side. Ordered by count, Meilisearch counts each facet
            // value by intersecting its bitmap with the matches; ordered by name, it reads every
            // match's values one by one when there are at most 3 000 matches (measured: four
            // facets over 2 000 matches cost 11 ms that way).
            .with_faceting(FacetingSettings {
                max_values_per_facet: 500,
                sort_facet_values_by: Some([("*".to_owned(), FacetSortValue::Count)].into()),
            })
    }

    async fn wait(&self, task: meilisearch_sdk::task_info::TaskInfo) -> Result<(), MeiliError> {
        let done = task
            .wait_for_completion(&self.client, Some(Duration::from_millis(20)), Some(TASK_TIMEOUT))
            .await
            .map_err(MeiliError::Sdk)?;
        if done.is_failure() {
            return Err(MeiliError::Task(done.unwrap_failure().error_message));
        }
        Ok(())
    }

    /// Makes sure the index exists with the shop's settings; `true` when it had to be created
    /// (and so is empty).
    pub async fn prepare(&self) -> Result<bool, MeiliError> {
        let created = match self.bounded(self.client.get_index(&self.index)).await {
            Ok(_) => false,
            Err(MeiliError::Sdk(meilisearch_sdk::errors::Error::Meilisearch(err)))
                if err.error_code == meilisearch_sdk::errors::ErrorCode::IndexNotFound =>
            {
                let task = self.bounded(self.client.create_index(&self.index, Some("id"))).await?;
                self.wait(task).await?;
                true
            }
            Err(err) => return Err(err),
        };
        let task = self
            .bounded(self.client.index(&self.index).set_settings(&Self::settings()))
            .await?;
        self.wait(task).await?;
        self.prepared.store(true, Ordering::Relaxed);
        self.mark_available();
        Ok(created)
    }

    /// Writes `documents` into index `index` and deletes `gone`, waiting until Meilisearch
    /// has applied both.
    pub async fn write(&self, index: &str, documents: &[IndexDocument], gone: &[uuid::Uuid]) -> Result<(), MeiliError> {
        let index = self.client.index(index);
        if !documents.is_empty() {
            let task = self.bounded(index.add_or_replace(documents, Some("id"))).await?;
            self.wait(task).await?;
        }
        if !gone.is_empty() {
            let task = self.bounded(index.delete_documents(gone)).await?;
            self.wait(task).await?;
        }
        Ok(())
    }

    /// Creates an empty index, with the settings, to rebuild into; returns its name.
    pub async fn start_rebuild(&self) -> Result<String, MeiliError> {
        let name = format!("{}_rebuild_{}", self.index, uuid::Uuid::now_v7().simple());
        let task = self.bounded(self.client.create_index(&name, Some("id"))).await?;
        self.wait(task).await?;
        let task = self
            .bounded(self.client.index(&name).set_settings(&Self::settings()))
            .await?;
        self.wait(task).await?;
        Ok(name)
    }

    /// Swaps the rebuilt index in and deletes the old one.
    pub async fn finish_rebuild(&self, building: &str) -> Result<(), MeiliError> {
        if self.bounded(self.client.get_index(&self.index)).await.is_err() {
            let task = self.bounded(self.client.create_index(&self.index, Some("id"))).await?;
            self.wait(task).await?;
        }
        let swap = SwapIndexes {
            indexes: (building.to_owned(), self.index.clone()),
            rename: None,
        };
        let task = self.bounded(self.client.swap_indexes([&swap])).await?;
        self.wait(task).await?;
        let task = self.bounded(self.client.delete_index(building)).await?;
        self.wait(task).await?;
        self.prepared.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// How many documents the live index holds.
    pub async fn count(&self) -> Result<u64, MeiliError> {
        let stats = self.bounded(self.client.index(&self.index).get_stats()).await?;
        Ok(stats.number_of_documents as u64)
    }

    fn filter(query: &EngineQuery<'_>) -> String {
        let filter = &query.request.filter;
        let mut parts = Vec::new();
        if let Some(status) = query.status {
            parts.push(format!("status = {}", quoted(status.as_str())));
        }
        if query.purchasable {
            parts.push("purchasable = true".to_owned());
        }
        if let Some(category) = query.category {
            parts.push(format!("category_ids = {}", quoted(&category.0.to_string())));
        }
        if let Some(min) = filter.min_price {
            parts.push(format!("price >= {min}"));
        }
        if let Some(max) = filter.max_price {
            parts.push(format!("price <= {max}"));
        }
        if let Some(in_stock) = filter.in_stock {
            parts.push(format!("in_stock = {in_stock}"));
        }
        if let Some(rating) = filter.min_rating {
            parts.push(format!("rating >= {rating}"));
        }
        for group in query.request.option_terms() {
            let any: Vec<String> = group.iter().map(|t| format!("options = {}", quoted(t))).collect();
            parts.push(format!("({})", any.join(" OR ")));
        }
        parts.join(" AND ")
    }

    /// Searches the live index.
    pub async fn search(&self, query: &EngineQuery<'_>) -> Result<EngineResults, MeiliError> {
        let filter = Self::filter(query);
        let text = query.words.join(" ");
        let sort: &[&str] = match query.request.sort {
            SearchSort::Relevance if !text.is_empty() => &[],
            SearchSort::Relevance | SearchSort::By(ProductSort::Newest) => &["created_at:desc"],
            SearchSort::By(ProductSort::PriceAsc) => &["price:asc", "created_at:desc"],
            SearchSort::By(ProductSort::PriceDesc) => &["price:desc", "created_at:desc"],
            SearchSort::By(ProductSort::Name) => &["name:asc"],
            SearchSort::By(ProductSort::Rating) => &["rating:desc", "created_at:desc"],
        };
        let start = MARK_START.to_string();
        let end = MARK_END.to_string();
        let limit = usize::try_from(query.limit.max(1)).unwrap_or(1);
        let offset = usize::try_from(query.offset.max(0)).unwrap_or(0);
        let index = self.client.index(&self.index);
        let mut search = index.search();
        search
            .with_query(&text)
            // Every word must match (Meilisearch's default drops words from the end).
            .with_matching_strategy(meilisearch_sdk::search::MatchingStrategies::ALL)
            .with_hits_per_page(limit)
            .with_page(offset / limit + 1)
            .with_attributes_to_retrieve(Selectors::Some(&["id", "name", "description"]))
            .with_attributes_to_highlight(Selectors::Some(&["name", "description"]))
            .with_attributes_to_crop(Selectors::Some(&[("description", Some(25))]))
            .with_highlight_pre_tag(&start)
            .with_highlight_post_tag(&end);
        if query.suggest {
            search.with_attributes_to_search_on(&["name", "skus"]);
        }
        if !filter.is_empty() {
            search.with_filter(&filter);
        }
        if !sort.is_empty() {
            search.with_sort(sort);
        }
        if !query.suggest {
            search.with_facets(Selectors::Some(&[
                "category_ids",
                "price_bucket",
                "rating_floor",
                "options",
            ]));
        }
        let found = match self.bounded(search.execute::<HitId>()).await {
            Ok(found) => found,
            Err(err) => {
                self.mark_unavailable();
                return Err(err);
            }
        };
        self.mark_available();
        let mut out = EngineResults {
            total: found.total_hits.or(found.estimated_total_hits).unwrap_or(0) as u64,
            ..EngineResults::default()
        };
        for hit in found.hits {
            let id = ProductId(hit.result.id);
            let formatted = hit.formatted_result.unwrap_or_default();
            let text = |name: &str| {
                formatted
                    .get(name)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            out.highlights.insert(
                id,
                Highlights {
                    name: text("name"),
                    description: text("description"),
                },
            );
            out.ids.push(id);
        }
        let distribution = found.facet_distribution.unwrap_or_default();
        let counts = |name: &str| distribution.get(name).cloned().unwrap_or_default().into_iter();
        out.facets = RawFacets {
            categories: counts("category_ids")
                .filter_map(|(k, n)| uuid::Uuid::parse_str(&k).ok().map(|id| (CategoryId(id), n as u64)))
                .collect(),
            price: counts("price_bucket")
                .filter_map(|(k, n)| k.parse().ok().map(|b| (b, n as u64)))
                .collect(),
            rating: counts("rating_floor")
                .filter_map(|(k, n)| k.parse().ok().map(|s| (s, n as u64)))
                .collect(),
            options: counts("options").map(|(k, n)| (k, n as u64)).collect(),
        };
        Ok(out)
    }
}
