//! The storefront's catalogue pages as the server renders them (what a browser without
//! JavaScript and a search engine get): category pages with filters in the URL, product pages
//! with their metadata and JSON-LD, old addresses that redirect, real 404s, the sitemap, and who
//! may cache what.

use app::domain::identity::Role;
use app::services::catalog::seed_demo_catalog;
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with, token_for};

/// The JSON-LD object of a page.
fn json_ld(html: &str) -> Value {
    let start = html.find("application/ld+json").expect("a JSON-LD script");
    let start = start + html[start..].find('>').unwrap() + 1;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("valid JSON-LD")
}

#[tokio::test]
async fn a_category_page_lists_its_subtree_with_filters_and_sort_in_the_url() {
    let app = spawn_app().await;
    seed_demo_catalog(&app.state, 0).await.unwrap();
    let response = app.get("/categories/apparel").await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1") && html.contains("Apparel"), "{html}");
    assert!(html.contains("3 products"), "{html}");
    for name in ["Canvas Tote Bag", "Merino Beanie", "Linen Shirt"] {
        assert!(html.contains(name), "{name}");
    }
    assert!(!html.contains("Cast Iron Skillet"));
    assert!(html.contains("rel=\"canonical\""), "{html}");
    assert!(html.contains("aria-label=\"Breadcrumb\""), "{html}");

    // Price range and stock filters, and sort, as plain query parameters.
    let html = app
        .get("/categories/apparel?min_price=20&max_price=40")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("1 product") && html.contains("Merino Beanie"), "{html}");
    let html = app
        .get("/categories/apparel?sort=price_desc")
        .await
        .text()
        .await
        .unwrap();
    let (shirt, tote) = (html.find("Linen Shirt").unwrap(), html.find("Canvas Tote Bag").unwrap());
    assert!(shirt < tote, "dearest first");
    // The filter form keeps what was chosen.
    assert!(html.contains("<option value=\"price_desc\" selected"), "{html}");
    let html = app.get("/categories/apparel?min_price=500").await.text().await.unwrap();
    assert!(
        html.contains("No products match.") && html.contains("Clear filters"),
        "{html}"
    );
    // A bad filter is a 422 page naming the problem; an unknown category a real 404 page.
    let response = app.get("/categories/apparel?min_price=cheap").await;
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("must be a decimal amount"));
    let response = app.get("/categories/no-such-thing").await;
    assert_eq!(response.status().as_u16(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn a_product_page_carries_its_variants_metadata_and_json_ld() {
    let app = spawn_app().await;
    seed_demo_catalog(&app.state, 0).await.unwrap();
    let response = app.get("/products/linen-shirt").await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Linen Shirt · Oxcart</title>"), "{html}");
    assert!(html.contains("name=\"description\""), "{html}");
    assert!(
        html.contains("property=\"og:title\"") && html.contains("property=\"og:url\""),
        "{html}"
    );
    assert!(html.contains("href=\"/categories/apparel\""), "the breadcrumb");
    // Only the interactive parts are islands (the menu, the variant picker) and the browser gets
    // their props; the page's data is HTML, not also resource JSON for hydrating the whole page.
    assert!(
        html.contains("<leptos-island data-component=\"VariantPicker_"),
        "{html}"
    );
    assert!(html.contains("<leptos-island data-component=\"SiteNav_"), "{html}");
    assert!(!html.contains("__RESOLVED_RESOURCES["), "{html}");
    let ld = json_ld(&html);
    assert_eq!(ld["@type"], "Product");
    assert_eq!(ld["name"], "Linen Shirt");
    assert_eq!(ld["offers"]["priceCurrency"], "USD");
    assert_eq!(ld["offers"]["availability"], "https://schema.org/InStock");
    // Each variant has its own URL, which sets the price and SKU shown.
    let html = app
        .get("/products/linen-shirt?variant=LINEN-L")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("$61.00") && html.contains("LINEN-L"), "{html}");
    assert_eq!(json_ld(&html)["offers"]["price"], "61.00");
    // Sold out is said so.
    let html = app.get("/products/olive-wood-spoons").await.text().await.unwrap();
    assert!(html.contains("Sold out"), "{html}");
    assert_eq!(
        json_ld(&html)["offers"]["availability"],
        "https://schema.org/OutOfStock"
    );
    // Unknown products are real 404 pages.
    let response = app.get("/products/no-such-product").await;
    assert_eq!(response.status().as_u16(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn renamed_products_redirect_and_drafts_are_not_found() {
    let app = spawn_app().await;
    seed_demo_catalog(&app.state, 0).await.unwrap();
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let product: Value = app.get("/api/v1/products/linen-shirt").await.json().await.unwrap();
    let path = format!("/api/v1/products/{}", product["data"]["id"].as_str().unwrap());
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&staff)
        .json(&json!({"slug": "linen-summer-shirt"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let response = app.get("/products/linen-shirt").await;
    assert_eq!(response.status().as_u16(), 301);
    assert_eq!(response.headers()["location"], "/products/linen-summer-shirt");
    assert_eq!(app.get("/products/linen-summer-shirt").await.status().as_u16(), 200);
    // Back to draft: gone for shoppers.
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&staff)
        .json(&json!({"status": "draft"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(app.get("/products/linen-summer-shirt").await.status().as_u16(), 404);
    let sitemap = app.get("/sitemap.xml").await;
    assert_eq!(sitemap.status().as_u16(), 200);
    assert!(
        sitemap.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let xml = sitemap.text().await.unwrap();
    assert!(
        xml.contains("/products/cast-iron-skillet</loc>") && xml.contains("/categories/kitchen</loc>"),
        "{xml}"
    );
    assert!(!xml.contains("linen-summer-shirt"), "drafts are not listed: {xml}");
}

#[tokio::test]
async fn strangers_pages_may_be_shared_by_caches_and_personal_ones_may_not() {
    let app = spawn_app().await;
    seed_demo_catalog(&app.state, 0).await.unwrap();
    let cache_control = |r: &reqwest::Response| r.headers()["cache-control"].to_str().unwrap().to_owned();
    for path in [
        "/",
        "/categories/kitchen",
        "/products/cast-iron-skillet",
        "/api/v1/products",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert!(
            cache_control(&response).starts_with("public"),
            "{path}: {}",
            cache_control(&response)
        );
    }
    let response = app
        .client
        .get(app.url("/products/cast-iron-skillet"))
        .header("cookie", "oxcart_session=abc")
        .send()
        .await
        .unwrap();
    assert!(cache_control(&response).starts_with("private"));
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let response = app
        .client
        .get(app.url("/api/v1/products"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert!(cache_control(&response).starts_with("private"));
    let response = app.client.get(app.url("/account")).send().await.unwrap();
    assert!(cache_control(&response).starts_with("private"));
    let response = app
        .client
        .post(app.url("/api/v1/products"))
        .bearer_auth(&staff)
        .json(&json!({"name": "Cached?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cache_control(&response), "no-store");
}

#[tokio::test]
async fn configured_origins_may_call_the_api_from_a_browser() {
    let app = spawn_app_with(
        |s| s.http.cors_allowed_origins = vec!["https://store.example".into()],
        axum::Router::new(),
    )
    .await;
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/products"))
        .header("origin", "https://store.example")
        .header("access-control-request-method", "PATCH")
        .header("access-control-request-headers", "authorization, if-match")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://store.example"
    );
    let response = app
        .client
        .get(app.url("/api/v1/products"))
        .header("origin", "https://store.example")
        .send()
        .await
        .unwrap();
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("location") && exposed.contains("x-cart-token"),
        "{exposed}"
    );
    let response = app
        .client
        .get(app.url("/api/v1/products"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!response.headers().contains_key("access-control-allow-origin"));
    // Nothing configured: no CORS at all.
    let plain = spawn_app().await;
    let response = plain
        .client
        .get(plain.url("/api/v1/products"))
        .header("origin", "https://store.example")
        .send()
        .await
        .unwrap();
    assert!(!response.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn strangers_pages_are_kept_but_never_stale_and_each_gets_its_own_nonce() {
    let app = spawn_app().await;
    seed_demo_catalog(&app.state, 0).await.unwrap();
    let nonce = |r: &reqwest::Response| {
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let start = csp.find("'nonce-").unwrap() + 7;
        csp[start..start + csp[start..].find('\'').unwrap()].to_owned()
    };
    let mut seen = Vec::new();
    for _ in 0..3 {
        let response = app.get("/products/cast-iron-skillet").await;
        assert_eq!(response.status().as_u16(), 200);
        let nonce = nonce(&response);
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "the page's scripts carry this answer's nonce"
        );
        assert!(!html.contains("__oxcart_nonce__"));
        assert!(!seen.contains(&nonce), "a fresh nonce every time");
        seen.push(nonce);
    }
    let staff = token_for(&app, "clerk@example.com", Role::Staff).await;
    let product: Value = app
        .get("/api/v1/products/cast-iron-skillet")
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .client
        .patch(app.url(&format!("/api/v1/products/{}", product["data"]["id"].as_str().unwrap())))
        .bearer_auth(&staff)
        .json(&json!({"name": "Cast Iron Pan"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let html = app.get("/products/cast-iron-skillet").await.text().await.unwrap();
    assert!(html.contains("Cast Iron Pan"), "the write shows at once");
}
