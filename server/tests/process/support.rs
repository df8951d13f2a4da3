//! Running `vitrine-server` as a child process: one database and master key per test (an
//! [`Installation`]), server processes on it ([`Server`], killed on drop even when the test
//! fails), the `shop` command, and direct reads of the database.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::http;

/// The binary under test.
const SERVER: &str = env!("CARGO_BIN_EXE_vitrine-server");
/// Longest wait for anything a process does (start, answer, exit): generous, never a
/// measurement.
pub const PATIENCE: Duration = Duration::from_secs(30);
/// Pause between two looks at something being polled.
const POLL: Duration = Duration::from_millis(20);

/// Runs a future to completion on a fresh runtime. Each call opens and closes its own
/// database connection, so nothing outlives the runtime it was made on.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

#[path = "../shared/database.rs"]
mod database;
use database::database_url;

/// What every instance of one deployment shares: a database and the master key.
pub struct Installation {
    pub database_url: String,
    master_key: String,
    dir: TempDir,
}

/// A shop as `shop create --json` prints it.
pub struct ShopKeys {
    pub id: String,
    pub publishable_key: String,
    pub secret_key: String,
}

impl Installation {
    /// A fresh database and a random master key (64 hex characters).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = block_on(database_url(dir.path()));
        let master_key = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        Self {
            database_url,
            master_key,
            dir,
        }
    }

    /// Creates a shop with the operator's command, `vitrine-server shop create`.
    pub fn create_shop(&self, id: &str, name: &str) -> ShopKeys {
        let output = Command::new(SERVER)
            .args(["shop", "--json", "--database-url", &self.database_url])
            .args(["--master-key", &self.master_key])
            .args(["create", "--name", name, "--id", id])
            .current_dir(self.dir.path())
            .output()
            .expect("run `vitrine-server shop create`");
        assert!(
            output.status.success(),
            "`shop create` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let created: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
            panic!(
                "`shop create --json` printed no JSON ({err}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        });
        let field = |name: &str| {
            created[name]
                .as_str()
                .unwrap_or_else(|| panic!("`shop create --json` without {name}: {created}"))
                .to_string()
        };
        ShopKeys {
            id: field("id"),
            publishable_key: field("publishable_key"),
            secret_key: field("secret_key"),
        }
    }

    /// Starts `vitrine-server serve` and waits until it answers `/healthz`.
    pub fn start_server(&self) -> Server {
        let mut server = self.spawn_server();
        server.wait_ready();
        server
    }

    /// Starts `vitrine-server serve` without waiting for it: call [`Server::wait_ready`].
    /// It listens on a port the system picks (read back from its log), so tests never race
    /// each other for ports; its bundle directory does not exist (the API works without).
    pub fn spawn_server(&self) -> Server {
        self.spawn_server_with(&[])
    }

    /// Starts `vitrine-server serve` with further flags and waits until it answers `/healthz`.
    pub fn start_server_with(&self, flags: &[&str]) -> Server {
        let mut server = self.spawn_server_with(flags);
        server.wait_ready();
        server
    }

    /// [`Installation::spawn_server`] with further flags.
    pub fn spawn_server_with(&self, flags: &[&str]) -> Server {
        let mut child = Command::new(SERVER)
            .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
            .args(flags)
            .args(["--database-url", &self.database_url])
            .args(["--master-key", &self.master_key])
            .arg("--bundle-dir")
            .arg(self.dir.path().join("no-bundle"))
            .env("VITRINE_LOG", "info,sqlx=warn")
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start vitrine-server");
        let (sender, lines) = mpsc::channel();
        let transcript = Arc::new(Mutex::new(String::new()));
        // Drain both pipes for the whole life of the process: a full pipe would block its
        // logging and so the server.
        drain(child.stdout.take().expect("stdout"), &sender, &transcript);
        drain(child.stderr.take().expect("stderr"), &sender, &transcript);
        Server {
            child,
            addr: None,
            lines,
            transcript,
        }
    }

    /// The ids of all events stored for `shop`, read from the database itself.
    pub fn event_ids(&self, shop: &str) -> BTreeSet<String> {
        block_on(async {
            sqlx::any::install_default_drivers();
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.database_url)
                .await
                .expect("connect to the test database");
            let rows: Vec<(String,)> =
                sqlx::query_as("SELECT event_id FROM events WHERE shop_id = $1")
                    .bind(shop)
                    .fetch_all(&mut conn)
                    .await
                    .expect("read events");
            sqlx::Connection::close(conn).await.expect("close");
            rows.into_iter().map(|(id,)| id).collect()
        })
    }
}

/// Copies a pipe's lines to `sender` and `transcript`, on a thread of its own.
fn drain(
    pipe: impl Read + Send + 'static,
    sender: &mpsc::Sender<String>,
    transcript: &Arc<Mutex<String>>,
) {
    let (sender, transcript) = (sender.clone(), transcript.clone());
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if let Ok(mut transcript) = transcript.lock() {
                transcript.push_str(&line);
                transcript.push('\n');
            }
            // The test may have stopped listening; the pipe must still be drained.
            let _ = sender.send(line);
        }
    });
}

/// The message of a JSON log line (`--log-format json`).
fn log_message(line: &str) -> Option<String> {
    let line: Value = serde_json::from_str(line).ok()?;
    line["fields"]["message"].as_str().map(str::to_string)
}

/// A running `vitrine-server serve`; killed (SIGKILL) when dropped, so a failing test leaves
/// no process behind.
pub struct Server {
    child: Child,
    addr: Option<SocketAddr>,
    lines: Receiver<String>,
    transcript: Arc<Mutex<String>>,
}

impl Server {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr.expect("wait_ready() first")
    }

    /// Everything it logged so far, for failure messages.
    pub fn transcript(&self) -> String {
        self.transcript
            .lock()
            .map(|transcript| transcript.clone())
            .unwrap_or_default()
    }

    /// Waits for the "Vitrine API on http://…" log line, then polls `/healthz` until it
    /// answers 200 (database reachable). Returns at once when it did so before.
    pub fn wait_ready(&mut self) {
        if self.addr.is_some() {
            return;
        }
        let message = self.wait_for_log("Vitrine API on http://");
        let addr = message
            .rsplit("http://")
            .next()
            .and_then(|addr| addr.trim().parse().ok())
            .unwrap_or_else(|| panic!("no address in {message:?}"));
        self.addr = Some(addr);
        let deadline = Instant::now() + PATIENCE;
        loop {
            match http::get(addr, "/healthz") {
                Ok(answer) if answer.status == 200 => return,
                last if Instant::now() > deadline => panic!(
                    "/healthz of {addr} never answered 200 (last: {last:?}); log:\n{}",
                    self.transcript()
                ),
                _ => std::thread::sleep(POLL),
            }
        }
    }

    /// Waits for a log line whose message contains `needle` and returns that message.
    /// Panics, with the log, when the process exits first or after [`PATIENCE`].
    pub fn wait_for_log(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .lines
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(line) => {
                    let message = log_message(&line).unwrap_or(line);
                    if message.contains(needle) {
                        return message;
                    }
                }
                // Both pipes closed: the process has ended (and all it wrote was read).
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.wait_for_exit();
                    panic!(
                        "vitrine-server exited ({status}) before logging {needle:?}; log:\n{}",
                        self.transcript()
                    );
                }
                Err(RecvTimeoutError::Timeout) if !left.is_zero() => {}
                Err(RecvTimeoutError::Timeout) => panic!(
                    "vitrine-server did not log {needle:?} within {PATIENCE:?}; log:\n{}",
                    self.transcript()
                ),
            }
        }
    }

    /// How many file descriptors the process has open now (Linux: `/proc/<pid>/fd`).
    pub fn open_files(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .expect("read /proc/<pid>/fd")
            .count()
    }

    /// `kill -9`: the process ends at once, whatever it was doing.
    pub fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL vitrine-server");
        self.child.wait().expect("reap vitrine-server");
    }

    /// `kill -TERM`: what a service manager sends to stop it.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed: {status}");
    }

    /// Waits for the process to exit on its own.
    pub fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll vitrine-server") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "vitrine-server still running {PATIENCE:?} after it was told to stop; log:\n{}",
                self.transcript()
            );
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A bulk request's events: `size` views by customer K-1 with ids unique to `label`.
#[derive(Debug, Clone)]
pub struct Batch {
    pub ids: Vec<String>,
}

impl Batch {
    pub fn new(label: &str, size: usize) -> Self {
        Self {
            ids: (0..size).map(|n| format!("e-{label}-{n}")).collect(),
        }
    }

    /// The NDJSON body.
    pub fn ndjson(&self) -> String {
        self.ids
            .iter()
            .map(|id| {
                json!({"id": id, "type": "view", "customer_id": "K-1", "sku": "A"}).to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }
}

/// Polls `done` until it holds or [`PATIENCE`] has passed; returns whether it held.
pub fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(POLL);
    }
    done()
}
