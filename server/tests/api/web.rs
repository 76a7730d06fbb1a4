//! Browsers: sessions (cookie flags, rotation at sign-in, sign-out, Redis and PostgreSQL stores
//! shared by instances), cross-site request refusal, and the staff area's 401/403 for pages and
//! server functions alike. These run on a multi-threaded runtime like the real server, and every
//! request has a deadline so a stuck one fails the test by name instead of hanging the suite.

use app::domain::identity::{RegisterInput, Role};
use app::services::identity::create_user_with_role;
use axum::Router;
use serde_json::Value;

use crate::helpers::{TestApp, assert_envelope, fresh_database, redis_url, session_cookie, spawn_app, spawn_app_on};

const PASSWORD: &str = "correct horse battery";

async fn user(app: &TestApp, email: &str, role: Role) {
    let input = RegisterInput {
        email: email.into(),
        display_name: "Someone".into(),
        password: PASSWORD.into(),
    };
    create_user_with_role(&app.state, input, role).await.unwrap();
}

/// Posts a form to a server function, as a same-origin page would.
async fn call(app: &TestApp, name: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(&format!("/api/fn/{name}")))
        .header("origin", &app.address)
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    within(name, request.send()).await
}

/// Fails the test, naming the request, if a response takes longer than 20 seconds.
async fn within(
    what: &str,
    send: impl std::future::Future<Output = reqwest::Result<reqwest::Response>>,
) -> reqwest::Response {
    tokio::time::timeout(std::time::Duration::from_secs(20), send)
        .await
        .unwrap_or_else(|_| panic!("no response to {what} within 20 s"))
        .unwrap()
}

async fn sign_in(app: &TestApp, email: &str) -> String {
    let response = call(app, "login", None, &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(response.status().as_u16(), 200, "{:?}", response.text().await);
    session_cookie(&response).expect("a session cookie").0
}

/// Gets a page as a browser would (asking for HTML, so redirects are real redirects).
async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path)).header("accept", "text/html");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    within(path, request.send()).await
}

/// Calls a read-only server function (they are GETs), with a session cookie if given.
async fn read(app: &TestApp, name: &str, cookie: Option<&str>, query: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(app.url(&format!("/api/fn/{name}"))).query(query);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    within(name, request.send()).await
}

async fn who(app: &TestApp, cookie: &str) -> Value {
    let response = read(app, "current_user", Some(cookie), &[]).await;
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sets_a_fresh_http_only_lax_cookie_and_sign_out_ends_it() {
    let app = spawn_app().await;
    user(&app, "ada@example.com", Role::Customer).await;

    let response = call(
        &app,
        "login",
        None,
        &[("email", "ada@example.com"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["location"],
        "/account",
        "signed in, the shopper goes to the account"
    );
    let (first, attributes) = session_cookie(&response).expect("session cookie");
    let lower = attributes.to_lowercase();
    assert!(lower.contains("httponly"), "{attributes}");
    assert!(lower.contains("samesite=lax"), "{attributes}");
    assert!(!lower.contains("secure"), "not Secure without TLS: {attributes}");
    assert_eq!(who(&app, &first).await["email"], "ada@example.com");

    // Signing in again from the same browser rotates the id; the old one is dead.
    let again = call(
        &app,
        "login",
        Some(&first),
        &[
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("next", "/account/addresses"),
        ],
    )
    .await;
    assert_eq!(again.headers()["location"], "/account/addresses");
    let (second, _) = session_cookie(&again).expect("a new cookie");
    assert_ne!(first, second);
    assert_eq!(who(&app, &first).await, Value::Null);
    assert_eq!(who(&app, &second).await["email"], "ada@example.com");

    // `next` may only point into this site.
    let open = call(
        &app,
        "login",
        None,
        &[
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ],
    )
    .await;
    assert_eq!(open.headers()["location"], "/account");

    let out = call(&app, "logout", Some(&second), &[]).await;
    assert_eq!(out.status().as_u16(), 200);
    assert_eq!(who(&app, &second).await, Value::Null);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE expires_at > now()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        stored, 1,
        "without Redis sessions live in PostgreSQL; only the `open` one is left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_and_bad_forms_get_the_right_errors() {
    let app = spawn_app().await;
    user(&app, "ada@example.com", Role::Customer).await;
    let wrong = call(
        &app,
        "login",
        None,
        &[("email", "ada@example.com"), ("password", "nope")],
    )
    .await;
    assert_eq!(wrong.status().as_u16(), 401);
    assert!(wrong.headers().contains_key("serverfnerror"));
    assert!(session_cookie(&wrong).is_none(), "no session for a failed sign-in");
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["code"], "UNAUTHORIZED");

    let weak = call(
        &app,
        "register",
        None,
        &[
            ("email", "bob@example.com"),
            ("display_name", "Bob"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(weak.status().as_u16(), 422);
    let body: Value = weak.json().await.unwrap();
    assert!(body["details"]["password"].is_array(), "{body}");

    let missing = call(&app, "login", None, &[("email", "ada@example.com")]).await;
    assert_eq!(
        missing.status().as_u16(),
        400,
        "a form without its fields is a bad request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_form_posts_are_refused() {
    let app = spawn_app().await;
    user(&app, "ada@example.com", Role::Customer).await;
    let form = [("email", "ada@example.com"), ("password", PASSWORD)];

    let foreign = app
        .client
        .post(app.url("/api/fn/login"))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_envelope(foreign, 403, "FORBIDDEN").await;

    let fetch_metadata = app
        .client
        .post(app.url("/api/fn/login"))
        .header("sec-fetch-site", "cross-site")
        .header("origin", &app.address)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_envelope(fetch_metadata, 403, "FORBIDDEN").await;

    let same = app
        .client
        .post(app.url("/api/fn/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status().as_u16(), 200);

    // The bearer-token API is not cookie-authenticated, so it takes cross-origin calls.
    let api = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("origin", "https://partner.example")
        .json(&serde_json::json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_area_sends_strangers_to_sign_in_and_refuses_customers() {
    let app = spawn_app().await;
    user(&app, "ada@example.com", Role::Customer).await;
    user(&app, "boss@example.com", Role::Admin).await;

    let stranger = page(&app, "/admin/users", None).await;
    assert_eq!(stranger.status().as_u16(), 302);
    assert_eq!(stranger.headers()["location"], "/login?next=/admin/users");

    let customer = sign_in(&app, "ada@example.com").await;
    let refused = page(&app, "/admin/users", Some(&customer)).await;
    assert_eq!(refused.status().as_u16(), 403);
    let refusal = refused.text().await.unwrap();
    assert!(refusal.contains("open this page"), "the refusal is explained");
    assert!(
        !refusal.contains("Search by name or e-mail"),
        "and nothing of the page itself shows"
    );
    // Staff may enter the staff area but not manage users: the page says why.
    user(&app, "clerk@example.com", Role::Staff).await;
    let clerk = sign_in(&app, "clerk@example.com").await;
    let html = page(&app, "/admin/users", Some(&clerk)).await.text().await.unwrap();
    assert!(
        html.contains("Search by name or e-mail")
            && html.contains(r#"<p class="font-medium">This needs the `users:manage` permission.</p>"#),
        "{html}"
    );
    let listed = read(&app, "list_users", Some(&customer), &[]).await;
    assert_eq!(listed.status().as_u16(), 403);
    let anonymous = read(&app, "list_users", None, &[]).await;
    assert_eq!(anonymous.status().as_u16(), 401);

    let admin = sign_in(&app, "boss@example.com").await;
    let listing = page(&app, "/admin/users", Some(&admin)).await;
    assert_eq!(listing.status().as_u16(), 200);
    let html = listing.text().await.unwrap();
    assert!(
        html.contains("ada@example.com") && html.contains("user-table"),
        "{html}"
    );

    // Changing a role through the page's server function.
    let ada_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'ada@example.com'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let id = ada_id.to_string();
    let changed = call(
        &app,
        "update_user_access",
        Some(&admin),
        &[("id", &id), ("role", "staff"), ("active", "true")],
    )
    .await;
    assert_eq!(changed.status().as_u16(), 200);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["role"], "staff");
    let bad = call(
        &app,
        "update_user_access",
        Some(&admin),
        &[("id", &id), ("role", "emperor"), ("active", "maybe")],
    )
    .await;
    assert_eq!(bad.status().as_u16(), 422);
    let body: Value = bad.json().await.unwrap();
    assert!(
        body["details"]["role"].is_array() && body["details"]["active"].is_array(),
        "{body}"
    );

    // Deactivation ends the web session at once.
    let staff_page = page(&app, "/admin", Some(&customer)).await;
    assert_eq!(
        staff_page.status().as_u16(),
        200,
        "now staff, Ada may open the staff area"
    );
    call(
        &app,
        "update_user_access",
        Some(&admin),
        &[("id", &id), ("role", "staff"), ("active", "false")],
    )
    .await;
    assert_eq!(who(&app, &customer).await, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_pages_need_a_session_and_addresses_stay_private() {
    let app = spawn_app().await;
    user(&app, "ada@example.com", Role::Customer).await;
    user(&app, "bob@example.com", Role::Customer).await;
    let stranger = page(&app, "/account/addresses", None).await;
    assert_eq!(stranger.status().as_u16(), 302);
    assert_eq!(stranger.headers()["location"], "/login?next=/account/addresses");

    let ada = sign_in(&app, "ada@example.com").await;
    let saved = call(
        &app,
        "save_address",
        Some(&ada),
        &[
            ("full_name", "Ada Lovelace"),
            ("line1", "12 St James's Square"),
            ("city", "London"),
            ("postal_code", "SW1Y 4JH"),
            ("country", "gb"),
        ],
    )
    .await;
    assert_eq!(saved.status().as_u16(), 200);
    let invalid = call(
        &app,
        "save_address",
        Some(&ada),
        &[
            ("full_name", ""),
            ("line1", "x"),
            ("city", "x"),
            ("postal_code", "1"),
            ("country", "Britain"),
        ],
    )
    .await;
    assert_eq!(invalid.status().as_u16(), 422);
    let body: Value = invalid.json().await.unwrap();
    assert!(
        body["details"]["full_name"].is_array() && body["details"]["country"].is_array(),
        "{body}"
    );

    let book = page(&app, "/account/addresses", Some(&ada)).await;
    assert_eq!(book.status().as_u16(), 200);
    assert!(book.text().await.unwrap().contains("Ada Lovelace"));

    let address: uuid::Uuid = sqlx::query_scalar("SELECT id FROM addresses")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let bob = sign_in(&app, "bob@example.com").await;
    let theirs = read(&app, "get_address", Some(&bob), &[("id", &address.to_string())]).await;
    assert_eq!(
        theirs.status().as_u16(),
        404,
        "someone else's address does not exist for Bob"
    );
    let delete = call(&app, "delete_address", Some(&bob), &[("id", &address.to_string())]).await;
    assert_eq!(delete.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_a_session_is_honoured_by_every_instance() {
    let (url, name) = fresh_database().await;
    let namespace = format!("oxcart-test:{}:", uuid::Uuid::new_v4().simple());
    let configure = |s: &mut server::Settings| {
        s.cache.redis_url = Some(server::config::Secret::new(redis_url()));
        s.cache.namespace = namespace.clone();
    };
    let first = spawn_app_on(&url, &name, configure, Router::new()).await;
    let second = spawn_app_on(&url, &name, configure, Router::new()).await;
    user(&first, "ada@example.com", Role::Customer).await;

    let cookie = sign_in(&first, "ada@example.com").await;
    assert_eq!(who(&second, &cookie).await["email"], "ada@example.com");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&first.db)
        .await
        .unwrap();
    assert_eq!(stored, 0, "with Redis, PostgreSQL holds no sessions");

    call(&second, "logout", Some(&cookie), &[]).await;
    assert_eq!(who(&first, &cookie).await, Value::Null, "signed out everywhere");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_function_writes_share_the_write_limit_with_the_api() {
    let (url, name) = fresh_database().await;
    let app = spawn_app_on(
        &url,
        &name,
        |s| s.auth.rate_limits.writes = app::adapters::rate_limit::Limit::parse("2/600").unwrap(),
        Router::new(),
    )
    .await;
    let api = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&serde_json::json!({"refresh_token": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 401);
    let first = call(&app, "logout", None, &[]).await;
    assert_eq!(first.status().as_u16(), 200);
    let limited = call(&app, "logout", None, &[]).await;
    assert_eq!(limited.status().as_u16(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert!(
        limited.headers().contains_key("serverfnerror"),
        "in the server functions' own encoding"
    );
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["code"], "RATE_LIMITED", "{body}");
    assert_eq!(app.get("/").await.status().as_u16(), 200, "pages are reads");
    let read = app.get("/api/fn/current_user").await;
    assert_eq!(read.status().as_u16(), 200, "so are server functions that only read");
}

/// Building a router while another server of the process renders pages must not stall those
/// renders (leptos-rs/leptos#4773: generating the route list switched resource loading off
/// process-wide, and a page whose data load began in that window waited forever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_rendering_while_other_servers_start() {
    let app = spawn_app().await;
    let settings = crate::helpers::test_settings(&app.database_url);
    let builder = {
        let state = app.state.clone();
        tokio::task::spawn_blocking(move || {
            for _ in 0..200 {
                let options = server::startup::leptos_options(&settings, "127.0.0.1:0".parse().unwrap());
                drop(server::routes::router(state.clone(), options, &settings, Router::new()));
            }
        })
    };
    let mut rendered = 0;
    while !builder.is_finished() || rendered < 20 {
        let response = page(&app, "/", None).await;
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.text().await.unwrap().contains("</html>"));
        rendered += 1;
    }
    builder.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_ends_the_accounts_other_browser_sessions() {
    let app = spawn_app().await;
    user(&app, "ada@example.com", Role::Customer).await;
    let laptop = sign_in(&app, "ada@example.com").await;
    let phone = sign_in(&app, "ada@example.com").await;
    const NEW: &str = "a brand new passphrase";

    // A failed change ends nothing.
    let wrong = call(
        &app,
        "change_password",
        Some(&laptop),
        &[("current_password", "not it at all"), ("new_password", NEW)],
    )
    .await;
    assert_eq!(wrong.status().as_u16(), 422);
    assert_eq!(who(&app, &phone).await["email"], "ada@example.com");

    let changed = call(
        &app,
        "change_password",
        Some(&laptop),
        &[("current_password", PASSWORD), ("new_password", NEW)],
    )
    .await;
    assert_eq!(changed.status().as_u16(), 200, "{:?}", changed.text().await);
    let (renewed, _) = session_cookie(&changed).expect("the changing browser gets a new session id");
    assert_ne!(renewed, laptop);
    assert_eq!(
        who(&app, &renewed).await["email"],
        "ada@example.com",
        "the browser that changed it stays signed in"
    );
    assert_eq!(who(&app, &laptop).await, Value::Null, "its old session id is dead");
    assert_eq!(who(&app, &phone).await, Value::Null, "the other browser is signed out");
    let account = page(&app, "/account", Some(&phone)).await;
    assert!(
        account.headers()["location"].to_str().unwrap().starts_with("/login"),
        "and its pages send it to sign in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_store_ignores_and_deletes_expired_sessions() {
    use app::adapters::sessions::SessionBackend;
    use tower_sessions::SessionStore;
    use tower_sessions::cookie::time::{Duration, OffsetDateTime};
    use tower_sessions::session::{Id, Record};

    // A bare pool, no server: a server's own housekeeping would race this test's.
    let (url, _) = fresh_database().await;
    let _cleanup = crate::helpers::DropDatabase::new(&url);
    let store = SessionBackend::Postgres(sqlx::PgPool::connect(&url).await.unwrap());
    let record = |minutes: i64| Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: OffsetDateTime::now_utc() + Duration::minutes(minutes),
    };
    let (live, expired) = (record(10), record(-1));
    store.save(&live).await.unwrap();
    store.save(&expired).await.unwrap();

    assert!(store.load(&live.id).await.unwrap().is_some());
    assert!(
        store.load(&expired.id).await.unwrap().is_none(),
        "an expired session is not honoured"
    );
    assert_eq!(store.delete_expired().await.unwrap(), 1);
    assert!(store.load(&live.id).await.unwrap().is_some());
}

/// When the store that vouches for a caller (the token deny-list, the session store: both Redis
/// here) goes away, bearer tokens and browser sessions alike get a 503 rather than being
/// trusted blindly; anonymous shopping goes on (docs/decisions.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_its_cache_the_shop_refuses_credentials_alike_and_keeps_serving_strangers() {
    let relay = crate::helpers::Relay::start(crate::helpers::redis_addr()).await;
    let (url, name) = fresh_database().await;
    let redis = format!("redis://127.0.0.1:{}", relay.port);
    let app = spawn_app_on(
        &url,
        &name,
        |s| s.cache.redis_url = Some(server::config::Secret::new(redis)),
        Router::new(),
    )
    .await;
    user(&app, "ada@example.com", Role::Customer).await;
    let cookie = sign_in(&app, "ada@example.com").await;
    let token: Value = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["data"]["access_token"].as_str().unwrap().to_owned();
    assert_eq!(who(&app, &cookie).await["email"], "ada@example.com");

    relay.cut();

    let bearer = within(
        "/api/v1/me",
        app.client.get(app.url("/api/v1/me")).bearer_auth(&token).send(),
    )
    .await;
    assert_envelope(bearer, 503, "SERVICE_UNAVAILABLE").await;
    let session = read(&app, "current_user", Some(&cookie), &[]).await;
    assert_eq!(session.status().as_u16(), 503, "a session is refused the same way");
    let body: Value = session.json().await.unwrap();
    assert_eq!(body["code"], "SERVICE_UNAVAILABLE", "{body}");
    let stranger = within("/api/v1/products", app.client.get(app.url("/api/v1/products")).send()).await;
    assert_eq!(stranger.status().as_u16(), 200, "anonymous requests degrade, not fail");
    assert_eq!(read(&app, "current_user", None, &[]).await.status().as_u16(), 200);
}

/// The address form's `version` is the optimistic lock: one that can't be read is a 422, never
/// a save that silently skips the check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_version_is_refused_not_skipped() {
    let app = spawn_app().await;
    user(&app, "ada@example.com", Role::Customer).await;
    let cookie = sign_in(&app, "ada@example.com").await;
    let form = [
        ("full_name", "Ada"),
        ("line1", "1 Main St"),
        ("city", "Berlin"),
        ("postal_code", "10115"),
        ("country", "DE"),
    ];
    let created = call(&app, "save_address", Some(&cookie), &form).await;
    assert_eq!(created.status().as_u16(), 200, "{:?}", created.text().await);
    let id: String = sqlx::query_scalar("SELECT id::text FROM addresses")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mut edit = form.to_vec();
    edit[0] = ("full_name", "Mallory");
    edit.push(("id", &id));
    edit.push(("version", "seven"));
    let response = call(&app, "save_address", Some(&cookie), &edit).await;
    assert_eq!(response.status().as_u16(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "VALIDATION_ERROR", "{body}");
    assert!(body["details"]["version"].is_array(), "{body}");
    let name: String = sqlx::query_scalar("SELECT full_name FROM addresses")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(name, "Ada", "nothing was saved");
}
