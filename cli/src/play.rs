//! `chaptercast play`: plays a URL or file through the default output, printing position and
//! chapter changes, until `--for` runs out or the audio ends.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chaptercast_engine::chapters::{shownotes::parse_timestamp, Chapter};
use chaptercast_engine::messages::{player_error_message, skipped_message};
use chaptercast_engine::player::{
    self, Command, LoadRequest, MediaLocation, PlaybackState, PlayerEvent,
};

use crate::chapters::audio_chapters;
use crate::engine_access::{http_client, is_url, runtime};
use crate::output::{clock, print_json};

/// How long `play` keeps retrying a host that does not answer before it exits 1 (the app
/// keeps trying while the listener waits).
const GIVE_UP_AFTER: Duration = Duration::from_secs(15);

/// What `play` was asked.
pub struct PlayArgs {
    pub source: String,
    pub at: Option<String>,
    pub chapter: Option<usize>,
    pub for_seconds: Option<f64>,
    pub speed: f32,
    /// Normalise to this target (LUFS).
    pub normalize: Option<f64>,
    pub boost_db: Option<f64>,
    pub skip_silence: Option<String>,
    pub skip_chapters: Option<String>,
}

/// The sound chain and skips `play` was asked for, checked. A file to normalise is measured
/// first, so it starts at the right gain.
fn sound_of(
    args: &PlayArgs,
    location: &MediaLocation,
) -> Result<(player::SoundSettings, player::skips::Skips), String> {
    use chaptercast_engine::sound_profile::{self, SilenceLevel, SoundProfile};
    let skip_silence = match args.skip_silence.as_deref() {
        None => SilenceLevel::Off,
        Some(word) => SilenceLevel::from_name(word)
            .ok_or_else(|| format!("--skip-silence must be mild or strong, not {word:?}"))?,
    };
    if let Some(target) = args.normalize {
        if !(sound_profile::MIN_TARGET_LUFS..=sound_profile::MAX_TARGET_LUFS).contains(&target) {
            return Err(format!(
                "--loudness must be between {} and {} LUFS",
                sound_profile::MIN_TARGET_LUFS,
                sound_profile::MAX_TARGET_LUFS
            ));
        }
    }
    if let Some(boost) = args.boost_db {
        if !(0.0..=sound_profile::MAX_BOOST_DB).contains(&boost) {
            return Err(format!(
                "--boost must be between 0 and {} dB",
                sound_profile::MAX_BOOST_DB
            ));
        }
    }
    let measured = match (args.normalize, location) {
        (Some(_), MediaLocation::File(path)) => Some(measure_file(path)?.integrated_lufs),
        _ => None,
    };
    let profile = SoundProfile {
        normalize: args.normalize.is_some(),
        target_lufs: args.normalize.unwrap_or(sound_profile::DEFAULT_TARGET_LUFS),
        boost_db: args.boost_db.unwrap_or(0.0),
        skip_silence,
        skip_chapters: args
            .skip_chapters
            .as_deref()
            .map(SoundProfile::chapter_words)
            .unwrap_or_default(),
        ..SoundProfile::default()
    };
    Ok((profile.sound(measured, None), profile.skips()))
}

fn measure_file(path: &std::path::Path) -> Result<player::sound::LoudnessReport, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    player::measure::measure(player::input::MediaInput::File(file), None)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `chaptercast loudness <PATH|URL> [--target LUFS] [--json]`.
pub fn loudness_command(source: &str, target: f64, as_json: bool) -> Result<(), String> {
    let report = if is_url(source) {
        let http = http_client()?;
        let runtime = runtime()?;
        let stream = player::stream::RangeStream::start(
            runtime.handle(),
            http,
            source,
            player::RetryPolicy {
                give_up_after: Some(GIVE_UP_AFTER),
            },
        )
        .map_err(|e| format!("{source}: {e}"))?;
        let measured =
            player::measure::measure(player::input::MediaInput::Stream(stream.clone()), None);
        stream.close();
        measured.map_err(|e| format!("{source}: {e}"))?
    } else {
        let path = PathBuf::from(source);
        if !path.is_file() {
            return Err(format!("{source}: no such file"));
        }
        measure_file(&path)?
    };
    let gain_db = player::sound::normalising_gain_db(report.integrated_lufs, target);
    let round = |x: f64| (x * 100.0).round() / 100.0;
    if as_json {
        return print_json(&serde_json::json!({
            "integrated_lufs": round(report.integrated_lufs),
            "true_peak_dbtp": round(report.true_peak_dbtp),
            "gain_db": round(gain_db),
        }));
    }
    println!(
        "{:.1} LUFS integrated, true peak {:.1} dBTP; {:+.1} dB brings it to {target} LUFS",
        report.integrated_lufs, report.true_peak_dbtp, gain_db
    );
    Ok(())
}

/// Reads `--at`: plain seconds (fractions allowed) or a clock time.
pub fn parse_at(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| (seconds * 1000.0).round() as u64);
    }
    parse_timestamp(text)
}

pub fn play_command(args: PlayArgs) -> Result<(), String> {
    if let Some(seconds) = args.for_seconds {
        if !seconds.is_finite() || seconds <= 0.0 {
            return Err("--for needs a positive number of seconds".into());
        }
    }
    if !(player::MIN_SPEED..=player::MAX_SPEED).contains(&args.speed) {
        return Err(format!(
            "--speed must be between {} and {}",
            player::MIN_SPEED,
            player::MAX_SPEED
        ));
    }
    let at_ms =
        match &args.at {
            Some(text) => Some(parse_at(text).ok_or_else(|| {
                format!("--at {text:?} is not a time: use seconds, M:SS or H:MM:SS")
            })?),
            None => None,
        };
    let http = http_client()?;
    let location = if is_url(&args.source) {
        MediaLocation::Url(args.source.clone())
    } else {
        let path = PathBuf::from(&args.source);
        if !path.is_file() {
            return Err(format!("{}: no such file", args.source));
        }
        MediaLocation::File(path)
    };
    let (sound, skips) = sound_of(&args, &location)?;
    player::output::quiet_native_errors(true);
    let (events_tx, events) = mpsc::channel();
    let handle = player::spawn(
        http.clone(),
        player::RetryPolicy {
            give_up_after: Some(GIVE_UP_AFTER),
        },
        Box::new(move |event| {
            let _ = events_tx.send(event);
        }),
    )
    .map_err(|e| format!("cannot start the player: {e}"))?;
    // The device opens while the chapters are read.
    handle.send(Command::PrepareOutput);
    handle.send(Command::SetSpeed(args.speed));
    let load = |start_ms: u64, chapters: Vec<Chapter>| {
        Command::Load(Box::new(LoadRequest {
            key: args.source.clone(),
            location: location.clone(),
            mime: None,
            start_ms,
            chapters,
            autoplay: true,
            skips: skips.clone(),
            sound: sound.clone(),
            frame_index: None,
        }))
    };
    let chapters = match args.chapter {
        // Starting at a chapter needs the chapters first.
        Some(n) => {
            let chapters = embedded_chapters(&args.source);
            let visible: Vec<&Chapter> = chapters.iter().filter(|c| !c.is_hidden).collect();
            let chapter =
                n.checked_sub(1)
                    .and_then(|i| visible.get(i))
                    .ok_or_else(|| match visible.len() {
                        0 => format!("{} has no chapters", args.source),
                        count => {
                            format!("--chapter {n} is out of range: the audio has {count} chapters")
                        }
                    });
            let start_ms = match chapter {
                Ok(c) => c.start_ms,
                Err(message) => {
                    handle.shutdown(Duration::from_secs(1));
                    return Err(message);
                }
            };
            handle.send(load(start_ms, chapters.clone()));
            chapters
        }
        // Chapters to skip are known before the first sample plays.
        None if !skips.chapter_words.is_empty() => {
            let chapters = embedded_chapters(&args.source);
            handle.send(load(at_ms.unwrap_or(0), chapters.clone()));
            chapters
        }
        // Otherwise sound first, chapters as soon as they are read.
        None => {
            handle.send(load(at_ms.unwrap_or(0), Vec::new()));
            let chapters = embedded_chapters(&args.source);
            handle.send(Command::SetChapters(chapters.clone()));
            chapters
        }
    };

    let result = follow(
        &events,
        &chapters,
        args.for_seconds.map(Duration::from_secs_f64),
    );
    handle.shutdown(Duration::from_secs(2));
    result
}

/// Prints what happens until the time is up, the audio ends or fails.
fn follow(
    events: &mpsc::Receiver<PlayerEvent>,
    chapters: &[Chapter],
    for_duration: Option<Duration>,
) -> Result<(), String> {
    // `--for` counts audio heard: from the moment the position first moves.
    let mut started: Option<Instant> = None;
    let mut first_position: Option<u64> = None;
    let mut playing = false;
    let mut last_second = None;
    let mut last_chapter = None;
    let mut last_state = None;
    let mut last_stall_report: Option<Instant> = None;
    loop {
        if let (Some(t0), Some(limit)) = (started, for_duration) {
            if t0.elapsed() >= limit {
                return Ok(());
            }
        }
        let Some(event) = next_event(events)? else {
            continue;
        };
        let status = match event {
            PlayerEvent::Status(status) => status,
            PlayerEvent::Skipped {
                reason,
                from_ms,
                to_ms,
                ..
            } => {
                println!("{}", skipped_message(&reason, from_ms, to_ms));
                continue;
            }
            // A URL played from the command line is no library episode: nothing is kept.
            PlayerEvent::SavePosition { .. } | PlayerEvent::FrameIndex { .. } => continue,
        };
        if let Some(error) = &status.error {
            return Err(player_error_message(error));
        }
        if let Some(stall) = &status.network {
            if last_stall_report.is_none_or(|at: Instant| at.elapsed() >= Duration::from_secs(1)) {
                last_stall_report = Some(Instant::now());
                println!(
                    "reconnecting to {} ({} s, {} tries)",
                    stall.host,
                    stall.for_ms / 1000,
                    stall.attempts
                );
            }
        }
        match status.state {
            PlaybackState::Error => return Err("playback failed".into()),
            PlaybackState::Ended => {
                println!("end {}", clock(status.position_ms));
                return Ok(());
            }
            PlaybackState::Playing if !playing => {
                playing = true;
                first_position = Some(status.position_ms);
                if status.progressive {
                    println!("note: the server cannot seek; jumps ahead wait for the download");
                }
            }
            _ => {}
        }
        if started.is_none() && first_position.is_some_and(|p| status.position_ms > p) {
            started = Some(Instant::now());
        }
        if last_state != Some(status.state) {
            last_state = Some(status.state);
            println!("state {:?}", status.state);
        }
        if status.chapter != last_chapter {
            last_chapter = status.chapter;
            if let Some(c) = status.chapter.and_then(|i| chapters.get(i)) {
                println!(
                    "chapter {} {} {}",
                    visible_number(chapters, c),
                    clock(c.start_ms),
                    c.title
                );
            }
        }
        let second = status.position_ms / 1000;
        if playing && last_second != Some(second) {
            last_second = Some(second);
            println!("position {}", clock(status.position_ms));
        }
    }
}

/// The player's next event, or `None` after a short wait (so time limits are checked); an
/// error when the player went away.
fn next_event<T>(events: &mpsc::Receiver<T>) -> Result<Option<T>, String> {
    match events.recv_timeout(Duration::from_millis(50)) {
        Ok(event) => Ok(Some(event)),
        Err(mpsc::RecvTimeoutError::Timeout) => Ok(None),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the player stopped unexpectedly".into()),
    }
}

fn visible_number(chapters: &[Chapter], chapter: &Chapter) -> usize {
    chapters
        .iter()
        .filter(|c| !c.is_hidden)
        .position(|c| std::ptr::eq(c, chapter))
        .map_or(0, |i| i + 1)
}

/// Chapters embedded in the audio; none (with a log line) when it has none or they fail.
fn embedded_chapters(source: &str) -> Vec<Chapter> {
    audio_chapters(source).unwrap_or_else(|e| {
        tracing::info!(error = %e, "no embedded chapters");
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_accepts_seconds_and_clock_times() {
        assert_eq!(parse_at("90"), Some(90_000));
        assert_eq!(parse_at("12.5"), Some(12_500));
        assert_eq!(parse_at("1:30"), Some(90_000));
        assert_eq!(parse_at("1:02:03"), Some(3_723_000));
        assert_eq!(parse_at("-4"), None);
        assert_eq!(parse_at("soon"), None);
    }
}
