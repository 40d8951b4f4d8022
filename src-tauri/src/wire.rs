//! The UI contract: the types commands take and return, exported to TypeScript by
//! tauri-specta (`ui/src/api/bindings.ts`). Ids travel as strings and times as RFC 3339
//! strings or `u32` seconds/milliseconds, because JSON numbers cannot carry an `i64` safely.

use chaptercast_engine as engine;
use serde::Serialize;
use specta::Type;

/// A subscribed show.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ShowView {
    pub id: String,
    pub feed_url: String,
    /// Empty until the feed has been fetched once: show the URL instead.
    pub title: String,
    pub link: Option<String>,
    pub image_url: Option<String>,
    /// Sanitized HTML: the only markup from a feed that may be put into the DOM.
    pub description_html: String,
    pub episode_count: u32,
    /// RFC 3339 time of the last successful refresh; `null` if never refreshed.
    pub last_refreshed_at: Option<String>,
    /// Why the last refresh failed, if it did.
    pub last_error: Option<String>,
    /// Another device unsubscribed (sync) while this one had downloads or positions in it: it
    /// is no longer refreshed or synced, and stays until the listener subscribes again or
    /// removes it.
    pub unsubscribed_elsewhere: bool,
}

/// One line of an episode list.
#[derive(Debug, Clone, Serialize, Type)]
pub struct EpisodeRow {
    pub id: String,
    pub show_id: String,
    pub title: String,
    /// RFC 3339, UTC.
    pub published: Option<String>,
    /// The audio's own length once it has been played, else the feed's.
    pub duration_s: Option<u32>,
    pub is_played: bool,
    pub position_ms: u32,
    pub is_downloaded: bool,
}

/// Everything the episode view shows.
#[derive(Debug, Clone, Serialize, Type)]
pub struct EpisodeView {
    pub row: EpisodeRow,
    /// Sanitized show notes HTML.
    pub description_html: String,
    pub link: Option<String>,
    pub image_url: Option<String>,
    pub enclosure_url: String,
    /// A video episode: its audio track is what plays.
    pub is_video: bool,
    pub season: Option<u32>,
    pub episode_number: Option<u32>,
    /// The chapters known without the network (show notes, Podlove, earlier fetches);
    /// `load_chapters` adds what must be fetched.
    pub chapters: Vec<ChapterView>,
    /// The feed offers a transcript, or one sits beside the download: `load_transcript`
    /// reads it.
    pub has_transcript: bool,
}

/// An episode's transcript as the Transcript tab shows it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct TranscriptView {
    pub state: TranscriptState,
    /// Cues carry times: a click plays from one.
    pub timed: bool,
    pub cues: Vec<CueView>,
    /// Why it is unreadable or unavailable.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum TranscriptState {
    /// The episode has none.
    None,
    Ready,
    /// It was fetched and could not be read.
    Unreadable,
    /// Offered but not fetched: offline or the server failed; asking again may work.
    Unavailable,
    /// Like `Unavailable`, because the network is missing.
    Offline,
}

/// One cue: a line said, from `start_ms`.
#[derive(Debug, Clone, Serialize, Type)]
pub struct CueView {
    pub start_ms: u32,
    pub end_ms: u32,
    pub speaker: Option<String>,
    pub text: String,
    /// Timed and within the audio: a click plays from here.
    pub playable: bool,
}

impl TranscriptView {
    /// `duration_ms`: the audio's length when known (cues after it are kept, not playable).
    pub fn new(state: engine::transcript_fetch::TranscriptState, duration_ms: Option<u64>) -> Self {
        use engine::transcript_fetch::TranscriptState as S;
        let empty = |state, detail| TranscriptView {
            state,
            timed: false,
            cues: Vec::new(),
            detail,
        };
        match state {
            S::None => empty(TranscriptState::None, None),
            S::Unavailable { reason, offline } => empty(
                if offline {
                    TranscriptState::Offline
                } else {
                    TranscriptState::Unavailable
                },
                Some(reason),
            ),
            S::Stored(stored) => match stored.error {
                Some(error) => empty(TranscriptState::Unreadable, Some(error)),
                None => TranscriptView {
                    state: TranscriptState::Ready,
                    timed: stored.timed,
                    cues: stored
                        .cues
                        .into_iter()
                        .map(|c| CueView {
                            playable: stored.timed && duration_ms.is_none_or(|d| c.start_ms < d),
                            start_ms: ms_u32(c.start_ms),
                            end_ms: ms_u32(c.end_ms),
                            speaker: c.speaker,
                            text: c.text,
                        })
                        .collect(),
                    detail: None,
                },
            },
        }
    }
}

/// One chapter of the merged list.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ChapterView {
    pub start_ms: u32,
    /// Where it ends (the next chapter or the episode's end), when known.
    pub end_ms: Option<u32>,
    pub title: String,
    /// "show-notes" | "podcast-json" | "podlove" | "id3" | "mp4" | "vorbis"
    pub source: String,
    /// A web page about the chapter.
    pub url: Option<String>,
    /// Chapter artwork URL.
    pub img: Option<String>,
}

/// Chapters for the UI: hidden (`toc: false`) ones are left out of the list.
pub fn chapter_views(chapters: Vec<engine::Chapter>) -> Vec<ChapterView> {
    chapters
        .into_iter()
        .filter(|c| !c.is_hidden)
        .map(|c| ChapterView {
            start_ms: ms_u32(c.start_ms),
            end_ms: c.end_ms.map(ms_u32),
            title: c.title,
            source: serde_json::to_value(c.source)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            url: c.url,
            img: c.img,
        })
        .collect()
}

fn ms_u32(ms: u64) -> u32 {
    ms.min(u64::from(u32::MAX)) as u32
}

/// The result of refreshing every show.
#[derive(Debug, Clone, Serialize, Type)]
pub struct RefreshReport {
    pub shows: Vec<ShowRefresh>,
    /// Every failure looked like a missing network.
    pub is_offline: bool,
}

/// The result of refreshing one show.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ShowRefresh {
    pub show_id: String,
    pub added: u32,
    pub error: Option<crate::error::CommandError>,
}

impl From<engine::Show> for ShowView {
    fn from(show: engine::Show) -> Self {
        ShowView {
            id: show.id.0.to_string(),
            feed_url: show.feed_url,
            title: show.title,
            link: show.link,
            image_url: show.image_url,
            description_html: show.description_html,
            episode_count: show.episode_count,
            last_refreshed_at: show.last_refreshed_at,
            last_error: show.last_error,
            unsubscribed_elsewhere: show.unsubscribed_elsewhere,
        }
    }
}

impl From<engine::EpisodeSummary> for EpisodeRow {
    fn from(e: engine::EpisodeSummary) -> Self {
        EpisodeRow {
            id: e.id.0.to_string(),
            show_id: e.show_id.0.to_string(),
            title: e.title,
            published: e.published_at.and_then(rfc3339),
            duration_s: e.duration_s,
            is_played: e.is_played,
            position_ms: ms_u32(e.position_ms),
            is_downloaded: e.is_downloaded,
        }
    }
}

impl EpisodeView {
    pub fn new(e: engine::Episode, chapters: Vec<engine::Chapter>) -> Self {
        EpisodeView {
            row: e.summary.into(),
            description_html: e.description_html,
            link: e.link,
            image_url: e.image_url,
            is_video: engine::feed::is_video_enclosure(
                &e.enclosure_url,
                e.enclosure_type.as_deref(),
            ),
            enclosure_url: e.enclosure_url,
            season: e.season,
            episode_number: e.episode_number,
            has_transcript: !e.transcripts.is_empty()
                || e.download_path.as_deref().is_some_and(|p| {
                    engine::transcript_fetch::sidecar_of(std::path::Path::new(p)).is_some()
                }),
            chapters: chapter_views(chapters),
        }
    }
}

fn rfc3339(unix_s: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(unix_s, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The player's state machine, as the UI names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum PlayState {
    Idle,
    Loading,
    Playing,
    Paused,
    Buffering,
    Ended,
    Error,
}

/// Everything the player bar shows; sent as the `player-update` event several times a second
/// while playing and on every change.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "player-update")]
pub struct PlayerView {
    /// The episode loaded, if any.
    pub episode_id: Option<String>,
    pub state: PlayState,
    /// The listener asked for sound (playing, buffering, or loading to play): the engine's one
    /// rule for whether a Play button shows Pause. An episode restored paused that is still
    /// loading says false.
    pub wants_play: bool,
    pub position_ms: u32,
    pub duration_ms: Option<u32>,
    /// Index into the episode's visible chapter list: the engine's one rule for the current
    /// chapter (gaps between chapters are `null`).
    pub chapter_index: Option<u32>,
    /// Index into the loaded episode's transcript cues: the one being said (the engine's rule,
    /// like the chapter's).
    pub cue_index: Option<u32>,
    pub speed: f32,
    pub volume: f32,
    /// Playing from the network rather than a downloaded file.
    pub streaming: bool,
    /// The server cannot seek: jumps ahead wait for the download.
    pub progressive: bool,
    /// A jump is reading the frames before its target (a VBR MP3 over the network): how far,
    /// 0–1. The bar says "Finding 34:10… 45 %".
    pub finding: Option<f32>,
    /// Why playback stopped or could not start, in one sentence.
    pub error: Option<String>,
    /// Set while the episode's host is not answering and the player retries by itself.
    pub network: Option<NetworkView>,
    /// The sleep timer, when one is set.
    pub sleep: Option<SleepView>,
}

/// A stream whose host stopped answering: the player retries with backoff and resumes by
/// itself; the bar says "Reconnecting…", and after a while names the host with a Retry button.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, Type)]
pub struct NetworkView {
    pub host: String,
    /// How long the host has not answered.
    pub for_ms: u32,
    /// False when it never answered for this episode (offline from the start).
    pub had_answered: bool,
}

/// When the sleep timer stops playback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SleepTimer {
    /// After this many minutes of listening.
    Minutes {
        minutes: u32,
    },
    EndOfChapter,
    EndOfEpisode,
}

impl SleepTimer {
    pub fn to_engine(self) -> engine::player::SleepTimer {
        use engine::player::SleepTimer as T;
        match self {
            SleepTimer::Minutes { minutes } => T::After(std::time::Duration::from_secs(
                u64::from(minutes.clamp(1, 24 * 60)) * 60,
            )),
            SleepTimer::EndOfChapter => T::EndOfChapter,
            SleepTimer::EndOfEpisode => T::EndOfEpisode,
        }
    }
}

/// A running sleep timer.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, Type)]
pub struct SleepView {
    pub timer: SleepTimer,
    /// Until playback stops; `null` when not known yet.
    pub remaining_ms: Option<u32>,
}

impl SleepView {
    fn from_status(status: &engine::player::SleepStatus) -> Self {
        use engine::player::SleepTimer as T;
        SleepView {
            timer: match status.timer {
                T::After(d) => SleepTimer::Minutes {
                    minutes: (d.as_secs() / 60) as u32,
                },
                T::EndOfChapter => SleepTimer::EndOfChapter,
                T::EndOfEpisode => SleepTimer::EndOfEpisode,
            },
            remaining_ms: status.remaining_ms.map(ms_u32),
        }
    }
}

impl PlayerView {
    pub fn idle() -> Self {
        PlayerView {
            episode_id: None,
            state: PlayState::Idle,
            wants_play: false,
            position_ms: 0,
            duration_ms: None,
            chapter_index: None,
            cue_index: None,
            speed: 1.0,
            volume: 1.0,
            streaming: false,
            progressive: false,
            finding: None,
            error: None,
            network: None,
            sleep: None,
        }
    }

    pub fn from_status(status: &engine::player::PlayerStatus) -> Self {
        use engine::player::PlaybackState as S;
        PlayerView {
            episode_id: status.key.clone(),
            state: match status.state {
                S::Idle => PlayState::Idle,
                S::Loading => PlayState::Loading,
                S::Playing => PlayState::Playing,
                S::Paused => PlayState::Paused,
                S::Buffering => PlayState::Buffering,
                S::Ended => PlayState::Ended,
                S::Error => PlayState::Error,
            },
            wants_play: status.wants_play,
            position_ms: ms_u32(status.position_ms),
            duration_ms: status.duration_ms.map(ms_u32),
            chapter_index: status.visible_chapter.map(|i| i as u32),
            cue_index: status.cue.map(|i| i as u32),
            speed: status.speed,
            volume: status.volume,
            streaming: status.streaming,
            progressive: status.progressive,
            finding: status.finding,
            error: status
                .error
                .as_ref()
                .map(chaptercast_engine::messages::player_error_message),
            network: status.network.as_ref().map(|n| NetworkView {
                host: n.host.clone(),
                for_ms: ms_u32(n.for_ms),
                had_answered: n.had_answered,
            }),
            sleep: status.sleep.as_ref().map(SleepView::from_status),
        }
    }
}

/// Where a download stands, as the UI names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum DownloadState {
    Queued,
    Running,
    /// Waiting for the network.
    Offline,
    Paused,
    Failed,
    Done,
    /// Cancelled or deleted.
    Removed,
}

/// One download: sent as the `download-update` event (~4 per second while running, and on
/// every change) and listed by `list_downloads`. Byte counts are JSON numbers (exact up to
/// 2^53, far beyond any episode).
#[derive(Debug, Clone, Serialize, serde::Deserialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "download-update")]
pub struct DownloadView {
    pub episode_id: String,
    pub state: DownloadState,
    pub downloaded_bytes: f64,
    pub total_bytes: Option<f64>,
    pub bytes_per_s: f64,
    pub error: Option<String>,
    /// The file, once done.
    pub path: Option<String>,
    /// Filled by `list_downloads` (events carry only the id).
    pub episode_title: Option<String>,
    pub show_title: Option<String>,
}

impl DownloadView {
    pub fn from_status(s: &engine::download::DownloadStatus) -> Self {
        use engine::download::DownloadPhase as P;
        DownloadView {
            episode_id: s.episode_id.0.to_string(),
            state: match s.state {
                P::Queued => DownloadState::Queued,
                P::Running => DownloadState::Running,
                P::Offline => DownloadState::Offline,
                P::Paused => DownloadState::Paused,
                P::Failed => DownloadState::Failed,
                P::Done => DownloadState::Done,
                P::Removed => DownloadState::Removed,
            },
            downloaded_bytes: s.downloaded as f64,
            total_bytes: s.total.map(|t| t as f64),
            bytes_per_s: s.bytes_per_s,
            error: s.error.clone(),
            path: s.path.clone(),
            episode_title: None,
            show_title: None,
        }
    }
}

/// A piece of text, marked when it matched the search.
#[derive(Debug, Clone, Serialize, Type)]
pub struct TextRun {
    pub text: String,
    pub hit: bool,
}

/// What a search hit matched.
#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Title,
    Notes,
    Chapter,
    Transcript,
}

impl From<engine::library::HitKind> for HitKind {
    fn from(kind: engine::library::HitKind) -> Self {
        use engine::library::HitKind as K;
        match kind {
            K::Title => HitKind::Title,
            K::Notes => HitKind::Notes,
            K::Chapter => HitKind::Chapter,
            K::Transcript => HitKind::Transcript,
        }
    }
}

/// One search result: an episode, a chapter of it, or something said in it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SearchHit {
    pub kind: HitKind,
    pub show_id: String,
    pub podcast: String,
    pub episode_id: String,
    pub episode_title: String,
    /// Set for a chapter hit.
    pub chapter_title: Option<String>,
    /// Where the chapter or the cue starts.
    pub start_ms: Option<u32>,
    /// RFC 3339, UTC.
    pub published: Option<String>,
    /// The episode title, matches marked.
    pub title_runs: Vec<TextRun>,
    /// The chapter title, matches marked; empty for an episode hit.
    pub chapter_runs: Vec<TextRun>,
    /// Show-notes excerpt around the first match, or the cue that was said; empty when
    /// neither matched.
    pub snippet_runs: Vec<TextRun>,
    /// Who said it (a transcript hit that names speakers).
    pub speaker: Option<String>,
}

fn runs(list: Vec<engine::library::TextRun>) -> Vec<TextRun> {
    list.into_iter()
        .map(|r| TextRun {
            text: r.text,
            hit: r.hit,
        })
        .collect()
}

impl From<engine::library::SearchHit> for SearchHit {
    fn from(hit: engine::library::SearchHit) -> Self {
        SearchHit {
            kind: hit.kind.into(),
            show_id: hit.show_id.0.to_string(),
            podcast: hit.podcast,
            episode_id: hit.episode_id.0.to_string(),
            episode_title: hit.episode_title,
            chapter_title: hit.chapter_title,
            start_ms: hit.start_ms.map(ms_u32),
            published: hit.published_at.and_then(rfc3339),
            title_runs: runs(hit.title_runs),
            chapter_runs: runs(hit.chapter_runs),
            snippet_runs: runs(hit.snippet_runs),
            speaker: hit.speaker,
        }
    }
}

/// A feed an OPML import could not subscribe to.
#[derive(Debug, Clone, Serialize, Type)]
pub struct OpmlFailure {
    pub url: String,
    pub title: Option<String>,
    pub error: String,
}

/// What an OPML import did.
#[derive(Debug, Clone, Serialize, Type)]
pub struct OpmlImportReport {
    /// Feeds the file lists.
    pub total: u32,
    pub added: u32,
    /// Already subscribed, or listed twice.
    pub duplicates: Vec<String>,
    pub failed: Vec<OpmlFailure>,
}

impl From<engine::subscriptions::ImportReport> for OpmlImportReport {
    fn from(report: engine::subscriptions::ImportReport) -> Self {
        OpmlImportReport {
            total: report.total as u32,
            added: report.added.len() as u32,
            duplicates: report.duplicates,
            failed: report
                .failed
                .into_iter()
                .map(|f| OpmlFailure {
                    url: f.url,
                    title: f.title,
                    error: f.error,
                })
                .collect(),
        }
    }
}

/// Sent after each feed of an OPML import.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "opml-progress")]
pub struct OpmlProgress {
    pub done: u32,
    pub total: u32,
    pub url: String,
}

/// Sent after a background refresh found new episodes.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "library-update")]
pub struct LibraryUpdate {
    pub new_episodes: u32,
    /// The shows that have them.
    pub show_titles: Vec<String>,
}

/// Up Next, as the queue panel shows it; sent as `queue-update` after every change.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "queue-update")]
pub struct QueueView {
    pub items: Vec<QueueItem>,
    /// The next item starts by itself when one ends.
    pub continuous: bool,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, Type)]
pub struct QueueItem {
    pub episode_id: String,
    pub title: String,
    pub show_title: String,
    pub duration_s: Option<u32>,
    pub position_ms: u32,
    pub is_downloaded: bool,
}

impl QueueView {
    pub fn from_up_next(up_next: engine::events::UpNext) -> QueueView {
        QueueView {
            items: up_next
                .items
                .into_iter()
                .map(|item| QueueItem {
                    episode_id: item.episode.0.to_string(),
                    title: item.title,
                    show_title: item.show_title,
                    duration_s: item.duration_s,
                    position_ms: ms_u32(item.position_ms),
                    is_downloaded: item.is_downloaded,
                })
                .collect(),
            continuous: up_next.continuous,
        }
    }
}

/// The episode in the player, with its chapters; sent as `now-playing` when another episode
/// is loaded and whenever its chapters change (the player already uses them).
#[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "now-playing")]
pub struct NowPlayingView {
    pub episode_id: String,
    pub title: String,
    pub show_title: String,
    pub artwork_url: Option<String>,
    /// The visible chapters, as the player's `chapter_index` counts them.
    pub chapters: Vec<ChapterView>,
    /// For a video episode, its file's address ("Open in video player" when its audio cannot be
    /// played here); `None` for audio.
    pub video_url: Option<String>,
}

impl NowPlayingView {
    pub fn from_now_playing(now: engine::events::NowPlaying) -> NowPlayingView {
        NowPlayingView {
            episode_id: now.episode.0.to_string(),
            title: now.title,
            show_title: now.show_title,
            artwork_url: now.artwork_url,
            chapters: chapter_views(now.chapters),
            video_url: now.video_url,
        }
    }
}

/// Something the session did on its own, worded; sent as `session-notice`.
#[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "session-notice")]
pub struct SessionNoticeView {
    pub text: String,
    /// The notice offers Undo (`player_undo_skip`): a skipped stretch.
    pub undo: bool,
}

impl SessionNoticeView {
    pub fn from_notice(notice: &engine::events::SessionNotice) -> SessionNoticeView {
        SessionNoticeView {
            text: chaptercast_engine::messages::session_notice_message(notice),
            undo: matches!(notice, engine::events::SessionNotice::Skipped { .. }),
        }
    }
}
