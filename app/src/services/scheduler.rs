//! The scheduler: recurring jobs that run once per period across every instance of the shop.
//! Each instance ticks (every few seconds); a tick claims each due job's current time slot by
//! inserting a row, and only the instance whose insert succeeded enqueues the job, in the same
//! transaction, on the job queue. The workers of any instance then run it, with the queue's
//! retries. Later features add their jobs to [`schedule`].

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::ServiceError;
use crate::adapters::jobs::{self, Job};
use crate::repositories::schedule as repo;
use crate::state::AppState;

/// A job to run every `every`.
#[derive(Clone, Debug)]
pub struct Recurring {
    pub name: &'static str,
    pub every: Duration,
    pub job: Job,
}

/// Settings of the recurring jobs.
#[derive(Clone, Copy, Debug)]
pub struct ScheduleSettings {
    /// How long an order may await payment before it is cancelled.
    pub unpaid_order_timeout: Duration,
}

/// Every recurring job of the shop.
pub fn schedule(settings: ScheduleSettings) -> Vec<Recurring> {
    vec![
        Recurring {
            name: "cancel_unpaid_orders",
            every: Duration::from_secs(300),
            job: Job::CancelUnpaidOrders {
                after_secs: settings.unpaid_order_timeout.as_secs(),
            },
        },
        Recurring {
            name: "delete_expired_idempotency_keys",
            every: Duration::from_secs(3600),
            job: Job::DeleteExpiredIdempotencyKeys,
        },
        // Catches the search index up after an outage, or a sync request that was lost.
        Recurring {
            name: "sync_search_index",
            every: Duration::from_secs(15),
            job: Job::SyncSearchIndex,
        },
        Recurring {
            name: "delete_abandoned_carts",
            every: Duration::from_secs(6 * 3600),
            job: Job::DeleteAbandonedCarts,
        },
    ]
}

/// The start of the period of length `every` that `now` falls in (periods are counted from the
/// Unix epoch, so every instance computes the same slots).
pub fn slot(now: DateTime<Utc>, every: Duration) -> DateTime<Utc> {
    let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX).max(1);
    let ms = now.timestamp_millis();
    DateTime::from_timestamp_millis(ms - ms.rem_euclid(every_ms)).unwrap_or(now)
}

/// Claims and enqueues each job whose current slot no instance has claimed yet; returns the
/// names of those this call enqueued.
pub async fn tick(state: &AppState, now: DateTime<Utc>, jobs: &[Recurring]) -> Result<Vec<&'static str>, ServiceError> {
    let mut enqueued = Vec::new();
    for recurring in jobs {
        let mut tx = state.db.begin().await?;
        if repo::claim(&mut *tx, recurring.name, slot(now, recurring.every)).await? {
            jobs::enqueue(&mut *tx, &recurring.job).await?;
            enqueued.push(recurring.name);
        }
        tx.commit().await?;
    }
    Ok(enqueued)
}

/// Ticks every `period` until the task is dropped. Failures are logged and tried again.
pub async fn run(state: AppState, jobs: Vec<Recurring>, period: Duration) {
    let mut interval = tokio::time::interval(period.max(Duration::from_millis(100)));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match tick(&state, Utc::now(), &jobs).await {
            Ok(names) if !names.is_empty() => {
                tracing::info!(event = "scheduled", jobs = ?names, "recurring jobs enqueued");
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(event = "schedule_failed", error = %err, "scheduler tick failed"),
        }
        if let Err(err) = repo::delete_old_claims(&state.db).await {
            tracing::warn!(event = "schedule_failed", error = %err, "could not delete old claims");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_the_same_for_every_instant_in_a_period() {
        let every = Duration::from_secs(300);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(slot(at("2026-11-26T10:04:59Z"), every), at("2026-11-26T10:00:00Z"));
        assert_eq!(slot(at("2026-11-26T10:00:00Z"), every), at("2026-11-26T10:00:00Z"));
        assert_eq!(slot(at("2026-11-26T10:05:00Z"), every), at("2026-11-26T10:05:00Z"));
    }
}
