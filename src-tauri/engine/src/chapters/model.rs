//! The one chapter list an episode shows, whatever its sources, and how sources are merged.

use serde::{Deserialize, Serialize};

/// Where a chapter came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChapterSource {
    /// ID3v2 CHAP frames in an MP3.
    Id3,
    /// Nero or QuickTime chapters in an MP4.
    Mp4,
    /// `CHAPTERxxx` comments in Ogg Vorbis/Opus.
    Vorbis,
    /// A Podcasting 2.0 JSON chapters file (`podcast:chapters`).
    PodcastJson,
    /// Podlove Simple Chapters in the feed (`psc:chapters`).
    Podlove,
    /// A timestamp list in the show notes.
    ShowNotes,
}

impl ChapterSource {
    /// Lower is preferred: chapters in the audio file cannot drift from it (dynamic ad insertion
    /// shifts feed-side chapters), then the dedicated chapter formats, then prose.
    pub fn rank(self) -> u8 {
        match self {
            ChapterSource::Id3 | ChapterSource::Mp4 | ChapterSource::Vorbis => 0,
            ChapterSource::PodcastJson => 1,
            ChapterSource::Podlove => 2,
            ChapterSource::ShowNotes => 3,
        }
    }
}

/// One chapter. Times in milliseconds from the start of the audio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chapter {
    pub start_ms: u64,
    /// Where the next chapter starts, or the episode's end; `None` when unknown.
    pub end_ms: Option<u64>,
    pub title: String,
    pub source: ChapterSource,
    /// A web page for the chapter.
    pub url: Option<String>,
    /// Chapter artwork URL.
    pub img: Option<String>,
    /// `toc: false` in JSON chapters: kept for the player (artwork changes) but hidden from
    /// the list and skipped by next/previous chapter.
    pub is_hidden: bool,
}

impl Chapter {
    pub fn new(start_ms: u64, title: impl Into<String>, source: ChapterSource) -> Self {
        Chapter {
            start_ms,
            end_ms: None,
            title: title.into(),
            source,
            url: None,
            img: None,
            is_hidden: false,
        }
    }
}

/// Picks the best available source and returns its chapters sorted, with ends filled in.
/// `lists` may hold several candidate lists; an empty list never wins.
pub fn merge(lists: Vec<Vec<Chapter>>, duration_ms: Option<u64>) -> Vec<Chapter> {
    let best = lists
        .into_iter()
        .filter(|l| !l.is_empty())
        .min_by_key(|l| l.first().map_or(u8::MAX, |c| c.source.rank()));
    let mut chapters = best.unwrap_or_default();
    chapters.sort_by_key(|c| c.start_ms);
    chapters.dedup_by(|b, a| a.start_ms == b.start_ms && a.title == b.title);
    if let Some(duration) = duration_ms.filter(|d| *d > 0) {
        chapters.retain(|c| c.start_ms < duration);
    }
    fill_ends(&mut chapters, duration_ms);
    chapters
}

/// A chapter ends where the next one that is visible starts (hidden ones do not cut a visible
/// chapter short), or at the duration.
fn fill_ends(chapters: &mut [Chapter], duration_ms: Option<u64>) {
    let starts: Vec<(u64, bool)> = chapters.iter().map(|c| (c.start_ms, c.is_hidden)).collect();
    for (i, chapter) in chapters.iter_mut().enumerate() {
        let next = starts[i + 1..]
            .iter()
            .find(|(start, hidden)| *hidden == chapter.is_hidden && *start > chapter.start_ms)
            .map(|(start, _)| *start);
        let end = next.or(duration_ms);
        chapter.end_ms = match (chapter.end_ms, end) {
            (Some(own), Some(limit)) if own > chapter.start_ms => Some(own.min(limit)),
            (Some(own), None) if own > chapter.start_ms => Some(own),
            (_, end) => end,
        };
    }
}

/// The index of the visible chapter playing at `position_ms`, if any.
pub fn chapter_at(chapters: &[Chapter], position_ms: u64) -> Option<usize> {
    chapters
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_hidden && c.start_ms <= position_ms)
        .max_by_key(|(_, c)| c.start_ms)
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chap(start_s: u64, title: &str, source: ChapterSource) -> Chapter {
        Chapter::new(start_s * 1000, title, source)
    }

    #[test]
    fn embedded_beats_json_beats_podlove_beats_show_notes() {
        let notes = vec![chap(0, "notes", ChapterSource::ShowNotes)];
        let podlove = vec![chap(0, "podlove", ChapterSource::Podlove)];
        let json = vec![chap(0, "json", ChapterSource::PodcastJson)];
        let id3 = vec![chap(0, "id3", ChapterSource::Id3)];
        let pick = |lists: Vec<Vec<Chapter>>| merge(lists, None)[0].title.clone();
        assert_eq!(
            pick(vec![notes.clone(), podlove.clone(), json.clone(), id3]),
            "id3"
        );
        assert_eq!(pick(vec![notes.clone(), json, podlove.clone()]), "json");
        assert_eq!(pick(vec![notes.clone(), podlove, Vec::new()]), "podlove");
        assert_eq!(pick(vec![Vec::new(), notes]), "notes");
        assert!(merge(vec![Vec::new()], None).is_empty());
    }

    #[test]
    fn ends_come_from_the_next_start_or_the_duration() {
        let list = vec![
            chap(60, "b", ChapterSource::ShowNotes),
            chap(0, "a", ChapterSource::ShowNotes),
            chap(4000, "beyond", ChapterSource::ShowNotes),
        ];
        let merged = merge(vec![list], Some(3_000_000));
        let spans: Vec<_> = merged.iter().map(|c| (c.start_ms, c.end_ms)).collect();
        assert_eq!(spans, vec![(0, Some(60_000)), (60_000, Some(3_000_000))]);
    }

    #[test]
    fn hidden_chapters_do_not_cut_visible_ones_and_are_never_current() {
        let mut hidden = chap(30, "ad art", ChapterSource::PodcastJson);
        hidden.is_hidden = true;
        let list = vec![
            chap(0, "a", ChapterSource::PodcastJson),
            hidden,
            chap(90, "b", ChapterSource::PodcastJson),
        ];
        let merged = merge(vec![list], None);
        assert_eq!(merged[0].end_ms, Some(90_000));
        assert_eq!(chapter_at(&merged, 45_000), Some(0));
        assert_eq!(chapter_at(&merged, 95_000), Some(2));
    }
}
