//! One contract, two caches: every test here runs against Redis and the in-process cache.

use std::time::Duration;

use app::adapters::cache::Cache;

use crate::helpers::redis_url;

async fn redis() -> Cache {
    let namespace = format!("oxcart-test:{}:", uuid::Uuid::new_v4().simple());
    Cache::redis(&redis_url(), &namespace, Duration::from_secs(2))
        .await
        .expect("Redis is reachable")
}

fn memory() -> Cache {
    Cache::memory(1_000)
}

async fn round_trip(cache: Cache) {
    assert_eq!(cache.get("missing").await.unwrap(), None);
    cache.set("greeting", b"hello", Duration::from_secs(60)).await.unwrap();
    assert_eq!(cache.get("greeting").await.unwrap().as_deref(), Some(&b"hello"[..]));
    cache.set("greeting", b"bye", Duration::from_secs(60)).await.unwrap();
    assert_eq!(cache.get("greeting").await.unwrap().as_deref(), Some(&b"bye"[..]));
    cache.delete("greeting").await.unwrap();
    assert_eq!(cache.get("greeting").await.unwrap(), None);
    cache.delete("never-set").await.unwrap();
    cache.ping().await.unwrap();
    // Two keys in one round trip, present or not.
    cache.set("one", b"1", Duration::from_secs(60)).await.unwrap();
    assert_eq!(
        cache.get_pair("one", "none").await.unwrap(),
        (Some(b"1".to_vec()), None)
    );
}

async fn expires(cache: Cache) {
    cache.set("short", b"x", Duration::from_millis(30)).await.unwrap();
    cache.set("long", b"y", Duration::from_secs(60)).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while cache.get("short").await.unwrap().is_some() {
        assert!(tokio::time::Instant::now() < deadline, "entry did not expire");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        cache.get("long").await.unwrap().is_some(),
        "other entries keep their own TTL"
    );
}

async fn json(cache: Cache) {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Cart {
        items: Vec<String>,
        total: String,
    }
    let cart = Cart {
        items: vec!["tote".into()],
        total: "18.00".into(),
    };
    cache.set_json("cart", &cart, Duration::from_secs(60)).await.unwrap();
    assert_eq!(cache.get_json::<Cart>("cart").await.unwrap(), Some(cart));
    cache
        .set("garbage", b"not json", Duration::from_secs(60))
        .await
        .unwrap();
    assert!(
        cache.get_json::<Cart>("garbage").await.is_err(),
        "undecodable value is an error, not a panic"
    );
}

#[tokio::test]
async fn redis_round_trip() {
    round_trip(redis().await).await;
}

#[tokio::test]
async fn memory_round_trip() {
    round_trip(memory()).await;
}

#[tokio::test]
async fn redis_expires() {
    expires(redis().await).await;
}

#[tokio::test]
async fn memory_expires() {
    expires(memory()).await;
}

#[tokio::test]
async fn redis_json() {
    json(redis().await).await;
}

#[tokio::test]
async fn memory_json() {
    json(memory()).await;
}

#[tokio::test]
async fn redis_namespaces_do_not_collide() {
    let (a, b) = (redis().await, redis().await);
    a.set("same-key", b"a", Duration::from_secs(60)).await.unwrap();
    assert_eq!(b.get("same-key").await.unwrap(), None);
}

#[tokio::test]
async fn memory_cache_is_bounded() {
    let Cache::Memory(inner) = Cache::memory(100) else {
        unreachable!()
    };
    let cache = Cache::Memory(inner.clone());
    for i in 0..1_000 {
        cache
            .set(&format!("k{i}"), b"v", Duration::from_secs(60))
            .await
            .unwrap();
    }
    inner.run_pending_tasks();
    assert!(inner.entry_count() <= 100, "{} entries", inner.entry_count());
}

#[tokio::test]
async fn unreachable_redis_fails_fast() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = std::time::Instant::now();
    let result = Cache::redis(&format!("redis://127.0.0.1:{port}"), "x:", Duration::from_millis(500)).await;
    assert!(result.is_err());
    assert!(started.elapsed() < Duration::from_secs(10));
}
