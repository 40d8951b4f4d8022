//! `chaptercast`: the command line. It links the engine only (no GTK, no WebKit), so it starts
//! in a few milliseconds and works without a display. Without a subcommand it starts the desktop
//! app, `chaptercast-app`, installed beside it (`app.rs`).

mod app;
mod args;
mod chapters;
mod download;
mod engine_access;
mod feed;
mod library;
mod man;
mod output;
mod play;
mod queue;
mod sync;
mod transcript;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, OpmlAction, QueueAction, SyncAction};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(command) => {
            init_logging();
            run(command)
        }
        // The app sets up its own logging.
        None => app::start_app(cli.open),
    }
}

/// Runs a subcommand to completion.
fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Feed {
            source,
            json,
            fetch_chapters,
        } => feed::feed_command(&source, json, fetch_chapters),
        Command::Chapters {
            notes,
            duration,
            json,
            audio,
        } => chapters::chapters_command(
            notes.as_deref(),
            duration,
            json.as_deref(),
            audio.as_deref(),
        ),
        Command::Transcript {
            source,
            format,
            json,
        } => transcript::transcript_command(&source, format.as_deref(), json),
        Command::Download { url, out } => download::download_command(&url, out),
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
        } => play::play_command(play::PlayArgs {
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
        } => play::loudness_command(&source, target, json),
        Command::Subscribe { url } => library::subscribe_command(&url),
        Command::Refresh => library::refresh_command(),
        Command::List { json } => library::list_command(json),
        Command::Search { query, json } => library::search_command(&query, json),
        Command::Queue { action } => queue::queue_command(match action {
            QueueAction::Add { guids, next } => queue::QueueArgs::Add { guids, next },
            QueueAction::List { json } => queue::QueueArgs::List { json },
            QueueAction::Remove { guid } => queue::QueueArgs::Remove { guid },
            QueueAction::Move { guid, position } => queue::QueueArgs::Move { guid, position },
            QueueAction::Clear => queue::QueueArgs::Clear,
            QueueAction::Play { for_seconds } => queue::QueueArgs::Play { for_seconds },
        }),
        Command::Unsubscribe { feed_url } => sync::unsubscribe_command(&feed_url),
        Command::Mark {
            guid,
            position,
            played,
            unplayed: _,
        } => sync::mark_command(
            &guid,
            match (position, played) {
                (Some(seconds), _) => sync::Mark::Position { seconds },
                (None, true) => sync::Mark::Played,
                (None, false) => sync::Mark::Unplayed,
            },
        ),
        Command::Sync { action, json } => match action {
            None => sync::sync_command(json),
            Some(SyncAction::Login {
                server_url,
                user,
                password_stdin: _,
                device,
            }) => sync::login_command(&server_url, &user, device.as_deref()),
            Some(SyncAction::Logout) => sync::logout_command(),
        },
        Command::Opml {
            action: OpmlAction::Import { file },
        } => library::opml_import_command(&file),
        Command::Opml {
            action: OpmlAction::Export { out },
        } => library::opml_export_command(out.as_deref()),
        Command::Man => man::man_command(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("chaptercast: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; `CHAPTERCAST_LOG` (or `RUST_LOG`) sets the filter. Quiet by default, so
/// stdout and stderr stay clean for scripts.
fn init_logging() {
    let filter = std::env::var("CHAPTERCAST_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "off".to_string());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}
