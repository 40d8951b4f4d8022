//! `chaptercast` with no subcommand: the desktop app. It is a second binary, `chaptercast-app`,
//! installed beside this one, so that the command line never loads GTK or WebKit: this process
//! checks what it was given, then becomes the app (exec), with the same arguments and environment.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use chaptercast_engine::launch::{has_display, opened_from_args};

/// The desktop app's binary name; the .deb installs it in /usr/bin beside `chaptercast`.
const APP_BINARY: &str = "chaptercast-app";

/// Checks the argument and the display, then execs the app; returns only when that fails.
pub fn start_app(open: Option<String>) -> ExitCode {
    // A mistyped command must not open the window instead: what is not a link or a file is an
    // error, as clap would have said.
    if let Some(arg) = &open {
        let cwd = std::env::current_dir().unwrap_or_default();
        if opened_from_args(std::slice::from_ref(arg), &cwd).is_none() {
            eprintln!("chaptercast: \"{arg}\" is not a command, a feed link or a file; see `chaptercast --help`");
            return ExitCode::from(2);
        }
    }
    if !has_display() {
        eprintln!("chaptercast: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); the subcommands work without one, see `chaptercast --help`");
        return ExitCode::FAILURE;
    }
    let app = app_binary();
    let error = become_app(std::process::Command::new(&app).args(open));
    eprintln!(
        "chaptercast: cannot start the app ({}): {error}",
        app.display()
    );
    ExitCode::FAILURE
}

/// Replaces this process with the app. exec keeps the environment, the working directory (a
/// relative file stays valid) and the process id: a desktop that started `chaptercast` sees the
/// app's window as its own. Returns only the error.
#[cfg(unix)]
fn become_app(command: &mut std::process::Command) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    command.exec()
}

/// Without exec: runs the app and exits with its status.
#[cfg(not(unix))]
fn become_app(command: &mut std::process::Command) -> std::io::Error {
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(error) => error,
    }
}

/// `chaptercast-app` next to this binary (as installed, and in cargo's target folder), else
/// whichever the PATH has.
fn app_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(APP_BINARY)))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(OsString::from(APP_BINARY)))
}
