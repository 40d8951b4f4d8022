//! Chapters from every source, merged into one list. Each reader turns bytes or text into
//! chapters without I/O; fetching (JSON files, the head of a streamed audio file) lives in
//! `crate::chapter_fetch`.

pub mod embedded;
pub mod id3;
pub mod json;
pub mod model;
pub mod mp4;
pub mod podlove;
pub mod shownotes;
pub mod vorbis;

pub use model::{chapter_at, chapter_step_target, merge, visible_index, Chapter, ChapterSource};

/// Chapters read from an audio file, as [`Chapter`]s of the matching source.
pub fn from_embedded(
    kind: embedded::AudioKind,
    list: Vec<embedded::EmbeddedChapter>,
) -> Vec<Chapter> {
    let source = match kind {
        embedded::AudioKind::Mp3 => ChapterSource::Id3,
        embedded::AudioKind::Mp4 => ChapterSource::Mp4,
        embedded::AudioKind::OggVorbis | embedded::AudioKind::OggOpus => ChapterSource::Vorbis,
    };
    list.into_iter()
        .map(|c| {
            let mut chapter = Chapter::new(c.start_ms, c.title, source);
            chapter.end_ms = c.end_ms;
            chapter.url = c
                .url
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
            chapter
        })
        .collect()
}

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

/// The one list an episode shows, from everything known about it: chapters read from the audio
/// (`embedded`), a JSON chapters file (`json`), Podlove chapters and the show notes.
pub fn for_episode(
    description_html: &str,
    duration_s: Option<u32>,
    podlove_chapters: &[crate::feed::PodloveChapterRef],
    json: Option<Vec<Chapter>>,
    embedded: Option<Vec<Chapter>>,
) -> Vec<Chapter> {
    let duration_ms = duration_s.map(|s| u64::from(s) * 1000);
    merge(
        vec![
            embedded.unwrap_or_default(),
            json.unwrap_or_default(),
            podlove::chapters(podlove_chapters),
            from_show_notes(description_html, duration_ms),
        ],
        duration_ms,
    )
}
