//! Background jobs on apalis with its PostgreSQL storage: services enqueue a [`Job`] inside their
//! own transaction (so a job exists exactly when the change that asked for it was committed), and
//! workers in the server process run them with retries and exponential backoff. Jobs are rows in
//! `apalis.jobs`, so one enqueued before a crash runs after the restart; finished ones are
//! deleted after a while ([`delete_finished`]).

use std::future::Future;
use std::time::Duration;

use apalis::layers::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use apalis::layers::retry::{HasherRng, RetryPolicy};
use apalis::prelude::*;
use apalis_sql::Config;
use apalis_sql::postgres::PostgresStorage;
use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, PgPool};

use super::mail::{Mail, MailError, Mailer};
use crate::state::AppState;

/// The queue's name in `apalis.jobs.job_type`.
pub const QUEUE: &str = "oxcart::jobs";
/// Attempts before a job is given up (the first one included).
const MAX_ATTEMPTS: u32 = 6;

/// Work done in the background.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    SendMail(Mail),
    /// Makes a product image's renditions ([`crate::services::catalog::images::make_renditions`]).
    MakeRenditions {
        image: uuid::Uuid,
    },
    /// Cancels orders unpaid for longer than `after_secs` ([`crate::services::orders::cancel_unpaid`]).
    CancelUnpaidOrders {
        after_secs: u64,
    },
    /// Deletes `Idempotency-Key`s past their 24 hours.
    DeleteExpiredIdempotencyKeys,
    /// Deletes guests' carts untouched for 30 days.
    DeleteAbandonedCarts,
    /// Checks and applies a catalogue CSV ([`crate::services::catalog::transfer::run_import`]).
    ImportCatalog {
        import: uuid::Uuid,
    },
    /// Brings the Meilisearch index up to date ([`crate::services::search::sync_index`]).
    SyncSearchIndex,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Service(#[from] crate::services::ServiceError),
}

/// Adds `job` to the queue through `db` — pass the service's transaction.
pub async fn enqueue(db: impl PgExecutor<'_>, job: &Job) -> Result<(), sqlx::Error> {
    push(db, job, "").await
}

/// Adds `job` unless the same job is already waiting (it will see this change too).
pub async fn enqueue_once(db: impl PgExecutor<'_>, job: &Job) -> Result<(), sqlx::Error> {
    push(
        db,
        job,
        "WHERE NOT EXISTS (SELECT 1 FROM apalis.jobs
                           WHERE job_type = $1 AND status = 'Pending' AND job::jsonb = $2::jsonb)",
    )
    .await
}

/// Pushes `job` through apalis's documented SQL entry point, when `condition` (SQL over the
/// queue `$1` and the payload `$2`) holds. Not a checked macro: the `apalis` schema comes from
/// apalis's own migrations, which the offline query data is not prepared against.
async fn push(db: impl PgExecutor<'_>, job: &Job, condition: &'static str) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_value(job).map_err(|err| sqlx::Error::Encode(Box::new(err)))?;
    let sql = format!("SELECT 1 FROM apalis.push_job($1, $2::json, 'Pending', now(), $3) {condition}");
    sqlx::query(&sql)
        .bind(QUEUE)
        .bind(payload)
        .bind(i32::try_from(MAX_ATTEMPTS).unwrap_or(1))
        .execute(db)
        .await?;
    Ok(())
}

/// How long a due job may wait before the queue counts as stuck.
const STALE_AFTER_SECS: f64 = 300.0;

/// Fails when jobs have been due for minutes without a worker taking them (no instance runs
/// workers, or they are stuck), or when the queue can't be read.
pub async fn check_backlog(db: &PgPool) -> Result<(), String> {
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM apalis.jobs WHERE job_type = $1 AND status = 'Pending'
           AND run_at < now() - make_interval(secs => $2)",
    )
    .bind(QUEUE)
    .bind(STALE_AFTER_SECS)
    .fetch_one(db)
    .await
    .map_err(|err| format!("queue unreadable: {err}"))?;
    if waiting > 0 {
        Err(format!(
            "{waiting} jobs waiting for over {STALE_AFTER_SECS} s; are workers running?"
        ))
    } else {
        Ok(())
    }
}

/// How long finished jobs stay in `apalis.jobs`: done ones briefly (their payload may carry a
/// single-use link), given-up ones a week, for looking into why.
const KEEP_DONE_SECS: f64 = 3600.0;
const KEEP_GIVEN_UP_SECS: f64 = 7.0 * 24.0 * 3600.0;

/// Deletes finished jobs past their keeping time; returns how many.
pub async fn delete_finished(db: &PgPool) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query(
        "DELETE FROM apalis.jobs WHERE job_type = $1 AND done_at IS NOT NULL AND (
           (status = 'Done' AND done_at < now() - make_interval(secs => $2))
           OR ((status = 'Killed' OR (status = 'Failed' AND attempts >= max_attempts))
               AND done_at < now() - make_interval(secs => $3)))",
    )
    .bind(QUEUE)
    .bind(KEEP_DONE_SECS)
    .bind(KEEP_GIVEN_UP_SECS)
    .execute(db)
    .await?;
    Ok(deleted.rows_affected())
}

/// What job handlers need.
#[derive(Clone)]
pub struct JobContext {
    pub mailer: Mailer,
    pub state: AppState,
}

async fn perform(job: Job, context: Data<JobContext>, attempt: Attempt) -> Result<(), JobError> {
    match job {
        Job::SendMail(mail) => {
            if let Err(err) = context.mailer.send(&mail).await {
                tracing::warn!(event = "job_failed", kind = "send_mail", attempt = attempt.current(), error = %err, "mail not sent; will retry");
                return Err(err.into());
            }
        }
        Job::MakeRenditions { image } => {
            if let Err(err) = crate::services::catalog::images::make_renditions(&context.state, image).await {
                tracing::warn!(event = "job_failed", kind = "make_renditions", attempt = attempt.current(), error = %err, "renditions not made; will retry");
                return Err(err.into());
            }
        }
        Job::CancelUnpaidOrders { after_secs } => {
            let after = std::time::Duration::from_secs(after_secs);
            let cancelled = crate::services::orders::cancel_unpaid(&context.state, after).await;
            report("cancel_unpaid_orders", attempt, cancelled)?;
        }
        Job::DeleteExpiredIdempotencyKeys => {
            let deleted = crate::services::idempotency::delete_expired(&context.state).await;
            report("delete_expired_idempotency_keys", attempt, deleted)?;
        }
        Job::DeleteAbandonedCarts => {
            let deleted = crate::services::carts::delete_abandoned(&context.state).await;
            report("delete_abandoned_carts", attempt, deleted)?;
        }
        Job::SyncSearchIndex => {
            let sent = crate::services::search::sync_index(&context.state).await;
            report("sync_search_index", attempt, sent)?;
        }
        Job::ImportCatalog { import } => {
            use crate::services::catalog::transfer;
            if let Err(err) = transfer::run_import(&context.state, import).await {
                tracing::warn!(event = "job_failed", kind = "import_catalog", attempt = attempt.current(), error = %err, "import not finished; will retry");
                // The last attempt (counted from 0 or 1, either way) tells the import's page.
                if attempt.current() + 1 >= MAX_ATTEMPTS as usize {
                    transfer::give_up_import(&context.state, import, &err.to_string()).await?;
                }
                return Err(err.into());
            }
        }
    }
    Ok(())
}

/// Logs what a housekeeping job did, or that it failed (and will be retried).
fn report(
    kind: &'static str,
    attempt: Attempt,
    outcome: Result<u64, crate::services::ServiceError>,
) -> Result<(), JobError> {
    match outcome {
        Ok(0) => Ok(()),
        Ok(count) => {
            tracing::info!(event = "job_done", kind, count, "recurring job done");
            Ok(())
        }
        Err(err) => {
            tracing::warn!(event = "job_failed", kind, attempt = attempt.current(), error = %err, "will retry");
            Err(err.into())
        }
    }
}

/// Runs `workers` concurrent job workers until `shutdown` completes; jobs in progress then get
/// up to `grace` to finish.
pub async fn run_workers(
    pool: PgPool,
    context: JobContext,
    workers: usize,
    grace: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let config = Config::new(QUEUE)
        .set_poll_interval(Duration::from_millis(250))
        .set_buffer_size(workers.max(1) * 2);
    let storage: PostgresStorage<Job> = PostgresStorage::new_with_config(pool, config);
    let backoff = ExponentialBackoffMaker::new(
        Duration::from_millis(500),
        Duration::from_secs(60),
        0.5,
        HasherRng::default(),
    )
    .map_err(|err| std::io::Error::other(err.to_string()))?
    .make_backoff();
    // A name per process: apalis tracks workers by name to re-enqueue the jobs of dead ones.
    let worker = WorkerBuilder::new(format!("oxcart-{}", uuid::Uuid::now_v7()))
        .retry(RetryPolicy::retries((MAX_ATTEMPTS - 1) as usize).with_backoff(backoff))
        .concurrency(workers.max(1))
        .data(context)
        .backend(storage)
        .build_fn(perform);
    tracing::info!(event = "workers_started", workers, "background job workers started");
    Monitor::new()
        .register(worker)
        .shutdown_timeout(grace)
        .run_with_signal(async move {
            shutdown.await;
            Ok(())
        })
        .await
}
