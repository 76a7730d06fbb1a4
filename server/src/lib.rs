//! The Oxcart server: configuration, start-up, the HTTP router and its middleware, and the CLI's
//! commands. A library so integration tests can build the real application.

pub mod api;
pub mod client_addr;
pub mod config;
pub mod db;
pub mod middleware;
pub mod routes;
pub mod startup;
pub mod telemetry;

pub use config::Settings;
pub use startup::Application;
