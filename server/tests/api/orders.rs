//! Carts, checkout and orders over the API: guest carts by token and account carts, merging,
//! quantity and stock rules, totals with a discount, shipping and tax (rounding included),
//! checkout's all-or-nothing transaction, the order state machine, who may see what, and
//! `Idempotency-Key`.

use app::domain::identity::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_envelope, send, spawn_app, token_for};
use crate::mail::{outbox, wait_for_mail};

/// What the tests shop from: a product with two variants, a rate, a method and a code.
pub struct Shop {
    pub staff: String,
    /// 19.99, 4 in stock.
    pub tee: String,
    /// 5.00, 10 in stock.
    pub mug: String,
    /// Standard: 4.95 to DE and AT, free from 100.
    pub method: String,
}

pub async fn open_shop(app: &TestApp) -> Shop {
    let staff = token_for(app, "clerk@example.com", Role::Admin).await;
    let product: Value = send(
        app,
        Method::POST,
        "/api/v1/products",
        &staff,
        Some(json!({"name": "Shop Things", "status": "active", "variants": [
            {"sku": "TEE", "name": "Tee", "price": "19.99", "stock": 4},
            {"sku": "MUG", "name": "Mug", "price": "5.00", "stock": 10}
        ]})),
    )
    .await
    .json()
    .await
    .unwrap();
    let variant = |sku: &str| {
        product["data"]["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["sku"] == sku)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let response = send(
        app,
        Method::PUT,
        "/api/v1/tax-rates/DE",
        &staff,
        Some(json!({"rate": "19"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let method: Value = send(
        app,
        Method::POST,
        "/api/v1/shipping-methods",
        &staff,
        Some(json!({"name": "Standard", "price": "4.95", "free_above": "100", "countries": ["DE", "AT"]})),
    )
    .await
    .json()
    .await
    .unwrap();
    Shop {
        tee: variant("TEE"),
        mug: variant("MUG"),
        method: method["data"]["id"].as_str().unwrap().to_owned(),
        staff,
    }
}

/// A request with an optional bearer token and cart token.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    bearer: Option<&str>,
    cart: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(token) = cart {
        request = request.header("x-cart-token", token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// Starts a guest cart with `quantity` of `variant`; returns its token.
pub async fn guest_cart(app: &TestApp, variant: &str, quantity: u32) -> String {
    let response = call(
        app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        None,
        Some(json!({"variant_id": variant, "quantity": quantity})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    response.headers()["x-cart-token"].to_str().unwrap().to_owned()
}

pub fn address() -> Value {
    json!({"full_name": "Ada Lovelace", "line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "de"})
}

fn amount(body: &Value, pointer: &str) -> String {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} in {body}"))
        .to_owned()
}

async fn stock(app: &TestApp, sku: &str) -> i32 {
    sqlx::query_scalar("SELECT stock FROM product_variants WHERE sku = $1")
        .bind(sku)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_guest_cart_keeps_its_rules_and_prices_on_every_read() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;

    // No cart yet: an empty one, and no token.
    let response = call(&app, Method::GET, "/api/v1/cart", None, None, None).await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(!response.headers().contains_key("x-cart-token"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["id"], Value::Null);
    assert_eq!(body["data"]["total"], json!({"amount": "0.00", "currency": "USD"}));

    // The first add makes the cart and hands out its token.
    let response = call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        None,
        Some(json!({"variant_id": shop.tee, "quantity": 2})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    let token = response.headers()["x-cart-token"].to_str().unwrap().to_owned();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let line = body["data"]["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/cart/items/{line}"));
    assert_eq!(amount(&body, "/data/subtotal/amount"), "39.98");
    assert_eq!(body["data"]["shipping"], Value::Null, "no method chosen yet");

    // Adding the same variant adds to its line (200, no new token).
    let t = Some(token.as_str());
    let response = call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        t,
        Some(json!({"variant_id": shop.tee})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(!response.headers().contains_key("x-cart-token"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["items"][0]["quantity"], 3);
    assert_eq!(body["data"]["item_count"], 3);

    // Refusals: quantities out of 1–99, more than in stock, variants not on sale, strangers' tokens.
    for quantity in [0, -1, 100] {
        let response = call(
            &app,
            Method::POST,
            "/api/v1/cart/items",
            None,
            t,
            Some(json!({"variant_id": shop.mug, "quantity": quantity})),
        )
        .await;
        let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
        assert_eq!(body["error"]["details"]["quantity"][0], "must be between 1 and 99");
    }
    let response = call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        t,
        Some(json!({"variant_id": shop.tee, "quantity": 2})),
    )
    .await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(body["error"]["details"]["quantity"][0], "Only 1 available.");
    let response = call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        t,
        Some(json!({"variant_id": uuid::Uuid::now_v7()})),
    )
    .await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(body["error"]["details"]["variant_id"][0], "is not a variant on sale");
    let draft: Value = send(
        &app,
        Method::POST,
        "/api/v1/products",
        &shop.staff,
        Some(json!({"name": "Not Yet", "variants": [{"sku": "DRAFT-1", "price": "1", "stock": 5}]})),
    )
    .await
    .json()
    .await
    .unwrap();
    let draft_variant = draft["data"]["variants"][0]["id"].as_str().unwrap();
    let response = call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        t,
        Some(json!({"variant_id": draft_variant})),
    )
    .await;
    assert_envelope(response, 422, "VALIDATION_ERROR").await;
    let response = call(&app, Method::GET, "/api/v1/cart", None, Some("not-a-cart"), None).await;
    assert_envelope(response, 404, "NOT_FOUND").await;

    // Another guest can't touch this cart's lines.
    let other = guest_cart(&app, &shop.mug, 1).await;
    let path = format!("/api/v1/cart/items/{line}");
    let response = call(
        &app,
        Method::PATCH,
        &path,
        None,
        Some(&other),
        Some(json!({"quantity": 1})),
    )
    .await;
    assert_envelope(response, 404, "NOT_FOUND").await;
    let response = call(&app, Method::DELETE, &path, None, Some(&other), None).await;
    assert_envelope(response, 404, "NOT_FOUND").await;

    // Change a quantity; a second line; remove it again.
    let response = call(&app, Method::PATCH, &path, None, t, Some(json!({"quantity": 5}))).await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(body["error"]["details"]["quantity"][0], "Only 4 available.");
    let response = call(&app, Method::PATCH, &path, None, t, Some(json!({"quantity": 1}))).await;
    assert_eq!(response.status().as_u16(), 200);
    let response = call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        t,
        Some(json!({"variant_id": shop.mug, "quantity": 3})),
    )
    .await;
    let body: Value = response.json().await.unwrap();
    let mug_line = body["data"]["items"][1]["id"].as_str().unwrap().to_owned();
    assert_eq!(amount(&body, "/data/subtotal/amount"), "34.99");

    // Shipping and tax once the method and country are known: 19 % on goods and shipping.
    let response = call(
        &app,
        Method::PATCH,
        "/api/v1/cart",
        None,
        t,
        Some(json!({"shipping_method_id": shop.method, "country": "de"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    let cart = &body["data"];
    assert_eq!(cart["country"], "DE");
    assert_eq!(amount(cart, "/shipping/amount"), "4.95");
    // Tea 19.99 × 19 % = 3.7981 → 3.80; mugs 15.00 → 2.85; shipping 4.95 → 0.9405 → 0.94.
    assert_eq!(amount(cart, "/items/0/tax/amount"), "3.80");
    assert_eq!(amount(cart, "/items/1/tax/amount"), "2.85");
    assert_eq!(amount(cart, "/tax/amount"), "7.59");
    assert_eq!(amount(cart, "/total/amount"), "47.53");
    let response = call(
        &app,
        Method::PATCH,
        "/api/v1/cart",
        None,
        t,
        Some(json!({"country": "FR"})),
    )
    .await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(
        body["error"]["details"]["shipping_method_id"][0],
        "Standard does not ship to FR"
    );

    // A code: 10 % spread over the lines so each line adds up.
    let response = send(
        &app,
        Method::POST,
        "/api/v1/discount-codes",
        &shop.staff,
        Some(json!({"code": "TENOFF", "kind": "percent", "value": "10"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let response = call(
        &app,
        Method::POST,
        "/api/v1/cart/discount",
        None,
        t,
        Some(json!({"code": "tenoff"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    let cart = &body["data"];
    assert_eq!(cart["discount_code"], "TENOFF");
    assert_eq!(amount(cart, "/discount/amount"), "3.50");
    assert_eq!(amount(cart, "/items/0/discount/amount"), "2.00");
    assert_eq!(amount(cart, "/items/1/discount/amount"), "1.50");
    for item in cart["items"].as_array().unwrap() {
        let n = |p: &str| amount(item, p).parse::<rust_decimal::Decimal>().unwrap();
        assert_eq!(
            n("/total/amount"),
            n("/amount/amount") - n("/discount/amount") + n("/tax/amount")
        );
    }
    // Unknown and expired codes say why.
    let response = call(
        &app,
        Method::POST,
        "/api/v1/cart/discount",
        None,
        t,
        Some(json!({"code": "NOPE"})),
    )
    .await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert_eq!(body["error"]["details"]["code"][0], "There is no such code.");
    send(
        &app,
        Method::POST,
        "/api/v1/discount-codes",
        &shop.staff,
        Some(json!({"code": "OLD", "kind": "fixed", "value": "5", "starts_at": "2020-01-01T00:00:00Z", "ends_at": "2021-01-01T00:00:00Z"})),
    )
    .await;
    let response = call(
        &app,
        Method::POST,
        "/api/v1/cart/discount",
        None,
        t,
        Some(json!({"code": "OLD"})),
    )
    .await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(
        body["error"]["details"]["code"][0]
            .as_str()
            .unwrap()
            .starts_with("This code expired on 1 January 2021"),
        "{body}"
    );

    // A price changed since the item was added is flagged, and the cart uses the new one.
    sqlx::query("UPDATE product_variants SET price = 6.00 WHERE sku = 'MUG'")
        .execute(&app.db)
        .await
        .unwrap();
    let body: Value = call(&app, Method::GET, "/api/v1/cart", None, t, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["items"][1]["price_changed"], true);
    assert_eq!(amount(&body, "/data/items/1/added_price/amount"), "5.00");
    assert_eq!(amount(&body, "/data/items/1/unit_price/amount"), "6.00");
    assert_eq!(body["data"]["items"][0]["price_changed"], false);

    let response = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/cart/items/{mug_line}"),
        None,
        t,
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let response = call(&app, Method::DELETE, "/api/v1/cart/discount", None, t, None).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["discount_code"], Value::Null);
    assert_eq!(body["data"]["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_guest_cart_merges_into_the_account_capped_at_the_stock() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    let ada = token_for(&app, "ada@example.com", Role::Customer).await;
    let response = call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        Some(&ada),
        None,
        Some(json!({"variant_id": shop.tee, "quantity": 2})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    assert!(
        !response.headers().contains_key("x-cart-token"),
        "accounts need no token"
    );

    let guest = guest_cart(&app, &shop.tee, 3).await;
    call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        Some(&guest),
        Some(json!({"variant_id": shop.mug, "quantity": 2})),
    )
    .await;
    let response = call(&app, Method::GET, "/api/v1/cart", Some(&ada), Some(&guest), None).await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    let items = body["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["quantity"], 4, "2 + 3 capped at the 4 in stock");
    assert_eq!(items[1]["quantity"], 2);
    let notices = body["data"]["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].as_str().unwrap().contains("Only 4 of Shop Things (Tee)"),
        "{notices:?}"
    );
    // The guest cart is gone; sending its token again merges nothing more.
    assert_envelope(
        call(&app, Method::GET, "/api/v1/cart", None, Some(&guest), None).await,
        404,
        "NOT_FOUND",
    )
    .await;
    let body: Value = call(&app, Method::GET, "/api/v1/cart", Some(&ada), Some(&guest), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["item_count"], 6);
    assert!(body["data"].get("notices").is_none());
    // Nobody else reaches the account's cart.
    let bob = token_for(&app, "bob@example.com", Role::Customer).await;
    let line = items[0]["id"].as_str().unwrap();
    let response = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/cart/items/{line}"),
        Some(&bob),
        None,
        None,
    )
    .await;
    assert_envelope(response, 404, "NOT_FOUND").await;
}

/// Staff make a code (`rules`); the customer of `bearer` applies it to their cart.
async fn code_on_cart(app: &TestApp, shop: &Shop, bearer: &str, rules: Value) {
    let code = rules["code"].clone();
    let created = send(app, Method::POST, "/api/v1/discount-codes", &shop.staff, Some(rules)).await;
    assert_eq!(created.status().as_u16(), 201);
    let applied = call(
        app,
        Method::POST,
        "/api/v1/cart/discount",
        Some(bearer),
        None,
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!(applied.status().as_u16(), 200);
}

/// Places an order for the account's cart; returns the answer's body.
async fn checkout(app: &TestApp, bearer: &str, shop: &Shop) -> Value {
    let response = call(
        app,
        Method::POST,
        "/api/v1/orders",
        Some(bearer),
        None,
        Some(json!({"shipping_method_id": shop.method, "shipping_address": address()})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201, "{:?}", response.text().await);
    response.json().await.unwrap()
}

#[tokio::test]
async fn checkout_places_an_order_that_moves_only_along_the_machine() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    let ada = token_for(&app, "ada@example.com", Role::Customer).await;
    let add = |variant: String, quantity: u32| {
        let (app, ada) = (&app, &ada);
        async move {
            call(
                app,
                Method::POST,
                "/api/v1/cart/items",
                Some(ada),
                None,
                Some(json!({"variant_id": variant, "quantity": quantity})),
            )
            .await
        }
    };
    add(shop.tee.clone(), 2).await;
    add(shop.mug.clone(), 3).await;
    code_on_cart(
        &app,
        &shop,
        &ada,
        json!({"code": "FIVE", "kind": "fixed", "value": "5", "usage_limit": 10}),
    )
    .await;

    // Missing fields are named, and nothing is taken.
    let response = call(&app, Method::POST, "/api/v1/orders", Some(&ada), None, Some(json!({}))).await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(body["error"]["details"]["shipping_method_id"].is_array());
    assert!(body["error"]["details"]["shipping_address"].is_array());
    let response = call(
        &app,
        Method::POST,
        "/api/v1/orders",
        Some(&ada),
        None,
        Some(json!({"shipping_method_id": shop.method, "shipping_address": {"full_name": "", "line1": "x", "city": "y", "postal_code": "1", "country": "Germany"}})),
    )
    .await;
    let body = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(
        body["error"]["details"]["shipping_address.full_name"].is_array(),
        "{body}"
    );
    assert!(
        body["error"]["details"]["shipping_address.country"].is_array(),
        "{body}"
    );

    let placed = checkout(&app, &ada, &shop).await;
    let order = &placed["data"];
    let id = order["id"].as_str().unwrap().to_owned();
    assert!(order["number"].as_str().unwrap().starts_with("OX-1"), "{order}");
    assert_eq!(order["status"], "pending_payment");
    assert_eq!(order["discount_code"], "FIVE");
    // Goods 54.98 − 5.00 = 49.98; shipping 4.95; tax 19 % per line and on shipping.
    assert_eq!(amount(order, "/subtotal/amount"), "54.98");
    assert_eq!(amount(order, "/discount/amount"), "5.00");
    assert_eq!(amount(order, "/shipping/amount"), "4.95");
    let n = |p: &str| amount(order, p).parse::<rust_decimal::Decimal>().unwrap();
    assert_eq!(
        n("/total/amount"),
        n("/subtotal/amount") - n("/discount/amount") + n("/shipping/amount") + n("/tax/amount")
    );
    assert_eq!(order["items"][0]["sku"], "TEE");
    assert_eq!(order["items"][0]["product_name"], "Shop Things");
    assert_eq!(order["history"][0]["to"], "pending_payment");
    assert_eq!(order["payment"]["provider"], "manual");
    assert!(placed["data"]["access_key"].is_string());
    assert_eq!(stock(&app, "TEE").await, 2);
    assert_eq!(stock(&app, "MUG").await, 7);
    let cart: Value = call(&app, Method::GET, "/api/v1/cart", Some(&ada), None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cart["data"]["item_count"], 0, "the cart is emptied");
    let mail = wait_for_mail(&outbox(&app), "ada@example.com", order["number"].as_str().unwrap()).await;
    assert!(mail.text.contains("2 × Shop Things (Tee)"), "{}", mail.text);
    assert!(mail.html.contains("View your order"));

    // The customer reads it; nobody else does; the list is theirs only.
    let path = format!("/api/v1/orders/{id}");
    assert_eq!(
        call(&app, Method::GET, &path, Some(&ada), None, None)
            .await
            .status()
            .as_u16(),
        200
    );
    let bob = token_for(&app, "bob@example.com", Role::Customer).await;
    assert_envelope(
        call(&app, Method::GET, &path, Some(&bob), None, None).await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_envelope(
        call(&app, Method::GET, &path, None, None, None).await,
        401,
        "UNAUTHORIZED",
    )
    .await;
    let keyed = format!("{path}?key={}", placed["data"]["access_key"].as_str().unwrap());
    assert_eq!(
        call(&app, Method::GET, &keyed, None, None, None)
            .await
            .status()
            .as_u16(),
        200
    );
    assert_envelope(
        call(&app, Method::GET, &format!("{path}?key=wrong"), None, None, None).await,
        404,
        "NOT_FOUND",
    )
    .await;
    let list: Value = call(&app, Method::GET, "/api/v1/orders", Some(&bob), None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 0);
    let list: Value = call(&app, Method::GET, "/api/v1/orders", Some(&ada), None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"][0]["id"], id.as_str());
    assert_envelope(
        call(&app, Method::GET, "/api/v1/orders?scope=all", Some(&ada), None, None).await,
        403,
        "FORBIDDEN",
    )
    .await;

    // Only staff move it, and only along the machine.
    let patch = |token: String, body: Value| {
        let (app, path) = (&app, path.clone());
        async move { call(app, Method::PATCH, &path, Some(&token), None, Some(body)).await }
    };
    assert_envelope(patch(ada.clone(), json!({"status": "paid"})).await, 403, "FORBIDDEN").await;
    let body = assert_envelope(
        patch(shop.staff.clone(), json!({"status": "delivered"})).await,
        409,
        "INVALID_TRANSITION",
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("it can become paid or cancelled"),
        "{body}"
    );
    let response = patch(
        shop.staff.clone(),
        json!({"status": "paid", "note": "Transfer received"}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_envelope(
        patch(shop.staff.clone(), json!({"status": "paid"})).await,
        409,
        "INVALID_TRANSITION",
    )
    .await;
    let body = assert_envelope(
        patch(shop.staff.clone(), json!({"status": "fulfilled"})).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(body["error"]["details"]["tracking_number"].is_array());
    let response = patch(
        shop.staff.clone(),
        json!({"status": "fulfilled", "tracking_number": "1Z999"}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["tracking_number"], "1Z999");
    assert_envelope(
        patch(shop.staff.clone(), json!({"status": "cancelled"})).await,
        409,
        "INVALID_TRANSITION",
    )
    .await;
    let response = patch(shop.staff.clone(), json!({"status": "delivered"})).await;
    let body: Value = response.json().await.unwrap();
    let history = body["data"]["history"].as_array().unwrap();
    let steps: Vec<_> = history.iter().map(|h| (h["from"].clone(), h["to"].clone())).collect();
    assert_eq!(
        steps,
        [
            (Value::Null, json!("pending_payment")),
            (json!("pending_payment"), json!("paid")),
            (json!("paid"), json!("fulfilled")),
            (json!("fulfilled"), json!("delivered")),
        ]
    );
    assert_eq!(history[1]["note"], "Transfer received");
    assert!(history[1]["actor_id"].is_string());
    for to in ["pending_payment", "paid", "cancelled"] {
        assert_envelope(
            patch(shop.staff.clone(), json!({"status": to})).await,
            409,
            "INVALID_TRANSITION",
        )
        .await;
    }
    let again = json!({"status": "fulfilled", "tracking_number": "1Z"});
    assert_envelope(patch(shop.staff.clone(), again).await, 409, "INVALID_TRANSITION").await;
    wait_for_mail(&outbox(&app), "ada@example.com", "Shipped").await;
    let list: Value = send(
        &app,
        Method::GET,
        "/api/v1/orders?scope=all&status=delivered&email=ADA",
        &shop.staff,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(list["meta"]["total"], 1);
    let mine: Value = send(&app, Method::GET, "/api/v1/orders", &shop.staff, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine["meta"]["total"], 0,
        "without scope=all, staff see their own orders"
    );

    // A second order: the customer cancels it while unpaid; stock and the code's use come back.
    add(shop.mug.clone(), 4).await;
    call(
        &app,
        Method::POST,
        "/api/v1/cart/discount",
        Some(&ada),
        None,
        Some(json!({"code": "FIVE"})),
    )
    .await;
    let second = checkout(&app, &ada, &shop).await;
    let second_id = second["data"]["id"].as_str().unwrap();
    assert_eq!(stock(&app, "MUG").await, 3);
    let uses = || async {
        sqlx::query_scalar::<_, i32>("SELECT times_used FROM discount_codes WHERE code = 'FIVE'")
            .fetch_one(&app.db)
            .await
            .unwrap()
    };
    assert_eq!(uses().await, 2);
    let cancel = format!("/api/v1/orders/{second_id}/cancel");
    assert_envelope(
        call(&app, Method::POST, &cancel, Some(&bob), None, None).await,
        404,
        "NOT_FOUND",
    )
    .await;
    let response = call(&app, Method::POST, &cancel, Some(&ada), None, None).await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["status"], "cancelled");
    assert_eq!(stock(&app, "MUG").await, 7);
    assert_eq!(uses().await, 1);
    assert_envelope(
        call(&app, Method::POST, &cancel, Some(&ada), None, None).await,
        409,
        "INVALID_TRANSITION",
    )
    .await;

    // A paid order: the customer can't cancel it; staff can, and its total is recorded as refunded.
    add(shop.tee.clone(), 1).await;
    let third = checkout(&app, &ada, &shop).await;
    let third_path = format!("/api/v1/orders/{}", third["data"]["id"].as_str().unwrap());
    send(
        &app,
        Method::PATCH,
        &third_path,
        &shop.staff,
        Some(json!({"status": "paid"})),
    )
    .await;
    let response = call(
        &app,
        Method::POST,
        &format!("{third_path}/cancel"),
        Some(&ada),
        None,
        None,
    )
    .await;
    assert_envelope(response, 409, "INVALID_TRANSITION").await;
    let response = send(
        &app,
        Method::PATCH,
        &third_path,
        &shop.staff,
        Some(json!({"status": "cancelled", "note": "Customer called"})),
    )
    .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["refunded"], third["data"]["total"]);
    assert_eq!(stock(&app, "TEE").await, 2);
}

#[tokio::test]
async fn a_short_line_refuses_the_whole_checkout_and_changes_nothing() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    let guest = guest_cart(&app, &shop.tee, 3).await;
    call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        None,
        Some(&guest),
        Some(json!({"variant_id": shop.mug, "quantity": 2})),
    )
    .await;
    sqlx::query("UPDATE product_variants SET stock = 1 WHERE sku = 'TEE'")
        .execute(&app.db)
        .await
        .unwrap();
    let body = json!({"shipping_method_id": shop.method, "shipping_address": address(), "email": "guest@example.com"});
    let response = call(
        &app,
        Method::POST,
        "/api/v1/orders",
        None,
        Some(&guest),
        Some(body.clone()),
    )
    .await;
    let error = assert_envelope(response, 409, "OUT_OF_STOCK").await;
    let details = error["error"]["details"].as_object().unwrap();
    assert_eq!(details.len(), 1, "only the short line: {details:?}");
    assert_eq!(details[&shop.tee][0], "Only 1 of TEE available; your cart has 3.");
    assert_eq!(stock(&app, "TEE").await, 1);
    assert_eq!(stock(&app, "MUG").await, 10, "the other line took nothing");
    let cart: Value = call(&app, Method::GET, "/api/v1/cart", None, Some(&guest), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cart["data"]["item_count"], 5, "the cart is intact");
    // A guest needs an e-mail address; an empty cart can't be checked out.
    let response = call(
        &app,
        Method::POST,
        "/api/v1/orders",
        None,
        Some(&guest),
        Some(json!({"shipping_method_id": shop.method, "shipping_address": address()})),
    )
    .await;
    let error = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(error["error"]["details"]["email"].is_array());
    let empty = guest_cart(&app, &shop.mug, 1).await;
    let line: Value = call(&app, Method::GET, "/api/v1/cart", None, Some(&empty), None)
        .await
        .json()
        .await
        .unwrap();
    let line = line["data"]["items"][0]["id"].as_str().unwrap().to_owned();
    call(
        &app,
        Method::DELETE,
        &format!("/api/v1/cart/items/{line}"),
        None,
        Some(&empty),
        None,
    )
    .await;
    let response = call(
        &app,
        Method::POST,
        "/api/v1/orders",
        None,
        Some(&empty),
        Some(body.clone()),
    )
    .await;
    assert_envelope(response, 422, "BUSINESS_RULE_VIOLATION").await;
    // With the stock back, the same checkout goes through, and the guest reads it with the key.
    sqlx::query("UPDATE product_variants SET stock = 4 WHERE sku = 'TEE'")
        .execute(&app.db)
        .await
        .unwrap();
    let response = call(&app, Method::POST, "/api/v1/orders", None, Some(&guest), Some(body)).await;
    assert_eq!(response.status().as_u16(), 201);
    let placed: Value = response.json().await.unwrap();
    assert_eq!(placed["data"]["email"], "guest@example.com");
    assert_eq!(placed["data"]["user_id"], Value::Null);
    let mail = wait_for_mail(&outbox(&app), "guest@example.com", "order").await;
    let key = placed["data"]["access_key"].as_str().unwrap();
    assert!(mail.text.contains(&format!("?key={key}")), "{}", mail.text);
}

#[tokio::test]
async fn a_checkout_that_fails_halfway_leaves_no_trace() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    let ada = token_for(&app, "ada@example.com", Role::Customer).await;
    call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        Some(&ada),
        None,
        Some(json!({"variant_id": shop.tee, "quantity": 2})),
    )
    .await;
    code_on_cart(
        &app,
        &shop,
        &ada,
        json!({"code": "ONCE", "kind": "percent", "value": "50", "usage_limit": 1}),
    )
    .await;
    // The failure: writing the order's lines breaks, after stock, the code's use and the order
    // itself were written in the same transaction.
    sqlx::raw_sql(
        "CREATE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'injected failure'; END $$;
         CREATE TRIGGER test_fail BEFORE INSERT ON order_items FOR EACH STATEMENT EXECUTE FUNCTION test_fail();",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let body = json!({"shipping_method_id": shop.method, "shipping_address": address()});
    let response = call(
        &app,
        Method::POST,
        "/api/v1/orders",
        Some(&ada),
        None,
        Some(body.clone()),
    )
    .await;
    assert_envelope(response, 500, "INTERNAL_ERROR").await;
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(orders, 0);
    assert_eq!(stock(&app, "TEE").await, 4);
    let uses: i32 = sqlx::query_scalar("SELECT times_used FROM discount_codes WHERE code = 'ONCE'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(uses, 0);
    let cart: Value = call(&app, Method::GET, "/api/v1/cart", Some(&ada), None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cart["data"]["item_count"], 2);
    assert_eq!(cart["data"]["discount_code"], "ONCE");
    sqlx::raw_sql("DROP TRIGGER test_fail ON order_items")
        .execute(&app.db)
        .await
        .unwrap();
    let response = call(&app, Method::POST, "/api/v1/orders", Some(&ada), None, Some(body)).await;
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_to_its_own_caller_only() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    let ada = token_for(&app, "ada@example.com", Role::Customer).await;
    let bob = token_for(&app, "bob@example.com", Role::Customer).await;
    call(
        &app,
        Method::POST,
        "/api/v1/cart/items",
        Some(&ada),
        None,
        Some(json!({"variant_id": shop.mug, "quantity": 1})),
    )
    .await;
    let body = json!({"shipping_method_id": shop.method, "shipping_address": address()});
    let post = |token: &str, key: &str, body: &Value| {
        app.client
            .post(app.url("/api/v1/orders"))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(body)
            .send()
    };
    let first = post(&ada, "order-1", &body).await.unwrap();
    assert_eq!(first.status().as_u16(), 201);
    assert_eq!(first.headers()["idempotent-replayed"], "false");
    let location = first.headers()["location"].clone();
    let first: Value = first.json().await.unwrap();
    let again = post(&ada, "order-1", &body).await.unwrap();
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"], location);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["data"]["id"], first["data"]["id"]);
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(orders, 1);
    // The same key with another body is refused.
    let other = json!({"shipping_method_id": shop.method, "shipping_address": address(), "email": "x@example.com"});
    assert_envelope(
        post(&ada, "order-1", &other).await.unwrap(),
        422,
        "IDEMPOTENCY_KEY_REUSED",
    )
    .await;
    // Another caller's same key is theirs: Bob's cart is empty, and he is told so, not handed Ada's order.
    let response = post(&bob, "order-1", &body).await.unwrap();
    assert_envelope(response, 422, "BUSINESS_RULE_VIOLATION").await;
    // Refusals are replayed too (same request, same answer), with the envelope.
    let response = post(&bob, "order-1", &body).await.unwrap();
    assert_eq!(response.headers()["idempotent-replayed"], "true");
    assert_envelope(response, 422, "BUSINESS_RULE_VIOLATION").await;
    // A malformed key is named.
    let response = app
        .client
        .post(app.url("/api/v1/orders"))
        .bearer_auth(&ada)
        .header("idempotency-key", "")
        .json(&body)
        .send()
        .await
        .unwrap();
    let error = assert_envelope(response, 422, "VALIDATION_ERROR").await;
    assert!(error["error"]["details"]["Idempotency-Key"].is_array());
    // Guests' keys are scoped to their cart token; the new cart's token comes back on replay.
    let guest = guest_cart(&app, &shop.mug, 1).await;
    let add = |key: &'static str| {
        app.client
            .post(app.url("/api/v1/cart/items"))
            .header("x-cart-token", &guest)
            .header("idempotency-key", key)
            .json(&json!({"variant_id": shop.tee, "quantity": 1}))
            .send()
    };
    assert_eq!(add("add-tee").await.unwrap().status().as_u16(), 201);
    let replayed = add("add-tee").await.unwrap();
    assert_eq!(replayed.status().as_u16(), 201);
    assert_eq!(replayed.headers()["idempotent-replayed"], "true");
    let cart: Value = call(&app, Method::GET, "/api/v1/cart", None, Some(&guest), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cart["data"]["item_count"], 2, "added once");
}

#[tokio::test]
async fn each_recurring_job_runs_once_across_instances_and_cancels_unpaid_orders() {
    use app::services::scheduler::{ScheduleSettings, schedule, tick};
    // Test apps run no scheduler of their own, so only the ticks below claim slots.
    let first = spawn_app().await;
    let second = crate::helpers::spawn_app_on(&first.database_url, &first.db_name, |_| {}, axum::Router::new()).await;
    let shop = open_shop(&first).await;
    let guest = guest_cart(&first, &shop.mug, 3).await;
    let body = json!({"shipping_method_id": shop.method, "shipping_address": address(), "email": "slow@example.com"});
    let response = call(&first, Method::POST, "/api/v1/orders", None, Some(&guest), Some(body)).await;
    assert_eq!(response.status().as_u16(), 201);
    let placed: Value = response.json().await.unwrap();
    assert_eq!(stock(&first, "MUG").await, 7);

    // Both instances tick at the same moment: every job is enqueued once, by one of them.
    let jobs = schedule(ScheduleSettings {
        unpaid_order_timeout: std::time::Duration::ZERO,
    });
    let now = chrono::Utc::now();
    let (a, b) = tokio::join!(tick(&first.state, now, &jobs), tick(&second.state, now, &jobs));
    let mut enqueued = [a.unwrap(), b.unwrap()].concat();
    enqueued.sort_unstable();
    let mut names: Vec<_> = jobs.iter().map(|j| j.name).collect();
    names.sort_unstable();
    assert_eq!(enqueued, names);
    // Ticking again in the same period enqueues nothing.
    assert!(tick(&first.state, now, &jobs).await.unwrap().is_empty());

    // A worker runs the job: the unpaid order is cancelled by the shop and its stock is back.
    let path = format!(
        "/api/v1/orders/{}?key={}",
        placed["data"]["id"].as_str().unwrap(),
        placed["data"]["access_key"].as_str().unwrap()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let order = loop {
        let order: Value = call(&first, Method::GET, &path, None, None, None)
            .await
            .json()
            .await
            .unwrap();
        if order["data"]["status"] == "cancelled" {
            break order;
        }
        assert!(std::time::Instant::now() < deadline, "not cancelled: {order}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let last = order["data"]["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor_id"], Value::Null, "the shop did it");
    assert!(last["note"].as_str().unwrap().starts_with("Not paid within"), "{last}");
    assert_eq!(stock(&first, "MUG").await, 10);
}
