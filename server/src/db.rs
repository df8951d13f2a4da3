//! The database pool: SQLite (embedded file, WAL), created on first start, migrated at start.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The pool every query goes through.
pub type Db = sqlx::SqlitePool;

/// Opens (creating if needed) the database at `url` and runs the migrations.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid database URL `{url}`"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // In WAL mode NORMAL survives a crash of the process (kill -9); only an OS crash or
        // power loss can drop the last commits.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let db = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open database `{url}`"))?;
    sqlx::migrate!("./migrations/sqlite")
        .run(&db)
        .await
        .context("database migration failed")?;
    Ok(db)
}
