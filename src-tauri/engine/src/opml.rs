//! OPML 2.0 subscription lists: read every feed outline (nested in categories or not), and
//! write the library's shows. No I/O; importing (subscribing to each) is in `Engine`.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde::Serialize;

use crate::feed::sanitize::escape_text;

/// Largest OPML file accepted: a 600-feed export is about 100 KB.
pub const MAX_OPML_BYTES: u64 = 10 * 1024 * 1024;
/// Deepest outline nesting accepted (categories within categories).
const MAX_DEPTH: usize = 64;

/// One feed listed in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpmlFeed {
    pub url: String,
    /// `title`, else `text`.
    pub title: Option<String>,
    pub html_url: Option<String>,
}

/// Why an OPML file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("the file is empty")]
    Empty,
    #[error("not an OPML file: the document is {found}")]
    NotOpml { found: String },
    #[error("the OPML file is not well-formed XML: {detail}")]
    Malformed { detail: String },
    #[error("the OPML file is larger than {} MB", MAX_OPML_BYTES / 1024 / 1024)]
    TooLarge,
}

/// The feeds an OPML document lists, in document order (duplicates kept: the importer
/// reports them).
pub fn parse(bytes: &[u8]) -> Result<Vec<OpmlFeed>, OpmlError> {
    if bytes.len() as u64 > MAX_OPML_BYTES {
        return Err(OpmlError::TooLarge);
    }
    let text = crate::feed::decode_document(bytes);
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if text.is_empty() {
        return Err(OpmlError::Empty);
    }
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut feeds = Vec::new();
    let mut depth = 0usize;
    let mut saw_root = false;
    loop {
        let event = reader.read_event().map_err(|e| OpmlError::Malformed {
            detail: e.to_string(),
        })?;
        let (element, opens) = match &event {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if !saw_root {
            let name = String::from_utf8_lossy(element.local_name().as_ref()).to_string();
            if !name.eq_ignore_ascii_case("opml") {
                return Err(OpmlError::NotOpml {
                    found: format!("a <{name}> document"),
                });
            }
            saw_root = true;
        }
        if opens {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(OpmlError::Malformed {
                    detail: format!("outlines are nested more than {MAX_DEPTH} levels deep"),
                });
            }
        }
        if element
            .local_name()
            .as_ref()
            .eq_ignore_ascii_case(b"outline")
        {
            if let Some(feed) = feed_of(element, reader.decoder()) {
                feeds.push(feed);
            }
        }
    }
    if !saw_root {
        return Err(OpmlError::NotOpml {
            found: "not XML".into(),
        });
    }
    Ok(feeds)
}

/// An outline with an `xmlUrl` (any letter case, as apps differ) is a feed.
fn feed_of(element: &BytesStart<'_>, decoder: quick_xml::encoding::Decoder) -> Option<OpmlFeed> {
    let mut url = None;
    let mut title = None;
    let mut text = None;
    let mut html_url = None;
    for attr in element.attributes().with_checks(false).flatten() {
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).to_ascii_lowercase();
        let value =
            match attr.decoded_and_normalized_value(quick_xml::XmlVersion::Implicit1_0, decoder) {
                Ok(v) => v.trim().to_string(),
                // An unknown entity: keep the text as written rather than lose the feed.
                Err(_) => String::from_utf8_lossy(&attr.value).trim().to_string(),
            };
        if value.is_empty() {
            continue;
        }
        match key.as_str() {
            "xmlurl" => url = Some(value),
            "title" => title = Some(value),
            "text" => text = Some(value),
            "htmlurl" => html_url = Some(value),
            _ => {}
        }
    }
    Some(OpmlFeed {
        url: url?,
        title: title.or(text),
        html_url,
    })
}

/// An OPML 2.0 document listing `feeds`.
pub fn export(feeds: &[OpmlFeed]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>Chaptercast subscriptions</title>\n",
    );
    out.push_str(&format!(
        "    <dateCreated>{}</dateCreated>\n  </head>\n  <body>\n",
        chrono::Utc::now().to_rfc2822()
    ));
    for feed in feeds {
        let title = attribute(feed.title.as_deref().unwrap_or(&feed.url));
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\"",
            attribute(&feed.url)
        ));
        if let Some(html) = &feed.html_url {
            out.push_str(&format!(" htmlUrl=\"{}\"", attribute(html)));
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

/// An attribute value: escaped, and without control characters, which XML 1.0 forbids (a
/// library stored before they were stripped at parse time may still hold some).
fn attribute(text: &str) -> String {
    escape_text(&text.chars().filter(|c| !c.is_control()).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_well_formed_whatever_the_titles_hold() {
        let document = export(&[OpmlFeed {
            url: "https://h/a.rss".into(),
            title: Some("Bad\u{1b}]0;title\u{7} & <co>".into()),
            html_url: None,
        }]);
        assert!(!document.chars().any(|c| c.is_control() && c != '\n'));
        let feeds = parse(document.as_bytes()).expect("reads back");
        assert_eq!(feeds[0].title.as_deref(), Some("Bad]0;title & <co>"));
    }

    #[test]
    fn nested_categories_and_attribute_spellings_are_read() {
        let opml = br#"<?xml version="1.0" encoding="utf-8"?>
<opml version="1.0"><head><title>x</title></head><body>
  <outline text="Tech">
    <outline type="rss" text="Meta Tech" xmlUrl="https://h/meta.rss" htmlUrl="https://h/"/>
    <outline text="Deeper"><outline text="Odd &amp; Case" xmlurl=" https://h/odd.rss "/></outline>
  </outline>
  <outline text="no feed here"/>
  <outline title="Titled" text="ignored" xmlUrl="https://h/t.rss"></outline>
</body></opml>"#;
        let feeds = parse(opml).expect("parse");
        let urls: Vec<&str> = feeds.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            ["https://h/meta.rss", "https://h/odd.rss", "https://h/t.rss"]
        );
        assert_eq!(feeds[1].title.as_deref(), Some("Odd & Case"));
        assert_eq!(feeds[2].title.as_deref(), Some("Titled"));
        assert_eq!(feeds[0].html_url.as_deref(), Some("https://h/"));
    }

    #[test]
    fn export_parses_back_to_the_same_feeds() {
        let feeds = vec![
            OpmlFeed {
                url: "https://h/a.rss?x=1&y=\"2\"".into(),
                title: Some("A <b> & \"c\"".into()),
                html_url: Some("https://h/a".into()),
            },
            OpmlFeed {
                url: "https://h/b.rss".into(),
                title: None,
                html_url: None,
            },
        ];
        let back = parse(export(&feeds).as_bytes()).expect("parse");
        assert_eq!(back[0], feeds[0]);
        assert_eq!(back[1].url, feeds[1].url);
        assert_eq!(back[1].title.as_deref(), Some("https://h/b.rss"));
    }

    #[test]
    fn bad_files_are_clear_errors() {
        assert!(matches!(parse(b""), Err(OpmlError::Empty)));
        assert!(matches!(
            parse(b"<rss><channel/></rss>"),
            Err(OpmlError::NotOpml { .. })
        ));
        assert!(matches!(
            parse(b"just text"),
            Err(OpmlError::NotOpml { .. })
        ));
        assert!(matches!(
            parse(b"<opml><body><outline"),
            Err(OpmlError::Malformed { .. })
        ));
        let deep = format!(
            "<opml><body>{}</body></opml>",
            "<outline text='x'>".repeat(100)
        );
        assert!(matches!(
            parse(deep.as_bytes()),
            Err(OpmlError::Malformed { .. })
        ));
        // Entities are never expanded.
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body><outline text="&b;" xmlUrl="https://h/x"/></body></opml>"#;
        let feeds = parse(bomb).expect("parse");
        assert!(feeds[0].title.as_deref().is_some_and(|t| t.len() < 10));
    }
}
