//! Playback commands. Each returns at once: what happens is reported by `player-update`.

use chaptercast_engine::player::Command;
use tauri::State;

use crate::error::{CommandError, ErrorKind};
use crate::playback::{NowPlaying, PlayerState};
use crate::state::AppState;
use crate::wire::{PlayerView, SleepTimer};

/// Plays an episode: from `at_ms` when given (a chapter or timestamp click), else from where
/// the listener left off. Streams unless the episode is downloaded.
#[tauri::command]
#[specta::specta]
pub async fn play_episode(
    app: State<'_, AppState>,
    player: State<'_, PlayerState>,
    episode_id: String,
    at_ms: Option<u32>,
) -> Result<(), CommandError> {
    let id = super::episode_id(&episode_id)?;
    let request = app.engine.load_request(id, at_ms.map(u64::from)).await?;
    let episode = app.engine.episode(id).await?;
    let show = app.engine.show(episode.summary.show_id).await?;
    player.set_now_playing(
        NowPlaying {
            title: episode.summary.title.clone(),
            show: show.title.clone(),
            artwork_url: episode.image_url.clone().or(show.image_url.clone()),
        },
        request.chapters.clone(),
    );
    player.send(Command::Load(Box::new(request)));
    Ok(())
}

/// What the player is doing now (the UI asks once at start; updates follow as events).
#[tauri::command]
#[specta::specta]
pub fn player_status(player: State<'_, PlayerState>) -> PlayerView {
    player
        .last
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

#[tauri::command]
#[specta::specta]
pub fn player_play(player: State<'_, PlayerState>) {
    player.send(Command::Play);
}

#[tauri::command]
#[specta::specta]
pub fn player_pause(player: State<'_, PlayerState>) {
    player.send(Command::Pause);
}

#[tauri::command]
#[specta::specta]
pub fn player_toggle(player: State<'_, PlayerState>) {
    player.send(Command::Toggle);
}

/// Jumps to `position_ms` in the loaded episode.
#[tauri::command]
#[specta::specta]
pub fn player_seek(player: State<'_, PlayerState>, position_ms: u32) {
    player.send(Command::SeekTo(u64::from(position_ms)));
}

/// Skips by `delta_ms` (negative: back).
#[tauri::command]
#[specta::specta]
pub fn player_skip(player: State<'_, PlayerState>, delta_ms: i32) {
    player.send(Command::SeekBy(i64::from(delta_ms)));
}

/// Next (+1) or previous (-1) chapter.
#[tauri::command]
#[specta::specta]
pub fn player_chapter_step(player: State<'_, PlayerState>, step: i32) {
    player.send(Command::ChapterStep(step.signum()));
}

/// 0.5 to 3.0; the pitch stays the same.
#[tauri::command]
#[specta::specta]
pub fn player_set_speed(player: State<'_, PlayerState>, speed: f32) -> Result<(), CommandError> {
    if !speed.is_finite() {
        return Err(CommandError::new(
            ErrorKind::BadInput,
            "That is not a speed.",
        ));
    }
    player.send(Command::SetSpeed(speed));
    Ok(())
}

/// 0.0 to 1.0.
#[tauri::command]
#[specta::specta]
pub fn player_set_volume(player: State<'_, PlayerState>, volume: f32) -> Result<(), CommandError> {
    if !volume.is_finite() {
        return Err(CommandError::new(
            ErrorKind::BadInput,
            "That is not a volume.",
        ));
    }
    player.send(Command::SetVolume(volume));
    Ok(())
}

/// Starts the sleep timer, or cancels it with `null`.
#[tauri::command]
#[specta::specta]
pub fn player_set_sleep_timer(
    player: State<'_, PlayerState>,
    timer: Option<SleepTimer>,
) -> Result<(), CommandError> {
    player.send(Command::SetSleepTimer(timer.map(SleepTimer::to_engine)));
    Ok(())
}
