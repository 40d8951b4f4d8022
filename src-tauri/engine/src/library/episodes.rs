//! Episode rows: merging a parsed feed in, and reading episodes out.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::{now_rfc3339, Library, LibraryError, ShowId};
use crate::feed::{ParsedEpisode, ParsedFeed, PodloveChapterRef, TranscriptRef};
use crate::net::CacheValidators;

/// Row id of an episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EpisodeId(pub i64);

/// What a list of episodes shows.
#[derive(Debug, Clone, PartialEq)]
pub struct EpisodeSummary {
    pub id: EpisodeId,
    pub show_id: ShowId,
    pub guid: String,
    pub title: String,
    /// Unix seconds, UTC.
    pub published_at: Option<i64>,
    /// Length in seconds: the audio's own once it has been played, else the feed's.
    pub duration_s: Option<u32>,
    pub is_played: bool,
    pub position_ms: u64,
    pub is_downloaded: bool,
}

/// Everything stored about one episode.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub summary: EpisodeSummary,
    pub enclosure_url: String,
    pub enclosure_type: Option<String>,
    pub enclosure_length: Option<u64>,
    /// Sanitized show notes HTML.
    pub description_html: String,
    pub link: Option<String>,
    pub image_url: Option<String>,
    pub season: Option<u32>,
    pub episode_number: Option<u32>,
    pub chapters_url: Option<String>,
    pub transcripts: Vec<TranscriptRef>,
    pub podlove_chapters: Vec<PodloveChapterRef>,
    pub download_path: Option<String>,
}

/// What a merge changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeReport {
    pub added: u32,
    pub updated: u32,
    pub unchanged: u32,
}

const SUMMARY_COLUMNS: &str = "id, show_id, guid, title, published_at,
    COALESCE(MIN((audio_duration_ms + 500) / 1000, 4294967295), duration_s),
    is_played, position_ms, download_path IS NOT NULL";

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<EpisodeSummary> {
    Ok(EpisodeSummary {
        id: EpisodeId(row.get(0)?),
        show_id: ShowId(row.get(1)?),
        guid: row.get(2)?,
        title: row.get(3)?,
        published_at: row.get(4)?,
        duration_s: row.get(5)?,
        is_played: row.get(6)?,
        position_ms: row.get::<_, i64>(7)?.max(0) as u64,
        is_downloaded: row.get(8)?,
    })
}

impl Library {
    /// Merges a freshly parsed feed into a show, in one transaction: show fields and cache
    /// validators are updated, new episodes added, changed ones updated. User state (played,
    /// position, download) is never touched, and episodes missing from the feed are kept:
    /// feeds often list only their latest items.
    pub fn apply_feed(
        &mut self,
        show: ShowId,
        feed: &ParsedFeed,
        validators: &CacheValidators,
    ) -> Result<MergeReport, LibraryError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE shows SET
                title = CASE WHEN ?2 = '' THEN title ELSE ?2 END,
                link = COALESCE(?3, link),
                image_url = COALESCE(?4, image_url),
                description_html = CASE WHEN ?5 = '' THEN description_html ELSE ?5 END,
                author = COALESCE(?6, author),
                etag = ?7, last_modified = ?8,
                last_refreshed_at = ?9, last_error = NULL
             WHERE id = ?1",
            params![
                show.0,
                feed.title,
                feed.link,
                feed.image,
                feed.description_html,
                feed.author,
                validators.etag,
                validators.last_modified,
                now_rfc3339()
            ],
        )?;
        let report = merge_episodes(&tx, show, &feed.episodes)?;
        tx.commit()?;
        Ok(report)
    }

    /// A show's episodes, newest first (undated ones last).
    pub fn episodes(&self, show: ShowId) -> Result<Vec<EpisodeSummary>, LibraryError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM episodes WHERE show_id = ?1
             ORDER BY published_at IS NULL, published_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map([show.0], summary_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn episode(&self, id: EpisodeId) -> Result<Episode, LibraryError> {
        read_episode(&self.conn, id)
    }

    /// Saves the playback position of an episode.
    pub fn set_position(&mut self, id: EpisodeId, position_ms: u64) -> Result<(), LibraryError> {
        let changed = self.conn.execute(
            "UPDATE episodes SET position_ms = ?2 WHERE id = ?1",
            params![id.0, position_ms.min(i64::MAX as u64) as i64],
        )?;
        found(changed, id)
    }

    /// Remembers the audio's own length, as the player measured it; it wins over the feed's
    /// stated duration from then on, refreshes included.
    pub fn set_audio_duration(
        &mut self,
        id: EpisodeId,
        duration_ms: u64,
    ) -> Result<(), LibraryError> {
        let changed = self.conn.execute(
            "UPDATE episodes SET audio_duration_ms = ?2 WHERE id = ?1",
            params![id.0, duration_ms.min(i64::MAX as u64) as i64],
        )?;
        found(changed, id)
    }

    /// Marks episodes played or unplayed in one transaction; returns how many changed.
    pub fn set_played_many(
        &mut self,
        ids: &[EpisodeId],
        is_played: bool,
    ) -> Result<u32, LibraryError> {
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        {
            let mut update = tx.prepare_cached(
                "UPDATE episodes SET is_played = ?2 WHERE id = ?1 AND is_played != ?2",
            )?;
            for id in ids {
                changed += update.execute(params![id.0, is_played])?;
            }
        }
        tx.commit()?;
        Ok(changed as u32)
    }

    /// Marks an episode played or unplayed.
    pub fn set_played(&mut self, id: EpisodeId, is_played: bool) -> Result<(), LibraryError> {
        let changed = self.conn.execute(
            "UPDATE episodes SET is_played = ?2 WHERE id = ?1",
            params![id.0, is_played],
        )?;
        found(changed, id)
    }
}

pub(super) fn read_episode(conn: &Connection, id: EpisodeId) -> Result<Episode, LibraryError> {
    conn.query_row(
        &format!(
            "SELECT {SUMMARY_COLUMNS}, enclosure_url, enclosure_type, enclosure_length,
                    description_html, link, image_url, season, episode_number, chapters_url,
                    transcripts_json, download_path, podlove_chapters_json
                 FROM episodes WHERE id = ?1"
        ),
        [id.0],
        |row| {
            let transcripts: String = row.get(18)?;
            Ok(Episode {
                summary: summary_from_row(row)?,
                enclosure_url: row.get(9)?,
                enclosure_type: row.get(10)?,
                enclosure_length: row.get::<_, Option<i64>>(11)?.map(|l| l.max(0) as u64),
                description_html: row.get(12)?,
                link: row.get(13)?,
                image_url: row.get(14)?,
                season: row.get(15)?,
                episode_number: row.get(16)?,
                chapters_url: row.get(17)?,
                transcripts: decode_transcripts(&transcripts),
                download_path: row.get(19)?,
                podlove_chapters: serde_json::from_str(&row.get::<_, String>(20)?)
                    .unwrap_or_default(),
            })
        },
    )
    .optional()?
    .ok_or(LibraryError::NotFound {
        what: "episode",
        id: id.0,
    })
}

fn found(changed: usize, id: EpisodeId) -> Result<(), LibraryError> {
    if changed == 0 {
        Err(LibraryError::NotFound {
            what: "episode",
            id: id.0,
        })
    } else {
        Ok(())
    }
}

fn merge_episodes(
    tx: &Transaction<'_>,
    show: ShowId,
    episodes: &[ParsedEpisode],
) -> Result<MergeReport, LibraryError> {
    let mut known: HashMap<String, i64> = HashMap::new();
    {
        let mut stmt =
            tx.prepare_cached("SELECT guid, content_hash FROM episodes WHERE show_id = ?1")?;
        let rows = stmt.query_map([show.0], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (guid, hash) = row?;
            known.insert(guid, hash);
        }
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO episodes (show_id, guid, content_hash, title, published_at, duration_s,
            enclosure_url, enclosure_type, enclosure_length, description_html, link, image_url,
            season, episode_number, chapters_url, transcripts_json, first_seen_at,
            podlove_chapters_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE episodes SET content_hash = ?3, title = ?4, published_at = ?5, duration_s = ?6,
            enclosure_url = ?7, enclosure_type = ?8, enclosure_length = ?9, description_html = ?10,
            link = ?11, image_url = ?12, season = ?13, episode_number = ?14, chapters_url = ?15,
            transcripts_json = ?16, podlove_chapters_json = ?17
         WHERE show_id = ?1 AND guid = ?2",
    )?;
    let now = now_rfc3339();
    let mut report = MergeReport::default();
    let mut changed: Vec<&str> = Vec::new();
    for episode in episodes {
        let hash = content_hash(episode);
        let transcripts = encode_transcripts(&episode.transcripts);
        let podlove =
            serde_json::to_string(&episode.podlove_chapters).unwrap_or_else(|_| "[]".into());
        let published = episode.published.map(|t| t.timestamp());
        let length = episode
            .enclosure
            .length
            .map(|l| l.min(i64::MAX as u64) as i64);
        match known.get(&episode.guid) {
            Some(old) if *old == hash => report.unchanged += 1,
            Some(_) => {
                update.execute(params![
                    show.0,
                    episode.guid,
                    hash,
                    episode.title,
                    published,
                    episode.duration_s,
                    episode.enclosure.url,
                    episode.enclosure.mime_type,
                    length,
                    episode.description_html,
                    episode.link,
                    episode.image,
                    episode.season,
                    episode.episode,
                    episode.chapters_url,
                    transcripts,
                    podlove
                ])?;
                changed.push(episode.guid.as_str());
                report.updated += 1;
            }
            None => {
                insert.execute(params![
                    show.0,
                    episode.guid,
                    hash,
                    episode.title,
                    published,
                    episode.duration_s,
                    episode.enclosure.url,
                    episode.enclosure.mime_type,
                    length,
                    episode.description_html,
                    episode.link,
                    episode.image,
                    episode.season,
                    episode.episode,
                    episode.chapters_url,
                    transcripts,
                    now,
                    podlove
                ])?;
                super::search::mark_pending(tx, EpisodeId(tx.last_insert_rowid()))?;
                report.added += 1;
            }
        }
    }
    // Updated episodes are indexed again (titles, notes and chapters may all have changed).
    let mut id_of =
        tx.prepare_cached("SELECT id FROM episodes WHERE show_id = ?1 AND guid = ?2")?;
    for guid in changed {
        let id: i64 = id_of.query_row(params![show.0, guid], |r| r.get(0))?;
        super::search::mark_pending(tx, EpisodeId(id))?;
    }
    Ok(report)
}

/// XXH3 over the feed-owned fields: a refresh rewrites a row only when one of them changed.
/// (Libraries from before XXH3 held FNV-1a hashes: their first refresh rewrites each row once.)
fn content_hash(episode: &ParsedEpisode) -> i64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    // 0xFF never occurs in UTF-8, so it ends each field unambiguously.
    let mut feed = |bytes: &[u8]| {
        hasher.update(bytes);
        hasher.update(&[0xFF]);
    };
    fn opt(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("\u{0}")
    }
    feed(episode.title.as_bytes());
    feed(
        episode
            .published
            .map(|t| t.timestamp())
            .unwrap_or(i64::MIN)
            .to_le_bytes()
            .as_slice(),
    );
    feed(
        episode
            .duration_s
            .map(i64::from)
            .unwrap_or(-1)
            .to_le_bytes()
            .as_slice(),
    );
    feed(episode.enclosure.url.as_bytes());
    feed(opt(&episode.enclosure.mime_type).as_bytes());
    feed(
        episode
            .enclosure
            .length
            .unwrap_or(0)
            .to_le_bytes()
            .as_slice(),
    );
    feed(episode.description_html.as_bytes());
    feed(opt(&episode.link).as_bytes());
    feed(opt(&episode.image).as_bytes());
    feed(episode.season.unwrap_or(0).to_le_bytes().as_slice());
    feed(episode.episode.unwrap_or(0).to_le_bytes().as_slice());
    feed(opt(&episode.chapters_url).as_bytes());
    feed(encode_transcripts(&episode.transcripts).as_bytes());
    for chapter in &episode.podlove_chapters {
        feed(chapter.start.as_bytes());
        feed(chapter.title.as_bytes());
        feed(opt(&chapter.href).as_bytes());
        feed(opt(&chapter.image).as_bytes());
    }
    hasher.digest() as i64
}

fn encode_transcripts(transcripts: &[TranscriptRef]) -> String {
    let list: Vec<serde_json::Value> = transcripts
        .iter()
        .map(|t| serde_json::json!({"url": t.url, "type": t.mime_type, "language": t.language, "rel": t.rel}))
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn decode_transcripts(json: &str) -> Vec<TranscriptRef> {
    let Ok(serde_json::Value::Array(list)) = serde_json::from_str::<serde_json::Value>(json) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|v| {
            let text = |key: &str| v.get(key).and_then(|t| t.as_str()).map(str::to_string);
            Some(TranscriptRef {
                url: v.get("url")?.as_str()?.to_string(),
                mime_type: text("type"),
                language: text("language"),
                rel: text("rel"),
            })
        })
        .collect()
}
