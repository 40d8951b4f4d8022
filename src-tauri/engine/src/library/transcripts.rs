//! Transcripts kept for episodes: their cues, where they came from, or why they could not be
//! read. Writing one lists the episode for re-indexing (its spoken words are searchable).

use rusqlite::{params, Connection, OptionalExtension};

use super::{now_rfc3339, EpisodeId, Library, LibraryError};
use crate::transcripts::{Cue, Format, Transcript};

/// A transcript as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTranscript {
    /// The URL it was fetched from, or the sidecar file's path.
    pub source: String,
    pub format: Format,
    /// False when the source has no times: shown, not clickable.
    pub timed: bool,
    pub cues: Vec<Cue>,
    /// Why it could not be read (then `cues` is empty).
    pub error: Option<String>,
}

impl Library {
    /// The stored transcript of an episode, if one was fetched (or failed to be).
    pub fn transcript(&self, episode: EpisodeId) -> Result<Option<StoredTranscript>, LibraryError> {
        read_transcript(&self.conn, episode)
    }

    /// Where the stored transcript came from, without reading its cues: a cheap "is this
    /// source done already?".
    pub fn transcript_source(&self, episode: EpisodeId) -> Result<Option<String>, LibraryError> {
        Ok(self
            .conn
            .prepare_cached("SELECT source FROM transcripts WHERE episode_id = ?1")?
            .query_row([episode.0], |r| r.get(0))
            .optional()?)
    }

    /// When each cue starts, in order: what the player needs to follow along.
    pub fn cue_starts(&self, episode: EpisodeId) -> Result<Vec<u64>, LibraryError> {
        let timed: Option<bool> = self
            .conn
            .prepare_cached("SELECT timed FROM transcripts WHERE episode_id = ?1")?
            .query_row([episode.0], |r| r.get(0))
            .optional()?;
        if timed != Some(true) {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT start_ms FROM transcript_cues WHERE episode_id = ?1 ORDER BY seq",
        )?;
        let starts = stmt
            .query_map([episode.0], |r| r.get::<_, i64>(0))?
            .map(|s| s.map(|s| s.max(0) as u64))
            .collect::<Result<_, _>>()?;
        Ok(starts)
    }

    /// Stores what reading `source` gave: its cues, or why it failed. Replaces what was stored.
    pub fn store_transcript(
        &mut self,
        episode: EpisodeId,
        source: &str,
        format: Format,
        read: Result<&Transcript, &str>,
    ) -> Result<(), LibraryError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM transcripts WHERE episode_id = ?1", [episode.0])?;
        let (timed, error) = match read {
            Ok(t) => (t.timed, None),
            Err(e) => (false, Some(e)),
        };
        tx.execute(
            "INSERT INTO transcripts (episode_id, source, format, timed, error, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                episode.0,
                source,
                format.name(),
                timed,
                error,
                now_rfc3339()
            ],
        )?;
        if let Ok(transcript) = read {
            let mut insert = tx.prepare_cached(
                "INSERT INTO transcript_cues (episode_id, seq, start_ms, end_ms, speaker, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (seq, cue) in transcript.cues.iter().enumerate() {
                insert.execute(params![
                    episode.0,
                    seq as i64,
                    clamp(cue.start_ms),
                    clamp(cue.end_ms),
                    cue.speaker,
                    cue.text
                ])?;
            }
        }
        super::search::mark_pending(&tx, episode)?;
        tx.commit()?;
        Ok(())
    }

    /// The show's episodes whose feed entry offers a transcript, or that are downloaded (a
    /// sidecar file may sit beside them), newest first.
    pub fn episodes_offering_transcripts(
        &self,
        show: super::ShowId,
    ) -> Result<Vec<EpisodeId>, LibraryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM episodes WHERE show_id = ?1
               AND (transcripts_json NOT IN ('', '[]') OR download_path IS NOT NULL)
             ORDER BY published_at DESC",
        )?;
        let ids = stmt
            .query_map([show.0], |r| r.get(0).map(EpisodeId))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }
}

fn clamp(ms: u64) -> i64 {
    ms.min(i64::MAX as u64) as i64
}

pub(super) fn read_transcript(
    conn: &Connection,
    episode: EpisodeId,
) -> Result<Option<StoredTranscript>, LibraryError> {
    let head = conn
        .prepare_cached(
            "SELECT source, format, timed, error FROM transcripts WHERE episode_id = ?1",
        )?
        .query_row([episode.0], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })
        .optional()?;
    let Some((source, format, timed, error)) = head else {
        return Ok(None);
    };
    let cues = read_cues(conn, episode, 0, i64::MAX)?;
    Ok(Some(StoredTranscript {
        source,
        // Written by `store_transcript` from a `Format`; an unknown word (a newer version's)
        // reads as text, which is shown but never clicked.
        format: Format::from_name(&format).unwrap_or(Format::Text),
        timed,
        cues,
        error,
    }))
}

/// Cues `first..=last` of an episode's transcript.
pub(super) fn read_cues(
    conn: &Connection,
    episode: EpisodeId,
    first: i64,
    last: i64,
) -> Result<Vec<Cue>, LibraryError> {
    let mut stmt = conn.prepare_cached(
        "SELECT start_ms, end_ms, speaker, text FROM transcript_cues
         WHERE episode_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
    )?;
    let cues = stmt
        .query_map(params![episode.0, first, last], |r| {
            Ok(Cue {
                start_ms: r.get::<_, i64>(0)?.max(0) as u64,
                end_ms: r.get::<_, i64>(1)?.max(0) as u64,
                speaker: r.get(2)?,
                text: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(cues)
}
