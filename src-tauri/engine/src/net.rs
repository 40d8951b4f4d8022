//! The single HTTP client: user agent, timeouts, redirects, body caps, conditional GET.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{
    HeaderMap, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use reqwest::StatusCode;
use url::Url;

use crate::config::Config;

/// Most redirects followed for one request (podcast CDNs chain a few trackers).
const MAX_REDIRECTS: usize = 10;

/// HTTP cache validators stored per feed for conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheValidators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a conditional fetch produced.
#[derive(Debug)]
pub enum Fetched {
    /// `304 Not Modified`: the stored copy is current.
    NotModified,
    /// A full body.
    Body(FetchedBody),
}

/// A complete response body and what came with it.
#[derive(Debug)]
pub struct FetchedBody {
    pub bytes: Vec<u8>,
    pub validators: CacheValidators,
    /// The charset parameter of `Content-Type`, if any.
    pub charset: Option<String>,
    /// The URL after redirects.
    pub final_url: String,
}

/// Why a fetch failed. `is_offline` tells "no network" apart from a bad server or URL.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("\"{url}\" is not a valid URL")]
    InvalidUrl {
        url: String,
        #[source]
        source: url::ParseError,
    },
    #[error("only http and https URLs are supported, not {scheme}:")]
    UnsupportedScheme { url: String, scheme: String },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} did not answer in time")]
    Timeout { url: String },
    #[error("could not connect to {host}")]
    Connect {
        url: String,
        host: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} sent more than {limit_bytes} bytes")]
    TooLarge { url: String, limit_bytes: u64 },
    #[error("too many redirects from {url}")]
    TooManyRedirects { url: String },
    #[error("the transfer from {url} failed")]
    Transfer {
        url: String,
        #[source]
        source: reqwest::Error,
    },
}

impl NetError {
    /// True when the failure looks like a missing network rather than a broken feed.
    pub fn is_offline(&self) -> bool {
        matches!(self, NetError::Connect { .. } | NetError::Timeout { .. })
    }
}

/// Checks that `url` is an absolute http(s) URL.
pub fn parse_web_url(url: &str) -> Result<Url, NetError> {
    let trimmed = url.trim();
    let parsed = Url::parse(trimmed).map_err(|source| NetError::InvalidUrl {
        url: trimmed.to_string(),
        source,
    })?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed),
        other => Err(NetError::UnsupportedScheme {
            url: trimmed.to_string(),
            scheme: other.to_string(),
        }),
    }
}

/// The engine's HTTP client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    feed_body_limit_bytes: u64,
    feed_timeout: Duration,
}

impl HttpClient {
    pub fn new(config: &Config) -> Result<Self, NetError> {
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .map_err(|source| NetError::Transfer {
                url: String::new(),
                source,
            })?;
        Ok(HttpClient {
            client,
            feed_body_limit_bytes: config.feed_body_limit_bytes,
            feed_timeout: config.read_timeout * 2,
        })
    }

    /// GETs a feed, conditionally when `validators` are known, reading at most the configured
    /// feed body limit.
    pub async fn fetch_feed(
        &self,
        url: &str,
        validators: &CacheValidators,
    ) -> Result<Fetched, NetError> {
        let parsed = parse_web_url(url)?;
        let url = parsed.as_str().to_string();
        let mut request = self.client.get(parsed).timeout(self.feed_timeout);
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, modified);
        }
        let response = request.send().await.map_err(|e| classify(&url, e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(NetError::Status {
                url,
                status: status.as_u16(),
            });
        }
        let headers = response.headers().clone();
        let final_url = response.url().to_string();
        let bytes = read_capped(&url, response, self.feed_body_limit_bytes).await?;
        Ok(Fetched::Body(FetchedBody {
            bytes,
            validators: validators_of(&headers),
            charset: charset_of(&headers),
            final_url,
        }))
    }
}

async fn read_capped(
    url: &str,
    response: reqwest::Response,
    limit_bytes: u64,
) -> Result<Vec<u8>, NetError> {
    if response
        .content_length()
        .is_some_and(|len| len > limit_bytes)
    {
        return Err(NetError::TooLarge {
            url: url.to_string(),
            limit_bytes,
        });
    }
    let mut body = Vec::with_capacity(
        response
            .content_length()
            .unwrap_or(64 * 1024)
            .min(limit_bytes) as usize,
    );
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| classify(url, e))?;
        if body.len() as u64 + chunk.len() as u64 > limit_bytes {
            return Err(NetError::TooLarge {
                url: url.to_string(),
                limit_bytes,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn classify(url: &str, error: reqwest::Error) -> NetError {
    let url = url.to_string();
    if error.is_timeout() {
        NetError::Timeout { url }
    } else if error.is_redirect() {
        NetError::TooManyRedirects { url }
    } else if error.is_connect() {
        let host = Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| url.clone());
        NetError::Connect {
            url,
            host,
            source: error,
        }
    } else {
        NetError::Transfer { url, source: error }
    }
}

fn validators_of(headers: &HeaderMap) -> CacheValidators {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    CacheValidators {
        etag: text(ETAG),
        last_modified: text(LAST_MODIFIED),
    }
}

fn charset_of(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_are_accepted() {
        assert!(parse_web_url("https://example.com/feed").is_ok());
        assert!(parse_web_url(" http://example.com/feed ").is_ok());
        assert!(
            matches!(parse_web_url("file:///etc/passwd"), Err(NetError::UnsupportedScheme { scheme, .. }) if scheme == "file")
        );
        assert!(matches!(
            parse_web_url("ftp://example.com/x"),
            Err(NetError::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            parse_web_url("javascript:alert(1)"),
            Err(NetError::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            parse_web_url("not a url"),
            Err(NetError::InvalidUrl { .. })
        ));
    }
}
