//! Domain types that cross the wire between server, browser and API clients: identifiers,
//! money, pagination and the catalogue's views. Parsing an input into one of these types is
//! where it gets validated, so a value of the type is always valid.

pub mod catalog;
pub mod identity;
pub mod money;
pub mod pagination;

pub use catalog::{CategoryId, ProductId, ProductView};
pub use money::{Currency, Money};
pub use pagination::{Page, PageRequest};
