//! Every constraint of the schema has a rule that turns its violation into a clear client error
//! (`app::services::constraints`), and each rule is exercised here by really breaking the
//! constraint in PostgreSQL. A constraint added without a rule, or without a case below, fails
//! `every_constraint_has_a_rule_and_a_case`.

use app::services::constraints::{client_error, rule_for};
use sqlx::PgPool;

use crate::helpers::fresh_database;

const U: &str = "01900000-0000-7000-8000-000000000001";
const C: &str = "01900000-0000-7000-8000-000000000002";
const P: &str = "01900000-0000-7000-8000-000000000003";
const V: &str = "01900000-0000-7000-8000-000000000004";
const A: &str = "01900000-0000-7000-8000-000000000005";
const R: &str = "01900000-0000-7000-8000-000000000006";
const T: &str = "01900000-0000-7000-8000-000000000007";
const W: &str = "01900000-0000-7000-8000-000000000008";
const I: &str = "01900000-0000-7000-8000-000000000009";
const HASH: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const S: &str = "01900000-0000-7000-8000-00000000000a";
const D: &str = "01900000-0000-7000-8000-00000000000b";
const NOBODY: &str = "01900000-0000-7000-8000-0000000000ff";
const K: &str = "01900000-0000-7000-8000-00000000000c";
const O: &str = "01900000-0000-7000-8000-00000000000d";
const X: &str = "01900000-0000-7000-8000-00000000000e";

/// (constraint, a statement that breaks it, the status the client must get).
fn cases() -> Vec<(&'static str, String, u16)> {
    let addr = |cols: &str, vals: &str| {
        format!(
            "INSERT INTO addresses (user_id, full_name, line1, city, postal_code, country{cols}) \
             VALUES ('{U}', 'Ada', '1 Main St', 'Berlin', '10115', 'DE'{vals})"
        )
    };
    let addr_set = |assignment: &str| format!("UPDATE addresses SET {assignment} WHERE id = '{A}'");
    let review_set = |assignment: &str| format!("UPDATE reviews SET {assignment} WHERE id = '{W}'");
    let image_set = |assignment: &str| format!("UPDATE product_images SET {assignment} WHERE id = '{I}'");
    let method_set = |assignment: &str| format!("UPDATE shipping_methods SET {assignment} WHERE id = '{S}'");
    let code_set = |assignment: &str| format!("UPDATE discount_codes SET {assignment} WHERE id = '{D}'");
    let cart_set = |assignment: &str| format!("UPDATE carts SET {assignment} WHERE id = '{K}'");
    let item =
        || format!("INSERT INTO cart_items (cart_id, variant_id, quantity, added_price) VALUES ('{K}', '{V}', 1, 1)");
    let order_set = |assignment: &str| format!("UPDATE orders SET {assignment} WHERE id = '{O}'");
    let order = |cols: &str, vals: &str| {
        format!(
            "INSERT INTO orders (email, currency, subtotal, discount, shipping, tax, total, tax_rate, \
             shipping_method_name, shipping_address, billing_address, payment_provider, access_key_hash{cols}) \
             VALUES ('a@example.com', 'USD', 1, 0, 0, 0, 1, 0, 'Standard', '{{}}', '{{}}', 'manual', 'k'{vals})"
        )
    };
    let line_set = |assignment: &str| format!("UPDATE order_items SET {assignment} WHERE id = '{X}'");
    let line = |cols: &str, vals: &str| {
        format!(
            "INSERT INTO order_items (order_id, position, variant_id, product_id, product_name, variant_name, sku, \
             options, unit_price, quantity, amount, discount, tax, total{cols}) \
             VALUES ('{O}', 2, '{V}', '{P}', 'Prod', '', 'SKU-1', '{{}}', 1, 1, 1, 0, 0, 1{vals})"
        )
    };
    vec![
        (
            "carts_pkey",
            format!("INSERT INTO carts (id, token_hash) VALUES ('{K}', 'other')"),
            409,
        ),
        ("carts_user_id_key", format!("INSERT INTO carts (user_id) VALUES ('{U}')"), 409),
        ("carts_user_id_fkey", format!("INSERT INTO carts (user_id) VALUES ('{NOBODY}')"), 422),
        (
            "carts_token_hash_key",
            "INSERT INTO carts (token_hash) VALUES ('guest')".into(),
            409,
        ),
        ("carts_owner_check", "INSERT INTO carts DEFAULT VALUES".into(), 422),
        ("carts_country_check", cart_set("country = 'de'"), 422),
        ("carts_discount_code_id_fkey", cart_set(&format!("discount_code_id = '{NOBODY}'")), 422),
        (
            "carts_shipping_method_id_fkey",
            cart_set(&format!("shipping_method_id = '{NOBODY}'")),
            422,
        ),
        (
            "cart_items_pkey",
            format!(
                "INSERT INTO cart_items (id, cart_id, variant_id, quantity, added_price) \
                 SELECT i.id, c.id, '{V}', 1, 1 FROM cart_items i, carts c WHERE c.user_id = '{U}'"
            ),
            409,
        ),
        (
            "cart_items_cart_id_fkey",
            format!("INSERT INTO cart_items (cart_id, variant_id, quantity, added_price) VALUES ('{NOBODY}', '{V}', 1, 1)"),
            422,
        ),
        (
            "cart_items_variant_id_fkey",
            format!("INSERT INTO cart_items (cart_id, variant_id, quantity, added_price) VALUES ('{K}', '{NOBODY}', 1, 1)"),
            422,
        ),
        ("cart_items_variant_key", item(), 409),
        ("cart_items_quantity_check", format!("UPDATE cart_items SET quantity = 100 WHERE cart_id = '{K}'"), 422),
        ("cart_items_added_price_check", format!("UPDATE cart_items SET added_price = -1 WHERE cart_id = '{K}'"), 422),
        ("orders_pkey", order(", id", &format!(", '{O}'")), 409),
        ("orders_number_key", order(", number", ", 'OX-1'"), 409),
        ("orders_user_id_fkey", order(", user_id", &format!(", '{NOBODY}'")), 422),
        ("orders_discount_check", order_set("discount = 2, total = -1"), 422),
        ("orders_shipping_check", order_set("shipping = -1, total = 0"), 422),
        ("orders_tax_check", order_set("tax = -1, total = 0"), 422),
        ("orders_total_check", order_set("total = 2"), 422),
        ("orders_refunded_check", order_set("refunded = -1"), 422),
        ("order_items_pkey", line(", id", &format!(", '{X}'")), 409),
        ("order_items_order_id_fkey", line("", "").replacen(&format!("'{O}'"), &format!("'{NOBODY}'"), 1), 422),
        ("order_items_variant_id_fkey", line("", "").replacen(&format!("'{V}'"), &format!("'{NOBODY}'"), 1), 422),
        (
            "order_items_position_key",
            format!("UPDATE order_items SET position = 1 WHERE order_id = '{O}' AND position = 3"),
            409,
        ),
        ("order_items_quantity_check", line_set("quantity = 0, amount = 0, total = 0"), 422),
        ("order_items_unit_price_check", line_set("unit_price = -1"), 422),
        ("order_items_total_check", line_set("total = 5"), 422),
        (
            "order_transitions_pkey",
            "INSERT INTO order_transitions (id, order_id, to_status) SELECT id, order_id, to_status FROM order_transitions LIMIT 1".into(),
            409,
        ),
        (
            "order_transitions_order_id_fkey",
            format!("INSERT INTO order_transitions (order_id, to_status) VALUES ('{NOBODY}', 'paid')"),
            422,
        ),
        (
            "idempotency_keys_pkey",
            "INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ('user:x', 'k1', 'h')".into(),
            409,
        ),
        (
            "search_documents_pkey",
            "INSERT INTO search_documents SELECT * FROM search_documents LIMIT 1".into(),
            409,
        ),
        (
            "search_documents_product_id_fkey",
            format!(
                "INSERT INTO search_documents (product_id, status, name, description, category_ids, category_names,
                                               options, skus, in_stock, created_at, document)
                 VALUES ('{NOBODY}', 'active', 'x', '', '{{}}', '', '{{}}', '{{}}', false, now(), ''::tsvector)"
            ),
            422,
        ),
        (
            "search_outbox_pkey",
            format!("INSERT INTO search_outbox (product_id) VALUES ('{NOBODY}'), ('{NOBODY}')"),
            409,
        ),
        (
            "search_titles_pkey",
            "INSERT INTO search_titles (product_id, created_at, title)
             SELECT product_id, now(), ''::tsvector FROM search_documents, generate_series(1, 2) LIMIT 2"
                .into(),
            409,
        ),
        (
            "search_titles_product_id_fkey",
            format!("INSERT INTO search_titles (product_id, created_at, title) VALUES ('{NOBODY}', now(), '')"),
            422,
        ),
        (
            "search_words_pkey",
            "INSERT INTO search_words (word) VALUES ('twice'), ('twice')".into(),
            409,
        ),
        (
            "search_words_id_key",
            "INSERT INTO search_words (id, word) OVERRIDING SYSTEM VALUE VALUES (-1, 'once'), (-1, 'again')".into(),
            409,
        ),
        (
            "scheduled_runs_pkey",
            "INSERT INTO scheduled_runs (job, slot) VALUES ('j', '2026-01-01T00:00:00Z')".into(),
            409,
        ),
        (
            "stock_adjustments_pkey",
            "INSERT INTO stock_adjustments (id, variant_id, delta, stock_after, reason)
             SELECT id, variant_id, delta, stock_after, reason FROM stock_adjustments LIMIT 1"
                .into(),
            409,
        ),
        (
            "stock_adjustments_variant_id_fkey",
            format!(
                "INSERT INTO stock_adjustments (variant_id, delta, stock_after, reason) VALUES ('{NOBODY}', 1, 1, 'received')"
            ),
            422,
        ),
        (
            "stock_adjustments_delta_check",
            format!("INSERT INTO stock_adjustments (variant_id, delta, stock_after, reason) VALUES ('{V}', 0, 1, 'received')"),
            422,
        ),
        (
            "stock_adjustments_stock_after_check",
            format!("INSERT INTO stock_adjustments (variant_id, delta, stock_after, reason) VALUES ('{V}', -9, -1, 'damaged')"),
            422,
        ),
        (
            "catalog_imports_pkey",
            "INSERT INTO catalog_imports (id, content) SELECT id, content FROM catalog_imports LIMIT 1".into(),
            409,
        ),
        (
            "discount_codes_pkey",
            format!("INSERT INTO discount_codes (id, code, kind, value) VALUES ('{D}', 'OTHER', 'fixed', 1)"),
            409,
        ),
        (
            "discount_codes_code_key",
            "INSERT INTO discount_codes (code, kind, value) VALUES ('TEN', 'fixed', 1)".into(),
            409,
        ),
        ("discount_codes_code_check", code_set("code = 'ten'"), 422),
        ("discount_codes_value_check", code_set("value = 101"), 422),
        ("discount_codes_min_subtotal_check", code_set("min_subtotal = -1"), 422),
        ("discount_codes_usage_limit_check", code_set("usage_limit = 0"), 422),
        (
            "discount_codes_per_customer_limit_check",
            code_set("per_customer_limit = 0"),
            422,
        ),
        ("discount_codes_times_used_check", code_set("times_used = 6"), 422),
        (
            "discount_codes_window_check",
            code_set("starts_at = now(), ends_at = now() - interval '1 day'"),
            422,
        ),
        (
            "tax_rates_pkey",
            "INSERT INTO tax_rates (country, rate) VALUES ('DE', 7)".into(),
            409,
        ),
        (
            "tax_rates_country_check",
            "UPDATE tax_rates SET country = 'de'".into(),
            422,
        ),
        ("tax_rates_rate_check", "UPDATE tax_rates SET rate = 101".into(), 422),
        (
            "shipping_methods_pkey",
            format!("INSERT INTO shipping_methods (id, name, price, countries) VALUES ('{S}', 'x', 1, '{{DE}}')"),
            409,
        ),
        ("shipping_methods_name_check", method_set("name = ' '"), 422),
        ("shipping_methods_price_check", method_set("price = -1"), 422),
        ("shipping_methods_free_above_check", method_set("free_above = -1"), 422),
        ("shipping_methods_countries_check", method_set("countries = '{}'"), 422),
        (
            "product_images_pkey",
            format!(
                "INSERT INTO product_images (id, product_id, content_hash, format, width, height) \
                 VALUES ('{I}', '{P}', '{HASH}', 'jpeg', 1, 1)"
            ),
            409,
        ),
        (
            "product_images_product_id_fkey",
            format!(
                "INSERT INTO product_images (product_id, content_hash, format, width, height) \
                 VALUES ('{NOBODY}', '{HASH}', 'jpeg', 1, 1)"
            ),
            422,
        ),
        ("product_images_position_check", image_set("position = -1"), 422),
        ("product_images_alt_check", image_set("alt = repeat('x', 301)"), 422),
        (
            "product_images_content_hash_check",
            image_set("content_hash = 'x'"),
            422,
        ),
        ("product_images_format_check", image_set("format = 'gif'"), 422),
        ("product_images_width_check", image_set("width = 0"), 422),
        ("product_images_height_check", image_set("height = 0"), 422),
        (
            "products_seo_title_check",
            format!("UPDATE products SET seo_title = repeat('x', 201) WHERE id = '{P}'"),
            422,
        ),
        (
            "products_seo_description_check",
            format!("UPDATE products SET seo_description = repeat('x', 501) WHERE id = '{P}'"),
            422,
        ),
        (
            "product_slug_history_pkey",
            format!("INSERT INTO product_slug_history (slug, product_id) VALUES ('old-prod', '{P}')"),
            409,
        ),
        (
            "product_slug_history_product_id_fkey",
            format!("INSERT INTO product_slug_history (slug, product_id) VALUES ('gone', '{NOBODY}')"),
            422,
        ),
        (
            "reviews_pkey",
            format!(
                "INSERT INTO reviews (id, product_id, user_id, rating, title) VALUES ('{W}', '{P}', '{U}', 5, 't')"
            ),
            409,
        ),
        (
            "reviews_product_id_fkey",
            format!("INSERT INTO reviews (product_id, user_id, rating, title) VALUES ('{NOBODY}', '{U}', 5, 't')"),
            422,
        ),
        (
            "reviews_user_id_fkey",
            format!("INSERT INTO reviews (product_id, user_id, rating, title) VALUES ('{P}', '{NOBODY}', 5, 't')"),
            422,
        ),
        ("reviews_rating_check", review_set("rating = 6"), 422),
        ("reviews_title_check", review_set("title = ' '"), 422),
        ("reviews_body_check", review_set("body = repeat('x', 5001)"), 422),
        (
            "reviews_one_per_customer",
            format!("INSERT INTO reviews (product_id, user_id, rating, title) VALUES ('{P}', '{U}', 5, 't')"),
            409,
        ),
        (
            "categories_pkey",
            format!("INSERT INTO categories (id, name, slug) VALUES ('{C}', 'X', 'x-2')"),
            409,
        ),
        (
            "categories_check",
            format!("UPDATE categories SET parent_id = id WHERE id = '{C}'"),
            422,
        ),
        (
            "categories_name_check",
            "INSERT INTO categories (name, slug) VALUES ('  ', 'n-1')".into(),
            422,
        ),
        (
            "categories_slug_check",
            "INSERT INTO categories (name, slug) VALUES ('N', 'Bad Slug')".into(),
            422,
        ),
        (
            "categories_slug_key",
            "INSERT INTO categories (name, slug) VALUES ('N', 'cat')".into(),
            409,
        ),
        (
            "categories_parent_id_fkey",
            format!("INSERT INTO categories (name, slug, parent_id) VALUES ('N', 'n-2', '{NOBODY}')"),
            422,
        ),
        (
            "products_pkey",
            format!("INSERT INTO products (id, name, slug) VALUES ('{P}', 'X', 'x-3')"),
            409,
        ),
        (
            "products_name_check",
            "INSERT INTO products (name, slug) VALUES ('', 'p-1')".into(),
            422,
        ),
        (
            "products_slug_check",
            "INSERT INTO products (name, slug) VALUES ('N', '-bad')".into(),
            422,
        ),
        (
            "products_slug_key",
            "INSERT INTO products (name, slug) VALUES ('N', 'prod')".into(),
            409,
        ),
        (
            "products_category_id_fkey",
            format!("INSERT INTO products (name, slug, category_id) VALUES ('N', 'p-2', '{NOBODY}')"),
            422,
        ),
        (
            "product_variants_pkey",
            format!(
                "INSERT INTO product_variants (id, product_id, sku, price, currency) VALUES ('{V}', '{P}', 'S-2', 1, 'USD')"
            ),
            409,
        ),
        (
            "product_variants_sku_check",
            format!(
                "INSERT INTO product_variants (product_id, sku, price, currency) VALUES ('{P}', 'bad sku!', 1, 'USD')"
            ),
            422,
        ),
        (
            "product_variants_sku_key",
            format!(
                "INSERT INTO product_variants (product_id, sku, price, currency) VALUES ('{P}', 'sku-1', 1, 'USD')"
            ),
            409,
        ),
        (
            "product_variants_options_check",
            format!(
                "INSERT INTO product_variants (product_id, sku, price, currency, options) VALUES ('{P}', 'S-3', 1, 'USD', '[]')"
            ),
            422,
        ),
        (
            "product_variants_price_check",
            format!("INSERT INTO product_variants (product_id, sku, price, currency) VALUES ('{P}', 'S-4', -1, 'USD')"),
            422,
        ),
        (
            "product_variants_currency_check",
            format!("INSERT INTO product_variants (product_id, sku, price, currency) VALUES ('{P}', 'S-5', 1, 'usd')"),
            422,
        ),
        (
            "product_variants_stock_check",
            format!("UPDATE product_variants SET stock = stock - 1000 WHERE id = '{V}'"),
            422,
        ),
        (
            "product_variants_product_id_fkey",
            format!(
                "INSERT INTO product_variants (product_id, sku, price, currency) VALUES ('{NOBODY}', 'S-6', 1, 'USD')"
            ),
            422,
        ),
        (
            "product_variants_compare_at_price_check",
            format!("UPDATE product_variants SET compare_at_price = -1 WHERE id = '{V}'"),
            422,
        ),
        (
            "product_variants_low_stock_threshold_check",
            format!("UPDATE product_variants SET low_stock_threshold = -1 WHERE id = '{V}'"),
            422,
        ),
        (
            "products_rating_average_check",
            format!("UPDATE products SET rating_average = 0.5 WHERE id = '{P}'"),
            422,
        ),
        (
            "products_rating_count_check",
            format!("UPDATE products SET rating_count = -1 WHERE id = '{P}'"),
            422,
        ),
        (
            "users_pkey",
            format!(
                "INSERT INTO users (id, email, display_name, password_hash) VALUES ('{U}', 'b@example.com', 'B', 'x')"
            ),
            409,
        ),
        (
            "users_email_check",
            "INSERT INTO users (email, display_name, password_hash) VALUES ('Upper@Example.com', 'B', 'x')".into(),
            422,
        ),
        (
            "users_email_key",
            "INSERT INTO users (email, display_name, password_hash) VALUES ('ada@example.com', 'B', 'x')".into(),
            409,
        ),
        (
            "users_display_name_check",
            "INSERT INTO users (email, display_name, password_hash) VALUES ('c@example.com', ' ', 'x')".into(),
            422,
        ),
        (
            "addresses_pkey",
            format!(
                "INSERT INTO addresses (id, user_id, full_name, line1, city, postal_code, country) VALUES ('{A}', '{U}', 'A', 'L', 'C', 'P', 'DE')"
            ),
            409,
        ),
        ("addresses_full_name_check", addr_set("full_name = ''"), 422),
        ("addresses_line1_check", addr_set("line1 = ''"), 422),
        ("addresses_line2_check", addr_set("line2 = repeat('x', 201)"), 422),
        ("addresses_city_check", addr_set("city = ''"), 422),
        ("addresses_region_check", addr_set("region = repeat('x', 101)"), 422),
        ("addresses_postal_code_check", addr_set("postal_code = ''"), 422),
        ("addresses_country_check", addr_set("country = 'de'"), 422),
        ("addresses_phone_check", addr_set("phone = repeat('1', 31)"), 422),
        ("addresses_one_default", addr(", is_default", ", true"), 409),
        (
            "addresses_user_id_fkey",
            format!(
                "INSERT INTO addresses (user_id, full_name, line1, city, postal_code, country) VALUES ('{NOBODY}', 'A', 'L', 'C', 'P', 'DE')"
            ),
            422,
        ),
        (
            "refresh_tokens_pkey",
            format!(
                "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES ('{R}', '{U}', '{R}', 'other', now())"
            ),
            409,
        ),
        (
            "refresh_tokens_token_hash_key",
            format!(
                "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ('{U}', '{R}', 'hash', now())"
            ),
            409,
        ),
        (
            "refresh_tokens_user_id_fkey",
            format!(
                "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ('{NOBODY}', '{R}', 'h2', now())"
            ),
            422,
        ),
        (
            "user_tokens_pkey",
            format!(
                "INSERT INTO user_tokens (id, user_id, purpose, token_hash, expires_at) VALUES ('{T}', '{U}', 'verify_email', 'other', now())"
            ),
            409,
        ),
        (
            "user_tokens_token_hash_key",
            format!(
                "INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) VALUES ('{U}', 'verify_email', 'hash', now())"
            ),
            409,
        ),
        (
            "user_tokens_user_id_fkey",
            format!(
                "INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) VALUES ('{NOBODY}', 'verify_email', 'h2', now())"
            ),
            422,
        ),
        (
            "sessions_pkey",
            "INSERT INTO sessions (id, data, expires_at) VALUES ('s1', '{}', now())".into(),
            409,
        ),
    ]
}

/// A seeded test database, dropped with the value.
struct Seeded {
    pool: PgPool,
    name: String,
    url: String,
}

impl Drop for Seeded {
    fn drop(&mut self) {
        crate::helpers::drop_database(&self.name, crate::helpers::outbox_dir(&self.url));
    }
}

async fn seeded() -> Seeded {
    let (url, name) = fresh_database().await;
    let pool = PgPool::connect(&url).await.unwrap();
    let setup = format!(
        "INSERT INTO users (id, email, display_name, password_hash) VALUES ('{U}', 'ada@example.com', 'Ada', 'x');
         INSERT INTO categories (id, name, slug) VALUES ('{C}', 'Cat', 'cat');
         INSERT INTO categories (name, slug, parent_id) VALUES ('Kitten', 'kitten', '{C}');
         INSERT INTO products (id, name, slug, category_id) VALUES ('{P}', 'Prod', 'prod', '{C}');
         INSERT INTO product_variants (id, product_id, sku, price, currency, stock) VALUES ('{V}', '{P}', 'SKU-1', 1, 'USD', 5);
         INSERT INTO product_slug_history (slug, product_id) VALUES ('old-prod', '{P}');
         INSERT INTO reviews (id, product_id, user_id, rating, title) VALUES ('{W}', '{P}', '{U}', 4, 'Good');
         INSERT INTO product_images (id, product_id, content_hash, format, width, height)
           VALUES ('{I}', '{P}', '{HASH}', 'jpeg', 10, 10);
         INSERT INTO addresses (id, user_id, full_name, line1, city, postal_code, country, is_default)
           VALUES ('{A}', '{U}', 'Ada', '1 Main St', 'Berlin', '10115', 'DE', true);
         INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES ('{R}', '{U}', '{R}', 'hash', now());
         INSERT INTO user_tokens (id, user_id, purpose, token_hash, expires_at) VALUES ('{T}', '{U}', 'verify_email', 'hash', now());
         INSERT INTO sessions (id, data, expires_at) VALUES ('s1', '{{}}', now());
         INSERT INTO tax_rates (country, rate) VALUES ('DE', 19);
         INSERT INTO shipping_methods (id, name, price, countries) VALUES ('{S}', 'Standard', 4.95, '{{DE,AT}}');
         INSERT INTO discount_codes (id, code, kind, value, usage_limit) VALUES ('{D}', 'TEN', 'percent', 10, 5);
         INSERT INTO carts (id, token_hash) VALUES ('{K}', 'guest');
         INSERT INTO carts (user_id) VALUES ('{U}');
         INSERT INTO cart_items (cart_id, variant_id, quantity, added_price) VALUES ('{K}', '{V}', 1, 1);
         INSERT INTO orders (id, number, email, currency, subtotal, discount, shipping, tax, total, tax_rate,
                             shipping_method_name, shipping_address, billing_address, payment_provider, access_key_hash)
           VALUES ('{O}', 'OX-1', 'a@example.com', 'USD', 1, 0, 0, 0, 1, 0, 'Standard', '{{}}', '{{}}', 'manual', 'k');
         INSERT INTO order_items (id, order_id, position, variant_id, product_id, product_name, variant_name, sku, options,
                                  unit_price, quantity, amount, discount, tax, total)
           VALUES ('{X}', '{O}', 1, '{V}', '{P}', 'Prod', '', 'SKU-1', '{{}}', 1, 1, 1, 0, 0, 1);
         INSERT INTO order_items (order_id, position, variant_id, product_id, product_name, variant_name, sku, options,
                                  unit_price, quantity, amount, discount, tax, total)
           VALUES ('{O}', 3, '{V}', '{P}', 'Prod', '', 'SKU-1', '{{}}', 1, 1, 1, 0, 0, 1);
         INSERT INTO order_transitions (order_id, to_status) VALUES ('{O}', 'pending_payment');
         INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ('user:x', 'k1', 'h');
         INSERT INTO scheduled_runs (job, slot) VALUES ('j', '2026-01-01T00:00:00Z');
         INSERT INTO stock_adjustments (variant_id, delta, stock_after, reason) VALUES ('{V}', 5, 5, 'received');
         INSERT INTO catalog_imports (content) VALUES ('sku');"
    );
    sqlx::raw_sql(&setup).execute(&pool).await.unwrap();
    Seeded { pool, name, url }
}

#[tokio::test]
async fn every_constraint_has_a_rule_and_a_case() {
    let seeded = seeded().await;
    let pool = &seeded.pool;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.conname::text FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
         WHERE c.connamespace = 'public'::regnamespace AND t.relname <> '_sqlx_migrations'
         UNION
         SELECT i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
         WHERE x.indisunique AND t.relnamespace = 'public'::regnamespace
           AND t.relname <> '_sqlx_migrations'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let cases = cases();
    let unmapped: Vec<_> = names.iter().filter(|n| rule_for(n).is_none()).collect();
    assert!(unmapped.is_empty(), "constraints without a rule: {unmapped:?}");
    let untested: Vec<_> = names
        .iter()
        .filter(|n| !n.starts_with("_sqlx") && !cases.iter().any(|(c, _, _)| c == *n))
        .collect();
    assert!(untested.is_empty(), "constraints without a case: {untested:?}");
}

#[tokio::test]
async fn breaking_each_constraint_is_a_clear_client_error() {
    let seeded = seeded().await;
    let pool = &seeded.pool;
    for (constraint, statement, status) in cases() {
        let mut tx = pool.begin().await.unwrap();
        let err = sqlx::query(&statement)
            .execute(&mut *tx)
            .await
            .expect_err(&format!("{constraint}: `{statement}` should fail"));
        let sqlx::Error::Database(db) = &err else {
            panic!("{constraint}: {err}")
        };
        assert_eq!(db.constraint(), Some(constraint), "{statement}");
        let client = client_error(&err).unwrap_or_else(|| panic!("{constraint} is not mapped"));
        assert_eq!(client.code.status(), status, "{constraint}");
        let field = rule_for(constraint).unwrap().field;
        assert!(
            !client.field(field).is_empty(),
            "{constraint}: details name `{field}`: {client:?}"
        );
        tx.rollback().await.unwrap();
    }
    // Deleting a row still referenced is a conflict on that row, whatever the referencing rule.
    let err = sqlx::query(&format!("DELETE FROM categories WHERE id = '{C}'"))
        .execute(pool)
        .await
        .unwrap_err();
    assert_eq!(client_error(&err).map(|e| e.code.status()), Some(409));
    // Anything that is not a constraint stays internal.
    let err = sqlx::query("SELECT 1/0").execute(pool).await.unwrap_err();
    assert!(client_error(&err).is_none());
}
