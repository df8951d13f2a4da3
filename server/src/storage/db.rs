//! The database pool: one code path for SQLite (default: an embedded file, created on first
//! start, WAL) and PostgreSQL (scale-out), through sqlx's `Any` driver; migrated at start.
//!
//! Query rules for both backends (see docs/profile-api.md): `$1, $2, …` placeholders numbered
//! in order of first appearance, values of type `i64`, `f64`, `bool`, `String` or options of
//! them, sums cast to `BIGINT`. Statements with many parameters take their placeholders from
//! [`Params`], which numbers them only for PostgreSQL.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{bail, Context};
use sqlx::any::AnyPoolOptions;
use sqlx::Executor;

/// The pool every query goes through.
pub type Db = sqlx::AnyPool;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server (or a Postgres-wire compatible one).
    Postgres,
}

impl Backend {
    /// The backend of a database URL, or an error naming the supported schemes.
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            bail!("unsupported database URL `{url}`: use sqlite://FILE or postgres://…")
        }
    }
}

/// Opens (for SQLite: creating if needed) the database at `url` and runs the migrations.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url)?;
    let url = match backend {
        // Create the file on first start unless the URL says otherwise.
        Backend::Sqlite if !url.contains("mode=") => {
            format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
        }
        _ => url.to_string(),
    };
    let db = AnyPoolOptions::new()
        .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(10))
        // A SQLite connection is a file handle that does not go stale: no ping before each
        // use (it was a second round trip to the connection's worker thread per query).
        .test_before_acquire(backend != Backend::Sqlite)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL with synchronous=NORMAL survives a crash of the process (kill -9);
                    // only an OS crash or power loss can drop the last commits. Reads go
                    // through a memory map of the file (shared by all connections, paged
                    // by the OS) instead of copies into each connection's small page cache
                    // (4 MB each, 8 connections: 16 MB ingested no faster and held 30 MB more).
                    conn.execute(sqlx::raw_sql(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                         PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -4096; \
                         PRAGMA temp_store = MEMORY;",
                    ))
                    .await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .with_context(|| format!("cannot open database `{}`", redact(&url)))?;
    let migrated = match backend {
        Backend::Sqlite => {
            // sqlx locks migrations on PostgreSQL only; two processes starting on a new
            // SQLite file would both apply them. A lock file beside the database orders them.
            let _guard = sqlite_migration_lock(&url)?;
            sqlx::migrate!("./migrations/sqlite").run(&db).await
        }
        Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&db).await,
    };
    migrated.context("database migration failed")?;
    Ok(db)
}

/// An exclusive lock on `<database file>.migrate-lock`, released when dropped; `None` for an
/// in-memory database.
fn sqlite_migration_lock(url: &str) -> anyhow::Result<Option<std::fs::File>> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Ok(None);
    }
    let lock_path = format!("{path}.migrate-lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open the migration lock {lock_path}"))?;
    file.lock()
        .with_context(|| format!("cannot lock {lock_path}"))?;
    Ok(Some(file))
}

/// A transaction that writes; derefs to the connection, so it is passed on as `&mut tx`.
/// On SQLite it also holds this process's write turn (see [`begin_write`]).
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Commits; the write turn passes on afterwards.
    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): two deferred transactions that both read and then write would
/// otherwise deadlock and one fail with "database is locked" instead of waiting its turn.
/// Writers of one process first queue for their turn in memory: SQLite's own busy handler
/// waits by sleeping (up to 100 ms a try), which under load made the slowest writes take
/// hundreds of milliseconds; a queue hands the lock on the moment it is free. (Other
/// processes on the same file still meet at SQLite's lock.)
pub async fn begin_write(db: &Db) -> sqlx::Result<WriteTx> {
    let url = &db.connect_options().database_url;
    if url.scheme() == "sqlite" {
        let turn = write_turn(url.as_str()).lock_owned().await;
        let tx = db.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx {
            tx,
            _turn: Some(turn),
        })
    } else {
        Ok(WriteTx {
            tx: db.begin().await?,
            _turn: None,
        })
    }
}

/// The write queue of one SQLite database of this process.
fn write_turn(url: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static TURNS: std::sync::LazyLock<
        std::sync::Mutex<HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    > = std::sync::LazyLock::new(Default::default);
    TURNS
        .lock()
        .expect("not poisoned")
        .entry(url.to_string())
        .or_default()
        .clone()
}

/// Whether a statement built for `rows` rows (of at most `full` per statement) is worth
/// keeping prepared: the full size and a single row recur; the remainder of a batch has a new
/// size almost every time, and each cached size held its own compiled statement per
/// connection (tens of MB over a bulk import).
pub fn worth_caching(rows: usize, full: usize) -> bool {
    rows == 1 || rows == full
}

/// Placeholders for statements built with many parameters (multi-row INSERTs, `IN` lists):
/// `$1, $2, …` on PostgreSQL, plain `?` on SQLite. SQLite looks each numbered parameter up by
/// name in a list, which makes binding thousands of `$N` quadratic (it was 80 % of bulk
/// ingestion's time); `?` are bound by position. A statement uses one style throughout:
/// sqlx binds `?` by counting, which a `$N` before it would throw off.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    numbered: bool,
}

impl Params {
    /// The style of `conn`'s backend.
    pub fn of(conn: &sqlx::AnyConnection) -> Self {
        Self {
            numbered: conn.backend_name() == "PostgreSQL",
        }
    }

    /// Parameter `n` (1-based) in a statement whose parameters appear in order.
    pub fn one(self, n: usize) -> String {
        if self.numbered {
            format!("${n}")
        } else {
            "?".into()
        }
    }

    /// `count` parameters from `first` on, comma-separated, for an `IN (…)` list.
    pub fn list(self, first: usize, count: usize) -> String {
        (first..first + count)
            .map(|n| self.one(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The `VALUES` list of a multi-row INSERT: `($1, $2), ($3, $4)` for 2 rows of 2 columns.
    pub fn rows(self, rows: usize, columns: usize) -> String {
        (0..rows)
            .map(|row| format!("({})", self.list(row * columns + 1, columns)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The URL without its password, for messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Gives the rows of `absorbed` in `tables` (each with `shop_id` and `profile_id`) to
/// `survivor`: how every part's data follows a profile merge
/// (`identity::profiles::merge` moves each capability's `HeldData` tables with it, or calls
/// the capability's own merge, which uses it too).
pub async fn move_rows(
    conn: &mut sqlx::AnyConnection,
    tables: &[&str],
    shop_id: &str,
    absorbed: &str,
    survivor: &str,
) -> sqlx::Result<()> {
    for table in tables {
        sqlx::query(&format!(
            "UPDATE {table} SET profile_id = $1 WHERE shop_id = $2 AND profile_id = $3"
        ))
        .bind(survivor)
        .bind(shop_id)
        .bind(absorbed)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://vitrine:s3cret@db:5432/v"),
            "postgres://vitrine:***@db:5432/v"
        );
        assert_eq!(redact("postgres://vitrine@db/v"), "postgres://vitrine@db/v");
        assert_eq!(redact("sqlite://vitrine.db"), "sqlite://vitrine.db");
    }

    #[test]
    fn placeholders_number_rows_then_columns() {
        let (numbered, positional) = (Params { numbered: true }, Params { numbered: false });
        assert_eq!(numbered.rows(1, 1), "($1)");
        assert_eq!(numbered.rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(positional.rows(2, 2), "(?, ?), (?, ?)");
        assert_eq!(numbered.list(3, 2), "$3, $4");
        assert_eq!(positional.list(3, 2), "?, ?");
    }

    #[test]
    fn only_sqlite_and_postgres_urls_are_accepted() {
        assert_eq!(Backend::of_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::of_url("postgres://h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::of_url("mysql://h/db").is_err());
    }
}
