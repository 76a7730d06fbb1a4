//! The search suite both engines must pass, on one fixed catalogue: relevance order, typos,
//! prefixes, every filter, facet counts equal to a direct SQL count, sorting, pagination,
//! highlights, suggestions, drafts hidden, and the index following writes. `api::search` runs
//! it on PostgreSQL; the `meilisearch` test target on a real Meilisearch when one is installed.

use std::time::{Duration, Instant};

use app::domain::identity::Role;
use serde_json::{Value, json};
use server::config::Secret;

use crate::helpers::{TestApp, send, spawn_app_with, token_for};

/// The engine a test runs against.
#[derive(Clone, Debug)]
pub struct Target {
    /// What `meta.engine` must say.
    pub engine: &'static str,
    /// Meilisearch's URL and master key.
    pub meili: Option<(String, String)>,
}

impl Target {
    pub fn postgres() -> Self {
        Self {
            engine: "postgres",
            meili: None,
        }
    }

    #[allow(dead_code)] // The `meilisearch` target uses it; `api` runs PostgreSQL only.
    pub fn meilisearch(url: &str, key: &str) -> Self {
        Self {
            engine: "meilisearch",
            meili: Some((url.to_owned(), key.to_owned())),
        }
    }

    /// An app on this engine, with an index of its own.
    pub async fn spawn(&self) -> TestApp {
        let meili = self.meili.clone();
        spawn_app_with(
            move |s| {
                if let Some((url, key)) = meili {
                    s.search.meilisearch_url = Some(url);
                    s.search.meilisearch_key = Some(Secret::new(key));
                    s.search.meilisearch_index = format!("test_{}", uuid::Uuid::new_v4().simple());
                    s.search.meilisearch_timeout = Duration::from_secs(5);
                }
            },
            axum::Router::new(),
        )
        .await
    }
}

/// Waits until the index holds every change (a no-op wait on PostgreSQL, whose documents are
/// written with the change itself).
pub async fn settle(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let synced = app::services::search::sync_index(&app.state).await;
        let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM search_outbox")
            .fetch_one(&app.db)
            .await
            .unwrap();
        if app.state.search.meili().is_none() || (synced.is_ok() && pending == 0) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the index did not catch up: {synced:?}, {pending} pending"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `GET /api/v1/search?{query}`: asserts a 200 from the target's engine and returns the body.
pub async fn search(app: &TestApp, target: &Target, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/search?{query}")).await;
    assert_eq!(response.status().as_u16(), 200, "{query}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["meta"]["engine"], target.engine, "{query}: {}", body["meta"]);
    body
}

/// `GET /api/v1/search?{query}` from whichever engine answers.
#[allow(dead_code)] // The `meilisearch` target uses it.
pub async fn search_any(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/search?{query}")).await;
    assert_eq!(response.status().as_u16(), 200, "{query}");
    response.json().await.unwrap()
}

/// The hits' product names, in order.
pub fn names(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["product"]["name"].as_str().unwrap().to_owned())
        .collect()
}

pub async fn names_for(app: &TestApp, target: &Target, query: &str) -> Vec<String> {
    names(&search(app, target, query).await)
}

/// The shop every case searches, and its staff token.
pub struct Fixture {
    pub staff: String,
}

async fn create(app: &TestApp, staff: &str, path: &str, body: Value) -> Value {
    let response = send(app, reqwest::Method::POST, path, staff, Some(body)).await;
    assert_eq!(response.status().as_u16(), 201, "{path}");
    let body: Value = response.json().await.unwrap();
    body["data"].clone()
}

fn variant(sku: &str, options: Value, price: &str, stock: i32) -> Value {
    json!({"sku": sku, "options": options, "price": price, "stock": stock})
}

/// Clothing › {Jackets, Shirts}, and Home; six products (one a draft), created oldest to
/// newest in this order:
/// - Waterproof Jacket (Jackets): M/Navy 120.00 ×5, L/Red 130.00 sold out; rated 4.5
/// - Linen Shirt (Shirts): M/White 45.00 ×3; rated 3.2
/// - Trail Mug (Home): 12.00 ×10, "jacket" in its description; rated 5.0
/// - Rain Poncho (Jackets): M/Yellow 30.00, sold out
/// - Secret Jacket (Jackets): a draft
/// - Wool Sweater (Clothing): S/Grey 80.00 ×2, a description with markup characters
pub async fn fixture(app: &TestApp) -> Fixture {
    let staff = token_for(app, "buyer@example.com", Role::Admin).await;
    let clothing = create(app, &staff, "/api/v1/categories", json!({"name": "Clothing"})).await;
    let jackets = create(
        app,
        &staff,
        "/api/v1/categories",
        json!({"name": "Jackets", "parent_id": clothing["id"]}),
    )
    .await;
    let shirts = create(
        app,
        &staff,
        "/api/v1/categories",
        json!({"name": "Shirts", "parent_id": clothing["id"]}),
    )
    .await;
    let home = create(app, &staff, "/api/v1/categories", json!({"name": "Home"})).await;
    let products = [
        json!({"name": "Waterproof Jacket", "category_id": jackets["id"], "status": "active",
               "description": "Breathable shell for rainy hikes.",
               "variants": [variant("WJ-NAVY-M", json!({"size": "M", "colour": "Navy"}), "120.00", 5),
                            variant("WJ-RED-L", json!({"size": "L", "colour": "Red"}), "130.00", 0)]}),
        json!({"name": "Linen Shirt", "category_id": shirts["id"], "status": "active",
               "description": "Light summer shirt.",
               "variants": [variant("SH-WHITE-M", json!({"size": "M", "colour": "White"}), "45.00", 3)]}),
        json!({"name": "Trail Mug", "category_id": home["id"], "status": "active",
               "description": "Enamel mug that goes well with a jacket on cold mornings.",
               "variants": [variant("MUG-1", json!({}), "12.00", 10)]}),
        json!({"name": "Rain Poncho", "category_id": jackets["id"], "status": "active",
               "description": "Packs small.",
               "variants": [variant("PONCHO-1", json!({"size": "M", "colour": "Yellow"}), "30.00", 0)]}),
        json!({"name": "Secret Jacket", "category_id": jackets["id"], "status": "draft",
               "description": "Not out yet.",
               "variants": [variant("SECRET-1", json!({"size": "M"}), "99.00", 1)]}),
        json!({"name": "Wool Sweater", "category_id": clothing["id"], "status": "active",
               "description": "Warm <knit> & soft.",
               "variants": [variant("SW-GREY-S", json!({"size": "S", "colour": "Grey"}), "80.00", 2)]}),
    ];
    for product in products {
        create(app, &staff, "/api/v1/products", product).await;
    }
    // Ratings as approved reviews would leave them (review moderation has its own tests).
    for (name, rating) in [
        ("Waterproof Jacket", "4.5"),
        ("Linen Shirt", "3.2"),
        ("Trail Mug", "5.0"),
    ] {
        sqlx::query("UPDATE products SET rating_average = $2::numeric, rating_count = 1 WHERE name = $1")
            .bind(name)
            .bind(rating)
            .execute(&app.db)
            .await
            .unwrap();
    }
    settle(app).await;
    Fixture { staff }
}

pub async fn relevance_typos_and_prefixes(target: Target) {
    let app = target.spawn().await;
    fixture(&app).await;
    // Name, then category, then description.
    assert_eq!(
        names_for(&app, &target, "q=jacket").await,
        ["Waterproof Jacket", "Rain Poncho", "Trail Mug"]
    );
    // One typo from five letters, two from nine; none below five.
    assert_eq!(names_for(&app, &target, "q=jackrt").await[0], "Waterproof Jacket");
    assert_eq!(names_for(&app, &target, "q=sweatr").await, ["Wool Sweater"]);
    assert_eq!(
        names_for(&app, &target, "q=waterpruf%20jacket").await,
        ["Waterproof Jacket"]
    );
    assert!(
        names_for(&app, &target, "q=jxckrt").await.is_empty(),
        "two typos in six letters"
    );
    assert!(
        names_for(&app, &target, "q=mog").await.is_empty(),
        "no typo in three letters"
    );
    // As you type: the last word matches the words it begins.
    assert_eq!(names_for(&app, &target, "q=lin").await, ["Linen Shirt"]);
    assert_eq!(
        names_for(&app, &target, "q=waterproof%20ja").await,
        ["Waterproof Jacket"]
    );
    // Every word must match.
    assert!(names_for(&app, &target, "q=linen%20mug").await.is_empty());
    // Option values and SKUs are searchable; an exact SKU puts its product first.
    assert_eq!(names_for(&app, &target, "q=yellow").await, ["Rain Poncho"]);
    assert_eq!(names_for(&app, &target, "q=SH-WHITE-M").await[0], "Linen Shirt");
}

pub async fn filters_and_drafts(target: Target) {
    let app = target.spawn().await;
    let fixture = fixture(&app).await;
    let mut clothing = names_for(&app, &target, "category=clothing").await;
    clothing.sort();
    assert_eq!(
        clothing,
        ["Linen Shirt", "Rain Poncho", "Waterproof Jacket", "Wool Sweater"]
    );
    let mut priced = names_for(&app, &target, "min_price=40&max_price=100").await;
    priced.sort();
    assert_eq!(priced, ["Linen Shirt", "Wool Sweater"]);
    let mut in_stock = names_for(&app, &target, "in_stock=true").await;
    in_stock.sort();
    assert_eq!(
        in_stock,
        ["Linen Shirt", "Trail Mug", "Waterproof Jacket", "Wool Sweater"]
    );
    assert_eq!(names_for(&app, &target, "in_stock=false").await, ["Rain Poncho"]);
    let mut rated = names_for(&app, &target, "min_rating=4").await;
    rated.sort();
    assert_eq!(rated, ["Trail Mug", "Waterproof Jacket"]);
    let mut size_m = names_for(&app, &target, "option.size=M").await;
    size_m.sort();
    assert_eq!(size_m, ["Linen Shirt", "Rain Poncho", "Waterproof Jacket"]);
    assert_eq!(
        names_for(&app, &target, "option.size=M&option.colour=Navy").await,
        ["Waterproof Jacket"]
    );
    let mut m_or_s = names_for(&app, &target, "option.size=M&option.size=S").await;
    m_or_s.sort();
    assert_eq!(
        m_or_s,
        ["Linen Shirt", "Rain Poncho", "Waterproof Jacket", "Wool Sweater"]
    );
    assert_eq!(
        names_for(&app, &target, "q=jacket&category=jackets&in_stock=true").await,
        ["Waterproof Jacket"]
    );
    // Drafts: never for shoppers; staff may ask for them.
    assert!(names_for(&app, &target, "q=secret").await.is_empty());
    let all = search(&app, &target, "").await;
    assert_eq!(all["meta"]["total"], 5, "{}", all["meta"]);
    let response = app.get("/api/v1/search?status=draft").await;
    assert_eq!(response.status().as_u16(), 403);
    let response = app
        .client
        .get(app.url("/api/v1/search?status=draft&q=jacket"))
        .bearer_auth(&fixture.staff)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(names(&body), ["Secret Jacket"]);
}

/// The facet's `(value, count)` pairs.
fn facet(body: &Value, name: &str) -> Vec<(String, u64)> {
    let values = match name.strip_prefix("option.") {
        Some(option) => &body["meta"]["facets"]["options"][option],
        None => &body["meta"]["facets"][name],
    };
    let mut out: Vec<(String, u64)> = values
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|f| (f["value"].as_str().unwrap().to_owned(), f["count"].as_u64().unwrap()))
        .collect();
    out.sort();
    out
}

/// Counts straight from the catalogue tables (not from what search keeps).
async fn sql_counts(app: &TestApp, sql: &str) -> Vec<(String, u64)> {
    let rows: Vec<(String, i64)> = sqlx::query_as(sql).fetch_all(&app.db).await.unwrap();
    let mut out: Vec<(String, u64)> = rows.into_iter().map(|(k, n)| (k, n as u64)).collect();
    out.sort();
    out
}

/// Active products with an active variant.
const SHOPPABLE: &str =
    "p.status = 'active' AND EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.active)";

pub async fn facet_counts_match_sql(target: Target) {
    let app = target.spawn().await;
    fixture(&app).await;
    let body = search(&app, &target, "").await;
    let categories = sql_counts(
        &app,
        &format!(
            "WITH RECURSIVE up AS (
                 SELECT p.id AS product, c.id, c.parent_id FROM products p JOIN categories c ON c.id = p.category_id
                 WHERE {SHOPPABLE}
                 UNION ALL SELECT up.product, c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id)
             SELECT c.slug, count(DISTINCT up.product) FROM up JOIN categories c ON c.id = up.id GROUP BY c.slug"
        ),
    )
    .await;
    assert_eq!(facet(&body, "categories"), categories);
    let sizes = sql_counts(
        &app,
        &format!(
            "SELECT v.options->>'size', count(DISTINCT p.id) FROM products p JOIN product_variants v ON v.product_id = p.id
             WHERE {SHOPPABLE} AND v.active AND v.options ? 'size' GROUP BY 1"
        ),
    )
    .await;
    assert_eq!(facet(&body, "option.size"), sizes);
    assert_eq!(sizes, [("L".to_owned(), 1), ("M".to_owned(), 3), ("S".to_owned(), 1)]);
    let prices = sql_counts(
        &app,
        &format!(
            "SELECT CASE WHEN m < 25 THEN '0-25' WHEN m < 50 THEN '25-50' WHEN m < 100 THEN '50-100'
                         WHEN m < 200 THEN '100-200' WHEN m < 500 THEN '200-500' ELSE '500-' END, count(*)
             FROM (SELECT (SELECT min(price) FROM product_variants v WHERE v.product_id = p.id AND v.active) AS m
                   FROM products p WHERE {SHOPPABLE}) x GROUP BY 1"
        ),
    )
    .await;
    assert_eq!(facet(&body, "price"), prices);
    let ratings = sql_counts(
        &app,
        &format!(
            "SELECT s::text, count(*) FROM products p, generate_series(1, 4) s
             WHERE {SHOPPABLE} AND p.rating_average >= s GROUP BY s"
        ),
    )
    .await;
    assert_eq!(facet(&body, "rating"), ratings);
    // Facets count what the query and filters found, not the whole catalogue.
    let narrowed = search(&app, &target, "q=jacket&option.size=M").await;
    assert_eq!(narrowed["meta"]["total"], 2);
    // A product counts under each value one of its variants has (the jacket comes in navy and red).
    assert_eq!(
        facet(&narrowed, "option.colour"),
        [("Navy".to_owned(), 1), ("Red".to_owned(), 1), ("Yellow".to_owned(), 1)]
    );
    let labels: Vec<&str> = narrowed["meta"]["facets"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"Jackets") && labels.contains(&"Clothing"),
        "{labels:?}"
    );
}

pub async fn sorting_and_pagination(target: Target) {
    let app = target.spawn().await;
    fixture(&app).await;
    let cheapest = [
        "Trail Mug",
        "Rain Poncho",
        "Linen Shirt",
        "Wool Sweater",
        "Waterproof Jacket",
    ];
    assert_eq!(names_for(&app, &target, "sort=price_asc").await, cheapest);
    let dearest: Vec<&str> = cheapest.iter().rev().copied().collect();
    assert_eq!(names_for(&app, &target, "sort=price_desc").await, dearest);
    assert_eq!(
        names_for(&app, &target, "sort=newest").await,
        [
            "Wool Sweater",
            "Rain Poncho",
            "Trail Mug",
            "Linen Shirt",
            "Waterproof Jacket"
        ]
    );
    assert_eq!(
        names_for(&app, &target, "sort=name").await,
        [
            "Linen Shirt",
            "Rain Poncho",
            "Trail Mug",
            "Waterproof Jacket",
            "Wool Sweater"
        ]
    );
    assert_eq!(
        names_for(&app, &target, "sort=rating").await[..3],
        ["Trail Mug", "Waterproof Jacket", "Linen Shirt"]
    );
    // A query with an explicit sort: the matches, in that order.
    assert_eq!(
        names_for(&app, &target, "q=jacket&sort=price_asc").await,
        ["Trail Mug", "Rain Poncho", "Waterproof Jacket"]
    );
    let page = search(&app, &target, "sort=price_asc&per_page=2&page=2").await;
    assert_eq!(names(&page), ["Linen Shirt", "Wool Sweater"]);
    assert_eq!(page["meta"]["total"], 5);
    assert_eq!(page["meta"]["total_pages"], 3);
    assert_eq!(page["links"]["next"], "/api/v1/search?sort=price_asc&page=3&per_page=2");
    let past = search(&app, &target, "sort=price_asc&per_page=2&page=9").await;
    assert!(names(&past).is_empty());
    assert_eq!(past["meta"]["total"], 5);
}

pub async fn highlights_suggestions_and_did_you_mean(target: Target) {
    let app = target.spawn().await;
    fixture(&app).await;
    let body = search(&app, &target, "q=waterproof").await;
    assert_eq!(body["data"][0]["highlights"]["name"], "<mark>Waterproof</mark> Jacket");
    let body = search(&app, &target, "q=warm").await;
    let description = body["data"][0]["highlights"]["description"].as_str().unwrap();
    assert!(description.contains("<mark>Warm</mark>"), "{description}");
    assert!(
        description.contains("&lt;knit&gt; &amp; soft"),
        "escaped around the marks: {description}"
    );
    // Nothing matches: a close query is proposed.
    let body = search(&app, &target, "q=jakcte").await;
    assert_eq!(body["meta"]["total"], 0);
    assert_eq!(body["meta"]["did_you_mean"], "jacket");
    // Suggestions: categories first, then products; at most eight; drafts never.
    let response = app.get("/api/v1/search/suggest?q=jack").await;
    assert_eq!(response.status().as_u16(), 200);
    let suggestions: Value = response.json().await.unwrap();
    let list = suggestions["data"].as_array().unwrap();
    assert_eq!(list[0]["kind"], "category");
    assert_eq!(list[0]["label"], "Jackets");
    assert_eq!(list[0]["url"], "/categories/jackets");
    assert_eq!(list[0]["highlight"], "<mark>Jack</mark>ets");
    let products: Vec<&str> = list
        .iter()
        .filter(|s| s["kind"] == "product")
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert!(products.contains(&"Waterproof Jacket"), "{products:?}");
    assert!(!products.contains(&"Secret Jacket"), "{products:?}");
    assert!(list.len() <= 8);
    let typo: Value = app.get("/api/v1/search/suggest?q=sweatr").await.json().await.unwrap();
    assert_eq!(typo["data"][0]["label"], "Wool Sweater", "{typo}");
    let short: Value = app.get("/api/v1/search/suggest?q=j").await.json().await.unwrap();
    assert_eq!(short["data"], json!([]));
}

/// The product names `/search/suggest?q=` proposes.
async fn suggested_products(app: &TestApp, q: &str) -> Vec<String> {
    let body: Value = app
        .get(&format!("/api/v1/search/suggest?q={q}"))
        .await
        .json()
        .await
        .unwrap();
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "product")
        .map(|s| s["label"].as_str().unwrap().to_owned())
        .collect()
}

pub async fn index_follows_writes(target: Target) {
    let app = target.spawn().await;
    let fixture = fixture(&app).await;
    let staff = fixture.staff.as_str();
    // A new product is found once the index took it (what an engine kept from the search
    // before does not hide it).
    assert!(names_for(&app, &target, "q=gilet").await.is_empty());
    assert_eq!(names_for(&app, &target, "sort=newest").await.len(), 5);
    let created = create(
        &app,
        staff,
        "/api/v1/products",
        json!({"name": "Fleece Gilet", "status": "active", "variants": [variant("GILET-1", json!({"size": "L"}), "55.00", 4)]}),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    settle(&app).await;
    assert_eq!(names_for(&app, &target, "q=gilet").await, ["Fleece Gilet"]);
    assert_eq!(names_for(&app, &target, "sort=newest").await[0], "Fleece Gilet");
    assert_eq!(suggested_products(&app, "gil").await, ["Fleece Gilet"]);
    // A price change moves it between filters; selling out moves it out of in-stock.
    let variant_id = created["variants"][0]["id"].as_str().unwrap().to_owned();
    let response = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/products/{id}/variants/{variant_id}"),
        staff,
        Some(json!({"price": "150.00", "stock": 0})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200, "{}", response.text().await.unwrap());
    settle(&app).await;
    assert_eq!(
        names_for(&app, &target, "q=gilet&min_price=100").await,
        ["Fleece Gilet"]
    );
    assert!(names_for(&app, &target, "q=gilet&in_stock=true").await.is_empty());
    // A renamed category is searchable by its new name at once for every product in it.
    let categories: Value = app.get("/api/v1/categories").await.json().await.unwrap();
    let home = categories["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "home")
        .unwrap()
        .clone();
    let response = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/categories/{}", home["id"].as_str().unwrap()),
        staff,
        Some(json!({"name": "Kitchen"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200, "{}", response.text().await.unwrap());
    settle(&app).await;
    assert_eq!(names_for(&app, &target, "q=kitchen").await, ["Trail Mug"]);
    // Unpublished or deleted: gone, from suggestions too.
    let response = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/products/{id}"),
        staff,
        Some(json!({"status": "draft"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200, "{}", response.text().await.unwrap());
    settle(&app).await;
    assert!(names_for(&app, &target, "q=gilet").await.is_empty());
    assert!(suggested_products(&app, "gil").await.is_empty());
    let response = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/products/{id}"),
        staff,
        None,
    )
    .await;
    assert!(response.status().is_success(), "{}", response.status());
    settle(&app).await;
    assert!(names_for(&app, &target, "q=gilet").await.is_empty());
}
