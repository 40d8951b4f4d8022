//! The sleep timer: pause after some listening time, at the end of the chapter, or at the end
//! of the episode, fading out over the last seconds rather than cutting off mid-word.

use std::time::Duration;

use serde::Serialize;

/// How long the fade-out before a timed stop lasts.
pub const FADE: Duration = Duration::from_secs(5);

/// When to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SleepTimer {
    /// After this much listening (paused time does not count).
    After(Duration),
    /// When the chapter playing now ends.
    EndOfChapter,
    /// When the episode ends.
    EndOfEpisode,
}

/// What the actor does this tick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SleepStep {
    /// Play on at this gain (1.0 = untouched).
    Play(f32),
    /// Time is up: pause, restore the volume, forget the timer.
    Stop,
}

/// A running timer.
#[derive(Debug, Clone, PartialEq)]
pub struct SleepState {
    pub timer: SleepTimer,
    /// Listening time left, for [`SleepTimer::After`].
    left: Duration,
    /// Where the chapter that was playing when armed (or jumped to) ends.
    chapter_end_ms: Option<u64>,
}

impl SleepState {
    /// Arms `timer` at the current chapter's end (if any).
    pub fn new(timer: SleepTimer, chapter_end_ms: Option<u64>) -> Self {
        let left = match timer {
            SleepTimer::After(d) => d,
            _ => Duration::ZERO,
        };
        SleepState {
            timer,
            left,
            chapter_end_ms,
        }
    }

    /// After a jump, "end of chapter" means the chapter jumped to.
    pub fn rearm(&mut self, chapter_end_ms: Option<u64>) {
        self.chapter_end_ms = chapter_end_ms;
    }

    /// Advances by `played` of listening at `position_ms`.
    pub fn advance(&mut self, played: Duration, position_ms: u64) -> SleepStep {
        self.left = self.left.saturating_sub(played);
        match self.remaining(position_ms, None) {
            Some(left) if left == Duration::ZERO => SleepStep::Stop,
            Some(left) if left < FADE && self.timer != SleepTimer::EndOfEpisode => {
                SleepStep::Play(left.as_secs_f32() / FADE.as_secs_f32())
            }
            _ => SleepStep::Play(1.0),
        }
    }

    /// Time until the stop; `None` when unknown (end of chapter without chapters, end of an
    /// episode of unknown length).
    pub fn remaining(&self, position_ms: u64, duration_ms: Option<u64>) -> Option<Duration> {
        let until = |end: u64| Duration::from_millis(end.saturating_sub(position_ms));
        match self.timer {
            SleepTimer::After(_) => Some(self.left),
            SleepTimer::EndOfChapter => self.chapter_end_ms.map(until),
            SleepTimer::EndOfEpisode => duration_ms.map(until),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_stop_counts_listening_and_fades_at_the_end() {
        let mut sleep = SleepState::new(SleepTimer::After(Duration::from_secs(60)), None);
        assert_eq!(
            sleep.advance(Duration::from_secs(50), 0),
            SleepStep::Play(1.0)
        );
        match sleep.advance(Duration::from_millis(7500), 0) {
            SleepStep::Play(gain) => assert!((gain - 0.5).abs() < 0.01, "{gain}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(sleep.advance(Duration::from_secs(3), 0), SleepStep::Stop);
    }

    #[test]
    fn end_of_chapter_stops_at_the_armed_chapter_end_even_after_it_is_crossed() {
        let mut sleep = SleepState::new(SleepTimer::EndOfChapter, Some(120_000));
        assert_eq!(
            sleep.advance(Duration::from_millis(100), 100_000),
            SleepStep::Play(1.0)
        );
        assert!(
            matches!(sleep.advance(Duration::from_millis(100), 117_500), SleepStep::Play(g) if g < 0.6)
        );
        assert_eq!(
            sleep.advance(Duration::from_millis(100), 120_050),
            SleepStep::Stop
        );
        // A jump re-arms at the new chapter's end.
        sleep.rearm(Some(300_000));
        assert_eq!(
            sleep.advance(Duration::from_millis(100), 200_000),
            SleepStep::Play(1.0)
        );
        assert_eq!(
            sleep.remaining(200_000, None),
            Some(Duration::from_secs(100))
        );
    }

    #[test]
    fn end_of_episode_never_fades_and_reports_what_is_left() {
        let mut sleep = SleepState::new(SleepTimer::EndOfEpisode, None);
        assert_eq!(
            sleep.advance(Duration::from_secs(1), 59_000),
            SleepStep::Play(1.0)
        );
        assert_eq!(
            sleep.remaining(59_000, Some(60_000)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(sleep.remaining(59_000, None), None);
    }
}
