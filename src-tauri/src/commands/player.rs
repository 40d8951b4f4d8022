//! Playback commands. Each returns at once: what happens is reported by `player-update`.

use chaptercast_engine::player::Command;
use tauri::State;

use crate::error::{CommandError, ErrorKind};
use chaptercast_engine::library::QueuePlace;

use crate::playback::PlayerState;
use crate::state::AppState;
use crate::wire::{NowPlayingView, PlayerView, QueueView, SleepTimer};

/// Plays an episode: from `at_ms` when given (a chapter or timestamp click), else from where
/// the listener left off. Streams unless the episode is downloaded.
#[tauri::command]
#[specta::specta]
pub async fn play_episode(
    player: State<'_, PlayerState>,
    episode_id: String,
    at_ms: Option<u32>,
) -> Result<(), CommandError> {
    let id = super::episode_id(&episode_id)?;
    player.session.play(id, at_ms.map(u64::from)).await?;
    Ok(())
}

/// Up Next as it is now (updates follow as `queue-update`).
#[tauri::command]
#[specta::specta]
pub async fn queue_list(app: State<'_, AppState>) -> Result<QueueView, CommandError> {
    Ok(QueueView::from_up_next(app.engine.up_next().await?))
}

/// Adds episodes to Up Next: after the one playing (`next`), or at the end. With `start_ms`
/// (one episode: a chapter), it plays from there when its turn comes.
#[tauri::command]
#[specta::specta]
pub async fn queue_add(
    player: State<'_, PlayerState>,
    episode_ids: Vec<String>,
    next: bool,
    start_ms: Option<u32>,
) -> Result<(), CommandError> {
    let ids = episode_ids
        .iter()
        .map(|id| super::episode_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    let place = if next {
        let playing = player
            .last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .episode_id
            .clone();
        QueuePlace::Next {
            after: playing.as_deref().and_then(|p| super::episode_id(p).ok()),
        }
    } else {
        QueuePlace::Last
    };
    match (start_ms, ids.as_slice()) {
        (Some(start), [id]) => {
            player
                .session
                .queue_add_at(*id, u64::from(start), place)
                .await?
        }
        _ => player.session.queue_add(ids, place).await?,
    }
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn queue_remove(
    player: State<'_, PlayerState>,
    episode_id: String,
) -> Result<(), CommandError> {
    let id = super::episode_id(&episode_id)?;
    player.session.queue_remove(id).await?;
    Ok(())
}

/// Moves a queued episode to `index` (0 = first).
#[tauri::command]
#[specta::specta]
pub async fn queue_move(
    player: State<'_, PlayerState>,
    episode_id: String,
    index: u32,
) -> Result<(), CommandError> {
    let id = super::episode_id(&episode_id)?;
    player.session.queue_move(id, index as usize).await?;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn queue_clear(player: State<'_, PlayerState>) -> Result<(), CommandError> {
    player.session.queue_clear().await?;
    Ok(())
}

/// Whether the next queued episode starts by itself.
#[tauri::command]
#[specta::specta]
pub async fn set_continuous_play(
    player: State<'_, PlayerState>,
    on: bool,
) -> Result<(), CommandError> {
    player.session.set_continuous(on).await?;
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

/// The episode in the player, with its chapters (what `now-playing` last said).
#[tauri::command]
#[specta::specta]
pub fn now_playing(player: State<'_, PlayerState>) -> Option<NowPlayingView> {
    player
        .now_playing
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

/// Tries the stream's host again now (the bar's Retry while it cannot be reached).
#[tauri::command]
#[specta::specta]
pub fn player_retry(player: State<'_, PlayerState>) {
    player.send(Command::RetryNow);
}

/// Plays what was just skipped after all (the "Skipped: Sponsor — Undo" notice).
#[tauri::command]
#[specta::specta]
pub fn player_undo_skip(player: State<'_, PlayerState>) {
    player.send(Command::UndoSkip);
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
