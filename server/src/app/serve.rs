//! Starting and stopping: open the state, bind, serve until SIGINT/SIGTERM, finish in-flight
//! requests. Connections are accepted by our own loop (axum's `serve` cannot set hyper's
//! header read timeout): at most `--max-connections` at once, each closed when a request's head
//! does not arrive within `--header-read-timeout-secs`, so slow or silent clients cannot use up
//! the process's file descriptors.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::Service;

use crate::app::config::ServeArgs;
use crate::bundle::Bundle;
use crate::http::ops::{KeyRateLimiter, RateLimit};
use crate::recommendations::Recommendations;
use crate::storage::db;
use crate::{app, AppState};

/// Connects the database (migrating it) and loads the bundle, if built.
pub async fn open_state(args: &ServeArgs) -> anyhow::Result<AppState> {
    let db = db::connect(&args.database_url).await?;
    let bundle = match Bundle::load(&args.bundle_dir) {
        Ok(bundle) => {
            if !bundle.within_budget() {
                tracing::warn!(
                    "widget bundle is over its size budget:\n{}",
                    bundle.size_report()
                );
            }
            Some(Arc::new(bundle))
        }
        Err(err) => {
            tracing::warn!(error = %err, "widget bundle not loaded; /v1/vitrine.js will answer 503");
            None
        }
    };
    // Checked against the database's key check value: another key refuses to start.
    let master_key = args.master_key.load_for(&db).await?;
    let rate_limiter = Arc::new(KeyRateLimiter::new(RateLimit {
        per_second: args.rate_limit_per_second,
        burst: args.rate_limit_burst,
    }));
    Ok(AppState {
        db,
        bundle,
        master_key,
        rate_limiter,
        request_timeout: std::time::Duration::from_secs(args.request_timeout_secs.max(1)),
        recommendations: Arc::new(Recommendations::new(std::time::Duration::from_secs(
            args.recommendations_refresh_secs,
        ))),
        availability: Default::default(),
        clock: Default::default(),
    })
}

/// Binds `addr`, with a message that names the address when it is taken.
pub async fn bind(addr: std::net::SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// How many connections the API holds open and how long a client may take to send a
/// request's head.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Most connections open at once; further ones wait in the listen queue until one closes.
    pub max_connections: usize,
    /// Longest time from a connection's opening to the end of its request's headers.
    pub header_read_timeout: Duration,
}

/// File descriptors kept for everything but client connections (database, files, logs).
const RESERVED_FILES: u64 = 256;

impl ConnectionLimits {
    /// The limits `serve` was given.
    pub fn of(args: &ServeArgs) -> Self {
        Self {
            max_connections: args.max_connections.clamp(1, u32::MAX as usize),
            header_read_timeout: Duration::from_secs(args.header_read_timeout_secs.max(1)),
        }
    }

    /// These limits with at most as many connections as `open_files` descriptors allow, some
    /// kept back for the rest of the server.
    fn within(self, open_files: Option<u64>) -> Self {
        let Some(open_files) = open_files else {
            return self;
        };
        let room = usize::try_from(open_files.saturating_sub(RESERVED_FILES).max(16))
            .unwrap_or(usize::MAX);
        if room < self.max_connections {
            tracing::warn!(
                max_connections = room,
                open_files,
                "--max-connections lowered to what the open-files limit allows"
            );
        }
        Self {
            max_connections: self.max_connections.min(room),
            ..self
        }
    }
}

/// Raises the soft limit of open files to the hard limit (a process starts with the soft one,
/// often 1,024) and returns the limit in force; `None` when unlimited or unknown.
pub fn raise_open_files_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => return limit.maximum,
            Err(err) => tracing::warn!(error = %err, "cannot raise the open-files limit"),
        }
    }
    limit.current
}

/// Serves the API until a shutdown signal, then lets in-flight requests finish. Every shop's
/// recommender is built from the event store in the background meanwhile, so first page
/// views do not wait for it.
pub async fn run_api(
    listener: TcpListener,
    state: AppState,
    limits: ConnectionLimits,
) -> anyhow::Result<()> {
    tokio::spawn(warm_up_recommenders(state.clone()));
    let limits = limits.within(raise_open_files_limit());
    serve(listener, app(state), limits, shutdown_signal()).await;
    Ok(())
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, then stops
/// accepting, lets every connection finish the request it is answering, and returns when all
/// are closed. Handlers see the client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (closing, closing_seen) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        // A permit first: at the cap, new connections wait in the listen queue.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(&err).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let service = match make_service.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let mut closing = closing_seen.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            let finished = tokio::select! {
                result = connection.as_mut() => Some(result),
                _ = closing.wait_for(|closing| *closing) => None,
            };
            let result = match finished {
                Some(result) => result,
                None => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(err) = result {
                tracing::debug!(error = %err, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    let _ = closing.send(true);
    drop(listener);
    // Every connection holds a permit until it is closed: all permits back means all done.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
}

/// What to do when `accept` fails: a connection reset before it was accepted is the client's
/// business; anything else (out of file descriptors) is logged and retried after a pause, so
/// the loop does not spin while nothing can be accepted.
async fn accept_failed(err: &std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(error = %err, "accept error");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

async fn warm_up_recommenders(state: AppState) {
    // The postcode table is parsed once; do it before the first shopper types a postcode.
    tokio::task::spawn_blocking(crate::availability::postcodes::preload);
    let shops = match crate::shops::list(&state.db).await {
        Ok(shops) => shops,
        Err(err) => return tracing::warn!(error = %err, "cannot list shops to build recommenders"),
    };
    for shop in shops {
        let started = std::time::Instant::now();
        match state.recommendations.shop(&state.db, &shop.id).await {
            Ok(_) => {
                tracing::info!(shop = %shop.id, elapsed_ms = started.elapsed().as_millis() as u64, "recommender built")
            }
            Err(err) => tracing::warn!(shop = %shop.id, error = %err, "recommender build failed"),
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
