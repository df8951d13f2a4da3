//! The API, called in-process through its router, on a real SQLite database per test.

mod assets;
mod demo;
mod errors;
mod helpers;
mod recommendations;
mod shops;
