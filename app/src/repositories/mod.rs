//! Repositories: the only place SQL lives. One module per aggregate; every function takes an
//! executor (a pool or a transaction) so services decide the transaction boundaries.

pub mod catalog;
pub mod identity;
pub mod sessions;
