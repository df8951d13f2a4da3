//! The API, called in-process through its router, on a real SQLite database per test.

mod assets;
mod attribution;
mod availability;
mod batch;
mod cart_recovery;
mod demo;
mod errors;
mod events;
mod gdpr;
mod hardening;
mod helpers;
mod identity;
mod imports;
mod loyalty;
mod migrations;
mod openapi;
mod ops;
mod personal;
mod recommendations;
mod shared_browser;
mod shops;
mod tenancy;
