//! Downloads: a queue (two at a time), progress, pause/resume/cancel, and the library told
//! only once a file is complete and in place. See [`transfer`] for how one file is fetched.

pub mod names;
pub mod transfer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::library::{DownloadState, EpisodeId, LibraryError};
use crate::Engine;
pub use transfer::{DownloadError, Limits, Progress, RetryPolicy, TransferControl};

/// Downloads running at once.
pub const CONCURRENT_DOWNLOADS: usize = 2;
const FOLDER_SETTING: &str = "download_folder";

/// What the UI shows for one download.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadStatus {
    pub episode_id: EpisodeId,
    pub state: DownloadPhase,
    pub downloaded: u64,
    pub total: Option<u64>,
    pub bytes_per_s: f64,
    pub error: Option<String>,
    pub path: Option<String>,
}

/// Where a download is, including done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadPhase {
    Queued,
    Running,
    /// Started, and waiting for the network (offline, or the host is down).
    Offline,
    Paused,
    Failed,
    Done,
    /// Cancelled or deleted: gone.
    Removed,
}

/// The engine's download state.
pub(crate) struct Downloads {
    slots: Arc<Semaphore>,
    active: Mutex<HashMap<EpisodeId, TransferControl>>,
    retry: Mutex<RetryPolicy>,
    limits: Mutex<Limits>,
}

impl Downloads {
    fn limits(&self) -> Limits {
        *lock(&self.limits)
    }
}

impl Default for Downloads {
    fn default() -> Self {
        Downloads {
            slots: Arc::new(Semaphore::new(CONCURRENT_DOWNLOADS)),
            active: Mutex::default(),
            retry: Mutex::new(RetryPolicy::default()),
            limits: Mutex::new(Limits::default()),
        }
    }
}

/// Why a download could not be started or removed.
#[derive(Debug, thiserror::Error)]
pub enum DownloadRequestError {
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error("cannot delete {}: {source}", path.display())]
    Delete {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Engine {
    /// Where downloads go: the user's setting, else `<data dir>/downloads`.
    pub async fn download_folder(&self) -> Result<PathBuf, LibraryError> {
        let default = self.inner.config.data_dir.join("downloads");
        let set = self.with_library(|l| l.setting(FOLDER_SETTING)).await?;
        Ok(set.map(PathBuf::from).unwrap_or(default))
    }

    /// Changes the download folder for new downloads (finished ones stay where they are).
    pub async fn set_download_folder(&self, folder: &Path) -> Result<(), LibraryError> {
        let value = folder.to_string_lossy().into_owned();
        self.with_library(move |l| l.set_setting(FOLDER_SETTING, &value))
            .await
    }

    /// Tests make retries quick.
    pub fn set_download_retry(&self, retry: RetryPolicy) {
        *lock(&self.inner.downloads.retry) = retry;
    }

    /// The cap for files of unknown length and the space always left free (tests make the disk
    /// look full).
    pub fn set_download_limits(&self, cap_without_length: u64, keep_free: u64) {
        let mut limits = lock(&self.inner.downloads.limits);
        limits.cap_without_length = cap_without_length;
        limits.keep_free = keep_free;
    }

    /// Every download's progress (~4 per second each) and state changes go out as events.
    fn emit_download(&self, status: DownloadStatus) {
        self.emit(crate::EngineEvent::Download(status));
    }

    /// Queues episode `id` for download (or resumes it). Returns at once.
    pub async fn download_episode(&self, id: EpisodeId) -> Result<(), LibraryError> {
        // Taken before the first await: two requests at once must not both start (and write
        // one `.part` file twice). A request that goes no further gives the place back.
        let control = TransferControl::default();
        {
            let mut active = lock(&self.inner.downloads.active);
            if active.contains_key(&id) {
                return Ok(());
            }
            active.insert(id, control.clone());
        }
        let started = self.start_download(id, control).await;
        if !matches!(started, Ok(true)) {
            lock(&self.inner.downloads.active).remove(&id);
        }
        started.map(|_| ())
    }

    /// Starts the transfer that holds `control`; false when there is nothing to do.
    async fn start_download(
        &self,
        id: EpisodeId,
        control: TransferControl,
    ) -> Result<bool, LibraryError> {
        let episode = self.episode(id).await?;
        if episode
            .download_path
            .as_deref()
            .is_some_and(|p| Path::new(p).is_file())
        {
            return Ok(false);
        }
        let show = self.show(episode.summary.show_id).await?;
        let existing = self.with_library(move |l| l.download_record(id)).await?;
        let dest = match existing {
            Some(record) => PathBuf::from(record.dest_path),
            None => names::download_path(
                &self.download_folder().await?,
                &show.title,
                &episode.summary.title,
                id.0,
                episode.enclosure_type.as_deref(),
                &episode.enclosure_url,
            ),
        };
        let dest_text = dest.to_string_lossy().into_owned();
        self.with_library({
            let dest_text = dest_text.clone();
            move |l| l.set_download_state(id, DownloadState::Queued, &dest_text, None, None)
        })
        .await?;
        self.emit_download(DownloadStatus {
            episode_id: id,
            state: DownloadPhase::Queued,
            downloaded: transfer::partial_len(&dest),
            total: episode.enclosure_length,
            bytes_per_s: 0.0,
            error: None,
            path: None,
        });
        let engine = self.clone();
        let url = episode.enclosure_url.clone();
        let limits = Limits {
            // A length under a megabyte is a placeholder ("0", "1"), not the file's size.
            expected_len: episode.enclosure_length.filter(|l| *l >= 1 << 20),
            ..self.inner.downloads.limits()
        };
        tokio::spawn(async move {
            engine.run_download(id, url, dest, limits, control).await;
        });
        Ok(true)
    }

    async fn run_download(
        &self,
        id: EpisodeId,
        url: String,
        dest: PathBuf,
        limits: Limits,
        control: TransferControl,
    ) {
        let slots = Arc::clone(&self.inner.downloads.slots);
        let Ok(_slot) = slots.acquire_owned().await else {
            return;
        };
        let dest_text = dest.to_string_lossy().into_owned();
        let running = {
            let dest_text = dest_text.clone();
            self.with_library(move |l| {
                l.set_download_state(id, DownloadState::Running, &dest_text, None, None)
            })
            .await
        };
        if let Err(error) = running {
            tracing::warn!(%error, "download state not saved");
        }
        let retry = *lock(&self.inner.downloads.retry);
        let engine = self.clone();
        let result = transfer::download(
            &self.inner.http,
            &url,
            &dest,
            retry,
            limits,
            &control,
            move |p| {
                engine.emit_download(DownloadStatus {
                    episode_id: id,
                    state: if p.offline {
                        DownloadPhase::Offline
                    } else {
                        DownloadPhase::Running
                    },
                    downloaded: p.downloaded,
                    total: p.total,
                    bytes_per_s: p.bytes_per_s,
                    error: None,
                    path: None,
                });
            },
        )
        .await;
        lock(&self.inner.downloads.active).remove(&id);
        let downloaded = transfer::partial_len(&dest);
        let (phase, error, path, bytes) = match result {
            Ok(size) => {
                let saved = {
                    let dest_text = dest_text.clone();
                    self.with_library(move |l| l.mark_downloaded(id, &dest_text, size))
                        .await
                };
                match saved {
                    Ok(()) => (DownloadPhase::Done, None, Some(dest_text.clone()), size),
                    Err(e) => (DownloadPhase::Failed, Some(e.to_string()), None, size),
                }
            }
            Err(DownloadError::Paused) => (DownloadPhase::Paused, None, None, downloaded),
            Err(DownloadError::Cancelled) => (DownloadPhase::Removed, None, None, 0),
            Err(e) => (DownloadPhase::Failed, Some(e.to_string()), None, downloaded),
        };
        let record = match phase {
            DownloadPhase::Paused => Some(DownloadState::Paused),
            DownloadPhase::Failed if path.is_none() => Some(DownloadState::Failed),
            _ => None,
        };
        let stored = match record {
            Some(state) => {
                let dest_text = dest_text.clone();
                let error = error.clone();
                self.with_library(move |l| {
                    l.set_download_state(id, state, &dest_text, None, error.as_deref())
                })
                .await
            }
            None if phase == DownloadPhase::Removed => {
                self.with_library(move |l| l.remove_download_record(id))
                    .await
            }
            None => Ok(()),
        };
        if let Err(error) = stored {
            tracing::warn!(%error, "download state not saved");
        }
        if let Some(e) = &error {
            tracing::warn!(episode = id.0, error = %e, "download failed");
        }
        let done = phase == DownloadPhase::Done;
        self.emit_download(DownloadStatus {
            episode_id: id,
            state: phase,
            downloaded: bytes,
            total: None,
            bytes_per_s: 0.0,
            error,
            path,
        });
        // The transcript goes with the episode, for the train: fetched now if it was not yet
        // (or read from a sidecar file the listener put beside it).
        if done {
            if let Err(error) = self.load_transcript(id).await {
                tracing::warn!(episode = id.0, %error, "transcript not kept with the download");
            }
            // Measured once, now: its next play starts at the right gain.
            if let Err(error) = self.measure_download(id).await {
                tracing::warn!(episode = id.0, %error, "download not measured");
            }
        }
    }

    /// Pauses a running or queued download; its `.part` file stays for a resume.
    pub fn pause_download(&self, id: EpisodeId) {
        if let Some(control) = lock(&self.inner.downloads.active).get(&id) {
            control.pause();
        }
    }

    /// Cancels a download and throws away what it fetched.
    pub async fn cancel_download(&self, id: EpisodeId) -> Result<(), LibraryError> {
        let control = lock(&self.inner.downloads.active).get(&id).cloned();
        match control {
            Some(control) => control.cancel(),
            None => {
                let record = self.with_library(move |l| l.download_record(id)).await?;
                if let Some(record) = record {
                    transfer::discard_part(Path::new(&record.dest_path));
                }
                self.with_library(move |l| l.remove_download_record(id))
                    .await?;
                self.emit_download(DownloadStatus {
                    episode_id: id,
                    state: DownloadPhase::Removed,
                    downloaded: 0,
                    total: None,
                    bytes_per_s: 0.0,
                    error: None,
                    path: None,
                });
            }
        }
        Ok(())
    }

    /// Deletes a finished download's file and the library's record of it; the episode stays.
    pub async fn delete_download(&self, id: EpisodeId) -> Result<(), DownloadRequestError> {
        let episode = self.episode(id).await?;
        if let Some(path) = episode.download_path.as_deref().map(PathBuf::from) {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(DownloadRequestError::Delete { path, source }),
            }
        }
        self.with_library(move |l| l.clear_downloaded(id)).await?;
        self.emit_download(DownloadStatus {
            episode_id: id,
            state: DownloadPhase::Removed,
            downloaded: 0,
            total: None,
            bytes_per_s: 0.0,
            error: None,
            path: None,
        });
        Ok(())
    }

    /// Every download the UI lists: unfinished ones, then what is on disk.
    pub async fn downloads(&self) -> Result<Vec<DownloadStatus>, LibraryError> {
        let (records, done) = self
            .with_library(|l| Ok((l.download_records()?, l.downloaded_episodes()?)))
            .await?;
        let mut out: Vec<DownloadStatus> = records
            .into_iter()
            .map(|r| DownloadStatus {
                episode_id: r.episode_id,
                state: match r.state {
                    DownloadState::Queued => DownloadPhase::Queued,
                    DownloadState::Running => DownloadPhase::Running,
                    DownloadState::Paused => DownloadPhase::Paused,
                    DownloadState::Failed => DownloadPhase::Failed,
                },
                downloaded: transfer::partial_len(Path::new(&r.dest_path)),
                total: r.total_bytes,
                bytes_per_s: 0.0,
                error: r.error,
                path: None,
            })
            .collect();
        out.extend(done.into_iter().map(|(id, path, bytes)| DownloadStatus {
            episode_id: id,
            state: DownloadPhase::Done,
            downloaded: bytes,
            total: Some(bytes),
            bytes_per_s: 0.0,
            error: None,
            path: Some(path),
        }));
        Ok(out)
    }

    /// Restarts downloads that were queued or running when the app last stopped (a quit, a
    /// crash, `kill -9`): they resume from their `.part` files.
    pub async fn resume_interrupted_downloads(&self) -> Result<usize, LibraryError> {
        let records = self.with_library(|l| l.download_records()).await?;
        let mut resumed = 0;
        for record in records {
            if matches!(record.state, DownloadState::Queued | DownloadState::Running) {
                self.download_episode(record.episode_id).await?;
                resumed += 1;
            }
        }
        Ok(resumed)
    }
}
