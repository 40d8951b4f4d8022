//! How a show should sound and what of it to skip: the listener's per-show profile, with the
//! defaults every show starts from, and the rule that says whether a chapter is one to skip.

use serde::{Deserialize, Serialize};

use crate::library::{EpisodeId, Library, LibraryError, MeasuredLoudness, ShowId};
use crate::player::skips::Skips;
use crate::player::{Normalize, SoundSettings};
use crate::Engine;

/// Loudness targets offered (LUFS).
pub const MIN_TARGET_LUFS: f64 = -23.0;
pub const MAX_TARGET_LUFS: f64 = -14.0;
pub const DEFAULT_TARGET_LUFS: f64 = -16.0;
/// Most extra gain a show may get for very quiet recordings.
pub const MAX_BOOST_DB: f64 = 12.0;
/// Longest intro or outro skip (seconds).
pub const MAX_SKIP_S: u32 = 600;

/// Skip silence: off, or how eagerly pauses are shortened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SilenceLevel {
    #[default]
    Off,
    Mild,
    Strong,
}

impl SilenceLevel {
    pub fn from_name(name: &str) -> Option<SilenceLevel> {
        match name.trim().to_ascii_lowercase().as_str() {
            "off" => Some(SilenceLevel::Off),
            "mild" => Some(SilenceLevel::Mild),
            "strong" => Some(SilenceLevel::Strong),
            _ => None,
        }
    }
}

/// One show's sound, remembered and applied whenever one of its episodes plays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SoundProfile {
    /// The show's own speed; `None` keeps the listener's current one.
    pub speed: Option<f32>,
    /// Play at `target_lufs` integrated loudness, peaks held at -1 dBTP.
    pub normalize: bool,
    pub target_lufs: f64,
    /// Extra gain for very quiet recordings, through the same limiter.
    pub boost_db: f64,
    pub skip_silence: SilenceLevel,
    /// Seconds skipped at the start (an intro) and before the end (an outro).
    pub skip_intro_s: u32,
    pub skip_outro_s: u32,
    /// Chapters whose title says one of these (words, any case) are skipped: "Sponsor",
    /// "Ad break", "Werbung".
    pub skip_chapters: Vec<String>,
}

impl Default for SoundProfile {
    fn default() -> Self {
        SoundProfile {
            speed: None,
            normalize: true,
            target_lufs: DEFAULT_TARGET_LUFS,
            boost_db: 0.0,
            skip_silence: SilenceLevel::Off,
            skip_intro_s: 0,
            skip_outro_s: 0,
            skip_chapters: Vec::new(),
        }
    }
}

impl SoundProfile {
    /// The profile with every value in range: what is stored and what plays. Whatever a file
    /// or the UI sent, the player gets sane numbers.
    pub fn clamped(mut self) -> SoundProfile {
        self.speed = self
            .speed
            .filter(|s| s.is_finite())
            .map(|s| s.clamp(0.5, 3.0));
        if !self.target_lufs.is_finite() {
            self.target_lufs = DEFAULT_TARGET_LUFS;
        }
        self.target_lufs = self.target_lufs.clamp(MIN_TARGET_LUFS, MAX_TARGET_LUFS);
        if !self.boost_db.is_finite() {
            self.boost_db = 0.0;
        }
        self.boost_db = self.boost_db.clamp(0.0, MAX_BOOST_DB);
        self.skip_intro_s = self.skip_intro_s.min(MAX_SKIP_S);
        self.skip_outro_s = self.skip_outro_s.min(MAX_SKIP_S);
        self.skip_chapters = self
            .skip_chapters
            .iter()
            .map(|w| w.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|w| !w.is_empty())
            .take(50)
            .map(|w| w.chars().take(60).collect())
            .collect();
        self
    }

    /// The `skip_chapters` list from one comma-separated line ("Sponsor, Ad break").
    pub fn chapter_words(line: &str) -> Vec<String> {
        line.split([',', ';', '\n'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// Whether a chapter titled `title` is one the listener skips: one of `skip` appears in it as
/// whole words, any case. A word matches itself and its plural only: "sponsor" skips "Our
/// Sponsors" but not "Sponsorship deals", and "Ad" never skips "Advanced".
pub fn is_skipped_chapter(title: &str, skip: &[String]) -> bool {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let title = words(title);
    skip.iter().any(|entry| {
        let wanted = words(entry);
        !wanted.is_empty()
            && title.windows(wanted.len()).any(|run| {
                run.iter().zip(&wanted).all(|(have, want)| {
                    have == want || have.strip_suffix('s') == Some(want.as_str())
                })
            })
    })
}

const PROFILE_DEFAULTS_KEY: &str = "sound_defaults";

/// The show's profile: its own, else the listener's defaults, else the built-in ones.
pub fn profile_for(library: &Library, show: ShowId) -> Result<SoundProfile, LibraryError> {
    let json = match library.show_profile_json(show)? {
        Some(json) => Some(json),
        None => library.setting(PROFILE_DEFAULTS_KEY)?,
    };
    // A profile that no longer reads (a newer version's) falls back to the defaults.
    Ok(json
        .and_then(|j| serde_json::from_str::<SoundProfile>(&j).ok())
        .unwrap_or_default()
        .clamped())
}

impl SoundProfile {
    /// What the player skips in an episode under this profile.
    pub fn skips(&self) -> Skips {
        Skips {
            intro_ms: u64::from(self.skip_intro_s) * 1000,
            outro_ms: u64::from(self.skip_outro_s) * 1000,
            chapter_words: self.skip_chapters.clone(),
        }
    }

    /// The sound chain's settings for an episode: `measured_lufs` is the file's own
    /// measurement, `show_lufs` where a stream starts.
    pub fn sound(&self, measured_lufs: Option<f64>, show_lufs: Option<f64>) -> SoundSettings {
        SoundSettings {
            normalize: self.normalize.then_some(Normalize {
                target_lufs: self.target_lufs,
                measured_lufs,
                start_lufs: show_lufs,
            }),
            boost_db: self.boost_db,
            skip_silence: self.skip_silence,
        }
    }
}

impl Engine {
    /// Measures a downloaded episode's loudness once (decoding it whole, off the async
    /// workers) and stores it; its next play starts at the right gain from the first sample.
    pub async fn measure_download(&self, id: EpisodeId) -> Result<(), LibraryError> {
        let episode = self.episode(id).await?;
        let Some(path) = episode.download_path.clone() else {
            return Ok(());
        };
        let known = {
            let path = path.clone();
            self.with_library(move |l| l.episode_loudness(id, &path))
                .await?
        };
        if known.is_some() {
            return Ok(());
        }
        let mime = episode.enclosure_type.clone();
        let file = path.clone();
        let started = std::time::Instant::now();
        let measured = tokio::task::spawn_blocking(move || {
            let input = std::fs::File::open(&file)
                .map(crate::player::input::MediaInput::File)
                .map_err(|e| e.to_string())?;
            crate::player::measure::measure(input, mime.as_deref()).map_err(|e| e.to_string())
        })
        .await
        .map_err(|source| LibraryError::Worker { source })?;
        match measured {
            Ok(report) => {
                tracing::info!(
                    episode = id.0,
                    lufs = report.integrated_lufs,
                    took_ms = started.elapsed().as_millis() as u64,
                    "download measured"
                );
                self.with_library(move |l| {
                    l.store_episode_loudness(
                        id,
                        &path,
                        MeasuredLoudness {
                            integrated_lufs: report.integrated_lufs,
                            true_peak_dbtp: report.true_peak_dbtp,
                        },
                    )
                })
                .await
            }
            Err(error) => {
                tracing::warn!(episode = id.0, %error, "download not measured");
                Ok(())
            }
        }
    }

    /// Time skip silence has saved, over every episode.
    pub async fn silence_saved_total_ms(&self) -> Result<u64, LibraryError> {
        self.with_library(|l| l.silence_saved_total_ms()).await
    }

    /// The show's profile (see [`profile_for`]).
    pub async fn sound_profile(&self, show: ShowId) -> Result<SoundProfile, LibraryError> {
        self.with_library(move |l| profile_for(l, show)).await
    }

    pub async fn set_sound_profile(
        &self,
        show: ShowId,
        profile: SoundProfile,
    ) -> Result<SoundProfile, LibraryError> {
        let profile = profile.clamped();
        let json = serde_json::to_string(&profile).unwrap_or_default();
        self.with_library(move |l| l.set_show_profile_json(show, &json))
            .await?;
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapter_titles_are_matched_by_whole_words() {
        let skip = SoundProfile::chapter_words("Sponsor, Ad break,Werbung");
        assert_eq!(skip, ["Sponsor", "Ad break", "Werbung"]);
        for title in [
            "Sponsor",
            "Our sponsors",
            "SPONSOR: Acme",
            "Ad break",
            "Short ad-break",
            "Werbung",
        ] {
            assert!(is_skipped_chapter(title, &skip), "{title}");
        }
        for title in [
            "Advanced tooling",
            "Ad",
            "Breaking news",
            "Sponsorship deals",
            "",
        ] {
            assert!(!is_skipped_chapter(title, &skip), "{title}");
        }
        assert!(!is_skipped_chapter("Sponsor", &[]));
    }

    #[test]
    fn a_profile_is_clamped_to_what_plays() {
        let wild = SoundProfile {
            speed: Some(f32::NAN),
            normalize: true,
            target_lufs: -60.0,
            boost_db: 99.0,
            skip_silence: SilenceLevel::Strong,
            skip_intro_s: 100_000,
            skip_outro_s: 5,
            skip_chapters: vec!["  ad   break ".into(), "".into()],
        }
        .clamped();
        assert_eq!(wild.speed, None);
        assert_eq!(wild.target_lufs, MIN_TARGET_LUFS);
        assert_eq!(wild.boost_db, MAX_BOOST_DB);
        assert_eq!(wild.skip_intro_s, MAX_SKIP_S);
        assert_eq!(wild.skip_chapters, ["ad break"]);
        // Stored JSON missing fields reads with the defaults for them.
        let read: SoundProfile = serde_json::from_str(r#"{"boost_db": 3}"#).expect("json");
        assert!(read.normalize && read.target_lufs == DEFAULT_TARGET_LUFS && read.boost_db == 3.0);
    }
}
