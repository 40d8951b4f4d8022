//! HTML transcripts in the Podcasting 2.0 style: `<cite>Speaker:</cite>`, `<time>0:53</time>`,
//! then `<p>` paragraphs, one cue each. A tolerant tag scanner, not a parser: real transcripts
//! are fragments with unclosed tags that XML readers reject.

use super::{decode_entities, parse_timestamp, RawCue};

/// Tags that end a stretch of text: what they hold is a paragraph of its own.
const BLOCKS: [&str; 20] = [
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "blockquote",
    "table",
    "tr",
    "td",
    "body",
];

/// Tags whose content is never transcript text.
const SKIPPED: [&str; 5] = ["script", "style", "title", "template", "noscript"];

#[derive(Default)]
struct Scan {
    cues: Vec<RawCue>,
    speaker: Option<String>,
    time_ms: Option<u64>,
    timed: bool,
    in_p: bool,
    /// The current paragraph (or text outside any).
    para: String,
    /// Text of an open `<cite>` or `<time>` that names a speaker or sets a time.
    cite: Option<String>,
    time: Option<String>,
}

/// The cues, and whether any `<time>` gave them times.
pub(super) fn read(text: &str) -> (Vec<RawCue>, bool) {
    // Same byte offsets as `text`: end tags are looked up in it without regard to case.
    let lower = text.to_ascii_lowercase();
    let mut scan = Scan::default();
    let mut pos = 0;
    let mut no_gt = false;
    while pos < text.len() {
        let Some(lt) = text[pos..].find('<').map(|i| pos + i) else {
            scan.text(&text[pos..]);
            break;
        };
        scan.text(&text[pos..lt]);
        let after = &text[lt + 1..];
        if lower[lt..].starts_with("<!--") {
            pos = lower[lt + 4..]
                .find("-->")
                .map_or(text.len(), |i| lt + 4 + i + 3);
            continue;
        }
        let opens_tag = after.starts_with(|c: char| c.is_ascii_alphabetic() || "/!?".contains(c));
        let close = if opens_tag && !no_gt {
            after.find('>')
        } else {
            None
        };
        let Some(close) = close else {
            no_gt |= opens_tag;
            scan.text("<");
            pos = lt + 1;
            continue;
        };
        pos = lt + 1 + close + 1;
        let tag = &lower[lt + 1..lt + 1 + close];
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, tag),
        };
        let name_len = tag
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(tag.len());
        let name = &tag[..name_len];
        if !closing && SKIPPED.contains(&name) && !tag.ends_with('/') {
            let end_tag = format!("</{name}");
            pos = lower[pos..].find(&end_tag).map_or(text.len(), |i| pos + i);
            continue;
        }
        scan.tag(name, closing);
    }
    scan.flush();
    (scan.cues, scan.timed)
}

impl Scan {
    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let decoded = decode_entities(raw);
        let buf = match (&mut self.time, &mut self.cite) {
            (Some(time), _) => time,
            (None, Some(cite)) => cite,
            (None, None) => &mut self.para,
        };
        buf.push_str(&decoded);
    }

    fn tag(&mut self, name: &str, closing: bool) {
        match (name, closing) {
            ("p", _) => {
                self.flush();
                self.in_p = !closing;
            }
            ("br", _) => self.text(" "),
            // A cite within a paragraph's words is a quoted title, not a speaker; a time there
            // is words too.
            ("cite", false) if !self.inline() => {
                self.flush();
                self.cite = Some(String::new());
            }
            ("cite", true) => {
                if let Some(cite) = self.cite.take() {
                    let name = cite.trim().trim_end_matches(':').trim();
                    self.speaker = Some(name.to_string()).filter(|n| !n.is_empty());
                }
            }
            ("time", false) if !self.inline() => {
                self.flush();
                self.time = Some(String::new());
            }
            ("time", true) => {
                if let Some(time) = self.time.take() {
                    match parse_timestamp(time.trim()) {
                        Some(ms) => {
                            self.time_ms = Some(ms);
                            self.timed = true;
                        }
                        // Not a time after all ("March 3"): words of the transcript.
                        None => self.text(&time),
                    }
                }
            }
            (name, _) if BLOCKS.contains(&name) => self.flush(),
            _ => {}
        }
    }

    /// Inside a paragraph that already has words.
    fn inline(&self) -> bool {
        self.in_p && !self.para.trim().is_empty()
    }

    fn flush(&mut self) {
        // A `<cite>` or `<time>` left open ends here.
        if let Some(cite) = self.cite.take() {
            self.para.push_str(&cite);
        }
        if let Some(time) = self.time.take() {
            self.para.push_str(&time);
        }
        if self.para.trim().is_empty() {
            self.para.clear();
            return;
        }
        self.cues.push(RawCue {
            start_ms: self.time_ms.unwrap_or(0),
            end_ms: None,
            speaker: self.speaker.clone(),
            text: std::mem::take(&mut self.para),
        });
    }
}
