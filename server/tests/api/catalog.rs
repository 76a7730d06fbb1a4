//! `GET /api/v1/products`: the envelope, pagination and its bounds, and what is listed.

use app::domain::catalog::ProductStatus;
use app::domain::catalog::editing::{ProductFields, VariantFields};
use app::repositories::catalog::editing as repo;
use app::services::catalog::{SeedOutcome, seed_demo_catalog};
use rust_decimal::Decimal;

use crate::helpers::{TestApp, assert_envelope, spawn_app};

/// A product's fields as the repository takes them.
fn product(name: &str, slug: &str, status: ProductStatus) -> ProductFields {
    ProductFields {
        category_id: None,
        name: name.into(),
        slug: slug.into(),
        description: String::new(),
        status,
        featured: false,
        seo_title: String::new(),
        seo_description: String::new(),
    }
}

/// A variant's fields as the repository takes them.
fn variant(sku: &str, price: Decimal, stock: i32) -> VariantFields {
    VariantFields {
        sku: sku.into(),
        name: String::new(),
        options: Default::default(),
        price,
        compare_at_price: None,
        stock,
        active: true,
        low_stock_threshold: 5,
        position: 0,
    }
}

async fn add_variant(
    app: &TestApp,
    product: app::domain::ProductId,
    fields: VariantFields,
) -> sqlx::Result<uuid::Uuid> {
    repo::create_variant(&app.db, product, &fields, &app::domain::Currency::parse("USD").unwrap()).await
}

/// Inserts `n` active products named `Product 01`…, each with one variant priced `n`.00.
async fn insert_products(app: &TestApp, n: usize) {
    for i in 1..=n {
        let id = repo::create_product(
            &app.db,
            &product(
                &format!("Product {i:02}"),
                &format!("product-{i:02}"),
                ProductStatus::Active,
            ),
        )
        .await
        .unwrap();
        add_variant(app, id, variant(&format!("SKU-{i:02}"), Decimal::from(i as i64), 1))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn lists_seeded_products_in_the_envelope() {
    let app = spawn_app().await;
    assert_eq!(
        seed_demo_catalog(&app.state, 0).await.unwrap(),
        SeedOutcome::Seeded { products: 8 }
    );
    assert_eq!(
        seed_demo_catalog(&app.state, 0).await.unwrap(),
        SeedOutcome::AlreadyHadProducts
    );

    let response = app.get("/api/v1/products").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["meta"],
        serde_json::json!({"page": 1, "per_page": 20, "total": 8, "total_pages": 1, "has_next": false})
    );
    assert_eq!(body["links"]["self"], "/api/v1/products?page=1&per_page=20");
    assert_eq!(body["links"]["next"], serde_json::Value::Null);
    assert_eq!(body["links"]["prev"], serde_json::Value::Null);
    let products = body["data"].as_array().unwrap();
    assert_eq!(products.len(), 8);
    // Newest first: the last seeded product leads.
    assert_eq!(products[0]["name"], "Brass Fountain Pen");
    let linen = products.iter().find(|p| p["slug"] == "linen-shirt").unwrap();
    assert_eq!(
        linen["price"],
        serde_json::json!({"amount": "59.00", "currency": "USD"})
    );
    assert_eq!(linen["category"], "Apparel");
    assert_eq!(linen["in_stock"], true);
    let spoons = products.iter().find(|p| p["slug"] == "olive-wood-spoons").unwrap();
    assert_eq!(spoons["in_stock"], false);
}

#[tokio::test]
async fn paginates_with_links() {
    let app = spawn_app().await;
    insert_products(&app, 25).await;

    let body: serde_json::Value = app
        .get("/api/v1/products?page=2&per_page=10")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 10);
    assert_eq!(
        body["meta"],
        serde_json::json!({"page": 2, "per_page": 10, "total": 25, "total_pages": 3, "has_next": true})
    );
    assert_eq!(body["links"]["next"], "/api/v1/products?page=3&per_page=10");
    assert_eq!(body["links"]["prev"], "/api/v1/products?page=1&per_page=10");
    assert_eq!(body["links"]["first"], "/api/v1/products?page=1&per_page=10");
    assert_eq!(body["links"]["last"], "/api/v1/products?page=3&per_page=10");

    let last: serde_json::Value = app
        .get("/api/v1/products?page=3&per_page=10")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = last["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Product 05", "Product 04", "Product 03", "Product 02", "Product 01"]
    );
    assert_eq!(last["meta"]["has_next"], false);

    // Past the end: an empty page, not an error.
    let beyond: serde_json::Value = app
        .get("/api/v1/products?page=9&per_page=10")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(beyond["data"], serde_json::json!([]));
    assert_eq!(beyond["meta"]["total"], 25);

    // The largest page allowed.
    let all: serde_json::Value = app.get("/api/v1/products?per_page=100").await.json().await.unwrap();
    assert_eq!(all["data"].as_array().unwrap().len(), 25);
}

#[tokio::test]
async fn out_of_bounds_paging_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    for (query, field, message) in [
        ("page=0", "page", "must be at least 1"),
        ("per_page=101", "per_page", "must be at most 100"),
        ("per_page=0", "per_page", "must be at least 1"),
        ("page=abc", "page", "must be a whole number"),
        ("page=-2", "page", "must be a whole number"),
        ("page=1.5", "page", "must be a whole number"),
    ] {
        let body = assert_envelope(
            app.get(&format!("/api/v1/products?{query}")).await,
            422,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(
            body["error"]["details"][field],
            serde_json::json!([message]),
            "{query}: {body}"
        );
    }
    let body = assert_envelope(
        app.get("/api/v1/products?page=0&per_page=1000").await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(body["error"]["details"].as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn drafts_and_products_without_variants_are_not_listed() {
    let app = spawn_app().await;
    insert_products(&app, 2).await;
    let id = repo::create_product(&app.db, &product("Secret", "secret", ProductStatus::Draft))
        .await
        .unwrap();
    add_variant(&app, id, variant("SECRET-1", Decimal::ONE, 3))
        .await
        .unwrap();
    repo::create_product(&app.db, &product("Bare", "bare", ProductStatus::Active))
        .await
        .unwrap();

    let body: serde_json::Value = app.get("/api/v1/products").await.json().await.unwrap();
    assert_eq!(body["meta"]["total"], 2);
    let text = body.to_string();
    assert!(!text.contains("Secret") && !text.contains("Bare"), "{text}");
}

#[tokio::test]
async fn the_database_enforces_catalogue_rules() {
    let app = spawn_app().await;
    insert_products(&app, 1).await;
    let other = product("Other", "other", ProductStatus::Active);
    let id = repo::create_product(&app.db, &other).await.unwrap();
    let constraint = |err: sqlx::Error| err.as_database_error().and_then(|e| e.code()).map(|c| c.into_owned());
    // Unique SKU, case-insensitively.
    let err = add_variant(&app, id, variant("sku-01", Decimal::ONE, 1))
        .await
        .unwrap_err();
    assert_eq!(constraint(err).as_deref(), Some("23505"));
    // Price and stock never negative.
    let err = add_variant(&app, id, variant("NEG-P", Decimal::NEGATIVE_ONE, 1))
        .await
        .unwrap_err();
    assert_eq!(constraint(err).as_deref(), Some("23514"));
    let err = add_variant(&app, id, variant("NEG-S", Decimal::ONE, -1))
        .await
        .unwrap_err();
    assert_eq!(constraint(err).as_deref(), Some("23514"));
    // Unique slug.
    let err = repo::create_product(&app.db, &other).await.unwrap_err();
    assert_eq!(constraint(err).as_deref(), Some("23505"));
}

#[tokio::test]
async fn audit_columns_are_kept_by_the_database() {
    let app = spawn_app().await;
    insert_products(&app, 1).await;
    let (version, created_at): (i32, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT version, created_at FROM products")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(version, 1);
    let actor = uuid::Uuid::now_v7();
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query(&format!("SET LOCAL oxcart.actor = '{actor}'"))
        .execute(&mut *tx)
        .await
        .unwrap();
    // Even an update that tries to forge the audit columns can't.
    sqlx::query(
        "UPDATE products SET name = 'Renamed', version = 40, created_at = '2000-01-01', created_by = gen_random_uuid()",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let row: (
        i32,
        chrono::DateTime<chrono::Utc>,
        Option<uuid::Uuid>,
        Option<uuid::Uuid>,
        bool,
    ) = sqlx::query_as("SELECT version, created_at, created_by, updated_by, updated_at >= created_at FROM products")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(row.0, 2);
    assert_eq!(row.1, created_at);
    assert_eq!(row.2, None);
    assert_eq!(row.3, Some(actor));
    assert!(row.4);
    // Ids are UUID v7.
    let id: uuid::Uuid = sqlx::query_scalar("SELECT uuid_generate_v7()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(id.get_version_num(), 7);
}

/// The demo catalogue, a sub-category, a rating and a switched-off variant to filter on.
async fn filterable(app: &TestApp) {
    seed_demo_catalog(&app.state, 0).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO categories (name, slug, parent_id) SELECT 'Hats', 'hats', id FROM categories WHERE slug = 'apparel';
         UPDATE products SET category_id = (SELECT id FROM categories WHERE slug = 'hats') WHERE slug = 'merino-beanie';
         UPDATE products SET rating_average = 4.5, rating_count = 2 WHERE slug = 'cast-iron-skillet';
         UPDATE products SET rating_average = 3.0, rating_count = 1 WHERE slug = 'dot-grid-notebook';
         UPDATE product_variants SET active = false WHERE sku = 'LINEN-S';",
    )
    .execute(&app.db)
    .await
    .unwrap();
}

async fn slugs(app: &TestApp, query: &str) -> Vec<String> {
    let response = app.get(&format!("/api/v1/products?per_page=100&{query}")).await;
    assert_eq!(response.status().as_u16(), 200, "{query}");
    let body: serde_json::Value = response.json().await.unwrap();
    let slugs: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(body["meta"]["total"], slugs.len(), "{query}");
    slugs
}

#[tokio::test]
async fn lists_filter_by_category_subtree_price_stock_rating_and_text() {
    let app = spawn_app().await;
    filterable(&app).await;

    // A category by slug or id, with its subcategories' products.
    let apparel = slugs(&app, "category=apparel&sort=name").await;
    assert_eq!(apparel, ["canvas-tote-bag", "linen-shirt", "merino-beanie"]);
    let hats_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM categories WHERE slug = 'hats'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(slugs(&app, &format!("category={hats_id}")).await, ["merino-beanie"]);

    // Price is the cheapest ACTIVE variant's: with LINEN-S off, the shirt costs 59.00 (M), and
    // the bounds are inclusive.
    assert_eq!(
        slugs(&app, "min_price=45&max_price=59&sort=price_asc").await,
        ["cast-iron-skillet", "linen-shirt"]
    );
    assert_eq!(slugs(&app, "in_stock=false&sort=name").await, ["olive-wood-spoons"]);
    assert_eq!(slugs(&app, "min_rating=4").await, ["cast-iron-skillet"]);
    assert_eq!(
        slugs(&app, "sort=rating").await[..2],
        ["cast-iron-skillet", "dot-grid-notebook"]
    );
    // Name or SKU contains, case-insensitively; LIKE wildcards are literal.
    assert_eq!(slugs(&app, "q=SKILL").await, ["cast-iron-skillet"]);
    assert_eq!(slugs(&app, "q=pen-brass").await, ["brass-fountain-pen"]);
    assert!(slugs(&app, "q=%25").await.is_empty(), "a % matches only a %");
    let desc = slugs(&app, "sort=price_desc").await;
    assert_eq!(desc.first().map(String::as_str), Some("brass-fountain-pen"));

    // The links keep the filters.
    let body: serde_json::Value = app
        .get("/api/v1/products?category=apparel&per_page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["links"]["next"],
        "/api/v1/products?category=apparel&page=2&per_page=1"
    );
}

#[tokio::test]
async fn bad_list_parameters_are_422s_and_other_statuses_need_staff() {
    let app = spawn_app().await;
    filterable(&app).await;
    for (query, field) in [
        ("sort=random", "sort"),
        ("min_price=cheap", "min_price"),
        ("min_price=10&max_price=5", "max_price"),
        ("in_stock=maybe", "in_stock"),
        ("min_rating=9", "min_rating"),
        ("category=no-such-category", "category"),
        ("status=hidden", "status"),
    ] {
        let body = assert_envelope(
            app.get(&format!("/api/v1/products?{query}")).await,
            422,
            "VALIDATION_ERROR",
        )
        .await;
        assert!(body["error"]["details"][field].is_array(), "{query}: {body}");
    }
    // Drafts: 403 for anyone without products:write, listed for staff.
    sqlx::query("UPDATE products SET status = 'draft' WHERE slug = 'linen-shirt'")
        .execute(&app.db)
        .await
        .unwrap();
    app::services::catalog::catalog_changed(&app.state).await;
    assert_envelope(app.get("/api/v1/products?status=draft").await, 403, "FORBIDDEN").await;
    let token = &crate::helpers::token_for(&app, "clerk@example.com", app::domain::identity::Role::Staff).await;
    let drafts: serde_json::Value = app
        .client
        .get(app.url("/api/v1/products?status=draft"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(drafts["data"][0]["slug"], "linen-shirt");
    assert!(
        !slugs(&app, "").await.contains(&"linen-shirt".to_owned()),
        "drafts are not public"
    );
    // A bad token is refused even where none is needed.
    let bad = app
        .client
        .get(app.url("/api/v1/products"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_envelope(bad, 401, "UNAUTHORIZED").await;
}

#[tokio::test]
async fn a_product_page_by_id_or_slug_with_an_etag_that_follows_stock() {
    let app = spawn_app().await;
    filterable(&app).await;
    let by_slug = app.get("/api/v1/products/linen-shirt").await;
    assert_eq!(by_slug.status().as_u16(), 200);
    let etag = by_slug.headers()["etag"].to_str().unwrap().to_owned();
    let body: serde_json::Value = by_slug.json().await.unwrap();
    let product = &body["data"];
    assert_eq!(product["category"]["slug"], "apparel");
    // LINEN-S is switched off: shoppers see M and L only, and the price is M's.
    let skus: Vec<&str> = product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["LINEN-M", "LINEN-L"]);
    assert_eq!(
        product["price"],
        serde_json::json!({"amount": "59.00", "currency": "USD"})
    );
    assert_eq!(product["variants"][1]["low_stock"], true, "3 left, threshold 5");

    let id = product["id"].as_str().unwrap();
    let by_id: serde_json::Value = app.get(&format!("/api/v1/products/{id}")).await.json().await.unwrap();
    assert_eq!(by_id, body);

    // Unchanged → 304; a sale that moves stock changes the representation, so the ETag too.
    let cached = app
        .client
        .get(app.url("/api/v1/products/linen-shirt"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status().as_u16(), 304);
    // A sale: stock moves, and the catalogue is told (as the order service does).
    sqlx::query("UPDATE product_variants SET stock = 0 WHERE sku IN ('LINEN-M', 'LINEN-L')")
        .execute(&app.db)
        .await
        .unwrap();
    app::services::catalog::catalog_changed(&app.state).await;
    let after = app
        .client
        .get(app.url("/api/v1/products/linen-shirt"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status().as_u16(), 200, "a 304 is never stale");
    let body: serde_json::Value = after.json().await.unwrap();
    assert_eq!(body["data"]["in_stock"], false);

    // Drafts and unknown products are 404s to shoppers.
    sqlx::query("UPDATE products SET status = 'draft' WHERE slug = 'linen-shirt'")
        .execute(&app.db)
        .await
        .unwrap();
    app::services::catalog::catalog_changed(&app.state).await;
    assert_envelope(app.get("/api/v1/products/linen-shirt").await, 404, "NOT_FOUND").await;
    assert_envelope(app.get("/api/v1/products/no-such-thing").await, 404, "NOT_FOUND").await;
}
