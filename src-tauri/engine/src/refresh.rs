//! net -> feed -> library: the only place the three meet.

use crate::feed::{self, FeedError, ParsedFeed};
use crate::library::{LibraryError, MergeReport, ShowId};
use crate::net::{CacheValidators, Fetched, HttpClient, NetError};
use crate::Engine;

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
}

impl RefreshError {
    /// True when the network seems to be missing (the UI says "offline", not "broken").
    pub fn is_offline(&self) -> bool {
        matches!(self, RefreshError::Net(e) if e.is_offline())
    }
}

/// Fetches and parses a feed without touching any library. `None` means `304 Not Modified`.
pub async fn fetch_and_parse(
    http: &HttpClient,
    url: &str,
    validators: &CacheValidators,
) -> Result<Option<(ParsedFeed, CacheValidators)>, RefreshError> {
    let body = match http.fetch_feed(url, validators).await? {
        Fetched::NotModified => return Ok(None),
        Fetched::Body(body) => body,
    };
    let url = url.to_string();
    // Parsing a large feed is CPU-bound: keep it off the async workers.
    let feed = tokio::task::spawn_blocking(move || {
        let base = url::Url::parse(&body.final_url).ok();
        let feed = feed::parse_with_base(&body.bytes, body.charset.as_deref(), base.as_ref());
        feed.map(|f| (f, body.validators))
    })
    .await
    .map_err(|source| LibraryError::Worker { source })?
    .map_err(|source| RefreshError::Feed { url, source })?;
    Ok(Some(feed))
}

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
        let url = crate::net::parse_web_url(url)?.to_string();
        let fetched = self
            .fetch_and_parse(&url, &CacheValidators::default())
            .await?;
        let Some((feed, validators)) = fetched else {
            // A 304 to an unconditional request: a broken server; treat as empty.
            return Err(RefreshError::Net(NetError::Status { url, status: 304 }));
        };
        let show = self
            .with_library(move |library| {
                let (show, _) = library.subscribe(&url)?;
                library.apply_feed(show, &feed, &validators)?;
                Ok(show)
            })
            .await?;
        Ok(show)
    }

    /// Refreshes one show. On any failure the stored show and episodes stay as they were and
    /// the error is recorded on the show.
    pub async fn refresh_show(&self, show: ShowId) -> Result<RefreshOutcome, RefreshError> {
        let stored = self.with_library(move |library| library.show(show)).await?;
        match self
            .fetch_and_parse(&stored.feed_url, &stored.validators)
            .await
        {
            Ok(None) => {
                self.with_library(move |library| library.record_not_modified(show))
                    .await?;
                Ok(RefreshOutcome::NotModified)
            }
            Ok(Some((feed, validators))) => {
                let report = self
                    .with_library(move |library| library.apply_feed(show, &feed, &validators))
                    .await?;
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

    /// Refreshes every show, a few at a time. One result per show, in library order.
    pub async fn refresh_all(
        &self,
    ) -> Result<Vec<(ShowId, Result<RefreshOutcome, RefreshError>)>, LibraryError> {
        let shows = self.with_library(|library| library.shows()).await?;
        let refreshes = shows
            .iter()
            .map(|s| async move { (s.id, self.refresh_show(s.id).await) });
        Ok(futures_util::future::join_all(refreshes).await)
    }
}
