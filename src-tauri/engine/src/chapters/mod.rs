//! Chapters from every source, merged into one list. Each reader turns bytes or text into
//! chapters without I/O; fetching (JSON files, the head of a streamed audio file) lives in
//! `crate::chapter_fetch`.

pub mod json;
pub mod model;
pub mod podlove;
pub mod shownotes;

pub use model::{chapter_at, merge, Chapter, ChapterSource};

/// Show-notes chapters as [`Chapter`]s.
pub fn from_show_notes(notes: &str, duration_ms: Option<u64>) -> Vec<Chapter> {
    shownotes::chapters_from_notes(notes, duration_ms)
        .into_iter()
        .map(|c| Chapter::new(c.start_ms, c.title, ChapterSource::ShowNotes))
        .collect()
}

/// The chapters a feed alone provides for an episode (Podlove, else show notes), merged.
pub fn from_feed_episode(episode: &crate::feed::ParsedEpisode) -> Vec<Chapter> {
    let duration_ms = episode.duration_s.map(|s| u64::from(s) * 1000);
    merge(
        vec![
            podlove::chapters(&episode.podlove_chapters),
            from_show_notes(&episode.description_html, duration_ms),
        ],
        duration_ms,
    )
}
