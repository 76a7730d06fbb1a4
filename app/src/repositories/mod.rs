//! Repositories: the only place SQL lives. One module per aggregate; every function takes an
//! executor (a pool or a transaction) so services decide the transaction boundaries.

pub mod carts;
pub mod catalog;
pub mod idempotency;
pub mod identity;
pub mod orders;
pub mod pricing;
pub mod schedule;
pub mod search;
pub mod sessions;

use sqlx::{PgPool, Postgres, Transaction};

use crate::domain::identity::UserId;

/// Opens a transaction on behalf of `actor`, the person making the change: the audit trigger
/// records them as `created_by` / `updated_by` of every row the transaction writes
/// (`SET LOCAL oxcart.actor`, so the setting ends with the transaction and never leaks to the
/// next user of the pooled connection). Every write a person makes goes through here; writes
/// the system makes on its own (seed, housekeeping) use a plain transaction and record NULL.
pub async fn begin_as(db: &PgPool, actor: UserId) -> sqlx::Result<Transaction<'static, Postgres>> {
    let mut tx = db.begin().await?;
    sqlx::query_scalar!("SELECT set_config('oxcart.actor', $1, true)", actor.0.to_string())
        .fetch_one(&mut *tx)
        .await?;
    Ok(tx)
}
