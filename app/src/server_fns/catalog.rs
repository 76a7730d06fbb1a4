//! Server functions of the catalogue.

use leptos::prelude::*;

use crate::domain::{Page, ProductView};
use crate::error::AppError;

/// One page of the storefront's product listing. `page` and `per_page` arrive as typed by the
/// shopper (query string) and are validated by the same parser the REST API uses.
#[server(prefix = "/api/fn", endpoint = "list_products", input = server_fn::codec::GetUrl)]
pub async fn list_products(page: Option<String>, per_page: Option<String>) -> Result<Page<ProductView>, AppError> {
    use super::{respond, state};
    use crate::domain::PageRequest;
    use crate::services::catalog;

    let request = respond(PageRequest::parse(page.as_deref(), per_page.as_deref()))?;
    let state = respond(state())?;
    respond(catalog::list_products(&state, None, Default::default(), request).await)
}
