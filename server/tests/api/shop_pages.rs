//! The storefront's cart and checkout as a browser without JavaScript uses them: plain form posts
//! to server functions that answer with redirects, a session that carries the guest's cart, pages
//! that come back with errors and the fields as typed, the guest cart merging at sign-in, and
//! personal pages never cached.

use app::domain::identity::Role;

use crate::helpers::{TestApp, session_cookie, spawn_app, token_for};
use crate::orders::open_shop;

/// A browser without JavaScript: it keeps the session cookie the shop sets.
struct Browser<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self { app, cookie: None }
    }

    fn keep(&mut self, response: &reqwest::Response) {
        if let Some((pair, _)) = session_cookie(response) {
            self.cookie = Some(pair);
        }
    }

    /// Submits a form to a server function; returns the redirect's target.
    async fn post(&mut self, name: &str, form: &[(&str, &str)]) -> String {
        let mut request = self
            .app
            .client
            .post(self.app.url(&format!("/api/fn/{name}")))
            .header("origin", &self.app.address)
            .header("accept", "text/html")
            .header("referer", self.app.url("/checkout"))
            .form(form);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        self.keep(&response);
        assert_eq!(response.status().as_u16(), 302, "{name}: {:?}", response.text().await);
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// A browser signed in as `email` (an account made with the tests' password).
    async fn signed_in(app: &'a TestApp, email: &str) -> Browser<'a> {
        let mut browser = Browser::new(app);
        browser
            .post(
                "login",
                &[("email", email), ("password", crate::helpers::TEST_PASSWORD)],
            )
            .await;
        browser
    }

    /// A read-only server function's status for this browser.
    async fn status_of(&self, name: &str) -> u16 {
        let mut request = self.app.client.get(self.app.url(&format!("/api/fn/{name}")));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.unwrap().status().as_u16()
    }

    async fn get(&mut self, path: &str) -> (reqwest::header::HeaderMap, String) {
        let mut request = self.app.client.get(self.app.url(path)).header("accept", "text/html");
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        self.keep(&response);
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let headers = response.headers().clone();
        (headers, response.text().await.unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_checks_out_without_javascript() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    let mut browser = Browser::new(&app);

    // Add to cart: the cart page comes next, and the header counts what is in it.
    let next = browser
        .post("add_to_cart", &[("variant_id", &shop.tee), ("quantity", "2")])
        .await;
    assert_eq!(next, "/cart");
    assert!(browser.cookie.is_some(), "the cart lives in a session");
    let (headers, html) = browser.get("/cart").await;
    assert_eq!(
        headers["cache-control"], "private, no-cache",
        "a page with a cart is personal"
    );
    assert!(html.contains("Shop Things — Tee"), "{html}");
    assert!(html.contains(r#"<span id="cart-count" aria-live="polite">2</span>"#));
    assert!(html.contains("$39.98"));

    // The address step refused comes back with the error and the fields as typed.
    let back = browser
        .post(
            "checkout_address",
            &[
                ("full_name", "Ada Lovelace"),
                ("line1", "1 Main St"),
                ("city", "Berlin"),
                ("postal_code", "10115"),
                ("country", "DE"),
            ],
        )
        .await;
    assert!(back.contains("__err="), "{back}");
    let (_, html) = browser.get(&back.replacen(&app.address, "", 1)).await;
    assert!(html.contains("is required"), "the e-mail's error shows");
    assert!(html.contains(r#"value="Ada Lovelace""#), "what was typed stays");

    let next = browser
        .post(
            "checkout_address",
            &[
                ("email", "guest@example.com"),
                ("full_name", "Ada Lovelace"),
                ("line1", "1 Main St"),
                ("city", "Berlin"),
                ("postal_code", "10115"),
                ("country", "de"),
            ],
        )
        .await;
    assert_eq!(next, "/checkout/shipping");
    let (_, html) = browser.get("/checkout/shipping").await;
    assert!(
        html.contains("Shipping to DE") && html.contains("Standard") && html.contains("$4.95"),
        "{html}"
    );
    let next = browser
        .post("checkout_shipping", &[("shipping_method_id", &shop.method)])
        .await;
    assert_eq!(next, "/checkout/review");
    let (_, html) = browser.get("/checkout/review").await;
    assert!(html.contains("Place order") && html.contains("guest@example.com"));
    // 39.98 + 4.95 shipping + 19 % tax (7.60 + 0.94) = 53.47.
    assert!(html.contains("$53.47"), "{html}");

    let next = browser.post("place_order", &[]).await;
    assert!(
        next.starts_with("/orders/") && next.contains("?key=") && next.ends_with("&placed=1"),
        "{next}"
    );
    let (_, html) = browser.get(&next).await;
    assert!(html.contains("Thank you! Your order is placed."));
    assert!(html.contains("Awaiting payment"));
    assert!(html.contains("by bank transfer quoting OX-"));
    let (_, html) = browser.get("/cart").await;
    assert!(html.contains("Your cart is empty."));
    // Without the key, the order is nobody's business.
    let path = next.split('?').next().unwrap();
    let response = app
        .client
        .get(app.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_merges_the_guest_cart_and_the_order_shows_in_the_account() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    token_for(&app, "ada@example.com", Role::Customer).await;
    let mut browser = Browser::new(&app);
    browser
        .post("add_to_cart", &[("variant_id", &shop.mug), ("quantity", "3")])
        .await;
    let next = browser
        .post(
            "login",
            &[
                ("email", "ada@example.com"),
                ("password", crate::helpers::TEST_PASSWORD),
                ("next", "/cart"),
            ],
        )
        .await;
    assert_eq!(next, "/cart");
    let (_, html) = browser.get("/cart").await;
    assert!(
        html.contains("Shop Things — Mug") && html.contains(r#"aria-live="polite">3<"#),
        "{html}"
    );
    let account_cart: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cart_items i JOIN carts c ON c.id = i.cart_id JOIN users u ON u.id = c.user_id
         WHERE u.email = 'ada@example.com'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(account_cart, 1, "the guest cart became the account's");

    // A code on the cart page; a bad one comes back with why.
    let back = browser.post("apply_discount_code", &[("code", "NOPE")]).await;
    assert!(back.contains("__err="), "{back}");
    let next = browser
        .post(
            "checkout_address",
            &[
                ("full_name", "Ada Lovelace"),
                ("line1", "1 Main St"),
                ("city", "Vienna"),
                ("postal_code", "1010"),
                ("country", "AT"),
            ],
        )
        .await;
    assert_eq!(next, "/checkout/shipping");
    browser
        .post("checkout_shipping", &[("shipping_method_id", &shop.method)])
        .await;
    let placed = browser.post("place_order", &[]).await;
    let id = placed
        .trim_start_matches("/orders/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let (_, html) = browser.get("/account/orders").await;
    assert!(html.contains(&format!("/account/orders/{id}")), "{html}");
    let (_, html) = browser.get(&format!("/account/orders/{id}")).await;
    assert!(html.contains("3 × Shop Things — Mug"));
    // The customer cancels it while it awaits payment.
    let back = browser.post("cancel_order", &[("id", &id)]).await;
    assert_eq!(back, format!("/account/orders/{id}"));
    let (_, html) = browser.get(&back).await;
    assert!(html.contains(">Cancelled<"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_desk_lists_orders_and_moves_one_along_its_machine() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    token_for(&app, "desk@example.com", Role::Staff).await;
    token_for(&app, "ada@example.com", Role::Customer).await;
    // A guest's order.
    let mut guest = Browser::new(&app);
    guest
        .post("add_to_cart", &[("variant_id", &shop.mug), ("quantity", "2")])
        .await;
    guest
        .post(
            "checkout_address",
            &[
                ("email", "guest@example.com"),
                ("full_name", "Gus Guest"),
                ("line1", "1 Main St"),
                ("city", "Berlin"),
                ("postal_code", "10115"),
                ("country", "DE"),
            ],
        )
        .await;
    guest
        .post("checkout_shipping", &[("shipping_method_id", &shop.method)])
        .await;
    let placed = guest.post("place_order", &[]).await;
    let id = placed
        .trim_start_matches("/orders/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();

    // A customer is refused the desk.
    let customer = Browser::signed_in(&app, "ada@example.com").await;
    assert_eq!(customer.status_of("staff_orders").await, 403);

    let mut desk = Browser::signed_in(&app, "desk@example.com").await;
    let (_, html) = desk.get("/admin/orders?status=pending_payment&email=GUEST").await;
    assert!(html.contains(&format!("/admin/orders/{id}")), "{html}");
    let (_, html) = desk.get("/admin/orders?status=delivered").await;
    assert!(html.contains("No orders match."));
    let (_, html) = desk.get(&format!("/admin/orders/{id}")).await;
    assert!(html.contains("Mark paid") && html.contains("Cancel the order"));
    assert!(!html.contains("Mark shipped"), "only the moves the status allows");

    // Paid, then shipped without a tracking number (refused, nothing moves), then with one.
    let back = desk
        .post(
            "move_order",
            &[("id", &id), ("status", "paid"), ("note", "Transfer seen")],
        )
        .await;
    assert_eq!(back, format!("/admin/orders/{id}?moved=1"));
    let (_, html) = desk.get(&back).await;
    assert!(html.contains("Mark shipped") && !html.contains("Mark paid"));
    assert!(html.contains("Transfer seen"));
    let refused = desk
        .post(
            "move_order",
            &[("id", &id), ("status", "fulfilled"), ("tracking_number", "")],
        )
        .await;
    assert!(refused.contains("__err="), "{refused}");
    desk.post(
        "move_order",
        &[("id", &id), ("status", "fulfilled"), ("tracking_number", "1Z42")],
    )
    .await;
    let again = desk.post("move_order", &[("id", &id), ("status", "paid")]).await;
    assert!(again.contains("__err="), "a repeated move is refused: {again}");
    let back = desk.post("resend_order_mail", &[("id", &id)]).await;
    assert_eq!(back, format!("/admin/orders/{id}?resent=1"));
    let (_, html) = desk.get(&format!("/admin/orders/{id}/packing-slip")).await;
    assert!(html.contains("Packing slip") && html.contains("Gus Guest") && html.contains("MUG"));
    let status: String = sqlx::query_scalar("SELECT status::text FROM orders WHERE id = $1::uuid")
        .bind(&id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "fulfilled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pricing_page_adds_and_switches_codes_methods_and_rates() {
    let app = spawn_app().await;
    token_for(&app, "desk@example.com", Role::Staff).await;
    let mut desk = Browser::signed_in(&app, "desk@example.com").await;
    let back = desk
        .post(
            "add_discount_code",
            &[
                ("code", "spring5"),
                ("kind", "fixed"),
                ("value", "5"),
                ("usage_limit", "100"),
                ("per_customer_limit", ""),
                ("ends_at", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(back, "/admin/pricing?saved=1");
    let refused = desk
        .post(
            "add_discount_code",
            &[
                ("code", "x"),
                ("kind", "percent"),
                ("value", "101"),
                ("usage_limit", "lots"),
            ],
        )
        .await;
    assert!(refused.contains("__err="), "{refused}");
    desk.post(
        "add_shipping_method",
        &[
            ("name", "Courier"),
            ("price", "9.90"),
            ("free_above", ""),
            ("countries", "de, at"),
        ],
    )
    .await;
    desk.post("set_tax_rate", &[("country", "at"), ("rate", "20")]).await;
    let (_, html) = desk.get("/admin/pricing").await;
    assert!(
        html.contains("SPRING5") && html.contains("0 of 100") && html.contains("until 1 Jan 2099"),
        "{html}"
    );
    assert!(html.contains("Courier") && html.contains("to DE, AT"));
    assert!(html.contains("— 20 %"));
    let code: uuid::Uuid = sqlx::query_scalar("SELECT id FROM discount_codes WHERE code = 'SPRING5'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    desk.post(
        "switch_discount_code",
        &[("id", &code.to_string()), ("active", "false")],
    )
    .await;
    let active: bool = sqlx::query_scalar("SELECT active FROM discount_codes WHERE id = $1")
        .bind(code)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(!active);
    desk.post("remove_tax_rate", &[("country", "AT")]).await;
    let (_, html) = desk.get("/admin/pricing").await;
    assert!(!html.contains("— 20 %"));

    // A customer neither sees the page's data nor changes anything.
    token_for(&app, "ada@example.com", Role::Customer).await;
    let mut customer = Browser::signed_in(&app, "ada@example.com").await;
    assert_eq!(customer.status_of("staff_pricing").await, 403);
    let refused = customer.post("set_tax_rate", &[("country", "DE"), ("rate", "1")]).await;
    assert!(refused.contains("__err="), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_queue_approves_several_at_once_and_the_rating_follows() {
    let app = spawn_app().await;
    open_shop(&app).await;
    let product: String = sqlx::query_scalar("SELECT product_id::text FROM product_variants WHERE sku = 'TEE'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    for (email, rating) in [("ada@example.com", 5), ("bob@example.com", 3), ("cy@example.com", 1)] {
        let token = token_for(&app, email, Role::Customer).await;
        let response = crate::helpers::send(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/products/{product}/reviews"),
            &token,
            Some(serde_json::json!({"rating": rating, "title": format!("Rated {rating}")})),
        )
        .await;
        assert_eq!(response.status().as_u16(), 201);
    }
    let ids: Vec<String> = sqlx::query_scalar("SELECT id::text FROM reviews ORDER BY rating DESC")
        .fetch_all(&app.db)
        .await
        .unwrap();
    token_for(&app, "mod@example.com", Role::Staff).await;
    let mut desk = Browser::signed_in(&app, "mod@example.com").await;
    let (_, html) = desk.get("/admin/reviews").await;
    assert!(html.contains("Rated 5") && html.contains("Rated 1"), "{html}");
    let nothing = desk.post("moderate_reviews", &[("status", "approved")]).await;
    assert!(nothing.contains("__err="), "nothing ticked: {nothing}");
    let back = desk
        .post(
            "moderate_reviews",
            &[("ids[]", &ids[0]), ("ids[]", &ids[1]), ("status", "approved")],
        )
        .await;
    assert_eq!(back, "/admin/reviews?done=2&decision=approved");
    let (_, html) = desk.get("/admin/reviews").await;
    assert!(
        !html.contains("Rated 5") && html.contains("Rated 1"),
        "only the third waits"
    );
    let (count, average): (i32, Option<rust_decimal::Decimal>) =
        sqlx::query_as("SELECT rating_count, rating_average FROM products WHERE id = $1::uuid")
            .bind(&product)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (count, average.map(|a| a.normalize().to_string())),
        (2, Some("4".to_owned()))
    );
    // A customer can't moderate.
    let mut customer = Browser::signed_in(&app, "ada@example.com").await;
    let refused = customer
        .post("moderate_reviews", &[("ids[]", &ids[2]), ("status", "approved")])
        .await;
    assert!(refused.contains("__err="), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_category_editor_adds_moves_and_refuses_a_cycle() {
    let app = spawn_app().await;
    token_for(&app, "desk@example.com", Role::Staff).await;
    let mut desk = Browser::signed_in(&app, "desk@example.com").await;
    assert_eq!(
        desk.post(
            "add_category",
            &[("name", "Kitchen"), ("parent_id", ""), ("position", "")]
        )
        .await,
        "/admin/categories?saved=1"
    );
    let kitchen: String = sqlx::query_scalar("SELECT id::text FROM categories WHERE slug = 'kitchen'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    desk.post(
        "add_category",
        &[("name", "Pans"), ("parent_id", &kitchen), ("position", "2")],
    )
    .await;
    let (pans, version): (String, i32) = sqlx::query_as("SELECT id::text, version FROM categories WHERE slug = 'pans'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (_, html) = desk.get("/admin/categories").await;
    assert!(
        html.contains("— Pans"),
        "Pans shows under Kitchen in the pickers: {html}"
    );
    // Kitchen can't go under its own subcategory.
    let refused = desk
        .post(
            "save_category",
            &[
                ("id", &kitchen),
                ("version", "1"),
                ("name", "Kitchen"),
                ("parent_id", &pans),
                ("position", "0"),
            ],
        )
        .await;
    assert!(refused.contains("__err="), "{refused}");
    // Pans renamed and moved to the top level.
    let version = version.to_string();
    let back = desk
        .post(
            "save_category",
            &[
                ("id", &pans),
                ("version", &version),
                ("name", "Pots and Pans"),
                ("parent_id", ""),
                ("position", "1"),
            ],
        )
        .await;
    assert_eq!(back, "/admin/categories?saved=1");
    let (name, parent): (String, Option<String>) =
        sqlx::query_as("SELECT name, parent_id::text FROM categories WHERE id = $1::uuid")
            .bind(&pans)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((name.as_str(), parent), ("Pots and Pans", None));
    // A stale version is refused.
    let stale = desk
        .post(
            "save_category",
            &[
                ("id", &pans),
                ("version", &version),
                ("name", "Pans again"),
                ("parent_id", ""),
                ("position", "1"),
            ],
        )
        .await;
    assert!(stale.contains("__err="), "{stale}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_product_table_filters_and_publishes_or_archives_many() {
    let app = spawn_app().await;
    let shop = open_shop(&app).await;
    for name in ["Draft One", "Draft Two"] {
        let response = crate::helpers::send(
            &app,
            reqwest::Method::POST,
            "/api/v1/products",
            &shop.staff,
            Some(serde_json::json!({"name": name, "variants": [{"sku": name.replace(' ', "-"), "price": "3", "stock": 1}]})),
        )
        .await;
        assert_eq!(response.status().as_u16(), 201);
    }
    token_for(&app, "desk@example.com", Role::Staff).await;
    let mut desk = Browser::signed_in(&app, "desk@example.com").await;
    let (_, html) = desk.get("/admin/products?q=shop").await;
    assert!(html.contains("Shop Things") && !html.contains("Draft One"), "{html}");
    let (_, html) = desk.get("/admin/products?status=draft&sort=name").await;
    assert!(html.contains("Draft One") && html.contains("Draft Two"), "{html}");
    let drafts: Vec<String> = sqlx::query_scalar("SELECT id::text FROM products WHERE status = 'draft' ORDER BY name")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let back = desk
        .post(
            "bulk_product_status",
            &[("ids[]", &drafts[0]), ("ids[]", &drafts[1]), ("status", "active")],
        )
        .await;
    assert_eq!(back, "/admin/products?done=2&made=active");
    let (_, html) = desk.get("/admin/products?q=draft").await;
    assert!(
        html.contains("Draft One") && html.contains("Draft Two"),
        "published: {html}"
    );
    assert_eq!(app.get("/api/v1/products/draft-one").await.status().as_u16(), 200);
    desk.post("bulk_product_status", &[("ids[]", &drafts[0]), ("status", "archived")])
        .await;
    assert_eq!(app.get("/api/v1/products/draft-one").await.status().as_u16(), 404);
    let nothing = desk.post("bulk_product_status", &[("status", "archived")]).await;
    assert!(nothing.contains("__err="), "{nothing}");
}
