//! `/api/v1/search`: full-text product search with typo tolerance, filters, facets and sorting,
//! and `/api/v1/search/suggest` for as-you-type. Whichever engine answers (`meta.engine`), the
//! shape is the same.

use app::domain::PageRequest;
use app::domain::catalog::ProductStatus;
use app::domain::search::{Facets, SearchHit, SearchQuery, Suggestion};
use app::error::AppError;
use app::services::search;
use app::state::AppState;
use axum::Json;
use axum::extract::{OriginalUri, RawQuery, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::MaybeAuthenticated;
use super::envelope::{ApiQuery, DataEnvelope, ErrorEnvelope, ListEnvelope, ListLinks};

/// The search's parameters: the catalogue list's, plus `sort=relevance` and option filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchParams {
    /// What to look for: words of a product's name, category, options, description or SKU.
    /// Misspellings are forgiven (one typo from 5 letters, two from 9); the last word also
    /// matches words it begins. An exact SKU puts its product first. Absent: every product.
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    q: Option<String>,
    /// A category's id or slug; its subcategories' products are included.
    #[param(max_length = 100)]
    category: Option<String>,
    /// Lowest price of the cheapest active variant, a decimal in the store currency.
    #[param(value_type = Option<f64>, minimum = 0, maximum = 9999999999.0)]
    min_price: Option<String>,
    /// Highest price of the cheapest active variant (not below `min_price`).
    #[param(value_type = Option<f64>, minimum = 0, maximum = 9999999999.0)]
    max_price: Option<String>,
    /// Only products that can be bought now (`true`) or only sold-out ones (`false`).
    #[param(value_type = Option<bool>)]
    in_stock: Option<String>,
    /// Lowest average rating, 1 to 5.
    #[param(value_type = Option<f64>, minimum = 1, maximum = 5)]
    min_rating: Option<String>,
    /// `active` for everyone (the default); other statuses need `products:write`.
    #[param(value_type = Option<ProductStatus>)]
    status: Option<String>,
    /// `relevance` (the default; also when empty), or one of the catalogue list's orders.
    #[param(value_type = Option<String>, pattern = "^(relevance|newest|price_asc|price_desc|name|rating)?$")]
    sort: Option<String>,
    /// Page number, from 1. Default 1.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000)]
    page: Option<String>,
    /// Items per page, 1 to 100. Default 20.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    per_page: Option<String>,
}

/// A page of hits with the search's facets.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchEnvelope {
    pub data: Vec<SearchHit>,
    pub meta: SearchMeta,
    pub links: ListLinks,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchMeta {
    pub page: u32,
    pub per_page: u32,
    /// Every match, exact, not only this page's.
    pub total: u64,
    pub total_pages: u32,
    pub has_next: bool,
    /// `meilisearch` or `postgres`: which engine answered.
    pub engine: String,
    /// Time the search took on the server, in milliseconds.
    pub took_ms: f64,
    /// A corrected query when this one found nothing and a close one would.
    pub did_you_mean: Option<String>,
    pub facets: Facets,
}

/// Searches active products (staff with `products:write` may ask for another `status`).
/// Option filters are sent as `option.<name>=<value>`, e.g. `option.size=M&option.size=L&option.colour=navy`
/// (values of one option: any; different options: all).
#[utoipa::path(
    get,
    path = "/search",
    tag = "catalog",
    params(SearchParams),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of hits, the exact total and facet counts over every match", body = SearchEnvelope),
        (status = 400, description = "The query string can't be read", body = ErrorEnvelope),
        (status = 401, description = "An access token was sent and is not valid", body = ErrorEnvelope),
        (status = 403, description = "A status other than `active` without `products:write`", body = ErrorEnvelope),
        (status = 422, description = "A parameter is invalid (`details` names it), or no such category", body = ErrorEnvelope),
    )
)]
pub async fn search_products(
    State(state): State<AppState>,
    MaybeAuthenticated(actor): MaybeAuthenticated,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchEnvelope>, AppError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or_default()).map_err(|err| {
            AppError::new(
                app::error::ErrorCode::BadRequest,
                format!("unreadable query string: {err}"),
            )
        })?;
    let first = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let page = PageRequest::parse(first("page"), first("per_page"))?;
    let found = search::search(&state, actor.as_ref(), SearchQuery(pairs.clone()), page, false).await?;
    let list = ListEnvelope::new(found.hits, &uri);
    Ok(Json(SearchEnvelope {
        data: list.data,
        meta: SearchMeta {
            page: list.meta.page,
            per_page: list.meta.per_page,
            total: list.meta.total,
            total_pages: list.meta.total_pages,
            has_next: list.meta.has_next,
            engine: found.engine,
            took_ms: found.took_ms,
            did_you_mean: found.did_you_mean,
            facets: found.facets,
        },
        links: list.links,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What has been typed so far (at least two letters or digits, else no suggestions).
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    q: Option<String>,
}

/// As-you-type suggestions: up to 8, categories first, then products.
#[utoipa::path(
    get,
    path = "/search/suggest",
    tag = "catalog",
    params(SuggestParams),
    responses(
        (status = 200, description = "Suggestions, best first", body = DataEnvelope<Vec<Suggestion>>),
        (status = 422, description = "`q` is too long or holds control characters", body = ErrorEnvelope),
    )
)]
pub async fn suggest(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SuggestParams>,
) -> Result<Json<DataEnvelope<Vec<Suggestion>>>, AppError> {
    Ok(Json(DataEnvelope {
        data: search::suggest(&state, params.q.as_deref()).await?,
    }))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_products))
        .routes(routes!(suggest))
}
