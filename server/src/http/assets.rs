//! `GET /v1/vitrine.js` (the loader, short cache) and `GET /v1/assets/{file}` (hashed files,
//! cached for a year), served pre-compressed according to `Accept-Encoding`.

use axum::extract::{Path, State};
use axum::http::header::{
    ACCEPT_ENCODING, ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE,
    ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Result};
use crate::bundle::Asset;
use crate::AppState;

/// The loader may change with every deploy; five minutes bounds how long shops see an old one.
const LOADER_CACHE: &str = "public, max-age=300, stale-while-revalidate=3600";
/// Hashed names change with their content, so they never need revalidation.
const HASHED_CACHE: &str = "public, max-age=31536000, immutable";

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(loader))
        .routes(routes!(hashed))
}

/// The loader script shops embed (`<script type="module" src=".../v1/vitrine.js">`).
///
/// Cached for five minutes; brotli or gzip by `Accept-Encoding`; `304` for a matching
/// `If-None-Match`.
#[utoipa::path(
    get,
    path = "/v1/vitrine.js",
    tag = "operations",
    params(
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` seen before"),
        ("Accept-Encoding" = Option<String>, Header, description = "`br` or `gzip` to get the file compressed"),
    ),
    responses(
        (status = 200, description = "The loader", body = String,
            content_type = "text/javascript", headers(
                ("ETag" = String, description = "The file's digest and coding (strong, one per coding)"),
                ("Cache-Control" = String, description = "Five minutes"),
            )),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`"),
        (status = 408, response = super::openapi::RequestTimeout),
        (status = 503, response = super::openapi::BundleUnavailable),
    ),
)]
async fn loader(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let bundle = state.bundle.as_ref().ok_or(ApiError::BundleUnavailable)?;
    Ok(serve(&bundle.loader, &headers, LOADER_CACHE))
}

/// A hashed file of the widget bundle (wasm, JS glue, CSS), immutable and cached for a year.
#[utoipa::path(
    get,
    path = "/v1/assets/{file}",
    tag = "operations",
    params(
        ("file" = String, Path, description = "A file name from the loader, e.g. `widgets-1a2b3c_bg.wasm`"),
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` seen before"),
        ("Accept-Encoding" = Option<String>, Header, description = "`br` or `gzip` to get the file compressed"),
    ),
    responses(
        (status = 200, description = "The file", headers(
                ("ETag" = String, description = "The file's digest and coding (strong, one per coding)"),
                ("Cache-Control" = String, description = "A year, immutable"),
            ), content(
                ("application/wasm"),
                (String = "text/javascript"),
                (String = "text/css"),
            )),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`"),
        (status = 404, response = super::openapi::NotFound),
        (status = 408, response = super::openapi::RequestTimeout),
        (status = 503, response = super::openapi::BundleUnavailable),
    ),
)]
async fn hashed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let bundle = state.bundle.as_ref().ok_or(ApiError::BundleUnavailable)?;
    let asset = bundle
        .hashed(&file)
        .ok_or_else(|| ApiError::NotFound(format!("/v1/assets/{file}")))?;
    Ok(serve(asset, &headers, HASHED_CACHE))
}

fn serve(asset: &Asset, request: &HeaderMap, cache_control: &'static str) -> Response {
    let common = [
        (CACHE_CONTROL, cache_control),
        (VARY, "Accept-Encoding"),
        // Module scripts and fetches from shop pages are CORS requests; the bundle is public.
        (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
    ];
    let accepted = request
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (encoding, body) = if accepts(accepted, "br") {
        (Some("br"), asset.brotli.clone())
    } else if accepts(accepted, "gzip") {
        (Some("gzip"), asset.gzip.clone())
    } else {
        (None, asset.raw.clone())
    };
    let etag = asset.etag(encoding);
    if etag_matches(request, &etag) {
        return (StatusCode::NOT_MODIFIED, common, [(ETAG, etag)]).into_response();
    }
    let mut response = (
        common,
        [(CONTENT_TYPE, asset.content_type)],
        [(ETAG, etag)],
        body,
    )
        .into_response();
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(CONTENT_ENCODING, encoding.parse().expect("static value"));
    }
    response
}

/// Whether the request's `If-None-Match` names `etag` (or is `*`): then the copy the
/// browser has is current. Compared weakly, as RFC 9110 asks for `If-None-Match`.
pub fn etag_matches(request: &HeaderMap, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    request
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == opaque(etag))
}

/// Whether an `Accept-Encoding` value accepts `coding` (present and not `q=0`).
fn accepts(header: &str, coding: &str) -> bool {
    header.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        parts.next() == Some(coding)
            && !parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::{accepts, etag_matches};
    use axum::http::header::IF_NONE_MATCH;
    use axum::http::HeaderMap;

    #[test]
    fn if_none_match_takes_lists_weak_tags_and_a_star() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(IF_NONE_MATCH, value.parse().unwrap());
            headers
        };
        assert!(etag_matches(&with("\"a\""), "\"a\""));
        assert!(etag_matches(&with("\"x\", W/\"a\""), "\"a\""));
        assert!(etag_matches(&with("*"), "\"a\""));
        assert!(!etag_matches(&with("\"b\""), "\"a\""));
        assert!(!etag_matches(&HeaderMap::new(), "\"a\""));
    }

    #[test]
    fn accept_encoding_honours_q_zero() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(accepts("br;q=0.5, gzip", "br"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(!accepts("gzip", "br"));
        assert!(!accepts("", "gzip"));
    }
}
