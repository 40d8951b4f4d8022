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
    /// `304 Not Modified`: the stored copy is current (for `fresh_for` more, if the server
    /// said).
    NotModified { fresh_for: Option<Duration> },
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
    /// How long the server says the body stays fresh (`Cache-Control: max-age`).
    pub fresh_for: Option<Duration>,
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
    #[error("{url} is busy (HTTP {status}) and asks to come back in {} s", retry_after.as_secs())]
    Busy {
        url: String,
        status: u16,
        retry_after: Duration,
    },
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
    #[error("{url} ignored a request for part of the file")]
    RangeIgnored { url: String },
    #[error("{url} answered a partial request with the wrong part ({content_range:?})")]
    WrongRange {
        url: String,
        content_range: Option<String>,
    },
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
    /// For audio, over HTTP/1.1: asks for the bytes as they are (`Accept-Encoding: identity`) and never
    /// decompresses, so what is written or played is the file, and a compressed answer cannot
    /// grow into gigabytes.
    media: reqwest::Client,
    feed_body_limit_bytes: u64,
    feed_timeout: Duration,
}

impl HttpClient {
    pub fn new(config: &Config) -> Result<Self, NetError> {
        let builder = || {
            reqwest::Client::builder()
                .user_agent(config.user_agent.clone())
                .connect_timeout(config.connect_timeout)
                .read_timeout(config.read_timeout)
                .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        };
        let built = |result: reqwest::Result<reqwest::Client>| {
            result.map_err(|source| NetError::Transfer {
                url: String::new(),
                source,
            })
        };
        let client = built(builder().build())?;
        let mut identity = reqwest::header::HeaderMap::new();
        identity.insert(
            reqwest::header::ACCEPT_ENCODING,
            reqwest::header::HeaderValue::from_static("identity"),
        );
        // HTTP/1.1 for audio: a long VBR jump fetches its prefix in parts at once
        // (`RangeStream::read_span`) to get past one connection's limit, and HTTP/2 would carry
        // them all over one connection.
        let media = built(
            builder()
                .no_gzip()
                .no_brotli()
                .default_headers(identity)
                .http1_only()
                .build(),
        )?;
        Ok(HttpClient {
            client,
            media,
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
            return Ok(Fetched::NotModified {
                fresh_for: max_age_of(response.headers()),
            });
        }
        Ok(Fetched::Body(
            success_body(url, response, self.feed_body_limit_bytes).await?,
        ))
    }
}

/// `Cache-Control: max-age=N` (`None` with `no-cache`/`no-store`, which mean "ask every time").
pub fn max_age_of(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::CACHE_CONTROL)?.to_str().ok()?;
    let mut max_age = None;
    for directive in value.split(',').map(|d| d.trim().to_ascii_lowercase()) {
        if directive == "no-cache" || directive == "no-store" {
            return None;
        }
        if let Some(secs) = directive.strip_prefix("max-age=") {
            max_age = secs
                .trim_matches('"')
                .parse::<u64>()
                .ok()
                .map(Duration::from_secs);
        }
    }
    max_age
}

/// `Retry-After` in seconds or as an HTTP date.
pub fn retry_after_of(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (when.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(secs as u64))
}

/// Part of a file fetched with a `Range` request.
#[derive(Debug)]
pub struct RangeBody {
    pub bytes: Vec<u8>,
    /// Where `bytes` start in the file.
    pub offset: u64,
    /// The whole file's size, when the server said.
    pub total_len: Option<u64>,
}

impl HttpClient {
    /// GETs a small document (chapter JSON, images) whole, failing past `limit_bytes`.
    pub async fn get_capped(&self, url: &str, limit_bytes: u64) -> Result<FetchedBody, NetError> {
        let parsed = parse_web_url(url)?;
        let url = parsed.as_str().to_string();
        let response = self
            .client
            .get(parsed)
            .timeout(self.feed_timeout)
            .send()
            .await
            .map_err(|e| classify(&url, e))?;
        success_body(url, response, limit_bytes).await
    }

    /// GETs `len` bytes at `offset` with a `Range` request. The answer must be a `206` whose
    /// `Content-Range` starts at `offset`; a server that ignores ranges is accepted only for
    /// `offset == 0` (the head of the file is then read and the rest of the transfer dropped),
    /// because anything else would hand back the wrong bytes.
    pub async fn get_range(&self, url: &str, offset: u64, len: u64) -> Result<RangeBody, NetError> {
        let parsed = parse_web_url(url)?;
        let url = parsed.as_str().to_string();
        let last = offset.saturating_add(len.max(1)) - 1;
        let response = self
            .media
            .get(parsed)
            .header(reqwest::header::RANGE, format!("bytes={offset}-{last}"))
            .timeout(self.feed_timeout)
            .send()
            .await
            .map_err(|e| classify(&url, e))?;
        match response.status() {
            StatusCode::PARTIAL_CONTENT => {
                let total = partial_total(&url, &response, offset)?;
                let bytes = read_prefix(&url, response, len).await?;
                Ok(RangeBody {
                    bytes,
                    offset,
                    total_len: total,
                })
            }
            StatusCode::OK if offset == 0 => {
                let total_len = response.content_length();
                let bytes = read_prefix(&url, response, len).await?;
                Ok(RangeBody {
                    bytes,
                    offset: 0,
                    total_len,
                })
            }
            StatusCode::OK => Err(NetError::RangeIgnored { url }),
            status => Err(NetError::Status {
                url,
                status: status.as_u16(),
            }),
        }
    }
}

/// An open response for the bytes of a media file from some offset on.
pub struct MediaResponse {
    pub response: reqwest::Response,
    /// Where the body starts in the file: the asked offset, or 0 when the server ignored Range.
    pub offset: u64,
    /// The file's length when the server said it.
    pub total_len: Option<u64>,
    /// False when the server answered `200` to a ranged request: it cannot seek.
    pub ranged: bool,
    /// The URL after redirects, to ask again without the redirect chain.
    pub final_url: String,
}

impl HttpClient {
    /// Opens `url` from `offset` for `len` bytes, or to the end (`Range: bytes=offset-[end]`).
    /// A `206` must say it starts at `offset` or it is an error; a `200` is the whole file from
    /// 0 (`ranged: false`), which the caller must not mistake for the asked part.
    pub async fn open_media(
        &self,
        url: &str,
        offset: u64,
        len: Option<u64>,
    ) -> Result<MediaResponse, NetError> {
        let parsed = parse_web_url(url)?;
        let url = parsed.as_str().to_string();
        let range = match len {
            Some(len) => format!("bytes={offset}-{}", offset + len.max(1) - 1),
            None => format!("bytes={offset}-"),
        };
        let response = self
            .media
            .get(parsed)
            .header(reqwest::header::RANGE, range)
            .send()
            .await
            .map_err(|e| classify(&url, e))?;
        let final_url = response.url().to_string();
        match response.status() {
            StatusCode::PARTIAL_CONTENT => {
                let total = partial_total(&url, &response, offset)?;
                Ok(MediaResponse {
                    response,
                    offset,
                    total_len: total,
                    ranged: true,
                    final_url,
                })
            }
            StatusCode::OK => Ok(MediaResponse {
                total_len: response.content_length(),
                response,
                offset: 0,
                ranged: false,
                final_url,
            }),
            status => Err(NetError::Status {
                url,
                status: status.as_u16(),
            }),
        }
    }
}

impl HttpClient {
    /// GETs `url` for a download: from `resume.0` with `Range`, guarded by `If-Range` with the
    /// validator of the first answer when there is one, so a changed file comes back whole
    /// (`200`) instead of being appended to. Any status comes back: the caller decides.
    pub async fn get_download(
        &self,
        url: &str,
        resume: Option<(u64, Option<&str>)>,
    ) -> Result<reqwest::Response, NetError> {
        let parsed = parse_web_url(url)?;
        let url = parsed.as_str().to_string();
        let mut request = self.media.get(parsed);
        if let Some((offset, validator)) = resume {
            request = request.header(reqwest::header::RANGE, format!("bytes={offset}-"));
            if let Some(v) = validator {
                request = request.header(reqwest::header::IF_RANGE, v);
            }
        }
        request.send().await.map_err(|e| classify(&url, e))
    }
}

/// Turns a failed body read into a `NetError`.
pub fn body_error(url: &str, error: reqwest::Error) -> NetError {
    classify(url, error)
}

/// Checks a `206`: its `Content-Range` must start at `offset`, else the server sent another
/// part of the file. Returns the file's total length when it said it.
fn partial_total(
    url: &str,
    response: &reqwest::Response,
    offset: u64,
) -> Result<Option<u64>, NetError> {
    let content_range = response
        .headers()
        .get(reqwest::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match content_range.as_deref().and_then(parse_content_range) {
        Some((start, _end, total)) if start == offset => Ok(total),
        _ => Err(NetError::WrongRange {
            url: url.to_string(),
            content_range,
        }),
    }
}

/// Parses `bytes START-END/TOTAL` (TOTAL may be `*`).
pub fn parse_content_range(value: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.trim().split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = end.trim().parse().ok()?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    (start <= end).then_some((start, end, total))
}

/// Reads at most `len` bytes of a body, then drops the rest of the transfer.
async fn read_prefix(
    url: &str,
    response: reqwest::Response,
    len: u64,
) -> Result<Vec<u8>, NetError> {
    let mut body = Vec::with_capacity(len.min(1 << 20) as usize);
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| classify(url, e))?;
        let room = (len as usize).saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() as u64 >= len {
            break;
        }
    }
    Ok(body)
}

/// A `2xx` answer's whole body (at most `limit_bytes`) with its headers' facts; any other
/// status is an error.
async fn success_body(
    url: String,
    response: reqwest::Response,
    limit_bytes: u64,
) -> Result<FetchedBody, NetError> {
    let status = response.status();
    if !status.is_success() {
        let busy = matches!(status.as_u16(), 429 | 503);
        return Err(match retry_after_of(response.headers()) {
            Some(retry_after) if busy => NetError::Busy {
                url,
                status: status.as_u16(),
                retry_after,
            },
            _ => NetError::Status {
                url,
                status: status.as_u16(),
            },
        });
    }
    let headers = response.headers().clone();
    let final_url = response.url().to_string();
    let bytes = read_capped(&url, response, limit_bytes).await?;
    Ok(FetchedBody {
        bytes,
        validators: validators_of(&headers),
        charset: charset_of(&headers),
        final_url,
        fresh_for: max_age_of(&headers),
    })
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

pub(crate) fn validators_of(headers: &HeaderMap) -> CacheValidators {
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
    fn content_range_is_parsed_strictly() {
        assert_eq!(
            parse_content_range("bytes 0-99/1000"),
            Some((0, 99, Some(1000)))
        );
        assert_eq!(
            parse_content_range("bytes 100-199/*"),
            Some((100, 199, None))
        );
        assert_eq!(parse_content_range("bytes 200-100/1000"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
    }

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

/// A request to a web API that answers in status codes (sync): any status comes back.
#[derive(Debug)]
pub struct ApiRequest<'a> {
    pub method: reqwest::Method,
    pub url: &'a Url,
    pub basic_auth: Option<(&'a str, &'a str)>,
    /// A `Cookie` header value.
    pub cookie: Option<&'a str>,
    /// A JSON body.
    pub json: Option<Vec<u8>>,
    pub limit_bytes: u64,
}

/// An API's answer, whatever its status.
#[derive(Debug)]
pub struct ApiResponse {
    pub status: u16,
    /// Each `Set-Cookie` header, as sent.
    pub set_cookies: Vec<String>,
    pub retry_after: Option<Duration>,
    /// The answer came from another URL than the one asked (a redirect was followed).
    pub redirected: bool,
    pub bytes: Vec<u8>,
}

impl HttpClient {
    /// Sends an API request through the one client (user agent, timeouts, redirect limit),
    /// reading at most `limit_bytes` of the answer.
    pub async fn api(&self, request: ApiRequest<'_>) -> Result<ApiResponse, NetError> {
        let url = request.url.as_str().to_string();
        let mut builder = self
            .client
            .request(request.method, request.url.clone())
            .timeout(self.feed_timeout);
        if let Some((user, password)) = request.basic_auth {
            builder = builder.basic_auth(user, Some(password));
        }
        if let Some(cookie) = request.cookie {
            builder = builder.header(reqwest::header::COOKIE, cookie);
        }
        if let Some(json) = request.json {
            builder = builder.header(CONTENT_TYPE, "application/json").body(json);
        }
        let response = builder.send().await.map_err(|e| classify(&url, e))?;
        let status = response.status().as_u16();
        let set_cookies = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let retry_after = retry_after_of(response.headers());
        let redirected = response.url() != request.url;
        let bytes = read_capped(&url, response, request.limit_bytes).await?;
        Ok(ApiResponse {
            status,
            set_cookies,
            retry_after,
            redirected,
            bytes,
        })
    }
}
