//! Bytes -> UTF-8 text, honouring the byte-order mark, the XML declaration and the HTTP charset.
//!
//! The XML readers below us would otherwise trust the declaration alone; decoding here once
//! means every later step sees UTF-8, and the declaration is dropped so nothing decodes twice.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// How a document's bytes become text: a WHATWG encoding, or an old DOS (OEM) code page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Whatwg(&'static Encoding),
    Oem(u16),
}

/// The charset a label names, as feeds write labels: the WHATWG set, spellings outside it that
/// feeds use (`windows_1252`, `macroman`, `ms-ansi`), and the DOS code pages (`cp437`,
/// `ibm850`, `852`).
fn charset_for_label(label: &str) -> Option<Charset> {
    let label = label.trim().to_ascii_lowercase().replace('_', "-");
    let alias = match label.as_str() {
        "macroman" | "mac-roman" | "mac" | "macroman-1" => "macintosh",
        "ms-ansi" | "ansi" | "win-1252" | "cp-1252" | "windows1252" | "win1252" => "windows-1252",
        other => other,
    };
    if let Some(encoding) = Encoding::for_label(alias.as_bytes()) {
        return Some(Charset::Whatwg(encoding));
    }
    let number = ["cp", "ibm", "dos-", "dos", "oem", "cspc", "csibm", ""]
        .iter()
        .find_map(|prefix| alias.strip_prefix(prefix)?.parse::<u16>().ok())?;
    oem_cp::code_table::DECODING_TABLE_CP_MAP
        .contains_key(&number)
        .then_some(Charset::Oem(number))
}

/// The declared (or HTTP) label when no decoder knows it and the bytes are not UTF-8 either:
/// the feed would be unreadable, so it is refused with that name rather than shown as U+FFFD.
pub fn unknown_encoding(bytes: &[u8], http_charset: Option<&str>) -> Option<String> {
    if Encoding::for_bom(bytes).is_some() || std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    declared_encoding(bytes)
        .or_else(|| http_charset.map(str::to_string))
        .filter(|label| charset_for_label(label).is_none())
}

/// Decodes a feed document to UTF-8 and removes its XML declaration. Invalid sequences become
/// U+FFFD rather than failing the whole feed.
pub fn to_utf8<'a>(bytes: &'a [u8], http_charset: Option<&str>) -> Cow<'a, str> {
    let (charset, body) = match Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => (Charset::Whatwg(encoding), &bytes[bom_len..]),
        None => (sniff_encoding(bytes, http_charset), bytes),
    };
    let encoding = match charset {
        Charset::Whatwg(encoding) => encoding,
        Charset::Oem(page) => {
            let text = oem_cp::code_table::DECODING_TABLE_CP_MAP
                .get(&page)
                .map(|table| table.decode_string_lossy(body))
                .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
            return Cow::Owned(strip_declaration(&text).to_string());
        }
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

fn sniff_encoding(bytes: &[u8], http_charset: Option<&str>) -> Charset {
    // UTF-16 without a BOM still starts with '<' next to a zero byte.
    match bytes {
        [b'<', 0, ..] => return Charset::Whatwg(UTF_16LE),
        [0, b'<', ..] => return Charset::Whatwg(UTF_16BE),
        _ => {}
    }
    // A document that reached us as bytes cannot really be UTF-16 without a BOM or zero bytes:
    // such a declaration is a leftover from a converter.
    let usable = |c: &Charset| !matches!(c, Charset::Whatwg(e) if *e == UTF_16LE || *e == UTF_16BE);
    if let Some(charset) = declared_encoding(bytes)
        .and_then(|label| charset_for_label(&label))
        .filter(usable)
    {
        return charset;
    }
    if let Some(charset) = http_charset.and_then(charset_for_label).filter(usable) {
        return charset;
    }
    Charset::Whatwg(UTF_8)
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

    fn declared(label: &str, body: &[u8]) -> Vec<u8> {
        let mut bytes = format!("<?xml version=\"1.0\" encoding=\"{label}\"?><rss>").into_bytes();
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(b"</rss>");
        bytes
    }

    #[test]
    fn labels_feeds_write_outside_the_whatwg_set_are_understood() {
        for (label, body, want) in [
            (
                "windows_1252",
                &b"\x93quoted\x94"[..],
                "\u{201c}quoted\u{201d}",
            ),
            ("WINDOWS_1250", b"\x9a", "\u{161}"),
            ("ms-ansi", b"caf\xe9", "caf\u{e9}"),
            ("cp1252", b"\x80", "\u{20ac}"),
            ("macroman", b"caf\x8e", "caf\u{e9}"),
            ("mac-roman", b"\xa5", "\u{2022}"),
            ("cp437", b"\x81ber caf\x82", "\u{fc}ber caf\u{e9}"),
            ("IBM850", b"\x82", "\u{e9}"),
            ("cp852", b"\xa5", "\u{105}"),
            ("866", b"\x8f", "\u{41f}"),
        ] {
            let bytes = declared(label, body);
            assert_eq!(
                to_utf8(&bytes, None),
                format!("<rss>{want}</rss>"),
                "{label}"
            );
            assert_eq!(unknown_encoding(&bytes, None), None, "{label}");
        }
    }

    #[test]
    fn an_encoding_nothing_can_read_is_named_not_turned_into_replacement_characters() {
        let bytes = declared("x-klingon", b"\xf8\xe1");
        assert_eq!(unknown_encoding(&bytes, None).as_deref(), Some("x-klingon"));
        // The same label on a document that is plain UTF-8 anyway reads fine.
        assert_eq!(
            unknown_encoding(&declared("x-klingon", b"plain"), None),
            None
        );
        // From the HTTP header too.
        assert_eq!(
            unknown_encoding(b"<rss>\xf8</rss>", Some("x-vulcan")).as_deref(),
            Some("x-vulcan")
        );
    }

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
