//! net -> feed -> library: the only place the three meet.

use std::time::Duration;

use crate::feed::{self, FeedError, ParsedFeed};
use crate::feed_link::{parse_feed_link, FeedLinkError};
use crate::library::{LibraryError, MergeReport, ShowId};
use crate::net::{CacheValidators, Fetched, HttpClient, NetError};
use crate::Engine;

/// Hours between background refreshes unless the listener chose otherwise.
pub const DEFAULT_REFRESH_HOURS: u32 = 3;
/// Longest interval offered (a week); 0 turns background refresh off.
pub const MAX_REFRESH_HOURS: u32 = 168;
const REFRESH_HOURS_KEY: &str = "refresh_interval_hours";

/// Feeds fetched at once: enough to hide latency, few enough to be polite to one host.
const PARALLEL_REFRESHES: usize = 8;

/// What a refresh of one show did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The server said `304 Not Modified`: nothing was parsed.
    NotModified,
    /// The feed was parsed and merged.
    Merged(MergeReport),
}

/// Why a refresh or subscription failed. The library is unchanged in every case.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error("{url} is not a usable feed: {source}")]
    Feed {
        url: String,
        #[source]
        source: FeedError,
    },
    #[error(transparent)]
    Library(#[from] LibraryError),
    /// A subscribe link (`podcast://…`) that names no feed.
    #[error(transparent)]
    Link(FeedLinkError),
    /// A link that did not say http or https, whose https address failed: the feed may be on
    /// plain http, which is only used when the listener says so.
    #[error("{https} did not work over https ({source}); {http} is the same feed unencrypted")]
    HttpsFailed {
        https: String,
        http: String,
        #[source]
        source: Box<RefreshError>,
    },
}

impl From<FeedLinkError> for RefreshError {
    fn from(error: FeedLinkError) -> Self {
        match error {
            FeedLinkError::Url(net) => RefreshError::Net(net),
            other => RefreshError::Link(other),
        }
    }
}

impl RefreshError {
    /// True when the network seems to be missing (the UI says "offline", not "broken").
    pub fn is_offline(&self) -> bool {
        match self {
            RefreshError::Net(e) => e.is_offline(),
            RefreshError::HttpsFailed { source, .. } => source.is_offline(),
            _ => false,
        }
    }
}

/// Fetches and parses a feed without touching any library. `None` means `304 Not Modified`.
pub async fn fetch_and_parse(
    http: &HttpClient,
    url: &str,
    validators: &CacheValidators,
) -> Result<Option<(ParsedFeed, CacheValidators)>, RefreshError> {
    Ok(fetch_fresh(http, url, validators).await?.feed)
}

/// A fetched feed and how long the server says it stays fresh.
struct FreshFeed {
    /// `None` for `304 Not Modified`.
    feed: Option<(ParsedFeed, CacheValidators)>,
    fresh_for: Option<Duration>,
}

async fn fetch_fresh(
    http: &HttpClient,
    url: &str,
    validators: &CacheValidators,
) -> Result<FreshFeed, RefreshError> {
    let body = match http.fetch_feed(url, validators).await? {
        Fetched::NotModified { fresh_for } => {
            return Ok(FreshFeed {
                feed: None,
                fresh_for,
            })
        }
        Fetched::Body(body) => body,
    };
    let fresh_for = body.fresh_for;
    let url = url.to_string();
    // Parsing a large feed is CPU-bound: keep it off the async workers.
    let feed = tokio::task::spawn_blocking(move || {
        let base = url::Url::parse(&body.final_url).ok();
        let feed = feed::parse_owned(body.bytes, body.charset.as_deref(), base.as_ref());
        feed.map(|f| (f, body.validators))
    })
    .await
    .map_err(|source| LibraryError::Worker { source })?
    .map_err(|source| RefreshError::Feed { url, source })?;
    Ok(FreshFeed {
        feed: Some(feed),
        fresh_for,
    })
}

/// The longest a server can hold a feed back from us: a week.
const MAX_HOLD_BACK: Duration = Duration::from_secs(7 * 24 * 3600);

impl Engine {
    async fn fetch_and_parse(
        &self,
        url: &str,
        validators: &CacheValidators,
    ) -> Result<Option<(ParsedFeed, CacheValidators)>, RefreshError> {
        fetch_and_parse(&self.inner.http, url, validators).await
    }

    /// Subscribes to a feed: fetches and parses it first, so a URL that is not a working feed
    /// is refused with the reason and nothing is stored. Subscribing twice returns the
    /// existing show.
    pub async fn subscribe(&self, url: &str) -> Result<ShowId, RefreshError> {
        // Also a subscribe link from a browser (`podcast://host/feed`): https first.
        let (url, feed, validators) = self.fetch_link(url).await?;
        let show = self
            .with_library(move |library| {
                let (show, _) = library.subscribe(&url)?;
                library.apply_feed(show, &feed, &validators)?;
                library.sync_apply_inbox()?;
                Ok(show)
            })
            .await?;
        self.index_search_soon();
        Ok(show)
    }

    /// A feed looked at without subscribing: what "Subscribe to <title>?" names. Takes a
    /// subscribe link too; a link that did not say https and failed there is `HttpsFailed`.
    pub async fn preview_feed(&self, link: &str) -> Result<(String, ParsedFeed), RefreshError> {
        self.fetch_link(link)
            .await
            .map(|(url, feed, _)| (url, feed))
    }

    /// Fetches the feed a URL or subscribe link names: the URL that answered, the feed and its
    /// validators. A link that did not say https and failed there is `HttpsFailed`, naming the
    /// plain-http address for the listener to accept or not.
    async fn fetch_link(
        &self,
        link: &str,
    ) -> Result<(String, ParsedFeed, CacheValidators), RefreshError> {
        let link = parse_feed_link(link)?;
        let url = link.url.to_string();
        match self
            .fetch_and_parse(&url, &CacheValidators::default())
            .await
        {
            Ok(Some((feed, validators))) => Ok((url, feed, validators)),
            // A 304 to an unconditional request: a broken server.
            Ok(None) => Err(RefreshError::Net(NetError::Status { url, status: 304 })),
            Err(RefreshError::Net(net)) => match link.http_fallback {
                Some(http) => Err(RefreshError::HttpsFailed {
                    https: url,
                    http: http.to_string(),
                    source: Box::new(RefreshError::Net(net)),
                }),
                None => Err(RefreshError::Net(net)),
            },
            Err(other) => Err(other),
        }
    }

    /// Refreshes one show. On any failure the stored show and episodes stay as they were and
    /// the error is recorded on the show. Either way the time and the server's wishes
    /// (`Cache-Control: max-age`, `Retry-After`) are recorded for the background schedule.
    pub async fn refresh_show(&self, show: ShowId) -> Result<RefreshOutcome, RefreshError> {
        let stored = self.with_library(move |library| library.show(show)).await?;
        let fetched = fetch_fresh(&self.inner.http, &stored.feed_url, &stored.validators).await;
        let now = chrono::Utc::now().timestamp();
        let hold_back = match &fetched {
            Ok(fresh) => fresh.fresh_for,
            Err(RefreshError::Net(NetError::Busy { retry_after, .. })) => Some(*retry_after),
            Err(_) => None,
        };
        let not_before = hold_back.map(|d| now + d.min(MAX_HOLD_BACK).as_secs() as i64);
        self.with_library(move |library| library.record_checked(show, now, not_before))
            .await?;
        match fetched {
            Ok(FreshFeed { feed: None, .. }) => {
                self.with_library(move |library| library.record_not_modified(show))
                    .await?;
                Ok(RefreshOutcome::NotModified)
            }
            Ok(FreshFeed {
                feed: Some((feed, validators)),
                ..
            }) => {
                let report = self
                    .with_library(move |library| {
                        let report = library.apply_feed(show, &feed, &validators)?;
                        // Positions another device sent before these episodes were here.
                        library.sync_apply_inbox()?;
                        Ok(report)
                    })
                    .await?;
                self.index_search_soon();
                Ok(RefreshOutcome::Merged(report))
            }
            Err(error) => {
                let message = error.to_string();
                tracing::warn!(show = show.0, error = ?error, "refresh failed");
                self.with_library(move |library| library.record_refresh_error(show, &message))
                    .await?;
                Err(error)
            }
        }
    }

    /// Refreshes the shows due for it: asked for at least `min_age` ago (or never), and not
    /// held back by their servers. The background schedule; `refresh_all` is the listener's
    /// explicit "refresh now".
    pub async fn refresh_due(
        &self,
        min_age: Duration,
    ) -> Result<Vec<(ShowId, Result<RefreshOutcome, RefreshError>)>, LibraryError> {
        let now = chrono::Utc::now().timestamp();
        let min_age_s = min_age.as_secs().min(i64::MAX as u64) as i64;
        let due = self
            .with_library(move |library| library.shows_due(now, min_age_s))
            .await?;
        Ok(self.refresh_shows(due).await)
    }

    /// Refreshes every show, a few at a time. One result per show, in library order.
    pub async fn refresh_all(
        &self,
    ) -> Result<Vec<(ShowId, Result<RefreshOutcome, RefreshError>)>, LibraryError> {
        let shows = self.with_library(|library| library.shows()).await?;
        Ok(self
            .refresh_shows(
                shows
                    .iter()
                    .filter(|s| !s.unsubscribed_elsewhere)
                    .map(|s| s.id)
                    .collect(),
            )
            .await)
    }

    /// Refreshes `shows`, [`PARALLEL_REFRESHES`] at a time; results in the same order.
    async fn refresh_shows(
        &self,
        shows: Vec<ShowId>,
    ) -> Vec<(ShowId, Result<RefreshOutcome, RefreshError>)> {
        use futures_util::StreamExt;
        let results = futures_util::stream::iter(shows)
            .map(|id| async move { (id, self.refresh_show(id).await) })
            .buffered(PARALLEL_REFRESHES)
            .collect()
            .await;
        // After a refresh: the moment to hear what other devices did with the new episodes.
        self.sync_soon();
        results
    }

    /// Hours between background refreshes; 0 means never.
    pub async fn refresh_interval_hours(&self) -> Result<u32, LibraryError> {
        let stored = self
            .with_library(|library| library.setting(REFRESH_HOURS_KEY))
            .await?;
        Ok(stored
            .and_then(|v| v.parse::<u32>().ok())
            .map_or(DEFAULT_REFRESH_HOURS, |h| h.min(MAX_REFRESH_HOURS)))
    }

    pub async fn set_refresh_interval_hours(&self, hours: u32) -> Result<(), LibraryError> {
        let hours = hours.min(MAX_REFRESH_HOURS).to_string();
        self.with_library(move |library| library.set_setting(REFRESH_HOURS_KEY, &hours))
            .await
    }
}
