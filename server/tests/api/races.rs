//! Checkouts that race for real: many concurrent buyers over HTTP, against one server and against
//! two servers sharing the database. Exactly as many orders succeed as there are units, the rest
//! get `OUT_OF_STOCK`, stock ends at zero and never goes below; the last use of a discount code
//! is taken once; concurrent retries with one `Idempotency-Key` make one order.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_on};
use crate::orders::{address, call, guest_cart, open_shop};

/// `buyers` guests, each with one `variant` in their cart, check out at once, spread over
/// `apps`; returns the statuses.
async fn race(apps: &[&TestApp], variant: &str, method: &str, buyers: usize) -> Vec<u16> {
    let mut tokens = Vec::new();
    for _ in 0..buyers {
        tokens.push(guest_cart(apps[0], variant, 1).await);
    }
    let body = json!({"shipping_method_id": method, "shipping_address": address(), "email": "buyer@example.com"});
    let attempts = tokens.iter().enumerate().map(|(i, token)| {
        let app = apps[i % apps.len()];
        let body = body.clone();
        async move {
            call(app, Method::POST, "/api/v1/orders", None, Some(token), Some(body))
                .await
                .status()
                .as_u16()
        }
    });
    futures::future::join_all(attempts).await
}

/// Stock of `sku`, and units sold of it, as the database has them.
async fn sold(app: &TestApp, sku: &str) -> (i32, i64) {
    let stock: i32 = sqlx::query_scalar("SELECT stock FROM product_variants WHERE sku = $1")
        .bind(sku)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let units: i64 = sqlx::query_scalar("SELECT coalesce(sum(quantity), 0)::bigint FROM order_items WHERE sku = $1")
        .bind(sku)
        .fetch_one(&app.db)
        .await
        .unwrap();
    (stock, units)
}

fn tally(statuses: &[u16]) -> (usize, usize) {
    let placed = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!(placed + refused, statuses.len(), "only 201s and 409s: {statuses:?}");
    (placed, refused)
}

#[tokio::test]
async fn fifty_buyers_race_for_twenty_units_and_twenty_win() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    sqlx::query("UPDATE product_variants SET stock = 20 WHERE sku = 'MUG'")
        .execute(&app.db)
        .await
        .unwrap();
    let statuses = race(&[&app], &shop.mug, &shop.method, 50).await;
    assert_eq!(tally(&statuses), (20, 30));
    assert_eq!(sold(&app, "MUG").await, (0, 20));
}

#[tokio::test]
async fn two_servers_on_one_database_never_oversell() {
    let first = spawn_app().await;
    let second = spawn_app_on(&first.database_url, &first.db_name, |_| {}, axum::Router::new()).await;
    let shop = open_shop(&first).await;
    sqlx::query("UPDATE product_variants SET stock = 15 WHERE sku = 'MUG'")
        .execute(&first.db)
        .await
        .unwrap();
    let statuses = race(&[&first, &second], &shop.mug, &shop.method, 50).await;
    assert_eq!(tally(&statuses), (15, 35));
    assert_eq!(sold(&first, "MUG").await, (0, 15));
}

#[tokio::test]
async fn the_last_use_of_a_code_is_taken_once() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    crate::helpers::send(
        &app,
        Method::POST,
        "/api/v1/discount-codes",
        &shop.staff,
        Some(json!({"code": "LAST", "kind": "fixed", "value": "1", "usage_limit": 1})),
    )
    .await;
    let mut tokens = Vec::new();
    for _ in 0..20 {
        let token = guest_cart(&app, &shop.mug, 1).await;
        let response = call(
            &app,
            Method::POST,
            "/api/v1/cart/discount",
            None,
            Some(&token),
            Some(json!({"code": "LAST"})),
        )
        .await;
        assert_eq!(response.status().as_u16(), 200);
        tokens.push(token);
    }
    let body = json!({"shipping_method_id": shop.method, "shipping_address": address(), "email": "buyer@example.com"});
    let attempts = tokens.iter().map(|token| {
        let (app, body) = (&app, body.clone());
        async move {
            let response = call(app, Method::POST, "/api/v1/orders", None, Some(token), Some(body)).await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body)
        }
    });
    let answers = futures::future::join_all(attempts).await;
    let placed: Vec<_> = answers.iter().filter(|(s, _)| *s == 201).collect();
    assert_eq!(placed.len(), 1, "{answers:?}");
    assert_eq!(placed[0].1["data"]["discount_code"], "LAST");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 422);
        assert_eq!(
            body["error"]["details"]["discount_code"][0],
            "This code has been used as many times as it may be."
        );
    }
    let uses: i32 = sqlx::query_scalar("SELECT times_used FROM discount_codes WHERE code = 'LAST'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(uses, 1);
    let with_code: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE discount_code = 'LAST'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(with_code, 1);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_make_one_order() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    let token = guest_cart(&app, &shop.mug, 2).await;
    let body = json!({"shipping_method_id": shop.method, "shipping_address": address(), "email": "buyer@example.com"});
    let attempts = (0..10).map(|_| {
        let (app, token, body) = (&app, &token, body.clone());
        async move {
            let response = app
                .client
                .post(app.url("/api/v1/orders"))
                .header("x-cart-token", token)
                .header("idempotency-key", "retry-me")
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body)
        }
    });
    let answers = futures::future::join_all(attempts).await;
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(orders, 1, "{answers:?}");
    let ids: std::collections::HashSet<_> = answers
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b["data"]["id"].clone())
        .collect();
    assert_eq!(ids.len(), 1, "every success is the one order: {answers:?}");
    for (status, body) in &answers {
        assert!(
            *status == 201 || (*status == 409 && body["error"]["code"] == "CONFLICT"),
            "{status} {body}"
        );
    }
    // Once the first has finished, a retry replays it.
    let response = app
        .client
        .post(app.url("/api/v1/orders"))
        .header("x-cart-token", &token)
        .header("idempotency-key", "retry-me")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["idempotent-replayed"], "true");
}
