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
/// feeds use (`windows_1252`, `win-1251`, `ms-ansi`, `latin-1`, `macroman`), and the DOS code
/// pages (`cp437`, `ibm-850`, `852`).
fn charset_for_label(label: &str) -> Option<Charset> {
    let label = label.trim().to_ascii_lowercase().replace('_', "-");
    if let Some(encoding) = Encoding::for_label(label.as_bytes()) {
        return Some(Charset::Whatwg(encoding));
    }
    // A family name, then an optional dash, then a number: `win-1251`, `cp-437`, `latin-2`.
    let numbered = |prefixes: &[&str]| {
        prefixes.iter().find_map(|prefix| {
            let rest = label.strip_prefix(prefix)?;
            rest.strip_prefix('-').unwrap_or(rest).parse::<u16>().ok()
        })
    };
    let alias = match label.as_str() {
        "macroman" | "mac-roman" | "macroman-1" => Some("macintosh".to_string()),
        "ms-ansi" | "ansi" => Some("windows-1252".to_string()),
        _ => numbered(&["windows", "win", "ms", "cp"])
            .filter(|n| (1250..=1258).contains(n))
            .map(|n| format!("windows-{n}"))
            .or_else(|| numbered(&["latin"]).map(|n| format!("latin{n}"))),
    };
    if let Some(encoding) = alias.and_then(|a| Encoding::for_label(a.as_bytes())) {
        return Some(Charset::Whatwg(encoding));
    }
    let number = numbered(&["cp", "ibm", "dos", "oem", "cspc", "csibm", ""])?;
    oem_cp::code_table::DECODING_TABLE_CP_MAP
        .contains_key(&number)
        .then_some(Charset::Oem(number))
}

/// The declared (or HTTP) label when no decoder knows it and the bytes are not UTF-8 either:
/// the feed would be unreadable, so it is refused with that name rather than shown as U+FFFD.
pub fn unknown_encoding(bytes: &[u8], http_charset: Option<&str>) -> Option<String> {
    if utf32_layout(bytes).is_some()
        || Encoding::for_bom(bytes).is_some()
        || std::str::from_utf8(bytes).is_ok()
    {
        return None;
    }
    declared_encoding(bytes)
        .or_else(|| http_charset.map(str::to_string))
        .filter(|label| charset_for_label(label).is_none())
}

/// Decodes a feed document to UTF-8 and removes its XML declaration. Invalid sequences become
/// U+FFFD rather than failing the whole feed.
pub fn to_utf8<'a>(bytes: &'a [u8], http_charset: Option<&str>) -> Cow<'a, str> {
    if let Some((big_endian, bom_len)) = utf32_layout(bytes) {
        let text = utf32_decoded(&bytes[bom_len..], big_endian);
        return Cow::Owned(strip_declaration(&text).to_string());
    }
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
    let (mut text, had_errors) = encoding.decode_without_bom_handling(body);
    // A real UTF-8 feed with a character cut in two somewhere (a byte-counting truncation,
    // common in descriptions) stays UTF-8 with one U+FFFD: guessing again would turn every
    // other accent, emoji and CJK character of the feed into mojibake.
    if had_errors && !(encoding == UTF_8 && is_mostly_utf8(body)) {
        // The bytes are not in the encoding they claim (most often Windows-1252 or another
        // legacy encoding called UTF-8, or not called anything): guess, as browsers do for
        // unlabelled pages, rather than show U+FFFD where every accent was.
        if let Some(better) = guessed_decoding(body, encoding) {
            text = Cow::Owned(better);
        }
    }
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

/// True when the bytes hold at least as many well-formed multi-byte UTF-8 characters as
/// broken sequences: UTF-8 with a few flaws, not a legacy encoding, whose accented letters
/// are (almost) never well-formed UTF-8.
fn is_mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut broken) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| c.len_utf8() > 1).count();
        broken += usize::from(!chunk.invalid().is_empty());
    }
    multibyte > 0 && multibyte >= broken
}

/// The text of bytes that `claimed` cannot decode, in the encoding Firefox's detector
/// (chardetng) finds for them, when that decodes them cleanly.
fn guessed_decoding(bytes: &[u8], claimed: &'static Encoding) -> Option<String> {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    if guess == claimed {
        return None;
    }
    let (text, had_errors) = guess.decode_without_bom_handling(bytes);
    (!had_errors).then(|| text.into_owned())
}

/// UTF-32 (which the WHATWG set leaves out), recognised as XML 1.0's appendix F does: by its
/// byte-order mark, or by a first `<` written in four bytes. `(big_endian, BOM length)`.
fn utf32_layout(bytes: &[u8]) -> Option<(bool, usize)> {
    match bytes {
        [0, 0, 0xFE, 0xFF, ..] => Some((true, 4)),
        [0xFF, 0xFE, 0, 0, ..] => Some((false, 4)),
        [0, 0, 0, b'<', ..] => Some((true, 0)),
        [b'<', 0, 0, 0, ..] => Some((false, 0)),
        _ => None,
    }
}

/// UTF-32 bytes as text; a unit that is no character becomes U+FFFD.
fn utf32_decoded(bytes: &[u8], big_endian: bool) -> String {
    bytes
        .chunks_exact(4)
        .map(|unit| {
            let unit = [unit[0], unit[1], unit[2], unit[3]];
            let value = if big_endian {
                u32::from_be_bytes(unit)
            } else {
                u32::from_le_bytes(unit)
            };
            char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect()
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
    fn label_spellings_with_a_dash_after_the_family_are_understood() {
        for (label, body, want) in [
            ("cp-437", &b"\x81"[..], "\u{fc}"),
            ("IBM-850", b"\x82", "\u{e9}"),
            ("cp_852", b"\xa5", "\u{105}"),
            ("latin-1", b"caf\xe9", "caf\u{e9}"),
            ("Latin_2", b"\xb1", "\u{105}"),
            ("ms-1251", b"\xcf", "\u{41f}"),
            ("win_1250", b"\x9a", "\u{161}"),
            ("windows1251", b"\xcf", "\u{41f}"),
        ] {
            let bytes = declared(label, body);
            assert_eq!(unknown_encoding(&bytes, None), None, "{label}");
            assert_eq!(
                to_utf8(&bytes, None),
                format!("<rss>{want}</rss>"),
                "{label}"
            );
        }
    }

    #[test]
    fn bytes_that_are_not_the_utf8_they_claim_are_read_in_the_encoding_they_are_in() {
        // Undeclared, and declared UTF-8: Windows-1252 bytes (smart quotes, an accent).
        let latin = "<rss>\u{201c}Caf\u{e9}\u{201d} \u{e0} la cr\u{e8}me, d\u{e9}j\u{e0} vu</rss>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(latin);
        assert_eq!(to_utf8(&bytes, None), latin);
        let mut claimed = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>".to_vec();
        claimed.extend_from_slice(&bytes);
        assert_eq!(to_utf8(&claimed, None), latin);
        // Undeclared Cyrillic and Shift_JIS titles are recognised, not U+FFFD.
        for (encoding, text) in [
            (
                encoding_rs::WINDOWS_1251,
                "<rss>\u{41d}\u{43e}\u{432}\u{43e}\u{441}\u{442}\u{438} \u{43f}\u{43e}\u{434}\u{43a}\u{430}\u{441}\u{442}\u{430} \u{434}\u{43d}\u{44f}</rss>",
            ),
            (
                encoding_rs::SHIFT_JIS,
                "<rss>\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{30dd}\u{30c3}\u{30c9}\u{30ad}\u{30e3}\u{30b9}\u{30c8}\u{3067}\u{3059}</rss>",
            ),
        ] {
            let (bytes, _, _) = encoding.encode(text);
            assert_eq!(to_utf8(&bytes, None), text, "{}", encoding.name());
        }
        // Real UTF-8 is never second-guessed.
        let utf8 = "<rss>Caf\u{e9}</rss>";
        assert_eq!(to_utf8(utf8.as_bytes(), None), utf8);
    }

    #[test]
    fn utf8_with_one_character_cut_in_two_stays_utf8() {
        // A description truncated by byte count mid-character: one U+FFFD, the rest intact
        // (not the whole feed re-read as Windows-1252).
        let mut bytes = "<rss>Caf\u{e9} \u{2615} \u{65e5}\u{672c} "
            .as_bytes()
            .to_vec();
        bytes.extend_from_slice(&"\u{65e5}".as_bytes()[..2]);
        bytes.extend_from_slice(b"</rss>");
        let text = to_utf8(&bytes, None);
        assert_eq!(
            text,
            "<rss>Caf\u{e9} \u{2615} \u{65e5}\u{672c} \u{fffd}</rss>"
        );
        let mut declared = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>".to_vec();
        declared.extend_from_slice(&bytes);
        assert_eq!(to_utf8(&declared, None), text);
    }

    #[test]
    fn utf32_with_or_without_a_bom_is_decoded() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-32\"?><rss>caf\u{e9} \u{1f399}</rss>";
        for big_endian in [false, true] {
            for bom in [false, true] {
                let mut bytes = Vec::new();
                let units = bom.then_some('\u{feff}').into_iter().chain(text.chars());
                for c in units {
                    let c = c as u32;
                    bytes.extend(if big_endian {
                        c.to_be_bytes()
                    } else {
                        c.to_le_bytes()
                    });
                }
                assert_eq!(unknown_encoding(&bytes, None), None);
                assert_eq!(
                    to_utf8(&bytes, None),
                    "<rss>caf\u{e9} \u{1f399}</rss>",
                    "big endian {big_endian}, BOM {bom}"
                );
            }
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
