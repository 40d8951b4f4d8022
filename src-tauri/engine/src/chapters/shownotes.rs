//! Chapter lists written into podcast show notes, as plain text or HTML.
//!
//! Show notes carry chapter lists in three shapes:
//! - time first, one entry per line (`00:00 – Welcome`, `(00:12:34) Topic`, `[@2:33] - Topic`,
//!   `1:13:40 Allyn: Topic`, or a lone `(00:45)` with its title on the next line);
//! - time first, flattened onto one line (`00:00 Intro 05:12 Topic two 10:40 Topic three`);
//! - title first, usually flattened after a heading (`Timestamps Intro 0:06 Who is Steve? 1:49`);
//! - either order on one line set apart by separators (`Agenda • 0:00 Welcome • 4:12 News`,
//!   `Intro 0:00 | News 4:12`): the separators pair each time with its title.
//!
//! The notes are reduced to text lines (tags stripped, entities decoded), each line is scanned for
//! timestamp tokens, and each line that reads as a list entry says which order it uses. A chapter
//! list is one run of entry lines of the same order. Blank lines and a few short lines without a
//! time (headings such as `News items of interest:`, untimed sub-items) may sit between entries;
//! a paragraph, a `Transcript` heading, a jump back to the start (a transcript that follows the
//! list) or, after more than two such lines, any step back in time ends the run. The first run
//! that passes the checks in [`Block::close`] is the answer; later runs are never merged into it.
//!
//! Tokens that are not chapter times are refused where they are found: clock times (`10:30 AM`,
//! `at 18:00`), ranges (`18:00-19:00`, `Luke 15:25-32`), tokens glued to words, URLs or numbers
//! (`localhost:8080`, `youtu.be/x?t=1:23`), and single-digit fields (`16:9`, `3:1`). A whole list
//! is refused when it reads as a day's schedule (see [`is_day_schedule`]).

use std::borrow::Cow;

/// One chapter found in show notes. `start_ms` from the start of the episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotesChapter {
    pub start_ms: u64,
    pub title: String,
}

/// Chapters found in show notes, sorted by start, deduplicated. Empty when the notes hold no chapter list.
/// `duration_ms`: when known, entries starting at or beyond it are dropped (AntennaPod-style duration awareness).
pub fn chapters_from_notes(notes: &str, duration_ms: Option<u64>) -> Vec<NotesChapter> {
    if !has_timestamp_shape(notes) {
        return Vec::new();
    }
    let (text, has_blocks) = to_text(notes);
    let lines: Vec<&str> = if has_blocks {
        text.split('\n').collect()
    } else {
        text.split(['\n', '\r']).collect()
    };
    find_list(&lines, duration_ms).unwrap_or_default()
}

/// Parses one timestamp token: "M:SS", "MM:SS", "H:MM:SS", "HH:MM:SS", minutes past 60 without hours ("104:23"), optional ".mmm" fraction. Returns milliseconds.
pub fn parse_timestamp(token: &str) -> Option<u64> {
    let token = token.trim();
    let (end, ms) = parse_time_at(token.as_bytes(), 0)?;
    (end == token.len()).then_some(ms)
}

// ---------------------------------------------------------------------------------------------
// Timestamps

/// Reads a timestamp starting at `b[i]` (a digit). Returns the end offset and milliseconds.
/// Only the shape is checked here; what surrounds the token is [`scan_tokens`]'s business.
fn parse_time_at(b: &[u8], i: usize) -> Option<(usize, u64)> {
    let (first, first_len) = read_digits(b, i, 3)?;
    let colon = i + first_len;
    if b.get(colon) != Some(&b':') {
        return None;
    }
    let (second, second_len) = read_digits(b, colon + 1, 2)?;
    if second_len != 2 || second >= 60 {
        return None;
    }
    let mut end = colon + 3;
    let mut secs = first * 60 + second;
    if b.get(end) == Some(&b':') {
        if let Some((third, 2)) = read_digits(b, end + 1, 2) {
            if first_len > 2 || third >= 60 {
                return None;
            }
            secs = first * 3600 + second * 60 + third;
            end += 3;
        }
    }
    let mut frac_ms = 0;
    if b.get(end) == Some(&b'.') {
        if let Some((frac, frac_len)) = read_digits(b, end + 1, 3) {
            frac_ms = match frac_len {
                1 => frac * 100,
                2 => frac * 10,
                _ => frac,
            };
            end += 1 + frac_len;
        }
    }
    Some((end, secs * 1000 + frac_ms))
}

/// Reads 1..=`max` ASCII digits at `i`; fails if there are none or more than `max`.
fn read_digits(b: &[u8], i: usize, max: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    let mut len = 0;
    while let Some(&c) = b.get(i + len) {
        if !c.is_ascii_digit() {
            break;
        }
        if len == max {
            return None;
        }
        value = value * 10 + u64::from(c - b'0');
        len += 1;
    }
    (len > 0).then_some((value, len))
}

/// Cheap gate: does `d:dd` occur anywhere? Most show notes hold no timestamp at all.
fn has_timestamp_shape(notes: &str) -> bool {
    let b = notes.as_bytes();
    let mut from = 0;
    while let Some(pos) = notes.get(from..).and_then(|rest| rest.find(':')) {
        let i = from + pos;
        if i > 0
            && b[i - 1].is_ascii_digit()
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
            && b.get(i + 2).is_some_and(u8::is_ascii_digit)
        {
            return true;
        }
        from = i + 1;
    }
    false
}

/// A timestamp found in a line. `end` covers the second half of a range (`18:00-19:00`).
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    ms: u64,
    is_range: bool,
}

/// Characters that may stand right before a timestamp token (besides whitespace).
const TOKEN_OPENERS: &[char] = &[
    '(', '[', '{', '@', '*', '•', '·', '-', '–', '—', '|', '>', '"', '\'', '“', '‘', '«', '~', '►',
    '▶',
];

/// Words that make the following time a time of day: "at 18:00", "from 10:00".
#[rustfmt::skip]
const CLOCK_PREFIXES: &[&str] = &[
    "at", "um", "ab", "bis", "from", "until", "till", "to", "by", "since", "around", "circa", "ca",
    "approx", "approximately",
];

/// Words after a time that make it a time of day: "10:30 AM", "18:00 Uhr", "9:00 PST".
const CLOCK_SUFFIXES: &[&str] = &[
    "am", "pm", "AM", "PM", "a.m", "p.m", "A.M", "P.M", "uhr", "Uhr", "h", "hrs", "hours",
    "o'clock", "UTC", "GMT", "BST", "CET", "CEST", "EET", "EEST", "WET", "WEST", "EST", "EDT",
    "CST", "CDT", "MST", "MDT", "PST", "PDT", "AKST", "AKDT", "HST", "ET", "CT", "MT", "PT", "IST",
    "JST", "KST", "AEST", "AEDT", "ACST", "AWST", "NZST", "NZDT", "MEZ", "MESZ", "Z",
];

/// Finds the timestamp tokens of one line that can be chapter times.
fn scan_tokens(line: &str, out: &mut Vec<Token>) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let Some((end, ms)) = parse_time_at(b, i) else {
            i += 1;
            continue;
        };
        let (full_end, verdict) = judge_token(line, i, end);
        if let Some(is_range) = verdict {
            out.push(Token {
                start: i,
                end: full_end,
                ms,
                is_range,
            });
        }
        i = full_end.max(i + 1);
    }
}

/// Decides whether the token `line[start..end]` can be a chapter time. Returns the end of what it
/// covers (including the second half of a range) and `Some(is_range)` when it is acceptable.
fn judge_token(line: &str, start: usize, end: usize) -> (usize, Option<bool>) {
    let before = &line[..start];
    if let Some(prev) = before.chars().next_back() {
        if !(prev.is_whitespace() || TOKEN_OPENERS.contains(&prev)) {
            return (end, None);
        }
    }
    let rest = &line[end..];
    let rb = rest.as_bytes();
    match rb.first() {
        // "0:27:48ASUS TUF" at the start of a line is a typo'd entry; "10:30AM" is a clock.
        Some(c)
            if c.is_ascii_uppercase() && before.trim().is_empty() && follows_clock_suffix(rest) =>
        {
            return (end, None)
        }
        Some(c) if c.is_ascii_uppercase() && before.trim().is_empty() => {}
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => return (end, None),
        Some(b':' | b'.' | b',' | b'/') if rb.get(1).is_some_and(u8::is_ascii_digit) => {
            return (end, None)
        }
        _ => {}
    }
    // A range: "18:00-19:00", "00:00 - 05:00", "10:00 to 11:00". "15:25-32" is a verse range.
    let mut covered = end;
    let mut is_range = false;
    if let Some((dash_len, spaced)) = range_separator(rest) {
        let after = end + dash_len;
        let ab = line.as_bytes();
        if ab.get(after).is_some_and(u8::is_ascii_digit) {
            match parse_time_at(ab, after) {
                Some((range_end, _)) => {
                    covered = range_end;
                    is_range = true;
                }
                None if !spaced => return (end, None),
                None => {}
            }
        }
    }
    if follows_clock_suffix(&line[covered..]) || preceded_by_clock_word(before) {
        return (covered, None);
    }
    (covered, Some(is_range))
}

/// Length of a range separator at the start of `rest` ("-", " - ", " – ", " to "), and whether it
/// was written with spaces.
fn range_separator(rest: &str) -> Option<(usize, bool)> {
    for dash in ["-", "–", "—"] {
        if rest.starts_with(dash) {
            return Some((dash.len(), false));
        }
    }
    let trimmed = rest.trim_start_matches(' ');
    let spaces = rest.len() - trimmed.len();
    if spaces == 0 || spaces > 2 {
        return None;
    }
    for sep in ["-", "–", "—", "to"] {
        if let Some(after) = trimmed.strip_prefix(sep) {
            let after_spaces = after.len() - after.trim_start_matches(' ').len();
            if (1..=2).contains(&after_spaces) {
                return Some((spaces + sep.len() + after_spaces, true));
            }
        }
    }
    None
}

fn follows_clock_suffix(rest: &str) -> bool {
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let word_len = rest
        .bytes()
        .position(|c| !(c.is_ascii_alphabetic() || c == b'.' || c == b'\''))
        .unwrap_or(rest.len());
    let word = rest[..word_len].trim_end_matches('.');
    !word.is_empty() && CLOCK_SUFFIXES.contains(&word)
}

fn preceded_by_clock_word(before: &str) -> bool {
    let before = before.trim_end_matches(|c: char| c.is_whitespace() || c == '(');
    let word_start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '.'))
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    let word = before[word_start..].trim_end_matches('.');
    CLOCK_PREFIXES.iter().any(|w| w.eq_ignore_ascii_case(word))
}

// ---------------------------------------------------------------------------------------------
// Lines

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    TimeFirst,
    TitleFirst,
}

#[derive(Debug)]
struct Entry {
    ms: u64,
    title: String,
    /// Written as a range ("00:00 - 05:00 Intro").
    is_range: bool,
    /// Written like a time of day: `H:MM` or `HH:MM` up to 23:59, no hours, no fraction.
    is_clock_shaped: bool,
    /// How the entry is written (see [`style_of`]): a list whose every line is written alike is
    /// one list even when its times are out of order.
    style: u64,
}

/// How an entry is written: its order, the shape of its time (`99:99` or `99:99:99`, with or
/// without a fraction) and the punctuation around it ("(", ")", " - ", ":"). Words and digits do
/// not count.
fn style_of(line: &str, tok: &Token, order: Order) -> u64 {
    use std::hash::{Hash, Hasher};
    let shape: String = line[tok.start..tok.end]
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect::<String>()
        .split('9')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .concat();
    let marks = |text: &str| -> String {
        text.chars()
            .filter(|c| !c.is_alphanumeric() && !c.is_whitespace())
            .take(3)
            .collect()
    };
    // A few characters each side: enough for brackets and separators, and bounded, so a long
    // one-line list costs no more per entry.
    let mut from = tok.start.saturating_sub(4);
    while !line.is_char_boundary(from) {
        from += 1;
    }
    let mut to = (tok.end + 4).min(line.len());
    while !line.is_char_boundary(to) {
        to -= 1;
    }
    let around = (marks(&line[from..tok.start]), marks(&line[tok.end..to]));
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (order == Order::TimeFirst, shape, around).hash(&mut hasher);
    hasher.finish()
}

/// True for a token written like a time of day ("9:00", "17:30"); not "0:09:00", "9:00.5" or "25:00".
fn is_clock_shaped(token: &str) -> bool {
    let Some((hours, minutes)) = token.split_once(':') else {
        return false;
    };
    (1..=2).contains(&hours.len())
        && minutes.len() == 2
        && hours
            .bytes()
            .chain(minutes.bytes())
            .all(|c| c.is_ascii_digit())
        && hours.parse::<u8>().is_ok_and(|h| h < 24)
}

/// Characters that decorate a time at the start of a line: bullets, brackets, "@".
const LEAD_DECORATION: &[char] = &[
    '(', '[', '{', '@', ':', '*', '•', '·', '-', '–', '—', '|', '>', '#', '~', '►', '▶', '"', '\'',
];
/// Characters that may trail the last time of a title-first line: "Intro (0:06).".
const TRAIL_DECORATION: &[char] = &[
    ')', ']', '}', '.', ',', ';', ':', '-', '–', '—', '|', '!', '"', '\'',
];
/// Trimmed from the start of a title: what separates it from a time before it.
const TITLE_LEFT_JUNK: &[char] = &[
    '-', '–', '—', '−', ':', '|', ')', ']', '}', '>', '*', '•', '·', ',', ';', '~', '►', '▶',
];
/// Trimmed from the end of a title: what separates it from a time after it.
const TITLE_RIGHT_JUNK: &[char] = &[
    '-', '–', '—', '−', ':', '|', '(', '[', '{', '<', '@', ',', ';', '*', '•', '·', '~',
];

/// Headings that introduce a chapter list. `strong` ones count without a colon
/// ("Timestamps Intro 0:06"); the others only as "Topics:".
const HEADINGS: &[(&str, bool)] = &[
    ("timestamps", true),
    ("timestamp", true),
    ("time stamps", true),
    ("time-stamps", true),
    ("timecodes", true),
    ("time codes", true),
    ("chapters", true),
    ("chapter markers", true),
    ("chapter list", true),
    ("kapitel", true),
    ("kapitelmarken", true),
    ("sprungmarken", true),
    ("zeitstempel", true),
    ("chapitres", true),
    ("timeline", false),
    ("topics", false),
    ("segments", false),
    ("contents", false),
    ("agenda", false),
    ("outline", false),
    ("in this episode", false),
    ("highlights", false),
    ("show notes", false),
    ("shownotes", false),
    ("rundown", false),
];

/// How far back from the first time a heading is looked for, in bytes.
const HEADING_WINDOW: usize = 200;
/// Longest title taken from the prose before a title-first list that has no heading.
const MAX_LEAD_TITLE: usize = 100;
/// Longest text between two times on one line for it to be a list rather than prose.
const MAX_INLINE_TITLE: usize = 160;

/// Reads one line that holds `toks` as list entries. Returns their order and pushes the entries;
/// `None` when the line is prose that merely mentions a time. A time-first entry with an empty
/// title is a time on its own line; the caller looks for its title on the next line.
fn read_line(line: &str, toks: &[Token], out: &mut Vec<Entry>) -> Option<Order> {
    if let Some(order) = read_separated_line(line, toks, out) {
        return Some(order);
    }
    let first = toks.first()?;
    let last = toks.last()?;
    let pre = &line[..first.start];
    let post = &line[last.end..];
    let pre_empty = is_lead_decoration(pre);
    if toks.iter().skip(1).any(|t| t.is_range) || (first.is_range && !pre_empty) {
        return None; // a schedule ("Talks 18:00-19:00"), not a chapter list
    }
    let post_empty = post
        .trim_matches(|c: char| c.is_whitespace() || TRAIL_DECORATION.contains(&c))
        .is_empty();
    let (order, title_start) = if pre_empty {
        (Order::TimeFirst, 0)
    } else if let Some(heading_end) = heading_end(pre) {
        if !is_lead_decoration(&pre[heading_end..]) {
            (Order::TitleFirst, heading_end)
        } else if toks.len() > 1 || !post_empty {
            (Order::TimeFirst, 0) // "Chapters: 00:00 Intro 05:12 Topic"
        } else {
            (Order::TitleFirst, 0) // "Audiobook chapters 12:00"
        }
    } else if post_empty {
        (Order::TitleFirst, lead_title_start(pre, toks.len() > 1)?)
    } else if toks.len() >= 2 && pre.trim_end().ends_with(':') {
        (Order::TimeFirst, 0)
    } else if toks.len() >= 3 {
        if pre.len() > post.len() {
            (Order::TimeFirst, 0)
        } else {
            (Order::TitleFirst, lead_title_start(pre, true)?)
        }
    } else {
        return None;
    };
    let inline_ok = toks
        .windows(2)
        .all(|w| line[w[0].end..w[1].start].len() <= MAX_INLINE_TITLE);
    if !inline_ok {
        return None;
    }
    match order {
        Order::TimeFirst => {
            for (k, tok) in toks.iter().enumerate() {
                let title_end = toks.get(k + 1).map_or(line.len(), |next| next.start);
                out.push(Entry {
                    ms: tok.ms,
                    title: clean_title(&line[tok.end..title_end]),
                    is_range: tok.is_range,
                    is_clock_shaped: is_clock_shaped(&line[tok.start..tok.end]),
                    style: style_of(line, tok, Order::TimeFirst),
                });
            }
        }
        Order::TitleFirst => {
            let mut from = title_start;
            for tok in toks {
                out.push(Entry {
                    ms: tok.ms,
                    title: clean_title(&line[from..tok.start]),
                    is_range: false,
                    is_clock_shaped: is_clock_shaped(&line[tok.start..tok.end]),
                    style: style_of(line, tok, Order::TitleFirst),
                });
                from = tok.end;
            }
        }
    }
    Some(order)
}

/// Separators that split a one-line list into its entries ("Agenda • 0:00 Welcome • 4:12 News"),
/// tried in this order. Those that also occur inside words or numbers ("/", "-") count only with
/// a space on each side.
const ENTRY_SEPARATORS: &[&str] = &[
    " • ", "•", " | ", "|", " · ", "·", " ∙ ", " ⋅ ", " ▪ ", " ◦ ", " ‣ ", " / ", " - ", " – ",
    " — ", " ‒ ", " ― ",
];

/// A one-line list whose entries are set apart by a separator: the separators decide which title
/// goes with which time. A piece holds at most one time, and every time is at the start of its
/// piece (time-first) or at its end (title-first). Pieces without a time before the first time
/// are a heading ("Agenda"); later ones belong to a title that the separator split ("0:00
/// Welcome - hello - 4:12 News": "Welcome - hello"): in a time-first list to the title before
/// them, in a title-first list to the title after them. Without such a separator, `None`: the
/// line is read the usual way.
fn read_separated_line(line: &str, toks: &[Token], out: &mut Vec<Entry>) -> Option<Order> {
    if toks.len() < 2 || toks.iter().any(|t| t.is_range) {
        return None;
    }
    'separators: for sep in ENTRY_SEPARATORS {
        // Piece boundaries (byte ranges), split on the separator.
        let mut pieces = Vec::new();
        let mut from = 0;
        for (at, _) in line.match_indices(sep) {
            pieces.push((from, at));
            from = at + sep.len();
        }
        pieces.push((from, line.len()));
        if pieces.len() < toks.len() {
            continue;
        }
        // The pieces that hold a time: (piece index, order of the piece, its time).
        let mut timed: Vec<(usize, Order, &Token)> = Vec::with_capacity(toks.len());
        for (p, &(start, end)) in pieces.iter().enumerate() {
            let t = timed.len();
            if toks.get(t).is_some_and(|tok| tok.start < start) {
                continue 'separators; // a time cut in two by the separator
            }
            let inside = toks[t..].iter().take_while(|tok| tok.end <= end).count();
            match inside {
                0 => {}
                1 => {
                    let tok = &toks[t];
                    let before = &line[start..tok.start];
                    let after = &line[tok.end..end];
                    let order = if is_lead_decoration(before) {
                        Order::TimeFirst
                    } else if after
                        .trim_matches(|c: char| c.is_whitespace() || TRAIL_DECORATION.contains(&c))
                        .is_empty()
                    {
                        Order::TitleFirst
                    } else {
                        continue 'separators;
                    };
                    timed.push((p, order, tok));
                }
                _ => continue 'separators,
            }
        }
        let order = timed.first()?.1;
        if timed.len() != toks.len() || timed.iter().any(|&(_, o, _)| o != order) {
            continue;
        }
        let mut found = Vec::with_capacity(timed.len());
        for (k, &(p, _, tok)) in timed.iter().enumerate() {
            let raw = match order {
                // Up to the separator before the next piece with a time.
                Order::TimeFirst => {
                    let end = timed
                        .get(k + 1)
                        .map_or(line.len(), |&(q, _, _)| pieces[q - 1].1);
                    &line[tok.end..end]
                }
                // From the piece after the previous time; the first from its own piece.
                Order::TitleFirst => {
                    let start = match k.checked_sub(1) {
                        Some(prev) => pieces[timed[prev].0 + 1].0,
                        None => pieces[p].0,
                    };
                    &line[start..tok.start]
                }
            };
            let title = clean_title(raw);
            if title.is_empty() || raw.len() > MAX_INLINE_TITLE {
                continue 'separators;
            }
            let (start, end) = pieces[p];
            let piece_tok = Token {
                start: tok.start - start,
                end: tok.end - start,
                ..*tok
            };
            found.push(Entry {
                ms: tok.ms,
                title,
                is_range: false,
                is_clock_shaped: is_clock_shaped(&line[tok.start..tok.end]),
                style: style_of(&line[start..end], &piece_tok, order),
            });
        }
        out.extend(found);
        return Some(order);
    }
    None
}

/// True when `s` holds nothing but decoration: bullets, brackets, or list numbering ("3.").
fn is_lead_decoration(s: &str) -> bool {
    let t = s.trim_matches(|c: char| c.is_whitespace() || LEAD_DECORATION.contains(&c));
    if t.is_empty() {
        return true;
    }
    let digits = t.trim_end_matches(['.', ')']);
    digits.len() < t.len() && digits.len() <= 3 && digits.bytes().all(|c| c.is_ascii_digit())
}

/// End of the chapter-list heading nearest before the first time, if there is one.
fn heading_end(pre: &str) -> Option<usize> {
    let mut window_start = pre.len().saturating_sub(HEADING_WINDOW);
    while !pre.is_char_boundary(window_start) {
        window_start += 1;
    }
    let hay = &pre.as_bytes()[window_start..];
    let mut best: Option<usize> = None;
    for &(word, strong) in HEADINGS {
        let w = word.as_bytes();
        let mut at = 0;
        while at + w.len() <= hay.len() {
            let found = hay[at..at + w.len()].eq_ignore_ascii_case(w)
                && (at == 0 || !hay[at - 1].is_ascii_alphanumeric())
                && hay
                    .get(at + w.len())
                    .is_none_or(|c| !c.is_ascii_alphanumeric());
            if found {
                let after = &pre[window_start + at + w.len()..];
                let colon = after.trim_start_matches(' ').starts_with(':');
                if strong || colon {
                    let end = window_start + at + w.len();
                    if best.is_none_or(|b| end > b) {
                        best = Some(end);
                    }
                }
            }
            at += 1;
        }
    }
    best
}

/// Where the first title of a title-first list starts when no heading marks it. A line with one
/// entry ("Who is Steve? 1:49") is all title; before a flattened list, or when the line is long,
/// the title starts after the last sentence ("… at scale. Intro 0:06 …").
fn lead_title_start(pre: &str, is_flattened: bool) -> Option<usize> {
    let trimmed = pre.trim_end();
    if !is_flattened && trimmed.len() <= MAX_LEAD_TITLE {
        return Some(0);
    }
    let b = trimmed.as_bytes();
    let (mut sentence, mut clause, mut word_start) = (0, 0, 0);
    for i in 1..b.len() {
        if b[i] == b' ' {
            let word = &trimmed[word_start..i];
            if word.contains("://") || word.starts_with("www.") {
                sentence = i; // "Links Caddy: https://… Intro 0:06"
            }
            match b[i - 1] {
                b'.' | b'!' | b'?' | b' ' => sentence = i,
                b':' | b')' => clause = i,
                _ => {}
            }
            word_start = i + 1;
        }
    }
    [sentence, clause.max(sentence)]
        .into_iter()
        .find(|&start| trimmed.len() - start <= MAX_LEAD_TITLE)
}

/// Trims separators and stray brackets from a title and collapses runs of whitespace.
fn clean_title(raw: &str) -> String {
    let t = raw
        .trim_start_matches(|c: char| c.is_whitespace() || TITLE_LEFT_JUNK.contains(&c))
        .trim_end_matches(|c: char| c.is_whitespace() || TITLE_RIGHT_JUNK.contains(&c));
    // Fast path: no whitespace but single ASCII spaces. Bytes that may start a non-ASCII space
    // (U+0085, U+00A0, U+1680, U+2000.., U+3000) take the slow path.
    let b = t.as_bytes();
    let is_plain = b.iter().enumerate().all(|(i, &c)| match c {
        b' ' => b.get(i + 1) != Some(&b' '),
        b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xc2 | 0xe1 | 0xe2 | 0xe3 => false,
        _ => true,
    });
    if is_plain {
        return t.to_string();
    }
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

// ---------------------------------------------------------------------------------------------
// Runs of entries

/// Non-entry lines (headings, sub-items) allowed between two entries of one list.
const MAX_GAP_LINES: usize = 5;
/// After more non-entry lines than this, only a later time continues the list.
const SHORT_GAP_LINES: usize = 2;
/// A non-entry line longer than this is prose and ends the list.
const MAX_GAP_LINE_LEN: usize = 160;
/// A time this close to the list's first time, after later times, starts a new run (a transcript).
const RESTART_MS: u64 = 60_000;

#[derive(Default)]
struct Block {
    order: Option<Order>,
    entries: Vec<Entry>,
    gap: usize,
    /// The style every entry so far shares; `None` once two differ (or while empty).
    style: Option<u64>,
}

impl Block {
    fn is_open(&self) -> bool {
        !self.entries.is_empty()
    }

    /// Whether an entry of `order` at `ms`, written in `style`, belongs to another run than
    /// this one. A time back near the start ends a run (a transcript after the list), unless
    /// the entry comes right after the last and is written exactly like every entry so far:
    /// then it is the same list, written out of order.
    fn breaks_at(&self, order: Order, ms: u64, style: u64) -> bool {
        let (Some(first), Some(last)) = (self.entries.first(), self.entries.last()) else {
            return false;
        };
        let same_list = self.gap == 0 && self.style == Some(style);
        self.order != Some(order)
            || (ms < last.ms && ms <= first.ms.saturating_add(RESTART_MS) && !same_list)
            || (ms < last.ms && self.gap > SHORT_GAP_LINES)
    }

    fn push(&mut self, order: Order, entry: Entry) {
        self.style = match self.entries.first() {
            None => Some(entry.style),
            Some(_) => self.style.filter(|s| *s == entry.style),
        };
        self.order = Some(order);
        self.entries.push(entry);
        self.gap = 0;
    }

    /// Ends the run and returns it as chapters if it is a chapter list.
    fn close(&mut self, duration_ms: Option<u64>) -> Option<Vec<NotesChapter>> {
        let entries = std::mem::take(&mut self.entries);
        let order = self.order.take();
        self.gap = 0;
        self.style = None;
        if entries.len() < 2 || looks_like_transcript(&entries, order) {
            return None;
        }
        // Every line written alike, and every time within the episode when its length is known:
        // a list typed out of order, sorted below. Otherwise a few descents mean a table of clock
        // times or scores, not chapters.
        let uniform = entries.len() >= 3
            && entries.iter().all(|e| e.style == entries[0].style)
            && duration_ms.is_none_or(|d| entries.iter().all(|e| e.ms < d));
        let mut kept: Vec<Entry> = entries
            .into_iter()
            .filter(|e| {
                order != Some(Order::TitleFirst) || !(is_bible_book(&e.title) || is_dated(&e.title))
            })
            .filter(|e| duration_ms.is_none_or(|d| e.ms < d))
            .collect();
        let (mut ascents, mut descents) = (0usize, 0usize);
        for w in kept.windows(2) {
            if w[1].ms > w[0].ms {
                ascents += 1;
            } else if w[1].ms < w[0].ms {
                descents += 1;
            }
        }
        let tolerated = if uniform { ascents } else { ascents / 3 };
        if ascents == 0 || descents > tolerated {
            return None;
        }
        // Stable, so the first of equal starts wins the dedup below.
        kept.sort_by_key(|e| e.ms);
        // Ranges ("00:00 - 05:00 Intro") make a chapter list only from the start of the episode;
        // otherwise they are a schedule ("18:00-19:00 Talks").
        let starts_late = kept.first().is_some_and(|e| e.ms > RESTART_MS);
        if starts_late && kept.iter().any(|e| e.is_range) {
            return None;
        }
        kept.dedup_by_key(|e| e.ms);
        if is_day_schedule(&kept) {
            return None;
        }
        // Two entries are a list only from the start ("00:00 Intro, 05:00 Topic"); two late times
        // are more often a pair of events ("Doors 18:00, Show 19:00").
        if kept.len() < 2 || (kept.len() == 2 && starts_late) {
            return None;
        }
        Some(
            kept.into_iter()
                .map(|e| NotesChapter {
                    start_ms: e.ms,
                    title: e.title,
                })
                .collect(),
        )
    }
}

/// Earliest time of day a schedule is taken to start at (read as a chapter time: 6 minutes).
const SCHEDULE_EARLIEST_MS: u64 = 6 * 60_000;

/// A day's programme rather than chapters: "9:00 Doors open | 10:30 Keynote | 12:00 Lunch". Its
/// times read as chapter times too (9, 10.5 and 12 minutes in), so the shape decides: three or
/// more times, all written as times of day (`H:MM` up to 23:59), all on a quarter hour, the first
/// at 6:00 or later. A chapter list starts near the beginning, or has times past 24:00, or
/// seconds off the quarter; one that has none of these (rounded times that skip the first six
/// minutes and end before minute 24) is refused with the schedules. Two late times are refused
/// anyway (see [`Block::close`]).
fn is_day_schedule(sorted: &[Entry]) -> bool {
    sorted.len() >= 3
        && sorted.first().is_some_and(|e| e.ms >= SCHEDULE_EARLIEST_MS)
        && sorted
            .iter()
            .all(|e| e.is_clock_shaped && e.ms % (15 * 1000) == 0)
}

/// Finds the first run of entry lines that is a chapter list.
fn find_list(lines: &[&str], duration_ms: Option<u64>) -> Option<Vec<NotesChapter>> {
    let mut toks = Vec::new();
    let mut entries = Vec::new();
    let mut block = Block::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        toks.clear();
        entries.clear();
        if line.contains(':') {
            scan_tokens(line, &mut toks);
        }
        let order = if toks.is_empty() {
            None
        } else {
            read_line(line, &toks, &mut entries)
        };
        let Some(order) = order else {
            if is_blank(line) || !block.is_open() {
                continue;
            }
            block.gap += 1;
            if block.gap > MAX_GAP_LINES
                || line.len() > MAX_GAP_LINE_LEN
                || contains_ignore_ascii_case(line, "transcript")
            {
                if let Some(found) = block.close(duration_ms) {
                    return Some(found);
                }
            }
            continue;
        };
        if let [only] = entries.as_mut_slice() {
            if order == Order::TimeFirst && only.title.is_empty() {
                // "(00:45)" alone: the title is the next non-blank line, if that holds no time.
                let next = (i..lines.len()).find(|&j| !is_blank(lines[j]));
                if let Some(j) = next {
                    let candidate = lines[j];
                    toks.clear();
                    scan_tokens(candidate, &mut toks);
                    if toks.is_empty() && candidate.len() <= MAX_GAP_LINE_LEN {
                        only.title = clean_title(candidate);
                        i = j + 1;
                    }
                }
            }
        }
        for entry in entries.drain(..) {
            if entry.title.is_empty() {
                continue;
            }
            if block.breaks_at(order, entry.ms, entry.style) {
                if let Some(found) = block.close(duration_ms) {
                    return Some(found);
                }
            }
            block.push(order, entry);
        }
    }
    block.close(duration_ms)
}

/// Transcript runs look unlike chapter lists: a few names repeated ("Alice 0:01 / Bob 0:05"),
/// paragraphs rather than titles, speaker-labelled lines ("00:01:02 Alice: words") that come
/// close together or run long, or simply times a few seconds apart.
const TRANSCRIPT_MEAN_TITLE: usize = 150;
const TRANSCRIPT_MEAN_LABELLED: usize = 120;

fn looks_like_transcript(entries: &[Entry], order: Option<Order>) -> bool {
    let n = entries.len();
    if n >= 4 {
        let mut titles: Vec<&str> = entries.iter().map(|e| e.title.as_str()).collect();
        titles.sort_unstable();
        titles.dedup();
        if titles.len() * 2 <= n {
            return true;
        }
    }
    let mean_len = entries.iter().map(|e| e.title.len()).sum::<usize>() / n.max(1);
    if n >= 3 && mean_len >= TRANSCRIPT_MEAN_TITLE {
        return true;
    }
    if order != Some(Order::TimeFirst) || n < 3 {
        return false;
    }
    let mut gaps: Vec<u64> = entries
        .windows(2)
        .map(|w| w[1].ms.abs_diff(w[0].ms))
        .collect();
    gaps.sort_unstable();
    let median_gap = gaps.get(gaps.len() / 2).copied().unwrap_or(0);
    let labelled = entries
        .iter()
        .filter(|e| has_speaker_label(&e.title))
        .count();
    let mostly_labelled = labelled * 10 >= n * 6;
    (mostly_labelled && (median_gap <= 30_000 || mean_len >= TRANSCRIPT_MEAN_LABELLED))
        || (n >= 20 && median_gap < 10_000)
}

/// "Allyn: words", "Speaker 2: words": one to three capitalised words and a colon.
fn has_speaker_label(title: &str) -> bool {
    let Some(colon) = title.find(':') else {
        return false;
    };
    if colon == 0 || colon > 32 || title[colon + 1..].trim().is_empty() {
        return false;
    }
    let words = title[..colon].split(' ');
    let mut count = 0;
    for w in words {
        count += 1;
        let starts_well = w
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        if !starts_well || count > 3 {
            return false;
        }
    }
    true
}

/// Books of the Bible, so that "John 3:16" on a line of its own is not a chapter.
#[rustfmt::skip]
const BIBLE_BOOKS: &[&str] = &[
    "genesis", "gen", "exodus", "exod", "leviticus", "lev", "numbers", "num", "deuteronomy",
    "deut", "joshua", "josh", "judges", "judg", "ruth", "samuel", "sam", "kings", "kgs",
    "chronicles", "chron", "chr", "ezra", "nehemiah", "neh", "esther", "esth", "job", "psalm",
    "psalms", "ps", "psa", "proverbs", "prov", "ecclesiastes", "eccl", "eccles", "song of songs",
    "song of solomon", "isaiah", "isa", "jeremiah", "jer", "lamentations", "lam", "ezekiel",
    "ezek", "daniel", "dan", "hosea", "hos", "joel", "amos", "obadiah", "obad", "jonah", "micah",
    "mic", "nahum", "nah", "habakkuk", "hab", "zephaniah", "zeph", "haggai", "hag", "zechariah",
    "zech", "malachi", "mal", "matthew", "matt", "mt", "mark", "mk", "luke", "lk", "john", "jn",
    "acts", "romans", "rom", "corinthians", "cor", "galatians", "gal", "ephesians", "eph",
    "philippians", "phil", "colossians", "col", "thessalonians", "thess", "timothy", "tim",
    "titus", "philemon", "hebrews", "heb", "james", "jas", "peter", "pet", "jude", "revelation",
    "rev",
];

/// True for a title that is only a book name, optionally numbered ("1 John", "II Kings").
fn is_bible_book(title: &str) -> bool {
    let t = title.trim_end_matches('.');
    let numbered = [
        "1 ", "2 ", "3 ", "I ", "II ", "III ", "1st ", "2nd ", "3rd ",
    ];
    let t = numbered.iter().find_map(|p| t.strip_prefix(p)).unwrap_or(t);
    BIBLE_BOOKS.iter().any(|b| b.eq_ignore_ascii_case(t))
}

#[rustfmt::skip]
const MONTHS: &[&str] = &[
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep",
    "Sept", "Oct", "Nov", "Dec",
];
#[rustfmt::skip]
const WEEKDAYS: &[&str] = &[
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Today",
    "Tonight", "Tomorrow",
];
/// Only count as a date in a short title ("Sat 18:00", "Fri, Oct 9"): "Sun" is also a company.
#[rustfmt::skip]
const WEEKDAY_ABBREVIATIONS: &[&str] = &[
    "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun",
];

/// True for a title-first "title" that dates the time after it: "9 October: Talk (16:30)",
/// "Oct 9 - Talk 18:00", "Doors open Friday 18:00". Those times are clock times.
fn is_dated(title: &str) -> bool {
    let words: Vec<&str> = title
        .split(|c: char| c.is_whitespace() || c == ',' || c == ':')
        .filter(|w| !w.is_empty())
        .collect();
    let is_day = |w: &str| {
        let digits = w.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h', '.']);
        (1..=2).contains(&digits.len()) && digits.bytes().all(|c| c.is_ascii_digit())
    };
    let is_month = |w: &str| MONTHS.contains(&w.trim_end_matches('.'));
    let is_weekday = |w: &str| {
        let w = w.trim_end_matches('.');
        WEEKDAYS.contains(&w) || (words.len() <= 2 && WEEKDAY_ABBREVIATIONS.contains(&w))
    };
    match words.as_slice() {
        [first, second, ..] if is_day(first) && is_month(second) => true,
        [first, second, ..] if is_month(first) && is_day(second) => true,
        [first, ..] if is_weekday(first) => true,
        [.., last] => is_weekday(last),
        [] => false,
    }
}

fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    hay.as_bytes()
        .windows(n.len())
        .any(|w| w.eq_ignore_ascii_case(n))
}

// ---------------------------------------------------------------------------------------------
// HTML to text

/// Show notes as plain text for the search index and result snippets: tags stripped, entities
/// decoded, every run of whitespace one space.
pub fn notes_text(notes: &str) -> String {
    let (text, _) = to_text(notes);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reduces show notes to text: tags stripped (block tags become `\n`), entities decoded. Raw line
/// ends become `\r`; the flag says whether the notes used block tags, in which case raw line ends
/// are only whitespace, as in a browser. Without block tags they are line breaks.
fn to_text(notes: &str) -> (Cow<'_, str>, bool) {
    let b = notes.as_bytes();
    if !b.iter().any(|&c| c == b'<' || c == b'&' || c == b'\r') {
        return (Cow::Borrowed(notes), false);
    }
    let mut has_blocks = false;
    // No tag can close after the last '>': a '<' past it is text. This also keeps a run of
    // unclosed '<' from rescanning the rest of the notes each time.
    let last_gt = notes.rfind('>');
    let mut out = String::with_capacity(notes.len());
    let mut run = 0; // start of the pending run of plain text
    let mut i = 0;
    while let Some(k) = b
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| IS_MARKUP_BYTE[usize::from(c)]))
    {
        i += k;
        let replaced = match b[i] {
            b'<' if last_gt.is_some_and(|g| g > i) => read_tag(notes, i).map(|(end, action)| {
                let c = match action {
                    TagAction::Break => {
                        has_blocks = true;
                        Some('\n')
                    }
                    TagAction::Space => Some(' '),
                    TagAction::Nothing => None,
                };
                (end, c)
            }),
            b'<' => None,
            b'&' => read_entity(b, i),
            b'\r' if b.get(i + 1) == Some(&b'\n') => Some((i + 2, Some('\r'))),
            _ => Some((i + 1, Some('\r'))),
        };
        match replaced {
            Some((end, c)) => {
                out.push_str(&notes[run..i]);
                if let Some(c) = c {
                    out.push(c);
                }
                i = end;
                run = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&notes[run..]);
    (Cow::Owned(out), has_blocks)
}

/// Bytes that [`to_text`] stops at: `<`, `&`, CR, LF.
const IS_MARKUP_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    table[b'<' as usize] = true;
    table[b'&' as usize] = true;
    table[b'\r' as usize] = true;
    table[b'\n' as usize] = true;
    table
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagAction {
    Break,
    Space,
    Nothing,
}

fn tag_name(b: &[u8], start: usize) -> &[u8] {
    let len = b.get(start..).map_or(0, |rest| {
        rest.iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count()
    });
    b.get(start..start + len).unwrap_or(&[])
}

/// What a tag stands for in the text: block tags end a line, table cells are spaced apart.
fn tag_action(name: &[u8]) -> TagAction {
    let mut lower = [0u8; 10];
    let Some(buf) = lower.get_mut(..name.len()) else {
        return TagAction::Nothing;
    };
    for (dst, src) in buf.iter_mut().zip(name) {
        *dst = src.to_ascii_lowercase();
    }
    match &*buf {
        b"br" | b"p" | b"div" | b"li" | b"ul" | b"ol" | b"dl" | b"dt" | b"dd" | b"h1" | b"h2"
        | b"h3" | b"h4" | b"h5" | b"h6" | b"tr" | b"table" | b"thead" | b"tbody" | b"tfoot"
        | b"blockquote" | b"pre" | b"hr" | b"section" | b"article" | b"header" | b"footer"
        | b"aside" | b"nav" | b"figure" | b"figcaption" | b"main" | b"address" | b"details"
        | b"summary" | b"center" => TagAction::Break,
        b"td" | b"th" => TagAction::Space,
        _ => TagAction::Nothing,
    }
}

/// Reads the tag, comment or declaration at `b[i] == b'<'`. Returns where it ends and what it
/// stands for in the text; `None` when the `<` is text ("a < b", "<3").
fn read_tag(s: &str, i: usize) -> Option<(usize, TagAction)> {
    let b = s.as_bytes();
    let rest = b.get(i..)?;
    if rest.starts_with(b"<!--") {
        let end = find_str(s, i + 4, "-->").map_or(b.len(), |p| p + 3);
        return Some((end, TagAction::Nothing));
    }
    if rest.starts_with(b"<![CDATA[") {
        return Some((i + 9, TagAction::Nothing));
    }
    let next = *rest.get(1)?;
    let (closing, name_start) = match next {
        b'/' => (true, i + 2),
        b'!' | b'?' => return Some((find_tag_end(s, i + 2)?, TagAction::Nothing)),
        c if c.is_ascii_alphabetic() => (false, i + 1),
        _ => return None,
    };
    let name = tag_name(b, name_start);
    if name.is_empty() {
        return None;
    }
    let end = find_tag_end(s, name_start + name.len())?;
    if !closing
        && (name.eq_ignore_ascii_case(b"script")
            || name.eq_ignore_ascii_case(b"style")
            || name.eq_ignore_ascii_case(b"noscript"))
    {
        // Skip the element's content up to its closing tag.
        let mut from = end;
        while let Some(p) = find_str(s, from, "</") {
            if tag_name(b, p + 2).eq_ignore_ascii_case(name) {
                return Some((
                    find_tag_end(s, p + 2).unwrap_or(b.len()),
                    TagAction::Nothing,
                ));
            }
            from = p + 2;
        }
        return Some((b.len(), TagAction::Nothing));
    }
    Some((end, tag_action(name)))
}

/// Offset just past the `>` that ends a tag, skipping quoted attribute values.
fn find_tag_end(s: &str, from: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = from;
    loop {
        i += b
            .get(i..)?
            .iter()
            .position(|&c| c == b'>' || c == b'"' || c == b'\'')?;
        let quote = char::from(b[i]);
        if quote == '>' {
            return Some(i + 1);
        }
        match s.get(i + 1..).and_then(|rest| rest.find(quote)) {
            Some(len) => i += len + 2,
            // An unbalanced quote: fall back to the first '>'.
            None => return s.get(from..)?.find('>').map(|k| from + k + 1),
        }
    }
}

/// Offset of `needle` in `s` at or after `from`.
fn find_str(s: &str, from: usize, needle: &str) -> Option<usize> {
    s.get(from..)?.find(needle).map(|k| from + k)
}

/// Named entities decoded; others are left as text.
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", ' '),
    ("ensp", ' '),
    ("emsp", ' '),
    ("thinsp", ' '),
    ("ndash", '–'),
    ("mdash", '—'),
    ("minus", '−'),
    ("rsquo", '’'),
    ("lsquo", '‘'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("hellip", '…'),
    ("bull", '•'),
    ("middot", '·'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("times", '×'),
];

/// Decodes the entity at `b[i] == b'&'`. Returns its end and the character (`None` for a
/// character that stands for nothing, such as `&#0;`); `None` overall when it is not an entity.
fn read_entity(b: &[u8], i: usize) -> Option<(usize, Option<char>)> {
    let body_start = i + 1;
    let semi = b
        .get(body_start..)?
        .iter()
        .take(12)
        .position(|&c| c == b';')?
        + body_start;
    let body = b.get(body_start..semi)?;
    let decoded = if let Some(num) = body.strip_prefix(b"#") {
        let (digits, radix) = match num.first() {
            Some(b'x' | b'X') => (&num[1..], 16),
            _ => (num, 10),
        };
        if digits.is_empty() || digits.len() > 8 {
            return None;
        }
        let mut value: u32 = 0;
        for &d in digits {
            let v = char::from(d).to_digit(radix)?;
            value = value.checked_mul(radix)?.checked_add(v)?;
        }
        match value {
            0 => None,
            0xA0 => Some(' '),
            v => Some(char::from_u32(v).unwrap_or('\u{FFFD}')),
        }
    } else {
        let c = ENTITIES
            .iter()
            .find(|(name, _)| name.as_bytes() == body)
            .map(|&(_, c)| c)?;
        Some(c)
    };
    Some((semi + 1, decoded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn chapters(notes: &str) -> Vec<(u64, String)> {
        chapters_from_notes(notes, None)
            .into_iter()
            .map(|c| (c.start_ms / 1000, c.title))
            .collect()
    }

    fn secs_and_titles(list: &[(u64, &str)]) -> Vec<(u64, String)> {
        list.iter().map(|&(s, t)| (s, t.to_string())).collect()
    }

    use crate::testkit::shared_dir;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    // --- parse_timestamp -----------------------------------------------------------------

    #[test]
    fn parse_timestamp_reads_minutes_and_seconds() {
        assert_eq!(parse_timestamp("0:06"), Some(6_000));
        assert_eq!(parse_timestamp("05:12"), Some(312_000));
        assert_eq!(parse_timestamp("59:59"), Some(3_599_000));
    }

    #[test]
    fn parse_timestamp_reads_hours() {
        assert_eq!(parse_timestamp("1:03:35"), Some(3_815_000));
        assert_eq!(parse_timestamp("01:02:03"), Some(3_723_000));
        assert_eq!(parse_timestamp("00:00:00"), Some(0));
    }

    #[test]
    fn parse_timestamp_reads_minutes_past_sixty_without_hours() {
        assert_eq!(parse_timestamp("104:23"), Some(6_263_000));
        assert_eq!(parse_timestamp("75:00"), Some(4_500_000));
    }

    #[test]
    fn parse_timestamp_reads_fractions_as_milliseconds() {
        assert_eq!(parse_timestamp("00:01.5"), Some(1_500));
        assert_eq!(parse_timestamp("00:01.25"), Some(1_250));
        assert_eq!(parse_timestamp("1:00:01.007"), Some(3_601_007));
        assert_eq!(parse_timestamp(" 0:06 "), Some(6_000));
    }

    #[test]
    fn parse_timestamp_rejects_malformed_tokens() {
        for bad in [
            "",
            ":",
            "1:",
            ":30",
            "1:5",
            "1:60",
            "1:00:60",
            "1:60:00",
            "1234:00",
            "100:00:00",
            "1:00:00:00",
            "1:00.",
            "1:00.1234",
            "a1:00",
            "1:00a",
            "16:9",
            "3:1",
            "-1:00",
            "1 :00",
            "١:٠٠",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    // --- seed: title-first, flattened after "Timestamps" ---------------------------------

    /// The seed's expected chapters: (line index in the seed file, start_s, title), produced
    /// independently of this parser (a script specialised to "Timestamps Title M:SS ...").
    fn seed_expected() -> Vec<(usize, u64, String)> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seed_chapters.tsv");
        read(&path)
            .lines()
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let mut cols = l.splitn(3, '\t');
                let mut next = || cols.next().unwrap_or_else(|| panic!("short row {l:?}"));
                let idx = next().parse().unwrap_or_else(|e| panic!("{l:?}: {e}"));
                let secs = next().parse().unwrap_or_else(|e| panic!("{l:?}: {e}"));
                (idx, secs, next().to_string())
            })
            .collect()
    }

    fn seed_lines(shared: &Path) -> Vec<String> {
        read(&shared.join("seed/meta-tech-podcast-listing.txt"))
            .split('\n')
            .map(str::to_string)
            .collect()
    }

    fn expected_for(expected: &[(usize, u64, String)], idx: usize) -> Vec<(u64, String)> {
        expected
            .iter()
            .filter(|(i, _, _)| *i == idx)
            .map(|(_, s, t)| (*s, t.clone()))
            .collect()
    }

    #[test]
    fn seed_title_first_lists_match_expected_tsv() {
        let Some(shared) = shared_dir() else { return };
        let expected = seed_expected();
        assert_eq!(expected.len(), 301);
        let mut found = 0;
        for (idx, line) in seed_lines(&shared).iter().enumerate() {
            let got = chapters(line);
            assert_eq!(got, expected_for(&expected, idx), "seed line {idx}");
            found += got.len();
        }
        assert_eq!(found, 301);
    }

    #[test]
    fn seed_lines_without_timestamps_section_yield_nothing() {
        let Some(shared) = shared_dir() else { return };
        let lines = seed_lines(&shared);
        let without: Vec<&String> = lines.iter().filter(|l| !l.contains("Timestamps")).collect();
        assert!(!without.is_empty());
        for line in without {
            assert_eq!(chapters(line), vec![], "{line:?}");
        }
    }

    #[test]
    fn seed_lists_parse_even_without_their_heading() {
        let Some(shared) = shared_dir() else { return };
        let expected = seed_expected();
        for (idx, line) in seed_lines(&shared).iter().enumerate() {
            let unheaded = line
                .replacen("Timestamps:", "", 1)
                .replacen("Timestamps", "", 1);
            let want = expected_for(&expected, idx);
            assert_eq!(chapters(&unheaded), want, "seed line {idx} without heading");
        }
    }

    fn escape_html(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('\'', "&#39;")
            .replace('"', "&quot;")
    }

    fn format_secs(s: u64) -> String {
        if s >= 3600 {
            format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
        } else {
            format!("{}:{:02}", s / 60, s % 60)
        }
    }

    #[test]
    fn seed_lists_survive_br_and_paragraph_html_rendering() {
        let Some(shared) = shared_dir() else { return };
        let expected = seed_expected();
        for (idx, line) in seed_lines(&shared).iter().enumerate() {
            let want = expected_for(&expected, idx);
            let Some(heading_at) = line.find("Timestamps") else {
                continue;
            };
            let prose = escape_html(&line[..heading_at + "Timestamps".len()]);
            let entries: Vec<String> = want
                .iter()
                .map(|(s, t)| format!("{} {}", escape_html(t), format_secs(*s)))
                .collect();
            // The first entry on the heading's line, then one entry per <br />.
            let br = format!("{prose} {}", entries.join("<br />\n"));
            assert_eq!(chapters(&br), want, "<br /> rendering of seed line {idx}");
            // The prose in its own paragraph, then one paragraph per entry.
            let p = format!("<p>{prose}</p>\n<p>{}</p>", entries.join("</p>\n<p>"));
            assert_eq!(chapters(&p), want, "<p> rendering of seed line {idx}");
        }
    }

    // --- corpus ----------------------------------------------------------------------------

    #[test]
    fn fireside_chapter_lines_yield_eleven_chapters_each() {
        let Some(shared) = shared_dir() else { return };
        let dir = shared.join("corpus/chapters/shownotes");
        for (file, second, last) in [
            (
                "fireside_linuxunplugged_2020-12-19__376-from-the-factory-floor.txt",
                (97, "Intro"),
                (3457, "Post-show"),
            ),
            (
                "fireside_linuxunplugged_2020-12-19__377-buttered-up-fedora.txt",
                (192, "Intro"),
                (4101, "Post-show"),
            ),
            (
                "fireside_linuxunplugged_2020-12-19__378-all-in-one-pi.txt",
                (61, "Intro"),
                (3863, "Post-show"),
            ),
        ] {
            let got = chapters(&read(&dir.join(file)));
            assert_eq!(got.len(), 11, "{file}: {got:?}");
            assert_eq!(got[0], (0, "Pre-show".to_string()), "{file}");
            assert_eq!(got[1], (second.0, second.1.to_string()), "{file}");
            assert_eq!(got[10], (last.0, last.1.to_string()), "{file}");
        }
        let factory = chapters(&read(
            &dir.join("fireside_linuxunplugged_2020-12-19__376-from-the-factory-floor.txt"),
        ));
        assert_eq!(factory[4], (960, "NVIDIA's 5.9 Problem".to_string()));
        assert_eq!(
            factory[7],
            (1817, "Ubuntu 20.10: Groovy Gorilla".to_string())
        );
    }

    #[test]
    fn pcper_segment_lists_span_headings_and_skip_program_length() {
        let Some(shared) = shared_dir() else { return };
        let dir = shared.join("corpus/chapters/shownotes");
        // SOURCES.tsv counts timestamp tokens (13, 19, 12); one of each is "Program length".
        for (file, count, first, last) in [
            (
                "pcper-podcast_2017__pc-perspective-podcast-473-10-26-17.txt",
                11,
                (
                    250,
                    "Forza Motorsport 7 Performance Preview - Vega vs Pascal",
                ),
                (3245, "Alex: For the smartphone haters"),
            ),
            (
                "pcper-podcast_2017__pc-perspective-podcast-474-11-02-17.txt",
                18,
                (225, "PCPer Mailbag #15 - 10/26/2017"),
                (5205, "Allyn: Sony RX10 Mk IV. Pricey, but damn good."),
            ),
            (
                "pcper-podcast_2017__pc-perspective-podcast-475-11-09-17.txt",
                12,
                (
                    270,
                    "Intel Announces New CPUs Integrating AMD Radeon Graphics",
                ),
                (5090, "Ken: The Void Wallet"),
            ),
        ] {
            let got = chapters(&read(&dir.join(file)));
            assert_eq!(got.len(), count, "{file}: {got:?}");
            assert_eq!(got[0], (first.0, first.1.to_string()), "{file}");
            assert_eq!(got[count - 1], (last.0, last.1.to_string()), "{file}");
        }
        let with_entities = chapters(&read(
            &dir.join("pcper-podcast_2017__pc-perspective-podcast-475-11-09-17.txt"),
        ));
        assert!(with_entities.contains(&(
            4665,
            "Jeremy: What exactly is a \"technology certificate license\" Logitech?".to_string()
        )));
    }

    #[test]
    fn rssblue_description_yields_seven_chapters() {
        let Some(shared) = shared_dir() else { return };
        let got = chapters(&read(
            &shared.join("corpus/chapters/rssblue-description-chapters.txt"),
        ));
        let want = secs_and_titles(&[
            (0, "Intro"),
            (285, "Plot summary"),
            (611, "Sergio Leone"),
            (1018, "Ennio Morricone"),
            (1350, "Charles Bronson"),
            (1642, "Henry Fonda"),
            (1941, "Conclusion"),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn mtillmann_show_notes_samples_yield_expected_counts() {
        let Some(shared) = shared_dir() else { return };
        let dir = shared.join("corpus/chapters/mtillmann-chapters");
        for (file, count, last) in [
            ("podcastpage-chapters.txt", 5, (3690, "Chapter 5")),
            ("podigeetext-chapters.txt", 5, (3723, "Chapter 5")),
            (
                "shownotes-chapters.txt",
                6,
                (225, "The fourth topic of discussion"),
            ),
            ("spotifya-chapters.txt", 15, (4953, "Chapter 5")),
            ("spotifyb-chapters.txt", 5, (3690, "Chapter 5")),
            ("transistorfm-chapters.txt", 5, (3690, "Chapter 5")),
            ("youtube-chapters.txt", 5, (542, "Chapter 5 of 5")),
        ] {
            let got = chapters(&read(&dir.join(file)));
            assert_eq!(got.len(), count, "{file}: {got:?}");
            assert_eq!(got[0].0, 0, "{file}");
            assert_eq!(got[count - 1], (last.0, last.1.to_string()), "{file}");
        }
    }

    #[test]
    fn non_monotonic_list_is_sorted_by_start() {
        let notes = "(00:00) Chapter 1\n(00:12) Chapter 2\n(01:22:33) Chapter 5\n(01:02:00) Chapter 6\n(01:02:30) Chapter 7";
        let got = chapters(notes);
        let want = secs_and_titles(&[
            (0, "Chapter 1"),
            (12, "Chapter 2"),
            (3720, "Chapter 6"),
            (3750, "Chapter 7"),
            (4953, "Chapter 5"),
        ]);
        assert_eq!(got, want);
    }

    // --- time-first styles ---------------------------------------------------------------

    #[test]
    fn time_first_lines_accept_every_separator() {
        let notes = "Chapters\n00:00 – Welcome\n01:10 - Dash\n02:20 — Em dash\n03:30: Colon\n04:40 | Pipe\n05:50 Plain\n06:00-Glued";
        let want = secs_and_titles(&[
            (0, "Welcome"),
            (70, "Dash"),
            (140, "Em dash"),
            (210, "Colon"),
            (280, "Pipe"),
            (350, "Plain"),
            (360, "Glued"),
        ]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn bracket_decoration_is_stripped_from_titles() {
        let notes = "(00:12:34) Topic one\n[1:02:03] Topic two\n[@2:03:33] - Topic three\n{2:10:00} Topic (four)";
        let want = secs_and_titles(&[
            (754, "Topic one"),
            (3723, "Topic two"),
            (7413, "Topic three"),
            (7800, "Topic (four)"),
        ]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn speaker_prefixed_titles_are_kept_whole() {
        let notes = "1:13:40 Allyn: Topic\n1:17:45 Jeremy: Another topic\n1:20:00 Closing";
        let want = secs_and_titles(&[
            (4420, "Allyn: Topic"),
            (4665, "Jeremy: Another topic"),
            (4800, "Closing"),
        ]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn html_list_items_become_entries() {
        let notes = "<p>In this episode:</p><ul><li>00:00 Intro &amp; welcome</li><li><a href=\"https://x.example/a:b?t=1:23\">10:00</a> Rock &#8217;n&#x2019; roll</li>\n<li>20:00 &ldquo;Quotes&rdquo; &hellip;</li></ul>";
        let want = secs_and_titles(&[
            (0, "Intro & welcome"),
            (600, "Rock ’n’ roll"),
            (1200, "“Quotes” …"),
        ]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn html_br_and_paragraph_lines_become_entries() {
        let br = "Chapters:<br>00:00 Intro<br/>05:00 Middle<BR />10:00 End";
        let p = "<P>00:00 Intro</P><p class=\"x\">05:00 Middle</p><p>10:00 End</p>";
        let want = secs_and_titles(&[(0, "Intro"), (300, "Middle"), (600, "End")]);
        assert_eq!(chapters(br), want);
        assert_eq!(chapters(p), want);
    }

    #[test]
    fn raw_newlines_inside_html_blocks_are_spaces() {
        let notes = "<p>00:00 Intro that\nwraps</p><p>05:00 Next</p>";
        let want = secs_and_titles(&[(0, "Intro that wraps"), (300, "Next")]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn scripts_styles_and_comments_are_ignored() {
        let notes = "<style>a:hover{x:1}</style><script>var t = '00:00 Fake';\n'05:00 Fake'</script><!-- 00:00 hidden\n01:00 hidden --><p>00:00 Real</p><p>02:00 Also real</p>";
        let want = secs_and_titles(&[(0, "Real"), (120, "Also real")]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn time_on_its_own_line_takes_the_next_line_as_title() {
        let notes = "(00:00)\n\nWelcome to the show\n\n(00:45)\n\nIntroducing a Guest\n";
        let want = secs_and_titles(&[(0, "Welcome to the show"), (45, "Introducing a Guest")]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn flattened_time_first_line_is_split_at_each_time() {
        let want = secs_and_titles(&[(0, "Intro"), (312, "Topic two"), (640, "Topic three")]);
        assert_eq!(
            chapters("00:00 Intro 05:12 Topic two 10:40 Topic three"),
            want
        );
        assert_eq!(
            chapters("We talk about many things. Chapters: 00:00 Intro 05:12 Topic two 10:40 Topic three"),
            want
        );
    }

    #[test]
    fn time_ranges_at_line_start_use_the_first_time() {
        let notes = "00:00 - 05:00 Intro\n05:00 - 12:00 Topic\n12:00 - 20:00 Outro";
        let want = secs_and_titles(&[(0, "Intro"), (300, "Topic"), (720, "Outro")]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn numbered_list_prefixes_are_decoration() {
        let notes = "1. 00:00 Intro\n2. 03:00 Topic\n3) 09:00 Outro";
        let want = secs_and_titles(&[(0, "Intro"), (180, "Topic"), (540, "Outro")]);
        assert_eq!(chapters(notes), want);
    }

    // --- title-first styles ----------------------------------------------------------------

    #[test]
    fn title_first_lines_one_per_line() {
        let notes =
            "Intro 0:06\nWho is Steve? 1:49\nWhat's next for PQC? (30:38)\nOutro - [1:03:35]";
        let want = secs_and_titles(&[
            (6, "Intro"),
            (109, "Who is Steve?"),
            (1838, "What's next for PQC?"),
            (3815, "Outro"),
        ]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn title_first_titles_keep_digits_colons_and_symbols() {
        let notes = "Links: https://x.com/a:b youtu.be/abc?t=1:23 Timestamps: Intro: Cameron 0:06 PyTorch 2.0 1:10 Meta Open Source 101 2:00 50% / 50 split 3:00 What's next? 4:00";
        let want = secs_and_titles(&[
            (6, "Intro: Cameron"),
            (70, "PyTorch 2.0"),
            (120, "Meta Open Source 101"),
            (180, "50% / 50 split"),
            (240, "What's next?"),
        ]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn title_first_list_after_prose_without_heading_starts_after_last_sentence() {
        let notes = "This week we go deep on build systems and the people who make them fast for everyone at scale. Intro 0:06 Buck2 vs Bazel 8:49 Outro 32:15";
        let want = secs_and_titles(&[(6, "Intro"), (529, "Buck2 vs Bazel"), (1935, "Outro")]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn heading_word_inside_a_title_first_entry_is_kept() {
        let notes = "Intro 0:06\nAudiobook chapters 12:00\nOutro 30:00";
        let want = secs_and_titles(&[(6, "Intro"), (720, "Audiobook chapters"), (1800, "Outro")]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn list_starting_after_zero_gets_no_invented_intro() {
        let got = chapters("Timestamps Intro 0:06 Topic 1:40 Outro 3:00");
        assert_eq!(got.first(), Some(&(6, "Intro".to_string())));
        assert_eq!(got.len(), 3);
    }

    // --- negatives -----------------------------------------------------------------------

    #[test]
    fn clock_times_are_not_chapters() {
        for notes in [
            "Doors open at 18:00\nShow starts at 19:30",
            "10:30 AM - Keynote\n11:45 AM - Panel\n1:00 PM - Lunch",
            "10:30pm Party\n11:30pm More party",
            "Live on Monday 10:30 a.m. and 11:30 a.m. ET",
            "Schedule:\n18:00-19:00 Talks\n19:00-20:00 Dinner",
            "Recorded 09:00 UTC, edited 17:00 UTC, published 20:00 UTC",
            "Meet us from 10:00 to 12:00 or until 14:00",
        ] {
            assert_eq!(chapters(notes), vec![], "{notes:?}");
        }
    }

    #[test]
    fn bible_verses_are_not_chapters() {
        for notes in [
            "John 3:16\nRomans 8:28\nLuke 15:25-32",
            "Today's reading: Luke 15:25-32 and John 3:16 and Matthew 5:14-16.",
            "Scripture: 1 John 4:19, Psalm 23:10, Luke 15:25",
            "John 3:16\nRomans 8:28\n1 Corinthians 13:13",
        ] {
            assert_eq!(chapters(notes), vec![], "{notes:?}");
        }
    }

    #[test]
    fn ratios_ports_and_urls_are_not_chapters() {
        for notes in [
            "Shot in 16:9 and 4:3, mixed 3:1.\nServer at localhost:8080 and 127.0.0.1:3000",
            "Watch: https://youtu.be/abc?t=1:23 and https://x.com/a:12:30 and http://host:10:20/",
            "Ratio 21:9 vs 16:10: which is better?",
            "Build 2024:12:01 released; version 1:2:3",
        ] {
            assert_eq!(chapters(notes), vec![], "{notes:?}");
        }
    }

    #[test]
    fn lone_time_in_prose_is_not_a_chapter_list() {
        for notes in [
            "at 12:30 he said something remarkable.",
            "Program length: 1:29:42",
            "The episode runs 45:00 and was recorded last week.",
            "<p>Skip to 12:30 for the interview, or jump ahead to the rant around 40:15 if you like.</p>",
            "00:00 Intro",
        ] {
            assert_eq!(chapters(notes), vec![], "{notes:?}");
        }
    }

    #[test]
    fn one_line_lists_pair_by_their_separators() {
        let want = secs_and_titles(&[(0, "Welcome"), (252, "News"), (930, "Deep dive")]);
        for notes in [
            "Agenda • 0:00 Welcome • 4:12 News • 15:30 Deep dive",
            "Agenda | 0:00 Welcome | 4:12 News | 15:30 Deep dive",
            "Agenda - 0:00 Welcome - 4:12 News - 15:30 Deep dive",
            "<p>Agenda · 0:00 Welcome · 4:12 News · 15:30 Deep dive</p>",
            "Welcome 0:00 • News 4:12 • Deep dive 15:30",
        ] {
            assert_eq!(chapters(notes), want, "{notes:?}");
        }
        // A title with a dash of its own still pairs by the bullets.
        assert_eq!(
            chapters("Agenda • 0:00 Welcome - hello • 4:12 News • 15:30 Deep dive"),
            secs_and_titles(&[(0, "Welcome - hello"), (252, "News"), (930, "Deep dive")])
        );
    }

    #[test]
    fn separated_clock_times_and_scores_are_still_not_chapters() {
        for notes in [
            "Opening hours • Mon 9:00 am • Tue 10:00 am • Wed 11:00 am",
            "Schedule | 18:00-19:00 Talks | 19:00-20:00 Dinner",
            "Results • Lakers 102:98 • Celtics 99:101",
            "Doors • at 18:00 • show at 19:30",
        ] {
            assert_eq!(chapters(notes), vec![], "{notes:?}");
        }
    }

    #[test]
    fn a_list_written_alike_but_out_of_order_is_sorted_whole() {
        let notes = "Timestamps\n(00:00) Intro\n(15:00) Part B\n(10:00) Part A\n(20:00) Outro";
        assert_eq!(
            chapters(notes),
            secs_and_titles(&[
                (0, "Intro"),
                (600, "Part A"),
                (900, "Part B"),
                (1200, "Outro")
            ])
        );
        // The cold open listed after the intro it precedes.
        let notes = "00:30 - Intro\n00:10 - Cold open\n05:00 - Topic\n10:00 - Outro";
        assert_eq!(
            chapters(notes),
            secs_and_titles(&[
                (10, "Cold open"),
                (30, "Intro"),
                (300, "Topic"),
                (600, "Outro")
            ])
        );
    }

    #[test]
    fn out_of_order_lines_written_differently_are_not_one_list() {
        // Mostly descending, or a table of mixed styles: not a chapter list.
        assert_eq!(
            chapters("10:00 Later\n05:00 Earlier\n01:00 Earliest"),
            vec![]
        );
        assert_eq!(
            chapters("Intro (00:30)\n[00:10] Cold open\nTopic - 05:00\n(02:00) Outro"),
            vec![]
        );
    }

    #[test]
    fn untimed_pieces_of_a_one_line_list_stay_in_their_titles() {
        // The separator also occurs inside a title: the piece without a time continues the title
        // before it (time-first) or after it (title-first). Only pieces before the first time
        // are a heading.
        assert_eq!(
            chapters("Agenda - 0:00 Welcome - hello - 4:12 News - 15:30 Deep dive"),
            secs_and_titles(&[(0, "Welcome - hello"), (252, "News"), (930, "Deep dive")])
        );
        assert_eq!(
            chapters("Agenda • 0:00 Welcome • 4:12 News • Listener mail • 15:30 Deep dive"),
            secs_and_titles(&[
                (0, "Welcome"),
                (252, "News • Listener mail"),
                (930, "Deep dive")
            ])
        );
        assert_eq!(
            chapters("Timestamps | Intro 0:00 | Our guest | Jane Doe 4:12 | Outro 15:30"),
            secs_and_titles(&[(0, "Intro"), (252, "Our guest | Jane Doe"), (930, "Outro")])
        );
        // A time alone in its piece takes the piece after it as its title.
        assert_eq!(
            chapters("Agenda | 0:00 | Welcome | 4:12 | News | 15:30 | Deep dive"),
            secs_and_titles(&[(0, "Welcome"), (252, "News"), (930, "Deep dive")])
        );
    }

    #[test]
    fn one_line_lists_split_by_slashes_and_other_separators() {
        let want = secs_and_titles(&[(0, "Welcome"), (252, "News"), (930, "Deep dive")]);
        for notes in [
            "Agenda / 0:00 Welcome / 4:12 News / 15:30 Deep dive",
            "Agenda ‒ 0:00 Welcome ‒ 4:12 News ‒ 15:30 Deep dive",
            "Agenda ∙ 0:00 Welcome ∙ 4:12 News ∙ 15:30 Deep dive",
            "Agenda ▪ 0:00 Welcome ▪ 4:12 News ▪ 15:30 Deep dive",
            "Welcome 0:00 / News 4:12 / Deep dive 15:30",
        ] {
            assert_eq!(chapters(notes), want, "{notes:?}");
        }
        // A slash inside a word or a title is not a separator.
        assert_eq!(
            chapters("0:00 Intro 4:12 AC/DC and TCP/IP 15:30 Outro"),
            secs_and_titles(&[(0, "Intro"), (252, "AC/DC and TCP/IP"), (930, "Outro")])
        );
    }

    #[test]
    fn out_of_order_list_is_sorted_only_when_every_time_fits_the_episode() {
        let notes = "(00:00) Intro\n(15:00) Part B\n(10:00) Part A\n(45:00) Outro";
        let half_hour = Some(30 * 60_000);
        assert_eq!(chapters_from_notes(notes, half_hour), vec![]);
        let hour = chapters_from_notes(notes, Some(60 * 60_000));
        let starts: Vec<u64> = hour.iter().map(|c| c.start_ms / 1000).collect();
        assert_eq!(starts, [0, 600, 900, 2700]);
        // In order, a time past the end is only dropped, as before.
        let in_order = "(00:00) Intro\n(10:00) Part A\n(15:00) Part B\n(45:00) Outro";
        assert_eq!(chapters_from_notes(in_order, half_hour).len(), 3);
    }

    #[test]
    fn day_schedules_are_not_chapters() {
        for notes in [
            "9:00 Doors open | 10:30 Keynote | 12:00 Lunch | 13:30 Workshops",
            "Schedule • 9:00 Doors open • 10:30 Keynote • 12:00 Lunch • 17:00 Close",
            "9:00 Doors open\n10:30 Keynote\n12:00 Lunch\n13:30 Workshops",
            "Doors open 18:00 / Support act 19:15 / Main act 20:30",
        ] {
            assert_eq!(chapters(notes), vec![], "{notes:?}");
        }
    }

    #[test]
    fn rounded_lists_unlike_a_schedule_are_still_chapters() {
        for (notes, count) in [
            // From the start of the episode.
            ("0:00 Intro | 5:00 News | 10:00 Interview | 15:00 Outro", 4),
            // Past minute 24, which no clock reaches.
            ("6:00 News | 12:00 Interview | 30:00 Mailbag", 3),
            // Off the quarter hour.
            ("9:00 News | 10:30 Interview | 12:10 Mailbag", 3),
            // With an hours field.
            ("0:09:00 News | 0:10:30 Interview | 0:12:00 Mailbag", 3),
        ] {
            assert_eq!(chapters(notes).len(), count, "{notes:?}");
        }
    }

    #[test]
    fn separated_scores_and_clock_times_are_still_refused() {
        for notes in [
            "Results / Arsenal 3:1 Chelsea / Spurs 2-0 Leeds / Everton 1:1 Fulham",
            "Final | 2-0 | 3:1 | 1:1",
            "Doors / at 18:00 / show at 19:30",
            "9:00 Doors open | 10:30 Keynote",
            "Tickets ▪ Fri 19:00 ▪ Sat 18:00 ▪ Sun 17:00",
        ] {
            assert_eq!(chapters(notes), vec![], "{notes:?}");
        }
    }

    #[test]
    fn descending_list_is_not_a_chapter_list() {
        assert_eq!(chapters("10:00 Later\n05:00 Earlier"), vec![]);
    }

    #[test]
    fn transcript_after_chapter_list_is_not_merged() {
        let notes = "Chapters\n00:00 Intro\n12:00 Main topic\n40:00 Outro\n\nTranscript\n00:00:01 Alice: Hello and welcome to the show.\n00:00:05 Bob: Thanks for having me.\n00:00:09 Alice: Let's dive in.";
        let want = secs_and_titles(&[(0, "Intro"), (720, "Main topic"), (2400, "Outro")]);
        assert_eq!(chapters(notes), want);
        // Without a heading, the jump back to the start ends the list.
        let unheaded = "00:00 Intro\n12:00 Main topic\n40:00 Outro\n00:00:01 Alice: Hello and welcome.\n00:00:05 Bob: Thanks for having me.\n00:00:09 Alice: Let's dive in.";
        assert_eq!(chapters(unheaded), want);
    }

    #[test]
    fn transcript_alone_is_not_a_chapter_list() {
        let labelled = "00:00:01 Alice: Hello and welcome to the show, it is good to be here.\n00:00:05 Bob: Thanks for having me on, I have been looking forward to it.\n00:00:09 Alice: Let's dive straight in with the first question for you.\n00:00:15 Bob: Sure, go ahead and ask me anything you like.";
        assert_eq!(chapters(labelled), vec![]);
        let names = "Alice 0:01\nHello there.\nBob 0:05\nHi.\nAlice 0:09\nSo.\nBob 0:15\nYes.";
        assert_eq!(chapters(names), vec![]);
    }

    #[test]
    fn later_run_is_not_merged_into_the_first_list() {
        let notes = "00:00 Intro\n05:00 Topic\n\nSome paragraph about the sponsors of this show that goes on for a while and mentions a great many things, so many that it cannot be a heading of a chapter list at all.\n\n30:00 Unrelated\n45:00 Also unrelated";
        let want = secs_and_titles(&[(0, "Intro"), (300, "Topic")]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn transcript_files_yield_no_chapters() {
        let Some(shared) = shared_dir() else { return };
        let dir = shared.join("corpus/transcripts");
        let list = "<p>Chapters:<br>00:00 Intro<br>05:00 Topic<br>09:00 Outro</p>";
        for file in [
            "podcastindex-spec-example.html",
            "podcastindex-spec-example.srt",
            "podcastindex-spec-example.vtt",
        ] {
            let transcript = read(&dir.join(file));
            assert_eq!(chapters(&transcript), vec![], "{file}");
            let after_list = format!("{list}\n{transcript}");
            let want = secs_and_titles(&[(0, "Intro"), (300, "Topic"), (540, "Outro")]);
            assert_eq!(chapters(&after_list), want, "list then {file}");
        }
    }

    #[test]
    fn paragraph_transcript_is_not_a_chapter_list() {
        let para = "so this is a long paragraph of spoken words that goes on and on, well past anything a chapter title would ever need, with plenty of detail and asides";
        let notes = format!("00:00 {para}\n02:10 {para}\n04:40 {para}\n06:05 {para}");
        assert_eq!(chapters(&notes), vec![]);
    }

    #[test]
    fn untimed_sub_items_between_entries_do_not_split_the_list() {
        let notes = "Week in Review:\n0:06:45 SSD Review\n0:20:00 Delidding\nEVGA Contest Winner\nLast Weeks Winner: Benjamin D.\nNews items of interest:\nIntel news\n0:33:40 Live Recap\n0:35:10 Manuals Leak";
        let want = secs_and_titles(&[
            (405, "SSD Review"),
            (1200, "Delidding"),
            (2020, "Live Recap"),
            (2110, "Manuals Leak"),
        ]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn after_a_long_gap_only_later_times_continue_the_list() {
        let notes = "00:00 Intro\n10:00 Topic\none\ntwo\nthree\n05:00 Earlier thing\n07:00 Another";
        let want = secs_and_titles(&[(0, "Intro"), (600, "Topic")]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn time_glued_to_a_capitalised_title_is_an_entry() {
        let notes =
            "0:06:03 Building a PC\n0:27:48ASUS TUF Preview\n0:39:15 Game Mode\n10:30AM Not this";
        let want = secs_and_titles(&[
            (363, "Building a PC"),
            (1668, "ASUS TUF Preview"),
            (2355, "Game Mode"),
        ]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn dated_event_listings_are_not_chapters() {
        for notes in [
            "<p>9 October: Literature's Worst Agony Aunt (16:30) </p><br><p>Jen's dates: </p><p>8 October: tarot talk at Waterstones (17:00)</p>",
            "Oct 9 - Live show 16:30\nOct 10 - Book signing 17:00\nOct 12 - Panel 18:00",
            "Friday - Doors 18:00\nSaturday - Doors 19:00\nSunday - Doors 17:30",
        ] {
            assert_eq!(chapters(notes), vec![], "{notes:?}");
        }
    }

    #[test]
    fn two_late_entries_are_not_a_list_but_two_from_the_start_are() {
        assert_eq!(chapters("Doors 18:00\nShow 19:00"), vec![]);
        let want = secs_and_titles(&[(0, "Intro"), (300, "Topic")]);
        assert_eq!(chapters("Intro 0:00\nTopic 5:00"), want);
    }

    // --- duration, dedup -----------------------------------------------------------------

    #[test]
    fn entries_at_or_beyond_duration_are_dropped() {
        let notes = "00:00 Intro\n10:00 Topic\n20:00 Outro\n30:00 Bonus";
        let got = chapters_from_notes(notes, Some(20 * 60 * 1000));
        let titles: Vec<&str> = got.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Intro", "Topic"]);
        assert_eq!(chapters_from_notes(notes, Some(5 * 60 * 1000)), vec![]);
    }

    #[test]
    fn list_beyond_duration_gives_way_to_a_later_list() {
        let notes = "Doors 18:00 Show 19:00 Encore 20:00\n\n\n\n\n\nAgain\nmore\ntext\n00:00 Intro\n03:00 Topic";
        let got = chapters_from_notes(notes, Some(10 * 60 * 1000));
        let titles: Vec<&str> = got.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Intro", "Topic"]);
    }

    #[test]
    fn repeated_entries_are_deduplicated_keeping_the_first() {
        let notes = "00:00 Intro\n00:00 Intro\n05:00 Topic\n05:00 Topic again\n09:00 End";
        let want = secs_and_titles(&[(0, "Intro"), (300, "Topic"), (540, "End")]);
        assert_eq!(chapters(notes), want);
    }

    #[test]
    fn fractional_times_keep_milliseconds() {
        let got = chapters_from_notes("00:00.500 Intro\n00:10.250 Next", None);
        assert_eq!(got[0].start_ms, 500);
        assert_eq!(got[1].start_ms, 10_250);
    }

    // --- robustness ----------------------------------------------------------------------

    #[test]
    fn hostile_input_never_panics() {
        let samples = [
            "<p>00:00 Intro<br>05:00 Topic</p><a href=\"x>y\" title='it's'>",
            "&#xFFFFFFFF; &#99999999; &#0; &#; &#x; &amp &unknown; &ndash",
            "<!-- unterminated 00:00 a\n01:00 b",
            "<script>00:00 a\n01:00 b",
            "00:00 É\u{a0}intro\n01:00 ü—日本語 1:00:00 ✓\n٣:٤٥ x\n",
            "1:\n:1\n1:2\n12:3\n999:59\n99:59:59.999\n0:00:00:00",
            "<<<>>>&&&;;;::: 00:00 <br 01:00 </ 02:00 <!",
            "Timestamps",
            "Timestamps 0:00",
            "Intro 0:00 Timestamps",
        ];
        for s in samples {
            let mut cuts: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
            cuts.dedup();
            for &a in &cuts {
                for &b in cuts.iter().filter(|&&b| b >= a) {
                    let _ = chapters_from_notes(&s[a..b], Some(60_000));
                }
            }
        }
    }

    #[test]
    fn large_hostile_input_is_handled_in_linear_time() {
        let inputs = [
            "<a".repeat(200_000),
            "<a \"".repeat(100_000) + ">",
            "0:00 ".repeat(100_000),
            "00:00 Intro\n".repeat(50_000),
            "x 1:23 ".repeat(100_000),
            format!("{}1:23 4:56", " ".repeat(400_000)),
            "&#123".repeat(100_000),
            "<!".repeat(200_000),
            "<script>".repeat(50_000),
        ];
        let started = std::time::Instant::now();
        for input in &inputs {
            let _ = chapters_from_notes(input, None);
        }
        // Generous: a quadratic scan of these inputs takes minutes, not seconds.
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn empty_and_timeless_notes_yield_nothing() {
        assert_eq!(chapters(""), vec![]);
        assert_eq!(chapters("Just a description with no times at all."), vec![]);
        assert_eq!(chapters("<p>HTML &amp; no times</p>"), vec![]);
    }
}
