//! SQL for the scheduler's claims: one row per recurring job and time slot.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// Claims `job`'s run for `slot`; `true` for the one caller that got it.
pub async fn claim(db: impl PgExecutor<'_>, job: &str, slot: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO scheduled_runs (job, slot) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        job,
        slot
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets claims older than a week.
pub async fn delete_old_claims(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    let done = sqlx::query!("DELETE FROM scheduled_runs WHERE slot < now() - interval '7 days'")
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
