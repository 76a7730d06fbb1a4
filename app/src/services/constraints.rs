//! The one place a broken database constraint becomes a client error. Every named constraint of
//! the schema (checks, unique keys and indexes, foreign keys, exclusions) has a rule here, found
//! by its name: a duplicate is a 409 `CONFLICT`, anything else a 422 `VALIDATION_ERROR`, both
//! with `details` naming the field. A new table adds its constraints to [`RULES`]; a test lists
//! the schema's constraints and fails on any without a rule. Services never match constraint
//! names themselves: `?` on a `sqlx::Error` comes through [`client_error`].

use crate::error::{AppError, ErrorCode, FieldErrors};

/// What breaking a constraint means to the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    /// 409: the value is taken, or the change collides with another one.
    Conflict,
    /// 422: the value is not acceptable.
    Invalid,
}

/// How one constraint is reported: the field it concerns and what to tell the client.
#[derive(Debug)]
pub struct Rule {
    pub constraint: &'static str,
    pub field: &'static str,
    pub meaning: Meaning,
    pub message: &'static str,
}

const fn rule(constraint: &'static str, field: &'static str, meaning: Meaning, message: &'static str) -> Rule {
    Rule {
        constraint,
        field,
        meaning,
        message,
    }
}

use Meaning::{Conflict, Invalid};

/// Every constraint of the schema, by name.
pub const RULES: &[Rule] = &[
    // categories
    rule("categories_pkey", "id", Conflict, "already exists"),
    rule("categories_check", "parent_id", Invalid, "can't be the category itself"),
    rule("categories_name_check", "name", Invalid, "must be 1 to 200 characters"),
    rule(
        "categories_slug_check",
        "slug",
        Invalid,
        "must be lower-case letters and digits in words joined by single hyphens",
    ),
    rule(
        "categories_slug_key",
        "slug",
        Conflict,
        "is already used by another category",
    ),
    rule(
        "categories_parent_id_fkey",
        "parent_id",
        Invalid,
        "is not an existing category",
    ),
    // products
    rule("products_pkey", "id", Conflict, "already exists"),
    rule("products_name_check", "name", Invalid, "must be 1 to 200 characters"),
    rule(
        "products_slug_check",
        "slug",
        Invalid,
        "must be lower-case letters and digits in words joined by single hyphens",
    ),
    rule(
        "products_slug_key",
        "slug",
        Conflict,
        "is already used by another product",
    ),
    rule(
        "products_category_id_fkey",
        "category_id",
        Invalid,
        "is not an existing category",
    ),
    // product variants
    rule("product_variants_pkey", "id", Conflict, "already exists"),
    rule(
        "product_variants_sku_check",
        "sku",
        Invalid,
        "must be 1 to 64 letters, digits, dots, hyphens or underscores, starting with a letter or digit",
    ),
    rule(
        "product_variants_sku_key",
        "sku",
        Conflict,
        "is already used by another variant",
    ),
    rule(
        "product_variants_options_check",
        "options",
        Invalid,
        "must be an object of option names to values",
    ),
    rule("product_variants_price_check", "price", Invalid, "must not be negative"),
    rule(
        "product_variants_currency_check",
        "currency",
        Invalid,
        "must be a three-letter ISO 4217 code",
    ),
    rule("product_variants_stock_check", "stock", Invalid, "must not be negative"),
    rule(
        "product_variants_product_id_fkey",
        "product_id",
        Invalid,
        "is not an existing product",
    ),
    rule(
        "product_variants_compare_at_price_check",
        "compare_at_price",
        Invalid,
        "must not be negative",
    ),
    rule(
        "product_variants_low_stock_threshold_check",
        "low_stock_threshold",
        Invalid,
        "must not be negative",
    ),
    rule(
        "products_rating_average_check",
        "rating_average",
        Invalid,
        "must be from 1 to 5",
    ),
    rule(
        "products_rating_count_check",
        "rating_count",
        Invalid,
        "must not be negative",
    ),
    rule(
        "products_seo_title_check",
        "seo_title",
        Invalid,
        "must be at most 200 characters",
    ),
    rule(
        "products_seo_description_check",
        "seo_description",
        Invalid,
        "must be at most 500 characters",
    ),
    // old product slugs
    rule(
        "product_slug_history_pkey",
        "slug",
        Conflict,
        "already leads to a product",
    ),
    rule(
        "product_slug_history_product_id_fkey",
        "product_id",
        Invalid,
        "is not an existing product",
    ),
    // product images
    rule("product_images_pkey", "id", Conflict, "already exists"),
    rule(
        "product_images_product_id_fkey",
        "product_id",
        Invalid,
        "is not an existing product",
    ),
    rule(
        "product_images_position_check",
        "position",
        Invalid,
        "must be 0 or more",
    ),
    rule(
        "product_images_alt_check",
        "alt",
        Invalid,
        "must be at most 300 characters",
    ),
    rule(
        "product_images_content_hash_check",
        "file",
        Invalid,
        "must be addressed by a SHA-256 in hex",
    ),
    rule(
        "product_images_format_check",
        "file",
        Invalid,
        "must be stored as JPEG or PNG",
    ),
    rule(
        "product_images_width_check",
        "file",
        Invalid,
        "must be at least 1 pixel wide",
    ),
    rule(
        "product_images_height_check",
        "file",
        Invalid,
        "must be at least 1 pixel high",
    ),
    // reviews
    rule("reviews_pkey", "id", Conflict, "already exists"),
    rule(
        "reviews_product_id_fkey",
        "product_id",
        Invalid,
        "is not an existing product",
    ),
    rule("reviews_user_id_fkey", "user_id", Invalid, "is not an existing user"),
    rule("reviews_rating_check", "rating", Invalid, "must be from 1 to 5"),
    rule("reviews_title_check", "title", Invalid, "must be 1 to 200 characters"),
    rule("reviews_body_check", "body", Invalid, "must be at most 5000 characters"),
    rule(
        "reviews_one_per_customer",
        "product_id",
        Conflict,
        "you have reviewed this product already; one review per customer and product",
    ),
    // users
    rule("users_pkey", "id", Conflict, "already exists"),
    rule(
        "users_email_check",
        "email",
        Invalid,
        "must be a normalised e-mail address of at most 254 characters",
    ),
    rule("users_email_key", "email", Conflict, "is already registered"),
    rule(
        "users_display_name_check",
        "display_name",
        Invalid,
        "must be 1 to 100 characters",
    ),
    // addresses
    rule("addresses_pkey", "id", Conflict, "already exists"),
    rule(
        "addresses_full_name_check",
        "full_name",
        Invalid,
        "must be 1 to 100 characters",
    ),
    rule("addresses_line1_check", "line1", Invalid, "must be 1 to 200 characters"),
    rule(
        "addresses_line2_check",
        "line2",
        Invalid,
        "must be at most 200 characters",
    ),
    rule("addresses_city_check", "city", Invalid, "must be 1 to 100 characters"),
    rule(
        "addresses_region_check",
        "region",
        Invalid,
        "must be at most 100 characters",
    ),
    rule(
        "addresses_postal_code_check",
        "postal_code",
        Invalid,
        "must be 1 to 20 characters",
    ),
    rule(
        "addresses_country_check",
        "country",
        Invalid,
        "must be a two-letter country code, e.g. DE",
    ),
    rule(
        "addresses_phone_check",
        "phone",
        Invalid,
        "must be at most 30 characters",
    ),
    rule(
        "addresses_one_default",
        "is_default",
        Conflict,
        "another address became the default at the same time; try again",
    ),
    rule(
        "addresses_user_id_fkey",
        "user_id",
        Invalid,
        "is not an existing account",
    ),
    // tokens and sessions
    rule("refresh_tokens_pkey", "id", Conflict, "already exists"),
    rule(
        "refresh_tokens_token_hash_key",
        "refresh_token",
        Conflict,
        "collides with an existing token; try again",
    ),
    rule(
        "refresh_tokens_user_id_fkey",
        "user_id",
        Invalid,
        "is not an existing account",
    ),
    rule("user_tokens_pkey", "id", Conflict, "already exists"),
    rule(
        "user_tokens_token_hash_key",
        "token",
        Conflict,
        "collides with an existing token; try again",
    ),
    rule(
        "user_tokens_user_id_fkey",
        "user_id",
        Invalid,
        "is not an existing account",
    ),
    rule("sessions_pkey", "session", Conflict, "already exists"),
    // pricing rules
    rule("tax_rates_pkey", "country", Conflict, "already has a tax rate"),
    rule(
        "tax_rates_country_check",
        "country",
        Invalid,
        "must be a two-letter country code, e.g. DE",
    ),
    rule("tax_rates_rate_check", "rate", Invalid, "must be between 0 and 100"),
    rule("shipping_methods_pkey", "id", Conflict, "already exists"),
    rule(
        "shipping_methods_name_check",
        "name",
        Invalid,
        "must be 1 to 100 characters",
    ),
    rule("shipping_methods_price_check", "price", Invalid, "must not be negative"),
    rule(
        "shipping_methods_free_above_check",
        "free_above",
        Invalid,
        "must not be negative",
    ),
    rule(
        "shipping_methods_countries_check",
        "countries",
        Invalid,
        "must list 1 to 300 two-letter country codes",
    ),
    rule("discount_codes_pkey", "id", Conflict, "already exists"),
    rule(
        "discount_codes_code_key",
        "code",
        Conflict,
        "is already used by another discount code",
    ),
    rule(
        "discount_codes_code_check",
        "code",
        Invalid,
        "must be 2 to 32 upper-case letters, digits, `-` or `_`",
    ),
    rule(
        "discount_codes_value_check",
        "value",
        Invalid,
        "must be more than zero, and at most 100 for a percentage",
    ),
    rule(
        "discount_codes_min_subtotal_check",
        "min_subtotal",
        Invalid,
        "must not be negative",
    ),
    rule(
        "discount_codes_usage_limit_check",
        "usage_limit",
        Invalid,
        "must be at least 1",
    ),
    rule(
        "discount_codes_per_customer_limit_check",
        "per_customer_limit",
        Invalid,
        "must be at least 1",
    ),
    rule(
        "discount_codes_times_used_check",
        "usage_limit",
        Invalid,
        "can't be below the number of uses so far",
    ),
    rule(
        "discount_codes_window_check",
        "ends_at",
        Invalid,
        "must be after starts_at",
    ),
    // carts
    rule("carts_pkey", "id", Conflict, "already exists"),
    rule("carts_user_id_key", "user_id", Conflict, "already has a cart"),
    rule("carts_user_id_fkey", "user_id", Invalid, "is not an account"),
    rule("carts_token_hash_key", "token", Conflict, "already names a cart"),
    rule(
        "carts_owner_check",
        "token",
        Invalid,
        "a cart belongs to an account or to a guest token, not both",
    ),
    rule(
        "carts_country_check",
        "country",
        Invalid,
        "must be a two-letter country code, e.g. DE",
    ),
    rule("carts_discount_code_id_fkey", "code", Invalid, "There is no such code."),
    rule(
        "carts_shipping_method_id_fkey",
        "shipping_method_id",
        Invalid,
        "is not a shipping method we offer",
    ),
    rule("cart_items_pkey", "id", Conflict, "already exists"),
    rule("cart_items_cart_id_fkey", "cart_id", Invalid, "is not a cart"),
    rule(
        "cart_items_variant_id_fkey",
        "variant_id",
        Invalid,
        "is not a variant on sale",
    ),
    rule(
        "cart_items_variant_key",
        "variant_id",
        Conflict,
        "is in the cart already",
    ),
    rule(
        "cart_items_quantity_check",
        "quantity",
        Invalid,
        "must be between 1 and 99",
    ),
    rule(
        "cart_items_added_price_check",
        "unit_price",
        Invalid,
        "can't be negative",
    ),
    // orders
    rule("orders_pkey", "id", Conflict, "already exists"),
    rule("orders_number_key", "number", Conflict, "is taken by another order"),
    rule("orders_user_id_fkey", "user_id", Invalid, "is not an account"),
    rule(
        "orders_discount_check",
        "discount",
        Invalid,
        "must be between 0 and the subtotal",
    ),
    rule("orders_shipping_check", "shipping", Invalid, "can't be negative"),
    rule("orders_tax_check", "tax", Invalid, "can't be negative"),
    rule(
        "orders_total_check",
        "total",
        Invalid,
        "must be the subtotal less the discount plus shipping and tax",
    ),
    rule("orders_refunded_check", "refunded", Invalid, "can't be negative"),
    rule("order_items_pkey", "id", Conflict, "already exists"),
    rule("order_items_order_id_fkey", "order_id", Invalid, "is not an order"),
    rule("order_items_variant_id_fkey", "variant_id", Invalid, "is not a variant"),
    rule(
        "order_items_position_key",
        "position",
        Conflict,
        "is taken by another line",
    ),
    rule("order_items_quantity_check", "quantity", Invalid, "must be at least 1"),
    rule(
        "order_items_unit_price_check",
        "unit_price",
        Invalid,
        "can't be negative",
    ),
    rule(
        "order_items_total_check",
        "total",
        Invalid,
        "must be the amount less the discount plus tax",
    ),
    rule("order_transitions_pkey", "id", Conflict, "already exists"),
    rule(
        "order_transitions_order_id_fkey",
        "order_id",
        Invalid,
        "is not an order",
    ),
    rule(
        "idempotency_keys_pkey",
        "Idempotency-Key",
        Conflict,
        "is already in use",
    ),
    rule("scheduled_runs_pkey", "slot", Conflict, "is already claimed"),
    // search (written by triggers and the index sync, never by a request)
    rule(
        "search_documents_pkey",
        "product_id",
        Conflict,
        "already has a search document",
    ),
    rule(
        "search_documents_product_id_fkey",
        "product_id",
        Invalid,
        "is not an existing product",
    ),
    rule(
        "search_outbox_pkey",
        "product_id",
        Conflict,
        "is already waiting for the index",
    ),
    rule(
        "search_titles_pkey",
        "product_id",
        Conflict,
        "already has a search title",
    ),
    rule(
        "search_titles_product_id_fkey",
        "product_id",
        Invalid,
        "has no search document",
    ),
    rule("search_words_pkey", "word", Conflict, "is already in the vocabulary"),
    rule("search_words_id_key", "id", Conflict, "already exists"),
    // stock adjustments and catalogue imports
    rule("stock_adjustments_pkey", "id", Conflict, "already exists"),
    rule(
        "stock_adjustments_variant_id_fkey",
        "variant_id",
        Invalid,
        "is not an existing variant",
    ),
    rule("stock_adjustments_delta_check", "delta", Invalid, "must not be zero"),
    rule(
        "stock_adjustments_stock_after_check",
        "delta",
        Invalid,
        "would take the stock below zero",
    ),
    rule("catalog_imports_pkey", "id", Conflict, "already exists"),
];

/// The rule for a constraint name.
pub fn rule_for(constraint: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.constraint == constraint)
}

/// The client's view of a database error that broke a constraint; `None` for any other error
/// (those stay internal). A foreign key broken from the referenced side (deleting a row still
/// in use) is a 409 on the row being deleted, whatever the rule says about the referencing one.
pub fn client_error(err: &sqlx::Error) -> Option<AppError> {
    let sqlx::Error::Database(db) = err else { return None };
    let details = |field: &str, message: &str| {
        let mut details = FieldErrors::new();
        details.insert(field.to_owned(), vec![message.to_owned()]);
        Some(details)
    };
    if db.is_foreign_key_violation() && db.message().starts_with("update or delete on table") {
        return Some(AppError::new(
            ErrorCode::Conflict,
            "This is still in use by other records, so it can't be removed or changed this way.",
        ));
    }
    if let Some(rule) = db.constraint().and_then(rule_for) {
        let (code, message) = match rule.meaning {
            Meaning::Conflict => (ErrorCode::Conflict, "The change conflicts with existing data."),
            Meaning::Invalid => (ErrorCode::ValidationError, ErrorCode::ValidationError.default_message()),
        };
        return Some(AppError {
            details: details(rule.field, rule.message),
            ..AppError::new(code, message)
        });
    }
    // A NULL where the schema wants a value names its column, not a constraint.
    if db.code().as_deref() == Some("23502") {
        let column = db
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .and_then(|pg| pg.column())
            .unwrap_or("body")
            .to_owned();
        return Some(AppError::validation(
            details(&column, "is required").unwrap_or_default(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_unique_and_speaks_to_a_field() {
        for (i, rule) in RULES.iter().enumerate() {
            assert!(!rule.field.is_empty() && !rule.message.is_empty(), "{rule:?}");
            assert!(
                RULES[..i].iter().all(|other| other.constraint != rule.constraint),
                "{} twice",
                rule.constraint
            );
        }
        assert_eq!(rule_for("users_email_key").map(|r| r.meaning), Some(Meaning::Conflict));
        assert!(rule_for("no_such_constraint").is_none());
    }
}
