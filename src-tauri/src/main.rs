//! `chaptercast-app`: the desktop app. A desktop entry or `chaptercast` (with no subcommand)
//! starts it, with at most one link or file to open; the subcommands are `chaptercast`'s.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

use chaptercast_engine::launch::{opened_from_args, Opened};

const USAGE: &str = "Usage: chaptercast-app [LINK_OR_FILE]

Chaptercast's window. LINK_OR_FILE: a feed URL or subscribe link (podcast://, itpc://, pcast://,
podcasts://, feed://), or an OPML or feed file; the app asks before it subscribes.
The command line is `chaptercast`: see `chaptercast --help`.";

fn main() -> ExitCode {
    // `args()` would panic on an argument that is not UTF-8 (a file name in another
    // encoding); such an argument is refused like any other that cannot be opened.
    let args: Result<Vec<String>, String> = std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string().map_err(|a| {
                format!(
                    "{:?} is not text this app can read; see `chaptercast-app --help`",
                    a.to_string_lossy()
                )
            })
        })
        .collect();
    let opened = match args.and_then(|args| read_args(args.into_iter())) {
        Ok(Launch::Open(opened)) => opened,
        Ok(Launch::Print(text)) => {
            println!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("chaptercast-app: {message}");
            return ExitCode::from(2);
        }
    };
    init_logging();
    if !chaptercast_lib::has_display() {
        eprintln!("chaptercast-app: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); the subcommands of `chaptercast` work without one");
        return ExitCode::FAILURE;
    }
    match chaptercast_lib::run_gui(opened) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chaptercast-app: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// What the arguments ask for.
enum Launch {
    /// The window, opening this.
    Open(Option<Opened>),
    /// `--version` or `--help`: text to print instead.
    Print(String),
}

/// `--help`, `--version`, or at most one link or file; anything else is refused (exit 2), so
/// that a typo never opens the window on it.
fn read_args(args: impl Iterator<Item = String>) -> Result<Launch, String> {
    let mut open: Option<String> = None;
    for arg in args {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Launch::Print(USAGE.to_string())),
            "-V" | "--version" => {
                return Ok(Launch::Print(format!(
                    "chaptercast-app {}",
                    env!("CARGO_PKG_VERSION")
                )))
            }
            flag if flag.starts_with('-') => {
                return Err(format!(
                    "unknown option {flag:?}; see `chaptercast-app --help`"
                ))
            }
            _ if open.is_some() => {
                return Err(format!(
                    "one link or file at a time, not also {arg:?}; see `chaptercast-app --help`"
                ))
            }
            _ => open = Some(arg),
        }
    }
    let Some(arg) = open else {
        return Ok(Launch::Open(None));
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    match opened_from_args(std::slice::from_ref(&arg), &cwd) {
        Some(opened) => Ok(Launch::Open(Some(opened))),
        None => Err(format!(
            "\"{arg}\" is not a feed link or a file; see `chaptercast-app --help`"
        )),
    }
}

/// Logs go to stderr at info; `CHAPTERCAST_LOG` (or `RUST_LOG`) sets the filter.
fn init_logging() {
    let filter = std::env::var("CHAPTERCAST_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_string());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(args: &[&str]) -> Result<Launch, String> {
        read_args(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn one_link_opens_and_help_and_version_print() {
        assert!(matches!(read(&[]), Ok(Launch::Open(None))));
        assert!(matches!(
            read(&["podcast://example.org/rss"]),
            Ok(Launch::Open(Some(Opened::Link(_))))
        ));
        assert!(matches!(read(&["--help"]), Ok(Launch::Print(t)) if t.starts_with("Usage:")));
        assert!(
            matches!(read(&["--version"]), Ok(Launch::Print(t)) if t.starts_with("chaptercast-app "))
        );
    }

    #[test]
    fn typos_flags_and_a_second_link_are_refused() {
        assert!(read(&["serach"]).is_err_and(|e| e.contains("not a feed link or a file")));
        assert!(read(&["--verbose"]).is_err_and(|e| e.contains("unknown option")));
        assert!(
            read(&["podcast://a.example/rss", "podcast://b.example/rss"])
                .is_err_and(|e| e.contains("one link or file at a time"))
        );
    }
}
