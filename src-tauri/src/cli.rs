//! The command line: `chaptercast <subcommand>`. Subcommands never touch GTK, so they work
//! without a display. Failures print one line on stderr and exit 1.

use std::path::Path;
use std::process::ExitCode;

use chaptercast_engine::feed::{self, ParsedFeed};
use chaptercast_engine::net::{CacheValidators, HttpClient};
use chaptercast_engine::refresh::fetch_and_parse;
use chaptercast_engine::{Config, RefreshError};
use clap::{Parser, Subcommand};

use crate::error::user_message;

/// Chaptercast: a podcast player that jumps straight to the part you want.
/// Without a subcommand, opens the app.
#[derive(Debug, Parser)]
#[command(name = "chaptercast", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
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
    },
}

/// Runs a subcommand to completion.
pub fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Feed { source, json } => feed_command(&source, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("chaptercast: {message}");
            ExitCode::FAILURE
        }
    }
}

fn feed_command(source: &str, json: bool) -> Result<(), String> {
    let feed = load_feed(source)?;
    if json {
        let text = serde_json::to_string_pretty(&feed)
            .map_err(|e| format!("cannot print the feed: {e}"))?;
        println!("{text}");
    } else {
        println!("{} ({} episodes)", feed.title, feed.episodes.len());
        for episode in &feed.episodes {
            let date = episode
                .published
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            println!("{date:10}  {}", episode.title);
        }
    }
    Ok(())
}

fn load_feed(source: &str) -> Result<ParsedFeed, String> {
    let looks_like_url = source.contains("://") || source.starts_with("javascript:");
    if !looks_like_url {
        let path = Path::new(source);
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {source}: {e}"))?;
        return feed::parse(&bytes, None)
            .map_err(|e| format!("{source} is not a usable feed: {e}"));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))?;
    // `feed` must not touch the user's library: only the HTTP client is needed.
    let http = HttpClient::new(&Config::from_env()).map_err(|e| format!("cannot start: {e}"))?;
    runtime.block_on(async {
        match fetch_and_parse(&http, source, &CacheValidators::default()).await {
            Ok(Some((feed, _))) => Ok(feed),
            Ok(None) => Err(format!(
                "{source} answered 304 Not Modified to a plain request"
            )),
            Err(e) => Err(cli_message(&e)),
        }
    })
}

fn cli_message(error: &RefreshError) -> String {
    user_message(error)
}
