//! Search on the PostgreSQL engine: the shared suite (`search_suite`), which the Meilisearch
//! engine passes too (the `meilisearch` test target), and the errors of the search endpoints.

use crate::helpers::{assert_envelope, spawn_app};
use crate::search_suite::{self as suite, Target};

#[tokio::test]
async fn relevance_typos_and_prefixes() {
    suite::relevance_typos_and_prefixes(Target::postgres()).await;
}

#[tokio::test]
async fn filters_and_drafts() {
    suite::filters_and_drafts(Target::postgres()).await;
}

#[tokio::test]
async fn facet_counts_match_sql() {
    suite::facet_counts_match_sql(Target::postgres()).await;
}

#[tokio::test]
async fn sorting_and_pagination() {
    suite::sorting_and_pagination(Target::postgres()).await;
}

#[tokio::test]
async fn highlights_suggestions_and_did_you_mean() {
    suite::highlights_suggestions_and_did_you_mean(Target::postgres()).await;
}

#[tokio::test]
async fn index_follows_writes() {
    suite::index_follows_writes(Target::postgres()).await;
}

#[tokio::test]
async fn bad_parameters_are_422s_naming_them() {
    let app = spawn_app().await;
    for (query, field) in [
        ("sort=cheapest", "sort"),
        ("min_price=abc", "min_price"),
        ("min_price=50&max_price=10", "max_price"),
        ("in_stock=yes", "in_stock"),
        ("min_rating=9", "min_rating"),
        ("per_page=0", "per_page"),
        ("page=-1", "page"),
        ("category=no-such-category", "category"),
        ("option.a%3Db=1", "option.a=b"),
    ] {
        let body = assert_envelope(
            app.get(&format!("/api/v1/search?{query}")).await,
            422,
            "VALIDATION_ERROR",
        )
        .await;
        assert!(body["error"]["details"][field].is_array(), "{query}: {body}");
    }
    let long = "a".repeat(201);
    let body = assert_envelope(
        app.get(&format!("/api/v1/search?q={long}")).await,
        422,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(body["error"]["details"]["q"].is_array(), "{body}");
    assert_envelope(app.get("/api/v1/search?q=%00").await, 422, "VALIDATION_ERROR").await;
    assert_envelope(app.get("/api/v1/search/suggest?q=%07x").await, 422, "VALIDATION_ERROR").await;
    assert_envelope(app.get("/api/v1/search?status=archived").await, 403, "FORBIDDEN").await;
    // Odd but harmless input is answered, not refused.
    for query in [
        "q=%27%22%3B--",
        "q=a%20%26%20b%20%7C%20!c%3A*",
        "q=%F0%9F%A7%A5",
        "q=%FF",
        "q=()",
        "option.size=",
    ] {
        let response = app.get(&format!("/api/v1/search?{query}")).await;
        assert_eq!(response.status().as_u16(), 200, "{query}");
    }
}

/// Suggestions look among the newest titles first (a window), and reach older titles only when
/// the window is short: a rare word's older products are still found, and an older product
/// with the words as typed still comes before newer ones matching only a correction.
#[tokio::test]
async fn suggestions_reach_past_the_newest_titles() {
    use app::repositories::search::{Terms, search_titles};
    let app = spawn_app().await;
    suite::fixture(&app).await;
    let names = |ids: Vec<app::domain::ProductId>| {
        let db = app.db.clone();
        async move {
            let ids: Vec<uuid::Uuid> = ids.into_iter().map(|id| id.0).collect();
            let mut out = Vec::new();
            for id in ids {
                let name: String = sqlx::query_scalar("SELECT name FROM products WHERE id = $1")
                    .bind(id)
                    .fetch_one(&db)
                    .await
                    .unwrap();
                out.push(name);
            }
            out
        }
    };
    let terms = |groups: &[&[&str]]| Terms {
        groups: groups
            .iter()
            .map(|g| g.iter().map(|w| (*w).to_owned()).collect())
            .collect(),
        prefix_last: true,
    };
    // The two newest shoppable titles are Wool Sweater and Rain Poncho: fewer matches than
    // asked for, so the older ones are added, the word as typed first, then newest first.
    let all = search_titles(
        &app.db,
        &terms(&[&["wool", "rain", "linen", "trail", "waterproof"]]),
        8,
        2,
    )
    .await
    .unwrap();
    assert_eq!(
        names(all).await,
        [
            "Wool Sweater",
            "Rain Poncho",
            "Trail Mug",
            "Linen Shirt",
            "Waterproof Jacket"
        ]
    );
    // A word found only before the window.
    let rare = search_titles(&app.db, &terms(&[&["jack"]]), 8, 2).await.unwrap();
    assert_eq!(names(rare).await, ["Waterproof Jacket"]);
    // "linen" as typed, "wool" and "rain" as corrections: the window holds two matches, neither
    // as typed, so the older product as typed is looked for, and comes first.
    for window in [2, 100] {
        let typed = search_titles(&app.db, &terms(&[&["linen", "wool", "rain"]]), 2, window)
            .await
            .unwrap();
        assert_eq!(names(typed).await, ["Linen Shirt", "Wool Sweater"], "window {window}");
    }
}

/// The PostgreSQL engine answers from words' postings it keeps (by catalogue generation) or
/// loads afresh: with a budget of nothing kept, every answer is the same — hits in order, total
/// and facets — as with postings kept and reused across filters, sorts, pages and queries.
#[tokio::test]
async fn answers_are_the_same_whether_postings_are_kept_or_not() {
    use crate::helpers::spawn_app_with;
    let kept = spawn_app().await;
    let loaded = spawn_app_with(|s| s.search.postings_budget = 0, axum::Router::new()).await;
    suite::fixture(&kept).await;
    suite::fixture(&loaded).await;
    let queries = [
        "q=jacket",
        "q=jacket&in_stock=true",
        "q=jacket&sort=price_asc",
        "q=jacket&sort=name",
        "q=jacket&per_page=1&page=2",
        "q=jackrt%20waterproof",
        "q=waterproof%20ja",
        "q=m&option.size=M&option.size=L",
        "category=clothing&sort=rating",
        "sort=name&min_price=20&max_price=100",
        "min_rating=4",
    ];
    for query in queries {
        let a = suite::search_any(&kept, query).await;
        let b = suite::search_any(&loaded, query).await;
        assert_eq!(suite::names(&a), suite::names(&b), "{query}");
        assert_eq!(a["meta"]["total"], b["meta"]["total"], "{query}");
        assert_eq!(a["meta"]["facets"], b["meta"]["facets"], "{query}");
        assert_eq!(a["data"][0]["highlights"], b["data"][0]["highlights"], "{query}");
    }
    // And what was kept follows a write at once.
    let before = suite::search_any(&kept, "q=jacket").await;
    assert_eq!(before["meta"]["total"], 3);
    sqlx::query("UPDATE products SET status = 'archived' WHERE name = 'Rain Poncho'")
        .execute(&kept.db)
        .await
        .unwrap();
    app::services::catalog::catalog_changed(&kept.state).await;
    let after = suite::search_any(&kept, "q=jacket").await;
    assert_eq!(after["meta"]["total"], 2, "{}", after["meta"]);
}

/// Rows of `search_terms` that differ from what the documents hold: each document's words,
/// ranked as `ts_rank` ranks each alone.
async fn terms_mismatches(db: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar::<_, i64>(
        r#"WITH expected AS (
               SELECT u.lexeme COLLATE "C" AS lexeme, d.product_id,
                      ts_rank('{0.1, 0.2, 0.4, 1.0}', d.document,
                              ('''' || replace(replace(u.lexeme, '\', '\\'), '''', '''''') || '''')::tsquery) AS rank
               FROM search_documents d, unnest(d.document) u
           )
           SELECT count(*) FROM expected e FULL JOIN search_terms t USING (lexeme, product_id)
           WHERE e.rank IS NULL OR t.rank IS NULL OR abs(e.rank - t.rank) > 1e-6"#,
    )
    .fetch_one(db)
    .await
    .unwrap()
}

/// The PostgreSQL engine's term table follows the documents through writes: after a rename, a
/// new SKU, selling out and a deletion it holds exactly each document's words, ranked as
/// `ts_rank` ranks each alone; selling out (its document changes, no word does) leaves its
/// terms untouched. The seed, which defers them to its end, leaves them exact too.
#[tokio::test]
async fn terms_follow_the_documents() {
    let app = spawn_app().await;
    suite::fixture(&app).await;
    let terms = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM search_terms")
            .fetch_one(&app.db)
            .await
            .unwrap()
    };
    assert!(terms().await > 20);
    assert_eq!(terms_mismatches(&app.db).await, 0);
    let versions = |name: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT string_agg(t.xmin::text, ',' ORDER BY t.lexeme) FROM search_terms t
                 JOIN products p ON p.id = t.product_id WHERE p.name = $1",
            )
            .bind(name)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let before = versions("Wool Sweater").await;
    for write in [
        "UPDATE product_variants SET stock = 0 WHERE product_id = (SELECT id FROM products WHERE name = 'Wool Sweater')",
        "UPDATE products SET name = 'Merino Wool Sweater' WHERE name = 'Wool Sweater'",
        "UPDATE product_variants SET sku = sku || '-NEW' WHERE product_id = (SELECT id FROM products WHERE name = 'Trail Mug')",
        "DELETE FROM products WHERE name = 'Rain Poncho'",
    ] {
        sqlx::query(write).execute(&app.db).await.unwrap();
        if write.contains("stock") {
            let in_stock: bool =
                sqlx::query_scalar("SELECT in_stock FROM search_documents WHERE name = 'Wool Sweater'")
                    .fetch_one(&app.db)
                    .await
                    .unwrap();
            assert!(!in_stock, "the document changed");
            assert_eq!(versions("Wool Sweater").await, before, "no term was rewritten");
        }
        assert_eq!(terms_mismatches(&app.db).await, 0, "after {write}");
    }
    let exact = |lexeme: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM search_terms WHERE lexeme = $1")
                .bind(lexeme)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(exact("merino").await, 1);
    assert_eq!(exact("poncho").await, 0);

    let seeded = spawn_app().await;
    app::services::catalog::seed_demo_catalog(&seeded.state, 40)
        .await
        .unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM search_terms")
        .fetch_one(&seeded.db)
        .await
        .unwrap();
    assert!(rows > 40 * 10, "{rows}");
    assert_eq!(terms_mismatches(&seeded.db).await, 0);
    // The deferral ended with the seed's transaction: later writes keep the terms again.
    sqlx::query("UPDATE products SET name = name || ' Deluxe'")
        .execute(&seeded.db)
        .await
        .unwrap();
    assert_eq!(terms_mismatches(&seeded.db).await, 0);
}

/// The PostgreSQL engine reads its catalogue at start-up: the first search doesn't wait for it.
#[tokio::test]
async fn the_catalogue_is_read_at_start_up() {
    let app = spawn_app().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !app.state.search.keeps_a_catalogue() {
        assert!(std::time::Instant::now() < deadline, "not read within 10 s of start-up");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
