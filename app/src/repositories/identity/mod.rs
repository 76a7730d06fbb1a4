//! SQL for identity, by aggregate: user accounts, tokens (API refresh tokens and single-use mail
//! tokens) and addresses. Re-exported here, so callers write `repo::find_user`.

mod addresses;
mod tokens;
mod users;

pub use addresses::*;
pub use tokens::*;
pub use users::*;
