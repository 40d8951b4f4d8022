//! Transcripts that need the network or the disk: which of an episode's offered transcripts to
//! take, fetching it (capped, http(s) only), a sidecar file beside a download, and storing the
//! result in the library. Reading the bytes is [`crate::transcripts`]' job.

use std::path::{Path, PathBuf};

use crate::feed::TranscriptRef;
use crate::library::{EpisodeId, LibraryError, ShowId, StoredTranscript};
use crate::net::{HttpClient, NetError};
use crate::transcripts::{self, Format, Transcript, TranscriptError, MAX_TRANSCRIPT_BYTES};
use crate::Engine;

/// Transcripts fetched at once after a refresh: the same politeness as feeds.
const PARALLEL_FETCHES: usize = 8;

/// An episode's transcript, as far as it can be had now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranscriptState {
    /// The episode offers none (and has no sidecar file).
    None,
    /// Read (or stored as unreadable: see its `error`).
    Stored(StoredTranscript),
    /// Offered, but not fetched yet: offline, or the server failed for now.
    Unavailable { reason: String, offline: bool },
}

/// A fetch failure that will not go away by asking again: stored, so it is not asked again
/// until the feed points elsewhere.
fn is_final(error: &NetError) -> bool {
    match error {
        NetError::Status { status, .. } => (400..500).contains(status) && *status != 429,
        NetError::InvalidUrl { .. }
        | NetError::UnsupportedScheme { .. }
        | NetError::TooLarge { .. }
        | NetError::TooManyRedirects { .. } => true,
        _ => false,
    }
}

/// Why a transcript could not be had.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptFetchError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error(transparent)]
    Unreadable(#[from] TranscriptError),
    #[error("cannot read {path}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is larger than {limit_bytes} bytes")]
    FileTooLarge { path: PathBuf, limit_bytes: usize },
}

/// The format a reference declares: its `type`, else its file name's extension.
pub fn declared_format(reference: &TranscriptRef) -> Option<Format> {
    reference
        .mime_type
        .as_deref()
        .and_then(Format::from_mime)
        .or_else(|| extension_format(&reference.url))
}

fn extension_format(url: &str) -> Option<Format> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or(path);
    let (_, ext) = name.rsplit_once('.')?;
    Format::from_name(ext)
}

/// The transcript to take among those offered: in the listener's language when one is offered
/// in it (else in the language of the first offered), then the best format (JSON, VTT, SRT,
/// HTML, text). An unknown type still counts, after the known ones: it is sniffed when read.
pub fn choose<'a>(
    offered: &'a [TranscriptRef],
    language: Option<&str>,
) -> Option<&'a TranscriptRef> {
    let primary = |tag: &str| {
        tag.split(['-', '_'])
            .next()
            .unwrap_or(tag)
            .to_ascii_lowercase()
    };
    let wanted = language
        .map(primary)
        .filter(|l| {
            offered
                .iter()
                .any(|t| t.language.as_deref().map(primary).as_deref() == Some(l.as_str()))
        })
        .or_else(|| {
            offered
                .first()
                .and_then(|t| t.language.as_deref())
                .map(primary)
        });
    offered
        .iter()
        .enumerate()
        .min_by_key(|(i, t)| {
            let language_matches = match (&wanted, t.language.as_deref()) {
                (Some(w), Some(l)) => primary(l) == *w,
                // A transcript that does not say is taken as the feed's language.
                (_, None) | (None, _) => true,
            };
            let rank = declared_format(t).map_or(u8::MAX, Format::rank);
            (!language_matches, rank, *i)
        })
        .map(|(_, t)| t)
}

/// The listener's language from the environment (`LC_ALL`, `LC_MESSAGES`, `LANG`), e.g. "en".
pub fn listener_language() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty() && v != "C" && v != "POSIX")
        .map(|v| {
            v.split(['_', '.', '@', '-'])
                .next()
                .unwrap_or("")
                .to_string()
        })
        .filter(|l| !l.is_empty())
}

/// A `.vtt` or `.srt` beside a downloaded file, with the same name.
pub fn sidecar_of(audio: &Path) -> Option<(PathBuf, Format)> {
    [("vtt", Format::Vtt), ("srt", Format::Srt)]
        .into_iter()
        .map(|(ext, format)| (audio.with_extension(ext), format))
        .find(|(path, _)| path.is_file())
}

/// Reads a transcript file from disk, capped like a fetched one.
pub fn read_file(path: &Path, format: Option<Format>) -> Result<Transcript, TranscriptFetchError> {
    use std::io::Read;
    let fail = |source| TranscriptFetchError::File {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::new();
    file.take(MAX_TRANSCRIPT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    if bytes.len() > MAX_TRANSCRIPT_BYTES {
        return Err(TranscriptFetchError::FileTooLarge {
            path: path.to_path_buf(),
            limit_bytes: MAX_TRANSCRIPT_BYTES,
        });
    }
    Ok(transcripts::parse(&bytes, format)?)
}

/// Fetches and reads a transcript (gzip is fine for text; the cap counts the unpacked bytes).
pub async fn fetch(
    http: &HttpClient,
    url: &str,
    format: Option<Format>,
) -> Result<Transcript, TranscriptFetchError> {
    let body = http.get_capped(url, MAX_TRANSCRIPT_BYTES as u64).await?;
    // Reading is CPU work on up to 5 MB: off the async workers.
    let read = tokio::task::spawn_blocking(move || transcripts::parse(&body.bytes, format))
        .await
        .map_err(|e| TranscriptFetchError::File {
            path: PathBuf::new(),
            source: std::io::Error::other(e),
        })?;
    Ok(read?)
}

impl Engine {
    /// The stored transcript of an episode: instant, no network.
    pub async fn transcript(
        &self,
        id: EpisodeId,
    ) -> Result<Option<StoredTranscript>, LibraryError> {
        self.with_library(move |l| l.transcript(id)).await
    }

    /// The episode's transcript, fetching or reading it first when what is stored is not from
    /// the best source there is now: a sidecar beside the download, else the transcript the
    /// feed offers. A source that cannot be read is stored as failed (not fetched again until
    /// it changes); a failure that may pass (offline, a server error) stores nothing, so it is
    /// tried again next time.
    pub async fn load_transcript(&self, id: EpisodeId) -> Result<TranscriptState, LibraryError> {
        let episode = self.episode(id).await?;
        let sidecar = episode
            .download_path
            .as_deref()
            .map(Path::new)
            .and_then(sidecar_of);
        let stored = self.with_library(move |l| l.transcript_source(id)).await?;
        let mut unavailable = None;
        if let Some((path, format)) = sidecar {
            let source = path.to_string_lossy().into_owned();
            if stored.as_deref() != Some(source.as_str()) {
                let read = tokio::task::spawn_blocking(move || read_file(&path, Some(format)))
                    .await
                    .map_err(|source| LibraryError::Worker { source })?;
                self.store(id, source, format, read).await?;
            }
        } else if let Some(offered) = choose(&episode.transcripts, listener_language().as_deref()) {
            if stored.as_deref() != Some(offered.url.as_str()) {
                let format = declared_format(offered);
                let url = offered.url.clone();
                match fetch(&self.inner.http, &url, format).await {
                    Err(TranscriptFetchError::Net(e)) if !is_final(&e) => {
                        tracing::info!(episode = id.0, %url, error = %e, "transcript not fetched");
                        unavailable = Some(TranscriptState::Unavailable {
                            reason: e.to_string(),
                            offline: e.is_offline(),
                        });
                    }
                    read => {
                        self.store(id, url, format.unwrap_or(Format::Text), read)
                            .await?
                    }
                }
            }
        }
        Ok(match self.transcript(id).await? {
            Some(stored) => TranscriptState::Stored(stored),
            None => unavailable.unwrap_or(TranscriptState::None),
        })
    }

    async fn store(
        &self,
        id: EpisodeId,
        source: String,
        format: Format,
        read: Result<Transcript, TranscriptFetchError>,
    ) -> Result<(), LibraryError> {
        if let Err(error) = &read {
            tracing::warn!(episode = id.0, %source, error = %error, "transcript unreadable");
        }
        self.with_library(move |l| match &read {
            Ok(transcript) => l.store_transcript(id, &source, format, Ok(transcript)),
            Err(error) => l.store_transcript(id, &source, format, Err(&error.to_string())),
        })
        .await?;
        self.index_search_soon();
        Ok(())
    }

    /// Fetches the transcripts of `show`'s episodes that offer one not stored yet, a few at a
    /// time (after a refresh). Returns how many episodes have one stored now; those that could
    /// not be fetched (offline) are tried again next time.
    pub async fn fetch_transcripts(&self, show: ShowId) -> Result<usize, LibraryError> {
        use futures_util::StreamExt;
        let offering = self
            .with_library(move |l| l.episodes_offering_transcripts(show))
            .await?;
        let results: Vec<Result<TranscriptState, LibraryError>> =
            futures_util::stream::iter(offering)
                .map(|id| self.load_transcript(id))
                .buffer_unordered(PARALLEL_FETCHES)
                .collect()
                .await;
        let mut stored = 0;
        for result in results {
            if matches!(result?, TranscriptState::Stored(_)) {
                stored += 1;
            }
        }
        Ok(stored)
    }

    /// [`Engine::fetch_transcripts`] for each of `shows`, in the background (the app: a
    /// refresh returns as soon as the feeds are stored). Indexing follows in small steps, so
    /// the library stays free for the listener meanwhile.
    pub fn fetch_transcripts_soon(&self, shows: Vec<ShowId>) {
        let engine = self.clone();
        tokio::spawn(async move {
            for show in shows {
                if let Err(error) = engine.fetch_transcripts(show).await {
                    tracing::warn!(show = show.0, %error, "transcripts not fetched");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(url: &str, mime: Option<&str>, language: Option<&str>) -> TranscriptRef {
        TranscriptRef {
            url: url.into(),
            mime_type: mime.map(str::to_string),
            language: language.map(str::to_string),
            rel: None,
        }
    }

    #[test]
    fn the_best_format_in_the_listeners_language_is_chosen() {
        let list = vec![
            offered("https://h/t.srt", Some("application/x-subrip"), Some("en")),
            offered("https://h/t.html", Some("text/html"), Some("en")),
            offered("https://h/t.vtt", Some("text/vtt"), Some("en")),
            offered("https://h/es.json", Some("application/json"), Some("es")),
            offered("https://h/t.json", Some("application/json"), Some("en-US")),
        ];
        let url = |language| choose(&list, language).map(|t| t.url.as_str());
        assert_eq!(url(Some("en")), Some("https://h/t.json"));
        assert_eq!(url(Some("es_ES")), Some("https://h/es.json"));
        // A language not offered: the feed's first language.
        assert_eq!(url(Some("de")), Some("https://h/t.json"));
        assert_eq!(url(None), Some("https://h/t.json"));
        // Without a type, the file name says; unknown types come last but still count.
        let list = vec![
            offered("https://h/t.txt", None, None),
            offered("https://h/t.vtt?x=1", None, None),
        ];
        assert_eq!(
            choose(&list, None).map(|t| t.url.as_str()),
            Some("https://h/t.vtt?x=1")
        );
        let list = vec![offered("https://h/transcript", Some("x-unknown/x"), None)];
        assert_eq!(
            choose(&list, None).map(|t| t.url.as_str()),
            Some("https://h/transcript")
        );
        assert!(choose(&[], Some("en")).is_none());
    }

    #[test]
    fn a_sidecar_beside_the_download_is_found_and_read() {
        let dir = tempfile::tempdir().expect("dir");
        let audio = dir.path().join("Episode 12.mp3");
        std::fs::write(&audio, b"ID3").expect("audio");
        assert!(sidecar_of(&audio).is_none());
        std::fs::write(
            dir.path().join("Episode 12.srt"),
            "1\n00:00:01,500 --> 00:00:03,000\nHello there.\n",
        )
        .expect("srt");
        let (path, format) = sidecar_of(&audio).expect("sidecar");
        assert_eq!(format, Format::Srt);
        let read = read_file(&path, Some(format)).expect("read");
        assert_eq!(read.cues[0].start_ms, 1_500);
        // VTT wins over SRT when both are there.
        std::fs::write(
            dir.path().join("Episode 12.vtt"),
            "WEBVTT\n\n00:02.000 --> 00:03.000\nHi.\n",
        )
        .expect("vtt");
        assert_eq!(sidecar_of(&audio).map(|(_, f)| f), Some(Format::Vtt));
        // Too large is refused before reading it all.
        let big = dir.path().join("big.vtt");
        std::fs::write(&big, vec![b'a'; MAX_TRANSCRIPT_BYTES + 10]).expect("big");
        assert!(matches!(
            read_file(&big, None),
            Err(TranscriptFetchError::FileTooLarge { .. })
        ));
    }
}
