//! Server functions of the staff area. Each checks its permission in the service: a stranger
//! gets 401, a customer 403.

use leptos::prelude::*;

use crate::domain::Page;
use crate::domain::identity::UserView;
use crate::error::AppError;

/// Who may open the staff area: the signed-in user, if their role has `dashboard:view`.
#[server(prefix = "/api/fn", endpoint = "admin_access", input = server_fn::codec::GetUrl)]
pub async fn admin_access() -> Result<UserView, AppError> {
    use super::{respond, web};
    use crate::services::identity;

    let actor = web::require_actor().await?;
    respond(identity::enter_staff_area(&actor))
}

/// Users matching `search`, one page at a time (`users:manage`).
#[server(prefix = "/api/fn", endpoint = "list_users", input = server_fn::codec::GetUrl)]
pub async fn list_users(search: Option<String>, page: Option<String>) -> Result<Page<UserView>, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let request = respond(PageRequest::parse(page.as_deref(), None))?;
    let state = state()?;
    respond(identity::list_users(&state, &actor, search.as_deref(), request).await)
}

/// Changes a user's role and whether the account is active (`users:manage`).
#[server(prefix = "/api/fn", endpoint = "update_user_access")]
pub async fn update_user_access(
    id: String,
    #[server(flatten)] input: crate::domain::identity::UpdateUserAccess,
) -> Result<UserView, AppError> {
    use super::{respond, state, web};
    use crate::domain::identity::UserId;
    use crate::services::identity;

    let actor = web::require_actor().await?;
    let id = respond(
        uuid::Uuid::parse_str(id.trim())
            .map(UserId)
            .map_err(|_| AppError::not_found("No such user.")),
    )?;
    let state = state()?;
    respond(identity::update_user_access(&state, &actor, id, input).await)
}

/// The order desk's list: every order, newest first, filtered (`orders:manage`).
#[server(prefix = "/api/fn", endpoint = "staff_orders", input = server_fn::codec::GetUrl)]
pub async fn staff_orders(
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    email: Option<String>,
    page: Option<String>,
) -> Result<Page<crate::domain::orders::OrderSummary>, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::services::orders::{self, OrderQuery};

    let actor = web::require_actor().await?;
    let request = respond(PageRequest::parse(page.as_deref(), None))?;
    let query = OrderQuery {
        all: true,
        status,
        from,
        to,
        email,
    };
    respond(orders::list_orders(&state()?, &actor, query, request).await)
}

/// One order for the desk (`orders:manage`).
#[server(prefix = "/api/fn", endpoint = "staff_order", input = server_fn::codec::GetUrl)]
pub async fn staff_order(id: String) -> Result<crate::domain::orders::OrderView, AppError> {
    use super::{respond, state, web};
    use crate::services::orders;

    let actor = web::require_actor().await?;
    let id = respond(order_id(&id))?;
    respond(orders::get_order_for_staff(&state()?, &actor, id).await)
}

#[cfg(feature = "ssr")]
fn order_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(raw.trim()).map_err(|_| AppError::not_found("No such order."))
}

/// Moves an order (`orders:manage`): the desk's buttons, one per move the order's state allows
/// (the machine refuses a second click's repeat). Back to the order afterwards.
#[server(prefix = "/api/fn", endpoint = "move_order")]
pub async fn move_order(
    id: String,
    status: String,
    note: Option<String>,
    tracking_number: Option<String>,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::services::orders;

    use crate::domain::orders::{ChangeOrderStatus, OrderStatus};
    use crate::error::FieldErrors;

    let actor = web::require_actor().await?;
    let order = respond(order_id(&id))?;
    let status = respond(
        OrderStatus::parse(&status)
            .map_err(|m| AppError::validation(FieldErrors::from([("status".to_owned(), vec![m])]))),
    )?;
    let change = ChangeOrderStatus {
        status,
        note,
        tracking_number,
        version: None,
    };
    respond(orders::change_status(&state()?, &actor, order, None, change).await)?;
    leptos_axum::redirect(&format!("/admin/orders/{order}?moved=1"));
    Ok(())
}

/// Sends the customer a copy of their order again (`orders:manage`).
#[server(prefix = "/api/fn", endpoint = "resend_order_mail")]
pub async fn resend_order_mail(id: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::services::orders;

    let actor = web::require_actor().await?;
    let order = respond(order_id(&id))?;
    respond(orders::resend_order_mail(&state()?, &actor, order).await)?;
    leptos_axum::redirect(&format!("/admin/orders/{order}?resent=1"));
    Ok(())
}

/// What the pricing page shows: tax rates, shipping methods and discount codes, each a page of
/// its own list (`pricing:write`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PricingOverview {
    pub rates: Page<crate::domain::pricing::rules::TaxRateView>,
    pub methods: Page<crate::domain::pricing::rules::ShippingMethodView>,
    pub codes: Page<crate::domain::pricing::discounts::DiscountCodeView>,
}

#[server(prefix = "/api/fn", endpoint = "staff_pricing", input = server_fn::codec::GetUrl)]
pub async fn staff_pricing(
    rates_page: Option<String>,
    methods_page: Option<String>,
    codes_page: Option<String>,
) -> Result<PricingOverview, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::services::pricing;

    let actor = web::require_actor().await?;
    let state = state()?;
    let page = |raw: Option<String>| respond(PageRequest::parse(raw.as_deref(), Some("20")));
    // The codes are staff's only: reading them checks the permission first.
    let codes = respond(pricing::list_discount_codes(&state, &actor, None, page(codes_page)?).await)?;
    let rates = respond(pricing::list_tax_rates(&state, page(rates_page)?).await)?;
    let methods = respond(pricing::list_shipping_methods(&state, Some(&actor), None, page(methods_page)?).await)?;
    Ok(PricingOverview { rates, methods, codes })
}

/// Sets a country's tax rate (`pricing:write`).
#[server(prefix = "/api/fn", endpoint = "set_tax_rate")]
pub async fn set_tax_rate(country: String, rate: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::pricing::rules::TaxRateInput;
    use crate::services::pricing;

    let actor = web::require_actor().await?;
    let input = TaxRateInput { rate, version: None };
    respond(pricing::put_tax_rate(&state()?, &actor, &country, None, input).await)?;
    leptos_axum::redirect("/admin/pricing?saved=1");
    Ok(())
}

/// Removes a country's tax rate (`pricing:write`): it is taxed at 0 % from then on.
#[server(prefix = "/api/fn", endpoint = "remove_tax_rate")]
pub async fn remove_tax_rate(country: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::services::pricing;

    let actor = web::require_actor().await?;
    respond(pricing::delete_tax_rate(&state()?, &actor, &country).await)?;
    leptos_axum::redirect("/admin/pricing?saved=1");
    Ok(())
}

/// A new shipping method from the form; `countries` is a comma- or space-separated list.
#[server(prefix = "/api/fn", endpoint = "add_shipping_method")]
pub async fn add_shipping_method(
    name: String,
    price: String,
    free_above: Option<String>,
    countries: String,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::pricing::rules::CreateShippingMethod;
    use crate::services::pricing;

    let actor = web::require_actor().await?;
    let input = CreateShippingMethod {
        name,
        price,
        free_above: free_above.filter(|f| !f.trim().is_empty()),
        countries: countries
            .split([',', ' '])
            .filter(|c| !c.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        active: Some(true),
    };
    respond(pricing::create_shipping_method(&state()?, &actor, input).await)?;
    leptos_axum::redirect("/admin/pricing?saved=1");
    Ok(())
}

/// Switches a shipping method on or off (`pricing:write`).
#[server(prefix = "/api/fn", endpoint = "switch_shipping_method")]
pub async fn switch_shipping_method(id: String, active: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::pricing::rules::UpdateShippingMethod;
    use crate::services::pricing;

    let actor = web::require_actor().await?;
    let id = respond(uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::not_found("No such shipping method.")))?;
    let input = UpdateShippingMethod {
        active: Some(active == "true"),
        ..Default::default()
    };
    respond(pricing::update_shipping_method(&state()?, &actor, id, None, input).await)?;
    leptos_axum::redirect("/admin/pricing?saved=1");
    Ok(())
}

/// A new discount code from the form (`pricing:write`); empty fields are left out.
#[server(prefix = "/api/fn", endpoint = "add_discount_code")]
pub async fn add_discount_code(
    code: String,
    kind: String,
    value: String,
    min_subtotal: Option<String>,
    usage_limit: Option<String>,
    per_customer_limit: Option<String>,
    ends_at: Option<String>,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::pricing::discounts::{CreateDiscountCode, DiscountKind};
    use crate::error::FieldErrors;
    use crate::services::pricing;

    let actor = web::require_actor().await?;
    let given = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut errors = FieldErrors::new();
    let mut count = |field: &str, raw: Option<String>| -> Option<i32> {
        let raw = given(raw)?;
        raw.parse().ok().or_else(|| {
            errors.insert(field.to_owned(), vec!["must be a whole number".to_owned()]);
            None
        })
    };
    let usage_limit = count("usage_limit", usage_limit);
    let per_customer_limit = count("per_customer_limit", per_customer_limit);
    let kind = match kind.as_str() {
        "fixed" => DiscountKind::Fixed,
        _ => DiscountKind::Percent,
    };
    if !errors.is_empty() {
        return respond(Err(AppError::validation(errors)));
    }
    // A date from the form's date field ends the code at the start of that day (UTC).
    let ends_at = given(ends_at).map(|d| if d.len() == 10 { format!("{d}T00:00:00Z") } else { d });
    let input = CreateDiscountCode {
        code,
        kind,
        value,
        min_subtotal: given(min_subtotal),
        starts_at: None,
        ends_at,
        usage_limit,
        per_customer_limit,
        active: Some(true),
    };
    respond(pricing::create_discount_code(&state()?, &actor, input).await)?;
    leptos_axum::redirect("/admin/pricing?saved=1");
    Ok(())
}

/// Switches a discount code on or off (`pricing:write`).
#[server(prefix = "/api/fn", endpoint = "switch_discount_code")]
pub async fn switch_discount_code(id: String, active: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::pricing::discounts::UpdateDiscountCode;
    use crate::services::pricing;

    let actor = web::require_actor().await?;
    let id = respond(uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::not_found("No such discount code.")))?;
    let input = UpdateDiscountCode {
        active: Some(active == "true"),
        ..Default::default()
    };
    respond(pricing::update_discount_code(&state()?, &actor, id, None, input).await)?;
    leptos_axum::redirect("/admin/pricing?saved=1");
    Ok(())
}

/// Changes a discount code's value and rules from its edit form (`pricing:write`); an empty
/// field removes that rule (minimum, limits, end date).
#[server(prefix = "/api/fn", endpoint = "edit_discount_code")]
pub async fn edit_discount_code(
    id: String,
    version: String,
    value: String,
    min_subtotal: String,
    usage_limit: String,
    per_customer_limit: String,
    ends_at: String,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::pricing::discounts::UpdateDiscountCode;
    use crate::error::FieldErrors;
    use crate::services::pricing;

    let actor = web::require_actor().await?;
    let id = respond(uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::not_found("No such discount code.")))?;
    let given = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut errors = FieldErrors::new();
    let mut count = |field: &str, raw: &str| -> Option<i32> {
        let raw = given(raw)?;
        raw.parse().ok().or_else(|| {
            errors.insert(field.to_owned(), vec!["must be a whole number".to_owned()]);
            None
        })
    };
    let usage_limit = count("usage_limit", &usage_limit);
    let per_customer_limit = count("per_customer_limit", &per_customer_limit);
    if !errors.is_empty() {
        return respond(Err(AppError::validation(errors)));
    }
    let ends_at = given(&ends_at).map(|d| if d.len() == 10 { format!("{d}T00:00:00Z") } else { d });
    let input = UpdateDiscountCode {
        value: Some(value),
        min_subtotal: Some(given(&min_subtotal)),
        usage_limit: Some(usage_limit),
        per_customer_limit: Some(per_customer_limit),
        ends_at: Some(ends_at),
        version: version.trim().parse().ok(),
        ..Default::default()
    };
    respond(pricing::update_discount_code(&state()?, &actor, id, None, input).await)?;
    leptos_axum::redirect("/admin/pricing?saved=1");
    Ok(())
}

/// Changes a shipping method's name, price, free-from amount and countries (`pricing:write`).
#[server(prefix = "/api/fn", endpoint = "edit_shipping_method")]
pub async fn edit_shipping_method(
    id: String,
    version: String,
    name: String,
    price: String,
    free_above: String,
    countries: String,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::pricing::rules::UpdateShippingMethod;
    use crate::services::pricing;

    let actor = web::require_actor().await?;
    let id = respond(uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::not_found("No such shipping method.")))?;
    let input = UpdateShippingMethod {
        name: Some(name),
        price: Some(price),
        free_above: Some(Some(free_above.trim().to_owned()).filter(|f| !f.is_empty())),
        countries: Some(
            countries
                .split([',', ' '])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        version: version.trim().parse().ok(),
        ..Default::default()
    };
    respond(pricing::update_shipping_method(&state()?, &actor, id, None, input).await)?;
    leptos_axum::redirect("/admin/pricing?saved=1");
    Ok(())
}

/// The moderation queue: reviews in `status` (pending by default), oldest first
/// (`reviews:moderate`).
#[server(prefix = "/api/fn", endpoint = "staff_reviews", input = server_fn::codec::GetUrl)]
pub async fn staff_reviews(
    status: Option<String>,
    page: Option<String>,
) -> Result<Page<crate::domain::catalog::reviews::ReviewView>, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::services::catalog::reviews;

    let actor = web::require_actor().await?;
    let request = respond(PageRequest::parse(page.as_deref(), None))?;
    respond(reviews::list_reviews(&state()?, &actor, status.as_deref(), request).await)
}

/// Approves or rejects the ticked reviews (`ids[]`) at once (`reviews:moderate`).
#[server(prefix = "/api/fn", endpoint = "moderate_reviews")]
pub async fn moderate_reviews(#[server(default)] ids: Vec<String>, status: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::catalog::reviews::ReviewId;
    use crate::services::catalog::reviews;

    let actor = web::require_actor().await?;
    let ids: Vec<ReviewId> = respond(
        ids.iter()
            .map(|id| uuid::Uuid::parse_str(id.trim()).map(ReviewId))
            .collect::<Result<_, _>>()
            .map_err(|_| AppError::not_found("No such review.")),
    )?;
    let done = respond(reviews::moderate_reviews(&state()?, &actor, &ids, &status).await)?;
    leptos_axum::redirect(&format!("/admin/reviews?done={done}&decision={}", status.trim()));
    Ok(())
}

/// A category id from a form: empty is none (the top level).
#[cfg(feature = "ssr")]
fn parent(raw: Option<String>) -> Result<Option<crate::domain::CategoryId>, AppError> {
    match raw.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(raw) => uuid::Uuid::parse_str(raw)
            .map(|id| Some(crate::domain::CategoryId(id)))
            .map_err(|_| {
                AppError::validation(crate::error::FieldErrors::from([(
                    "parent_id".to_owned(),
                    vec!["is not a category".to_owned()],
                )]))
            }),
    }
}

/// A position from a form: a whole number (empty is 0).
#[cfg(feature = "ssr")]
fn position(raw: Option<String>) -> Result<i32, AppError> {
    let raw = raw.unwrap_or_default();
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0);
    }
    raw.parse().map_err(|_| {
        AppError::validation(crate::error::FieldErrors::from([(
            "position".to_owned(),
            vec!["must be a whole number".to_owned()],
        )]))
    })
}

/// A new category (`products:write`), at the top level or under `parent_id`.
#[server(prefix = "/api/fn", endpoint = "add_category")]
pub async fn add_category(name: String, parent_id: Option<String>, position: Option<String>) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::catalog::CreateCategory;
    use crate::services::catalog;

    let actor = web::require_actor().await?;
    let input = CreateCategory {
        parent_id: respond(parent(parent_id))?,
        name,
        slug: None,
        description: String::new(),
        position: respond(self::position(position))?,
    };
    respond(catalog::create_category(&state()?, &actor, input).await)?;
    leptos_axum::redirect("/admin/categories?saved=1");
    Ok(())
}

/// Renames, moves or reorders a category (`products:write`); a move under itself or one of its
/// subcategories is refused, and so is a change based on a stale `version`.
#[server(prefix = "/api/fn", endpoint = "save_category")]
pub async fn save_category(
    id: String,
    version: Option<String>,
    name: String,
    parent_id: Option<String>,
    position: Option<String>,
) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::CategoryId;
    use crate::domain::catalog::UpdateCategory;
    use crate::services::catalog;

    let actor = web::require_actor().await?;
    let id = respond(
        uuid::Uuid::parse_str(id.trim())
            .map(CategoryId)
            .map_err(|_| AppError::not_found("No such category.")),
    )?;
    let input = UpdateCategory {
        parent_id: Some(respond(parent(parent_id))?),
        name: Some(name),
        slug: None,
        description: None,
        position: Some(respond(self::position(position))?),
        version: version.and_then(|v| v.trim().parse().ok()),
    };
    respond(catalog::update_category(&state()?, &actor, id, None, input).await)?;
    leptos_axum::redirect("/admin/categories?saved=1");
    Ok(())
}

/// The whole category tree, for the tree editor (staff area).
#[server(prefix = "/api/fn", endpoint = "staff_categories", input = server_fn::codec::GetUrl)]
pub async fn staff_categories() -> Result<Vec<crate::domain::catalog::CategoryView>, AppError> {
    use super::{respond, state, web};
    use crate::services::{catalog, identity};

    let actor = web::require_actor().await?;
    respond(identity::enter_staff_area(&actor))?;
    respond(catalog::list_categories(&state()?).await)
}

/// The filters of the staff's product table, as the URL carries them.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProductTableQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub in_stock: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
}

/// The staff's product table: search (the search engine's, see `services::search`), status,
/// category, stock state, sort, one page at a time (staff area; other statuses than active need `products:write`).
#[server(prefix = "/api/fn", endpoint = "staff_products", input = server_fn::codec::GetUrl)]
pub async fn staff_products(
    #[server(flatten)] query: ProductTableQuery,
) -> Result<Page<crate::domain::catalog::ProductView>, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::domain::catalog::ProductQuery;
    use crate::services::{catalog, identity};

    let actor = web::require_actor().await?;
    respond(identity::enter_staff_area(&actor))?;
    let page = respond(PageRequest::parse(query.page.as_deref(), None))?;
    let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    // Typing in the search box: the search engine (typos forgiven, every status, products not
    // yet purchasable too) for staff who may see every status; the plain list otherwise.
    if query.q.as_deref().is_some_and(|q| !q.trim().is_empty())
        && actor.role.can(crate::domain::identity::Permission::ProductsWrite)
    {
        use crate::domain::search::SearchQuery;
        use crate::services::search;
        let pairs: Vec<(String, String)> = [
            ("q", query.q),
            ("status", query.status),
            ("category", query.category),
            ("in_stock", query.in_stock),
            ("sort", query.sort),
        ]
        .into_iter()
        .filter_map(|(k, v)| given(v).map(|v| (k.to_owned(), v)))
        .collect();
        let found = respond(search::search(&state()?, Some(&actor), SearchQuery(pairs), page, true).await)?;
        let hits = found.hits;
        return Ok(Page {
            items: hits.items.into_iter().map(|hit| hit.product).collect(),
            page: hits.page,
            per_page: hits.per_page,
            total: hits.total,
        });
    }
    let filter = ProductQuery {
        q: given(query.q),
        status: given(query.status),
        category: given(query.category),
        in_stock: given(query.in_stock),
        sort: given(query.sort),
        ..Default::default()
    };
    respond(catalog::list_products(&state()?, Some(&actor), filter, page).await)
}

/// Publishes or archives the ticked products (`ids[]`) at once (`products:write`).
#[server(prefix = "/api/fn", endpoint = "bulk_product_status")]
pub async fn bulk_product_status(#[server(default)] ids: Vec<String>, status: String) -> Result<(), AppError> {
    use super::{respond, state, web};
    use crate::domain::ProductId;
    use crate::domain::catalog::ProductStatus;
    use crate::error::FieldErrors;
    use crate::services::catalog::editing;

    let actor = web::require_actor().await?;
    let made = status.trim().to_owned();
    let status = respond(
        ProductStatus::parse(&made)
            .map_err(|m| AppError::validation(FieldErrors::from([("status".to_owned(), vec![m])]))),
    )?;
    let ids: Vec<ProductId> = respond(
        ids.iter()
            .map(|id| uuid::Uuid::parse_str(id.trim()).map(ProductId))
            .collect::<Result<_, _>>()
            .map_err(|_| AppError::not_found("No such product.")),
    )?;
    let done = respond(editing::set_status_many(&state()?, &actor, &ids, status).await)?;
    leptos_axum::redirect(&format!("/admin/products?done={done}&made={made}"));
    Ok(())
}

/// Catalogue imports, newest first (`products:write`).
#[server(prefix = "/api/fn", endpoint = "staff_imports", input = server_fn::codec::GetUrl)]
pub async fn staff_imports(
    page: Option<String>,
) -> Result<Page<crate::domain::catalog::transfer::ImportView>, AppError> {
    use super::{respond, state, web};
    use crate::domain::PageRequest;
    use crate::services::catalog::transfer;

    let actor = web::require_actor().await?;
    let page = respond(PageRequest::parse(page.as_deref(), Some("10")))?;
    respond(transfer::list_imports(&state()?, &actor, page).await)
}

/// One catalogue import, with its progress or result (`products:write`).
#[server(prefix = "/api/fn", endpoint = "staff_import", input = server_fn::codec::GetUrl)]
pub async fn staff_import(id: String) -> Result<crate::domain::catalog::transfer::ImportView, AppError> {
    use super::{respond, state, web};
    use crate::services::catalog::transfer;

    let actor = web::require_actor().await?;
    let id = respond(uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::not_found("No such import.")))?;
    respond(transfer::get_import(&state()?, &actor, id).await)
}

/// The refusal of the last upload on the imports page, shown once (then forgotten).
#[server(prefix = "/api/fn", endpoint = "take_upload_error", input = server_fn::codec::GetUrl)]
pub async fn take_upload_error() -> Result<Option<AppError>, AppError> {
    use super::web;
    use crate::domain::catalog::transfer::UPLOAD_ERROR_KEY;

    web::require_actor().await?;
    let error = web::get::<AppError>(UPLOAD_ERROR_KEY).await?;
    web::forget(UPLOAD_ERROR_KEY).await?;
    Ok(error)
}
