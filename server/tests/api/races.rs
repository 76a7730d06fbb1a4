//! Checkouts that race for real: many concurrent buyers (half signed-in customers, half guests)
//! over HTTP, against one server and against two servers sharing the database. Exactly as many
//! orders succeed as there are units, the rest get `OUT_OF_STOCK`, stock ends at zero and never
//! goes below (the units sold are counted from the orders); the last use of a discount code, and a
//! customer's last use of theirs, is taken once; concurrent retries with one `Idempotency-Key`
//! make one order.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_on};
use crate::orders::{address, call, guest_cart, open_shop};

/// A buyer: a signed-in customer (an access token) or a guest (a cart token).
enum Buyer {
    Account(String),
    Guest(String),
}

/// `n` customer accounts with access tokens, made directly (hashing `n` passwords would only
/// slow the test down).
async fn accounts(app: &TestApp, n: usize) -> Vec<String> {
    let mut tokens = Vec::new();
    for i in 0..n {
        let id: uuid::Uuid = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'Racer', 'x') RETURNING id",
        )
        .bind(format!("racer{i}.{}@example.com", uuid::Uuid::now_v7().simple()))
        .fetch_one(&app.db)
        .await
        .unwrap();
        let (token, _) = app::auth::tokens::issue_access_token(
            &app.state.auth,
            id,
            app::domain::identity::Role::Customer,
            1,
            uuid::Uuid::now_v7(),
        )
        .unwrap();
        tokens.push(token);
    }
    tokens
}

/// `buyers` buyers, half of them signed-in customers and half guests, each with one `variant`
/// in their cart, check out at once, spread over `apps`; returns the statuses.
async fn race(apps: &[&TestApp], variant: &str, method: &str, buyers: usize) -> Vec<u16> {
    let mut racers = Vec::new();
    for token in accounts(apps[0], buyers / 2).await {
        let added = call(
            apps[0],
            Method::POST,
            "/api/v1/cart/items",
            Some(&token),
            None,
            Some(json!({"variant_id": variant})),
        )
        .await;
        assert_eq!(added.status().as_u16(), 201);
        racers.push(Buyer::Account(token));
    }
    while racers.len() < buyers {
        racers.push(Buyer::Guest(guest_cart(apps[0], variant, 1).await));
    }
    let body = json!({"shipping_method_id": method, "shipping_address": address(), "email": "buyer@example.com"});
    let attempts = racers.iter().enumerate().map(|(i, buyer)| {
        let app = apps[i % apps.len()];
        let body = body.clone();
        async move {
            let (bearer, cart) = match buyer {
                Buyer::Account(token) => (Some(token.as_str()), None),
                Buyer::Guest(token) => (None, Some(token.as_str())),
            };
            call(app, Method::POST, "/api/v1/orders", bearer, cart, Some(body))
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
    // One signing key, as behind a load balancer: a token from one instance is good on the other.
    let key = |s: &mut server::Settings| {
        s.auth.jwt_secret = Some(server::config::Secret::new("a shared key of at least 32 bytes!".into()))
    };
    let first = crate::helpers::spawn_app_with(key, axum::Router::new()).await;
    let second = spawn_app_on(&first.database_url, &first.db_name, key, axum::Router::new()).await;
    let shop = open_shop(&first).await;
    sqlx::query("UPDATE product_variants SET stock = 15 WHERE sku = 'MUG'")
        .execute(&first.db)
        .await
        .unwrap();
    let statuses = race(&[&first, &second], &shop.mug, &shop.method, 50).await;
    assert_eq!(tally(&statuses), (15, 35));
    assert_eq!(sold(&first, "MUG").await, (0, 15));
}

/// Makes `code` (`rules`: its JSON) and `carts` guest carts of one mug with the code applied;
/// then they all check out at once as the guest with `email`. Returns each answer.
async fn race_for_code(app: &TestApp, rules: Value, carts: usize, email: &str) -> Vec<(u16, Value)> {
    let shop = open_shop(app).await;
    let code = rules["code"].as_str().unwrap().to_owned();
    let created = crate::helpers::send(app, Method::POST, "/api/v1/discount-codes", &shop.staff, Some(rules)).await;
    assert_eq!(created.status().as_u16(), 201);
    let mut tokens = Vec::new();
    for _ in 0..carts {
        let token = guest_cart(app, &shop.mug, 1).await;
        let applied = call(
            app,
            Method::POST,
            "/api/v1/cart/discount",
            None,
            Some(&token),
            Some(json!({"code": code})),
        )
        .await;
        assert_eq!(applied.status().as_u16(), 200);
        tokens.push(token);
    }
    let body = json!({"shipping_method_id": shop.method, "shipping_address": address(), "email": email});
    let attempts = tokens.iter().map(|token| {
        let body = body.clone();
        async move {
            let response = call(app, Method::POST, "/api/v1/orders", None, Some(token), Some(body)).await;
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    });
    futures::future::join_all(attempts).await
}

/// Exactly one order was placed; every other answer is a 422 on `discount_code` saying `why`.
fn one_placed(answers: &[(u16, Value)], why: &str) {
    assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 422, "{body}");
        assert_eq!(body["error"]["details"]["discount_code"][0], why);
    }
}

#[tokio::test]
async fn the_last_use_of_a_code_is_taken_once() {
    let app = spawn_app().await;
    let rules = json!({"code": "LAST", "kind": "fixed", "value": "1", "usage_limit": 1});
    // Twenty buyers race for the code's one use.
    let answers = race_for_code(&app, rules, 20, "buyer@example.com").await;
    one_placed(&answers, "This code has been used as many times as it may be.");
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
async fn a_customers_last_use_of_a_code_is_taken_once() {
    let app = spawn_app().await;
    let rules = json!({"code": "ONEEACH", "kind": "percent", "value": "5", "per_customer_limit": 1});
    // One guest (one e-mail address) with five carts checks out five times at once.
    let answers = race_for_code(&app, rules, 5, "same@example.com").await;
    one_placed(&answers, "You have already used this code as many times as it allows.");
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
