//! Server functions of search: the results page. The page sends its query string as it stands
//! (`option.size=M` may repeat), parsed on the server by the same rules as `GET /api/v1/search`.

use leptos::prelude::*;

use crate::domain::search::SearchResults;
use crate::error::AppError;

/// Results per page on the storefront.
pub const PER_PAGE: &str = "24";

/// The results page: `query` is the page's query string (without `?`).
#[server(prefix = "/api/fn", endpoint = "search_page", input = server_fn::codec::GetUrl)]
pub async fn search_page(query: String) -> Result<SearchResults, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::domain::search::SearchQuery;
    use crate::services::search;

    let pairs: Vec<(String, String)> = respond(
        serde_urlencoded::from_str(&query)
            .map_err(|_| AppError::new(crate::error::ErrorCode::BadRequest, "The search address can't be read.")),
    )?;
    let page = pairs.iter().find(|(k, _)| k == "page").map(|(_, v)| v.clone());
    let request = respond(PageRequest::parse(page.as_deref(), Some(PER_PAGE)))?;
    let state = respond(state())?;
    let actor = web::actor().await?;
    respond(search::search(&state, actor.as_ref(), SearchQuery(pairs), request, false).await)
}
