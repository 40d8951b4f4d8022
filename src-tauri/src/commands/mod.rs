//! Thin adapters from the UI's commands to the engine, one module per UI area.

pub mod downloads;
pub mod library;
pub mod opened;
pub mod opml;
pub mod player;
pub mod sound;
pub mod startup;
pub mod sync;

use chaptercast_engine::EpisodeId;

use crate::error::CommandError;

/// An episode id from the UI (a string: JSON numbers cannot carry an `i64`).
pub(crate) fn episode_id(id: &str) -> Result<EpisodeId, CommandError> {
    id.parse()
        .map(EpisodeId)
        .map_err(|_| CommandError::bad_id(id))
}
