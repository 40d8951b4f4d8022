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
    // Whatever the source (an ID3 link frame, a chapters file, the feed), only web links and
    // artwork are kept: the UI must never be handed `javascript:` or `file:` to open.
    for chapter in &mut chapters {
        if chapter
            .url
            .as_deref()
            .is_some_and(|u| !crate::feed::is_web_url(u))
        {
            chapter.url = None;
        }
        if chapter
            .img
            .as_deref()
            .is_some_and(|u| !crate::feed::is_web_url(u))
        {
            chapter.img = None;
        }
    }
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

/// The index of the visible chapter playing at `position_ms`, if any: the last one starting at
/// or before it, unless that one ends at or before it (a gap between chapters). The one rule
/// for "the current chapter": the player reports it, and the shell and UI show what it says.
pub fn chapter_at(chapters: &[Chapter], position_ms: u64) -> Option<usize> {
    let (i, chapter) = chapters
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_hidden && c.start_ms <= position_ms)
        .max_by_key(|(_, c)| c.start_ms)?;
    match chapter.end_ms {
        Some(end) if end > chapter.start_ms && position_ms >= end => None,
        _ => Some(i),
    }
}

/// `chapter_at` counted among the visible chapters only (what the UI lists).
pub fn visible_index(chapters: &[Chapter], index: usize) -> Option<usize> {
    let chapter = chapters.get(index)?;
    (!chapter.is_hidden).then(|| chapters[..index].iter().filter(|c| !c.is_hidden).count())
}

/// Where "next chapter" (`step` > 0) or "previous chapter" goes from `position_ms`: the next
/// visible start; or back to the start of the current one when more than `restart_ms` into it,
/// else the one before. `None`: nowhere to go.
pub fn chapter_step_target(
    chapters: &[Chapter],
    position_ms: u64,
    step: i32,
    restart_ms: u64,
) -> Option<u64> {
    let mut starts: Vec<u64> = chapters
        .iter()
        .filter(|c| !c.is_hidden)
        .map(|c| c.start_ms)
        .collect();
    starts.sort_unstable();
    starts.dedup();
    if step > 0 {
        return starts.into_iter().find(|s| *s > position_ms);
    }
    let current = starts.iter().rposition(|s| *s <= position_ms)?;
    if position_ms > starts[current] + restart_ms || current == 0 {
        Some(starts[current])
    } else {
        Some(starts[current - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(list: &[(u64, Option<u64>, bool)]) -> Vec<Chapter> {
        list.iter()
            .map(|&(start, end, hidden)| {
                let mut c = Chapter::new(start, "c", ChapterSource::PodcastJson);
                c.end_ms = end;
                c.is_hidden = hidden;
                c
            })
            .collect()
    }

    #[test]
    fn the_current_chapter_respects_ends_gaps_and_hidden_chapters() {
        let chapters = spans(&[
            (0, Some(10_000), false),
            (5_000, None, true),
            (20_000, Some(30_000), false),
            (30_000, None, false),
        ]);
        assert_eq!(chapter_at(&chapters, 0), Some(0));
        assert_eq!(chapter_at(&chapters, 9_999), Some(0));
        assert_eq!(chapter_at(&chapters, 10_000), None, "the gap");
        assert_eq!(chapter_at(&chapters, 19_999), None, "the gap");
        assert_eq!(chapter_at(&chapters, 20_000), Some(2));
        assert_eq!(chapter_at(&chapters, 40_000), Some(3), "no end: to the end");
        assert_eq!(visible_index(&chapters, 2), Some(1));
        assert_eq!(visible_index(&chapters, 1), None);
        assert_eq!(chapter_at(&spans(&[(5_000, None, false)]), 1_000), None);
    }

    #[test]
    fn chapter_steps_skip_hidden_chapters_and_work_in_gaps() {
        let chapters = spans(&[
            (0, Some(10_000), false),
            (5_000, None, true),
            (20_000, Some(30_000), false),
            (30_000, None, false),
        ]);
        let step = |at, dir| chapter_step_target(&chapters, at, dir, 3_000);
        assert_eq!(step(1_000, 1), Some(20_000), "the hidden one is not a stop");
        assert_eq!(step(12_000, 1), Some(20_000), "from a gap: the next");
        assert_eq!(step(12_000, -1), Some(0), "from a gap: the one before");
        assert_eq!(
            step(21_000, -1),
            Some(0),
            "early in a chapter: the previous"
        );
        assert_eq!(step(25_000, -1), Some(20_000), "later: its own start");
        assert_eq!(step(1_000, -1), Some(0), "the first restarts");
        assert_eq!(step(31_000, 1), None, "no next after the last");
        assert_eq!(chapter_step_target(&[], 0, 1, 3_000), None);
    }

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

    #[test]
    fn only_web_links_and_artwork_survive_a_merge() {
        let mut list = vec![Chapter::new(0, "a", ChapterSource::Id3)];
        list[0].url = Some("javascript:alert(1)".into());
        list[0].img = Some("file:///etc/passwd".into());
        let mut web = Chapter::new(1000, "b", ChapterSource::Id3);
        web.url = Some("https://e.com/b".into());
        list.push(web);
        let merged = merge(vec![list], None);
        assert_eq!(
            (merged[0].url.as_deref(), merged[0].img.as_deref()),
            (None, None)
        );
        assert_eq!(merged[1].url.as_deref(), Some("https://e.com/b"));
    }
}
