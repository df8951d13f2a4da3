//! The demo storefront: a plain HTML/JS shop on its own origin that embeds Vitrine exactly as a
//! foreign shop would. Its pages name the API origin and key through `{{VITRINE_API}}` and
//! `{{VITRINE_KEY}}`, the signed-in customer's token through `{{VITRINE_CUSTOMER_TOKEN}}`, the
//! shop's header (`_header.html`, one copy for every page) through `{{SHOP_HEADER}}` and the
//! header's account link through `{{ACCOUNT}}`, filled in here, and every page is sent
//! with a strict Content-Security-Policy, so each demo run proves the widgets work under one.
//! Its backend (sign-in, cart, orders, the till simulator) is in `backend`.

pub mod backend;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
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
    /// Directory of the pages (`public/`).
    pub dir: PathBuf,
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
    /// The storefront in `dir` (its catalogue.json read for prices) for the shop with these
    /// keys, embedding the API at `api_origin`.
    pub fn new(
        dir: PathBuf,
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

/// The storefront as a router: HTML pages rendered with the config, other files as they are.
pub fn router(config: StorefrontConfig) -> Router {
    backend::router()
        .fallback(page)
        .with_state(Arc::new(config))
}

async fn page(State(config): State<Arc<StorefrontConfig>>, jar: CookieJar, uri: Uri) -> Response {
    let path = match uri.path() {
        "/" => "index.html",
        other => other.trim_start_matches('/'),
    };
    if !path.ends_with(".html") || path.contains("..") {
        return static_file(&config.dir, uri).await;
    }
    // Parts of pages (`_header.html`) are not pages.
    let page = if path.starts_with('_') {
        Err(std::io::ErrorKind::NotFound.into())
    } else {
        tokio::fs::read_to_string(config.dir.join(path)).await
    };
    let header = tokio::fs::read_to_string(config.dir.join(HEADER)).await;
    match page.and_then(|page| Ok((page, header?))) {
        Ok((template, header)) => {
            let html = template
                .replace("{{SHOP_HEADER}}", &shop_header(&header, path))
                .replace("{{VITRINE_API}}", &config.api_origin)
                .replace("{{VITRINE_KEY}}", &config.publishable_key)
                .replace(
                    "{{VITRINE_CUSTOMER_TOKEN}}",
                    &backend::token_attribute(&config, &jar),
                )
                .replace("{{ACCOUNT}}", &backend::account_html(&jar));
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
        Err(_) => (StatusCode::NOT_FOUND, "page not found").into_response(),
    }
}

/// The shop's header, shared by its pages (`{{SHOP_HEADER}}`).
const HEADER: &str = "_header.html";

/// The shop's header on `page`: the link to the page itself marked as the current one.
fn shop_header(header: &str, page: &str) -> String {
    let own = format!("href=\"/{page}\"");
    header.replace(&own, &format!("{own} aria-current=\"page\""))
}

async fn static_file(dir: &Path, uri: Uri) -> Response {
    use tower::ServiceExt;
    let request = axum::http::Request::builder()
        .uri(uri)
        .body(axum::body::Body::empty())
        .expect("a parsed URI makes a valid request");
    match ServeDir::new(dir).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(err) => match err {},
    }
}

#[cfg(test)]
mod tests {
    use super::shop_header;

    #[test]
    fn the_header_marks_the_link_to_its_own_page_and_no_other() {
        let header = r#"<a href="/">Shop</a> <a href="/warenkorb.html">Warenkorb</a> <a href="/konto.html">Konto</a>"#;
        assert_eq!(
            shop_header(header, "konto.html"),
            r#"<a href="/">Shop</a> <a href="/warenkorb.html">Warenkorb</a> <a href="/konto.html" aria-current="page">Konto</a>"#
        );
        assert_eq!(shop_header(header, "product.html"), header);
    }
}
