//! What of an episode is skipped: its intro and outro, and the chapters whose titles the
//! listener listed ("Sponsor", "Ad break"), as ranges of episode time. Pure: the machine
//! decides when to jump, the output drops anything inside a range that reaches it first.

use crate::chapters::Chapter;
use crate::sound_profile::is_skipped_chapter;

/// What the listener asked to skip in the loaded episode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skips {
    pub intro_ms: u64,
    pub outro_ms: u64,
    /// Chapter title words (see [`is_skipped_chapter`]).
    pub chapter_words: Vec<String>,
}

/// Why a range is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    Intro,
    Outro,
    /// A chapter, by its title.
    Chapter(String),
}

/// A stretch of episode time that is not played.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipRange {
    pub from_ms: u64,
    pub to_ms: u64,
    pub reason: SkipReason,
}

impl Skips {
    pub fn is_empty(&self) -> bool {
        self.intro_ms == 0 && self.outro_ms == 0 && self.chapter_words.is_empty()
    }
}

/// The ranges to skip, in order and not overlapping. `allowed` holds the starts of ranges the
/// listener chose to hear after all (Undo, or a jump into one). The intro counts only when
/// playback began before it ends (`from_start`); the outro only once the length is known.
pub fn skip_ranges(
    skips: &Skips,
    chapters: &[Chapter],
    duration_ms: Option<u64>,
    from_start: bool,
    allowed: &[u64],
) -> Vec<SkipRange> {
    let mut ranges = Vec::new();
    if skips.intro_ms > 0 && from_start {
        ranges.push(SkipRange {
            from_ms: 0,
            to_ms: skips.intro_ms,
            reason: SkipReason::Intro,
        });
    }
    if !skips.chapter_words.is_empty() {
        let visible: Vec<&Chapter> = chapters.iter().filter(|c| !c.is_hidden).collect();
        for (i, chapter) in visible.iter().enumerate() {
            if !is_skipped_chapter(&chapter.title, &skips.chapter_words) {
                continue;
            }
            let end = chapter
                .end_ms
                .filter(|e| *e > chapter.start_ms)
                .or_else(|| visible.get(i + 1).map(|c| c.start_ms))
                .or(duration_ms);
            if let Some(end) = end.filter(|e| *e > chapter.start_ms) {
                ranges.push(SkipRange {
                    from_ms: chapter.start_ms,
                    to_ms: end,
                    reason: SkipReason::Chapter(chapter.title.clone()),
                });
            }
        }
    }
    if let Some(duration) = duration_ms.filter(|_| skips.outro_ms > 0) {
        let from = duration.saturating_sub(skips.outro_ms);
        if from < duration {
            ranges.push(SkipRange {
                from_ms: from,
                to_ms: duration,
                reason: SkipReason::Outro,
            });
        }
    }
    ranges.retain(|r| !allowed.contains(&r.from_ms));
    ranges.sort_by_key(|r| r.from_ms);
    // One range where two meet or overlap (an intro running into a sponsor chapter): a jump
    // must not land inside the next skipped stretch.
    let mut merged: Vec<SkipRange> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.from_ms <= last.to_ms => {
                last.to_ms = last.to_ms.max(range.to_ms);
            }
            _ => merged.push(range),
        }
    }
    merged
}

/// The range `position_ms` is in, if any.
pub fn range_at(ranges: &[SkipRange], position_ms: u64) -> Option<&SkipRange> {
    ranges
        .iter()
        .find(|r| r.from_ms <= position_ms && position_ms < r.to_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chapters::ChapterSource;

    fn chapters() -> Vec<Chapter> {
        ["Intro", "Sponsor", "Main", "Ad break", "Outro"]
            .iter()
            .enumerate()
            .map(|(i, t)| Chapter::new(i as u64 * 10_000, *t, ChapterSource::Id3))
            .collect()
    }

    fn skips(words: &[&str], intro_ms: u64, outro_ms: u64) -> Skips {
        Skips {
            intro_ms,
            outro_ms,
            chapter_words: words.iter().map(|w| w.to_string()).collect(),
        }
    }

    fn spans(ranges: &[SkipRange]) -> Vec<(u64, u64)> {
        ranges.iter().map(|r| (r.from_ms, r.to_ms)).collect()
    }

    #[test]
    fn listed_chapters_intro_and_outro_become_ranges() {
        let list = chapters();
        let all = skip_ranges(
            &skips(&["sponsor", "Ad break"], 0, 0),
            &list,
            Some(50_000),
            true,
            &[],
        );
        assert_eq!(spans(&all), [(10_000, 20_000), (30_000, 40_000)]);
        assert_eq!(all[0].reason, SkipReason::Chapter("Sponsor".into()));
        // The last chapter runs to the end of the episode once that is known.
        let outro = skip_ranges(&skips(&["outro"], 0, 0), &list, Some(50_000), true, &[]);
        assert_eq!(spans(&outro), [(40_000, 50_000)]);
        assert!(skip_ranges(&skips(&["outro"], 0, 0), &list, None, true, &[]).is_empty());
        // An intro running into the sponsor is one range; the outro needs the length.
        let both = skip_ranges(
            &skips(&["sponsor"], 12_000, 5_000),
            &list,
            Some(50_000),
            true,
            &[],
        );
        assert_eq!(spans(&both), [(0, 20_000), (45_000, 50_000)]);
        // Resumed past the intro: it is not skipped; an allowed range is not either.
        let resumed = skip_ranges(
            &skips(&["sponsor"], 12_000, 0),
            &list,
            None,
            false,
            &[10_000],
        );
        assert!(resumed.is_empty());
        assert_eq!(range_at(&all, 35_000).map(|r| r.to_ms), Some(40_000));
        assert!(range_at(&all, 40_000).is_none());
    }
}
