//! The player wired to the library: which file or URL an episode plays from, where it resumes,
//! and saving the position, "played" and the audio's real length as it goes.

use std::path::PathBuf;
use std::sync::Arc;

use crate::library::{EpisodeId, LibraryError};
use crate::player::{self, LoadRequest, MediaLocation, PlayerEvent, PlayerHandle};
use crate::Engine;

impl Engine {
    /// Starts the player. Positions are saved to the library before `on_event` sees an event.
    /// Keys of library episodes are their ids (see [`episode_key`]); other keys (the command
    /// line's URLs) are not saved.
    pub fn start_player<F>(&self, on_event: F) -> std::io::Result<PlayerHandle>
    where
        F: Fn(PlayerEvent) + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        player::spawn(
            self.inner.http.clone(),
            Box::new(move |event| {
                if let PlayerEvent::SavePosition {
                    key,
                    position_ms,
                    finished,
                    duration_ms,
                } = &event
                {
                    if let Some(id) = episode_of_key(key) {
                        let mut library = inner.library.lock().unwrap_or_else(|p| p.into_inner());
                        if let Some(duration_ms) = duration_ms.filter(|d| *d > 0) {
                            if let Err(error) = library.set_audio_duration(id, duration_ms) {
                                tracing::warn!(episode = id.0, %error, "could not save the length");
                            }
                        }
                        let saved = if *finished {
                            library
                                .set_position(id, 0)
                                .and_then(|()| library.set_played(id, true))
                        } else {
                            library.set_position(id, *position_ms)
                        };
                        if let Err(error) = saved {
                            tracing::warn!(episode = id.0, %error, "could not save the position");
                        }
                    }
                }
                on_event(event);
            }),
        )
    }

    /// What playing episode `id` means: its downloaded file when there is one (and it is still
    /// on disk), else its enclosure URL; from `at_ms`, else where the listener left off.
    pub async fn load_request(
        &self,
        id: EpisodeId,
        at_ms: Option<u64>,
    ) -> Result<LoadRequest, LibraryError> {
        let episode = self.episode(id).await?;
        let chapters = self.chapters(id).await?;
        let location = episode
            .download_path
            .as_ref()
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .map(MediaLocation::File)
            .unwrap_or_else(|| MediaLocation::Url(episode.enclosure_url.clone()));
        let resume = if episode.summary.is_played {
            0
        } else {
            episode.summary.position_ms
        };
        Ok(LoadRequest {
            key: episode_key(id),
            location,
            mime: episode.enclosure_type.clone(),
            start_ms: at_ms.unwrap_or(resume),
            chapters,
            autoplay: true,
        })
    }
}

/// The player key of a library episode.
pub fn episode_key(id: EpisodeId) -> String {
    id.0.to_string()
}

/// The library episode a player key names, if it names one.
pub fn episode_of_key(key: &str) -> Option<EpisodeId> {
    key.parse::<i64>().ok().map(EpisodeId)
}
