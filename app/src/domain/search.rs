//! Search as clients see it, whichever engine answers: the request (the catalogue list's
//! parameters plus `sort=relevance` and `option.<name>=<value>`), hits with highlighted
//! fragments, facet counts, suggestions for as-you-type — and the engine-neutral rules both
//! engines share: how a query splits into words, how many typos a word may carry, which words a
//! typo may stand for, how raw facet counts become labelled ones, and how highlights are escaped.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::catalog::{ProductFilter, ProductQuery, ProductSort};
use super::{CategoryId, Fields, ProductId, ProductView};
use crate::error::AppError;

/// Most words of a query that count (the rest are ignored).
pub const MAX_WORDS: usize = 10;
/// Most suggestions as-you-type returns, products and categories together.
pub const SUGGEST_LIMIT: usize = 8;
/// Most option filters in one request.
const MAX_OPTION_FILTERS: usize = 20;
/// Upper edges of the price buckets, in the store currency; the last bucket has none.
pub const PRICE_EDGES: [u32; 5] = [25, 50, 100, 200, 500];
/// What engines put around a match; replaced by `<mark>` once the text around is escaped.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';
/// What PostgreSQL's highlighter sees instead of `<` and `>` (it would drop text that looks
/// like a tag); turned back into escaped `<` and `>` with the rest.
pub const LESS_THAN: char = '\u{E002}';
pub const GREATER_THAN: char = '\u{E003}';

/// How search results are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchSort {
    /// Best match first (the default when there is a query; newest first without one).
    #[default]
    Relevance,
    /// One of the catalogue list's orders.
    By(ProductSort),
}

impl SearchSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::By(sort) => sort.as_str(),
        }
    }

    fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "relevance" => Ok(Self::Relevance),
            other => ProductQuery {
                sort: Some(other.to_owned()),
                ..ProductQuery::default()
            }
            .parse()
            .map(|f| Self::By(f.sort))
            .map_err(|_| "must be one of relevance, newest, price_asc, price_desc, name, rating".to_owned()),
        }
    }
}

/// A search as sent: every query parameter by name (`option.size=M` among them; a name may
/// repeat). Parameters search doesn't know are ignored, like the catalogue list's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery(pub Vec<(String, String)>);

/// A search that passed validation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchRequest {
    /// Query, category, price range, stock, rating and status, as the catalogue list has them.
    pub filter: ProductFilter,
    pub sort: SearchSort,
    /// Option filters: a product matches when, for every option named, one of its active
    /// variants has one of the values asked (`size=M or L`, and `colour=navy`).
    pub options: BTreeMap<String, Vec<String>>,
}

impl SearchQuery {
    fn first(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// Validates every parameter; bad values are 422s naming the parameter.
    pub fn parse(self) -> Result<SearchRequest, AppError> {
        let list = ProductQuery {
            category: self.first("category"),
            min_price: self.first("min_price"),
            max_price: self.first("max_price"),
            in_stock: self.first("in_stock"),
            min_rating: self.first("min_rating"),
            q: self.first("q"),
            status: self.first("status"),
            sort: None,
            featured: None,
        }
        .parse();
        let mut f = Fields::default();
        let sort = self
            .first("sort")
            .filter(|s| !s.trim().is_empty())
            .map_or(Some(SearchSort::Relevance), |raw| {
                f.check("sort", SearchSort::parse(&raw))
            });
        let mut options: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut count = 0;
        for (key, value) in &self.0 {
            let Some(name) = key.strip_prefix("option.") else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            if value.is_empty() {
                continue;
            }
            count += 1;
            let field = format!("option.{name}");
            let valid =
                |s: &str, max: usize| !s.is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control);
            if count > MAX_OPTION_FILTERS {
                f.check::<()>(&field, Err(format!("at most {MAX_OPTION_FILTERS} option filters")));
            } else if !valid(name, 50) || name.contains('=') {
                f.check::<()>(
                    &field,
                    Err("an option's name is 1 to 50 characters, without `=`".into()),
                );
            } else if !valid(value, 100) {
                f.check::<()>(
                    &field,
                    Err("must be 1 to 100 characters, without control characters".into()),
                );
            } else {
                let values = options.entry(name.to_owned()).or_default();
                if !values.iter().any(|v| v == value) {
                    values.push(value.to_owned());
                }
            }
        }
        match (list, f.finish(|| ())) {
            (Ok(filter), Ok(())) => Ok(SearchRequest {
                filter,
                sort: sort.unwrap_or_default(),
                options,
            }),
            (Err(mut a), Err(b)) => {
                let more = b.details.unwrap_or_default();
                a.details.get_or_insert_with(Default::default).extend(more);
                Err(a)
            }
            (Err(err), _) | (_, Err(err)) => Err(err),
        }
    }
}

impl SearchRequest {
    /// The query's words, lower-cased, at most [`MAX_WORDS`].
    pub fn words(&self) -> Vec<String> {
        self.filter.q.as_deref().map(words).unwrap_or_default()
    }

    /// The `key=value` strings of the option filters, grouped by option.
    pub fn option_terms(&self) -> Vec<Vec<String>> {
        self.options
            .iter()
            .map(|(name, values)| values.iter().map(|v| option_term(name, v)).collect())
            .collect()
    }
}

/// How a variant option is stored for search: `size=M`.
pub fn option_term(name: &str, value: &str) -> String {
    format!("{name}={value}")
}

/// A query's words: runs of letters and digits, lower-cased.
pub fn words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(MAX_WORDS)
        .collect()
}

/// How many typos a word may carry and still match: none under 5 letters, one from 5, two from 9.
pub fn typo_budget(word: &str) -> usize {
    match word.chars().count() {
        0..5 => 0,
        5..9 => 1,
        _ => 2,
    }
}

/// Edit distance counting an insertion, a deletion, a substitution or a swap of two neighbours
/// as one typo (optimal string alignment); `None` when it is above `max`.
pub fn typo_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    // d[i * width + j]: the distance between a[..i] and b[..j].
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * width] = i;
        let mut row_best = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
            row_best = row_best.min(best);
        }
        if row_best > max {
            return None;
        }
    }
    let distance = d[a.len() * width + b.len()];
    (distance <= max).then_some(distance)
}

/// The words of the shop's active products, to correct typos towards and to propose "did you
/// mean". Loaded and kept current by the search adapter.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    by_length: HashMap<usize, Vec<String>>,
    len: usize,
}

impl Vocabulary {
    pub fn extend(&mut self, new: impl IntoIterator<Item = String>) {
        for word in new {
            self.by_length.entry(word.chars().count()).or_default().push(word);
            self.len += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Words within `max` typos of `word` (itself excluded), closest first, at most `limit`.
    /// Among equally close words, those sharing a longer start with `word` come first: typos
    /// are rarer in a word's first letters ("tee" is nearer "tees" than "the").
    fn near(&self, word: &str, max: usize, limit: usize) -> Vec<(usize, &str)> {
        let length = word.chars().count();
        let shared = |w: &str| word.chars().zip(w.chars()).take_while(|(a, b)| a == b).count();
        let mut found: Vec<(usize, std::cmp::Reverse<usize>, &str)> = (length.saturating_sub(max)..=length + max)
            .filter_map(|l| self.by_length.get(&l))
            .flatten()
            .filter(|w| w.as_str() != word)
            .filter_map(|w| typo_distance(word, w, max).map(|d| (d, std::cmp::Reverse(shared(w)), w.as_str())))
            .collect();
        found.sort_unstable();
        found.truncate(limit);
        found.into_iter().map(|(d, _, w)| (d, w)).collect()
    }

    /// The words `word` may be a misspelling of, within its [`typo_budget`].
    pub fn corrections(&self, word: &str) -> Vec<String> {
        let budget = typo_budget(word);
        if budget == 0 {
            return Vec::new();
        }
        self.near(word, budget, 16)
            .into_iter()
            .map(|(_, w)| w.to_owned())
            .collect()
    }

    /// A query that would find something when this one found nothing: each word not in the
    /// vocabulary replaced by the closest one (up to a third of its letters changed, at least
    /// one). `None` when no word changes.
    pub fn did_you_mean(&self, query_words: &[String]) -> Option<String> {
        let mut changed = false;
        let fixed: Vec<String> = query_words
            .iter()
            .map(|w| {
                let known = self
                    .by_length
                    .get(&w.chars().count())
                    .is_some_and(|ws| ws.iter().any(|x| x == w));
                if known {
                    return w.clone();
                }
                let max = (w.chars().count() / 3).max(1);
                match self.near(w, max, 1).first() {
                    Some((_, better)) => {
                        changed = true;
                        (*better).to_owned()
                    }
                    None => w.clone(),
                }
            })
            .collect();
        changed.then(|| fixed.join(" "))
    }
}

/// `text` in runs, in order: each either a word (letters and digits, as [`words`] splits a
/// query) or what lies between words.
pub fn runs(text: &str) -> impl Iterator<Item = (bool, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let word = first.is_alphanumeric();
        let end = rest.find(|c: char| c.is_alphanumeric() != word).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(end);
        rest = tail;
        Some((word, run))
    })
}

/// Most words of a description's highlighted fragment.
pub const FRAGMENT_WORDS: usize = 25;
/// Words shown before the fragment's first match, when the description starts earlier.
const FRAGMENT_LEAD: usize = 5;

/// The words a PostgreSQL answer matched, to mark in its page's text: every word of the query
/// and what it may be a misspelling of, whole, and the last ones also as beginnings (as typed).
/// A word of the text is marked whole when it matches.
#[derive(Clone, Debug, Default)]
pub struct Marks {
    words: std::collections::HashSet<String>,
    prefixes: Vec<String>,
}

impl Marks {
    /// From the engine's groups of words (each: a query word and its corrections).
    pub fn new(groups: &[Vec<String>], prefix_last: bool) -> Self {
        let prefixes = match groups.last() {
            Some(last) if prefix_last => last.clone(),
            _ => Vec::new(),
        };
        Self {
            words: groups.iter().flatten().cloned().collect(),
            prefixes,
        }
    }

    fn matches(&self, word: &str) -> bool {
        let lower = word.to_lowercase();
        self.words.contains(&lower) || self.prefixes.iter().any(|p| lower.starts_with(p.as_str()))
    }

    /// `text` with every matching word between [`MARK_START`] and [`MARK_END`].
    pub fn all(&self, text: &str) -> String {
        self.mark(runs(text))
    }

    /// A fragment of `text`, marked: at most [`FRAGMENT_WORDS`] words, from a few words before
    /// the first matching one (the start when none does), with `…` where text was left out.
    pub fn fragment(&self, text: &str) -> String {
        let runs: Vec<(bool, &str)> = runs(text).collect();
        let words: Vec<usize> = (0..runs.len()).filter(|&i| runs[i].0).collect();
        let first = words.iter().position(|&i| self.matches(runs[i].1)).unwrap_or(0);
        // As many words as fit, the first match a few words in.
        let start = first
            .saturating_sub(FRAGMENT_LEAD)
            .min(words.len().saturating_sub(FRAGMENT_WORDS));
        let end = (start + FRAGMENT_WORDS).min(words.len());
        if words.is_empty() {
            return self.all(text);
        }
        let from = if start == 0 { 0 } else { words[start] };
        let to = if end == words.len() {
            runs.len()
        } else {
            words[end - 1] + 1
        };
        let mut out = String::new();
        if from > 0 {
            out.push('…');
        }
        out.push_str(&self.mark(runs[from..to].iter().copied()));
        if to < runs.len() {
            out.push('…');
        }
        out
    }

    fn mark<'a>(&self, runs: impl Iterator<Item = (bool, &'a str)>) -> String {
        let mut out = String::new();
        for (word, run) in runs {
            let marked = word && self.matches(run);
            if marked {
                out.push(MARK_START);
            }
            // Text that holds the marks' own characters would open marks of its own.
            out.extend(run.chars().filter(|c| *c != MARK_START && *c != MARK_END));
            if marked {
                out.push(MARK_END);
            }
        }
        out
    }
}

/// Turns engine output (matches between [`MARK_START`] and [`MARK_END`]) into HTML: the text
/// escaped, each match in `<mark>`.
pub fn highlight_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 16);
    let mut open = false;
    for c in raw.chars() {
        match c {
            MARK_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            '&' => out.push_str("&amp;"),
            '<' | LESS_THAN => out.push_str("&lt;"),
            '>' | GREATER_THAN => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// The start of a description for a hit without a query: whole words, about `chars` long.
pub fn excerpt(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(chars).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end())
}

/// Which price bucket an amount falls in: its index in [`price_buckets`].
pub fn price_bucket(amount: rust_decimal::Decimal) -> usize {
    PRICE_EDGES
        .iter()
        .position(|edge| amount < rust_decimal::Decimal::from(*edge))
        .unwrap_or(PRICE_EDGES.len())
}

/// The price buckets as `(value, min, max)`: value `25-50` filters `min_price=25&max_price=50`.
pub fn price_buckets() -> Vec<(String, u32, Option<u32>)> {
    let mut lower = 0;
    let mut out = Vec::new();
    for edge in PRICE_EDGES {
        out.push((format!("{lower}-{edge}"), lower, Some(edge)));
        lower = edge;
    }
    out.push((format!("{lower}-"), lower, None));
    out
}

/// Highlighted fragments of a hit, as HTML: the text escaped, matches in `<mark>`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Highlights {
    /// The product's name.
    pub name: String,
    /// The part of the description that matched best (or its start), about 25 words.
    pub description: String,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub product: ProductView,
    pub highlights: Highlights,
}

/// One value of a facet and how many results have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FacetValue {
    /// What to send back to filter by it: a category's slug, a price bucket such as `25-50`
    /// (`min_price`/`max_price`), a minimum rating such as `4`, or an option's value.
    pub value: String,
    /// What to show: the category's name, `$25 – $50`, `4 stars & up`, the option's value.
    pub label: String,
    pub count: u64,
}

/// Facet counts over every result of the search (not only the page shown).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Facets {
    /// Each category holding results, counting the results in its whole subtree.
    pub categories: Vec<FacetValue>,
    /// The price buckets holding results, by the cheapest active variant.
    pub price: Vec<FacetValue>,
    /// Results rated at least 4, 3, 2 and 1 (each count includes the better rated).
    pub rating: Vec<FacetValue>,
    /// Each option (`size`, `colour`…) with its values, counting products having a variant
    /// with that value.
    pub options: BTreeMap<String, Vec<FacetValue>>,
}

/// Facet counts as an engine returns them, before labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawFacets {
    pub categories: Vec<(CategoryId, u64)>,
    /// By index in [`price_buckets`].
    pub price: Vec<(usize, u64)>,
    /// By whole stars of the average (1–5).
    pub rating: Vec<(u8, u64)>,
    /// By `name=value`.
    pub options: Vec<(String, u64)>,
}

impl RawFacets {
    /// Labels the counts; `category` names a category id as `(slug, name)` (unknown ones are
    /// left out); `money` writes an amount in the store currency.
    pub fn label(
        self,
        category: impl Fn(CategoryId) -> Option<(String, String)>,
        money: impl Fn(u32) -> String,
    ) -> Facets {
        let mut categories: Vec<FacetValue> = self
            .categories
            .into_iter()
            .filter_map(|(id, count)| {
                category(id).map(|(slug, name)| FacetValue {
                    value: slug,
                    label: name,
                    count,
                })
            })
            .collect();
        categories.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        let buckets = price_buckets();
        let mut price: Vec<(usize, u64)> = self.price.into_iter().filter(|(i, _)| *i < buckets.len()).collect();
        price.sort_unstable();
        let price = price
            .into_iter()
            .map(|(i, count)| {
                let (value, min, max) = &buckets[i];
                let label = match max {
                    Some(max) if *min == 0 => format!("Under {}", money(*max)),
                    Some(max) => format!("{} – {}", money(*min), money(*max)),
                    None => format!("{} and up", money(*min)),
                };
                FacetValue {
                    value: value.clone(),
                    label,
                    count,
                }
            })
            .collect();
        let rating = (1..=4u8)
            .rev()
            .filter_map(|stars| {
                let count: u64 = self.rating.iter().filter(|(s, _)| *s >= stars).map(|(_, c)| c).sum();
                (count > 0).then(|| FacetValue {
                    value: stars.to_string(),
                    label: format!("{stars} stars & up"),
                    count,
                })
            })
            .collect();
        let mut options: BTreeMap<String, Vec<FacetValue>> = BTreeMap::new();
        for (term, count) in self.options {
            if let Some((name, value)) = term.split_once('=') {
                options.entry(name.to_owned()).or_default().push(FacetValue {
                    value: value.to_owned(),
                    label: value.to_owned(),
                    count,
                });
            }
        }
        for values in options.values_mut() {
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        }
        Facets {
            categories,
            price,
            rating,
            options,
        }
    }
}

/// What an engine found: the page's products in order, their highlights (raw, with marks), the
/// exact total and the facet counts.
#[derive(Clone, Debug, Default)]
pub struct EngineResults {
    pub ids: Vec<ProductId>,
    pub highlights: HashMap<ProductId, Highlights>,
    /// Instead of highlights (PostgreSQL): the words to mark in the page's text.
    pub marks: Option<Marks>,
    pub total: u64,
    pub facets: RawFacets,
}

impl EngineResults {
    /// Moves `id` to the front of the page, when the page holds it.
    pub fn pin(&mut self, id: ProductId) {
        if let Some(at) = self.ids.iter().position(|found| *found == id) {
            let id = self.ids.remove(at);
            self.ids.insert(0, id);
        }
    }
}

/// A search's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub hits: super::Page<SearchHit>,
    pub facets: Facets,
    /// `meilisearch` or `postgres`: which engine answered.
    pub engine: String,
    /// Time the search took in the service, in milliseconds.
    pub took_ms: f64,
    /// A corrected query, when this one found nothing and a close one would.
    pub did_you_mean: Option<String>,
}

/// What a suggestion points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    Product,
    Category,
}

/// One as-you-type suggestion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub kind: SuggestionKind,
    pub id: uuid::Uuid,
    /// The product's or category's name, as text.
    pub label: String,
    /// The name as HTML, the typed part in `<mark>`.
    pub highlight: String,
    /// The storefront page it leads to.
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> SearchQuery {
        SearchQuery(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn typo_budget_follows_word_length() {
        assert_eq!(typo_budget("coat"), 0);
        assert_eq!(typo_budget("shirt"), 1);
        assert_eq!(typo_budget("trousers"), 1);
        assert_eq!(typo_budget("raincoats"), 2);
    }

    #[test]
    fn distance_counts_a_swap_as_one_typo() {
        assert_eq!(typo_distance("shirt", "shrit", 2), Some(1));
        assert_eq!(typo_distance("jacket", "jaket", 1), Some(1));
        assert_eq!(typo_distance("jacket", "jacket", 0), Some(0));
        assert_eq!(typo_distance("jacket", "packets", 1), None);
        assert_eq!(typo_distance("", "ab", 2), Some(2));
        assert_eq!(typo_distance("ab", "", 1), None);
    }

    #[test]
    fn corrections_stay_within_the_budget() {
        let mut vocabulary = Vocabulary::default();
        vocabulary.extend(["jacket", "packet", "coat", "cost", "sweater"].map(String::from));
        assert_eq!(vocabulary.corrections("jackt"), vec!["jacket".to_owned()]);
        assert!(vocabulary.corrections("cost").is_empty(), "short words take no typos");
        assert_eq!(vocabulary.did_you_mean(&["jcaket".into()]).as_deref(), Some("jacket"));
        assert_eq!(vocabulary.did_you_mean(&["coat".into()]), None);
        // Equally close: the word sharing the longer start wins, not the first alphabetically.
        vocabulary.extend(["the", "tees"].map(String::from));
        assert_eq!(vocabulary.did_you_mean(&["tee".into()]).as_deref(), Some("tees"));
        assert_eq!(vocabulary.did_you_mean(&["jackte".into()]).as_deref(), Some("jacket"));
    }

    #[test]
    fn highlights_escape_the_text_around_marks() {
        let raw = format!("<b>{MARK_START}Rain{MARK_END} & \"sun\"");
        assert_eq!(highlight_html(&raw), "&lt;b&gt;<mark>Rain</mark> &amp; &quot;sun&quot;");
        assert_eq!(highlight_html(&format!("{MARK_START}open")), "<mark>open</mark>");
    }

    #[test]
    fn parses_options_and_sort() {
        let request = query(&[
            ("q", " Rain jacket "),
            ("option.size", "M"),
            ("option.size", "L"),
            ("option.colour", "navy"),
            ("sort", "price_asc"),
            ("unknown", "x"),
        ])
        .parse()
        .unwrap();
        assert_eq!(request.words(), ["rain", "jacket"]);
        assert_eq!(request.sort, SearchSort::By(ProductSort::PriceAsc));
        assert_eq!(
            request.option_terms(),
            vec![
                vec!["colour=navy".to_owned()],
                vec!["size=M".to_owned(), "size=L".to_owned()]
            ]
        );
        assert_eq!(query(&[]).parse().unwrap().sort, SearchSort::Relevance);
    }

    #[test]
    fn reports_every_bad_parameter() {
        let err = query(&[("sort", "cheap"), ("min_price", "x"), ("option.a=b", "1")])
            .parse()
            .unwrap_err();
        assert!(!err.field("sort").is_empty());
        assert!(!err.field("min_price").is_empty());
        assert!(!err.field("option.a=b").is_empty());
    }

    #[test]
    fn labels_facets() {
        let raw = RawFacets {
            categories: vec![(CategoryId(uuid::Uuid::nil()), 3)],
            price: vec![(1, 2), (0, 1), (5, 1)],
            rating: vec![(5, 1), (4, 2), (2, 1)],
            options: vec![("size=M".into(), 2), ("size=L".into(), 3)],
        };
        let facets = raw.label(|_| Some(("coats".into(), "Coats".into())), |n| format!("${n}"));
        assert_eq!(facets.categories[0].value, "coats");
        let prices: Vec<_> = facets
            .price
            .iter()
            .map(|f| (f.value.as_str(), f.label.as_str()))
            .collect();
        assert_eq!(
            prices,
            [("0-25", "Under $25"), ("25-50", "$25 – $50"), ("500-", "$500 and up")]
        );
        let ratings: Vec<_> = facets.rating.iter().map(|f| (f.value.as_str(), f.count)).collect();
        assert_eq!(ratings, [("4", 3), ("3", 3), ("2", 4), ("1", 4)]);
        assert_eq!(facets.options["size"][0].value, "L");
        assert_eq!(price_bucket(rust_decimal::Decimal::from(25)), 1);
        assert_eq!(price_bucket(rust_decimal::Decimal::from(9999)), 5);
    }

    fn shown(raw: &str) -> String {
        raw.replace(MARK_START, "[").replace(MARK_END, "]")
    }

    #[test]
    fn marks_whole_words_matching_a_word_or_the_last_beginning() {
        let marks = Marks::new(&[vec!["warm".into(), "worm".into()], vec!["jack".into()]], true);
        assert_eq!(
            shown(&marks.all("Warm-lined Jackets, jack\u{E000}s & warmth (worm)")),
            "[Warm]-lined [Jackets], [jack]s & warmth ([worm])"
        );
        let exact = Marks::new(&[vec!["jack".into()]], false);
        assert_eq!(shown(&exact.all("jack jackets")), "[jack] jackets");
        assert_eq!(shown(&Marks::default().all("a <b>")), "a <b>");
    }

    #[test]
    fn fragments_start_before_the_first_match_and_show_what_was_cut() {
        let text: Vec<String> = (1..=60).map(|i| format!("w{i}")).collect();
        let text = text.join(" ") + ".";
        let marks = Marks::new(&[vec!["w30".into()]], false);
        let fragment = shown(&marks.fragment(&text));
        assert!(fragment.starts_with("…w25 w26"), "{fragment}");
        assert!(fragment.contains("[w30]"), "{fragment}");
        assert!(fragment.ends_with("w49…"), "{fragment}");
        assert_eq!(fragment.split_whitespace().count(), FRAGMENT_WORDS);
        // Near the end: as many words as fit, the end kept whole.
        let late = shown(&Marks::new(&[vec!["w59".into()]], false).fragment(&text));
        assert!(late.starts_with("…w36 ") && late.ends_with("[w59] w60."), "{late}");
        // No match: the beginning.
        let none = shown(&Marks::new(&[vec!["zzz".into()]], false).fragment(&text));
        assert!(none.starts_with("w1 w2") && none.ends_with("w25…"), "{none}");
        // Short text: whole, no ellipsis.
        assert_eq!(shown(&marks.fragment("Warm w30, soft.")), "Warm [w30], soft.");
        assert_eq!(marks.fragment(""), "");
    }
}
