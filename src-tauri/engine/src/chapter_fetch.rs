//! Chapters that need the network: Podcasting 2.0 JSON files and chapters embedded in the audio
//! file. Results are cached in the library; a failed fetch is logged and the other sources
//! still count.

use std::path::{Path, PathBuf};

use crate::chapters::embedded::{self, AudioKind, ReadOutcome};
use crate::chapters::{self, id3, json::JsonChaptersError, mp4, vorbis, Chapter};
use crate::library::{EpisodeId, FetchedChaptersKind, LibraryError};
use crate::net::{HttpClient, NetError};
use crate::Engine;

/// Largest JSON chapters file read into memory.
const CHAPTERS_JSON_LIMIT_BYTES: u64 = 5 * 1024 * 1024;
/// The first read of an audio file: enough for a typical ID3 tag with chapters (without large
/// images), an Ogg comment header, or an MP4 `moov` at the front.
const AUDIO_HEAD_BYTES: u64 = 128 * 1024;
/// Largest chapter data read from an audio file (a tag full of chapter images can be big).
const AUDIO_CHAPTER_LIMIT_BYTES: u64 = 64 * 1024 * 1024;
/// Reads of one file at most; a reader asking for more is treated as a broken file.
const MAX_AUDIO_READS: usize = 8;

/// Why fetched chapters could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ChapterFetchError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error("the chapters file is unreadable: {0}")]
    Json(#[from] JsonChaptersError),
    #[error("cannot read {path}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "not an audio file Chaptercast can read chapters from (MP3, M4A/M4B, Ogg Vorbis/Opus)"
    )]
    UnknownAudio,
    #[error("the audio file's chapters are unreadable: {0}")]
    Audio(#[from] embedded::ChapterError),
    #[error("the audio file's chapter data is larger than {limit_bytes} bytes or never ends")]
    AudioTooLarge { limit_bytes: u64 },
}

/// Where an audio file's bytes come from: a URL (read with Range requests) or a local file.
#[derive(Debug, Clone, Copy)]
pub enum AudioSource<'a> {
    Http {
        client: &'a HttpClient,
        url: &'a str,
    },
    File(&'a Path),
}

impl AudioSource<'_> {
    /// Reads up to `len` bytes at `offset`; fewer at the end of the file. Also returns the
    /// file's length when known.
    async fn read(
        &self,
        offset: u64,
        len: u64,
    ) -> Result<(Vec<u8>, Option<u64>), ChapterFetchError> {
        match self {
            AudioSource::Http { client, url } => {
                let body = client.get_range(url, offset, len).await?;
                Ok((body.bytes, body.total_len))
            }
            AudioSource::File(path) => {
                let path = path.to_path_buf();
                tokio::task::spawn_blocking(move || read_file_range(&path, offset, len))
                    .await
                    .map_err(|e| ChapterFetchError::File {
                        path: PathBuf::new(),
                        source: std::io::Error::other(e),
                    })?
            }
        }
    }
}

fn read_file_range(
    path: &Path,
    offset: u64,
    len: u64,
) -> Result<(Vec<u8>, Option<u64>), ChapterFetchError> {
    use std::io::{Read, Seek, SeekFrom};
    let fail = |source| ChapterFetchError::File {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(fail)?;
    let total = file.metadata().map_err(fail)?.len();
    file.seek(SeekFrom::Start(offset)).map_err(fail)?;
    let mut bytes = Vec::with_capacity(len.min(total.saturating_sub(offset)) as usize);
    file.take(len).read_to_end(&mut bytes).map_err(fail)?;
    Ok((bytes, Some(total)))
}

/// Reads the chapters embedded in an audio file, fetching only the parts that hold them: the
/// head, then whatever the reader asks for (the rest of a large ID3 tag, an MP4 `moov` at the
/// end, chapter text samples).
pub async fn read_embedded_chapters(
    source: AudioSource<'_>,
) -> Result<Vec<Chapter>, ChapterFetchError> {
    let (mut head, total) = source.read(0, AUDIO_HEAD_BYTES).await?;
    let kind = embedded::sniff(&head).ok_or(ChapterFetchError::UnknownAudio)?;
    let limit = |n: u64| {
        if n > AUDIO_CHAPTER_LIMIT_BYTES {
            Err(ChapterFetchError::AudioTooLarge {
                limit_bytes: AUDIO_CHAPTER_LIMIT_BYTES,
            })
        } else {
            Ok(n)
        }
    };
    let found = match kind {
        AudioKind::Mp4 => {
            let mut reader = mp4::Mp4Reader::new(total);
            let mut outcome = reader.read_at(0, &head)?;
            let mut reads = 1;
            loop {
                let (offset, len) = match outcome {
                    ReadOutcome::Chapters(list) => break list,
                    ReadOutcome::NeedRange { offset, len } => (offset, len),
                    ReadOutcome::NeedBytes(len) => (0, len),
                };
                if reads >= MAX_AUDIO_READS {
                    return Err(ChapterFetchError::AudioTooLarge {
                        limit_bytes: AUDIO_CHAPTER_LIMIT_BYTES,
                    });
                }
                let (bytes, _) = source.read(offset, limit(len)?).await?;
                reads += 1;
                outcome = reader.read_at(offset, &bytes)?;
            }
        }
        AudioKind::Mp3 | AudioKind::OggVorbis | AudioKind::OggOpus => {
            let read = |bytes: &[u8]| match kind {
                AudioKind::Mp3 => id3::read(bytes),
                _ => vorbis::read(bytes),
            };
            let mut reads = 1;
            loop {
                let outcome = match read(&head) {
                    Ok(outcome) => outcome,
                    // An MP3 without an ID3v2 tag simply has no chapters.
                    Err(embedded::ChapterError::WrongFormat { .. }) if kind == AudioKind::Mp3 => {
                        ReadOutcome::Chapters(Vec::new())
                    }
                    Err(e) => return Err(e.into()),
                };
                match outcome {
                    ReadOutcome::Chapters(list) => break list,
                    ReadOutcome::NeedBytes(n)
                        if reads < MAX_AUDIO_READS && (n as usize) > head.len() =>
                    {
                        let have = head.len() as u64;
                        let (more, _) = source.read(have, limit(n)? - have).await?;
                        reads += 1;
                        if more.is_empty() {
                            break Vec::new(); // truncated file: nothing more to read
                        }
                        head.extend_from_slice(&more);
                    }
                    _ => break Vec::new(),
                }
            }
        }
    };
    Ok(chapters::from_embedded(kind, found))
}

/// Fetches and parses a Podcasting 2.0 JSON chapters file.
pub async fn fetch_json_chapters(
    http: &HttpClient,
    url: &str,
) -> Result<Vec<Chapter>, ChapterFetchError> {
    let body = http.get_capped(url, CHAPTERS_JSON_LIMIT_BYTES).await?;
    Ok(chapters::json::parse(&body.bytes)?)
}

impl Engine {
    /// The episode's chapters from what is already known (feed, show notes, earlier fetches):
    /// instant, no network.
    pub async fn chapters(&self, id: EpisodeId) -> Result<Vec<Chapter>, LibraryError> {
        self.with_library(move |library| library.known_chapters(id))
            .await
    }

    /// Fetches what is not cached yet (the JSON chapters file), stores it, and returns the
    /// merged list. A source that fails to load is skipped (and logged); the rest still count.
    pub async fn load_chapters(&self, id: EpisodeId) -> Result<Vec<Chapter>, LibraryError> {
        let episode = self.episode(id).await?;
        if let Some(url) = episode.chapters_url.clone() {
            let cached = {
                let url = url.clone();
                self.with_library(move |l| {
                    l.fetched_chapters(id, FetchedChaptersKind::PodcastJson, &url)
                })
                .await?
            };
            if cached.is_none() {
                match fetch_json_chapters(&self.inner.http, &url).await {
                    Ok(list) => {
                        self.with_library(move |l| {
                            l.store_fetched_chapters(
                                id,
                                FetchedChaptersKind::PodcastJson,
                                &url,
                                &list,
                            )
                        })
                        .await?;
                    }
                    Err(error) => {
                        tracing::warn!(episode = id.0, %url, error = ?error, "chapters file failed")
                    }
                }
            }
        }
        let enclosure = episode.enclosure_url.clone();
        let cached = {
            let url = enclosure.clone();
            self.with_library(move |l| l.fetched_chapters(id, FetchedChaptersKind::Embedded, &url))
                .await?
        };
        if cached.is_none() {
            // A downloaded file is read from disk; otherwise a few Range requests suffice.
            let local = episode
                .download_path
                .as_deref()
                .map(Path::new)
                .filter(|p| p.is_file());
            let source = match local {
                Some(path) => AudioSource::File(path),
                None => AudioSource::Http {
                    client: &self.inner.http,
                    url: &enclosure,
                },
            };
            match read_embedded_chapters(source).await {
                Ok(list) => {
                    self.with_library(move |l| {
                        l.store_fetched_chapters(
                            id,
                            FetchedChaptersKind::Embedded,
                            &enclosure,
                            &list,
                        )
                    })
                    .await?;
                }
                Err(error) => {
                    tracing::warn!(episode = id.0, error = ?error, "embedded chapters failed")
                }
            }
        }
        self.index_search_soon();
        self.chapters(id).await
    }
}
