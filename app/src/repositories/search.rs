//! SQL of search: the PostgreSQL engine's one statement (matches, page, total and facet counts
//! in one round trip, over `search_documents`, which triggers keep in step with the catalogue),
//! suggestions, the typo vocabulary, and the outbox and documents the Meilisearch engine is fed
//! from. The query text is built here from words the caller already corrected; every value is
//! bound, never spliced.

use rust_decimal::Decimal;
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::catalog::{ProductSort, ProductStatus};
use crate::domain::search::{EngineResults, Highlights, MARK_END, MARK_START, PRICE_EDGES, SearchSort};
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

/// One search on the PostgreSQL engine.
#[derive(Clone, Debug, Default)]
pub struct PgSearch {
    pub terms: Terms,
    /// `None`: every status (staff).
    pub status: Option<ProductStatus>,
    /// Only products with an active variant (what shoppers can buy).
    pub purchasable: bool,
    pub category: Option<CategoryId>,
    pub min_price: Option<Decimal>,
    pub max_price: Option<Decimal>,
    pub in_stock: Option<bool>,
    pub min_rating: Option<Decimal>,
    /// `key=value` terms; a product needs one of each group.
    pub options: Vec<Vec<String>>,
    pub sort: SearchSort,
    /// The query, when it may be a SKU: the active product with that SKU comes first.
    pub sku: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(sqlx::FromRow)]
struct ResultRow {
    kind: String,
    key: Option<String>,
    name: Option<String>,
    description: Option<String>,
    count: i64,
}

fn marks() -> String {
    format!("StartSel={MARK_START}, StopSel={MARK_END}")
}

/// Runs `search`: the page's products in order with highlights, the total and the facet counts
/// over every match.
pub async fn search(db: impl PgExecutor<'_>, search: &PgSearch) -> sqlx::Result<EngineResults> {
    let query = search.terms.tsquery(true);
    let exact = search.terms.tsquery(false);
    // RECURSIVE: the category facet climbs from each match's own category to the root.
    let mut b: QueryBuilder<Postgres> = QueryBuilder::new("WITH RECURSIVE ");
    if let Some(query) = &query {
        b.push("q AS (SELECT to_tsquery('simple', ")
            .push_bind(query.clone())
            .push(") AS full, to_tsquery('simple', ")
            .push_bind(exact.clone())
            .push(") AS exact), ");
    }
    if let Some(sku) = &search.sku {
        b.push(format!("pinned AS (SELECT v.product_id {SKU_OWNER} lower("))
            .push_bind(sku.clone())
            .push(")), ");
    }
    // Each match's own category (the last of its path) is enough: the facet adds the ancestors.
    b.push(
        "matched AS MATERIALIZED (SELECT d.product_id, d.category_ids[cardinality(d.category_ids)] AS category_id, ",
    );
    b.push("d.options, d.price, d.rating_average, ");
    b.push("d.created_at, ");
    if search.sort == SearchSort::By(ProductSort::Name) {
        b.push("lower(d.name) AS name_key, ");
    }
    if query.is_some() {
        b.push("ts_rank('{0.1, 0.2, 0.4, 1.0}', d.document, q.full) AS rank, ");
        // Without corrections every match has the words as typed.
        b.push(if query == exact {
            "true"
        } else {
            "d.document @@ q.exact"
        });
        b.push(" AS exact ");
        b.push("FROM search_documents d, q WHERE d.document @@ q.full ");
    } else {
        b.push("0::real AS rank, true AS exact FROM search_documents d WHERE true ");
    }
    if let Some(status) = search.status {
        b.push("AND d.status = ").push_bind(status);
    }
    if search.purchasable {
        b.push(" AND d.price IS NOT NULL");
    }
    if let Some(category) = search.category {
        b.push(" AND d.category_ids @> ARRAY[")
            .push_bind(category.0)
            .push("::uuid]");
    }
    if let Some(min) = search.min_price {
        b.push(" AND d.price >= ").push_bind(min);
    }
    if let Some(max) = search.max_price {
        b.push(" AND d.price <= ").push_bind(max);
    }
    if let Some(in_stock) = search.in_stock {
        b.push(" AND d.in_stock = ").push_bind(in_stock);
    }
    if let Some(rating) = search.min_rating {
        b.push(" AND d.rating_average >= ").push_bind(rating);
    }
    for group in &search.options {
        b.push(" AND d.options && ").push_bind(group.clone());
    }
    // The page: the first rows of the order (a top-N sort, not a sort of every match), then
    // numbered in that order (the same keys over its few rows).
    b.push("), page AS (SELECT m.product_id, row_number() OVER (ORDER BY ");
    push_order(&mut b, search, query.is_some());
    b.push(") AS position FROM (SELECT * FROM matched m ORDER BY ");
    push_order(&mut b, search, query.is_some());
    b.push(" LIMIT ")
        .push_bind(search.limit)
        .push(" OFFSET ")
        .push_bind(search.offset)
        .push(") m) ");
    // One pass over the matches groups them by own category, price bucket and stars (a few
    // hundred groups at most, keyed by small values); the total and those three facets add the
    // groups up. The bucket is how many edges the price reaches (NULL without a price).
    b.push(", groups AS MATERIALIZED (SELECT category_id, ");
    for (i, edge) in PRICE_EDGES.into_iter().enumerate() {
        if i > 0 {
            b.push(" + ");
        }
        b.push("(price >= ").push_bind(Decimal::from(edge)).push(")::int");
    }
    b.push(" AS bucket, floor(rating_average)::int AS stars, count(*) AS n FROM matched GROUP BY 1, 2, 3), ");
    // Each own category's count goes to it and every ancestor (a product is in one category,
    // so a category's count is the sum over its subtree).
    b.push("own AS (SELECT category_id, sum(n) AS n FROM groups WHERE category_id IS NOT NULL GROUP BY 1), ");
    b.push("up AS (SELECT category_id AS own, category_id AS id FROM own UNION ALL ");
    b.push("SELECT up.own, c.parent_id FROM up JOIN categories c ON c.id = up.id WHERE c.parent_id IS NOT NULL) ");
    // The page's rows, with highlights.
    b.push("SELECT 'hit' AS kind, p.product_id::text AS key, ");
    if query.is_some() {
        let marks = marks();
        // `<` and `>` are hidden from ts_headline, which drops what looks like a tag.
        let hide = |column: &str| format!("translate({column}, '<>', chr(57346) || chr(57347))");
        b.push(format!("ts_headline('simple', {}, q.full, ", hide("d.name")))
            .push_bind(format!("{marks}, HighlightAll=true"))
            .push(format!(
                ") AS name, ts_headline('simple', {}, q.full, ",
                hide("d.description")
            ))
            .push_bind(format!("{marks}, MaxWords=25, MinWords=12, MaxFragments=1"))
            .push(") AS description, p.position AS count FROM page p JOIN search_documents d USING (product_id), q ");
    } else {
        b.push("d.name, d.description, p.position AS count FROM page p JOIN search_documents d USING (product_id) ");
    }
    b.push("UNION ALL SELECT 'total', NULL, NULL, NULL, coalesce(sum(n), 0)::bigint FROM groups ");
    b.push("UNION ALL SELECT 'category', up.id::text, NULL, NULL, sum(own.n)::bigint FROM up JOIN own ON own.category_id = up.own GROUP BY up.id ");
    // Products share few distinct option sets: grouping by the set first unnests a few hundred
    // arrays, not every match's.
    b.push("UNION ALL SELECT 'option', o, NULL, NULL, sum(n)::bigint FROM (SELECT options, count(*) AS n FROM matched GROUP BY options) g, unnest(options) o GROUP BY o ");
    b.push("UNION ALL SELECT 'price', bucket::text, NULL, NULL, sum(n)::bigint FROM groups WHERE bucket IS NOT NULL GROUP BY bucket ");
    b.push("UNION ALL SELECT 'rating', stars::text, NULL, NULL, sum(n)::bigint FROM groups WHERE stars IS NOT NULL GROUP BY stars");
    let rows: Vec<ResultRow> = b.build_query_as().fetch_all(db).await?;
    let mut out = EngineResults::default();
    let mut hits: Vec<(i64, ProductId)> = Vec::new();
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    for row in rows {
        let key = row.key.unwrap_or_default();
        match row.kind.as_str() {
            "hit" => {
                let Ok(id) = Uuid::parse_str(&key).map(ProductId) else {
                    continue;
                };
                hits.push((row.count, id));
                out.highlights.insert(
                    id,
                    Highlights {
                        name: row.name.unwrap_or_default(),
                        description: row.description.unwrap_or_default(),
                    },
                );
            }
            "total" => out.total = count(row.count),
            "category" => {
                if let Ok(id) = Uuid::parse_str(&key) {
                    out.facets.categories.push((CategoryId(id), count(row.count)));
                }
            }
            "option" => out.facets.options.push((key, count(row.count))),
            "price" => {
                if let Ok(bucket) = key.parse::<usize>() {
                    out.facets.price.push((bucket, count(row.count)));
                }
            }
            "rating" => {
                if let Ok(stars) = key.parse::<u8>() {
                    out.facets.rating.push((stars, count(row.count)));
                }
            }
            _ => {}
        }
    }
    hits.sort_unstable_by_key(|(position, _)| *position);
    out.ids = hits.into_iter().map(|(_, id)| id).collect();
    Ok(out)
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

/// The result order's keys over `m` (a row of `matched`): the pinned product, then the sort,
/// then newest first, the id breaking ties.
fn push_order(b: &mut QueryBuilder<'_, Postgres>, search: &PgSearch, has_query: bool) {
    if search.sku.is_some() {
        // A scalar subquery is run once (SKUs are unique); each row compares with its value.
        b.push("m.product_id = (SELECT product_id FROM pinned LIMIT 1) DESC, ");
    }
    match search.sort {
        SearchSort::Relevance if has_query => {
            b.push("m.exact DESC, m.rank DESC, ");
        }
        SearchSort::Relevance | SearchSort::By(ProductSort::Newest) => {}
        SearchSort::By(ProductSort::PriceAsc) => {
            b.push("m.price ASC NULLS LAST, ");
        }
        SearchSort::By(ProductSort::PriceDesc) => {
            b.push("m.price DESC NULLS LAST, ");
        }
        SearchSort::By(ProductSort::Name) => {
            b.push("m.name_key, ");
        }
        SearchSort::By(ProductSort::Rating) => {
            b.push("m.rating_average DESC NULLS LAST, ");
        }
    }
    b.push("m.created_at DESC, m.product_id DESC");
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
