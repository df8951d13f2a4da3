//! Storage: the database (SQLite or PostgreSQL through sqlx) and the key ring that seals each
//! shop's secret key with the deployment's master key.

pub mod db;
pub mod keyring;
