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
    /// Manage shops (tenants) and their keys.
    Shop(ShopArgs),
    /// Import products, stores or stock (NDJSON or CSV) into a shop's catalogue.
    Import(crate::import::ImportArgs),
    /// Print a report of a shop's figures.
    Report(ReportArgs),
}

/// The database of the `shop` and `report` commands, given before or after the subcommand.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL.
    #[arg(
        long,
        env = "VITRINE_DATABASE_URL",
        default_value = "sqlite://vitrine.db",
        global = true
    )]
    pub database_url: String,
}

/// Options of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Which report.
    #[command(subcommand)]
    pub report: ReportCommand,
}

/// `report` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Widget impressions, clicks and CTR per context, and the orders and revenue (web, app,
    /// store) attributed to clicks: the same figures as `GET /v1/reports/attribution`.
    Attribution {
        /// Shop id.
        #[arg(long)]
        shop: String,
        /// Start of the period, unix seconds, inclusive (default: 30 days before `--to`).
        #[arg(long, allow_negative_numbers = true)]
        from: Option<i64>,
        /// End of the period, unix seconds, exclusive (default: now).
        #[arg(long, allow_negative_numbers = true)]
        to: Option<i64>,
        /// Days after a click within which purchases are attributed to it (1 to 90).
        #[arg(long, default_value_t = crate::recommendations::attribution::DEFAULT_WINDOW_DAYS)]
        window_days: u32,
        /// Output: a text table, or the JSON of the HTTP endpoint.
        #[arg(long, value_enum, default_value = "table")]
        format: ReportFormat,
    },
}

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned columns for people.
    Table,
    /// JSON, as the HTTP endpoint answers.
    Json,
}

/// Options of `shop`.
#[derive(Debug, Args)]
pub struct ShopArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The master key that seals the shops' secret keys.
    #[command(flatten)]
    pub master_key: MasterKeyArgs,
    /// What to do.
    #[command(subcommand)]
    pub action: ShopCommand,
}

/// `shop` subcommands.
#[derive(Debug, Subcommand)]
pub enum ShopCommand {
    /// Create a shop; prints its two keys, which are shown only this once.
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// Shop id (letters, digits, `_`, `-`); random when absent.
        #[arg(long)]
        id: Option<String>,
        /// An origin allowed to embed the widgets, e.g. https://shop.example (repeatable).
        #[arg(long = "origin", value_parser = crate::shops::parse_origin)]
        origins: Vec<String>,
        /// Consent before the shopper chose: opt-in (EU default) or opt-out.
        #[arg(long, value_enum, default_value = "opt-in")]
        consent_default: ConsentDefault,
    },
    /// List shops (never their keys).
    List,
    /// Change a shop's settings: allowed origins, availability, loyalty, cart recovery.
    Configure {
        /// Shop id.
        #[arg(long)]
        shop: String,
        /// Allow another origin to embed the widgets, e.g. https://staging.shop.example
        /// (repeatable).
        #[arg(long = "add-origin", value_parser = crate::shops::parse_origin)]
        add_origins: Vec<String>,
        /// Stop allowing an origin (repeatable); applied after the additions.
        #[arg(long = "remove-origin", value_parser = crate::shops::parse_origin)]
        remove_origins: Vec<String>,
        /// Stock below this (and above zero) shows as "low" (default 3).
        #[arg(long)]
        low_stock_threshold: Option<u32>,
        /// Where store distances are measured from when the shopper gave no place:
        /// `COUNTRY:POSTCODE` of the shipped DACH table (`DE:80331`), or `none`.
        #[arg(long, value_parser = parse_region)]
        default_region: Option<Region>,
        /// The loyalty programme: a JSON file of `LoyaltyProgram` (see docs/loyalty.md), or
        /// `none` to end it.
        #[arg(long)]
        loyalty_program: Option<std::path::PathBuf>,
        /// The cart recovery rules: a JSON file of `CartRecoveryRules` (see
        /// docs/cart-recovery.md), or `none` to end cart recovery.
        #[arg(long)]
        cart_recovery_rules: Option<std::path::PathBuf>,
    },
    /// Replace a key; the old one stops working at once. Prints the new key.
    RotateKey {
        /// Shop id.
        #[arg(long)]
        shop: String,
        /// Which key.
        #[arg(long, value_enum)]
        kind: crate::shops::KeyKind,
    },
}

/// A shop's default region: a postcode of the shipped table, or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Region {
    /// `COUNTRY:POSTCODE`, checked against the table.
    Postcode {
        /// ISO 3166-1 alpha-2 country.
        country: String,
        /// A postcode of that country in the table.
        postcode: String,
    },
    /// No default region.
    None,
}

fn parse_region(value: &str) -> Result<Region, String> {
    if value == "none" {
        return Ok(Region::None);
    }
    let (country, postcode) = value.split_once(':').ok_or_else(|| {
        format!("expected COUNTRY:POSTCODE (`DE:80331`) or `none`, not `{value}`")
    })?;
    let place = crate::availability::postcodes::lookup(postcode, Some(country), &[])
        .map_err(|e| e.to_string())?;
    Ok(Region::Postcode {
        country: place.country.to_string(),
        postcode: place.postcode.clone(),
    })
}

/// A shop's consent default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConsentDefault {
    /// Nothing is tracked or personalised until the shopper agrees.
    OptIn,
    /// Tracking and personalisation until the shopper objects.
    OptOut,
}

impl ConsentDefault {
    /// The value stored in `shops.consent_default`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OptIn => "opt_in",
            Self::OptOut => "opt_out",
        }
    }
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
    /// The master key that seals the shops' secret keys.
    #[command(flatten)]
    pub master_key: MasterKeyArgs,
    /// Requests per second allowed per key (publishable or secret); 0 turns limits off.
    #[arg(long, env = "VITRINE_RATE_LIMIT_PER_SECOND", default_value_t = 2000)]
    pub rate_limit_per_second: u32,
    /// Requests a key may send at once before its rate applies.
    #[arg(long, env = "VITRINE_RATE_LIMIT_BURST", default_value_t = 4000)]
    pub rate_limit_burst: u32,
    /// Most client connections open at once; more wait to be accepted until one closes.
    /// Lowered to what the open-files limit allows (raised to its hard limit at start).
    #[arg(long, env = "VITRINE_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,
    /// Seconds a client has, from opening a connection, to send a request's headers; the
    /// connection is closed after that.
    #[arg(long, env = "VITRINE_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Longest time a request may take, in seconds (catalogue imports have no limit).
    #[arg(long, env = "VITRINE_REQUEST_TIMEOUT_SECS", default_value_t = 300)]
    pub request_timeout_secs: u64,
    /// How often each shop's recommendation model and catalogue are rebuilt from the
    /// database, in seconds (new events move popularity at once; purchases exclude at once).
    #[arg(
        long,
        env = "VITRINE_RECOMMENDATIONS_REFRESH_SECS",
        default_value_t = 300
    )]
    pub recommendations_refresh_secs: u64,
}

/// Where the master key comes from (see keyring.rs); every instance sharing a database needs
/// the same one.
#[derive(Debug, Args)]
pub struct MasterKeyArgs {
    /// The master key, 64 hex characters (wins over the file).
    #[arg(long, env = "VITRINE_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<String>,
    /// File holding the master key; created with a new key only for a database without shops.
    #[arg(
        long,
        env = "VITRINE_MASTER_KEY_FILE",
        default_value = "vitrine-master.key"
    )]
    pub master_key_file: PathBuf,
}

impl MasterKeyArgs {
    /// Loads the master key of the database `db`: refuses a key that is not the database's
    /// (its check value, or its shops' sealed secrets, say so), and creates a key file only
    /// for a database that has no shops yet. Errors name the key file.
    pub async fn load_for(
        &self,
        db: &crate::storage::db::Db,
    ) -> anyhow::Result<crate::storage::keyring::MasterKey> {
        use crate::storage::keyring::{self, MasterKey};
        let (key, source) = match &self.master_key {
            Some(hex_key) => (
                MasterKey::from_hex(hex_key)?,
                "--master-key (VITRINE_MASTER_KEY)".to_string(),
            ),
            None => {
                let path = &self.master_key_file;
                let shown = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                let source = format!("the key file {}", shown.display());
                match MasterKey::read_file(path)? {
                    Some(key) => (key, source),
                    None if keyring::database_has_a_key(db).await? => anyhow::bail!(
                        "there is no master key file {}, and this database already has shops \
                         sealed with a master key: a new key would not open their secrets, so \
                         none was created. Pass --master-key-file with the database's key file \
                         (or VITRINE_MASTER_KEY_FILE, or the key itself with --master-key)",
                        shown.display()
                    ),
                    None => (MasterKey::load_or_create(path)?, source),
                }
            }
        };
        keyring::bind_to_database(db, &key, &source).await?;
        Ok(key)
    }
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
    /// Where the storefront's files are.
    #[command(flatten)]
    pub files: StorefrontFiles,
}

/// Where the demo storefront's files are (`demo` and `storefront`).
#[derive(Debug, Args)]
pub struct StorefrontFiles {
    /// Directory of the storefront's static assets and plain page.
    #[arg(long, env = "VITRINE_STOREFRONT_DIR", default_value = "public")]
    pub storefront_dir: PathBuf,
    /// Directory of the storefront's single-page app as Trunk built it.
    #[arg(
        long,
        env = "VITRINE_STOREFRONT_APP_DIR",
        default_value = "storefront/dist"
    )]
    pub storefront_app_dir: PathBuf,
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
    /// Where the storefront's files are.
    #[command(flatten)]
    pub files: StorefrontFiles,
}

/// Options of `bundle-report`.
#[derive(Debug, Args)]
pub struct BundleReportArgs {
    /// Directory of the built widget bundle.
    #[arg(long, env = "VITRINE_BUNDLE_DIR", default_value = "dist")]
    pub bundle_dir: PathBuf,
    /// Directory of the built storefront app, whose size is reported beside the bundle's
    /// (no budget); none when not given.
    #[arg(long, env = "VITRINE_STOREFRONT_APP_DIR")]
    pub storefront_app_dir: Option<PathBuf>,
}
