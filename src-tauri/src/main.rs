// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = chaptercast_lib::cli::Cli::parse();
    init_logging(cli.command.is_some());
    match cli.command {
        Some(command) => chaptercast_lib::cli::run(command),
        None => run_gui(cli.open),
    }
}

fn run_gui(open: Option<String>) -> ExitCode {
    // A mistyped command must not open the window instead: what is not a link or a file is an
    // error, as clap would have said.
    let cwd = std::env::current_dir().unwrap_or_default();
    let opened = match open {
        Some(arg) => match chaptercast_lib::commands::opened::opened_from_args(
            std::slice::from_ref(&arg),
            &cwd,
        ) {
            Some(opened) => Some(opened),
            None => {
                eprintln!("chaptercast: \"{arg}\" is not a command, a feed link or a file; see `chaptercast --help`");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    if !chaptercast_lib::has_display() {
        eprintln!("chaptercast: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); the subcommands work without one, see `chaptercast --help`");
        return ExitCode::FAILURE;
    }
    match chaptercast_lib::run_gui(opened) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chaptercast: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; `CHAPTERCAST_LOG` (or `RUST_LOG`) sets the filter. The command line is
/// quiet by default so its stdout/stderr stay clean for scripts.
fn init_logging(is_cli: bool) {
    let default = if is_cli { "off" } else { "info" };
    let filter = std::env::var("CHAPTERCAST_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| default.to_string());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}
