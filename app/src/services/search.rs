//! Search rules, whichever engine answers: who may search what (shoppers only ever find active
//! products), how a query becomes engine terms (typo corrections from the vocabulary, an exact
//! SKU pinned first), the fallback to PostgreSQL when Meilisearch fails, hits hydrated from the
//! database (so prices and stock are always current), labelled facets and "did you mean"; and
//! keeping the Meilisearch index in step: syncing the outbox, and full reindexes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use super::ServiceError;
use super::catalog::product_views_by_ids;
use super::identity::Actor;
use crate::adapters::search::{EngineQuery, IndexDocument};
use crate::domain::catalog::{CategoryRef, CategoryView, ProductStatus};
use crate::domain::identity::Permission;
use crate::domain::postings as matching;
use crate::domain::search::{
    EngineResults, Highlights, Marks, SUGGEST_LIMIT, SearchHit, SearchQuery, SearchRequest, SearchResults, SearchSort,
    Suggestion, SuggestionKind, excerpt, highlight_html, runs,
};
use crate::domain::{CategoryId, Money, Page, PageRequest, ProductId};
use crate::error::{AppError, ErrorCode, FieldErrors};
use crate::repositories::catalog as catalog_repo;
use crate::repositories::search::{self as repo, Terms};
use crate::state::AppState;

/// Who is searching: shoppers (anyone) see active, purchasable products; staff with
/// `products:write` may ask for any status, and find products not yet purchasable too.
fn audience(actor: Option<&Actor>, request: &SearchRequest, asked_status: bool) -> Result<bool, ServiceError> {
    let staff = actor.is_some_and(|a| a.role.can(Permission::ProductsWrite));
    if request.filter.status != ProductStatus::Active && !staff {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "Only staff with `products:write` may search products that are not active.",
        )
        .into());
    }
    Ok(staff && asked_status)
}

/// Searches the catalogue. `staff_view`: the admin's product list (every status unless
/// `status` is given, products without an active variant included; needs `products:write`).
/// Shoppers' answers are cached by the catalogue cache, per engine: any catalogue write drops
/// them, and so does the index taking changes; an answer PostgreSQL gave because Meilisearch
/// failed is not kept.
pub async fn search(
    state: &AppState,
    actor: Option<&Actor>,
    query: SearchQuery,
    page: PageRequest,
    staff_view: bool,
) -> Result<SearchResults, ServiceError> {
    let started = Instant::now();
    let asked_status = query.0.iter().any(|(k, v)| k == "status" && !v.trim().is_empty());
    let request = query.parse()?;
    if staff_view {
        actor
            .ok_or_else(|| AppError::from_code(ErrorCode::Unauthorized))?
            .require(Permission::ProductsWrite)?;
    } else {
        audience(actor, &request, asked_status)?;
    }
    let status = if staff_view && !asked_status {
        None
    } else {
        Some(request.filter.status)
    };
    let shopper = !staff_view && status == Some(ProductStatus::Active);
    let mut found = if shopper {
        let engine = engine_in_use(state);
        let key = format!("search:{engine}:{request:?}:{}:{}", page.page, page.per_page);
        let load = || find(state, &request, status, page, staff_view);
        super::catalog::cache::cached_if(state, &key, load, |found| found.engine == engine).await?
    } else {
        find(state, &request, status, page, staff_view).await?
    };
    found.took_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(found)
}

/// The search itself, once the request is valid and allowed.
async fn find(
    state: &AppState,
    request: &SearchRequest,
    status: Option<ProductStatus>,
    page: PageRequest,
    staff_view: bool,
) -> Result<SearchResults, ServiceError> {
    let categories = super::catalog::list_categories(state).await?;
    let category = match &request.filter.category {
        None => None,
        Some(wanted) => Some(find_category(&categories, wanted).ok_or_else(|| {
            let mut details = FieldErrors::new();
            details.insert("category".into(), vec!["is not an existing category".into()]);
            ServiceError::from(AppError::validation(details))
        })?),
    };
    let words = request.words();
    let sku = match request.filter.q.as_deref() {
        Some(q) if !q.contains(char::is_whitespace) && request.sort == SearchSort::Relevance => Some(q),
        _ => None,
    };
    let engine_query = EngineQuery {
        request,
        words: &words,
        category: category.map(|c| c.id),
        categories: &categories,
        status,
        purchasable: !staff_view,
        sku,
        limit: page.limit(),
        offset: page.offset(),
        suggest: false,
    };
    let (engine, mut found) = run(state, &engine_query).await?;
    let did_you_mean = if found.total == 0 && !words.is_empty() {
        state.search.vocabulary(&state.db).await.did_you_mean(&words)
    } else {
        None
    };
    let hits = hydrate(state, &mut found, !words.is_empty()).await?;
    let currency = state.shop.currency.clone();
    let by_id: HashMap<CategoryId, (String, String)> = flatten(&categories)
        .map(|c| (c.id, (c.slug.clone(), c.name.clone())))
        .collect();
    let facets = found.facets.label(
        |id| by_id.get(&id).cloned(),
        |amount| {
            Money::new(amount.into(), currency.clone())
                .to_string()
                .trim_end_matches(".00")
                .to_owned()
        },
    );
    Ok(SearchResults {
        hits: Page::new(hits, page, found.total),
        facets,
        engine: engine.to_owned(),
        took_ms: 0.0,
        did_you_mean,
    })
}

/// As-you-type suggestions for `q`: up to three categories whose name has words starting with
/// the typed ones, then products, [`SUGGEST_LIMIT`] in all. Fewer than two letters: none.
pub async fn suggest(state: &AppState, q: Option<&str>) -> Result<Vec<Suggestion>, ServiceError> {
    let q = crate::domain::search_term(q, 200)?;
    let Some(q) = q.filter(|q| q.chars().filter(|c| c.is_alphanumeric()).count() >= 2) else {
        return Ok(Vec::new());
    };
    let engine = engine_in_use(state);
    let key = format!("suggest:{engine}:{}", q.to_lowercase());
    let load = || suggestions(state, q);
    let (_, found) = super::catalog::cache::cached_if(state, &key, load, |(answered, _)| answered == engine).await?;
    Ok(found)
}

/// The engine a search would ask now (its answers are cached apart from the other's).
pub fn engine_in_use(state: &AppState) -> &'static str {
    match state.search.meili() {
        Some(meili) if meili.is_available() => "meilisearch",
        _ => "postgres",
    }
}

/// Suggestions, with the engine that found the products.
async fn suggestions(state: &AppState, q: &str) -> Result<(String, Vec<Suggestion>), ServiceError> {
    let request = SearchRequest {
        filter: crate::domain::catalog::ProductFilter {
            q: Some(q.to_owned()),
            ..Default::default()
        },
        ..Default::default()
    };
    let words = request.words();
    let categories = repo::suggest_categories(&state.db, &words, 3).await?;
    let mut out: Vec<Suggestion> = categories
        .into_iter()
        .map(|c| Suggestion {
            kind: SuggestionKind::Category,
            id: c.id.0,
            highlight: mark_prefixes(&c.name, &words),
            url: format!("/categories/{}", c.slug),
            label: c.name,
        })
        .collect();
    let engine_query = EngineQuery {
        request: &request,
        words: &words,
        category: None,
        categories: &[],
        status: Some(ProductStatus::Active),
        purchasable: true,
        sku: None,
        limit: i64::try_from(SUGGEST_LIMIT - out.len()).unwrap_or(0),
        offset: 0,
        suggest: true,
    };
    let (engine, found) = run(state, &engine_query).await?;
    let ids: Vec<uuid::Uuid> = found.ids.iter().map(|id| id.0).collect();
    let rows = catalog_repo::list_products_by_ids(&state.db, &ids, state.shop.currency.as_str()).await?;
    let mut by_id: HashMap<ProductId, catalog_repo::ProductListRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    for id in &found.ids {
        if let Some(row) = by_id.remove(id) {
            out.push(Suggestion {
                kind: SuggestionKind::Product,
                id: row.id.0,
                highlight: mark_prefixes(&row.name, &words),
                url: format!("/products/{}", row.slug),
                label: row.name,
            });
        }
    }
    out.truncate(SUGGEST_LIMIT);
    Ok((engine.to_owned(), out))
}

/// The engine's answer: Meilisearch when configured and reachable, else PostgreSQL. A
/// Meilisearch failure is logged and answered from PostgreSQL (health shows search degraded).
async fn run(state: &AppState, query: &EngineQuery<'_>) -> Result<(&'static str, EngineResults), ServiceError> {
    if let Some(meili) = state.search.meili().filter(|m| m.is_available()) {
        // The SKU's product is looked up while Meilisearch searches, and put first after.
        match tokio::join!(meili.search(query), sku_owner(state, query.sku)) {
            (Ok(mut found), pinned) => {
                if let Some(pinned) = pinned? {
                    found.pin(pinned);
                }
                return Ok(("meilisearch", found));
            }
            (Err(err), _) => {
                tracing::warn!(event = "search_degraded", error = %err, "Meilisearch failed; answering from PostgreSQL");
            }
        }
    }
    let vocabulary = state.search.vocabulary(&state.db).await;
    let groups = query
        .words
        .iter()
        .map(|word| {
            std::iter::once(word.clone())
                .chain(vocabulary.corrections(word))
                .collect()
        })
        .collect();
    let terms = Terms {
        groups,
        prefix_last: true,
    };
    if query.suggest {
        let ids = repo::search_titles(&state.db, &terms, query.limit, repo::SUGGEST_WINDOW).await?;
        return Ok((
            "postgres",
            EngineResults {
                ids,
                ..EngineResults::default()
            },
        ));
    }
    Ok(("postgres", search_postgres(state, query, &terms).await?))
}

/// The PostgreSQL engine: every product's facts and each word's postings (kept by the engine
/// for the catalogue's current generation, else read, found and ranked by PostgreSQL),
/// combined, filtered, counted and paged in memory ([`crate::domain::postings`]); then the
/// page's highlights.
async fn search_postgres(
    state: &AppState,
    query: &EngineQuery<'_>,
    terms: &Terms,
) -> Result<EngineResults, ServiceError> {
    let generation = super::catalog::cache::generation(state).await;
    let generation = generation.as_deref();
    let catalogue = state
        .search
        .catalogue(generation, repo::list_facts(&state.db))
        .await
        .map_err(|err| ServiceError::Unexpected(format!("search catalogue: {err}")))?;
    let last = terms.groups.len().saturating_sub(1);
    let words: Vec<(&str, bool)> = terms
        .groups
        .iter()
        .enumerate()
        .flat_map(|(i, group)| group.iter().map(move |w| (w.as_str(), terms.prefix_last && i == last)))
        .collect();
    // The engine limits how many loads run at once, for all requests together.
    let lists =
        futures_util::future::try_join_all(words.iter().map(|word| postings(state, generation, &catalogue, *word)));
    let (lists, pinned) = tokio::join!(lists, sku_owner(state, query.sku));
    let (lists, pinned) = (lists?, pinned?);
    let mut at = 0;
    let groups: Vec<matching::Group<'_>> = terms
        .groups
        .iter()
        .map(|group| {
            let lists = lists[at..at + group.len()].iter().map(|list| &**list).collect();
            at += group.len();
            lists
        })
        .collect();
    let hits = matching::combine(&catalogue, &groups);
    let parents: HashMap<CategoryId, CategoryId> = flatten(query.categories)
        .filter_map(|c| c.parent_id.map(|parent| (c.id, parent)))
        .collect();
    let within: Option<HashSet<CategoryId>> = query.category.map(|id| {
        find_category(query.categories, &CategoryRef::Id(id))
            .map(|c| flatten(std::slice::from_ref(c)).map(|c| c.id).collect())
            .unwrap_or_default()
    });
    let options = query.request.option_terms();
    let filter = &query.request.filter;
    let filters = matching::Filters {
        status: query.status,
        purchasable: query.purchasable,
        categories: within.as_ref(),
        min_price: filter.min_price,
        max_price: filter.max_price,
        in_stock: filter.in_stock,
        min_rating: filter.min_rating,
        options: &options,
    };
    let (kept, facets) = matching::filter(&catalogue, hits, &filters, &parents);
    let total = u64::try_from(kept.len()).unwrap_or(u64::MAX);
    let order = matching::Order {
        sort: query.request.sort,
        ranked: !terms.groups.is_empty(),
        pinned,
    };
    let ids = if order.by_name() {
        let all: Vec<ProductId> = kept.iter().map(|hit| hit.facts.product).collect();
        repo::list_ids_by_name(&state.db, &all, query.limit, query.offset).await?
    } else {
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        matching::page(kept, &order, count(query.limit), count(query.offset))
    };
    Ok(EngineResults {
        ids,
        marks: Some(Marks::new(&terms.groups, terms.prefix_last)),
        total,
        facets,
        ..EngineResults::default()
    })
}

/// The active product whose SKU the query is, if it may be one.
async fn sku_owner(state: &AppState, sku: Option<&str>) -> sqlx::Result<Option<ProductId>> {
    match sku {
        Some(sku) => repo::find_product_by_sku(&state.db, sku).await,
        None => Ok(None),
    }
}

/// A word's postings in `catalogue`, kept or loaded.
async fn postings(
    state: &AppState,
    generation: Option<&str>,
    catalogue: &matching::Catalogue,
    (word, prefix): (&str, bool),
) -> Result<Arc<matching::Postings>, ServiceError> {
    let load = repo::list_postings(&state.db, catalogue, word, prefix);
    state
        .search
        .postings(generation, catalogue, (word, prefix), load)
        .await
        .map_err(|err| ServiceError::Unexpected(format!("search postings: {err}")))
}

/// The hits' products from the database, in the engine's order, with escaped highlights: the
/// engine's own, or made here from the words it matched (PostgreSQL).
async fn hydrate(state: &AppState, found: &mut EngineResults, matched: bool) -> Result<Vec<SearchHit>, ServiceError> {
    let views = product_views_by_ids(state, &found.ids).await?;
    Ok(views
        .into_iter()
        .map(|product| {
            let raw = match (found.highlights.remove(&product.id), &found.marks) {
                (Some(raw), _) => raw,
                (None, Some(marks)) if matched => Highlights {
                    name: marks.all(&product.name),
                    description: marks.fragment(&product.description),
                },
                (None, _) => Highlights {
                    name: product.name.clone(),
                    description: excerpt(&product.description, 160),
                },
            };
            let highlights = Highlights {
                name: highlight_html(&raw.name),
                description: highlight_html(&raw.description),
            };
            SearchHit { product, highlights }
        })
        .collect())
}

/// `name` as HTML with each word that starts with one of `words` marked (as far as typed).
fn mark_prefixes(name: &str, words: &[String]) -> String {
    use crate::domain::search::{MARK_END, MARK_START};
    let mut raw = String::with_capacity(name.len() + 8);
    for (word, run) in runs(name) {
        let lower = run.to_lowercase();
        let typed = words
            .iter()
            .filter(|w| word && lower.starts_with(w.as_str()))
            .map(|w| w.len())
            .max();
        match typed {
            Some(len) if lower.len() == run.len() && run.is_char_boundary(len) => {
                raw.push(MARK_START);
                raw.push_str(&run[..len]);
                raw.push(MARK_END);
                raw.push_str(&run[len..]);
            }
            _ => raw.push_str(run),
        }
    }
    highlight_html(&raw)
}

fn flatten(tree: &[CategoryView]) -> Box<dyn Iterator<Item = &CategoryView> + '_> {
    Box::new(tree.iter().flat_map(|c| std::iter::once(c).chain(flatten(&c.children))))
}

fn find_category<'a>(tree: &'a [CategoryView], wanted: &CategoryRef) -> Option<&'a CategoryView> {
    flatten(tree).find(|c| match wanted {
        CategoryRef::Id(id) => c.id == *id,
        CategoryRef::Slug(slug) => c.slug == *slug,
    })
}

/// How many outbox entries one sync step takes.
const SYNC_BATCH: i64 = 500;

/// Brings the Meilisearch index up to date with the outbox: every product changed or removed
/// since the index last took it. One sync at a time across instances (another one running
/// means this one has nothing to add); entries are deleted only once Meilisearch finished
/// the task, so an outage loses nothing. Without Meilisearch the outbox is simply emptied.
/// Returns how many products were sent.
pub async fn sync_index(state: &AppState) -> Result<u64, ServiceError> {
    let Some(meili) = state.search.meili() else {
        let mut tx = state.db.begin().await?;
        if repo::try_lock_sync(&mut *tx).await? {
            let position = repo::outbox_position(&mut *tx).await?;
            repo::delete_outbox_through(&mut *tx, position).await?;
        }
        tx.commit().await?;
        return Ok(0);
    };
    if !meili.is_prepared() {
        prepare_index(state).await?;
    }
    let mut sent = 0u64;
    loop {
        let mut tx = state.db.begin().await?;
        if !repo::try_lock_sync(&mut *tx).await? {
            return Ok(sent);
        }
        let entries = repo::list_outbox(&mut *tx, SYNC_BATCH).await?;
        if entries.is_empty() {
            tx.commit().await?;
            meili.mark_available();
            return Ok(sent);
        }
        let ids: Vec<uuid::Uuid> = entries.iter().map(|e| e.product_id).collect();
        let documents: Vec<IndexDocument> = repo::list_documents(&mut *tx, &ids)
            .await?
            .into_iter()
            .map(IndexDocument::from)
            .collect();
        let present: std::collections::HashSet<uuid::Uuid> = documents.iter().map(|d| d.product_id()).collect();
        let gone: Vec<uuid::Uuid> = ids.iter().copied().filter(|id| !present.contains(id)).collect();
        if let Err(err) = meili.write(meili.index_name(), &documents, &gone).await {
            meili.mark_unavailable();
            return Err(ServiceError::Unavailable(format!("Meilisearch: {err}")));
        }
        repo::delete_outbox(&mut *tx, &entries).await?;
        tx.commit().await?;
        super::catalog::cache::move_generation(state).await;
        sent += u64::try_from(entries.len()).unwrap_or(0);
    }
}

/// What a reindex reports as it goes: documents written so far, and in all.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Rebuilds the whole Meilisearch index: every document into a new index with the settings,
/// which then takes the live one's place in one swap (search keeps answering from the old one
/// meanwhile). Index syncs wait for it; changes made during the rebuild are synced right after
/// the swap. Returns how many documents the new index holds.
pub async fn reindex(state: &AppState, batch: i64, progress: Progress<'_>) -> Result<u64, ServiceError> {
    let meili = state
        .search
        .meili()
        .ok_or_else(|| ServiceError::Unexpected("MEILISEARCH_URL is not set: nothing to reindex".into()))?;
    let unavailable =
        |err: crate::adapters::search::MeiliError| ServiceError::Unavailable(format!("Meilisearch: {err}"));
    // Holding the sync lock for the whole rebuild keeps syncs off the index being replaced.
    let mut lock = state.db.begin().await?;
    let mut waited = 0;
    while !repo::try_lock_sync(&mut *lock).await? {
        waited += 1;
        if waited > 600 {
            return Err(ServiceError::Unavailable(
                "an index sync has held the lock for 60 s".into(),
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let position = repo::outbox_position(&state.db).await?;
    let total = u64::try_from(repo::count_documents(&state.db).await?).unwrap_or(0);
    let building = meili.start_rebuild().await.map_err(unavailable)?;
    let mut after = None;
    let mut done = 0u64;
    progress(done, total);
    loop {
        let rows = repo::list_documents_after(&state.db, after, batch).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.product_id.0);
        let documents: Vec<IndexDocument> = rows.into_iter().map(IndexDocument::from).collect();
        meili.write(&building, &documents, &[]).await.map_err(unavailable)?;
        done += u64::try_from(documents.len()).unwrap_or(0);
        progress(done, total.max(done));
    }
    meili.finish_rebuild(&building).await.map_err(unavailable)?;
    repo::delete_outbox_through(&mut *lock, position).await?;
    lock.commit().await?;
    super::catalog::cache::move_generation(state).await;
    meili.mark_available();
    sync_index(state).await?;
    Ok(done)
}

/// Makes sure the Meilisearch index exists with the shop's settings (at start-up, and again
/// when Meilisearch comes back); a newly created index is filled by the next sync. A failure
/// leaves search answering from PostgreSQL until a later attempt succeeds.
pub async fn prepare_index(state: &AppState) -> Result<(), ServiceError> {
    let Some(meili) = state.search.meili() else {
        return Ok(());
    };
    match meili.prepare().await {
        Ok(created) => {
            if created {
                let queued = repo::mark_all_for_index(&state.db).await?;
                tracing::info!(
                    event = "search_index_created",
                    documents = queued,
                    "Meilisearch index created; the sync fills it"
                );
            }
            Ok(())
        }
        Err(err) => {
            meili.mark_unavailable();
            tracing::warn!(event = "search_degraded", error = %err, "Meilisearch not ready; search answers from PostgreSQL until it is");
            Err(ServiceError::Unavailable(format!("Meilisearch: {err}")))
        }
    }
}

/// Reads the PostgreSQL engine's catalogue for the current generation ahead of the first
/// search (at start-up), which would otherwise wait for it. Only when PostgreSQL is the engine:
/// with Meilisearch it is read if a fallback needs it. A failure is left to that first search.
pub async fn warm(state: &AppState) {
    if state.search.meili().is_some() {
        return;
    }
    let Some(generation) = super::catalog::cache::generation(state).await else {
        return;
    };
    if let Err(err) = state
        .search
        .catalogue(Some(&generation), repo::list_facts(&state.db))
        .await
    {
        tracing::warn!(event = "search_warm_failed", error = %err, "search catalogue not read ahead");
    }
}

/// A sync nudged by a catalogue write: enqueued once (a pending one will take this change too),
/// only when there is an index to feed.
pub async fn request_sync(state: &AppState) {
    if state.search.meili().is_none() {
        return;
    }
    if let Err(err) = crate::adapters::jobs::enqueue_once(&state.db, &crate::adapters::jobs::Job::SyncSearchIndex).await
    {
        tracing::warn!(event = "search_sync_not_enqueued", error = %err, "index sync not enqueued; the periodic one will catch up");
    }
}

/// How the search engine is doing, for `/health`: how many products the index lacks.
pub async fn pending_changes(state: &AppState) -> Result<i64, ServiceError> {
    Ok(repo::count_outbox(&state.db).await?)
}
