//! Shows, episodes and refreshes.

use chaptercast_engine::ShowId;
use tauri::State;
use tauri_plugin_opener::OpenerExt;

use crate::error::{CommandError, ErrorKind};
use crate::state::AppState;
use crate::wire::{
    chapter_views, ChapterView, EpisodeRow, EpisodeView, RefreshReport, SearchHit, ShowRefresh,
    ShowView, TranscriptView,
};

fn show_id(id: &str) -> Result<ShowId, CommandError> {
    id.parse().map(ShowId).map_err(|_| CommandError::bad_id(id))
}

use super::episode_id;

/// Every subscribed show, in subscription order.
#[tauri::command]
#[specta::specta]
pub async fn list_shows(app: State<'_, AppState>) -> Result<Vec<ShowView>, CommandError> {
    let shows = app.engine.shows().await?;
    Ok(shows.into_iter().map(ShowView::from).collect())
}

/// A show's episodes, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_episodes(
    app: State<'_, AppState>,
    show_id: String,
) -> Result<Vec<EpisodeRow>, CommandError> {
    let episodes = app.engine.episodes(self::show_id(&show_id)?).await?;
    Ok(episodes.into_iter().map(EpisodeRow::from).collect())
}

/// One episode with its show notes.
#[tauri::command]
#[specta::specta]
pub async fn get_episode(
    app: State<'_, AppState>,
    episode_id: String,
) -> Result<EpisodeView, CommandError> {
    let id = self::episode_id(&episode_id)?;
    let episode = app.engine.episode(id).await?;
    let chapters = app.engine.chapters(id).await?;
    Ok(EpisodeView::new(episode, chapters))
}

/// The episode's chapters after fetching what the feed only points to (a JSON chapters file,
/// chapters inside the audio). Slow the first time, cached after.
#[tauri::command]
#[specta::specta]
pub async fn load_chapters(
    app: State<'_, AppState>,
    player: State<'_, crate::playback::PlayerState>,
    episode_id: String,
) -> Result<Vec<ChapterView>, CommandError> {
    let id = self::episode_id(&episode_id)?;
    let chapters = app.engine.load_chapters(id).await?;
    // Playing it already: the player takes the fuller list now.
    player.session.chapters_found(id);
    Ok(chapter_views(chapters))
}

/// The episode's transcript, fetched (or read from a sidecar file) the first time and kept;
/// offline, it says so and a later call tries again.
#[tauri::command]
#[specta::specta]
pub async fn load_transcript(
    app: State<'_, AppState>,
    player: State<'_, crate::playback::PlayerState>,
    episode_id: String,
) -> Result<TranscriptView, CommandError> {
    let id = self::episode_id(&episode_id)?;
    let state = app.engine.load_transcript(id).await?;
    let duration_ms = app
        .engine
        .episode(id)
        .await?
        .summary
        .duration_s
        .map(|s| u64::from(s) * 1000);
    // Playing it already: the player follows its cues now.
    player.session.transcript_found(id);
    Ok(TranscriptView::new(state, duration_ms))
}

/// Subscribes to a feed URL; fails with the reason when it is not a working feed.
#[tauri::command]
#[specta::specta]
pub async fn subscribe_feed(
    app: State<'_, AppState>,
    url: String,
) -> Result<ShowView, CommandError> {
    let id = app.engine.subscribe(&url).await?;
    app.engine.fetch_transcripts_soon(vec![id]);
    Ok(app.engine.show(id).await?.into())
}

/// Removes a show and its episodes.
#[tauri::command]
#[specta::specta]
pub async fn unsubscribe_show(
    app: State<'_, AppState>,
    show_id: String,
) -> Result<(), CommandError> {
    Ok(app.engine.unsubscribe(self::show_id(&show_id)?).await?)
}

/// Refreshes every show ("refresh now"); failures are reported per show and never touch
/// stored episodes.
#[tauri::command]
#[specta::specta]
pub async fn refresh_library(app: State<'_, AppState>) -> Result<RefreshReport, CommandError> {
    let results = app.engine.refresh_all().await?;
    app.engine.fetch_transcripts_soon(merged(&results));
    Ok(refresh_report(results))
}

/// The start-up refresh: every show except those whose server asked not to be fetched again
/// yet (`Cache-Control: max-age`, `Retry-After`).
#[tauri::command]
#[specta::specta]
pub async fn refresh_due_shows(app: State<'_, AppState>) -> Result<RefreshReport, CommandError> {
    let results = app.engine.refresh_due(std::time::Duration::ZERO).await?;
    app.engine.fetch_transcripts_soon(merged(&results));
    Ok(refresh_report(results))
}

type RefreshResults = Vec<(
    ShowId,
    Result<chaptercast_engine::RefreshOutcome, chaptercast_engine::RefreshError>,
)>;

/// The shows whose feed was stored anew (they may list new transcripts).
pub(crate) fn merged(results: &RefreshResults) -> Vec<ShowId> {
    results
        .iter()
        .filter(|(_, r)| matches!(r, Ok(chaptercast_engine::RefreshOutcome::Merged(_))))
        .map(|(id, _)| *id)
        .collect()
}

fn refresh_report(results: RefreshResults) -> RefreshReport {
    let failures = results.iter().filter(|(_, r)| r.is_err()).count();
    let offline = results
        .iter()
        .filter(|(_, r)| r.as_ref().err().is_some_and(|e| e.is_offline()))
        .count();
    let shows = results
        .into_iter()
        .map(|(id, result)| match result {
            Ok(chaptercast_engine::RefreshOutcome::Merged(report)) => ShowRefresh {
                show_id: id.0.to_string(),
                added: report.added,
                error: None,
            },
            Ok(chaptercast_engine::RefreshOutcome::NotModified) => ShowRefresh {
                show_id: id.0.to_string(),
                added: 0,
                error: None,
            },
            Err(e) => ShowRefresh {
                show_id: id.0.to_string(),
                added: 0,
                error: Some(e.into()),
            },
        })
        .collect();
    RefreshReport {
        shows,
        is_offline: failures > 0 && offline == failures,
    }
}

/// Opens a web link in the system browser, never inside the app window.
#[tauri::command]
#[specta::specta]
pub async fn open_external(app: tauri::AppHandle, url: String) -> Result<(), CommandError> {
    let url = chaptercast_engine::net::parse_web_url(&url).map_err(|e| {
        CommandError::new(ErrorKind::BadInput, format!("Not opening that link: {e}."))
    })?;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| {
            CommandError::new(
                ErrorKind::BadInput,
                format!("Could not open the browser: {e}."),
            )
        })
}

/// Marks an episode played or unplayed.
#[tauri::command]
#[specta::specta]
pub async fn set_played(
    app: State<'_, AppState>,
    episode_id: String,
    is_played: bool,
) -> Result<(), CommandError> {
    Ok(app
        .engine
        .set_played(self::episode_id(&episode_id)?, is_played)
        .await?)
}

/// Marks many episodes played or unplayed; returns how many changed.
#[tauri::command]
#[specta::specta]
pub async fn set_played_many(
    app: State<'_, AppState>,
    episode_ids: Vec<String>,
    is_played: bool,
) -> Result<u32, CommandError> {
    let ids = episode_ids
        .iter()
        .map(|id| self::episode_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(app.engine.set_played_many(ids, is_played).await?)
}

/// Searches every episode title, show notes and chapter title, best first (at most 50).
#[tauri::command]
#[specta::specta]
pub async fn search(
    app: State<'_, AppState>,
    query: String,
) -> Result<Vec<SearchHit>, CommandError> {
    let hits = app
        .engine
        .search(query, chaptercast_engine::library::MAX_RESULTS)
        .await?;
    Ok(hits.into_iter().map(SearchHit::from).collect())
}

/// Hours between background refreshes (0 = never).
#[tauri::command]
#[specta::specta]
pub async fn get_refresh_interval_hours(app: State<'_, AppState>) -> Result<u32, CommandError> {
    Ok(app.engine.refresh_interval_hours().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_refresh_interval_hours(
    app: State<'_, AppState>,
    hours: u32,
) -> Result<(), CommandError> {
    Ok(app.engine.set_refresh_interval_hours(hours).await?)
}
