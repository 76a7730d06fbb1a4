//! SQL of search: the PostgreSQL engine's reads over `search_documents`, which triggers keep in
//! step with the catalogue (every product's facts; each word's postings, found and ranked by
//! full-text search; the page's highlights; a page by name), suggestions, the typo vocabulary,
//! and the outbox and documents the Meilisearch engine is fed from. The query text is built here
//! from words the caller already corrected; every value is bound, never spliced.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::catalog::ProductStatus;
use crate::domain::postings::{Catalogue, Facts, Postings};
use crate::domain::search::price_bucket;
use crate::domain::{CategoryId, ProductId};

/// Words to look for: each group holds a word of the query and what it may be a misspelling of;
/// a product matches when it has one word of every group. The last group also matches words it
/// begins (as you type).
#[derive(Clone, Debug, Default)]
pub struct Terms {
    pub groups: Vec<Vec<String>>,
    pub prefix_last: bool,
}

impl Terms {
    fn lexeme(word: &str, prefix: bool) -> String {
        let quoted = format!("'{}'", word.replace('\\', "\\\\").replace('\'', "''"));
        // `*` makes it a prefix.
        if prefix { format!("{quoted}:*") } else { quoted }
    }

    /// The `to_tsquery` text; `typos: false` keeps only each group's own word.
    fn tsquery(&self, typos: bool) -> Option<String> {
        let last = self.groups.len().checked_sub(1)?;
        let groups: Vec<String> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, group)| {
                let prefix = self.prefix_last && i == last;
                let take = if typos { group.len() } else { 1 };
                let alternatives: Vec<String> = group.iter().take(take).map(|w| Self::lexeme(w, prefix)).collect();
                format!("({})", alternatives.join(" | "))
            })
            .collect();
        Some(groups.join(" & "))
    }
}

/// The postings of one word (`prefix`: of every word it begins) in `catalogue`: each match
/// with its rank (weights D, C, B, A: description, options, category, name and SKUs; a
/// prefix's is the sum of its words'). Read from `search_terms`, one range of its index; the
/// matches come back as two arrays in one row, as a broad word matches most of the catalogue.
pub async fn list_postings(
    db: impl PgExecutor<'_>,
    catalogue: &Catalogue,
    word: &str,
    prefix: bool,
) -> sqlx::Result<Postings> {
    // Every word a prefix begins sorts (byte by byte) between it and it followed by the
    // highest code point, which no word holds.
    let last = if prefix {
        format!("{word}\u{10FFFF}")
    } else {
        word.to_owned()
    };
    let row = sqlx::query!(
        r#"SELECT coalesce(array_agg(product_id), '{}') AS "products!: Vec<Uuid>",
                  coalesce(array_agg(rank), '{}') AS "ranks!: Vec<f32>"
           FROM search_terms WHERE lexeme BETWEEN $1 AND $2"#,
        word,
        last
    )
    .fetch_one(db)
    .await?;
    Ok(catalogue.postings(row.products.into_iter().map(ProductId).zip(row.ranks)))
}

/// What filters, facets and orders read of every product with a search document.
pub async fn list_facts(db: impl PgExecutor<'_>) -> sqlx::Result<Catalogue> {
    let rows = sqlx::query!(
        r#"SELECT d.product_id, d.status AS "status: ProductStatus",
                  d.category_ids[cardinality(d.category_ids)] AS category_id, d.options,
                  (d.price * 100)::int8 AS price, d.in_stock, (d.rating_average * 100)::int2 AS rating,
                  d.created_at
           FROM search_documents d"#
    )
    .fetch_all(db)
    .await?;
    // Products share few option sets: one allocation each.
    let mut sets: HashMap<Vec<String>, Arc<[String]>> = HashMap::new();
    let facts = rows
        .into_iter()
        .map(|row| {
            let options = match sets.get(&row.options) {
                Some(set) => Arc::clone(set),
                None => {
                    let set: Arc<[String]> = Arc::from(row.options.clone());
                    sets.insert(row.options, Arc::clone(&set));
                    set
                }
            };
            Facts {
                product: ProductId(row.product_id),
                status: row.status,
                category: row.category_id.map(CategoryId),
                options,
                bucket: row
                    .price
                    .map(|p| u8::try_from(price_bucket(Decimal::new(p, 2))).unwrap_or(u8::MAX)),
                price: row.price,
                in_stock: row.in_stock,
                rating: row.rating,
                created_at: row.created_at.timestamp_micros(),
            }
        })
        .collect();
    Ok(Catalogue::new(facts))
}

/// `limit` of these products after the first `offset`, by name (then newest first).
pub async fn list_ids_by_name(
    db: impl PgExecutor<'_>,
    ids: &[ProductId],
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ProductId>> {
    let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    sqlx::query_scalar!(
        r#"SELECT product_id AS "id!: ProductId" FROM search_documents WHERE product_id = ANY ($1)
           ORDER BY lower(name), created_at DESC, product_id DESC LIMIT $2 OFFSET $3"#,
        &ids,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

/// How many of the newest titles suggestions look at first.
pub const SUGGEST_WINDOW: i64 = 2000;

/// The first `limit` products whose name or SKUs match `terms` (suggestions): the words as
/// typed first, then by rank, then newest. `search_titles` holds only what shoppers can find.
///
/// A broad prefix ("ce") matches thousands of titles; ranking them all cost 15–20 ms. So the
/// matches are taken from the newest `window` titles ([`SUGGEST_WINDOW`]; read from an index that holds
/// the vectors), and from older titles only when the window is short of them: every match
/// when the window holds fewer than `limit` (the words are rare, so they are few), else every
/// match of the words as typed when the window holds fewer than `limit` of those.
pub async fn search_titles(
    db: impl PgExecutor<'_>,
    terms: &Terms,
    limit: i64,
    window: i64,
) -> sqlx::Result<Vec<ProductId>> {
    let (Some(query), Some(exact)) = (terms.tsquery(true), terms.tsquery(false)) else {
        return Ok(Vec::new());
    };
    sqlx::query_scalar!(
        r#"WITH q AS (SELECT to_tsquery('simple', $1) AS full, to_tsquery('simple', $2) AS exact),
           recent AS (SELECT product_id, created_at, title FROM search_titles
                      ORDER BY created_at DESC, product_id DESC LIMIT $4),
           hits AS MATERIALIZED (SELECT r.product_id, r.created_at, r.title FROM recent r, q WHERE r.title @@ q.full),
           counts AS (SELECT count(*) AS hits, count(*) FILTER (WHERE h.title @@ q.exact) AS exact FROM hits h, q),
           older AS (
               SELECT t.product_id, t.created_at, t.title FROM search_titles t, q
               WHERE (SELECT hits FROM counts) < $3 AND t.title @@ q.full
               UNION ALL
               SELECT t.product_id, t.created_at, t.title FROM search_titles t, q
               WHERE (SELECT hits FROM counts) >= $3 AND (SELECT exact FROM counts) < $3 AND t.title @@ q.exact)
           SELECT c.product_id AS "id!: ProductId" FROM (SELECT * FROM hits UNION SELECT * FROM older) c, q
           ORDER BY c.title @@ q.exact DESC, ts_rank(c.title, q.full) DESC, c.created_at DESC, c.product_id DESC
           LIMIT $3"#,
        query,
        exact,
        limit,
        window
    )
    .fetch_all(db)
    .await
}

/// Where a SKU's product is found, up to the SKU (any case), which follows: an active variant
/// of an active product.
const SKU_OWNER: &str = "FROM product_variants v JOIN products p ON p.id = v.product_id \
                         WHERE v.active AND p.status = 'active' AND lower(v.sku) =";

/// The active product one of whose variants has this SKU (any case).
pub async fn find_product_by_sku(db: impl PgExecutor<'_>, sku: &str) -> sqlx::Result<Option<ProductId>> {
    sqlx::query_scalar(&format!("SELECT v.product_id {SKU_OWNER} lower($1)"))
        .bind(sku)
        .fetch_optional(db)
        .await
        .map(|id: Option<Uuid>| id.map(ProductId))
}

/// A category as a suggestion shows it.
pub struct CategoryMatch {
    pub id: CategoryId,
    pub name: String,
    pub slug: String,
}

/// Categories whose name has a word starting with each of `words`' (in any order), shortest
/// names first.
pub async fn suggest_categories(
    db: impl PgExecutor<'_>,
    words: &[String],
    limit: i64,
) -> sqlx::Result<Vec<CategoryMatch>> {
    let patterns: Vec<String> = words
        .iter()
        .map(|w| format!("(^|[^[:alnum:]]){}", regex_escape(w)))
        .collect();
    sqlx::query_as!(
        CategoryMatch,
        r#"SELECT id AS "id: CategoryId", name, slug FROM categories
           WHERE (SELECT bool_and(lower(name) ~ p) FROM unnest($1::text[]) p)
           ORDER BY length(name), name LIMIT $2"#,
        &patterns,
        limit
    )
    .fetch_all(db)
    .await
}

fn regex_escape(word: &str) -> String {
    word.chars()
        .flat_map(|c| {
            let special = !c.is_alphanumeric();
            special.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

/// Words of the vocabulary added after `after` (by id).
pub async fn list_words_since(db: impl PgExecutor<'_>, after: i64) -> sqlx::Result<Vec<(i64, String)>> {
    let rows = sqlx::query!(r#"SELECT id, word FROM search_words WHERE id > $1 ORDER BY id"#, after)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.word)).collect())
}

/// The newest vocabulary id (0 when empty).
pub async fn last_word_id(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT coalesce(max(id), 0) AS "id!" FROM search_words"#)
        .fetch_one(db)
        .await
}

/// A product's search document, as the Meilisearch index holds it.
#[derive(Debug)]
pub struct DocumentRow {
    pub product_id: ProductId,
    pub status: ProductStatus,
    pub name: String,
    pub description: String,
    pub category_ids: Vec<Uuid>,
    pub category_names: String,
    pub options: Vec<String>,
    pub skus: Vec<String>,
    pub price: Option<Decimal>,
    pub in_stock: bool,
    pub rating_average: Option<Decimal>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The documents of these products (those that still exist).
pub async fn list_documents(db: impl PgExecutor<'_>, ids: &[Uuid]) -> sqlx::Result<Vec<DocumentRow>> {
    sqlx::query_as!(
        DocumentRow,
        r#"SELECT product_id AS "product_id: ProductId", status AS "status: ProductStatus", name, description,
                  category_ids, category_names, options, skus, price, in_stock, rating_average, created_at
           FROM search_documents WHERE product_id = ANY ($1)"#,
        ids
    )
    .fetch_all(db)
    .await
}

/// Up to `limit` documents after `after` in product id order, for a full reindex.
pub async fn list_documents_after(
    db: impl PgExecutor<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<DocumentRow>> {
    sqlx::query_as!(
        DocumentRow,
        r#"SELECT product_id AS "product_id: ProductId", status AS "status: ProductStatus", name, description,
                  category_ids, category_names, options, skus, price, in_stock, rating_average, created_at
           FROM search_documents WHERE $1::uuid IS NULL OR product_id > $1
           ORDER BY product_id LIMIT $2"#,
        after,
        limit
    )
    .fetch_all(db)
    .await
}

pub async fn count_documents(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM search_documents"#)
        .fetch_one(db)
        .await
}

/// Rewrites the search tables compactly and refreshes their statistics (after a bulk load).
pub async fn compact_documents(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("VACUUM (FULL, ANALYZE) search_documents, search_titles")
        .execute(db)
        .await?;
    Ok(())
}

/// Defers the search terms' upkeep to the end of the current transaction (a bulk load writes
/// each document several times; its terms are written once by [`rebuild_terms`]).
pub async fn defer_terms(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("SET LOCAL oxcart.search_terms_deferred = on")
        .execute(db)
        .await?;
    Ok(())
}

/// Writes every document's search terms again, ending a deferral ([`defer_terms`]).
pub async fn rebuild_terms(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("SELECT search_terms_rebuild()").execute(db).await?;
    Ok(())
}

/// An outbox entry: a product the index still lacks, as of `seq`.
#[derive(Clone, Copy, Debug)]
pub struct OutboxEntry {
    pub product_id: Uuid,
    pub seq: i64,
}

/// The oldest entries of the outbox.
pub async fn list_outbox(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<OutboxEntry>> {
    sqlx::query_as!(
        OutboxEntry,
        "SELECT product_id, seq FROM search_outbox ORDER BY seq LIMIT $1",
        limit
    )
    .fetch_all(db)
    .await
}

/// Deletes the entries the index took, unless they changed again since they were read.
pub async fn delete_outbox(db: impl PgExecutor<'_>, taken: &[OutboxEntry]) -> sqlx::Result<u64> {
    let ids: Vec<Uuid> = taken.iter().map(|e| e.product_id).collect();
    let seqs: Vec<i64> = taken.iter().map(|e| e.seq).collect();
    let done = sqlx::query!(
        "DELETE FROM search_outbox o USING unnest($1::uuid[], $2::bigint[]) AS t(product_id, seq)
         WHERE o.product_id = t.product_id AND o.seq = t.seq",
        &ids,
        &seqs
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Empties the outbox up to `seq` (a full reindex read everything after it was noted).
pub async fn delete_outbox_through(db: impl PgExecutor<'_>, seq: i64) -> sqlx::Result<u64> {
    let done = sqlx::query!("DELETE FROM search_outbox WHERE seq <= $1", seq)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// The highest outbox sequence handed out so far.
pub async fn outbox_position(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT coalesce(max(seq), 0) AS "seq!" FROM search_outbox"#)
        .fetch_one(db)
        .await
}

/// Puts every product in the outbox (a new, empty index takes them all); returns how many.
pub async fn mark_all_for_index(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "INSERT INTO search_outbox (product_id) SELECT product_id FROM search_documents
         ON CONFLICT (product_id) DO UPDATE SET seq = nextval('search_outbox_seq'), changed_at = now()"
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// How many products the index lacks.
pub async fn count_outbox(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM search_outbox"#)
        .fetch_one(db)
        .await
}

/// Serialises index syncs across instances for the rest of the transaction; `false` when
/// another sync holds it.
pub async fn try_lock_sync(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT pg_try_advisory_xact_lock(hashtext('oxcart.search.sync')) AS "locked!""#)
        .fetch_one(db)
        .await
}
