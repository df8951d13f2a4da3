//! The one rule for links a shop configures and the widgets put into `href`s (cart recovery's
//! `cart_url`, the loyalty programme's `join_url`): they must stay on the web and never let a
//! browser resolve them to another site than the shop meant.
//!
//! Browsers read `//host/…` as "same scheme, another host", and, for http(s) pages, treat a
//! backslash like a slash (`/\host/…` is `//host/…` too) and drop tabs and newlines inside a
//! URL. So a path must start with exactly one `/` followed by neither `/` nor `\`, and no link
//! may hold a backslash or a control character anywhere.

/// Longest link accepted, in bytes.
pub const MAX_LEN: usize = 2048;

/// Checks a shop link: an absolute `http://` or `https://` URL, or a path on the shop's own
/// site (`/warenkorb`); `field` names it in the error.
pub fn check(field: &str, link: &str) -> Result<(), String> {
    let refused = || {
        Err(format!(
            "{field} must be an http(s) URL or a path starting with a single `/` (`/cart`), \
             without backslashes or control characters, of at most {MAX_LEN} bytes"
        ))
    };
    if link.len() > MAX_LEN || link.contains('\\') || link.chars().any(char::is_control) {
        return refused();
    }
    let lower = link.get(..8).unwrap_or(link).to_ascii_lowercase();
    let absolute = (lower.starts_with("https://") || lower.starts_with("http://"))
        && url::Url::parse(link).is_ok_and(|url| url.host_str().is_some_and(|h| !h.is_empty()));
    let path = link.starts_with('/') && !link[1..].starts_with('/');
    if absolute || path {
        Ok(())
    } else {
        refused()
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn shop_links_are_http_urls_or_paths_on_the_shop() {
        for good in [
            "/warenkorb",
            "/",
            "/cart?from=vitrine#top",
            "https://shop.example/cart",
            "HTTP://shop.example",
        ] {
            assert_eq!(check("cart_url", good), Ok(()), "{good}");
        }
        for bad in [
            "/\\evil.example/x",
            "//evil.example/x",
            "\\\\evil.example",
            "javascript:alert(1)",
            "data:text/html,x",
            "warenkorb",
            "https:evil.example",
            "/cart\n",
            "/ca\trt",
            "https://",
            "",
        ] {
            assert!(check("cart_url", bad).is_err(), "{bad:?} was accepted");
        }
        assert!(check("join_url", &format!("/{}", "a".repeat(2047))).is_ok());
        assert!(check("join_url", &format!("/{}", "a".repeat(2048))).is_err());
    }
}
