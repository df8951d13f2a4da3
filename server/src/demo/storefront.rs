//! The demo storefront's server: it serves the Leptos single-page shop (`storefront/`, built
//! by Trunk into `storefront/dist/`) and its static assets (`public/`: images, catalogue.json,
//! shop.css, and `plain.html`, the framework-free page) on its own origin, so the shop embeds
//! Vitrine exactly as a foreign shop would. Every path without a file extension is a route of
//! the app and gets its `index.html` (deep links and reloads work). HTML is rendered with the
//! API origin and key (`{{VITRINE_API}}`, `{{VITRINE_KEY}}`) and the signed-in customer's
//! token (`{{VITRINE_CUSTOMER_TOKEN}}`) on the script tag, and sent with a strict
//! Content-Security-Policy, so each demo run proves the widgets work under one. The shop's
//! backend (sign-in, orders, the till) is in `backend`, under `/api/`.

pub mod backend;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use tower_http::services::ServeDir;

/// How the storefront is configured.
#[derive(Debug, Clone)]
pub struct StorefrontConfig {
    /// Directory of the static assets and the plain page (`public/`).
    pub dir: PathBuf,
    /// Directory of the built single-page app (`storefront/dist/`: index.html, wasm, JS).
    pub app_dir: PathBuf,
    /// Origin of the Vitrine API, e.g. `http://127.0.0.1:8080`.
    pub api_origin: String,
    /// The shop's publishable key.
    pub publishable_key: String,
    /// The shop's secret key: its backend signs customer tokens and reports events with it.
    pub secret_key: String,
    /// Price in cents of every SKU (variants at their product's price), from catalogue.json.
    pub prices: HashMap<String, i64>,
}

impl StorefrontConfig {
    /// The storefront of the app built into `app_dir` with its assets in `dir` (its
    /// catalogue.json read for prices) for the shop with these keys, embedding the API at
    /// `api_origin`.
    pub fn new(
        dir: PathBuf,
        app_dir: PathBuf,
        api_origin: &str,
        publishable_key: &str,
        secret_key: &str,
    ) -> anyhow::Result<Self> {
        use anyhow::Context;
        #[derive(serde::Deserialize)]
        struct Catalogue {
            products: Vec<Product>,
        }
        #[derive(serde::Deserialize)]
        struct Product {
            sku: String,
            price_minor: i64,
            #[serde(default)]
            variants: Vec<Variant>,
        }
        #[derive(serde::Deserialize)]
        struct Variant {
            sku: String,
        }
        let path = dir.join("catalogue.json");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let catalogue: Catalogue = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a demo catalogue", path.display()))?;
        let prices = catalogue
            .products
            .iter()
            .flat_map(|product| {
                std::iter::once(product.sku.clone())
                    .chain(product.variants.iter().map(|v| v.sku.clone()))
                    .map(|sku| (sku, product.price_minor))
            })
            .collect();
        Ok(Self {
            dir,
            app_dir,
            api_origin: api_origin.trim_end_matches('/').to_string(),
            publishable_key: publishable_key.to_string(),
            secret_key: secret_key.to_string(),
            prices,
        })
    }

    /// The policy every page is served with: scripts only from the shop and the API, wasm
    /// compilation allowed, nothing inline.
    pub fn content_security_policy(&self) -> String {
        format!(
            "script-src 'self' {} 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'",
            self.api_origin
        )
    }
}

/// The storefront as a router: the backend under `/api/`, the app's routes, the files.
pub fn router(config: StorefrontConfig) -> Router {
    Router::new()
        .nest("/api", backend::router())
        .fallback(page)
        .with_state(Arc::new(config))
}

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
enum Target<'a> {
    /// A route of the single-page app (no file extension): its index.html.
    AppRoute,
    /// A page of `public/` rendered with the config (`plain.html`).
    Page(&'a str),
    /// Any other file, from the app's build or `public/`.
    File,
}

fn target(path: &str) -> Target<'_> {
    let name = path.rsplit('/').next().unwrap_or_default();
    let file = path.trim_start_matches('/');
    if path.contains("..") {
        Target::File
    } else if !name.contains('.') || file == "index.html" {
        // The app's own page is never sent as built: its placeholders are filled in.
        Target::AppRoute
    } else if name.ends_with(".html") {
        Target::Page(file)
    } else {
        Target::File
    }
}

async fn page(State(config): State<Arc<StorefrontConfig>>, jar: CookieJar, uri: Uri) -> Response {
    let template = match target(uri.path()) {
        Target::File => return static_file(&config, uri).await,
        Target::AppRoute => {
            match tokio::fs::read_to_string(config.app_dir.join("index.html")).await {
                Ok(template) => template,
                Err(_) => {
                    return (
                        StatusCode::SERVICE_UNAVAILABLE,
                        format!(
                            "the storefront app is not built in {} (run scripts/build.sh)",
                            config.app_dir.display()
                        ),
                    )
                        .into_response()
                }
            }
        }
        Target::Page(file) => match tokio::fs::read_to_string(config.dir.join(file)).await {
            Ok(template) => template,
            Err(_) => return (StatusCode::NOT_FOUND, "page not found").into_response(),
        },
    };
    let html = template
        .replace("{{VITRINE_API}}", &config.api_origin)
        .replace("{{VITRINE_KEY}}", &config.publishable_key)
        .replace(
            "{{VITRINE_CUSTOMER_TOKEN}}",
            &backend::token_attribute(&config, &jar),
        );
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (CACHE_CONTROL, "no-cache".to_string()),
            (CONTENT_SECURITY_POLICY, config.content_security_policy()),
        ],
        html,
    )
        .into_response()
}

/// A file of the app's build (hashed names) or else of `public/`.
async fn static_file(config: &StorefrontConfig, uri: Uri) -> Response {
    use tower::ServiceExt;
    let request = axum::http::Request::builder()
        .uri(uri)
        .body(axum::body::Body::empty())
        .expect("a parsed URI makes a valid request");
    let files = ServeDir::new(&config.app_dir).fallback(ServeDir::new(&config.dir));
    match files.oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(err) => match err {},
    }
}

/// The storefront app's size as Trunk built it into `app_dir` (raw, gzip, brotli per file and
/// in total), reported beside the widget bundle's. The storefront is the demo shop, not a part
/// of Vitrine a shop downloads, so it has no budget.
pub fn size_report(app_dir: &std::path::Path) -> anyhow::Result<String> {
    use anyhow::Context;
    let mut names: Vec<String> = std::fs::read_dir(app_dir)
        .with_context(|| format!("cannot read {}: build the storefront", app_dir.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            [".wasm", ".js", ".css", ".html"]
                .iter()
                .any(|ext| name.ends_with(ext))
        })
        .collect();
    names.sort();
    let mut out = format!(
        "storefront app (the demo shop; not under the widget budget)\n{:<10} {:>10} {:>10} {:>10}  file\n",
        "part", "raw", "gzip", "brotli"
    );
    let (mut raw, mut gzip, mut brotli) = (0, 0, 0);
    for name in names {
        let bytes =
            std::fs::read(app_dir.join(&name)).with_context(|| format!("cannot read {name}"))?;
        let asset = crate::bundle::Asset::new(&name, bytes)?;
        let part = match name.rsplit('.').next() {
            Some("wasm") => "wasm",
            Some("html") => "html",
            Some("css") => "css",
            _ if name == "start.js" => "start",
            _ => "js glue",
        };
        out += &format!(
            "{part:<10} {:>10} {:>10} {:>10}  {name}\n",
            asset.raw.len(),
            asset.gzip.len(),
            asset.brotli.len()
        );
        raw += asset.raw.len();
        gzip += asset.gzip.len();
        brotli += asset.brotli.len();
    }
    out += &format!("{:<10} {raw:>10} {gzip:>10} {brotli:>10}\n", "total");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{target, Target};

    #[test]
    fn paths_without_an_extension_are_routes_of_the_app() {
        for path in [
            "/",
            "/produkt/AH-1001",
            "/warenkorb",
            "/konto",
            "/kasse",
            "/unbekannt",
        ] {
            assert_eq!(target(path), Target::AppRoute, "{path}");
        }
    }

    #[test]
    fn html_pages_are_rendered_the_apps_own_page_too_and_everything_else_is_a_file() {
        assert_eq!(target("/plain.html"), Target::Page("plain.html"));
        assert_eq!(target("/index.html"), Target::AppRoute);
        assert_eq!(target("/catalogue.json"), Target::File);
        assert_eq!(target("/images/AH-1001.svg"), Target::File);
        assert_eq!(target("/vitrine-storefront-0a1b.js"), Target::File);
        assert_eq!(target("/../secret.html"), Target::File);
    }
}
