//! A show's sound profile: loudness, boost, skip silence, speed, and what to skip.

use chaptercast_engine::library::ShowId;
use chaptercast_engine::sound_profile::{SilenceLevel, SoundProfile};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::error::CommandError;
use crate::playback::PlayerState;
use crate::state::AppState;

/// A show's profile as the UI edits it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SoundProfileView {
    /// The show's own speed; null keeps the listener's.
    pub speed: Option<f32>,
    pub normalize: bool,
    /// -23 to -14 LUFS.
    pub target_lufs: f64,
    /// 0 to 12 dB.
    pub boost_db: f64,
    pub skip_silence: SilenceView,
    pub skip_intro_s: u32,
    pub skip_outro_s: u32,
    /// Chapter title words to skip ("Sponsor", "Ad break").
    pub skip_chapters: Vec<String>,
    /// Time skip silence has saved over every episode (ms; read only).
    pub time_saved_ms: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum SilenceView {
    Off,
    Mild,
    Strong,
}

impl SoundProfileView {
    fn new(p: SoundProfile, time_saved_ms: u64) -> Self {
        SoundProfileView {
            speed: p.speed,
            normalize: p.normalize,
            target_lufs: p.target_lufs,
            boost_db: p.boost_db,
            skip_silence: match p.skip_silence {
                SilenceLevel::Off => SilenceView::Off,
                SilenceLevel::Mild => SilenceView::Mild,
                SilenceLevel::Strong => SilenceView::Strong,
            },
            skip_intro_s: p.skip_intro_s,
            skip_outro_s: p.skip_outro_s,
            skip_chapters: p.skip_chapters,
            time_saved_ms: time_saved_ms.min(u64::from(u32::MAX)) as u32,
        }
    }

    fn profile(self) -> SoundProfile {
        SoundProfile {
            speed: self.speed,
            normalize: self.normalize,
            target_lufs: self.target_lufs,
            boost_db: self.boost_db,
            skip_silence: match self.skip_silence {
                SilenceView::Off => SilenceLevel::Off,
                SilenceView::Mild => SilenceLevel::Mild,
                SilenceView::Strong => SilenceLevel::Strong,
            },
            skip_intro_s: self.skip_intro_s,
            skip_outro_s: self.skip_outro_s,
            skip_chapters: self.skip_chapters,
        }
    }
}

fn show_id(id: &str) -> Result<ShowId, CommandError> {
    id.parse().map(ShowId).map_err(|_| CommandError::bad_id(id))
}

/// The show's profile (its own, else the defaults every show starts from).
#[tauri::command]
#[specta::specta]
pub async fn get_sound_profile(
    app: State<'_, AppState>,
    show_id: String,
) -> Result<SoundProfileView, CommandError> {
    let show = self::show_id(&show_id)?;
    let profile = app.engine.sound_profile(show).await?;
    let saved = app.engine.silence_saved_total_ms().await?;
    Ok(SoundProfileView::new(profile, saved))
}

/// Stores the show's profile (values brought into range) and applies it to an episode of the
/// show that is playing. Returns what was stored.
#[tauri::command]
#[specta::specta]
pub async fn set_sound_profile(
    app: State<'_, AppState>,
    player: State<'_, PlayerState>,
    show_id: String,
    settings: SoundProfileView,
) -> Result<SoundProfileView, CommandError> {
    let show = self::show_id(&show_id)?;
    let stored = app
        .engine
        .set_sound_profile(show, settings.profile())
        .await?;
    player.session.profile_changed(show);
    let saved = app.engine.silence_saved_total_ms().await?;
    Ok(SoundProfileView::new(stored, saved))
}
