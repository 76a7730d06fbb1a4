//! Health of the shop's dependencies: each is probed with a deadline and reported as `up`,
//! `degraded` or `down` with its latency. The shop is down only when the database is.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::state::AppState;

/// How long a dependency may take to answer before it counts as down.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Slower than this and a dependency is degraded.
const SLOW: Duration = Duration::from_millis(500);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Up,
    Degraded,
    Down,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DependencyHealth {
    pub status: Status,
    /// Which implementation answered, e.g. `postgres`, `redis`, `memory`.
    pub kind: String,
    pub latency_ms: f64,
    /// Why it is not up; never includes credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HealthReport {
    pub status: Status,
    pub checks: BTreeMap<String, DependencyHealth>,
}

impl HealthReport {
    /// Whether the shop can serve requests (the database is reachable).
    pub fn is_serving(&self) -> bool {
        self.status != Status::Down
    }
}

async fn probe<E: std::fmt::Display>(kind: &str, check: impl Future<Output = Result<(), E>>) -> DependencyHealth {
    let started = Instant::now();
    let outcome = tokio::time::timeout(PROBE_TIMEOUT, check).await;
    let elapsed = started.elapsed();
    let (status, error) = match outcome {
        Ok(Ok(())) if elapsed > SLOW => (Status::Degraded, Some("slow to answer".to_owned())),
        Ok(Ok(())) => (Status::Up, None),
        Ok(Err(err)) => (Status::Down, Some(err.to_string())),
        Err(_) => (
            Status::Down,
            Some(format!("no answer within {} ms", PROBE_TIMEOUT.as_millis())),
        ),
    };
    DependencyHealth {
        status,
        kind: kind.to_owned(),
        latency_ms: elapsed.as_secs_f64() * 1000.0,
        error,
    }
}

/// Search: PostgreSQL answers whenever the database does; with Meilisearch configured, search is
/// degraded (never down: PostgreSQL answers instead) while Meilisearch can't be reached or its
/// index is not ready.
async fn check_search(state: &AppState) -> DependencyHealth {
    let Some(meili) = state.search.meili() else {
        return probe("postgres", async { Ok::<(), String>(()) }).await;
    };
    let mut health = probe("meilisearch", async {
        if !meili.is_prepared() {
            return Err("index not ready; answering from PostgreSQL".to_owned());
        }
        meili
            .ping()
            .await
            .map_err(|err| format!("{err}; answering from PostgreSQL"))
    })
    .await;
    if health.status == Status::Up && meili.is_down() {
        health.status = Status::Degraded;
        health.error = Some("the last call failed; answering from PostgreSQL".to_owned());
    }
    if health.status == Status::Down {
        health.status = Status::Degraded;
    }
    health
}

/// Probes every dependency concurrently.
pub async fn check_health(state: &AppState) -> HealthReport {
    let database = probe("postgres", async {
        sqlx::query("SELECT 1").execute(&state.db).await.map(|_| ())
    });
    let cache = probe(state.cache.kind(), state.cache.ping());
    let queue = probe("postgres", crate::adapters::jobs::check_backlog(&state.db));
    let media = probe(state.media.kind(), state.media.ping());
    let search = check_search(state);
    let (database, cache, queue, media, search) = tokio::join!(database, cache, queue, media, search);
    let others_up = [&cache, &queue, &media, &search].iter().all(|c| c.status == Status::Up);
    let status = match database.status {
        Status::Down => Status::Down,
        Status::Up if others_up => Status::Up,
        _ => Status::Degraded,
    };
    let checks = BTreeMap::from([
        ("database".to_owned(), database),
        ("cache".to_owned(), cache),
        ("queue".to_owned(), queue),
        ("media".to_owned(), media),
        ("search".to_owned(), search),
    ]);
    HealthReport { status, checks }
}
