//! Structural limits checked before the XML crates see a document.
//!
//! The `rss` crate reads unknown extension elements recursively, so a feed nested a few
//! hundred thousand levels deep overflows the stack. One streaming pass over the document
//! refuses such nesting first; it allocates nothing per element and never expands entities.

use quick_xml::events::Event;
use quick_xml::Reader;

use super::FeedError;

/// Deepest element nesting accepted. Real feeds nest under 10 levels (rss > channel > item >
/// extension > child); show notes travel as text, not elements.
pub const MAX_DEPTH: usize = 64;

/// Refuses documents nested deeper than [`MAX_DEPTH`]. Ill-formed XML is left to the parser,
/// which reports it in its own words.
pub fn check_nesting(text: &str) -> Result<(), FeedError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(FeedError::Malformed {
                        detail: format!("elements are nested more than {MAX_DEPTH} levels deep"),
                    });
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_up_to_the_limit_passes_and_one_more_is_refused() {
        let nested = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(check_nesting(&nested(MAX_DEPTH)).is_ok());
        assert!(check_nesting(&nested(MAX_DEPTH + 1)).is_err());
        // Self-closing elements and text never count as depth.
        assert!(check_nesting(&format!("<a>{}</a>", "<b/>text".repeat(10_000))).is_ok());
    }

    #[test]
    fn ill_formed_documents_are_left_to_the_parser() {
        assert!(check_nesting("<a><b></a>").is_ok());
        assert!(check_nesting("<a <<<").is_ok());
    }
}
