//! Sound kept per show and per file: the show's profile (as JSON the engine reads), its last
//! measured loudness, each measured file's loudness, and the time skip silence saved.

use rusqlite::{params, OptionalExtension};

use super::{now_rfc3339, EpisodeId, Library, LibraryError, ShowId};

/// A file's measured loudness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredLoudness {
    pub integrated_lufs: f64,
    pub true_peak_dbtp: f64,
}

impl Library {
    /// The show's profile as stored (JSON), if the listener set one.
    pub fn show_profile_json(&self, show: ShowId) -> Result<Option<String>, LibraryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT profile_json FROM show_profiles WHERE show_id = ?1",
                [show.0],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    pub fn set_show_profile_json(&mut self, show: ShowId, json: &str) -> Result<(), LibraryError> {
        self.conn.execute(
            "INSERT INTO show_profiles (show_id, profile_json) VALUES (?1, ?2)
             ON CONFLICT (show_id) DO UPDATE SET profile_json = ?2",
            params![show.0, json],
        )?;
        Ok(())
    }

    /// The show's last measured loudness.
    pub fn show_loudness(&self, show: ShowId) -> Result<Option<f64>, LibraryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT loudness_lufs FROM show_profiles WHERE show_id = ?1",
                [show.0],
                |r| r.get::<_, Option<f64>>(0),
            )
            .optional()?
            .flatten())
    }

    /// The loudness measured for `source` (the file now downloaded), if it was.
    pub fn episode_loudness(
        &self,
        episode: EpisodeId,
        source: &str,
    ) -> Result<Option<MeasuredLoudness>, LibraryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT integrated_lufs, true_peak_dbtp FROM episode_loudness
                 WHERE episode_id = ?1 AND source = ?2",
                params![episode.0, source],
                |r| {
                    Ok(MeasuredLoudness {
                        integrated_lufs: r.get(0)?,
                        true_peak_dbtp: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Stores a file's measurement; it also becomes its show's loudness.
    pub fn store_episode_loudness(
        &mut self,
        episode: EpisodeId,
        source: &str,
        measured: MeasuredLoudness,
    ) -> Result<(), LibraryError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO episode_loudness
                (episode_id, source, integrated_lufs, true_peak_dbtp, measured_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (episode_id) DO UPDATE SET source = ?2, integrated_lufs = ?3,
                true_peak_dbtp = ?4, measured_at = ?5",
            params![
                episode.0,
                source,
                measured.integrated_lufs,
                measured.true_peak_dbtp,
                now_rfc3339()
            ],
        )?;
        tx.execute(
            "INSERT INTO show_profiles (show_id, loudness_lufs)
             SELECT show_id, ?2 FROM episodes WHERE id = ?1
             ON CONFLICT (show_id) DO UPDATE SET loudness_lufs = ?2",
            params![episode.0, measured.integrated_lufs],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds to the time skip silence saved in an episode.
    pub fn add_silence_saved(&mut self, episode: EpisodeId, ms: u64) -> Result<(), LibraryError> {
        self.conn.execute(
            "UPDATE episodes SET silence_saved_ms = silence_saved_ms + ?2 WHERE id = ?1",
            params![episode.0, ms.min(i64::MAX as u64) as i64],
        )?;
        Ok(())
    }

    /// Time saved over every episode.
    pub fn silence_saved_total_ms(&self) -> Result<u64, LibraryError> {
        let all: i64 = self.conn.query_row(
            "SELECT coalesce(sum(silence_saved_ms), 0) FROM episodes",
            [],
            |r| r.get(0),
        )?;
        Ok(all.max(0) as u64)
    }
}
