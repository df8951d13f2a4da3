//! Command line and environment: every flag has a `VITRINE_…` variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Vitrine profile API server.
#[derive(Debug, Parser)]
#[command(name = "vitrine-server", version, about)]
pub struct Cli {
    /// Log format: `text` for people, `json` for log collectors.
    #[arg(
        long,
        env = "VITRINE_LOG_FORMAT",
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Log output format.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The server's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the widget bundle.
    Serve(ServeArgs),
    /// Serve the API with the demo shop loaded, and the demo storefront on its own origin.
    Demo(DemoArgs),
    /// Serve only the demo storefront, pointing at an API elsewhere.
    Storefront(StorefrontArgs),
    /// Print the bundle's size report (raw, gzip, brotli); exits 1 when over budget.
    BundleReport(BundleReportArgs),
}

/// Options of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address the API listens on.
    #[arg(long, env = "VITRINE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Database URL; a SQLite file is created on first start.
    #[arg(
        long,
        env = "VITRINE_DATABASE_URL",
        default_value = "sqlite://vitrine.db"
    )]
    pub database_url: String,
    /// Directory of the built widget bundle (Trunk's `dist/`).
    #[arg(long, env = "VITRINE_BUNDLE_DIR", default_value = "dist")]
    pub bundle_dir: PathBuf,
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The API's options.
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Address the demo storefront listens on; `off` serves no storefront in this process.
    #[arg(
        long,
        env = "VITRINE_STOREFRONT_LISTEN",
        default_value = "127.0.0.1:8081"
    )]
    pub storefront_listen: String,
    /// Origin of the storefront as browsers see it (default: from `--storefront-listen`).
    #[arg(long, env = "VITRINE_STOREFRONT_ORIGIN")]
    pub storefront_origin: Option<String>,
    /// Directory of the storefront's pages.
    #[arg(long, env = "VITRINE_STOREFRONT_DIR", default_value = "public")]
    pub storefront_dir: PathBuf,
}

/// Options of `storefront`.
#[derive(Debug, Args)]
pub struct StorefrontArgs {
    /// Address the storefront listens on.
    #[arg(
        long,
        env = "VITRINE_STOREFRONT_LISTEN",
        default_value = "127.0.0.1:8081"
    )]
    pub listen: SocketAddr,
    /// Origin of the Vitrine API the pages embed.
    #[arg(
        long,
        env = "VITRINE_API_ORIGIN",
        default_value = "http://127.0.0.1:8080"
    )]
    pub api_origin: String,
    /// Directory of the storefront's pages.
    #[arg(long, env = "VITRINE_STOREFRONT_DIR", default_value = "public")]
    pub storefront_dir: PathBuf,
}

/// Options of `bundle-report`.
#[derive(Debug, Args)]
pub struct BundleReportArgs {
    /// Directory of the built widget bundle.
    #[arg(long, env = "VITRINE_BUNDLE_DIR", default_value = "dist")]
    pub bundle_dir: PathBuf,
}
