//! Reusable view components: the base layout, forms, addresses, pagination, pictures, page
//! metadata and error notices.

pub mod address;
pub mod error_notice;
pub mod form;
pub mod layout;
pub mod pagination;
pub mod picture;
pub mod seo;

pub use address::{AddressFields, PostalAddress};
pub use error_notice::ErrorNotice;
pub use form::{Field, FormError, Notice, Submit, field_errors};
pub use layout::Layout;
pub use pagination::Pagination;
pub use picture::{Gallery, Picture};
pub use seo::Seo;
