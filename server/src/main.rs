//! `vitrine-server`: parses the command line and starts what it names.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::EnvFilter;
use vitrine_server::app::config::{
    Cli, Command, DemoArgs, LogFormat, Region, ReportArgs, ReportCommand, ReportFormat, ShopArgs,
    ShopCommand, StorefrontArgs,
};
use vitrine_server::app::serve;
use vitrine_server::bundle;
use vitrine_server::demo::storefront::{self, StorefrontConfig};
use vitrine_server::{demo, unix_now};

/// mimalloc instead of glibc's malloc: the server allocates many small, short-lived values
/// per request (JSON, SQL arguments), where glibc spent a quarter of bulk ingestion's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match cli.command {
        Command::Serve(args) => {
            let state = serve::open_state(&args).await?;
            let listener = serve::bind(args.listen).await?;
            tracing::info!("Vitrine API on http://{}", listener.local_addr()?);
            serve::run_api(listener, state, serve::ConnectionLimits::of(&args)).await
        }
        Command::Demo(args) => run_demo(args).await,
        Command::Storefront(args) => run_storefront(args).await,
        Command::Shop(args) => run_shop(args).await,
        Command::Import(args) => vitrine_server::import::run(args).await,
        Command::Report(args) => run_report(args).await,
        Command::BundleReport(args) => {
            let bundle = bundle::Bundle::load(&args.bundle_dir)?;
            print!("{}", bundle.size_report());
            if let Some(app_dir) = &args.storefront_app_dir {
                print!("\n{}", storefront::size_report(app_dir)?);
            }
            if !bundle.within_budget() {
                std::process::exit(1);
            }
            Ok(())
        }
    }
}

async fn run_demo(args: DemoArgs) -> anyhow::Result<()> {
    let state = serve::open_state(&args.serve).await?;
    let api_listener = serve::bind(args.serve.listen).await?;
    let api_origin = format!("http://{}", api_listener.local_addr()?);
    let storefront_listener = match args.storefront_listen.as_str() {
        "off" => None,
        addr => {
            let addr: SocketAddr = addr
                .parse()
                .with_context(|| format!("--storefront-listen `{addr}` is not an address"))?;
            Some(serve::bind(addr).await?)
        }
    };
    let storefront_origin = match (&args.storefront_origin, &storefront_listener) {
        (Some(origin), _) => origin.trim_end_matches('/').to_string(),
        (None, Some(listener)) => format!("http://{}", listener.local_addr()?),
        (None, None) => anyhow::bail!("with --storefront-listen off, give --storefront-origin"),
    };
    demo::load(
        &state.db,
        &state.master_key,
        &args.files.storefront_dir,
        &same_site_variants(&storefront_origin),
        unix_now(),
    )
    .await?;
    tracing::info!("Vitrine API on {api_origin}");
    if let Some(listener) = storefront_listener {
        let config = StorefrontConfig::new(
            args.files.storefront_dir.clone(),
            args.files.storefront_app_dir.clone(),
            &api_origin,
            demo::DEMO_PUBLISHABLE_KEY,
            demo::DEMO_SECRET_KEY,
        )?;
        tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, storefront::router(config))
                .with_graceful_shutdown(serve::shutdown_signal())
                .await
            {
                tracing::error!(error = %err, "storefront server failed");
            }
        });
        println!("Vitrine demo storefront: {storefront_origin}/");
    }
    serve::run_api(
        api_listener,
        state,
        serve::ConnectionLimits::of(&args.serve),
    )
    .await
}

async fn run_shop(args: ShopArgs) -> anyhow::Result<()> {
    let db = vitrine_server::storage::db::connect(&args.database.database_url).await?;
    match args.action {
        ShopCommand::Create {
            name,
            id,
            origins,
            consent_default,
        } => {
            let master_key = args.master_key.load_for(&db).await?;
            let created = vitrine_server::shops::create(
                &db,
                &master_key,
                id.as_deref(),
                &name,
                &origins,
                consent_default.as_str(),
                unix_now(),
            )
            .await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&created)?);
            } else {
                println!("shop:            {}", created.id);
                println!("publishable key: {}", created.publishable_key);
                println!("secret key:      {}", created.secret_key);
                eprintln!(
                    "Store the secret key now: it is not shown again (only its digest is kept)."
                );
            }
        }
        ShopCommand::Configure {
            shop,
            add_origins,
            remove_origins,
            low_stock_threshold,
            default_region,
            loyalty_program,
            cart_recovery_rules,
        } => {
            if !add_origins.is_empty() || !remove_origins.is_empty() {
                let origins = vitrine_server::shops::change_origins(
                    &db,
                    &shop,
                    &add_origins,
                    &remove_origins,
                )
                .await?;
                if args.json {
                    println!(
                        "{}",
                        serde_json::json!({ "shop": shop, "origins": origins })
                    );
                } else {
                    println!("shop {shop} allows: {}", origins.join(" "));
                }
            }
            if let Some(path) = loyalty_program {
                configure_loyalty(&db, &shop, &path).await?;
            }
            if let Some(path) = cart_recovery_rules {
                configure_cart_recovery(&db, &shop, &path).await?;
            }
            let region = default_region.as_ref().map(|region| match region {
                Region::Postcode { country, postcode } => {
                    Some((country.as_str(), postcode.as_str()))
                }
                Region::None => None,
            });
            vitrine_server::shops::configure_availability(&db, &shop, low_stock_threshold, region)
                .await?;
            println!("shop {shop} configured");
        }
        ShopCommand::List => {
            let shops = vitrine_server::shops::list(&db).await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&shops)?);
            } else {
                for shop in shops {
                    println!(
                        "{}\t{}\t{}\t{}",
                        shop.id,
                        shop.name,
                        shop.consent_default,
                        shop.allowed_origins.join(",")
                    );
                }
            }
        }
        ShopCommand::RotateKey { shop, kind } => {
            let master_key = args.master_key.load_for(&db).await?;
            match vitrine_server::shops::rotate_key(&db, &master_key, &shop, kind).await? {
                Some(key) if args.json => {
                    println!("{}", serde_json::json!({ "shop": shop, "key": key }))
                }
                Some(key) => println!("{key}"),
                None => anyhow::bail!("no shop with id `{shop}`"),
            }
        }
    }
    Ok(())
}

async fn run_report(args: ReportArgs) -> anyhow::Result<()> {
    let db = vitrine_server::storage::db::connect(&args.database.database_url).await?;
    match args.report {
        ReportCommand::Attribution {
            shop,
            from,
            to,
            window_days,
            format,
        } => {
            use vitrine_server::recommendations::attribution;
            let period = attribution::Period::parse(from, to, Some(window_days), unix_now())
                .map_err(|message| anyhow::anyhow!(message))?;
            let shops = vitrine_server::shops::list(&db).await?;
            if !shops.iter().any(|known| known.id == shop) {
                anyhow::bail!("no shop with id `{shop}`");
            }
            let mut conn = db.acquire().await?;
            let report = attribution::report(&mut conn, &shop, &period).await?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                ReportFormat::Table => print!("{}", attribution::render_table(&shop, &report)),
            }
        }
    }
    Ok(())
}

/// Sets (or with the path `none` ends) a shop's loyalty programme from a JSON file.
async fn configure_loyalty(
    db: &vitrine_server::storage::db::Db,
    shop: &str,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let programme = if path.as_os_str() == "none" {
        None
    } else {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let program = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a loyalty programme", path.display()))?;
        let programme = vitrine_server::loyalty::Programme::parse(program)
            .map_err(|message| anyhow::anyhow!("{}: {message}", path.display()))?;
        Some(programme)
    };
    let mut tx = vitrine_server::storage::db::begin_write(db).await?;
    if !vitrine_server::loyalty::set_programme(&mut tx, shop, programme.as_ref()).await? {
        anyhow::bail!("no shop with id `{shop}`");
    }
    tx.commit().await?;
    Ok(())
}

/// Sets (or with the path `none` ends) a shop's cart recovery rules from a JSON file.
async fn configure_cart_recovery(
    db: &vitrine_server::storage::db::Db,
    shop: &str,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let rules = if path.as_os_str() == "none" {
        None
    } else {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let rules = serde_json::from_str(&text)
            .with_context(|| format!("{} is not cart recovery rules", path.display()))?;
        let rules = vitrine_server::cart_recovery::Rules::parse(rules)
            .map_err(|message| anyhow::anyhow!("{}: {message}", path.display()))?;
        Some(rules)
    };
    let mut tx = vitrine_server::storage::db::begin_write(db).await?;
    if !vitrine_server::cart_recovery::set_rules(&mut tx, shop, rules.as_ref()).await? {
        anyhow::bail!("no shop with id `{shop}`");
    }
    tx.commit().await?;
    Ok(())
}

async fn run_storefront(args: StorefrontArgs) -> anyhow::Result<()> {
    let listener = serve::bind(args.listen).await?;
    let config = StorefrontConfig::new(
        args.files.storefront_dir,
        args.files.storefront_app_dir,
        &args.api_origin,
        demo::DEMO_PUBLISHABLE_KEY,
        demo::DEMO_SECRET_KEY,
    )?;
    println!(
        "Vitrine demo storefront: http://{}/",
        listener.local_addr()?
    );
    axum::serve(listener, storefront::router(config))
        .with_graceful_shutdown(serve::shutdown_signal())
        .await
        .context("storefront server failed")
}

/// `http://127.0.0.1:8081` is also reached as `http://localhost:8081`; allow both.
fn same_site_variants(origin: &str) -> Vec<String> {
    let mut origins = vec![origin.to_string()];
    if let Some(rest) = origin.strip_prefix("http://127.0.0.1:") {
        origins.push(format!("http://localhost:{rest}"));
    } else if let Some(rest) = origin.strip_prefix("http://localhost:") {
        origins.push(format!("http://127.0.0.1:{rest}"));
    }
    origins
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_env("VITRINE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    // Logs go to stderr: stdout carries the commands' output (keys, JSON results).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
