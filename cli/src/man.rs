//! `chaptercast man`: the manual page, rendered from the same clap definitions as `--help` so
//! the two cannot drift apart. `make bundle` runs it and ships the result as `chaptercast.1`.
//!
//! One page for the whole program: clap_mangen's own SUBCOMMANDS section points at one page per
//! subcommand (`chaptercast-feed(1)`, ...), which a package would have to ship as well, so each
//! command is written here as a subsection of COMMANDS instead.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_mangen::roff::{bold, roman, Roff};
use clap_mangen::Man;

use crate::args::Cli;
use crate::output::print_text;

/// The variables the program reads, for the ENVIRONMENT section.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "CHAPTERCAST_DATA_DIR",
        "Where the library lives, instead of $XDG_DATA_HOME/chaptercast \
         (~/.local/share/chaptercast).",
    ),
    (
        "CHAPTERCAST_DEFAULT_FEED",
        "The feed the app subscribes to on its first run (the Meta Tech Podcast otherwise).",
    ),
    (
        "CHAPTERCAST_NO_KEYRING",
        "Set to 1 to keep the sync password in a file only you can read, not the desktop's \
         keyring.",
    ),
    (
        "CHAPTERCAST_LOG",
        "Log filter for stderr, e.g. debug (RUST_LOG is read when this is unset). The command \
         line logs nothing by default, the app logs at info.",
    ),
];

/// Prints the page (roff) on stdout.
pub fn man_command() -> Result<(), String> {
    let mut page = Vec::new();
    render(&mut page).map_err(|e| format!("cannot render the manual page: {e}"))?;
    print_text(&String::from_utf8_lossy(&page))
}

/// Writes the whole page: the program's synopsis and options, every visible command with its
/// own synopsis and options, then the environment and files.
fn render(out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command().long_about(
        "Chaptercast plays podcasts and turns every chapter list a show publishes (in its show \
         notes, its feed, a JSON chapters file or the audio file) into one list you can search \
         and jump through, streamed or downloaded.\n\n\
         Without a command it opens the app window. With a command it works in the terminal and \
         needs no display; errors exit with status 1 and one line on stderr.",
    );
    // Built once so that every subcommand knows its full name (`chaptercast sync login`).
    cmd.build();
    let man = Man::new(cmd.clone()).manual("Chaptercast Manual");
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;

    let mut heading = Roff::default();
    heading.control("SH", ["COMMANDS"]);
    heading.to_writer(out)?;
    for sub in visible_subcommands(&cmd) {
        render_command(out, sub)?;
    }

    let mut tail = Roff::default();
    tail.control("SH", ["ENVIRONMENT"]);
    for (name, text) in ENVIRONMENT {
        tail.control("TP", []);
        tail.text([bold(*name)]);
        tail.text([roman(*text)]);
    }
    tail.control("SH", ["FILES"]);
    tail.control("TP", []);
    tail.text([bold("~/.local/share/chaptercast/")]);
    tail.text([roman(
        "The library (library.sqlite3), downloaded episodes (downloads/) and the sync state; \
         $XDG_DATA_HOME or CHAPTERCAST_DATA_DIR move it.",
    )]);
    tail.to_writer(out)?;
    man.render_version_section(out)
}

/// One command as a subsection: its synopsis, what it does and its options; then its own
/// commands (`sync login`, `queue add`, ...).
fn render_command(out: &mut dyn Write, cmd: &clap::Command) -> io::Result<()> {
    let name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    let mut heading = Roff::default();
    heading.control("SS", [name]);
    heading.to_writer(out)?;

    let man = Man::new(cmd.clone());
    without_section_headings(out, |w| man.render_synopsis_section(w))?;
    without_section_headings(out, |w| man.render_description_section(w))?;
    without_section_headings(out, |w| man.render_options_section(w))?;
    for sub in visible_subcommands(cmd) {
        render_command(out, sub)?;
    }
    Ok(())
}

/// Subcommands a listener can use: not hidden (this one), and not clap's generated `help`,
/// which `--help` on each command already covers.
fn visible_subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands()
        .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
}

/// Writes what `section` renders without its `.SH` lines: clap_mangen renders each part as a
/// top-level section, and inside COMMANDS they belong under the command's subsection.
fn without_section_headings(
    out: &mut dyn Write,
    section: impl Fn(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut buffer: Vec<u8> = Vec::new();
    let sink: &mut dyn Write = &mut buffer;
    section(sink)?;
    let text = String::from_utf8_lossy(&buffer);
    let mut kept = String::with_capacity(text.len() + 4);
    // A paragraph break keeps the synopsis, the description and the options apart.
    kept.push_str(".PP\n");
    for line in text.lines().filter(|line| !line.starts_with(".SH")) {
        kept.push_str(line);
        kept.push('\n');
    }
    out.write_all(kept.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> String {
        let mut out = Vec::new();
        render(&mut out).expect("rendering into memory cannot fail");
        String::from_utf8(out).expect("roff is UTF-8")
    }

    #[test]
    fn every_visible_command_has_a_subsection() {
        let page = page();
        // roff quotes a macro argument that has spaces.
        for name in [
            "feed",
            "chapters",
            "play",
            "sync",
            "sync login",
            "opml import",
            "queue add",
        ] {
            assert!(
                page.contains(&format!(".SS \"chaptercast {name}\"\n")),
                "no subsection for {name}"
            );
        }
        assert!(page.contains(".SH ENVIRONMENT"));
    }

    #[test]
    fn the_hidden_command_and_help_are_left_out() {
        let page = page();
        assert!(!page.contains("chaptercast man"));
        assert!(!page.contains("chaptercast help"));
        // One page: no pointers to per-command pages nobody ships.
        assert!(!page.contains("chaptercast-feed(1)"));
    }
}
