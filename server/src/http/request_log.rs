//! The request log (tower-http's `TraceLayer`) with credentials taken out of the URI. Browser
//! GETs carry the publishable key and a signed-in customer's token in their query (a header
//! would cost a CORS preflight per request), so the span every request is logged under
//! records its query with the values of `key` and `customer_token` replaced, also inside a
//! batch's URL-encoded sub-requests (`r=`).

use axum::extract::Request;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::Span;

/// Query parameters whose values are never logged.
const SECRET_PARAMS: [&str; 2] = ["key", "customer_token"];
/// What a secret value is logged as.
const REDACTED: &str = "[redacted]";

/// The layer that logs every request and its answer, under a span without credentials.
pub fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, fn(&Request) -> Span> {
    TraceLayer::new_for_http().make_span_with(request_span as fn(&Request) -> Span)
}

/// The span of one request: what tower-http's default span holds, the URI redacted.
fn request_span(request: &Request) -> Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        uri = %redacted_uri(request.uri()),
        version = ?request.version(),
    )
}

/// The path and query of `uri` with the values of the secret parameters replaced.
pub fn redacted_uri(uri: &axum::http::Uri) -> String {
    match uri.query() {
        Some(query) => format!("{}?{}", uri.path(), redacted_query(query)),
        None => uri.path().to_string(),
    }
}

/// `query` with the value of every secret parameter replaced, whatever its name's
/// percent-encoding; the sub-requests of a batch (`r=`) are redacted the same way.
pub fn redacted_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| {
            let raw_name = pair.split_once('=').map_or(pair, |(name, _)| name);
            let Some((name, value)) = form_urlencoded::parse(pair.as_bytes()).next() else {
                return pair.to_string();
            };
            if SECRET_PARAMS.contains(&name.as_ref()) {
                format!("{raw_name}={REDACTED}")
            } else if name == "r" {
                let sub = match value.split_once('?') {
                    Some((path, sub_query)) => format!("{path}?{}", redacted_query(sub_query)),
                    None => value.into_owned(),
                };
                let encoded: String = form_urlencoded::byte_serialize(sub.as_bytes()).collect();
                format!("{raw_name}={encoded}")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::redacted_query;

    #[test]
    fn keys_and_customer_tokens_never_reach_the_log() {
        assert_eq!(
            redacted_query("key=pk_live_x&customer_token=K-1.99.abc&context=home"),
            "key=[redacted]&customer_token=[redacted]&context=home"
        );
        assert_eq!(
            redacted_query("customer%5Ftoken=K-1.99.abc&visitor_id=v1"),
            "customer%5Ftoken=[redacted]&visitor_id=v1"
        );
        let batch = redacted_query("r=loyalty%3Flines%3D5%26customer_token%3DK-1.99.abc&r=consent");
        assert!(!batch.contains("abc"), "{batch}");
        assert!(batch.ends_with("&r=consent"), "{batch}");
        assert_eq!(redacted_query("lines=5"), "lines=5");
    }
}
