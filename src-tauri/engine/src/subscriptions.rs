//! Subscription lists in and out: OPML import (subscribing to each feed, a few at a time, with
//! progress) and export.

use std::collections::HashSet;

use futures_util::StreamExt;

use crate::opml::{self, OpmlFeed};
use crate::{Engine, LibraryError};

/// Feeds fetched at once during an import.
const PARALLEL_SUBSCRIBES: usize = 8;

/// Where an import stands, after each feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProgress {
    pub done: usize,
    pub total: usize,
    /// The feed just finished.
    pub url: String,
}

/// What an import did. Duplicates and dead feeds are reported, never fatal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Feeds the file lists.
    pub total: usize,
    /// Newly subscribed.
    pub added: Vec<String>,
    /// Already subscribed, or listed twice in the file.
    pub duplicates: Vec<String>,
    pub failed: Vec<ImportFailure>,
}

/// A feed that could not be subscribed to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFailure {
    pub url: String,
    pub title: Option<String>,
    pub error: String,
}

/// Why an import could not start.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Opml(#[from] opml::OpmlError),
    #[error(transparent)]
    Library(#[from] LibraryError),
}

/// A feed URL in the form the library stores, so `HTTP://Host/a` and `http://host/a` match.
fn normalized(url: &str) -> Option<String> {
    crate::net::parse_web_url(url).ok().map(String::from)
}

impl Engine {
    /// Subscribes to every feed an OPML file lists that the library does not have yet, a few
    /// at a time; an [`crate::EngineEvent::Import`] follows each one.
    pub async fn import_opml(&self, bytes: &[u8]) -> Result<ImportReport, ImportError> {
        let listed = opml::parse(bytes)?;
        let known: HashSet<String> = self
            .shows()
            .await?
            .into_iter()
            .filter_map(|s| normalized(&s.feed_url))
            .collect();
        let mut report = ImportReport {
            total: listed.len(),
            ..Default::default()
        };
        let mut seen = HashSet::new();
        let mut to_subscribe = Vec::new();
        for feed in listed {
            match normalized(&feed.url) {
                None => report.failed.push(ImportFailure {
                    error: crate::net::parse_web_url(&feed.url)
                        .err()
                        .map_or_else(String::new, |e| e.to_string()),
                    url: feed.url,
                    title: feed.title,
                }),
                Some(url) if known.contains(&url) || !seen.insert(url.clone()) => {
                    report.duplicates.push(feed.url)
                }
                Some(url) => to_subscribe.push((url, feed.title)),
            }
        }
        let total = report.total;
        let mut done = report.failed.len() + report.duplicates.len();
        let mut results = futures_util::stream::iter(to_subscribe)
            .map(|(url, title)| async move {
                let result = self.subscribe(&url).await;
                (url, title, result)
            })
            .buffer_unordered(PARALLEL_SUBSCRIBES);
        while let Some((url, title, result)) = results.next().await {
            done += 1;
            self.emit(crate::EngineEvent::Import(ImportProgress {
                done,
                total,
                url: url.clone(),
            }));
            match result {
                Ok(_) => report.added.push(url),
                Err(error) => report.failed.push(ImportFailure {
                    url,
                    title,
                    error: error.to_string(),
                }),
            }
        }
        Ok(report)
    }

    /// The library's shows as an OPML 2.0 document.
    pub async fn export_opml(&self) -> Result<(String, usize), LibraryError> {
        let feeds: Vec<OpmlFeed> = self
            .shows()
            .await?
            .into_iter()
            .filter(|s| !s.unsubscribed_elsewhere)
            .map(|s| OpmlFeed {
                title: (!s.title.is_empty()).then_some(s.title),
                url: s.feed_url,
                html_url: s.link,
            })
            .collect();
        Ok((opml::export(&feeds), feeds.len()))
    }
}
