//! The running server: its settings (flags and environment) and its start-up and shutdown.

pub mod config;
pub mod serve;
