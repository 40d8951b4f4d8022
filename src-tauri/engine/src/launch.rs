//! What a launch's arguments ask the app to open: a browser's subscribe link (`podcast://…`,
//! `itpc://…`, `feed:https://…`), a feed URL, or a file from a file manager (an OPML list, a
//! saved feed). Both binaries read them: the command line to refuse a mistyped command before it
//! starts the app, the app for its own launch and for a second one that hands over.

use std::path::{Path, PathBuf};

use crate::feed_link::FEED_SCHEMES;

/// One thing to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A link or URL: subscribed to after the listener agrees.
    Link(String),
    /// A file from the file manager: an OPML list or a saved feed.
    File(PathBuf),
}

/// Reads a launch's arguments (after the program's name): the first that is a link, a URL or an
/// existing file. Relative paths are from `cwd`, the launching process's folder.
pub fn opened_from_args(args: &[String], cwd: &Path) -> Option<Opened> {
    args.iter()
        .filter(|a| !a.starts_with('-'))
        .find_map(|arg| classify(arg, cwd))
}

fn classify(arg: &str, cwd: &Path) -> Option<Opened> {
    let arg = arg.trim();
    if let Some(rest) = arg.strip_prefix("file://") {
        // A file manager passes files as file:// URIs for %u.
        return url::Url::parse(&format!("file://{rest}"))
            .ok()
            .and_then(|u| u.to_file_path().ok())
            .map(Opened::File);
    }
    let scheme = arg.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    if let Some(scheme) = scheme.as_deref() {
        if FEED_SCHEMES.contains(&scheme) || scheme == "http" || scheme == "https" {
            return Some(Opened::Link(arg.to_string()));
        }
    }
    let path = cwd.join(arg);
    path.is_file().then_some(Opened::File(path))
}

/// True when a graphical session is reachable (GTK would panic without one): the window's
/// binary and the command line that starts it ask the same question.
pub fn has_display() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_arguments_become_links_or_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("subs.opml"), "<opml/>").unwrap();
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            opened_from_args(&args(&["podcast://example.org/rss"]), dir.path()),
            Some(Opened::Link("podcast://example.org/rss".into()))
        );
        assert_eq!(
            opened_from_args(&args(&["--flag", "itpc://example.org/rss"]), dir.path()),
            Some(Opened::Link("itpc://example.org/rss".into()))
        );
        assert_eq!(
            opened_from_args(&args(&["subs.opml"]), dir.path()),
            Some(Opened::File(dir.path().join("subs.opml")))
        );
        let uri = format!("file://{}", dir.path().join("subs.opml").display());
        assert_eq!(
            opened_from_args(&args(&[&uri]), dir.path()),
            Some(Opened::File(dir.path().join("subs.opml")))
        );
        assert_eq!(
            opened_from_args(&args(&["missing.rss", "javascript:x"]), dir.path()),
            None
        );
        assert_eq!(opened_from_args(&[], dir.path()), None);
    }
}
