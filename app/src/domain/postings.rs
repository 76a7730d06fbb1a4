//! The PostgreSQL engine's arithmetic over *postings*: for one word of a query, every product
//! whose search document has it, with its rank (as PostgreSQL's full-text search found and
//! ranked them). What filters, facet counts and orders read of a product (its *facts*) is loaded
//! once per catalogue generation for every product ([`Catalogue`]); a word's postings only point
//! into it. A query's answer is made here, in memory: a word's alternatives (the word as typed
//! and what it may be a misspelling of) are united, the query's words intersected, then the
//! request's filters, facet counts, order and page applied. Postings are kept per word by the
//! engine, so a filter clicked, a page turned, a sort changed or another query sharing a word
//! costs no search in the database.
//!
//! Relevance: a product's rank is the sum over the query's words of its best rank among the
//! word's alternatives (PostgreSQL's `ts_rank` of that one word, weighted name > category >
//! options > description); products having every word as typed come before those found only
//! through a correction.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use rust_decimal::Decimal;

use super::catalog::{ProductSort, ProductStatus};
use super::search::{RawFacets, SearchSort};
use super::{CategoryId, ProductId};

/// What filters, facet counts and orders read of one product.
#[derive(Clone, Debug)]
pub struct Facts {
    pub product: ProductId,
    pub status: ProductStatus,
    /// The product's own category (the facet adds its ancestors).
    pub category: Option<CategoryId>,
    /// `name=value` of its active variants; products sharing a set share one allocation.
    pub options: Arc<[String]>,
    /// The cheapest active variant's price, in hundredths; `None`: no active variant.
    pub price: Option<i64>,
    /// The price's bucket ([`super::search::price_bucket`]).
    pub bucket: Option<u8>,
    pub in_stock: bool,
    /// The average rating, in hundredths.
    pub rating: Option<i16>,
    /// Microseconds since the epoch.
    pub created_at: i64,
}

/// Every searchable product's facts, in product order, as of one moment. Postings point into
/// it by position, so they are only ever read with the catalogue they were made against
/// (its [`Catalogue::id`]).
#[derive(Debug, Default)]
pub struct Catalogue {
    id: u64,
    facts: Vec<Facts>,
    /// Beside each product's facts: what facets count, as small numbers (counting is then
    /// indexing, not hashing; a broad word's hits are most of the catalogue).
    slots: Vec<Slots>,
    /// The products' own categories, by slot.
    categories: Vec<CategoryId>,
    /// The products' distinct option sets, by slot.
    option_sets: Vec<Arc<[String]>>,
    positions: HashMap<ProductId, u32>,
}

/// What filters and facet counts read of a product, packed small and kept in product order:
/// a broad word's hits walk it from start to end, not the wider [`Facts`]. Categories and
/// option sets are slots in its [`Catalogue`]; `NONE` stands for absent.
#[derive(Clone, Copy, Debug)]
struct Slots {
    category: u32,
    options: u32,
    status: ProductStatus,
    purchasable: bool,
    in_stock: bool,
    bucket: u8,
    stars: u8,
}

impl Slots {
    const NONE: u8 = u8::MAX;
    const NO_CATEGORY: u32 = u32::MAX;
}

/// Numbers catalogues apart within the process.
static CATALOGUES: AtomicU64 = AtomicU64::new(1);

impl Catalogue {
    /// Makes a catalogue from facts in any order.
    pub fn new(mut facts: Vec<Facts>) -> Self {
        facts.sort_unstable_by_key(|f| f.product);
        facts.dedup_by(|a, b| a.product == b.product);
        let positions = facts.iter().zip(0..).map(|(f, at)| (f.product, at)).collect();
        let (mut categories, mut option_sets) = (Vec::new(), Vec::new());
        let mut category_slots: HashMap<CategoryId, u32> = HashMap::new();
        let mut option_slots: HashMap<Arc<[String]>, u32> = HashMap::new();
        let slot = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
        let slots = facts
            .iter()
            .map(|f| Slots {
                category: f.category.map_or(Slots::NO_CATEGORY, |c| {
                    *category_slots.entry(c).or_insert_with(|| {
                        categories.push(c);
                        slot(categories.len() - 1)
                    })
                }),
                options: *option_slots.entry(Arc::clone(&f.options)).or_insert_with(|| {
                    option_sets.push(Arc::clone(&f.options));
                    slot(option_sets.len() - 1)
                }),
                status: f.status,
                purchasable: f.price.is_some(),
                in_stock: f.in_stock,
                bucket: f.bucket.map_or(Slots::NONE, |b| b.min(Slots::NONE - 1)),
                stars: f
                    .rating
                    .map_or(Slots::NONE, |r| u8::try_from(r.max(0) / 100).unwrap_or(Slots::NONE - 1)),
            })
            .collect();
        Self {
            id: CATALOGUES.fetch_add(1, AtomicOrdering::Relaxed),
            facts,
            slots,
            categories,
            option_sets,
            positions,
        }
    }

    /// Tells this catalogue apart from any other loaded by the process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// A word's postings from its matches (product and rank, any order; a product matched
    /// more than once — a prefix's several words — ranks by their sum). A product missing from
    /// the catalogue (made after it was read) is left out: the catalogue's generation is stale
    /// then, and the next search reads both again.
    pub fn postings(&self, matches: impl IntoIterator<Item = (ProductId, f32)>) -> Postings {
        let mut found: Vec<(u32, f32)> = matches
            .into_iter()
            .filter_map(|(product, rank)| self.positions.get(&product).map(|&at| (at, rank)))
            .collect();
        found.sort_unstable_by_key(|&(at, _)| at);
        found.dedup_by(|next, kept| {
            let same = next.0 == kept.0;
            if same {
                kept.1 += next.1;
            }
            same
        });
        Postings(found)
    }

    /// Roughly the memory it holds.
    pub fn weight(&self) -> usize {
        self.facts.len()
            * (std::mem::size_of::<Facts>()
                + std::mem::size_of::<Slots>()
                + std::mem::size_of::<(ProductId, u32, u64)>())
            + std::mem::size_of::<Self>()
    }

    fn facts(&self, at: u32) -> &Facts {
        &self.facts[at as usize]
    }
}

/// A word's postings: the position in the [`Catalogue`] of each product having it, in
/// product order, with its rank.
#[derive(Clone, Debug, Default)]
pub struct Postings(Vec<(u32, f32)>);

impl Postings {
    /// Roughly the memory they hold, for the engine's budget.
    pub fn weight(&self) -> usize {
        self.0.len() * std::mem::size_of::<(u32, f32)>() + std::mem::size_of::<Self>()
    }
}

/// A product matching the whole query.
#[derive(Clone, Copy, Debug)]
pub struct Hit<'a> {
    at: u32,
    pub facts: &'a Facts,
    pub rank: f32,
    /// Found by every word as typed (not only through corrections).
    pub exact: bool,
}

/// One word of a query: the postings of the word as typed, then of each alternative.
pub type Group<'a> = Vec<&'a Postings>;

/// The products of `catalogue` matching every group, in product order. No group at all (no
/// query): every product, unranked.
pub fn combine<'a>(catalogue: &'a Catalogue, groups: &[Group<'_>]) -> Vec<Hit<'a>> {
    if groups.is_empty() {
        return catalogue
            .facts
            .iter()
            .zip(0..)
            .map(|(facts, at)| Hit {
                at,
                facts,
                rank: 0.0,
                exact: true,
            })
            .collect();
    }
    let mut united: Vec<Vec<Hit<'a>>> = groups.iter().map(|group| unite(catalogue, group)).collect();
    // The smallest first: the intersection is never larger.
    united.sort_by_key(Vec::len);
    let mut rest = united.into_iter();
    let mut hits = rest.next().unwrap_or_default();
    for other in rest {
        hits = intersect(&hits, &other);
        if hits.is_empty() {
            break;
        }
    }
    hits
}

/// A group's products: in any of its words' postings, ranked by the best; exact when the word
/// as typed (the first) has it.
fn unite<'a>(catalogue: &'a Catalogue, group: &[&Postings]) -> Vec<Hit<'a>> {
    if let [only] = group {
        return only
            .0
            .iter()
            .map(|&(at, rank)| Hit {
                at,
                facts: catalogue.facts(at),
                rank,
                exact: true,
            })
            .collect();
    }
    let mut heads = vec![0usize; group.len()];
    let mut out = Vec::with_capacity(group.iter().map(|p| p.0.len()).max().unwrap_or(0));
    loop {
        let next = group
            .iter()
            .zip(&heads)
            .filter_map(|(postings, &head)| postings.0.get(head))
            .map(|&(at, _)| at)
            .min();
        let Some(at) = next else {
            return out;
        };
        let mut hit: Option<Hit<'a>> = None;
        for (i, postings) in group.iter().enumerate() {
            let Some(&(_, rank)) = postings.0.get(heads[i]).filter(|&&(other, _)| other == at) else {
                continue;
            };
            heads[i] += 1;
            let exact = i == 0;
            hit = Some(match hit {
                None => Hit {
                    at,
                    facts: catalogue.facts(at),
                    rank,
                    exact,
                },
                Some(seen) => Hit {
                    rank: seen.rank.max(rank),
                    exact: seen.exact || exact,
                    ..seen
                },
            });
        }
        out.extend(hit);
    }
}

/// Products in both, ranks added, exact only if exact in both.
fn intersect<'a>(left: &[Hit<'a>], right: &[Hit<'a>]) -> Vec<Hit<'a>> {
    let mut out = Vec::with_capacity(left.len().min(right.len()));
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        match left[i].at.cmp(&right[j].at) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                out.push(Hit {
                    rank: left[i].rank + right[j].rank,
                    exact: left[i].exact && right[j].exact,
                    ..left[i]
                });
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// What a search keeps of the matches.
#[derive(Clone, Debug, Default)]
pub struct Filters<'a> {
    /// `None`: any status.
    pub status: Option<ProductStatus>,
    /// Only products with an active variant.
    pub purchasable: bool,
    /// The wanted category and every descendant.
    pub categories: Option<&'a HashSet<CategoryId>>,
    pub min_price: Option<Decimal>,
    pub max_price: Option<Decimal>,
    pub in_stock: Option<bool>,
    pub min_rating: Option<Decimal>,
    /// `name=value` terms: a product needs one of each group.
    pub options: &'a [Vec<String>],
}

impl Filters<'_> {
    /// Whether a product passes every filter but the options: `within` tells, by slot, which
    /// categories the category filter takes.
    fn keeps(&self, s: &Slots, p: &Facts, within: &[bool]) -> bool {
        self.status.is_none_or(|status| s.status == status)
            && (!self.purchasable || s.purchasable)
            && (self.categories.is_none() || within.get(s.category as usize).copied().unwrap_or(false))
            && self.in_stock.is_none_or(|wanted| s.in_stock == wanted)
            && ((self.min_price.is_none() && self.max_price.is_none() && self.min_rating.is_none())
                || self.keeps_ranges(p))
    }

    /// Whether `p` is within the price and rating bounds.
    fn keeps_ranges(&self, p: &Facts) -> bool {
        let hundredths = |v: i64| Decimal::new(v, 2);
        self.min_price
            .is_none_or(|min| p.price.is_some_and(|price| hundredths(price) >= min))
            && self
                .max_price
                .is_none_or(|max| p.price.is_some_and(|price| hundredths(price) <= max))
            && self
                .min_rating
                .is_none_or(|min| p.rating.is_some_and(|r| hundredths(i64::from(r)) >= min))
    }

    /// Whether an option set has one term of every wanted group.
    fn has_options(&self, set: &[String]) -> bool {
        self.options
            .iter()
            .all(|group| group.iter().any(|term| set.contains(term)))
    }
}

/// The hits the filters keep, and their facet counts: each category with its subtree's count
/// (`parents` names each category's parent), price buckets, whole stars, option values.
pub fn filter<'a>(
    catalogue: &Catalogue,
    hits: Vec<Hit<'a>>,
    filters: &Filters<'_>,
    parents: &HashMap<CategoryId, CategoryId>,
) -> (Vec<Hit<'a>>, RawFacets) {
    // Whether each option set passes, worked out the first time one is met.
    let mut option_sets: Vec<Option<bool>> = vec![None; catalogue.option_sets.len()];
    let within: Vec<bool> = match filters.categories {
        Some(wanted) => catalogue.categories.iter().map(|c| wanted.contains(c)).collect(),
        None => Vec::new(),
    };
    let kept: Vec<Hit<'a>> = hits
        .into_iter()
        .filter(|hit| {
            let slots = &catalogue.slots[hit.at as usize];
            filters.keeps(slots, hit.facts, &within)
                && (filters.options.is_empty() || {
                    let slot = slots.options as usize;
                    *option_sets[slot].get_or_insert_with(|| filters.has_options(&catalogue.option_sets[slot]))
                })
        })
        .collect();
    let mut own = vec![0u64; catalogue.categories.len()];
    let mut sets = vec![0u64; catalogue.option_sets.len()];
    let (mut buckets, mut stars) = ([0u64; 256], [0u64; 256]);
    for hit in &kept {
        let slots = &catalogue.slots[hit.at as usize];
        if let Some(n) = own.get_mut(slots.category as usize) {
            *n += 1;
        }
        buckets[usize::from(slots.bucket)] += 1;
        stars[usize::from(slots.stars)] += 1;
        sets[slots.options as usize] += 1;
    }
    // The absent ones were counted in the last place.
    buckets[usize::from(Slots::NONE)] = 0;
    stars[usize::from(Slots::NONE)] = 0;
    let counted = |counts: &[u64]| -> Vec<(usize, u64)> {
        counts
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(slot, &n)| (slot, n))
            .collect()
    };
    let mut categories: HashMap<CategoryId, u64> = HashMap::new();
    for (slot, n) in counted(&own) {
        let mut at = Some(catalogue.categories[slot]);
        // The depth bound only guards against a cycle.
        for _ in 0..100 {
            let Some(id) = at else { break };
            *categories.entry(id).or_default() += n;
            at = parents.get(&id).copied();
        }
    }
    let mut options: HashMap<&str, u64> = HashMap::new();
    for (slot, n) in counted(&sets) {
        for term in catalogue.option_sets[slot].iter() {
            *options.entry(term.as_str()).or_default() += n;
        }
    }
    let facets = RawFacets {
        categories: categories.into_iter().collect(),
        price: counted(&buckets),
        rating: counted(&stars)
            .into_iter()
            .map(|(stars, n)| (u8::try_from(stars).unwrap_or(u8::MAX), n))
            .collect(),
        options: options.into_iter().map(|(term, n)| (term.to_owned(), n)).collect(),
    };
    (kept, facets)
}

/// How results are ordered.
#[derive(Clone, Copy, Debug)]
pub struct Order {
    pub sort: SearchSort,
    /// There was a query (relevance means something).
    pub ranked: bool,
    /// The product whose SKU the query is: first, whatever else.
    pub pinned: Option<ProductId>,
}

impl Order {
    /// `true` when PostgreSQL must order the page (by name: postings don't hold names).
    pub fn by_name(&self) -> bool {
        self.sort == SearchSort::By(ProductSort::Name)
    }

    fn compare(&self, a: &Hit<'_>, b: &Hit<'_>) -> Ordering {
        let (pa, pb) = (a.facts, b.facts);
        let pinned = |p: &Facts| Some(p.product) == self.pinned;
        // `None` last, whichever way the values go.
        fn last<T: Ord>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
            match (a, b) {
                (Some(a), Some(b)) if descending => b.cmp(&a),
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        }
        let sorted = match self.sort {
            SearchSort::Relevance if self.ranked => b.exact.cmp(&a.exact).then_with(|| b.rank.total_cmp(&a.rank)),
            SearchSort::By(ProductSort::PriceAsc) => last(pa.price, pb.price, false),
            SearchSort::By(ProductSort::PriceDesc) => last(pa.price, pb.price, true),
            SearchSort::By(ProductSort::Rating) => last(pa.rating, pb.rating, true),
            _ => Ordering::Equal,
        };
        pinned(pb)
            .cmp(&pinned(pa))
            .then(sorted)
            .then_with(|| pb.created_at.cmp(&pa.created_at))
            .then_with(|| pb.product.cmp(&pa.product))
    }
}

/// The page of `hits` in `order`: `limit` products after the first `offset` (only those are
/// sorted, after a selection of the first `offset + limit`).
pub fn page(mut hits: Vec<Hit<'_>>, order: &Order, limit: usize, offset: usize) -> Vec<ProductId> {
    let end = offset.saturating_add(limit).min(hits.len());
    if offset >= end {
        return Vec::new();
    }
    let compare = |a: &Hit<'_>, b: &Hit<'_>| order.compare(a, b);
    if end < hits.len() {
        hits.select_nth_unstable_by(end - 1, compare);
        hits.truncate(end);
    }
    hits.sort_unstable_by(compare);
    hits[offset..].iter().map(|hit| hit.facts.product).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ProductId {
        ProductId(uuid::Uuid::from_bytes([n; 16]))
    }

    fn facts(n: u8) -> Facts {
        Facts {
            product: id(n),
            status: ProductStatus::Active,
            category: None,
            options: Arc::from(Vec::<String>::new()),
            price: Some(i64::from(n) * 1000),
            bucket: Some(0),
            in_stock: true,
            rating: None,
            created_at: i64::from(n),
        }
    }

    /// Products 1 to 9.
    fn catalogue() -> Catalogue {
        Catalogue::new((1..=9).rev().map(facts).collect())
    }

    fn postings(catalogue: &Catalogue, items: &[(u8, f32)]) -> Postings {
        catalogue.postings(items.iter().map(|&(n, rank)| (id(n), rank)))
    }

    fn products(hits: &[Hit<'_>]) -> Vec<ProductId> {
        hits.iter().map(|h| h.facts.product).collect()
    }

    #[test]
    fn a_group_unites_its_words_and_the_query_intersects_its_groups() {
        let all = catalogue();
        let typed = postings(&all, &[(3, 0.1), (1, 0.5)]);
        let corrected = postings(&all, &[(2, 0.9), (3, 0.7)]);
        let other = postings(&all, &[(2, 0.2), (3, 0.2), (4, 1.0)]);
        let hits = combine(&all, &[vec![&typed, &corrected], vec![&other]]);
        assert_eq!(products(&hits), [id(2), id(3)]);
        // 2 only through the correction; 3 as typed, with the better of its two ranks.
        assert!(!hits[0].exact && (hits[0].rank - 1.1).abs() < 1e-6);
        assert!(hits[1].exact && (hits[1].rank - 0.9).abs() < 1e-6);
        assert!(combine(&all, &[vec![&typed], vec![&postings(&all, &[(9, 1.0)])]]).is_empty());
        assert_eq!(products(&combine(&all, &[])), (1..=9).map(id).collect::<Vec<_>>());
        // A product the catalogue doesn't know (made after it was read) is left out.
        assert_eq!(postings(&all, &[(10, 1.0), (1, 1.0)]).0.len(), 1);
        assert_ne!(all.id(), catalogue().id());
    }

    #[test]
    fn a_product_matched_by_several_words_of_a_prefix_ranks_by_their_sum() {
        let all = catalogue();
        let prefix = postings(&all, &[(5, 0.25), (2, 0.5), (5, 0.5), (5, 0.125)]);
        assert_eq!(prefix.0.len(), 2);
        assert!((prefix.0[0].1 - 0.5).abs() < 1e-6, "{prefix:?}");
        assert!((prefix.0[1].1 - 0.875).abs() < 1e-6, "{prefix:?}");
    }

    #[test]
    fn relevance_puts_the_typed_words_first_then_rank_then_newest() {
        let all = catalogue();
        let typed = postings(&all, &[(1, 0.1), (2, 0.1), (4, 0.3)]);
        let corrected = postings(&all, &[(3, 0.9)]);
        let hits = combine(&all, &[vec![&typed, &corrected]]);
        let order = Order {
            sort: SearchSort::Relevance,
            ranked: true,
            pinned: None,
        };
        assert_eq!(page(hits.clone(), &order, 10, 0), [id(4), id(2), id(1), id(3)]);
        assert_eq!(page(hits.clone(), &order, 2, 1), [id(2), id(1)]);
        assert!(page(hits.clone(), &order, 2, 9).is_empty());
        let pinned = Order {
            pinned: Some(id(3)),
            ..order
        };
        assert_eq!(page(hits, &pinned, 1, 0), [id(3)]);
    }

    #[test]
    fn filters_narrow_and_facets_count_what_is_kept() {
        let mut items: Vec<Facts> = (1..=4).map(facts).collect();
        let a = CategoryId(uuid::Uuid::from_bytes([0xa; 16]));
        let root = CategoryId(uuid::Uuid::from_bytes([0xb; 16]));
        let sizes: Arc<[String]> = Arc::from(vec!["size=M".to_owned()]);
        items[0].category = Some(a);
        items[0].options = Arc::clone(&sizes);
        items[1].category = Some(root);
        items[1].options = sizes;
        items[2].price = None;
        items[2].bucket = None;
        items[3].rating = Some(450);
        items[1].in_stock = false;
        let all = Catalogue::new(items);
        let parents = HashMap::from([(a, root)]);
        let hits = combine(&all, &[]);
        let filters = Filters {
            purchasable: true,
            ..Filters::default()
        };
        let (kept, facets) = filter(&all, hits.clone(), &filters, &parents);
        assert_eq!(products(&kept), [id(1), id(2), id(4)]);
        let mut categories = facets.categories.clone();
        categories.sort();
        assert_eq!(categories, [(a, 1), (root, 2)]);
        assert_eq!(facets.options, [("size=M".to_owned(), 2)]);
        assert_eq!(facets.rating, [(4, 1)]);
        assert_eq!(facets.price, [(0, 3)]);
        let within = HashSet::from([a]);
        let narrowed = Filters {
            categories: Some(&within),
            min_price: Some(Decimal::new(5, 0)),
            ..filters.clone()
        };
        assert_eq!(products(&filter(&all, hits.clone(), &narrowed, &parents).0), [id(1)]);
        let dear = Filters {
            min_price: Some(Decimal::new(2001, 2)),
            ..filters
        };
        assert_eq!(products(&filter(&all, hits.clone(), &dear, &parents).0), [id(4)]);
        let out_of_stock = Filters {
            in_stock: Some(false),
            status: Some(ProductStatus::Active),
            ..Filters::default()
        };
        assert_eq!(
            products(&filter(&all, hits.clone(), &out_of_stock, &parents).0),
            [id(2)]
        );
        let drafts = Filters {
            status: Some(ProductStatus::Draft),
            ..Filters::default()
        };
        assert!(filter(&all, hits, &drafts, &parents).0.is_empty());
    }
}
