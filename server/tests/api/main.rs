//! API tests: the real application on port 0, a fresh database per test (cloned from a migrated
//! template), real Redis where a test asks for it, and plain HTTP.

mod back_office;
mod cache;
mod catalog;
mod categories;
mod constraints;
mod errors;
mod health;
mod helpers;
mod identity;
mod images;
mod mail;
mod orders;
mod pages;
mod patterns;
mod pricing;
mod products;
mod races;
mod reviews;
mod search;
mod search_suite;
mod services;
mod shop_pages;
mod startup;
mod static_files;
mod storefront;
mod web;
