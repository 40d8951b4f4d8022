//! Chapters that need the network: Podcasting 2.0 JSON files and chapters embedded in the audio
//! file. Results are cached in the library; a failed fetch is logged and the other sources
//! still count.

use crate::chapters::{self, json::JsonChaptersError, Chapter};
use crate::library::{EpisodeId, FetchedChaptersKind, LibraryError};
use crate::net::{HttpClient, NetError};
use crate::Engine;

/// Largest JSON chapters file read into memory.
const CHAPTERS_JSON_LIMIT_BYTES: u64 = 5 * 1024 * 1024;

/// Why fetched chapters could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ChapterFetchError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error("the chapters file is unreadable: {0}")]
    Json(#[from] JsonChaptersError),
}

/// Fetches and parses a Podcasting 2.0 JSON chapters file.
pub async fn fetch_json_chapters(
    http: &HttpClient,
    url: &str,
) -> Result<Vec<Chapter>, ChapterFetchError> {
    let body = http.get_capped(url, CHAPTERS_JSON_LIMIT_BYTES).await?;
    Ok(chapters::json::parse(&body.bytes)?)
}

impl Engine {
    /// The episode's chapters from what is already known (feed, show notes, earlier fetches):
    /// instant, no network.
    pub async fn chapters(&self, id: EpisodeId) -> Result<Vec<Chapter>, LibraryError> {
        self.with_library(move |library| {
            let episode = library.episode(id)?;
            let json = match &episode.chapters_url {
                Some(url) => library.fetched_chapters(id, FetchedChaptersKind::PodcastJson, url)?,
                None => None,
            };
            let embedded = library.fetched_chapters(
                id,
                FetchedChaptersKind::Embedded,
                &episode.enclosure_url,
            )?;
            Ok(merge_known(&episode, json, embedded))
        })
        .await
    }

    /// Fetches what is not cached yet (the JSON chapters file), stores it, and returns the
    /// merged list. A source that fails to load is skipped (and logged); the rest still count.
    pub async fn load_chapters(&self, id: EpisodeId) -> Result<Vec<Chapter>, LibraryError> {
        let episode = self.episode(id).await?;
        if let Some(url) = episode.chapters_url.clone() {
            let cached = {
                let url = url.clone();
                self.with_library(move |l| {
                    l.fetched_chapters(id, FetchedChaptersKind::PodcastJson, &url)
                })
                .await?
            };
            if cached.is_none() {
                match fetch_json_chapters(&self.inner.http, &url).await {
                    Ok(list) => {
                        self.with_library(move |l| {
                            l.store_fetched_chapters(
                                id,
                                FetchedChaptersKind::PodcastJson,
                                &url,
                                &list,
                            )
                        })
                        .await?;
                    }
                    Err(error) => {
                        tracing::warn!(episode = id.0, %url, error = ?error, "chapters file failed")
                    }
                }
            }
        }
        self.chapters(id).await
    }
}

fn merge_known(
    episode: &crate::library::Episode,
    json: Option<Vec<Chapter>>,
    embedded: Option<Vec<Chapter>>,
) -> Vec<Chapter> {
    let duration_ms = episode.summary.duration_s.map(|s| u64::from(s) * 1000);
    chapters::merge(
        vec![
            embedded.unwrap_or_default(),
            json.unwrap_or_default(),
            chapters::podlove::chapters(&episode.podlove_chapters),
            chapters::from_show_notes(&episode.description_html, duration_ms),
        ],
        duration_ms,
    )
}
