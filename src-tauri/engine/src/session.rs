//! The listening session: the one owner of what plays, what plays next (Up Next), and the
//! listener's speed and volume, all kept in the library so that a quit, a crash or a
//! `kill -9` loses none of it.
//!
//! The player reports; the session's own thread takes those reports in order. It saves the
//! position (every few seconds and on pause), marks a finished episode played, takes it out
//! of Up Next and starts the next one (continuous play), and remembers the episode, speed and
//! volume the player says it has, so a relaunch can put the listener back where they were,
//! paused. The player never waits on SQLite: it only sends into a channel.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};

use crate::events::{EngineEvent, NowPlaying, SessionNotice, UpNext};
use crate::library::{EpisodeId, Library, LibraryError, QueuePlace};
use crate::player::{self, Command, LoadRequest, MediaLocation, PlayerEvent, PlayerHandle};
use crate::transcript_fetch::TranscriptState;
use crate::Engine;

const NOW_PLAYING_KEY: &str = "session_episode";
const SPEED_KEY: &str = "session_speed";
const VOLUME_KEY: &str = "session_volume";
const CONTINUOUS_KEY: &str = "session_continuous";

/// The handle the shell keeps; cheap to clone.
#[derive(Clone)]
pub struct Session {
    engine: Engine,
    player: PlayerHandle,
    notes: Sender<Note>,
}

/// What the session thread takes in: the player's events, and changes made through the handle.
enum Note {
    Player(Box<PlayerEvent>),
    QueueChanged,
    ChaptersFound(EpisodeId),
    /// A transcript of the episode was stored: the player follows its cues.
    TranscriptFound(EpisodeId),
    /// A show's sound profile changed: an episode of it playing takes it now.
    ProfileChanged(crate::library::ShowId),
}

impl Engine {
    /// Starts the player and the session around it; what they report comes through the
    /// engine's [`crate::Events`]. Streams retry as `retry` says: the app keeps trying (the
    /// listener sees the outage and decides, and playback resumes by itself); a script gives up.
    pub fn start_session(&self, retry: player::RetryPolicy) -> std::io::Result<Session> {
        let (notes, inbox) = mpsc::channel::<Note>();
        let to_session = notes.clone();
        let player = player::spawn(
            self.inner.http.clone(),
            retry,
            Box::new(move |event| {
                let _ = to_session.send(Note::Player(Box::new(event)));
            }),
        )?;
        let worker = Worker {
            engine: self.clone(),
            notes: notes.clone(),
            player: player.clone(),
            remembered: Remembered::default(),
            loaded: None,
            told: None,
            advanced_to: None,
            silence_counted: None,
            was_wanting_play: false,
        };
        std::thread::Builder::new()
            .name("chaptercast-session".into())
            .spawn(move || worker.run(inbox))?;
        Ok(Session {
            engine: self.clone(),
            player,
            notes,
        })
    }
}

impl Session {
    pub fn send(&self, command: Command) {
        self.player.send(command);
    }

    pub fn player(&self) -> &PlayerHandle {
        &self.player
    }

    /// Plays `id` from `at_ms`, or from where the listener left off.
    pub async fn play(&self, id: EpisodeId, at_ms: Option<u64>) -> Result<(), LibraryError> {
        let request = self.engine.load_request(id, at_ms).await?;
        self.player.send(Command::Load(Box::new(request)));
        Ok(())
    }

    /// Puts the listener back where they were: the last episode, paused at its saved position,
    /// with their speed and volume. Nothing happens when there was none (or it is gone).
    pub async fn restore(&self) -> Result<Option<EpisodeId>, LibraryError> {
        let saved = self
            .engine
            .with_library(|l| {
                Ok((
                    l.setting(NOW_PLAYING_KEY)?,
                    l.setting(SPEED_KEY)?,
                    l.setting(VOLUME_KEY)?,
                ))
            })
            .await?;
        let (episode, speed, volume) = saved;
        if let Some(speed) = speed.and_then(|s| s.parse::<f32>().ok()) {
            self.player.send(Command::SetSpeed(speed));
        }
        if let Some(volume) = volume.and_then(|v| v.parse::<f32>().ok()) {
            self.player.send(Command::SetVolume(volume));
        }
        let Some(id) = episode.and_then(|e| e.parse::<i64>().ok()).map(EpisodeId) else {
            return Ok(None);
        };
        let mut request = match self.engine.load_request(id, None).await {
            Ok(r) => r,
            Err(LibraryError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        request.autoplay = false;
        self.player.send(Command::Load(Box::new(request)));
        Ok(Some(id))
    }

    /// Up Next, first first.
    pub async fn queue(&self) -> Result<Vec<EpisodeId>, LibraryError> {
        self.engine.queue().await
    }

    pub async fn queue_add(
        &self,
        ids: Vec<EpisodeId>,
        place: QueuePlace,
    ) -> Result<(), LibraryError> {
        self.engine.queue_add(ids, place).await?;
        self.queue_changed();
        Ok(())
    }

    /// Queues `id` to start at `start_ms` (a chapter: it plays from there and goes on).
    pub async fn queue_add_at(
        &self,
        id: EpisodeId,
        start_ms: u64,
        place: QueuePlace,
    ) -> Result<(), LibraryError> {
        self.engine
            .with_library(move |l| l.queue_add_at(id, start_ms, place))
            .await?;
        self.queue_changed();
        Ok(())
    }

    pub async fn queue_remove(&self, id: EpisodeId) -> Result<bool, LibraryError> {
        let removed = self.engine.queue_remove(id).await?;
        self.queue_changed();
        Ok(removed)
    }

    pub async fn queue_move(&self, id: EpisodeId, index: usize) -> Result<bool, LibraryError> {
        let moved = self.engine.queue_move(id, index).await?;
        self.queue_changed();
        Ok(moved)
    }

    pub async fn queue_clear(&self) -> Result<(), LibraryError> {
        self.engine.queue_clear().await?;
        self.queue_changed();
        Ok(())
    }

    /// Whether the next queued episode starts by itself when one ends.
    pub async fn set_continuous(&self, on: bool) -> Result<(), LibraryError> {
        self.engine.set_continuous_play(on).await?;
        self.queue_changed();
        Ok(())
    }

    /// Media keys Next/Previous: through Up Next when it has items, else by chapter.
    pub async fn next(&self, step: i32) -> Result<(), LibraryError> {
        let playing = self.engine.now_playing_setting().await?;
        let queue = self.queue().await?;
        if queue.is_empty() {
            self.player.send(Command::ChapterStep(step));
            return Ok(());
        }
        let at = playing.and_then(|p| queue.iter().position(|q| *q == p));
        let target = match (at, step.signum()) {
            (Some(i), 1) => queue.get(i + 1).copied(),
            (None, 1) => queue.first().copied(),
            (Some(i), _) if i > 0 => queue.get(i - 1).copied(),
            _ => None,
        };
        match target {
            Some(id) => {
                let start = self.engine.with_library(move |l| l.queue_start(id)).await?;
                self.play(id, start).await
            }
            None => {
                self.player.send(Command::ChapterStep(step));
                Ok(())
            }
        }
    }

    /// Chapters of `id` were fetched (a chapters file, the audio's own): if it is the episode
    /// playing, the player and the listener get them now.
    pub fn chapters_found(&self, id: EpisodeId) {
        let _ = self.notes.send(Note::ChaptersFound(id));
    }

    /// The listener changed `show`'s sound profile: an episode of it playing sounds, skips and
    /// runs at the new settings at once.
    pub fn profile_changed(&self, show: crate::library::ShowId) {
        let _ = self.notes.send(Note::ProfileChanged(show));
    }

    /// A transcript of `id` was stored: if it is the episode playing, the player follows it.
    pub fn transcript_found(&self, id: EpisodeId) {
        let _ = self.notes.send(Note::TranscriptFound(id));
    }

    fn queue_changed(&self) {
        let _ = self.notes.send(Note::QueueChanged);
    }
}

fn is_continuous(library: &Library) -> bool {
    !matches!(
        library.setting(CONTINUOUS_KEY).ok().flatten().as_deref(),
        Some("0")
    )
}

impl Engine {
    /// Whether the next queued episode starts by itself when one ends (on unless switched off).
    pub async fn continuous_play(&self) -> Result<bool, LibraryError> {
        self.with_library(|l| Ok(is_continuous(l))).await
    }

    pub async fn set_continuous_play(&self, on: bool) -> Result<(), LibraryError> {
        self.with_library(move |l| l.set_setting(CONTINUOUS_KEY, if on { "1" } else { "0" }))
            .await
    }

    pub async fn queue(&self) -> Result<Vec<EpisodeId>, LibraryError> {
        self.with_library(|l| l.queue()).await
    }

    /// Up Next with what a list shows of each item.
    pub async fn up_next(&self) -> Result<UpNext, LibraryError> {
        self.with_library(|l| UpNext::read(l, is_continuous(l)))
            .await
    }

    pub async fn queue_add(
        &self,
        ids: Vec<EpisodeId>,
        place: QueuePlace,
    ) -> Result<(), LibraryError> {
        self.with_library(move |l| l.queue_add(&ids, place)).await
    }

    pub async fn queue_remove(&self, id: EpisodeId) -> Result<bool, LibraryError> {
        self.with_library(move |l| l.queue_remove(id)).await
    }

    pub async fn queue_move(&self, id: EpisodeId, index: usize) -> Result<bool, LibraryError> {
        self.with_library(move |l| l.queue_move(id, index)).await
    }

    pub async fn queue_clear(&self) -> Result<(), LibraryError> {
        self.with_library(|l| l.queue_clear()).await
    }

    /// The episodes with this feed GUID (for the command line, which names episodes so).
    pub async fn episodes_with_guid(&self, guid: String) -> Result<Vec<EpisodeId>, LibraryError> {
        self.with_library(move |l| l.episodes_with_guid(&guid))
            .await
    }

    /// The episode the session last had loaded.
    pub async fn now_playing_setting(&self) -> Result<Option<EpisodeId>, LibraryError> {
        let saved = self.with_library(|l| l.setting(NOW_PLAYING_KEY)).await?;
        Ok(saved.and_then(|s| s.parse::<i64>().ok()).map(EpisodeId))
    }

    /// What playing episode `id` means: its downloaded file when there is one (and it is still
    /// on disk), else its enclosure URL; from `at_ms`, else where the listener left off.
    pub async fn load_request(
        &self,
        id: EpisodeId,
        at_ms: Option<u64>,
    ) -> Result<LoadRequest, LibraryError> {
        self.with_library(move |l| load_request(l, id, at_ms)).await
    }
}

/// [`Engine::load_request`] on a locked library.
pub fn load_request(
    library: &Library,
    id: EpisodeId,
    at_ms: Option<u64>,
) -> Result<LoadRequest, LibraryError> {
    let episode = library.episode(id)?;
    let chapters = library.known_chapters(id)?;
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
    let profile = crate::sound_profile::profile_for(library, episode.summary.show_id)?;
    let measured = match &location {
        MediaLocation::File(path) => library
            .episode_loudness(id, &path.to_string_lossy())?
            .map(|m| m.integrated_lufs),
        MediaLocation::Url(_) => None,
    };
    let show_lufs = library.show_loudness(episode.summary.show_id)?;
    let frame_index = match &location {
        MediaLocation::Url(url) => library.frame_index(id, url)?,
        MediaLocation::File(_) => None,
    };
    Ok(LoadRequest {
        key: episode_key(id),
        location,
        mime: episode.enclosure_type.clone(),
        start_ms: at_ms.unwrap_or(resume),
        chapters,
        autoplay: true,
        skips: profile.skips(),
        sound: profile.sound(measured, show_lufs),
        frame_index,
    })
}

/// The player key of a library episode.
pub fn episode_key(id: EpisodeId) -> String {
    id.0.to_string()
}

/// The library episode a player key names, if it names one.
pub fn episode_of_key(key: &str) -> Option<EpisodeId> {
    key.parse::<i64>().ok().map(EpisodeId)
}

/// What the session last wrote down, so it writes only changes.
#[derive(Default)]
struct Remembered {
    episode: Option<EpisodeId>,
    speed: Option<f32>,
    volume: Option<f32>,
}

struct Worker {
    engine: Engine,
    /// Its own inbox, for the chapter fetches it starts.
    notes: Sender<Note>,
    player: PlayerHandle,
    remembered: Remembered,
    /// The episode the player has, and the audio length its chapters were derived with.
    loaded: Option<(EpisodeId, Option<u64>)>,
    /// What the listener was last told about the loaded episode.
    told: Option<NowPlaying>,
    /// The episode that finished and the Up Next item continuous play started after it, until
    /// that plays or is passed over.
    advanced_to: Option<(EpisodeId, EpisodeId)>,
    /// Skip silence's savings already added to the library: (episode, ms of this load).
    silence_counted: Option<(EpisodeId, u64)>,
    /// The listener wanted sound at the last status: a pause or stop after it is a moment to
    /// sync the position.
    was_wanting_play: bool,
}

/// An Up Next item started by continuous play whose host has not answered for this long, while
/// it never answered for this episode, counts as offline: the downloaded items after it play.
const OFFLINE_AFTER_MS: u64 = 700;

impl Worker {
    fn run(mut self, inbox: Receiver<Note>) {
        self.report_queue();
        while let Ok(note) = inbox.recv() {
            match note {
                Note::Player(event) => self.on_player(*event),
                Note::QueueChanged => self.report_queue(),
                Note::ChaptersFound(id) => {
                    if self.loaded.is_some_and(|(loaded, _)| loaded == id) {
                        self.resend_chapters(id);
                    }
                }
                Note::TranscriptFound(id) => self.send_cues(id),
                Note::ProfileChanged(show) => self.apply_profile(show),
            }
        }
    }

    fn on_player(&mut self, event: PlayerEvent) {
        match event {
            PlayerEvent::Status(status) => {
                self.count_silence_saved(&status);
                self.remember(&status);
                self.follow_length(&status);
                self.pass_over_offline(&status);
                if self.was_wanting_play && !status.wants_play {
                    self.engine.sync_soon();
                }
                self.was_wanting_play = status.wants_play;
                self.engine.emit(EngineEvent::Player(status));
            }
            PlayerEvent::SavePosition {
                key,
                position_ms,
                finished,
                duration_ms,
            } => {
                if let Some(id) = episode_of_key(&key) {
                    self.save(id, position_ms, finished, duration_ms);
                    if finished {
                        self.advance(id);
                    }
                }
            }
            PlayerEvent::FrameIndex { key, url, index } => {
                if let Some(id) = episode_of_key(&key) {
                    if let Err(error) = self.with_library(|l| l.save_frame_index(id, &url, &index))
                    {
                        tracing::warn!(episode = id.0, %error, "could not keep the frame index");
                    }
                }
            }
            PlayerEvent::Skipped {
                key,
                reason,
                from_ms,
                to_ms,
            } => {
                if let Some(episode) = episode_of_key(&key) {
                    self.engine
                        .emit(EngineEvent::Notice(SessionNotice::Skipped {
                            episode,
                            what: reason,
                            from_ms,
                            to_ms,
                        }));
                }
            }
        }
    }

    fn with_library<T>(
        &self,
        job: impl FnOnce(&mut Library) -> Result<T, LibraryError>,
    ) -> Result<T, LibraryError> {
        let mut library = self
            .engine
            .inner
            .library
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        job(&mut library)
    }

    fn save(&self, id: EpisodeId, position_ms: u64, finished: bool, duration_ms: Option<u64>) {
        let saved = self.with_library(|library| {
            if let Some(duration_ms) = duration_ms.filter(|d| *d > 0) {
                library.set_audio_duration(id, duration_ms)?;
            }
            if finished {
                library.set_position(id, 0)?;
                library.set_played(id, true)
            } else {
                library.set_position(id, position_ms)
            }
        });
        if let Err(error) = saved {
            tracing::warn!(episode = id.0, %error, "could not save the position");
        }
    }

    /// `finished` ended: it leaves Up Next, and the item after it starts (continuous play).
    fn advance(&mut self, finished: EpisodeId) {
        let next = self.with_library(|l| {
            let next = l.queue_next_after(Some(finished))?;
            l.queue_remove(finished)?;
            let start = match next {
                Some(id) => l.queue_start(id)?,
                None => None,
            };
            Ok(next.filter(|_| is_continuous(l)).map(|id| (id, start)))
        });
        self.report_queue();
        let next = match next {
            Ok(next) => next,
            Err(error) => {
                tracing::warn!(%error, "could not read Up Next");
                return;
            }
        };
        let Some((next, start)) = next else { return };
        match self.with_library(|l| load_request(l, next, start)) {
            Ok(request) => {
                self.advanced_to = Some((finished, next));
                self.player.send(Command::Load(Box::new(request)));
            }
            Err(error) => tracing::warn!(episode = next.0, %error, "could not start the next"),
        }
    }

    /// Offline, continuous play does not sit on an item that has to be streamed: it goes on
    /// to the next downloaded one, and says which it passed over. Those stay in Up Next for
    /// when the network is back. With nothing downloaded after it, the bar's "Can't reach"
    /// stays, with its Retry.
    fn pass_over_offline(&mut self, status: &player::PlayerStatus) {
        let Some((from, started)) = self.advanced_to else {
            return;
        };
        let current = status.key.as_deref().and_then(episode_of_key);
        if current != Some(started) {
            // Until the player has it, statuses still name the finished episode.
            if current != Some(from) {
                self.advanced_to = None;
            }
            return;
        }
        if !matches!(
            status.state,
            player::PlaybackState::Loading | player::PlaybackState::Error
        ) {
            self.advanced_to = None;
            return;
        }
        let offline = match (&status.network, &status.error) {
            (Some(stall), _) => !stall.had_answered && stall.for_ms >= OFFLINE_AFTER_MS,
            (None, Some(player::PlayerError::Unreachable { .. })) => true,
            _ => false,
        };
        if !offline {
            return;
        }
        self.advanced_to = None;
        let plan = self.with_library(|l| {
            let queue = l.queue()?;
            let after = queue.iter().skip_while(|id| **id != started);
            let mut passed = Vec::new();
            for &id in after {
                let request = load_request(l, id, None)?;
                if matches!(request.location, MediaLocation::File(_)) {
                    let start = l.queue_start(id)?;
                    return Ok((passed, Some(load_request(l, id, start)?)));
                }
                passed.push(l.episode(id)?.summary.title);
            }
            Ok((passed, None))
        });
        match plan {
            Ok((titles, Some(request))) => {
                tracing::info!(
                    skipped = titles.len(),
                    "offline: playing the next downloaded item"
                );
                self.engine
                    .emit(EngineEvent::Notice(SessionNotice::SkippedOffline {
                        titles,
                    }));
                self.player.send(Command::Load(Box::new(request)));
            }
            Ok((_, None)) => {}
            Err(error) => tracing::warn!(%error, "could not read Up Next"),
        }
    }

    /// The first time the decoder says how long the loaded episode is (and whenever that
    /// changes), the length is stored at once and the chapters are derived again: show-notes
    /// timestamps are cut at the episode's length, so a wrong feed duration (1:43 for an hour)
    /// would otherwise hide every chapter until a restart.
    fn follow_length(&mut self, status: &player::PlayerStatus) {
        let Some(id) = status.key.as_deref().and_then(episode_of_key) else {
            self.loaded = None;
            return;
        };
        let length = status.duration_ms.filter(|d| *d > 0);
        match self.loaded {
            Some((loaded, known)) if loaded == id => {
                let changed = match (known, length) {
                    (_, None) => false,
                    (None, Some(_)) => true,
                    // VBR estimates are refined as the file is read: only a real change counts.
                    (Some(a), Some(b)) => a.abs_diff(b) > 1_000,
                };
                if !changed {
                    return;
                }
            }
            _ => {
                self.loaded = Some((id, None));
                self.report_now_playing(id);
                self.send_cues(id);
                self.apply_speed(id);
                self.fetch_extras(id);
                if length.is_none() {
                    return;
                }
            }
        }
        self.loaded = Some((id, length));
        let Some(length) = length else { return };
        let lengths = self.with_library(|l| {
            let before = l.episode(id)?.summary.duration_s;
            l.set_audio_duration(id, length)?;
            Ok((before, l.episode(id)?.summary.duration_s))
        });
        match lengths {
            Ok((before, after)) if before != after => self.resend_chapters(id),
            Ok(_) => {}
            Err(error) => tracing::warn!(episode = id.0, %error, "could not store the length"),
        }
    }

    /// Gives the player and the listener the chapters the library now has for `id`.
    fn resend_chapters(&mut self, id: EpisodeId) {
        match self.with_library(|l| NowPlaying::read(l, id)) {
            Ok(now) => {
                if self.told.as_ref() == Some(&now) {
                    return;
                }
                self.player.send(Command::SetChapters(now.chapters.clone()));
                self.told = Some(now.clone());
                self.engine.emit(EngineEvent::NowPlaying(now));
            }
            Err(error) => tracing::warn!(episode = id.0, %error, "could not read the chapters"),
        }
    }

    /// The show's own speed, when its profile has one (its sound and skips came with the load).
    fn apply_speed(&self, id: EpisodeId) {
        let profile = self.with_library(|l| {
            let show = l.episode(id)?.summary.show_id;
            crate::sound_profile::profile_for(l, show)
        });
        match profile {
            Ok(profile) => {
                if let Some(speed) = profile.speed {
                    self.player.send(Command::SetSpeed(speed));
                }
            }
            Err(error) => tracing::warn!(episode = id.0, %error, "could not read the profile"),
        }
    }

    /// Sends the playing episode's new sound, skips (and speed) when it belongs to `show`.
    fn apply_profile(&self, show: crate::library::ShowId) {
        let Some((id, _)) = self.loaded else {
            return;
        };
        let request = self.with_library(|l| {
            if l.episode(id)?.summary.show_id != show {
                return Ok(None);
            }
            load_request(l, id, None).map(Some)
        });
        match request {
            Ok(Some(request)) => {
                let key = episode_key(id);
                self.player.send(Command::SetSound {
                    key: key.clone(),
                    sound: request.sound,
                });
                self.player.send(Command::SetSkips {
                    key,
                    skips: request.skips,
                });
                self.apply_speed(id);
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(episode = id.0, %error, "could not apply the profile"),
        }
    }

    /// Gives the player the cue times of `id`'s stored transcript, so it reports the cue being
    /// said (the one rule for "current cue"). The player ignores them if another episode is in.
    fn send_cues(&self, id: EpisodeId) {
        match self.with_library(|l| l.cue_starts(id)) {
            Ok(starts_ms) => self.player.send(Command::SetCues {
                key: episode_key(id),
                starts_ms,
            }),
            Err(error) => tracing::warn!(episode = id.0, %error, "could not read the cues"),
        }
    }

    /// Fetches what the feed only points to (a chapters file, the audio's own chapters, the
    /// transcript) for the episode just loaded, however it was started (Up Next, search, a
    /// relaunch): they reach the player and the listener when found. Cached after the first
    /// time.
    fn fetch_extras(&self, id: EpisodeId) {
        let engine = self.engine.clone();
        let notes = self.notes.clone();
        let spawned = std::thread::Builder::new()
            .name("chaptercast-extras".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => return tracing::warn!(%error, "no runtime for chapters"),
                };
                match runtime.block_on(engine.load_chapters(id)) {
                    Ok(_) => {
                        let _ = notes.send(Note::ChaptersFound(id));
                    }
                    Err(error) => tracing::info!(episode = id.0, %error, "no chapters fetched"),
                }
                match runtime.block_on(engine.load_transcript(id)) {
                    Ok(TranscriptState::Stored(_)) => {
                        let _ = notes.send(Note::TranscriptFound(id));
                    }
                    Ok(_) => {}
                    Err(error) => tracing::info!(episode = id.0, %error, "no transcript fetched"),
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "could not fetch chapters");
        }
    }

    /// Names the episode just loaded, with its chapters.
    fn report_now_playing(&mut self, id: EpisodeId) {
        match self.with_library(|l| NowPlaying::read(l, id)) {
            Ok(now) => {
                self.told = Some(now.clone());
                self.engine.emit(EngineEvent::NowPlaying(now));
            }
            Err(error) => tracing::warn!(episode = id.0, %error, "could not name the episode"),
        }
    }

    fn report_queue(&mut self) {
        match self.with_library(|l| UpNext::read(l, is_continuous(l))) {
            Ok(up_next) => self.engine.emit(EngineEvent::UpNext(up_next)),
            Err(error) => tracing::warn!(%error, "could not read Up Next"),
        }
    }

    /// Adds what skip silence saved to the episode's total, a second or more at a time.
    fn count_silence_saved(&mut self, status: &player::PlayerStatus) {
        let Some(id) = status.key.as_deref().and_then(episode_of_key) else {
            return;
        };
        let now = status.silence_saved_ms;
        // Another episode, or a new load of this one (its count starts at 0 again).
        let counted = match self.silence_counted {
            Some((episode, ms)) if episode == id && ms <= now => ms,
            _ => 0,
        };
        if now >= counted + 1_000 {
            if let Err(error) = self.with_library(|l| l.add_silence_saved(id, now - counted)) {
                tracing::warn!(episode = id.0, %error, "could not count the time saved");
            }
            self.silence_counted = Some((id, now));
        } else if counted == 0 {
            self.silence_counted = Some((id, 0));
        }
    }

    /// Writes down the episode, speed and volume the player has, when they changed.
    fn remember(&mut self, status: &player::PlayerStatus) {
        // Only once an episode is loaded: before that the player reports its defaults, which
        // must not overwrite what a relaunch is about to restore.
        let Some(episode) = status.key.as_deref().and_then(episode_of_key) else {
            return;
        };
        let mut writes: Vec<(&str, String)> = Vec::new();
        if self.remembered.episode != Some(episode) {
            self.remembered.episode = Some(episode);
            writes.push((NOW_PLAYING_KEY, episode_key(episode)));
        }
        if self.remembered.speed != Some(status.speed) {
            self.remembered.speed = Some(status.speed);
            writes.push((SPEED_KEY, status.speed.to_string()));
        }
        if self.remembered.volume != Some(status.volume) {
            self.remembered.volume = Some(status.volume);
            writes.push((VOLUME_KEY, status.volume.to_string()));
        }
        if writes.is_empty() {
            return;
        }
        let written = self.with_library(|l| {
            for (key, value) in &writes {
                l.set_setting(key, value)?;
            }
            Ok(())
        });
        if let Err(error) = written {
            tracing::warn!(%error, "could not remember the session");
        }
    }
}
