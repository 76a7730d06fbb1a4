//! Staff write products and variants over the API: creation with variants, PUT and PATCH with
//! optimistic locking (stock moved by a sale is not an edit), old slugs that redirect, deletion
//! that archives what orders still refer to, and who may do what.

use app::domain::identity::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_envelope, send, spawn_app, token_for};

fn tee() -> Value {
    json!({
        "name": "Organic Tee",
        "description": "Soft cotton.",
        "status": "active",
        "seo_title": "Organic cotton tee",
        "variants": [
            {"sku": "TEE-S-RED", "options": {"size": "S", "colour": "Red"}, "price": "19.99", "stock": 4},
            {"sku": "TEE-M-RED", "options": {"size": "M", "colour": "Red"}, "price": "21.50",
             "compare_at_price": "25.00", "stock": 10}
        ]
    })
}

/// Creates the tee as staff; returns its body.
async fn create_tee(app: &TestApp, staff: &str) -> Value {
    let response = send(app, reqwest::Method::POST, "/api/v1/products", staff, Some(tee())).await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(response.headers().contains_key("etag"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/products/{}", body["data"]["id"].as_str().unwrap())
    );
    body
}

#[tokio::test]
async fn staff_create_a_product_with_variants_that_everyone_then_reads() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let body = create_tee(&app, &staff).await;
    let product = &body["data"];
    assert_eq!(product["slug"], "organic-tee");
    assert_eq!(product["status"], "active");
    assert_eq!(product["seo_title"], "Organic cotton tee");
    assert_eq!(product["price"], json!({"amount": "19.99", "currency": "USD"}));
    let variants = product["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    assert_eq!(variants[1]["compare_at_price"]["amount"], "25.00");
    assert_eq!(variants[1]["name"], "Red / M");
    // Staff see stock figures; shoppers don't.
    assert_eq!(variants[0]["stock"], 4);
    let public: Value = app.get("/api/v1/products/organic-tee").await.json().await.unwrap();
    assert!(public["data"]["variants"][0].get("stock").is_none(), "{public}");
    assert_eq!(public["data"]["variants"][0]["in_stock"], true);
    // Listed, and found by SKU.
    let list: Value = app.get("/api/v1/products?q=tee-m").await.json().await.unwrap();
    assert_eq!(list["meta"]["total"], 1);

    // A draft is created by default and is invisible to shoppers.
    let response = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/products",
        &staff,
        Some(json!({"name": "Secret Thing", "variants": [{"sku": "SECRET", "price": "5"}]})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let draft: Value = response.json().await.unwrap();
    assert_eq!(draft["data"]["status"], "draft");
    assert_envelope(app.get("/api/v1/products/secret-thing").await, 404, "NOT_FOUND").await;
    let seen = send(
        &app,
        reqwest::Method::GET,
        "/api/v1/products/secret-thing",
        &staff,
        None,
    )
    .await;
    assert_eq!(seen.status().as_u16(), 200);
}

#[tokio::test]
async fn writes_need_products_write_and_bad_input_names_the_field() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let customer = token_for(&app, "ada@example.com", Role::Customer).await;
    let response = send(&app, reqwest::Method::POST, "/api/v1/products", &customer, Some(tee())).await;
    assert_envelope(response, 403, "FORBIDDEN").await;
    let response = app
        .client
        .post(app.url("/api/v1/products"))
        .json(&tee())
        .send()
        .await
        .unwrap();
    assert_envelope(response, 401, "UNAUTHORIZED").await;

    let bad = json!({
        "name": " ",
        "slug": "Not A Slug",
        "status": "active",
        "variants": [
            {"sku": "OK-1", "price": "10.00"},
            {"sku": "ok-1", "price": "1.999", "stock": -1, "compare_at_price": "0.50"}
        ]
    });
    let body = assert_envelope(
        send(&app, reqwest::Method::POST, "/api/v1/products", &staff, Some(bad)).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    let details = &body["error"]["details"];
    for field in [
        "name",
        "slug",
        "variants[1].sku",
        "variants[1].price",
        "variants[1].stock",
    ] {
        assert!(details[field].is_array(), "{field}: {body}");
    }
    // An unknown status is a 422 naming it; a price as a number is refused too.
    for (field, bad) in [
        ("status", json!({"name": "X", "status": "live"})),
        (
            "variants[0].price",
            json!({"name": "X", "variants": [{"sku": "A", "price": 19.99}]}),
        ),
        (
            "category_id",
            json!({"name": "X", "category_id": "01900000-0000-7000-8000-0000000000ff"}),
        ),
    ] {
        let body = assert_envelope(
            send(&app, reqwest::Method::POST, "/api/v1/products", &staff, Some(bad)).await,
            422,
            "VALIDATION_ERROR",
        )
        .await;
        assert!(body["error"]["details"][field].is_array(), "{field}: {body}");
    }
    // Taken slug and SKU are conflicts; nothing of the second product is left behind.
    create_tee(&app, &staff).await;
    let body = assert_envelope(
        send(&app, reqwest::Method::POST, "/api/v1/products", &staff, Some(tee())).await,
        409,
        "CONFLICT",
    )
    .await;
    assert!(body["error"]["details"]["slug"].is_array(), "{body}");
    let mut other = tee();
    other["name"] = json!("Another Tee");
    let body = assert_envelope(
        send(&app, reqwest::Method::POST, "/api/v1/products", &staff, Some(other)).await,
        409,
        "CONFLICT",
    )
    .await;
    assert!(body["error"]["details"]["sku"].is_array(), "{body}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn put_and_patch_honour_the_version_and_a_sale_does_not_make_an_edit_stale() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let created = create_tee(&app, &staff).await;
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/products/{id}");

    // PATCH with the ETag from a read.
    let read = send(&app, reqwest::Method::GET, &path, &staff, None).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&staff)
        .header("if-match", &etag)
        .json(&json!({"description": "Softer cotton.", "featured": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["data"]["description"], "Softer cotton.");
    assert_eq!(patched["data"]["featured"], true);
    assert_eq!(patched["data"]["name"], "Organic Tee");
    // The same ETag again is stale: 409, nothing changes.
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&staff)
        .header("if-match", &etag)
        .json(&json!({"description": "Lost update"}))
        .send()
        .await
        .unwrap();
    assert_envelope(response, 409, "CONFLICT").await;
    // PUT replaces the fields; a stale `version` in the body is a 409 too.
    let response = send(
        &app,
        reqwest::Method::PUT,
        &path,
        &staff,
        Some(json!({"name": "Tee", "status": "active", "version": 1})),
    )
    .await;
    assert_envelope(response, 409, "CONFLICT").await;
    let version = patched["data"]["version"].as_i64().unwrap();
    let response = send(
        &app,
        reqwest::Method::PUT,
        &path,
        &staff,
        Some(json!({"name": "Classic Tee", "slug": "classic-tee", "status": "active", "version": version})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let put: Value = response.json().await.unwrap();
    assert_eq!(put["data"]["description"], "", "PUT resets what it leaves out");
    assert_eq!(put["data"]["featured"], false);
    // The old slug answers 301 to the new one.
    let response = app
        .client
        .get(app.url("/api/v1/products/organic-tee"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 301);
    assert_eq!(response.headers()["location"], "/api/v1/products/classic-tee");

    // Variants: a sale moving stock in between does not make a staff edit stale.
    let variant = &put["data"]["variants"][0];
    let variant_path = format!("{path}/variants/{}", variant["id"].as_str().unwrap());
    let seen = variant["version"].as_i64().unwrap();
    sqlx::query("UPDATE product_variants SET stock = stock - 1 WHERE sku = 'TEE-S-RED'")
        .execute(&app.db)
        .await
        .unwrap();
    let response = send(
        &app,
        reqwest::Method::PATCH,
        &variant_path,
        &staff,
        Some(json!({"price": "18.00", "version": seen})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["data"]["price"]["amount"], "18.00");
    assert_eq!(changed["data"]["stock"], 3, "the sale is kept");
    // But an edit in between is.
    let response = send(
        &app,
        reqwest::Method::PATCH,
        &variant_path,
        &staff,
        Some(json!({"price": "17.00", "version": seen})),
    )
    .await;
    assert_envelope(response, 409, "CONFLICT").await;
    // A price at or above the offer price it keeps is refused, naming the field.
    let m_path = format!("{path}/variants/{}", put["data"]["variants"][1]["id"].as_str().unwrap());
    let body = assert_envelope(
        send(
            &app,
            reqwest::Method::PATCH,
            &m_path,
            &staff,
            Some(json!({"price": "30.00"})),
        )
        .await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(body["error"]["details"]["price"].is_array(), "{body}");
}

#[tokio::test]
async fn variants_are_added_listed_and_removed() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let created = create_tee(&app, &staff).await;
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let variants = format!("/api/v1/products/{id}/variants");
    let response = send(
        &app,
        reqwest::Method::POST,
        &variants,
        &staff,
        Some(json!({"sku": "TEE-L-RED", "options": {"size": "L", "colour": "Red"}, "price": "22.00", "active": false})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let one = send(&app, reqwest::Method::GET, &location, &staff, None).await;
    assert_eq!(one.status().as_u16(), 200);
    // Staff list all three; shoppers the two active ones, a page at a time.
    let list: Value = send(&app, reqwest::Method::GET, &variants, &staff, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 3);
    let list: Value = app.get(&format!("{variants}?per_page=1")).await.json().await.unwrap();
    assert_eq!(
        (list["meta"]["total"].as_i64(), list["data"].as_array().unwrap().len()),
        (Some(2), 1)
    );
    assert!(list["links"]["next"].is_string());
    // Switched off: hidden from shoppers.
    assert_envelope(app.get(&location).await, 404, "NOT_FOUND").await;
    // Deleted: gone.
    let response = send(&app, reqwest::Method::DELETE, &location, &staff, None).await;
    assert_eq!(response.status().as_u16(), 204);
    let response = send(&app, reqwest::Method::DELETE, &location, &staff, None).await;
    assert_envelope(response, 404, "NOT_FOUND").await;
    // A variant of another product is not found under this one.
    let unknown = format!("/api/v1/products/{}/variants", uuid::Uuid::now_v7());
    assert_envelope(
        send(
            &app,
            reqwest::Method::POST,
            &unknown,
            &staff,
            Some(json!({"sku": "Z-1", "price": "1"})),
        )
        .await,
        404,
        "NOT_FOUND",
    )
    .await;
}

#[tokio::test]
async fn deleting_a_product_that_orders_refer_to_archives_it() {
    let app = spawn_app().await;
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let created = create_tee(&app, &staff).await;
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    // Stands in for the order lines of the checkout: a row that must keep its variant.
    sqlx::raw_sql(
        "CREATE TABLE test_order_lines (variant_id uuid REFERENCES product_variants (id) ON DELETE RESTRICT);
         INSERT INTO test_order_lines SELECT id FROM product_variants WHERE sku = 'TEE-S-RED';",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let response = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/products/{id}"),
        &staff,
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["status"], "archived");
    assert_eq!(body["meta"]["outcome"], "archived");
    assert_envelope(app.get("/api/v1/products/organic-tee").await, 404, "NOT_FOUND").await;
    // The variant an order refers to is switched off rather than deleted; the other goes.
    let variants = body["data"]["variants"].as_array().unwrap();
    for v in variants {
        let path = format!("/api/v1/products/{id}/variants/{}", v["id"].as_str().unwrap());
        let response = send(&app, reqwest::Method::DELETE, &path, &staff, None).await;
        if v["sku"] == "TEE-S-RED" {
            assert_eq!(response.status().as_u16(), 200);
            let body: Value = response.json().await.unwrap();
            assert_eq!(
                (body["data"]["active"].as_bool(), body["meta"]["outcome"].as_str()),
                (Some(false), Some("deactivated"))
            );
        } else {
            assert_eq!(response.status().as_u16(), 204);
        }
    }
    // Without references, a product is deleted.
    let other = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/products",
        &staff,
        Some(json!({"name": "Short Lived"})),
    )
    .await
    .json::<Value>()
    .await
    .unwrap();
    let path = format!("/api/v1/products/{}", other["data"]["id"].as_str().unwrap());
    assert_eq!(
        send(&app, reqwest::Method::DELETE, &path, &staff, None)
            .await
            .status()
            .as_u16(),
        204
    );
    assert_envelope(
        send(&app, reqwest::Method::GET, &path, &staff, None).await,
        404,
        "NOT_FOUND",
    )
    .await;
}

#[tokio::test]
async fn a_write_is_seen_at_once_by_a_second_server_sharing_redis() {
    let redis = crate::helpers::redis_url();
    let namespace = format!("oxcart-test:{}:", uuid::Uuid::new_v4().simple());
    let configure = |redis: String, namespace: String| {
        move |s: &mut server::Settings| {
            s.cache.redis_url = Some(server::config::Secret::new(redis));
            s.cache.namespace = namespace;
        }
    };
    let first = crate::helpers::spawn_app_with(configure(redis.clone(), namespace.clone()), axum::Router::new()).await;
    // A second instance on the same database and Redis, as behind a load balancer.
    let second = crate::helpers::spawn_app_on(
        &first.database_url,
        &first.db_name,
        configure(redis, namespace),
        axum::Router::new(),
    )
    .await;
    let staff = token_for(&first, "clerk@example.com", Role::Staff).await;
    let created = create_tee(&first, &staff).await;
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    // Both servers read (and cache) the product and the list.
    for app in [&first, &second] {
        let body: Value = app.get("/api/v1/products/organic-tee").await.json().await.unwrap();
        assert_eq!(body["data"]["name"], "Organic Tee");
        let list: Value = app.get("/api/v1/products").await.json().await.unwrap();
        assert_eq!(list["data"][0]["name"], "Organic Tee");
    }
    let response = send(
        &first,
        reqwest::Method::PATCH,
        &format!("/api/v1/products/{id}"),
        &staff,
        Some(json!({"name": "Renamed Tee"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    for app in [&first, &second] {
        let body: Value = app.get("/api/v1/products/organic-tee").await.json().await.unwrap();
        assert_eq!(body["data"]["name"], "Renamed Tee", "{body}");
        let list: Value = app.get("/api/v1/products").await.json().await.unwrap();
        assert_eq!(list["data"][0]["name"], "Renamed Tee", "{list}");
    }
}
