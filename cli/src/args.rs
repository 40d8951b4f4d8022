//! The command line's grammar: every subcommand and option, as clap reads them and as `--help`
//! and the manual page (`man.rs`) show them.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
