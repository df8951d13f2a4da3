//! The real `vitrine-server` binary, started as child processes on a real database (a SQLite
//! file by default, a fresh PostgreSQL database with `VITRINE_TEST_BACKEND=postgres`): what
//! only a process can show — crashes, signals, several instances on one database.
//!
//! The tests are synchronous on purpose: they drive processes and sockets, so plain threads,
//! blocking sockets with timeouts and polling read more directly than a runtime would. Only
//! the direct database work (creating a test database, reading events) runs on a small tokio
//! runtime, because sqlx is async.

mod connections;
mod durability;
mod http;
mod master_key;
mod scale_out;
mod support;
