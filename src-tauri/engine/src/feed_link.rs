//! Subscribe links as browsers hand them over: `podcast://`, `itpc://`, `pcast://`,
//! `podcasts://` and `feed://` name a feed without saying http or https, and `feed:https://…`
//! (or `podcast:https://…`) wraps a full URL. They become the https URL to fetch, and, for the
//! schemes that did not say, the plain-http URL to offer if https fails: a listener agrees to
//! that in the app; it is never done silently.

use url::Url;

use crate::net::{parse_web_url, NetError};

/// The schemes podcast directories and browsers use for "subscribe in your app".
pub const FEED_SCHEMES: [&str; 5] = ["podcast", "itpc", "pcast", "podcasts", "feed"];

/// Where a link's feed is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    /// The URL to fetch first.
    pub url: Url,
    /// The same feed over plain http, when the link did not say which: only with the
    /// listener's consent, after `url` failed.
    pub http_fallback: Option<Url>,
}

#[derive(Debug, thiserror::Error)]
pub enum FeedLinkError {
    #[error("{0}")]
    Url(#[from] NetError),
    #[error("\"{link}\" names no feed")]
    Empty { link: String },
    #[error("\"{link}\" is not a feed link")]
    NotAFeedLink { link: String },
}

/// The feed a link, or a plain http(s) URL, points at.
pub fn parse_feed_link(link: &str) -> Result<FeedLink, FeedLinkError> {
    let trimmed = link.trim();
    let Some((scheme, rest)) = trimmed.split_once(':') else {
        return Ok(FeedLink {
            url: parse_web_url(trimmed)?,
            http_fallback: None,
        });
    };
    let scheme = scheme.to_ascii_lowercase();
    if !FEED_SCHEMES.contains(&scheme.as_str()) {
        return Ok(FeedLink {
            url: parse_web_url(trimmed)?,
            http_fallback: None,
        });
    }
    // `feed:https://host/x` (and the same under the other schemes) wraps a full URL.
    let inner = rest.trim_start_matches('/');
    if inner.starts_with("http:") || inner.starts_with("https:") || rest.starts_with("http") {
        return Ok(FeedLink {
            url: parse_web_url(rest)?,
            http_fallback: None,
        });
    }
    // `podcast://host/x`: no scheme said, so https first.
    let address = rest.strip_prefix("//").unwrap_or(rest);
    if address.trim().is_empty() {
        return Err(FeedLinkError::Empty {
            link: trimmed.to_string(),
        });
    }
    if address.contains("://") {
        return Err(FeedLinkError::NotAFeedLink {
            link: trimmed.to_string(),
        });
    }
    let url = parse_web_url(&format!("https://{address}"))?;
    let mut http = url.clone();
    // Infallible for an https URL: both are special schemes.
    let _ = http.set_scheme("http");
    Ok(FeedLink {
        url,
        http_fallback: Some(http),
    })
}

/// The largest feed file read for its address: feeds with years of episodes run to a few MB.
pub const MAX_FEED_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Where a saved feed file (`.rss`, opened from a file manager) lives online: the channel's
/// `<atom:link rel="self" href="…">` (or an Atom feed's own `<link rel="self">`), before the
/// first episode. A file without one cannot be subscribed to: its episodes would never update.
pub fn feed_file_self_url(bytes: &[u8]) -> Option<Url> {
    use quick_xml::events::Event;
    let text = crate::feed::decode_document(bytes);
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_end_names = false;
    loop {
        let element = match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => e,
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => continue,
        };
        let name = element.local_name();
        if name.as_ref().eq_ignore_ascii_case(b"item")
            || name.as_ref().eq_ignore_ascii_case(b"entry")
        {
            return None;
        }
        if !name.as_ref().eq_ignore_ascii_case(b"link") {
            continue;
        }
        let (mut rel, mut href) = (None, None);
        for attr in element.attributes().with_checks(false).flatten() {
            let value = String::from_utf8_lossy(&attr.value).trim().to_string();
            match attr.key.local_name().as_ref() {
                b"rel" => rel = Some(value),
                b"href" => href = Some(value.replace("&amp;", "&")),
                _ => {}
            }
        }
        if rel.as_deref() == Some("self") {
            if let Some(url) = href.and_then(|h| parse_web_url(&h).ok()) {
                return Some(url);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(link: &str) -> (String, Option<String>) {
        let l = parse_feed_link(link).unwrap();
        (l.url.to_string(), l.http_fallback.map(|u| u.to_string()))
    }

    #[test]
    fn subscribe_schemes_become_https_with_http_only_as_a_fallback() {
        for scheme in ["podcast", "itpc", "pcast", "podcasts", "feed", "PODCAST"] {
            assert_eq!(
                parsed(&format!("{scheme}://feeds.example.org/show.rss?x=1")),
                (
                    "https://feeds.example.org/show.rss?x=1".into(),
                    Some("http://feeds.example.org/show.rss?x=1".into())
                ),
                "{scheme}"
            );
        }
    }

    #[test]
    fn a_wrapped_or_plain_url_is_taken_as_it_says() {
        assert_eq!(
            parsed("feed:https://example.org/rss"),
            ("https://example.org/rss".into(), None)
        );
        assert_eq!(
            parsed("podcast:http://example.org/rss"),
            ("http://example.org/rss".into(), None)
        );
        assert_eq!(
            parsed(" https://insidefacebookmobile.libsyn.com/rss "),
            ("https://insidefacebookmobile.libsyn.com/rss".into(), None)
        );
    }

    #[test]
    fn a_saved_feed_file_says_where_it_lives() {
        let rss = br#"<?xml version="1.0"?><rss xmlns:atom="http://www.w3.org/2005/Atom"><channel>
            <title>Show</title><link>https://example.org/</link>
            <atom:link href="https://feeds.example.org/show.rss?a=1&amp;b=2" rel="self" type="application/rss+xml"/>
            <item><atom:link rel="self" href="https://wrong.example/"/></item></channel></rss>"#;
        assert_eq!(
            feed_file_self_url(rss).map(|u| u.to_string()).as_deref(),
            Some("https://feeds.example.org/show.rss?a=1&b=2")
        );
        let without = br#"<rss><channel><title>x</title><item><link>https://e.org/1</link></item></channel></rss>"#;
        assert_eq!(feed_file_self_url(without), None);
        assert_eq!(feed_file_self_url(b"\xff\xfe not xml <<<"), None);
    }

    #[test]
    fn anything_else_is_a_clear_error() {
        for bad in [
            "podcast://",
            "itpc:",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "",
            "feed:ftp://x/y",
        ] {
            let error = parse_feed_link(bad).unwrap_err().to_string();
            assert!(!error.is_empty(), "{bad}");
        }
    }
}
