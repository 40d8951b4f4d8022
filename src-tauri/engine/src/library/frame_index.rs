//! The frame index of a streamed VBR MP3, kept per episode (see `player::mp3_layout`): it
//! belongs to one file, named by its enclosure URL and known by its length.

use rusqlite::{params, OptionalExtension};

use super::{EpisodeId, Library, LibraryError};
use crate::player::frame_index::SavedFrameIndex;

impl Library {
    /// The frame index saved for `episode` when it was streamed from `url`.
    pub fn frame_index(
        &self,
        episode: EpisodeId,
        url: &str,
    ) -> Result<Option<SavedFrameIndex>, LibraryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT byte_len, frame_index FROM episode_frame_index
                 WHERE episode_id = ?1 AND enclosure_url = ?2",
                params![episode.0, url],
                |r| {
                    Ok(SavedFrameIndex {
                        byte_len: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        bytes: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Keeps `index`, built from streaming `url`, as the frame index of `episode`'s enclosure;
    /// it replaces the one saved before. Nothing is kept when the episode is gone or its
    /// enclosure is no longer `url` (a refresh moved it while it played).
    pub fn save_frame_index(
        &mut self,
        episode: EpisodeId,
        url: &str,
        index: &SavedFrameIndex,
    ) -> Result<(), LibraryError> {
        let byte_len = i64::try_from(index.byte_len).unwrap_or(i64::MAX);
        self.conn.execute(
            "INSERT INTO episode_frame_index (episode_id, enclosure_url, byte_len, frame_index)
             SELECT id, enclosure_url, ?3, ?4 FROM episodes WHERE id = ?1 AND enclosure_url = ?2
             ON CONFLICT (episode_id) DO UPDATE SET enclosure_url = excluded.enclosure_url,
                 byte_len = excluded.byte_len, frame_index = excluded.frame_index",
            params![episode.0, url, byte_len, index.bytes],
        )?;
        Ok(())
    }
}
