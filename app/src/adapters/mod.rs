//! Adapters to systems outside the process. Each has a real implementation and an embedded
//! default that needs nothing but this process, chosen by configuration.

pub mod cache;
pub mod jobs;
pub mod mail;
pub mod media;
pub mod rate_limit;
pub mod search;
pub mod sessions;
