//! Starting and stopping: open the state, bind, serve until SIGINT/SIGTERM, finish in-flight
//! requests.

use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::bundle::Bundle;
use crate::config::ServeArgs;
use crate::http::ops::{KeyRateLimiter, RateLimit};
use crate::recommendations::Recommendations;
use crate::{app, db, AppState};

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
    let master_key = args.master_key.load()?;
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

/// Serves the API until a shutdown signal, then lets in-flight requests finish. Every shop's
/// recommender is built from the event store in the background meanwhile, so first page
/// views do not wait for it.
pub async fn run_api(listener: TcpListener, state: AppState) -> anyhow::Result<()> {
    tokio::spawn(warm_up_recommenders(state.clone()));
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("API server failed")
}

async fn warm_up_recommenders(state: AppState) {
    // The postcode table is parsed once; do it before the first shopper types a postcode.
    tokio::task::spawn_blocking(crate::postcodes::preload);
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
