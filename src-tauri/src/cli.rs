//! The command line: `chaptercast <subcommand>`. Subcommands never touch GTK, so they work
//! without a display. Failures print one line on stderr and exit 1.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chaptercast_engine::chapter_fetch::{fetch_json_chapters, read_embedded_chapters, AudioSource};
use chaptercast_engine::chapters::{self, Chapter};
use chaptercast_engine::feed::{self, ParsedFeed};
use chaptercast_engine::net::{CacheValidators, HttpClient};
use chaptercast_engine::refresh::fetch_and_parse;
use chaptercast_engine::Config;
use clap::{Parser, Subcommand};

use crate::error::user_message;

// `chaptercast man`: the manual page, rendered from the definitions below.
#[path = "cli_man.rs"]
mod cli_man;

/// Chaptercast: a podcast player that jumps straight to the part you want.
/// Without a subcommand, opens the app.
#[derive(Debug, Parser)]
#[command(
    name = "chaptercast",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Opens the app on this: a feed URL or subscribe link (podcast://, itpc://, pcast://,
    /// podcasts://, feed://), or an OPML or feed file. The app asks before it subscribes.
    #[arg(value_name = "LINK_OR_FILE")]
    pub open: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse a feed (URL or file) and print it, without touching the library.
    Feed {
        /// An http(s) URL or a path to a local file.
        source: String,
        /// Print the parsed feed as JSON.
        #[arg(long)]
        json: bool,
        /// Also fetch each episode's Podcasting 2.0 JSON chapters file.
        #[arg(long)]
        fetch_chapters: bool,
    },
    /// Print the chapters found in show notes, a JSON chapters file or an audio file.
    #[command(group(clap::ArgGroup::new("input").required(true).args(["notes", "json", "audio"])))]
    Chapters {
        /// A file of show notes (plain text or HTML).
        #[arg(long, value_name = "FILE")]
        notes: Option<PathBuf>,
        /// The episode's duration, to drop timestamps beyond it (with --notes).
        #[arg(long, value_name = "SECONDS", requires = "notes")]
        duration: Option<f64>,
        /// A Podcasting 2.0 JSON chapters file (path or http(s) URL).
        #[arg(long, value_name = "PATH|URL")]
        json: Option<String>,
        /// An audio file with embedded chapters (path or http(s) URL).
        #[arg(long, value_name = "PATH|URL")]
        audio: Option<String>,
    },
    /// Print a transcript's cues (WebVTT, SRT, Podcast Index JSON, HTML or plain text).
    Transcript {
        /// An http(s) URL or a path to a local file.
        source: String,
        /// The format; guessed from the content when not given.
        #[arg(long = "type", value_name = "vtt|srt|json|html|text")]
        format: Option<String>,
        /// Print the cues as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Download a file (an episode's audio) to PATH, resuming an earlier interrupted run.
    Download {
        /// The http(s) URL to download.
        url: String,
        /// Where to write it; the file appears there only once complete.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
    /// Play an episode's audio (URL or file) through the default output.
    Play {
        /// An http(s) URL or a path to a local audio file.
        source: String,
        /// Start here: seconds, M:SS or H:MM:SS.
        #[arg(long, value_name = "SECONDS|M:SS|H:MM:SS", conflicts_with = "chapter")]
        at: Option<String>,
        /// Start at chapter N (from 1) of the chapters embedded in the audio.
        #[arg(long, value_name = "N")]
        chapter: Option<usize>,
        /// Stop after this many seconds of playing.
        #[arg(long = "for", value_name = "SECONDS")]
        for_seconds: Option<f64>,
        /// Playback speed, 0.5 to 3.0; the pitch stays the same.
        #[arg(long, default_value_t = 1.0)]
        speed: f32,
        /// Play at a loudness target (a file is measured first; a stream converges as it plays).
        #[arg(long)]
        normalize: bool,
        /// The target for --normalize, in LUFS (-23 to -14).
        #[arg(long, value_name = "LUFS", default_value_t = -16.0, requires = "normalize", allow_hyphen_values = true)]
        loudness: f64,
        /// Extra gain for a quiet recording, in dB (0 to 12), peaks still limited.
        #[arg(long, value_name = "DB")]
        boost: Option<f64>,
        /// Shorten long pauses.
        #[arg(long, value_name = "mild|strong")]
        skip_silence: Option<String>,
        /// Skip chapters whose titles say one of these words (comma-separated).
        #[arg(long, value_name = "WORDS")]
        skip_chapters: Option<String>,
    },
    /// Measure a file's loudness (EBU R128): integrated LUFS, true peak, and the gain to -16 LUFS.
    Loudness {
        /// An http(s) URL or a path to a local audio file.
        source: String,
        /// The target the gain is for, in LUFS.
        #[arg(long, value_name = "LUFS", default_value_t = -16.0, allow_hyphen_values = true)]
        target: f64,
        #[arg(long)]
        json: bool,
    },
    /// Subscribe to a feed (in the app's library) and fetch its episodes.
    Subscribe {
        /// The feed's http(s) URL.
        url: String,
    },
    /// Fetch every subscribed feed.
    Refresh,
    /// List subscribed shows and their episodes.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Search every episode title, show notes and chapter title, best first.
    Search {
        query: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a subscription (and its episodes) from the library.
    Unsubscribe {
        /// The feed's URL, as `chaptercast list` shows it.
        feed_url: String,
    },
    /// Set an episode's position or played state (the episode named by GUID, see `list --json`).
    #[command(group(clap::ArgGroup::new("mark").required(true).args(["position", "played", "unplayed"])))]
    Mark {
        guid: String,
        /// Where the listener is, in seconds.
        #[arg(long, value_name = "SECONDS")]
        position: Option<f64>,
        #[arg(long)]
        played: bool,
        #[arg(long)]
        unplayed: bool,
    },
    /// Sync subscriptions, positions and played state with a gpodder API server (gpodder.net,
    /// podsync, opodsync). Without a subcommand: sync now.
    Sync {
        #[command(subcommand)]
        action: Option<SyncAction>,
        /// Print what was sent and received as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import or export subscriptions as OPML 2.0.
    Opml {
        #[command(subcommand)]
        action: OpmlAction,
    },
    /// Up Next: the queue the app plays through (episodes named by GUID, see `list --json`).
    Queue {
        #[command(subcommand)]
        action: QueueAction,
    },
    /// Print the manual page (roff) on stdout. Hidden: packaging runs it to ship
    /// `chaptercast.1`, and listeners read that page with `man chaptercast`.
    #[command(hide = true)]
    Man,
}

#[derive(Debug, Subcommand)]
pub enum QueueAction {
    /// Add episodes at the end (or, with --next, after the episode playing).
    Add {
        #[arg(required = true)]
        guids: Vec<String>,
        #[arg(long)]
        next: bool,
    },
    /// Print Up Next in order.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Take an episode out of Up Next.
    Remove { guid: String },
    /// Move an episode to POSITION (from 1).
    Move { guid: String, position: usize },
    /// Empty Up Next.
    Clear,
    /// Play Up Next in order through the default output; each finished episode leaves it,
    /// marked played.
    Play {
        /// Stop after this many seconds.
        #[arg(long = "for", value_name = "SECONDS")]
        for_seconds: Option<f64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SyncAction {
    /// Log in (the account is checked first; nothing is kept if the server refuses).
    Login {
        /// The server's address, e.g. https://gpodder.net.
        server_url: String,
        #[arg(long)]
        user: String,
        /// Read the password from standard input (one line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// This computer's device id on the server (default: the host name). Give every
        /// computer the same id when the server does not list devices.
        #[arg(long, value_name = "ID")]
        device: Option<String>,
    },
    /// Log out and forget the password; the library stays.
    Logout,
}

#[derive(Debug, Subcommand)]
pub enum OpmlAction {
    /// Subscribe to every feed an OPML file lists (duplicates and dead feeds are reported).
    Import { file: PathBuf },
    /// Write every subscription as OPML (to stdout without --out).
    Export {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Runs a subcommand to completion.
pub fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Feed {
            source,
            json,
            fetch_chapters,
        } => feed_command(&source, json, fetch_chapters),
        Command::Chapters {
            notes,
            duration,
            json,
            audio,
        } => chapters_command(
            notes.as_deref(),
            duration,
            json.as_deref(),
            audio.as_deref(),
        ),
        Command::Transcript {
            source,
            format,
            json,
        } => transcript_command(&source, format.as_deref(), json),
        Command::Download { url, out } => crate::cli_download::download_command(&url, out),
        Command::Play {
            source,
            at,
            chapter,
            for_seconds,
            speed,
            normalize,
            loudness,
            boost,
            skip_silence,
            skip_chapters,
        } => crate::cli_play::play_command(crate::cli_play::PlayArgs {
            source,
            at,
            chapter,
            for_seconds,
            speed,
            normalize: normalize.then_some(loudness),
            boost_db: boost,
            skip_silence,
            skip_chapters,
        }),
        Command::Loudness {
            source,
            target,
            json,
        } => crate::cli_play::loudness_command(&source, target, json),
        Command::Subscribe { url } => crate::cli_library::subscribe_command(&url),
        Command::Refresh => crate::cli_library::refresh_command(),
        Command::List { json } => crate::cli_library::list_command(json),
        Command::Search { query, json } => crate::cli_library::search_command(&query, json),
        Command::Queue { action } => crate::cli_queue::queue_command(match action {
            QueueAction::Add { guids, next } => crate::cli_queue::QueueArgs::Add { guids, next },
            QueueAction::List { json } => crate::cli_queue::QueueArgs::List { json },
            QueueAction::Remove { guid } => crate::cli_queue::QueueArgs::Remove { guid },
            QueueAction::Move { guid, position } => {
                crate::cli_queue::QueueArgs::Move { guid, position }
            }
            QueueAction::Clear => crate::cli_queue::QueueArgs::Clear,
            QueueAction::Play { for_seconds } => crate::cli_queue::QueueArgs::Play { for_seconds },
        }),
        Command::Unsubscribe { feed_url } => crate::cli_sync::unsubscribe_command(&feed_url),
        Command::Mark {
            guid,
            position,
            played,
            unplayed: _,
        } => crate::cli_sync::mark_command(
            &guid,
            match (position, played) {
                (Some(seconds), _) => crate::cli_sync::Mark::Position { seconds },
                (None, true) => crate::cli_sync::Mark::Played,
                (None, false) => crate::cli_sync::Mark::Unplayed,
            },
        ),
        Command::Sync { action, json } => match action {
            None => crate::cli_sync::sync_command(json),
            Some(SyncAction::Login {
                server_url,
                user,
                password_stdin: _,
                device,
            }) => crate::cli_sync::login_command(&server_url, &user, device.as_deref()),
            Some(SyncAction::Logout) => crate::cli_sync::logout_command(),
        },
        Command::Opml {
            action: OpmlAction::Import { file },
        } => crate::cli_library::opml_import_command(&file),
        Command::Opml {
            action: OpmlAction::Export { out },
        } => crate::cli_library::opml_export_command(out.as_deref()),
        Command::Man => cli_man::man_command(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("chaptercast: {message}");
            ExitCode::FAILURE
        }
    }
}

fn feed_command(source: &str, json: bool, fetch_chapters: bool) -> Result<(), String> {
    let feed = load_feed(source)?;
    if json {
        // Fetched chapter files replace the feed's own lists; without fetching, each episode's
        // list is worked out as it is written, so a 200,000-item feed never holds them all.
        let mut fetched: Vec<Option<Vec<Chapter>>> = Vec::new();
        if fetch_chapters {
            fetched = vec![None; feed.episodes.len()];
            let http = http_client()?;
            runtime()?.block_on(async {
                for (episode, slot) in feed.episodes.iter().zip(fetched.iter_mut()) {
                    let Some(url) = &episode.chapters_url else {
                        continue;
                    };
                    match fetch_json_chapters(&http, url).await {
                        Ok(list) => {
                            let duration_ms = episode.duration_s.map(|s| u64::from(s) * 1000);
                            let own = chapters::from_feed_episode(episode);
                            *slot = Some(chapters::merge(vec![list, own], duration_ms));
                        }
                        Err(e) => tracing::warn!(%url, error = ?e, "chapters file failed"),
                    }
                }
            });
        }
        write_json(&FeedJson {
            feed: &feed,
            fetched: &fetched,
        })
    } else {
        let mut text = format!("{} ({} episodes)\n", feed.title, feed.episodes.len());
        for episode in &feed.episodes {
            let date = episode
                .published
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            text.push_str(&format!("{date:10}  {}\n", episode.title));
        }
        print_text(&text)
    }
}

/// `feed --json`: the parsed feed with each episode's chapters, written as it is serialized.
struct FeedJson<'a> {
    feed: &'a ParsedFeed,
    /// Per episode, the list from a fetched chapters file (empty when none were fetched).
    fetched: &'a [Option<Vec<Chapter>>],
}

impl serde::Serialize for FeedJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        struct Episodes<'a>(&'a FeedJson<'a>);
        impl serde::Serialize for Episodes<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #[derive(serde::Serialize)]
                struct Episode<'a> {
                    #[serde(flatten)]
                    episode: &'a feed::ParsedEpisode,
                    chapters: serde_json::Value,
                }
                let feed = self.0;
                let mut seq = serializer.serialize_seq(Some(feed.feed.episodes.len()))?;
                for (i, episode) in feed.feed.episodes.iter().enumerate() {
                    let chapters = match feed.fetched.get(i) {
                        Some(Some(list)) => chapters_json(list),
                        _ => chapters_json(&chapters::from_feed_episode(episode)),
                    };
                    seq.serialize_element(&Episode { episode, chapters })?;
                }
                seq.end()
            }
        }
        let feed = self.feed;
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("title", &feed.title)?;
        map.serialize_entry("link", &feed.link)?;
        map.serialize_entry("image", &feed.image)?;
        map.serialize_entry("description_html", &feed.description_html)?;
        map.serialize_entry("episodes", &Episodes(self))?;
        map.end()
    }
}

/// Writes `value` as pretty JSON to stdout as it is serialized; a reader that went away
/// (`| head`) is not an error.
fn write_json(value: &impl serde::Serialize) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot print: {e}")),
        _ => Ok(()),
    }
}

pub(crate) fn print_json(value: &serde_json::Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| format!("cannot print: {e}"))?;
    print_text(&format!("{text}\n"))
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn print_text(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot print: {e}")),
        _ => Ok(()),
    }
}

fn chapters_command(
    notes: Option<&Path>,
    duration_s: Option<f64>,
    json: Option<&str>,
    audio: Option<&str>,
) -> Result<(), String> {
    let list = if let Some(path) = notes {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let duration_ms = match duration_s {
            Some(d) if d.is_finite() && d > 0.0 => Some((d * 1000.0) as u64),
            Some(d) => {
                return Err(format!(
                    "--duration must be a positive number of seconds, not {d}"
                ))
            }
            None => None,
        };
        chapters::merge(
            vec![chapters::from_show_notes(&text, duration_ms)],
            duration_ms,
        )
    } else if let Some(source) = json {
        let list = if is_url(source) {
            let http = http_client()?;
            runtime()?
                .block_on(fetch_json_chapters(&http, source))
                .map_err(|e| format!("{source}: {e}"))?
        } else {
            let bytes = std::fs::read(source).map_err(|e| format!("cannot read {source}: {e}"))?;
            chapters::json::parse(&bytes).map_err(|e| format!("{source}: {e}"))?
        };
        chapters::merge(vec![list], None)
    } else if let Some(source) = audio {
        audio_chapters(source)?
    } else {
        return Err("say where the chapters are: --notes, --json or --audio".to_string());
    };
    print_json(&serde_json::json!({ "chapters": chapters_json(&list) }))
}

/// `chaptercast transcript <PATH|URL> [--type T] [--json]`.
fn transcript_command(source: &str, format: Option<&str>, as_json: bool) -> Result<(), String> {
    use chaptercast_engine::transcript_fetch;
    use chaptercast_engine::transcripts::Format;
    let format =
        match format {
            Some(name) => Some(Format::from_name(name).ok_or_else(|| {
                format!("--type must be vtt, srt, json, html or text, not {name:?}")
            })?),
            None => None,
        };
    let transcript = if is_url(source) {
        let http = http_client()?;
        runtime()?.block_on(transcript_fetch::fetch(&http, source, format))
    } else {
        transcript_fetch::read_file(Path::new(source), format)
    }
    .map_err(|e| format!("{source}: {e}"))?;
    let ms_to_s = |ms: u64| serde_json::json!(ms as f64 / 1000.0);
    if as_json {
        let cues: Vec<_> = transcript
            .cues
            .iter()
            .map(|c| {
                let timed = transcript.timed;
                serde_json::json!({
                    "start_s": if timed { ms_to_s(c.start_ms) } else { serde_json::Value::Null },
                    "end_s": if timed { ms_to_s(c.end_ms) } else { serde_json::Value::Null },
                    "speaker": c.speaker,
                    "text": c.text,
                })
            })
            .collect();
        return print_json(&serde_json::json!({ "timed": transcript.timed, "cues": cues }));
    }
    let mut text = String::new();
    let mut speaker: Option<&str> = None;
    for cue in &transcript.cues {
        if transcript.timed {
            text.push_str(&format!("[{}] ", crate::cli_play::clock(cue.start_ms)));
        }
        // A name once per turn, as people read a script.
        if cue.speaker.is_some() && cue.speaker.as_deref() != speaker {
            speaker = cue.speaker.as_deref();
            text.push_str(&format!("{}: ", speaker.unwrap_or_default()));
        }
        text.push_str(&cue.text);
        text.push('\n');
    }
    print_text(&text)
}

pub(crate) fn audio_chapters(source: &str) -> Result<Vec<Chapter>, String> {
    let http = http_client()?;
    let audio = if is_url(source) {
        AudioSource::Http {
            client: &http,
            url: source,
        }
    } else {
        AudioSource::File(Path::new(source))
    };
    let list = runtime()?
        .block_on(read_embedded_chapters(audio))
        .map_err(|e| format!("{source}: {e}"))?;
    Ok(chapters::merge(vec![list], None))
}

/// The command line's chapter shape: seconds, and `source` as a kebab-case name.
fn chapters_json(list: &[Chapter]) -> serde_json::Value {
    let ms_to_s = |ms: u64| serde_json::json!(ms as f64 / 1000.0);
    serde_json::Value::Array(
        list.iter()
            .filter(|c| !c.is_hidden)
            .map(|c| {
                serde_json::json!({
                    "start_s": ms_to_s(c.start_ms),
                    "end_s": c.end_ms.map(ms_to_s),
                    "title": c.title,
                    "source": c.source,
                    "url": c.url,
                    "img": c.img,
                })
            })
            .collect(),
    )
}

pub(crate) fn is_url(source: &str) -> bool {
    source.contains("://") || source.starts_with("javascript:")
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))
}

pub(crate) fn http_client() -> Result<HttpClient, String> {
    HttpClient::new(&Config::from_env()).map_err(|e| format!("cannot start: {e}"))
}

fn load_feed(source: &str) -> Result<ParsedFeed, String> {
    if !is_url(source) {
        let path = Path::new(source);
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {source}: {e}"))?;
        return feed::parse(&bytes, None)
            .map_err(|e| format!("{source} is not a usable feed: {e}"));
    }
    // `feed` must not touch the user's library: only the HTTP client is needed.
    let http = http_client()?;
    runtime()?.block_on(async {
        match fetch_and_parse(&http, source, &CacheValidators::default()).await {
            Ok(Some((feed, _))) => Ok(feed),
            Ok(None) => Err(format!(
                "{source} answered 304 Not Modified to a plain request"
            )),
            Err(e) => Err(user_message(&e)),
        }
    })
}
