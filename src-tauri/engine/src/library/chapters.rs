//! Chapter lists fetched for an episode (JSON chapter files, chapters read from the audio),
//! cached so the network is asked once.

use rusqlite::{params, Connection, OptionalExtension};

use super::episodes::read_episode;
use super::{now_rfc3339, EpisodeId, Library, LibraryError};
use crate::chapters::Chapter;

/// Which fetched list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchedChaptersKind {
    /// A Podcasting 2.0 JSON chapters file.
    PodcastJson,
    /// Chapters embedded in the audio file.
    Embedded,
}

impl FetchedChaptersKind {
    fn key(self) -> &'static str {
        match self {
            FetchedChaptersKind::PodcastJson => "podcast-json",
            FetchedChaptersKind::Embedded => "embedded",
        }
    }
}

impl Library {
    /// The cached list of `kind` for an episode, if it was fetched from `source_url`.
    pub fn fetched_chapters(
        &self,
        episode: EpisodeId,
        kind: FetchedChaptersKind,
        source_url: &str,
    ) -> Result<Option<Vec<Chapter>>, LibraryError> {
        read_fetched(&self.conn, episode, kind, source_url)
    }

    /// The episode's chapter list from everything stored (feed, show notes, fetched lists).
    pub fn known_chapters(&self, episode: EpisodeId) -> Result<Vec<Chapter>, LibraryError> {
        known_chapters(&self.conn, episode)
    }

    /// Stores a fetched list (an empty one too: "this source has no chapters" is worth
    /// remembering).
    pub fn store_fetched_chapters(
        &mut self,
        episode: EpisodeId,
        kind: FetchedChaptersKind,
        source_url: &str,
        chapters: &[Chapter],
    ) -> Result<(), LibraryError> {
        let json = serde_json::to_string(chapters).unwrap_or_else(|_| "[]".to_string());
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO fetched_chapters (episode_id, kind, source_url, chapters_json, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (episode_id, kind) DO UPDATE SET
                source_url = excluded.source_url, chapters_json = excluded.chapters_json,
                fetched_at = excluded.fetched_at",
            params![episode.0, kind.key(), source_url, json, now_rfc3339()],
        )?;
        // The search index lists chapter titles: this episode's rows are due again.
        super::search::mark_pending(&tx, episode)?;
        tx.commit()?;
        Ok(())
    }
}

fn read_fetched(
    conn: &Connection,
    episode: EpisodeId,
    kind: FetchedChaptersKind,
    source_url: &str,
) -> Result<Option<Vec<Chapter>>, LibraryError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT chapters_json FROM fetched_chapters
             WHERE episode_id = ?1 AND kind = ?2 AND source_url = ?3",
            params![episode.0, kind.key(), source_url],
            |r| r.get(0),
        )
        .optional()?;
    // A row that no longer decodes (older format) counts as not cached.
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

pub(super) fn known_chapters(
    conn: &Connection,
    id: EpisodeId,
) -> Result<Vec<Chapter>, LibraryError> {
    let episode = read_episode(conn, id)?;
    let json = match &episode.chapters_url {
        Some(url) => read_fetched(conn, id, FetchedChaptersKind::PodcastJson, url)?,
        None => None,
    };
    let embedded = read_fetched(
        conn,
        id,
        FetchedChaptersKind::Embedded,
        &episode.enclosure_url,
    )?;
    Ok(crate::chapters::for_episode(
        &episode.description_html,
        episode.summary.duration_s,
        &episode.podlove_chapters,
        json,
        embedded,
    ))
}
