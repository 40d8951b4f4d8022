//! Download records (queued, running, paused, failed), finished downloads on episodes, and
//! settings.

use rusqlite::{params, OptionalExtension};

use super::{now_rfc3339, EpisodeId, Library, LibraryError};

/// Where a download stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadState {
    Queued,
    Running,
    Paused,
    Failed,
}

impl DownloadState {
    fn as_str(self) -> &'static str {
        match self {
            DownloadState::Queued => "queued",
            DownloadState::Running => "running",
            DownloadState::Paused => "paused",
            DownloadState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> DownloadState {
        match text {
            "queued" => DownloadState::Queued,
            "running" => DownloadState::Running,
            "paused" => DownloadState::Paused,
            _ => DownloadState::Failed,
        }
    }
}

/// A download that has not finished.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadRecord {
    pub episode_id: EpisodeId,
    pub state: DownloadState,
    pub dest_path: String,
    pub total_bytes: Option<u64>,
    pub error: Option<String>,
}

const RECORD_COLUMNS: &str = "episode_id, state, dest_path, total_bytes, error";

fn record_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DownloadRecord> {
    Ok(DownloadRecord {
        episode_id: EpisodeId(row.get(0)?),
        state: DownloadState::parse(&row.get::<_, String>(1)?),
        dest_path: row.get(2)?,
        total_bytes: row.get::<_, Option<i64>>(3)?.map(|b| b.max(0) as u64),
        error: row.get(4)?,
    })
}

impl Library {
    /// Records (or updates) an unfinished download.
    pub fn set_download_state(
        &mut self,
        id: EpisodeId,
        state: DownloadState,
        dest_path: &str,
        total_bytes: Option<u64>,
        error: Option<&str>,
    ) -> Result<(), LibraryError> {
        self.conn.execute(
            "INSERT INTO downloads (episode_id, state, dest_path, total_bytes, error, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (episode_id) DO UPDATE SET state = ?2, dest_path = ?3,
                 total_bytes = COALESCE(?4, total_bytes), error = ?5, updated_at = ?6",
            params![
                id.0,
                state.as_str(),
                dest_path,
                total_bytes.map(|b| b as i64),
                error,
                now_rfc3339()
            ],
        )?;
        Ok(())
    }

    /// Unfinished downloads, oldest first.
    pub fn download_records(&self) -> Result<Vec<DownloadRecord>, LibraryError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {RECORD_COLUMNS} FROM downloads ORDER BY updated_at, episode_id"
        ))?;
        let rows = stmt.query_map([], record_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn download_record(&self, id: EpisodeId) -> Result<Option<DownloadRecord>, LibraryError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {RECORD_COLUMNS} FROM downloads WHERE episode_id = ?1"),
                params![id.0],
                record_from_row,
            )
            .optional()?)
    }

    /// Forgets an unfinished download (cancelled).
    pub fn remove_download_record(&mut self, id: EpisodeId) -> Result<(), LibraryError> {
        self.conn
            .execute("DELETE FROM downloads WHERE episode_id = ?1", params![id.0])?;
        Ok(())
    }

    /// Marks an episode downloaded to `path` (`bytes` long), in one transaction with dropping
    /// its unfinished record. Only called once the file is complete and in place.
    pub fn mark_downloaded(
        &mut self,
        id: EpisodeId,
        path: &str,
        bytes: u64,
    ) -> Result<(), LibraryError> {
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE episodes SET download_path = ?2, download_bytes = ?3 WHERE id = ?1",
            params![id.0, path, bytes as i64],
        )?;
        tx.execute("DELETE FROM downloads WHERE episode_id = ?1", params![id.0])?;
        tx.commit()?;
        if changed == 0 {
            return Err(LibraryError::NotFound {
                what: "episode",
                id: id.0,
            });
        }
        Ok(())
    }

    /// Forgets that an episode is downloaded (the file has been deleted).
    pub fn clear_downloaded(&mut self, id: EpisodeId) -> Result<(), LibraryError> {
        self.conn.execute(
            "UPDATE episodes SET download_path = NULL, download_bytes = NULL WHERE id = ?1",
            params![id.0],
        )?;
        Ok(())
    }

    /// Finished downloads: (episode, path, bytes), newest first.
    pub fn downloaded_episodes(&self) -> Result<Vec<(EpisodeId, String, u64)>, LibraryError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, download_path, COALESCE(download_bytes, 0) FROM episodes
             WHERE download_path IS NOT NULL ORDER BY published_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                EpisodeId(row.get(0)?),
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?.max(0) as u64,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, LibraryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), LibraryError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = ?2",
            params![key, value],
        )?;
        Ok(())
    }
}
