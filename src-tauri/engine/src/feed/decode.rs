//! Bytes -> UTF-8 text, honouring the byte-order mark, the XML declaration and the HTTP charset.
//!
//! The XML readers below us would otherwise trust the declaration alone; decoding here once
//! means every later step sees UTF-8, and the declaration is dropped so nothing decodes twice.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Decodes a feed document to UTF-8 and removes its XML declaration. Invalid sequences become
/// U+FFFD rather than failing the whole feed.
pub fn to_utf8<'a>(bytes: &'a [u8], http_charset: Option<&str>) -> Cow<'a, str> {
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => (encoding, &bytes[bom_len..]),
        None => (sniff_encoding(bytes, http_charset), bytes),
    };
    let (text, _had_errors) = encoding.decode_without_bom_handling(body);
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(strip_declaration(s)),
        Cow::Owned(s) => {
            let stripped = strip_declaration(&s);
            if stripped.len() == s.len() {
                Cow::Owned(s)
            } else {
                Cow::Owned(stripped.to_string())
            }
        }
    }
}

fn sniff_encoding(bytes: &[u8], http_charset: Option<&str>) -> &'static Encoding {
    // UTF-16 without a BOM still starts with '<' next to a zero byte.
    match bytes {
        [b'<', 0, ..] => return UTF_16LE,
        [0, b'<', ..] => return UTF_16BE,
        _ => {}
    }
    if let Some(label) = declared_encoding(bytes) {
        if let Some(encoding) = Encoding::for_label(label.as_bytes()) {
            // A document that reached us as bytes cannot really be UTF-16 without a BOM or
            // zero bytes: such a declaration is a leftover from a converter.
            if encoding != UTF_16LE && encoding != UTF_16BE {
                return encoding;
            }
        }
    }
    if let Some(encoding) = http_charset.and_then(|l| Encoding::for_label(l.trim().as_bytes())) {
        if encoding != UTF_16LE && encoding != UTF_16BE {
            return encoding;
        }
    }
    UTF_8
}

/// The `encoding="…"` of an `<?xml …?>` declaration at the start of the document.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let head = String::from_utf8_lossy(head);
    let head = head.trim_start();
    if !head.starts_with("<?xml") {
        return None;
    }
    let decl = &head[..head.find("?>")?];
    let after = &decl[decl.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

/// Drops a leading `<?xml …?>` declaration (and whitespace before it).
fn strip_declaration(text: &str) -> &str {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.starts_with("<?xml") {
        if let Some(end) = trimmed.find("?>") {
            return &trimmed[end + 2..];
        }
    }
    text
}

/// The name of the document's root element, skipping comments, processing instructions and
/// the doctype. `None` when the text does not look like XML at all.
pub fn root_element(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->")? + 3..];
        } else if rest.starts_with("<?") {
            rest = &rest[rest.find("?>")? + 2..];
        } else if rest.starts_with("<!") {
            rest = skip_doctype(rest)?;
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = after
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(after.len());
            let name = &after[..end];
            return (!name.is_empty()).then(|| name.to_string());
        } else {
            return None;
        }
    }
}

/// Skips `<!DOCTYPE …>` including an internal subset in brackets.
fn skip_doctype(text: &str) -> Option<&str> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '>' if depth == 0 => return Some(&text[i + 1..]),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_declaration_is_honoured() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>caf\xe9</rss>";
        assert_eq!(to_utf8(bytes, None), "<rss>caf\u{e9}</rss>");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss>\u{e9}</rss>";
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(to_utf8(&bytes, None), "<rss>\u{e9}</rss>");
    }

    #[test]
    fn http_charset_applies_when_document_declares_nothing() {
        assert_eq!(
            to_utf8(b"<rss>\x93hi\x94</rss>", Some("windows-1252")),
            "<rss>\u{201c}hi\u{201d}</rss>"
        );
    }

    #[test]
    fn root_element_skips_prolog() {
        let text = "<!-- c --><?xml-stylesheet href='x'?><!DOCTYPE rss [<!ENTITY a 'b'>]>\n<rss version='2.0'>";
        assert_eq!(root_element(text).as_deref(), Some("rss"));
        assert_eq!(
            root_element("<!DOCTYPE html><html><body>").as_deref(),
            Some("html")
        );
        assert_eq!(root_element("{\"json\": true}"), None);
    }
}
